"""The verbatim ledger: strings from earlier outputs that a summary must not lose.

Small models paraphrase or drop access tokens, ids, emails, passwords and
numbers when they summarize; the ledger copies them deterministically with
regular expressions so they survive any summary, whatever the LLM wrote.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Every pattern starts only where a run of its characters starts (the lookbehinds),
# so a long run of word characters costs linear time, not quadratic; a key's letters around
# its keyword are bounded too, else a long word repeating "token" is tried at every split.
_SENSITIVE_KEY = r"\w{0,40}(?:token|id|email|password|passw|phone|user(?:name)?|account|key|code)\w{0,40}"
_VALUE = r"(?:\"[^\"\n]{1,200}\"|'[^'\n]{1,200}'|[\w.@+\-]{1,200}(?![\w.@+\-]))"
_SENSITIVE_PAIR = re.compile(rf"(?<!\w)[\"']?({_SENSITIVE_KEY})[\"']?\s*[:=]\s*({_VALUE})", re.IGNORECASE)
_NUMBER_PAIR = re.compile(r"(?<!\w)[\"']?(\w+)[\"']?\s*[:=]\s*(-?\d{1,30}(?:\.\d{1,30})?)(?![\w.])")
_EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_WORD_RUN = re.compile(r"(?<![\w\-])[\w\-]{16,}(?![\w\-])")


def _token_like(text: str) -> list[str]:
    """Runs of 16+ word characters mixing letters and digits (access tokens, ids)."""
    runs = (m.group(0) for m in _WORD_RUN.finditer(text))
    return [r for r in runs if any(c.isdigit() for c in r) and any(c.isalpha() for c in r)]


_RUN = re.compile(r"[\w\-]+")
#: Past this an entry is no value one copies by hand: a key, or a token or email, of any length the output allows
#: (20,000 characters on ToolWorld) made an entry that long, kept in every later prompt, so the summary could
#: never bring the prompt under its budget again. A sensitive pair is at most ~290 (85 key, 200 value).
ENTRY_MAX_CHARS = 300


class Ledger:
    """The entries of the outputs read so far, in first-seen order; more outputs can be read later.

    A summary grows by a step at a time, so its ledger reads each new output once: reading every earlier
    output again at each fold cost a step time that grew with the episode (0.6 s a step after 115 outputs of
    20,000 characters, the episode quadratic). A token-like run that an entry already holds (the value of
    "access_token: ...", a token seen before) is not added again; "holds" is "is one of its runs", looked up
    in a set, so outputs full of tokens cost linear time (checking each against every entry: 29 s for 40)."""

    def __init__(self) -> None:
        self._seen: dict[str, None] = {}
        self._runs: set[str] = set()  # the word runs of every entry in `_seen`

    def _add(self, entry: str) -> None:
        if entry not in self._seen and len(entry) <= ENTRY_MAX_CHARS:
            self._seen[entry] = None
            self._runs.update(_RUN.findall(entry))

    def read(self, outputs: Iterable[str]) -> None:
        for output in outputs:
            for key, value in _SENSITIVE_PAIR.findall(output):
                self._add(f"{key}: {value.strip(chr(34) + chr(39))}")
            for key, value in _NUMBER_PAIR.findall(output):
                self._add(f"{key}: {value}")
            for email in _EMAIL.findall(output):
                self._add(email)
            for token in _token_like(output):
                if token not in self._runs:
                    self._add(token)

    def entries(self, max_entries: int = 60) -> list[str]:
        """Past `max_entries`, the most recent are kept."""
        return list(self._seen)[-max_entries:] if max_entries > 0 else []


def ledger_entries(outputs: Iterable[str], max_entries: int = 60) -> list[str]:
    """The entries of `outputs` (see `Ledger`)."""
    ledger = Ledger()
    ledger.read(outputs)
    return ledger.entries(max_entries)


def format_ledger(entries: list[str]) -> str:
    if not entries:
        return ""
    lines = "\n".join(f"- {entry}" for entry in entries)
    return f"Verbatim values from earlier outputs (copied exactly):\n{lines}"
