"""Abandon a reply mid-generation once what it is for has certainly failed.

A request may name an abandon rule (`ChatRequest.abandon`, one of `RULES`).
The rule is asked about the reply so far at each line end (past 4 KB, each
time the text has grown by an eighth, so a long reply costs a bounded number
of checks); once it fires, no continuation can rescue the reply, so every
further token is paid for nothing.
Backends that stream (OpenAI-compatible servers, embedded llama.cpp) stop
generating there: closing the stream makes llama.cpp's and vLLM's servers stop
too. The others generate to the end and cut the text at the same line end
(`cut_where_abandoned`), so an abandoned reply reads the same on every backend
and only its cost differs. Its finish reason is `ABANDONED`.

The one rule so far, `broken_python_block`: the reply's code block already
holds a Python syntax error in its complete lines that is not merely input
still to be completed (an open bracket, block or string). A small model's
whole-script drafts that run to their token cap are mostly such text: in 12
SmolLM2 drafts, the rule fired in the first 5-57% of 6 of them, and in none
that would have compiled.
"""

from __future__ import annotations

import codeop
import re
from collections.abc import Callable, Iterable

ABANDONED = "abandoned"
#: The opening fence of a Python code block, as replies are parsed (policies.llm_policy.extract_action).
#: The blanks after the language belong to it: two runs of blanks side by side (the language being optional)
#: split a fence's blanks every way before failing, so a reply of "```" and 400,000 spaces took ~80 s.
OPENING_FENCE = r"```[ \t]*(?:(?:python|py|python3)[ \t]*)?\n"
_OPENING = re.compile(OPENING_FENCE, re.IGNORECASE)
#: compile() flags that tell input still to be completed ("incomplete input") from an error, as codeop uses
#: them (Python 3.11+; typeshed does not list them, hence the lookup).
_INCOMPLETE_IS_DISTINCT: int = vars(codeop)["PyCF_DONT_IMPLY_DEDENT"] | vars(codeop)["PyCF_ALLOW_INCOMPLETE_INPUT"]


def broken_python_block(text: str) -> bool:
    """Whether the one code block opened in `text` (no other fence so far) holds, in its complete lines,
    a syntax error that no continuation can remove.

    Only complete lines are judged: a line cut mid-token may look broken and is not. A newline outside
    brackets ends a statement, so an error in complete lines stays, except where the compiler says
    "incomplete input" (an open bracket, block, decorator or triple-quoted string), which is waited on.
    A second fence (text could start another block) ends the judging: False.
    """
    opening = _OPENING.search(text)
    if opening is None or text.count("```") != 1:
        return False
    code = text[opening.end() : text.rfind("\n") + 1]
    if not code.strip():
        return False
    try:
        compile(code, "<reply>", "exec", _INCOMPLETE_IS_DISTINCT, dont_inherit=True)
    except SyntaxError as error:
        return error.msg != "incomplete input"
    except ValueError:  # a null byte: no continuation removes it
        return True
    except (RecursionError, MemoryError):  # nesting too deep to judge: keep generating
        return False
    return False


RULES: dict[str, Callable[[str], bool]] = {"broken_python_block": broken_python_block}


def abandon_rule(name: str) -> Callable[[str], bool]:
    """The rule called `name`; a clear error for an unknown one."""
    try:
        return RULES[name]
    except KeyError:
        raise ValueError(f"unknown abandon rule {name!r}; known: {sorted(RULES)}") from None


#: Text up to which the rule is asked at every line end; past it, once the text has grown by 1/GROWTH since the
#: last time, so a long reply costs a bounded multiple of one check of its whole text (a rule may compile it).
EVERY_LINE_CHARS = 4_096
GROWTH = 8


class LineEndWatch:
    """Follows streamed text and asks the rule at line ends; `cut` is where the reply ends once it fired.

    Which line ends are asked depends only on their positions, so text fed in any pieces is cut where the
    whole text would be."""

    def __init__(self, rule: Callable[[str], bool]) -> None:
        self.rule = rule
        self.text = ""
        self.cut: int | None = None
        self._asked_at = 0  # the length of the text the rule was last asked about

    def feed(self, piece: str) -> bool:
        """Add a streamed piece; True once the rule has fired (the text to keep is `kept`)."""
        start = len(self.text)
        self.text += piece
        line_end = self.text.find("\n", start)
        while self.cut is None and line_end != -1:
            length = line_end + 1
            if length <= EVERY_LINE_CHARS or length - self._asked_at >= length // GROWTH:
                self._asked_at = length
                if self.rule(self.text[:length]):
                    self.cut = length
            line_end = self.text.find("\n", length)
        return self.cut is not None

    @property
    def kept(self) -> str:
        return self.text if self.cut is None else self.text[: self.cut]


def follow_stream(pieces: Iterable[tuple[str | None, str | None]], watch: LineEndWatch) -> str | None:
    """Feed a stream's (content, finish reason) pieces to `watch` until its rule fires. The finish reason:
    ABANDONED once it fired, else the last one the stream gave (None: the stream was broken off).
    Backends wrap their transport's errors inside `pieces`, so an error in the rule is never taken for one."""
    finish = None
    for content, reason in pieces:
        finish = reason or finish
        if content and watch.feed(content):
            return ABANDONED
    return finish


def cut_where_abandoned(text: str, name: str) -> tuple[str, bool]:
    """(`text` up to the line end where rule `name` fires, whether it fired): a whole reply, judged as a
    streaming backend would have judged it piece by piece."""
    watch = LineEndWatch(abandon_rule(name))
    fired = watch.feed(text)
    return watch.kept, fired
