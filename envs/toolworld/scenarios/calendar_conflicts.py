"""Calendar scenarios on overlaps: double bookings to sort out, and who is free to join a meeting."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta

from envs.toolworld.apps._calendar_core import busy_blocks
from envs.toolworld.apps._calendar_views import busy_occurrences, overlapping_pairs
from envs.toolworld.evaluate import Answer, Expectation, Inserted, NewRow, Updated
from envs.toolworld.scenarios._calendar import NOW, TODAY, day, reader
from envs.toolworld.scenarios._common import Solution, as_deep_as_found, fetch_all, login, pick
from envs.toolworld.scenarios._rows import new_event
from envs.toolworld.scenarios.email import sent_email
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

DOUBLE = "Double booked, will confirm."
WINDOWS = ((0, 30), (31, 41))  # six weeks ahead, asked a month at a time (the most show_conflicts covers)
MOST_HITS = 4  # a busy calendar: at least this many invitations to mark, each looked up, answered and emailed


def double_booked(view: WorldView, person: int) -> tuple[list[str], dict[int, dict], list[tuple[int, str]]]:
    """(the day of each overlap to leave alone, the accepted invitations that overlap an event the person organizes
    and someone else accepted: event id -> its first such occurrence, (invitation, day) of each overlap with an
    event of theirs no one else accepted), over the WINDOWS one after the other as the agent asks."""
    pairs = []
    for first, last in WINDOWS:
        items = busy_occurrences(reader(view, person), day(first), day(last))
        pairs += overlapping_pairs(items, len(items) ** 2, 0).items  # all of them: there are fewer than that
    out: dict[int, dict] = {}
    others, alone = [], []
    for p in pairs:
        sides = {p["first"]["my_response"]: p["first"], p["second"]["my_response"]: p["second"]}
        when = max(p["first"]["start"], p["second"]["start"])[:10]
        if "organizer" not in sides or "accepted" not in sides:
            others.append(when)
        elif view.value(
            "SELECT COUNT(*) FROM calendar_attendees WHERE event_id = ? AND person_id != ? AND response = 'accepted'",
            sides["organizer"]["event_id"],
            person,
        ):
            out.setdefault(sides["accepted"]["event_id"], sides["accepted"])
        else:
            alone.append((sides["accepted"]["event_id"], when))
    return others + [when for _, when in alone], out, alone


@scenario("calendar_double_booked_tentative", apps=("calendar", "email"))
def double_booked_tentative(view: WorldView, rng: random.Random) -> TaskSpec:
    """Deep because six weeks of a busy calendar hold 4+ accepted invitations clashing with my own events, each
    own event's guests read to see whether anyone else accepted it (show_event_attendees: the conflict list has no
    guests), and each invitation that yields looked up (its organizer is only in show_event), answered and emailed."""
    clean = getattr(rng, "variant", 0) % 3 == 1  # one variant in three: clashes with my events, none anyone joined
    found = []
    for person in view.people_ids():
        others, hits, alone = double_booked(view, person)
        late = any(d > day(WINDOWS[0][1]) for d in [*others, *(i["start"][:10] for i in hits.values())])
        named = {(i["title"], i["start"][:10]) for i in hits.values()}  # each email's subject its own
        mixed = any(event in hits for event, _ in alone)  # an invitation both handled and left alone
        if late and not mixed and len(named) == len(hits) and (not hits) == clean:  # late: not all in month one
            found.append((person, others, hits, len(alone)))
    # as many clashes to handle (MOST_HITS+) and overlaps no one joined, to tell apart (2+ in the clean variants),
    # as the world has: world 0 has both
    settings = [(0, 2), (0, 1)] if clean else [(n, 1) for n in range(MOST_HITS, 1, -1)]
    _, pool = as_deep_as_found(settings, lambda s: [f[:3] for f in found if len(f[2]) >= s[0] and f[3] >= s[1]])
    person, others, hits = pick(rng, pool, "person with double bookings", distinct=True)
    expectations: list[Expectation] = [
        Updated(
            "calendar_attendees",
            view.value("SELECT id FROM calendar_attendees WHERE event_id = ? AND person_id = ?", eid, person),
            {"response": "tentative", "comment": DOUBLE, "responded_at": NOW},
            f"my answer to event {eid} is now tentative with the comment {DOUBLE!r}",
        )
        for eid in sorted(hits)
    ]
    subjects = Counter(f"Double booked: {item['title']} on {item['start'][:10]}" for item in hits.values())
    for eid, item in hits.items():
        organizer = view.value("SELECT organizer_id FROM calendar_events WHERE id = ?", eid)
        expectations += sent_email(
            view,
            person,
            [organizer],
            f"I'm double booked for '{item['title']}' on {item['start'][:10]}; I'll confirm as soon as I can.",
            f"the organizer of '{item['title']}' is told",
            subject=f"Double booked: {item['title']} on {item['start'][:10]}",
            alike=subjects[f"Double booked: {item['title']} on {item['start'][:10]}"],
        )
    look = (
        "pairs = []\n"
        f"for first, last in {[(day(a), day(b)) for a, b in WINDOWS]!r}:  # at most 31 days a call\n"
        + fetch_all(
            "window",
            "apis.calendar.show_conflicts(access_token=calendar_token, date_from=first, date_to=last",
            indent="    ",
        )
        + "    pairs += window\n"
        "print([(p['first']['title'], p['first']['my_response'], p['second']['title'], "
        "p['second']['my_response']) for p in pairs])\n"
    )
    decide = """
