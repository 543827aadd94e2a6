"""calendar's generated data: about two years of work meetings, personal plans and family events per person.

Distractors: the same title at different times (dentist visits every half year,
"Team offsite" and "Team offsite 2025"), dinners with friends who share a first
name, weekly 1:1s that ended and the ones that replaced them, a hidden "Old work"
calendar, cancelled events and cancelled single occurrences, and invitations in
every state (pending mostly in the future, declined with a comment).

Density: a working person's calendar is fullest around now. Besides meetings spread
thinly over the two years (the record that is kept), each person with coworkers
organizes RECENT one-off meetings in the weeks around today (from three weeks back
to six weeks ahead), so a work week holds several meetings of one's own and of the
team, with real double bookings. A meeting invites 2-8 people of the team (never
more than the organizer's coworkers), a standup 3-8, an offsite the whole team
(up to 8): real guest lists, not the 1-3 a single coworker per meeting gave.
Evenings out with friends (3-6 from four months back to six weeks ahead) come
more often lately than before (the older record keeps 20-35 meetings and 5-15
evenings over two years). A household's
shared calendar (cleanings, house meetings, family dinners) is in use mostly in the
two months before now and the weeks ahead: 5-10 events there, 10-20 spread thinly
over the two years, where 15-30 spread evenly left most homes without a cleaning
in the last two months. Rows grow by
about a fifth, nearly all of it attendees: longer guest lists are the point. A
denser recent window (18-26 meetings) was tried and dropped: it broke templates
whose pools assume a handful of upcoming meetings per person.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from envs.toolworld.apps._calendar_core import app, stamp
from envs.toolworld.world.build import WorldBuilder

PAST_DAYS, FUTURE_DAYS = 700, 75
RECENT_FROM, RECENT_TO = -21, 42  # days from today: the busy weeks of one-off meetings around now
HISTORY_MEETINGS, RECENT_MEETINGS = (20, 35), (10, 16)  # one-off work meetings a person organizes
EVENINGS_FROM, HISTORY_EVENINGS, RECENT_EVENINGS = -120, (5, 15), (3, 6)  # evenings out with a friend, since when
HOUSE_FROM, HISTORY_HOUSE, RECENT_HOUSE = -60, (10, 20), (5, 10)  # a household's shared events, and since when
MEETINGS = (
    "Project sync",
    "Quarterly planning",
    "Budget review",
    "Design review",
    "Client call",
    "Interview",
    "Lunch & learn",
    "Sprint retrospective",
    "Roadmap review",
    "Hiring committee",
)
ROOMS = ("Conference room A", "Conference room B", "Conference room C", "Zoom", "Main office, 3rd floor")
ERRANDS = (
    ("Dentist appointment", "Bright Smile Dental", 60),
    ("Haircut", "Clip & Co", 45),
    ("Doctor checkup", "Cedar Health Clinic", 30),
    ("Car service", "Quick Lube Garage", 120),
    ("Yoga class", "Lotus Studio", 60),
    ("Concert", "City Arena", 180),
    ("Movie night", "Grand Cinema", 150),
)
SOCIAL = (
    ("Dinner with {name}", "Cafe Luna", 120),
    ("Coffee with {name}", "Bean There", 45),
    ("Drinks with {name}", "The Anchor", 120),
)
FAMILY_EVENTS = (
    ("Family dinner", 120),
    ("Sunday lunch", 120),
    ("Parent-teacher meeting", 45),
    ("Grandma's visit", 180),
    ("Movie afternoon", 150),
)
HOME_EVENTS = (("Flat cleaning", 90), ("House meeting", 45), ("Bins out", 15))
# hobby calendar -> (its repeating event, where, how often, minutes, hour)
HOBBIES = {
    "Gym": ("Gym", "FitHub", "weekly", 60, 18),
    "Book club": ("Book club meeting", "Corner Books", "monthly", 90, 19),
    "Kids' activities": ("Soccer practice", "Riverside Park", "weekly", 60, 17),
    "Volunteering": ("Food bank shift", "Community Food Bank", "monthly", 180, 10),
}
NOTES = (
    "Agenda: status, blockers, next steps.",
    "Bring the slides from last time.",
    "I'll bring dessert.",
    "Link: https://meet.example/toolworld",
    "Parking is behind the building.",
    "Moved from last week.",
)
DECLINES = ("Sorry, can't make it.", "I'm travelling that week.", "")
COLORS = ("blue", "green", "red", "purple", "orange", "yellow")


@dataclass
class Event:
    """One event to insert, with what hangs off it."""

    calendar: int  # index into Calendars.rows
    organizer: int
    title: str
    start: datetime
    minutes: int
    location: str = ""
    description: str = ""
    all_day: bool = False
    recurrence: str = "none"
    until: date | None = None
    busy: bool = True
    attendees: list[int] = field(default_factory=list)
    skipped: list[date] = field(default_factory=list)


class Calendars:
    """Calendar rows built for the batch insert; events refer to a calendar by its index here until it has an id."""

    def __init__(self, w: WorldBuilder):
        self.rows: list[dict[str, Any]] = []
        self.created = stamp(w.now - timedelta(days=PAST_DAYS + 30))

    def add(self, owner: int, name: str, kind: str, color: str, primary: bool = False, visible: bool = True) -> int:
        self.rows.append(
            {
                "owner_id": owner,
                "name": name,
                "kind": kind,
                "color": color,
                "description": "",
                "is_visible": int(visible),
                "is_primary": int(primary),
                "created_at": self.created,
            }
        )
        return len(self.rows) - 1


def _moment(rng: random.Random, day: date, earliest: int, latest: int) -> datetime:
    """A start on `day` between the hours `earliest` and `latest`, on the quarter hour."""
    return datetime.combine(day, time(rng.randint(earliest, latest - 1), rng.choice((0, 15, 30, 45))))


def _workday(day: date) -> date:
    return day - timedelta(days=max(0, day.weekday() - 4))  # weekends move back to Friday


def _weekday(rng: random.Random, low: date, high: date) -> date:
    return _workday(low + timedelta(days=rng.randint(0, (high - low).days)))


def _team(rng: random.Random, coworkers: list[int], fewest: int) -> list[int]:
    """Guests of a work meeting: `fewest` to 8 of the organizer's coworkers (all of them when there are fewer)."""
    most = min(len(coworkers), 8)
    return rng.sample(coworkers, rng.randint(min(fewest, most), most))


