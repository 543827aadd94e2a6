"""Calendar scenarios on running a team's meetings: a day off, and chasing answers to the offsite invitation."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from envs.toolworld.apps._calendar_core import busy_blocks
from envs.toolworld.evaluate import Answer, Expectation, Inserted, Updated
from envs.toolworld.scenarios._calendar import DONE, NOW, TODAY, reader, spans
from envs.toolworld.scenarios._common import Solution, fetch_all, login, pick
from envs.toolworld.scenarios.email import sent_email
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

OFF_COMMENT = "I'm off that day."


@scenario("calendar_day_off", apps=("calendar", "phone"))
def day_off(view: WorldView, rng: random.Random) -> TaskSpec:
    """Deep because the day off is the weekday of the next two weeks with the most to undo (invitations, and meetings
    I organize on my Work calendar, one of them repeating): each agenda item is looked up (its organizer is only in
    show_event), each invitation declined, each of my meetings cancelled (a one-off one whole, a series only that
    day: its recurrence decides which call) and each cancelled meeting's guests found in my contacts and texted."""
    standups = view.rows(
        "SELECT e.* FROM calendar_events e WHERE e.title = 'Team standup' AND e.status = 'confirmed' "
        "AND e.recurrence_until IS NULL ORDER BY e.id"
    )
    standup = pick(rng, standups, "team lead with a standup", distinct=True)
    me = standup["organizer_id"]
    answerable = view.rows(
        "SELECT e.* FROM calendar_attendees a JOIN calendar_events e ON e.id = a.event_id "
        "WHERE a.person_id = ? AND a.response != 'declined' AND e.status = 'confirmed' ORDER BY e.id",
        me,
    )
    organized = view.rows(
        "SELECT e.* FROM calendar_events e JOIN calendar_calendars c ON c.id = e.calendar_id WHERE c.owner_id = ? "
        "AND c.name = 'Work' AND e.organizer_id = ? AND e.status = 'confirmed' ORDER BY e.id",
        me,
        me,
    )
    repeating = [e for e in organized if e["recurrence"] != "none"]
    single = [e for e in organized if e["recurrence"] == "none"]

    def on(when: date, events: list[dict]) -> int:
        low = datetime.combine(when, datetime.min.time())
        return sum(1 for e in events if spans(view, e, low, low + timedelta(days=1)))

    def load(when: date) -> tuple[int, int]:
        """(everything to undo on `when`: invitations to decline and meetings of mine to cancel, series of mine)."""
        return on(when, answerable) + on(when, repeating) + on(when, single), on(when, repeating)

    weekdays = [d for d in (TODAY + timedelta(days=n) for n in range(1, 15)) if d.weekday() < 5]
    off = max((d for d in weekdays if load(d)[1]), key=lambda d: (*load(d), -d.toordinal()))  # the fullest day
    low = datetime.combine(off, datetime.min.time())
    high = low + timedelta(days=1)
    series = [e for e in repeating if spans(view, e, low, high)]
    one_offs = [e for e in single if spans(view, e, low, high)]
    invited = [
        i
        for i in view.rows(
            "SELECT e.*, a.id AS attendee_id FROM calendar_attendees a JOIN calendar_events e ON e.id = a.event_id "
            "WHERE a.person_id = ? AND a.response != 'declined' AND e.status = 'confirmed' ORDER BY e.id",
            me,
        )
        if spans(view, i, low, high)
    ]
    guests = sorted(
        {
            a["person_id"]
            for e in series + one_offs
            for a in view.rows("SELECT person_id FROM calendar_attendees WHERE event_id = ?", e["id"])
        }
    )
    text = f"I'm off on {off}, so our meetings that day are cancelled. See you after!"
    expectations: list[Expectation] = [
        Inserted(
            "calendar_exceptions",
            {"event_id": e["id"], "occurrence_date": off.isoformat()},
            f"the occurrence of '{e['title']}' on {off} is cancelled",
            what=f"cancelled occurrences of '{e['title']}'",
        )
        for e in series
    ]
    expectations += [
        Updated(
            "calendar_events", e["id"], {"status": "cancelled"}, f"the one-off '{e['title']}' on {off} is cancelled"
        )
        for e in one_offs
    ]
    expectations += [
        Inserted(
            "phone_messages",
            {"sender_id": me, "receiver_id": g, "message": text, "is_read": 0},
            f"{view.person(g)['email']} is texted once about the day off",
            what="texts",
        )
        for g in guests
    ]
    expectations += [
        Updated(
            "calendar_attendees",
            i["attendee_id"],
            {"response": "declined", "comment": OFF_COMMENT, "responded_at": NOW},
            f"the invitation to '{i['title']}' on {off} is declined",
        )
        for i in invited
    ]
    look = (
        "calendars = apis.calendar.show_calendars(access_token=calendar_token, ownership='mine', page_limit=20)\n"
        "work = next(c['calendar_id'] for c in calendars if c['name'] == 'Work')\n"
        + fetch_all(
            "items",
            f"apis.calendar.show_agenda(access_token=calendar_token, date_from={off.isoformat()!r}, "
            f"date_to={off.isoformat()!r}",
        )
        + "print([(i['event_id'], i['title'], i['start'], i['calendar_id'], i['my_response']) for i in items])\n"
    )
    sort = """
mine, invitations = [], []
for i in items:
    event = apis.calendar.show_event(access_token=calendar_token, event_id=i['event_id'])
    if event['organizer']['email'] == me['email']:
        if event['calendar_id'] == work:
            mine.append(event)
    elif i['my_response'] in ('pending', 'accepted', 'tentative'):
        invitations.append(event)
print([e['title'] for e in mine], [e['title'] for e in invitations])
"""
    act = (
        "people = []\n"
        "for e in mine:\n"
        "    if e['recurrence'] == 'none':\n"
        "        apis.calendar.cancel_event(access_token=calendar_token, event_id=e['event_id'])\n"
        "    else:\n"
        "        apis.calendar.cancel_occurrence(access_token=calendar_token, event_id=e['event_id'], "
        f"date={off.isoformat()!r})\n"
        "    for a in apis.calendar.show_event_attendees(access_token=calendar_token, event_id=e['event_id'], "
        "page_limit=20):\n"
        "        if a['email'] not in people:\n"
        "            people.append(a['email'])\n"
        "for e in invitations:\n"
        "    apis.calendar.respond_to_invitation(access_token=calendar_token, event_id=e['event_id'], "
        f"response='declined', comment={OFF_COMMENT!r})\n"
        "for email in people:\n"
        "    found = apis.phone.search_contacts(access_token=phone_token, query=email, page_limit=20)\n"
        "    number = next(c['phone_number'] for c in found if c['email'] == email)\n"
        f"    apis.phone.send_text_message(access_token=phone_token, phone_number=number, message={text!r})\n"
    )
    check = (
        fetch_all(
            "after",
            f"apis.calendar.show_agenda(access_token=calendar_token, date_from={off.isoformat()!r}, "
            f"date_to={off.isoformat()!r}",
        )
        + "print([(i['title'], i['start']) for i in after])\n"
    )
    oracle = Solution().step(login("calendar", "phone")).step(look).step(sort).step(act).step(check).step(DONE)
    return TaskSpec(
        me,
        f"I'm taking {off} off. Cancel every meeting I organize on my Work calendar that day (a repeating one "
        "only for that day, a one-off one altogether), decline every invitation I haven't declined yet for that day "
        f"with the comment '{OFF_COMMENT}' (an invitation to someone else's repeating meeting too: the app answers it "
        "as a whole, which is fine), and text each person invited to the meetings I cancelled (once each, at the "
        f'number in my phone contacts): "{text}"',
        oracle.steps(),
        expectations,
    )


