"""Which orders an instruction asks for, read from its wording (instructions as the templates write them)."""

from __future__ import annotations

import pytest

from envs.toolworld.asked_order import AskedOrder, asked_order

NO_ORDER = (False, False, False)


@pytest.mark.parametrize(
    ("instruction", "asked"),
    [
        # the lines ordered
        ("Write a report: one line per missed call, oldest first, 'YYYY-MM-DD HH:MM <caller>'.", (True, False, False)),
        ("A note listing those items from the most expensive down, one per line.", (True, False, False)),
        ("One line per meeting like '2026-05-25 09:30 Sync', in time order.", (True, False, False)),
        ("A file with one line per contact, like 'Ada Smith: 3 calls', sorted by name.", (True, False, False)),
        ("Save the calendar's events to a file (the calendar's own .ics export, as is).", (True, False, False)),
        # a layout only: a last line, a first line, a line added at the end
        ("One line per bill, 'YYYY-MM: $<amount>', then a last line 'Total: $<sum>'.", (False, True, False)),
        ("Text each one message: a first line 'Overdue:', then one line per to-do.", (False, True, False)),
        ("Add the missing ones at the end, keeping the existing lines.", (False, True, False)),
        # no order: an order inside one line, of a checklist's items, or 'leave ... as it is'
        ("One line per company: '<company>: <First Last>, ...' (names in alphabetical order).", NO_ORDER),
        ("Text her 'I emailed you <the projects, in alphabetical order, separated by ', '>.'", NO_ORDER),
        (
            "One line per voicemail. Give the note a checklist, one item per caller, in alphabetical order.",
            NO_ORDER,
        ),
        ("One line per todo, each followed by ' - <its latest comment>'. Leave every other group as it is.", NO_ORDER),
        # the answer's order: only from the sentence that asks for it
        ("How many are open, and how many overdue? Answer with the two numbers in that order.", (True, False, True)),
        ("Tell me my 3 top artists, most played first.", (True, False, True)),
        ("Answer as a list: [number of songs, total length as minutes:seconds].", (False, False, True)),
        ("Put events on my calendar, in alphabetical order of name. Tell me the names.", (True, False, False)),
    ],
)
def test_the_wording_says_which_order_is_asked(instruction: str, asked: tuple[bool, bool, bool]) -> None:
    assert asked_order(instruction) == AskedOrder(*asked)
