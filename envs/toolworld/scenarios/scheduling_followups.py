"""Scheduling without the calendar: calling people back, moving alarms to a new routine, nudging payers on a
schedule, and a monthly call log. Only apps of the train splits (phone, payments, file_system)."""

from __future__ import annotations

import random
from collections import defaultdict

from envs.toolworld.apps._payments_base import setting
from envs.toolworld.apps._phone_calls import show_call_history
from envs.toolworld.apps.phone import blocked_by, person_with_number
from envs.toolworld.evaluate import Answer, Expectation, HasLines, Inserted, Updated
from envs.toolworld.scenarios._calendar import NOW, day, reader
from envs.toolworld.scenarios._common import Solution, fetch_all, login, pick
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
MISSED_DAYS = 30


def _callback(first_name: str, when: str) -> str:
    return f"Hi {first_name}, sorry I missed your call on {when}. When suits you to talk?"


@scenario("scheduling_missed_call_texts", apps=("phone",))
def missed_call_texts(view: WorldView, rng: random.Random) -> TaskSpec:
    pool = []
    for person in view.people_ids():
        ctx = reader(view, person)
        missed = show_call_history(ctx, direction="missed", started_after=day(-MISSED_DAYS))
        known: dict[str, dict] = {}
        for call in missed:  # newest first: the first call of a number is its latest
            if call["contact_name"] is not None:
                known.setdefault(call["phone_number"], call)
        unknown = sum(1 for c in missed if c["contact_name"] is None)
        receivers = {n: person_with_number(ctx, n) for n in known}
        if len(known) >= 2 and all(r is not None and not blocked_by(ctx, r) for r in receivers.values()):
            pool.append((person, known, receivers, unknown))
    person, known, receivers, unknown = pick(rng, pool, "person with missed calls from contacts", distinct=True)
    expectations: list[Expectation] = []
    for number, call in known.items():
        first = view.value(
            "SELECT first_name FROM phone_contacts WHERE owner_id = ? AND phone_number = ?", person, number
        )
        expectations.append(
            Inserted(
                "phone_messages",
                {
                    "sender_id": person,
                    "receiver_id": receivers[number],
                    "message": _callback(first, call["started_at"][:10]),
                    "is_read": 0,
                },
                f"{call['contact_name']} gets one text about the call of {call['started_at'][:10]}",
                what=f"texts to {call['contact_name']}",
            )
        )
    expectations.append(
        Answer(unknown, "the answer is how many missed calls came from unknown numbers", traps={"0": "none counted"})
    )
    look = fetch_all(
        "missed",
        "apis.phone.show_call_history(access_token=phone_token, direction='missed', "
        f"started_after={day(-MISSED_DAYS)!r}",
    ) + (
        "latest = {}\n"
        "for c in missed:\n"
        "    if c['contact_name'] is not None and c['phone_number'] not in latest:\n"
        "        latest[c['phone_number']] = c\n"
        "unknown = len([c for c in missed if c['contact_name'] is None])\n"
        "print(len(missed), list(latest), unknown)\n"
    )
    names = """
firsts = {}
for number in latest:
    found = apis.phone.search_contacts(access_token=phone_token, query=number, page_limit=20)
    firsts[number] = next(c['first_name'] for c in found if c['phone_number'] == number)
print(firsts)
"""
    act = (
        "for number, call in latest.items():\n"
        "    apis.phone.send_text_message(access_token=phone_token, phone_number=number, message='Hi ' + "
        "firsts[number] + ', sorry I missed your call on ' + call['started_at'][:10] + '. When suits you to talk?')\n"
    )
    done = "apis.supervisor.complete_task(answer=unknown)\n"
    oracle = Solution().step(login("phone")).step(look).step(names).step(act).step(done).steps()
    return TaskSpec(
        person,
        f"Go through my missed calls of the last {MISSED_DAYS} days (since {day(-MISSED_DAYS)}). Text each contact "
        "who called once (even if they called several times), about their latest missed call: 'Hi <first name>, "
        "sorry I missed your call on <YYYY-MM-DD>. When suits you to talk?' Don't text numbers that aren't in my "
        "contacts; just tell me how many missed calls came from such unknown numbers.",
        oracle,
        expectations,
    )


def _later(time: str, minutes: int) -> str:
    total = int(time[:2]) * 60 + int(time[3:]) + minutes
    return f"{total // 60:02d}:{total % 60:02d}"


