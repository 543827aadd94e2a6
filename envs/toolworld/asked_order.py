"""Which orders does a task's instruction ask for? Read from its wording, for the grader check's reordering mutants.

An order the instruction asks for must be graded; one it does not ask for must not be (an agent following the
instruction may write the lines, or list the answer's items, in any order). Three kinds, each a small list of
wordings:

- items: the lines (or items) go in an order: 'oldest first', 'most played first', 'biggest amount first', 'from
  the most expensive down', 'in alphabetical / track / playlist / quarter / time / this / that / the same order',
  'in the order they had', 'in order of', 'sorted by', 'alphabetically'. Wordings inside a placeholder '<...>' or a
  parenthesis order the parts of one line ('<the projects, in alphabetical order, separated by ', '>', '(names in
  alphabetical order)'), and a sentence about a checklist orders its items (rows), not a text's lines. A text the
  app makes or the agent keeps is ordered as it comes: 'as is', 'the rest of each file as it is', 'forward the'.
- layout: some lines have a fixed place: 'a first line', 'a last line', 'and last a line', 'a header line', 'a
  second line', 'followed by one line', "then '<line>'", "then a line '<line>'", 'at the end', 'at the top'.
- answer: a sentence asking for the answer ('tell me', 'answer', a question) asks for an order ('in that order',
  'most played first', 'answer as a list: [<this>, <that>]').
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ITEM_ORDER = re.compile(
    r"\b(?:most|least|\w+est)(?: [\w-]+){0,2} first\b"
    r"|\bfrom the (?:[\w-]+ ){1,3}(?:down|up)\b"
    r"|\bin (?:alphabetical|chronological|track|playlist|quarter|time|date|reverse|the same|this|that) order\b"
    r"|\bin the order (?:they|the|it)\b|\bin order of\b|\bsorted by\b|\balphabetically\b",
    re.IGNORECASE,
)
KEPT = re.compile(r"\bas is\b|\bthe rest of (?:[\w-]+ ){0,3}as it is\b|\bforward the\b", re.IGNORECASE)
ANSWER_ORDER = re.compile(ITEM_ORDER.pattern + r"|\bas a list: \[", re.IGNORECASE)
LAYOUT = re.compile(
    r"\b(?:first|last|second|header) line\b|\blast a line\b|\bfollowed by (?:one|a) line\b"
    r"|\bthen (?:a (?:last )?line )?'|\bat the (?:end|top)\b",
    re.IGNORECASE,
)
WITHIN_A_LINE = re.compile(r"<[^<>]*>|\([^()]*\)")
SENTENCE_END = re.compile(r"(?<=[.?!])\s+")
ASKS_ANSWER = re.compile(r"\btell me\b|\banswer\b|\?$", re.IGNORECASE)


@dataclass(frozen=True)
class AskedOrder:
    items: bool  # the lines of a text the agent writes go in an order
    layout: bool  # some of those lines have a fixed place (first, last)
    answer: bool  # the answer's list items go in an order


def asked_order(instruction: str) -> AskedOrder:
    sentences = SENTENCE_END.split(instruction)
    lines = " ".join(WITHIN_A_LINE.sub(" ", s) for s in sentences if "checklist" not in s.lower())
    asking = [s for s in sentences if ASKS_ANSWER.search(s.strip())]
    return AskedOrder(
        items=bool(ITEM_ORDER.search(lines) or KEPT.search(instruction)),
        layout=bool(LAYOUT.search(instruction)),
        answer=any(ANSWER_ORDER.search(s) for s in asking),
    )