hits = {}
others = []
joined = {}  # my event -> the others who accepted it
for p in pairs:
    sides = {p['first']['my_response']: p['first'], p['second']['my_response']: p['second']}
    when = max(p['first']['start'], p['second']['start'])[:10]
    if 'organizer' not in sides or 'accepted' not in sides:
        others.append(when)
        continue
    mine = sides['organizer']['event_id']
    if mine not in joined:
        guests = apis.calendar.show_event_attendees(access_token=calendar_token, event_id=mine, response='accepted',
                                                    page_limit=20)
        joined[mine] = [g['email'] for g in guests if g['email'] != me['email']]
        print(sides['organizer']['title'], joined[mine])
    if not joined[mine]:
        others.append(when)  # no one else counts on my event: leave this one alone
    elif sides['accepted']['event_id'] not in hits:
        hits[sides['accepted']['event_id']] = sides['accepted']
organizers = {}
for event_id in hits:
    organizers[event_id] = apis.calendar.show_event(access_token=calendar_token, event_id=event_id)['organizer']
print(organizers)
"""
    act = (
        "for event_id in hits:\n"
        "    apis.calendar.respond_to_invitation(access_token=calendar_token, event_id=event_id, "
        f"response='tentative', comment={DOUBLE!r})\n"
        "    item = hits[event_id]\n"
        "    apis.email.send_email(access_token=email_token, recipients=[organizers[event_id]['email']], "
        "subject='Double booked: ' + item['title'] + ' on ' + item['start'][:10], body=\"I'm double booked for '\" "
        "+ item['title'] + \"' on \" + item['start'][:10] + \"; I'll confirm as soon as I can.\")\n"
        "if not hits:\n"
        "    print('no double booking of that kind: nothing to do')\n"
    )
    done = "apis.supervisor.complete_task(answer=others)\n"
    oracle = Solution().step(login("calendar", "email")).step(look).step(decide).step(act).step(done).steps()
    expectations.append(Answer(others, "the answer lists the day of each overlap of another kind"))
    return TaskSpec(
        person,
        f"Check my double bookings (the overlaps my calendar lists as conflicts) from today to "
        f"{day(WINDOWS[-1][1])}. Wherever an invitation I accepted overlaps an event I organize myself that someone "
        f"else has accepted too, change my answer to that invitation to tentative with the comment '{DOUBLE}' and "
        "email its organizer with the subject 'Double booked: <title> on <YYYY-MM-DD>' and the text \"I'm double "
        "booked for '<title>' on <YYYY-MM-DD>; I'll confirm as soon as I can.\" (the day of the first clash). Leave "
        "every other overlap alone: any pair not of that kind (two invitations, two events of mine, one I had "
        "already answered tentative, or an event of mine that no one else accepted too), even if one of its events "
        "is an invitation you changed; if there is no such case, change nothing. Then tell me the day (YYYY-MM-DD) "
        "each of those other overlaps starts on (the later start of the two; one day per overlap).",
        oracle,
        expectations,
        noop_pass=not hits,
    )


MET_DAYS = 30  # the one-off Work meetings I organized in these last days are read for who declined them
MIN_MEETINGS = 6  # of them: each one's attendees read


def work_meetings(view: WorldView, me: int) -> list[dict]:
    """The confirmed one-off meetings `me` organized on their Work calendar that started in the MET_DAYS before
    today, each with the ids of those who declined it."""
    rows = view.rows(
        "SELECT e.* FROM calendar_events e JOIN calendar_calendars c ON c.id = e.calendar_id "
        "WHERE c.owner_id = ? AND c.name = 'Work' AND e.organizer_id = ? AND e.status = 'confirmed' "
        "AND e.recurrence = 'none' AND e.start >= ? AND e.start < ? ORDER BY e.start",
        me,
        me,
        (TODAY - timedelta(days=MET_DAYS)).isoformat(),
        TODAY.isoformat(),
    )
    for r in rows:
        r["declined"] = {
            a["person_id"]
            for a in view.rows(
                "SELECT person_id FROM calendar_attendees WHERE event_id = ? AND response = 'declined'", r["id"]
            )
        }
    return rows


@scenario("calendar_invite_free_coworkers", apps=("calendar", "phone"))
def invite_free_coworkers(view: WorldView, rng: random.Random) -> TaskSpec:
    """Deep because a team of 5+ coworkers in my contacts is checked one by one (busy times per person, only the
    whole hour free counts), and each of my 6+ Work meetings of the last month is read for who declined it (only its
    attendees show that; the list shows a count): only those free then who declined none of them are invited, and
    every pick has someone free who declined one."""
    rows = []
    for offset in (3, 4, 8, 9, 10):
        when = TODAY + timedelta(days=offset)
        if when.weekday() >= 5:
            continue
        low = datetime.combine(when, datetime.min.time()) + timedelta(hours=14)
        high = low + timedelta(hours=1)
        for p in view.rows(
            "SELECT owner_id FROM phone_contacts WHERE relationship = 'coworker' GROUP BY owner_id "
            "HAVING COUNT(*) >= 5 ORDER BY owner_id"
        ):
            mates = view.rows(
                "SELECT f.id, f.email, f.first_name, f.last_name FROM phone_contacts c "
                "JOIN people f ON f.email = c.email WHERE c.owner_id = ? AND c.relationship = 'coworker' ORDER BY f.id",
                p["owner_id"],
            )
            ctx = reader(view, p["owner_id"])
            free = [m for m in mates if not busy_blocks(ctx, m["id"], low, high)]
            meetings = work_meetings(view, p["owner_id"])
            declined = set().union(*(m["declined"] for m in meetings))
            free_now = [m for m in free if m["id"] not in declined]
            if not busy_blocks(ctx, p["owner_id"], low, high) and 0 < len(free_now) < len(free) < len(mates):
                rows.append((p["owner_id"], when, low, free_now, len(meetings)))
    # as many meetings to read as the world has (world 0: MIN_MEETINGS+ for every variant)
    _, pool = as_deep_as_found(range(MIN_MEETINGS, 0, -1), lambda n: [r[:4] for r in rows if r[4] >= n])
    person, when, low, free = pick(rng, pool, "person with some free coworkers", distinct=True)
    work = view.value("SELECT id FROM calendar_calendars WHERE owner_id = ? AND name = 'Work'", person)
    title = "Design review"
    event = new_event(
        person,
        work,
        title,
        low.isoformat(timespec="seconds"),
        (low + timedelta(hours=1)).isoformat(timespec="seconds"),
        location="Conference room A",
    )
    expectations: list[Expectation] = [Inserted("calendar_events", event, f"'{title}' at {event['start']}")]
    expectations += [
        Inserted(
            "calendar_attendees",
            {
                "event_id": NewRow("calendar_events", {"title": title, "start": event["start"]}),
                "person_id": m["id"],
                "response": "pending",
                "comment": "",
                "responded_at": None,
            },
            f"{m['email']} (free then, declined none of my meetings) is invited",
            what=f"invitations of {m['email']}",
        )
        for m in free
    ]
    expectations.append(
        Answer(
            [f"{m['first_name']} {m['last_name']}" for m in free],
            "the answer lists the coworkers who are free, declined none of my meetings, and are invited",
        )
    )
    d = when.isoformat()
    met_from, met_to = day(-MET_DAYS), day(-1)
    look = (
        "calendars = apis.calendar.show_calendars(access_token=calendar_token, ownership='mine', page_limit=20)\n"
        "work = next(c['calendar_id'] for c in calendars if c['name'] == 'Work')\n"
        + fetch_all(
            "meetings",
            "apis.calendar.show_events(access_token=calendar_token, calendar_id=work, role='organizer', "
            f"date_from={met_from!r}, date_to={met_to!r}",
        )
        + "declined = set()\n"
        "for e in meetings:  # who declined is only in each meeting's attendees\n"
        f"    if e['recurrence'] == 'none' and e['start'] >= {met_from!r}:\n"
        "        said_no = apis.calendar.show_event_attendees(access_token=calendar_token, event_id=e['event_id'], "
        "response='declined', page_limit=20)\n"
        "        declined |= {a['email'] for a in said_no}\n"
        "print(len(meetings), declined)\n"
        + fetch_all("mates", "apis.phone.search_contacts(access_token=phone_token, relationship='coworker'")
        + "free = []\n"
        "for m in mates:\n"
        f"    busy = apis.calendar.show_busy_times(access_token=calendar_token, email=m['email'], date_from={d!r}, "
        f"date_to={d!r}, page_limit=20)\n"
        f"    if not any(b['start'] < '{d}T15:00:00' and b['end'] > '{d}T14:00:00' for b in busy):\n"
        "        free.append(m)\n"
        "print([(m['first_name'], m['email'] in declined) for m in free])\n"
        "free = [m for m in free if m['email'] not in declined]\n"
    )
    act = (
        f"apis.calendar.create_event(access_token=calendar_token, title={title!r}, start='{d}T14:00', "
        f"end='{d}T15:00', calendar_id=work, location='Conference room A', "
        "attendee_emails=[m['email'] for m in free])\n"
    )
    done = "apis.supervisor.complete_task(answer=[m['first_name'] + ' ' + m['last_name'] for m in free])\n"
    oracle = Solution().step(login("calendar", "phone")).step(look).step(act).step(done).steps()
    return TaskSpec(
        person,
        f"Put a '{title}' on my Work calendar on {d} from 14:00 to 15:00 in Conference room A and invite those of "
        "my coworkers (the coworkers in my phone contacts) who are free for that whole hour, but none who declined "
        "any one-off (not repeating) meeting I organized on my Work calendar that started from "
        f"{met_from} to {met_to} (cancelled meetings don't count). Tell me the full names of those invited.",
        oracle,
        expectations,
    )