@scenario("scheduling_alarms_later", apps=("phone",))
def alarms_later(view: WorldView, rng: random.Random) -> TaskSpec:
    shift, cutoff = rng.choice(((30, "07:30"), (45, "07:00"), (60, "07:15")))
    pool = []
    for person in view.people_ids():
        alarms = view.rows("SELECT * FROM phone_alarms WHERE owner_id = ? ORDER BY time, id", person)
        moving = [
            a
            for a in alarms
            if a["enabled"] and a["time"] < cutoff and set(a["repeat_days"].split(",")) & set(WEEKDAYS)
        ]
        others = [a for a in alarms if a not in moving and a["time"] < cutoff]
        if moving and others:
            pool.append((person, alarms, moving))
    person, alarms, moving = pick(rng, pool, "person with early weekday alarms", distinct=True)
    expectations: list[Expectation] = [
        Updated(
            "phone_alarms",
            a["id"],
            {"time": _later(a["time"], shift)},
            f"the {a['time']} alarm '{a['label']}' now rings at {_later(a['time'], shift)}",
        )
        for a in moving
    ]
    after = sorted(
        _later(a["time"], shift) if a in moving else a["time"]
        for a in alarms
        if a["enabled"] and set(a["repeat_days"].split(",")) & set(WEEKDAYS)
    )
    expectations.append(
        Answer(
            after[0],
            "the answer is my earliest enabled weekday alarm after the change",
            traps={moving[0]["time"]: "old"},
        )
    )
    look = fetch_all("alarms", "apis.phone.show_alarms(access_token=phone_token") + (
        "print([(a['alarm_id'], a['time'], a['label'], a['enabled'], a['repeat_days']) for a in alarms])\n"
        f"weekdays = {list(WEEKDAYS)!r}\n"
        f"moving = [a for a in alarms if a['enabled'] and a['time'] < {cutoff!r} and "
        "any(d in weekdays for d in a['repeat_days'])]\n"
    )
    act = (
        "new_times = {}\n"
        "for a in moving:\n"
        f"    total = int(a['time'][:2]) * 60 + int(a['time'][3:]) + {shift}\n"
        "    new_times[a['alarm_id']] = f'{total // 60:02d}:{total % 60:02d}'\n"
        "    apis.phone.update_alarm(access_token=phone_token, alarm_id=a['alarm_id'], time=new_times[a['alarm_id']])\n"
        + fetch_all("now_on", "apis.phone.show_alarms(access_token=phone_token, enabled=True")
        + "print([(a['time'], a['label']) for a in now_on])\n"
    )
    done = (
        "apis.supervisor.complete_task(answer=min(a['time'] for a in now_on if any(d in weekdays for d in "
        "a['repeat_days'])))\n"
    )
    oracle = Solution().step(login("phone")).step(look).step(act).step(done).steps()
    return TaskSpec(
        person,
        f"My work now starts later: move every alarm of mine that is on, rings on at least one weekday (Monday to "
        f"Friday) and is set before {cutoff}, {shift} minutes later. Leave the others alone. Then tell me the time "
        "(HH:MM) of my earliest alarm that is on and rings on a weekday.",
        oracle,
        expectations,
    )


STALE_DAYS, MOST_REMINDERS = 14, 2


