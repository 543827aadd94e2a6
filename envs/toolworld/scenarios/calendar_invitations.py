"""Calendar scenarios on answering invitations: which ones clash with my work, and telling their organizers."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from envs.toolworld.evaluate import Answer, Expectation, Updated
from envs.toolworld.scenarios._calendar import (
    MIDNIGHT,
    NOW,
    calendar_events,
    day,
    find_calendar,
    overlaps,
    spans,
)
from envs.toolworld.scenarios._common import Solution, fetch_all, login, pick
from envs.toolworld.scenarios.email import sent_email
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

WINDOW_DAYS = 28
MOST_CLASHES, MOST_PENDING = 3, 6  # a busy month: this many clashing invitations, and others to tell apart
CLASH_COMMENT = "Clashes with a work commitment."


def _pending(view: WorldView, person: int, days: int) -> list[dict[str, Any]]:
    """The person's unanswered invitations to confirmed one-off events overlapping the next `days` days, with
    their attendee row id."""
    return view.rows(
        "SELECT e.*, a.id AS attendee_id FROM calendar_attendees a JOIN calendar_events e ON e.id = a.event_id "
        "WHERE a.person_id = ? AND a.response = 'pending' AND e.status = 'confirmed' AND e.end >= ? AND e.start < ? "
        "ORDER BY e.start, e.id",
        person,
        MIDNIGHT.isoformat(),
        (MIDNIGHT + timedelta(days=days)).isoformat(),
    )


def _clashing(view: WorldView, person: int, invitations: list[dict[str, Any]], days: int) -> set[int]:
    """Ids of the invitations overlapping an occurrence of the person's Work calendar in the window."""
    high = MIDNIGHT + timedelta(days=days)
    work = [s for e in calendar_events(view, person, "Work", high) for s in spans(view, e, MIDNIGHT, high)]
    return {
        i["id"]
        for i in invitations
        if any(overlaps((datetime.fromisoformat(i["start"]), datetime.fromisoformat(i["end"])), w) for w in work)
    }


def _candidates(view: WorldView, days: int) -> list[tuple[int, list[dict[str, Any]], set[int]]]:
    """(person, pending invitations, clashing ids) for everyone with a Work calendar and no repeating invitation
    pending (a series' first start says little about the window)."""
    out = []
    for person in view.people_ids():
        invitations = _pending(view, person, days)
        if invitations and all(i["recurrence"] == "none" for i in invitations):
            out.append((person, invitations, _clashing(view, person, invitations, days)))
    return out


LOOK = (
    find_calendar("Work")
    + fetch_all(
        "invitations",
        f"apis.calendar.show_invitations(access_token=calendar_token, response='pending', date_from={day(0)!r}",
    )
    + f"invitations = [i for i in invitations if i['start'][:10] <= {day(WINDOW_DAYS - 1)!r}]\n"
    + fetch_all(
        "work",
        f"apis.calendar.show_agenda(access_token=calendar_token, date_from={day(0)!r}, "
        f"date_to={day(WINDOW_DAYS - 1)!r}, calendar_id=calendar_id",
    )
    + "print([(i['event_id'], i['title'], i['start'], i['end']) for i in invitations])\n"
    + "print([(w['title'], w['start'], w['end']) for w in work])\n"
)
DECIDE = """
clashes = [i for i in invitations if any(w['start'] < i['end'] and i['start'] < w['end'] for w in work)]
free = [i for i in invitations if i not in clashes]
for i in clashes:
    details = apis.calendar.show_event(access_token=calendar_token, event_id=i['event_id'])
    print('clash:', details['title'], details['start'], details['organizer']['email'])
print('no clash:', [i['title'] for i in free])
"""
DECLINE = f"""
for i in clashes:
    apis.calendar.respond_to_invitation(
        access_token=calendar_token, event_id=i['event_id'], response='declined', comment={CLASH_COMMENT!r}
    )
"""


def _declined(invitations: list[dict[str, Any]], clashes: set[int]) -> list[Expectation]:
    return [
        Updated(
            "calendar_attendees",
            i["attendee_id"],
            {"response": "declined", "comment": CLASH_COMMENT, "responded_at": NOW},
            f"the invitation to '{i['title']}' on {i['start'][:16]} is declined with the comment {CLASH_COMMENT!r}",
        )
        for i in invitations
        if i["id"] in clashes
    ]