def _meeting(rng: random.Random, work: int, me: int, day: date, coworkers: list[int]) -> Event:
    """A one-off work meeting on `day` with 2-8 of the team."""
    start = _moment(rng, day, 9, 17)
    minutes = rng.choice((30, 60, 60, 90))
    return Event(work, me, rng.choice(MEETINGS), start, minutes, rng.choice(ROOMS), attendees=_team(rng, coworkers, 2))


def plan_events(w: WorldBuilder, rng: random.Random, cals: Calendars) -> tuple[list[Event], list[dict[str, Any]]]:
    """Every person's calendars and events; returns the events and the calendar shares."""
    today = w.now.date()
    first_day, last_day = today - timedelta(days=PAST_DAYS), today + timedelta(days=FUTURE_DAYS)
    by_id = {p.id: p for p in w.people}
    events: list[Event] = []
    shares: list[dict[str, Any]] = []
    households: set[tuple[int, ...]] = set()
    for person in w.people:
        me = person.id
        personal = cals.add(me, "Personal", "personal", "blue", primary=True)
        work = cals.add(me, "Work", "work", "green")
        coworkers, friends = w.related(me, ("coworker",)), w.related(me, ("friend",))
        recent = (today + timedelta(days=RECENT_FROM), today + timedelta(days=RECENT_TO))
        if rng.random() < 0.5:
            name = rng.choice(sorted(HOBBIES))
            title, place, recurrence, minutes, hour = HOBBIES[name]
            begin = datetime.combine(today - timedelta(days=rng.randint(100, 500)), time(hour, 30))
            hobby = cals.add(me, name, "other", rng.choice(COLORS))
            events.append(Event(hobby, me, title, begin, minutes, place, recurrence=recurrence))
        elif rng.random() < 0.5:
            begin = datetime.combine(today - timedelta(days=rng.randint(100, 500)), time(18, 30))
            events.append(Event(personal, me, "Gym", begin, 60, "FitHub", recurrence="weekly"))
        if rng.random() < 0.15:
            old = cals.add(me, "Old work", "work", "gray", visible=False)
            for _ in range(rng.randint(6, 12)):
                day = _weekday(rng, first_day, first_day + timedelta(days=120))
                events.append(Event(old, me, rng.choice(MEETINGS), _moment(rng, day, 9, 17), 60, rng.choice(ROOMS)))
        if coworkers:
            monday = today - timedelta(days=today.weekday() + 7 * rng.randint(30, 90))
            if rng.random() < 0.4:  # a team lead's weekly standup, with some weeks skipped
                team = _team(rng, coworkers, 3)
                standup = datetime.combine(monday + timedelta(days=rng.randint(0, 4)), time(rng.randint(9, 10), 30))
                events.append(Event(work, me, "Team standup", standup, 15, "Zoom", recurrence="weekly", attendees=team))
                events[-1].skipped = [
                    standup.date() + timedelta(weeks=rng.randint(1, 25)) for _ in range(rng.randint(0, 3))
                ]
            partner = by_id[rng.choice(coworkers)]
            ended = datetime.combine(monday + timedelta(days=3), time(14, 0))
            switch = today - timedelta(days=rng.randint(40, 150))
            title = f"1:1 with {partner.first_name}"
            events.append(
                Event(work, me, title, ended, 30, "Zoom", recurrence="weekly", until=switch, attendees=[partner.id])
            )
            restart = datetime.combine(_workday(switch + timedelta(days=5)), time(11, 0))
            events.append(Event(work, me, title, restart, 30, ROOMS[0], recurrence="weekly", attendees=[partner.id]))
            for _ in range(rng.randint(*HISTORY_MEETINGS)):
                events.append(_meeting(rng, work, me, _weekday(rng, first_day, last_day), coworkers))
            for _ in range(rng.randint(*RECENT_MEETINGS)):
                events.append(_meeting(rng, work, me, _weekday(rng, *recent), coworkers))
            if rng.random() < 0.5:
                for year in (today.year - 1, today.year):
                    day = date(year, rng.randint(3, 10), rng.randint(1, 28))
                    title = "Team offsite" if year == today.year else f"Team offsite {year}"
                    events.append(
                        Event(
                            work,
                            me,
                            title,
                            datetime.combine(day, time()),
                            2 * 1440,
                            "Lakeside Lodge",
                            all_day=True,
                            attendees=coworkers[:8],
                        )
                    )
        for _ in range(rng.randint(15, 30)):
            title, place, minutes = rng.choice(ERRANDS)
            day = first_day + timedelta(days=rng.randint(0, PAST_DAYS + FUTURE_DAYS))
            events.append(Event(personal, me, title, _moment(rng, day, 8, 19), minutes, place))
        lately = (today + timedelta(days=EVENINGS_FROM), recent[1])
        for count, (low, high) in ((HISTORY_EVENINGS, (first_day, last_day)), (RECENT_EVENINGS, lately)):
            for _ in range(rng.randint(*count) if friends else 0):
                friend = by_id[rng.choice(friends)]
                title, place, minutes = rng.choice(SOCIAL)
                day = low + timedelta(days=rng.randint(0, (high - low).days))
                start = _moment(rng, day, 17, 21)
                events.append(
                    Event(
                        personal, me, title.format(name=friend.first_name), start, minutes, place, attendees=[friend.id]
                    )
                )
        rent_day = datetime.combine(first_day.replace(day=1), time())
        events.append(Event(personal, me, "Rent due", rent_day, 1440, all_day=True, recurrence="monthly", busy=False))
        if rng.random() < 0.4:
            start = datetime.combine(first_day + timedelta(days=rng.randint(0, 200)), time(17, 0))
            events.append(
                Event(
                    personal,
                    me,
                    "Piano lesson",
                    start,
                    45,
                    "Music school",
                    recurrence="weekly",
                    until=start.date() + timedelta(weeks=rng.randint(10, 40)),
                )
            )
        if rng.random() < 0.25 and friends:
            shares.append({"calendar_id": personal, "person_id": rng.choice(friends), "permission": "view"})
        for kind, name, choices in (("family", "Family", FAMILY_EVENTS), ("roommate", "Home", HOME_EVENTS)):
            house = tuple(sorted({me, *w.related(me, (kind,))}))
            if len(house) < 2 or house in households:
                continue
            households.add(house)
            shared = cals.add(
                me, f"{person.last_name} {name.lower()}" if kind == "family" else name, "family", "purple"
            )
            shares += [{"calendar_id": shared, "person_id": o, "permission": "edit"} for o in house if o != me]
            lately = (today + timedelta(days=HOUSE_FROM), recent[1])
            for count, (low, high) in ((HISTORY_HOUSE, (first_day, last_day)), (RECENT_HOUSE, lately)):
                for _ in range(rng.randint(*count)):
                    title, minutes = rng.choice(choices)
                    day = low + timedelta(days=rng.randint(0, (high - low).days))
                    host = rng.choice(house)
                    guests = [o for o in house if o != host]
                    events.append(Event(shared, host, title, _moment(rng, day, 10, 20), minutes, attendees=guests))
    return events, shares