@scenario("scheduling_nudge_old_requests", apps=("payments",))
def nudge_old_requests(view: WorldView, rng: random.Random) -> TaskSpec:
    pool = []
    for person in view.people_ids():
        pending = view.rows(
            "SELECT * FROM payments_requests WHERE requester_id = ? AND status = 'pending' ORDER BY id", person
        )
        due = [r for r in pending if r["created_at"] < day(-STALE_DAYS) and r["reminders"] < MOST_REMINDERS]
        reminded_today = any((r["last_reminded_at"] or "")[:10] == day(0) for r in due)
        if len(due) >= 2 and len(pending) > len(due) and not reminded_today:
            pool.append((person, pending, due))
    person, pending, due = pick(rng, pool, "person with old pending requests", distinct=True)
    ctx = reader(view, person)
    first_name = view.person(person)["first_name"]
    expectations: list[Expectation] = []
    for r in due:
        expectations.append(
            Updated(
                "payments_requests",
                r["id"],
                {"reminders": r["reminders"] + 1, "last_reminded_at": NOW},
                f"the ${r['amount']:.2f} request '{r['note']}' is reminded",
            )
        )
        if setting(ctx, r["payer_id"], "notify_requests"):
            expectations.append(
                Inserted(
                    "payments_notifications",
                    {
                        "person_id": r["payer_id"],
                        "kind": "reminder",
                        "message": f"{first_name} reminds you of their request for ${r['amount']:.2f} ({r['note']})",
                        "transaction_id": None,
                        "request_id": r["id"],
                        "is_read": 0,
                        "created_at": NOW,
                    },
                    f"the payer of '{r['note']}' is notified",
                    what="notifications",
                )
            )
    total = round(sum(r["amount"] for r in pending), 2)
    expectations.append(
        Answer(
            total,
            "the answer is the total still owed on all my pending requests",
            traps={f"{round(sum(r['amount'] for r in due), 2):g}": "only the reminded requests were summed"},
        )
    )
    look = fetch_all(
        "pending", "apis.payments.show_requests(access_token=payments_token, direction='sent', status='pending'"
    ) + (
        "print([(r['request_id'], r['amount'], r['created_at'], r['reminders']) for r in pending])\n"
        f"due = [r for r in pending if r['created_at'] < {day(-STALE_DAYS)!r} and r['reminders'] < {MOST_REMINDERS}]\n"
    )
    act = (
        "for r in due:\n"
        "    print(apis.payments.remind_request(access_token=payments_token, request_id=r['request_id']))\n"
        "for r in due[:3]:\n"
        "    print(apis.payments.show_request(access_token=payments_token, request_id=r['request_id']))\n"
    )
    done = "apis.supervisor.complete_task(answer=round(sum(r['amount'] for r in pending), 2))\n"
    oracle = Solution().step(login("payments")).step(look).step(act).step(done).steps()
    return TaskSpec(
        person,
        f"Nudge the people who owe me: remind the payer of every pending request I sent before {day(-STALE_DAYS)} "
        f"that I have reminded fewer than {MOST_REMINDERS} times so far. Don't touch the others. Then tell me how "
        "much all my pending requests add up to, reminded or not.",
        oracle,
        expectations,
    )


@scenario("scheduling_call_log_report", apps=("phone", "file_system"))
def call_log_report(view: WorldView, rng: random.Random) -> TaskSpec:
    year, month = rng.choice(((2026, 3), (2026, 4), (2026, 2)))
    first = f"{year}-{month:02d}-01"
    nxt = f"{year + month // 12}-{month % 12 + 1:02d}-01"
    person = pick(rng, view.people_ids(), "person", distinct=True)
    calls = [
        c
        for c in show_call_history(reader(view, person), started_after=first, started_before=nxt)
        if c["direction"] != "missed" and c["contact_name"] is not None
    ]
    per: dict[str, list[int]] = defaultdict(list)
    for c in calls:
        per[c["contact_name"]].append(c["duration_seconds"])
    lines = [f"{name}: {len(d)} calls, {round(sum(d) / 60)} minutes" for name, d in sorted(per.items())]
    total = round(sum(sum(d) for d in per.values()) / 60)
    path = f"/documents/calls_{year}_{month:02d}.txt"
    look = fetch_all(
        "calls",
        f"apis.phone.show_call_history(access_token=phone_token, started_after={first!r}, started_before={nxt!r}",
    ) + (
        "per = {}\n"
        "for c in calls:\n"
        "    if c['direction'] != 'missed' and c['contact_name'] is not None:\n"
        "        per.setdefault(c['contact_name'], []).append(c['duration_seconds'])\n"
        "print(per)\n"
    )
    act = (
        "lines = [name + ': ' + str(len(d)) + ' calls, ' + str(round(sum(d) / 60)) + ' minutes' "
        "for name, d in sorted(per.items())]\n"
        f"apis.file_system.create_file(access_token=file_system_token, path={path!r}, content='\\n'.join(lines))\n"
        f"print(apis.file_system.show_file(access_token=file_system_token, path={path!r}))\n"
    )
    done = "apis.supervisor.complete_task(answer=round(sum(sum(d) for d in per.values()) / 60))\n"
    oracle = Solution().step(login("phone", "file_system")).step(look).step(act).step(done).steps()
    return TaskSpec(
        person,
        f"Make a call report for {first[:7]}: a file {path} with one line per contact I actually talked to that "
        "month (incoming or outgoing calls, not missed ones, only numbers in my contacts), like 'Ada Smith: 3 calls, "
        "14 minutes' (minutes rounded), sorted by name. Then tell me the total minutes of those calls, rounded.",
        oracle,
        [
            Inserted(
                "file_system_files",
                {"owner_id": person, "path": path, "content": HasLines(lines), "starred": 0},
                f"{path} has one line per contact: {len(lines)} lines",
                what="files",
            ),
            Answer(total, "the answer is the total minutes", traps={str(len(calls)): "the calls were counted"}),
        ],
    )