@scenario("calendar_decline_work_clashes", apps=("calendar",))
def decline_work_clashes(view: WorldView, rng: random.Random) -> TaskSpec:
    """Deep because a busy month holds 6+ unanswered invitations, each compared with every Work event of the
    month's agenda, and 3+ of them clash and are declined one by one; each one left is reported with how many of its
    guests have accepted, which only its event's guest list shows (read per invitation)."""
    candidates = _candidates(view, WINDOW_DAYS)
    quiet = getattr(rng, "variant", 0) % 3 == 1  # one variant in three: nothing clashes, nothing to do
    pool = [
        c
        for c in candidates
        if len(c[1]) >= MOST_PENDING
        and (not c[2] if quiet else len(c[2]) >= MOST_CLASHES)
        and any(_accepted(view, i["id"]) for i in c[1] if i["id"] not in c[2])  # a count no guess of 0 gets
    ]
    person, invitations, clashes = pick(
        rng, pool, "person with pending invitations, one left unanswered with a guest who accepted", distinct=True
    )
    check = (
        "left = apis.calendar.show_invitations(access_token=calendar_token, response='pending', "
        f"date_from={day(0)!r}, page_limit=20)\n"
        "print('still pending:', [(i['title'], i['start']) for i in left])\n"
        "for i in clashes:\n"
        "    print(apis.calendar.show_event_attendees(access_token=calendar_token, event_id=i['event_id'], "
        "response='declined', page_limit=20))\n"
    )
    done = (
        "left = []\n"
        "for i in free:\n"
        "    guests = apis.calendar.show_event(access_token=calendar_token, event_id=i['event_id'])['attendees']\n"
        "    left.append(i['title'] + ' (' + str(sum(g['response'] == 'accepted' for g in guests)) + ' accepted)')\n"
        "print(left)\n"
        "apis.supervisor.complete_task(answer=left)\n"
    )
    oracle = Solution().step(login("calendar")).step(LOOK).step(DECIDE).step(DECLINE).step(check).step(done).steps()
    left = [f"{i['title']} ({_accepted(view, i['id'])} accepted)" for i in invitations if i["id"] not in clashes]
    return TaskSpec(
        person,
        f"Go through the invitations I haven't answered yet for events between today and {day(WINDOW_DAYS - 1)}. "
        "Decline each one that overlaps anything on my Work calendar (one ending just as another starts does not "
        f"overlap it), with the comment '{CLASH_COMMENT}'. Leave the others unanswered; if nothing clashes, change "
        "nothing. Then tell me each invitation you left unanswered with how many of its guests have accepted so far, "
        "like 'Book club (2 accepted)'.",
        oracle,
        [
            *_declined(invitations, clashes),
            Answer(left, "the answer lists the invitations left unanswered, each with its guests who accepted"),
        ],
        noop_pass=not clashes,
    )


def _accepted(view: WorldView, event_id: int) -> int:
    """How many of an event's guests have accepted."""
    return int(
        view.value("SELECT COUNT(*) FROM calendar_attendees WHERE event_id = ? AND response = 'accepted'", event_id)
    )


def _subjects_unique(declined: list[dict[str, Any]]) -> bool:
    """Whether each declined invitation's email subject (its title and day) is its own: a busy team holds two
    meetings of one title on one day now and then, and two emails of one subject could not be told apart."""
    return len({(i["title"], i["start"][:10]) for i in declined}) == len(declined)


@scenario("calendar_answer_invitations_tell_organizers", apps=("calendar", "email"))
def answer_invitations_tell_organizers(view: WorldView, rng: random.Random) -> TaskSpec:
    """Deep because a busy month holds 3+ clashing invitations, each declined and its organizer emailed on its own,
    and 6+ others accepted one by one, all told apart against the month's Work agenda."""
    pool = [
        c
        for c in _candidates(view, WINDOW_DAYS)
        if len(c[2]) >= MOST_CLASHES
        and len(c[1]) - len(c[2]) >= MOST_PENDING
        and _subjects_unique([i for i in c[1] if i["id"] in c[2]])
    ]
    person, invitations, clashes = pick(rng, pool, "person with clashing and free invitations", distinct=True)
    expectations = _declined(invitations, clashes)
    for i in invitations:
        if i["id"] in clashes:
            expectations += sent_email(
                view,
                person,
                [i["organizer_id"]],
                f"Sorry, I can't make '{i['title']}' on {i['start'][:10]}: it clashes with a work commitment.",
                f"the organizer of '{i['title']}' is emailed",
                subject=f"Can't make {i['title']} on {i['start'][:10]}",
            )
        else:
            expectations.append(
                Updated(
                    "calendar_attendees",
                    i["attendee_id"],
                    {"response": "accepted", "responded_at": NOW},
                    f"the invitation to '{i['title']}' on {i['start'][:16]} is accepted",
                )
            )
    declined = sorted({i["title"] for i in invitations if i["id"] in clashes})
    expectations.append(
        Answer(
            declined,
            "the answer lists the titles of the declined invitations",
            traps={"[]": "nothing was declined: the clashes with the Work calendar were missed"},
        )
    )
    act = (
        DECLINE
        + """
for i in clashes:
    organizer = apis.calendar.show_event(access_token=calendar_token, event_id=i['event_id'])['organizer']
    apis.email.send_email(
        access_token=email_token,
        recipients=[organizer['email']],
        subject="Can't make " + i['title'] + ' on ' + i['start'][:10],
        body="Sorry, I can't make '" + i['title'] + "' on " + i['start'][:10] + ": it clashes with a work commitment.",
    )
for i in free:
    apis.calendar.respond_to_invitation(access_token=calendar_token, event_id=i['event_id'], response='accepted')
"""
    )
    check = (
        fetch_all("sent", "apis.email.show_threads(access_token=email_token, folder='sent', query=\"Can't make\"")
        + "print([t['subject'] for t in sent])\n"
    )
    done = "apis.supervisor.complete_task(answer=sorted({i['title'] for i in clashes}))\n"
    oracle = (
        Solution().step(login("calendar", "email")).step(LOOK).step(DECIDE).step(act).step(check).step(done).steps()
    )
    return TaskSpec(
        person,
        f"Answer every invitation I haven't answered yet for events between today and {day(WINDOW_DAYS - 1)}: "
        f"decline the ones that overlap anything on my Work calendar with the comment '{CLASH_COMMENT}', and accept "
        "all the others. For each one you decline, email its organizer with the subject \"Can't make <event title> "
        "on <YYYY-MM-DD>\" and the text \"Sorry, I can't make '<event title>' on <YYYY-MM-DD>: it clashes with a work "
        'commitment." '
        "Then tell me the titles of the invitations you declined.",
        oracle,
        expectations,
    )