def _response(rng: random.Random, future: bool) -> str:
    roll = rng.random()
    if future:
        return "pending" if roll < 0.45 else "accepted" if roll < 0.8 else "declined" if roll < 0.9 else "tentative"
    return "accepted" if roll < 0.8 else "declined" if roll < 0.9 else "tentative" if roll < 0.95 else "pending"


@app.populator
def populate(w: WorldBuilder) -> None:
    rng = w.rng("calendar")
    cals = Calendars(w)
    events, shares = plan_events(w, rng, cals)
    calendar_ids = w.insert("calendar_calendars", cals.rows)
    created = stamp(w.now - timedelta(days=PAST_DAYS))
    w.insert(
        "calendar_shares",
        [{**s, "calendar_id": calendar_ids[s["calendar_id"]], "created_at": created} for s in shares],
    )
    ids = w.insert(
        "calendar_events",
        [
            {
                "calendar_id": calendar_ids[e.calendar],
                "organizer_id": e.organizer,
                "title": e.title,
                "description": "" if rng.random() < 0.8 else rng.choice(NOTES),
                "location": e.location,
                "start": stamp(e.start),
                "end": stamp(e.start + timedelta(minutes=e.minutes)),
                "all_day": int(e.all_day),
                "recurrence": e.recurrence,
                "recurrence_until": None if e.until is None else e.until.isoformat(),
                "status": "cancelled" if e.recurrence == "none" and rng.random() < 0.04 else "confirmed",
                "busy": int(e.busy),
                "created_at": stamp(min(w.now, e.start) - timedelta(days=rng.randint(1, 30))),
            }
            for e in events
        ],
    )
    attendees, reminders, notes, skipped = [], [], [], []
    for event_id, e in zip(ids, events, strict=True):
        future = e.start > w.now
        for guest in dict.fromkeys(e.attendees):
            if guest == e.organizer:
                continue
            answer = _response(rng, future)
            answered = None if answer == "pending" else stamp(min(w.now, e.start) - timedelta(hours=rng.randint(2, 90)))
            comment = rng.choice(DECLINES) if answer == "declined" else ""
            attendees.append(
                {
                    "event_id": event_id,
                    "person_id": guest,
                    "response": answer,
                    "comment": comment,
                    "responded_at": answered,
                }
            )
            if answer == "accepted" and rng.random() < 0.3:
                reminders.append({"event_id": event_id, "person_id": guest, "minutes_before": 15, "method": "popup"})
        if rng.random() < 0.4:
            minutes, method = rng.choice(((10, "popup"), (30, "popup"), (60, "email"), (1440, "email")))
            reminders.append(
                {"event_id": event_id, "person_id": e.organizer, "minutes_before": minutes, "method": method}
            )
        if rng.random() < 0.1:
            author = rng.choice([e.organizer, *e.attendees])
            at = stamp(min(w.now, e.start) - timedelta(hours=rng.randint(1, 72)))
            notes.append({"event_id": event_id, "author_id": author, "text": rng.choice(NOTES), "created_at": at})
        skipped += [{"event_id": event_id, "occurrence_date": d.isoformat()} for d in sorted(set(e.skipped))]
    w.insert("calendar_attendees", attendees)
    w.insert("calendar_reminders", reminders)
    w.insert("calendar_notes", notes)
    w.insert("calendar_exceptions", skipped)
    w.insert(
        "calendar_settings",
        [
            {
                "person_id": p.id,
                "week_start": rng.choice(("monday", "monday", "sunday")),
                "default_duration_minutes": rng.choice((30, 60, 60)),
                "default_reminder_minutes": rng.choice((10, 15, 30)),
                "work_day_start": rng.choice(("08:00", "08:30", "09:00", "09:00")),
                "work_day_end": rng.choice(("16:30", "17:00", "17:00", "18:00")),
                "show_declined": int(rng.random() < 0.2),
            }
            for p in w.people
        ],
    )