BUSY_SUBJECT = "Team offsite on {day}: can you free those days?"
BUSY_BODY = (
    "You haven't answered the offsite invitation yet, and your calendar shows you busy during the offsite. Can you "
    "move that? Please accept or decline by Friday so I can book the rooms."
)


@scenario("calendar_offsite_chase_answers", apps=("calendar", "email"))
def offsite_chase_answers(view: WorldView, rng: random.Random) -> TaskSpec:
    """Deep because the unanswered invitees get one of two emails by their own calendars: each one's busy time over
    the offsite's days is looked up (only free-busy shows it; invitations they have not answered don't make them
    busy), and every offsite picked has both someone busy and someone free among them."""
    offsites = view.rows(
        "SELECT e.* FROM calendar_events e WHERE e.title = 'Team offsite' AND e.status = 'confirmed' AND e.start > ? "
        "AND EXISTS (SELECT 1 FROM calendar_events o WHERE o.organizer_id = e.organizer_id "
        "AND o.title LIKE 'Team offsite 2%') ORDER BY e.id",
        NOW,
    )

    def pending_of(offsite: dict) -> list[dict]:
        return view.rows(
            "SELECT a.*, p.email FROM calendar_attendees a JOIN people p ON p.id = a.person_id WHERE a.event_id = ? "
            "AND a.response = 'pending' ORDER BY a.id",
            offsite["id"],
        )

    def busy(offsite: dict, person: int) -> bool:
        low, high = datetime.fromisoformat(offsite["start"]), datetime.fromisoformat(offsite["end"])
        return bool(busy_blocks(reader(view, offsite["organizer_id"]), person, low, high))

    def split(offsite: dict) -> tuple[list[int], list[int]]:
        """(the unanswered who are busy during the offsite, the unanswered who are free)."""
        pending = [a["person_id"] for a in pending_of(offsite)]
        return [p for p in pending if busy(offsite, p)], [p for p in pending if not busy(offsite, p)]

    usable = [o for o in offsites if all(split(o))]  # both emails go out: a guess for everyone fails
    offsite = pick(rng, usable, "upcoming offsite with unanswered invitees both busy and free then", distinct=True)
    me = offsite["organizer_id"]
    attendees = view.rows("SELECT * FROM calendar_attendees WHERE event_id = ? ORDER BY id", offsite["id"])
    busy_ones, free_ones = split(offsite)
    coming = [a for a in attendees if a["response"] in ("accepted", "tentative")]
    first_day = offsite["start"][:10]
    last_day = (datetime.fromisoformat(offsite["end"]) - timedelta(days=1)).date().isoformat()
    subject = f"Team offsite on {first_day}: please answer"
    body = "Please accept or decline the offsite invitation by Friday so I can book the rooms."
    expectations = sent_email(
        view, me, free_ones, body, "the unanswered invitees free then are emailed", subject=subject
    )
    expectations += sent_email(
        view,
        me,
        busy_ones,
        BUSY_BODY,
        "the unanswered invitees busy then are asked to move it",
        subject=BUSY_SUBJECT.format(day=first_day),
    )
    expectations.append(
        Answer(
            len(coming),
            "the answer is how many have accepted or tentatively accepted",
            traps={
                str(len(attendees)): "everyone invited was counted",
                str(len(busy_ones) + len(free_ones)): "the unanswered were counted",
            },
        )
    )
    look = fetch_all(
        "found",
        "apis.calendar.show_events(access_token=calendar_token, query='Team offsite', role='organizer', "
        f"date_from={TODAY.isoformat()!r}",
    ) + (
        "offsite = next(e for e in found if e['title'] == 'Team offsite')\n"
        "print([(e['title'], e['start'], e['end']) for e in found])\n"
        + fetch_all(
            "attendees",
            "apis.calendar.show_event_attendees(access_token=calendar_token, event_id=offsite['event_id']",
        )
        + "pending = [a['email'] for a in attendees if a['response'] == 'pending']\n"
        "coming = [a['email'] for a in attendees if a['response'] in ('accepted', 'tentative')]\n"
        "print(pending, coming)\n"
    )
    check_busy = (
        "from datetime import date, timedelta\n"
        "first_day = offsite['start'][:10]\n"
        "last_day = (date.fromisoformat(offsite['end'][:10]) - timedelta(days=1)).isoformat()  # ends at midnight\n"
        "busy, free = [], []\n"
        "for email in pending:\n"
        "    blocks = apis.calendar.show_busy_times(access_token=calendar_token, email=email, date_from=first_day, "
        "date_to=last_day)\n"
        "    print(email, blocks)\n"
        "    (busy if blocks else free).append(email)\n"
    )
    act = (
        "apis.email.send_email(access_token=email_token, recipients=free, "
        f"subject='Team offsite on ' + first_day + ': please answer', body={body!r})\n"
        "apis.email.send_email(access_token=email_token, recipients=busy, "
        f"subject={BUSY_SUBJECT!r}.format(day=first_day), body={BUSY_BODY!r})\n"
    )
    check = (
        fetch_all("sent", "apis.email.show_threads(access_token=email_token, folder='sent', query='Team offsite'")
        + "print([t['subject'] for t in sent])\n"
    )
    done = "apis.supervisor.complete_task(answer=len(coming))\n"
    oracle = (
        Solution().step(login("calendar", "email")).step(look).step(check_busy).step(act).step(check).step(done).steps()
    )
    return TaskSpec(
        me,
        "For this year's upcoming 'Team offsite' I organize (not last year's), chase everyone invited who hasn't "
        f"answered yet, by what their own calendars show over the offsite's days ({first_day} to {last_day}). "
        "Send one email to those whose calendars show them free for all of it, with the subject 'Team offsite on "
        f"<YYYY-MM-DD>: please answer' (its first day) and the text '{body}' Send another to those whose "
        "calendars show them busy at some point during it, with the subject "
        f"'{BUSY_SUBJECT.format(day='<YYYY-MM-DD>')}' and the text '{BUSY_BODY}' Then tell me how many have "
        "accepted or tentatively accepted so far.",
        oracle,
        expectations,
    )
