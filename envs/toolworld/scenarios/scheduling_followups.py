"""Scheduling without the calendar: calling people back, moving alarms to a new routine, nudging payers on a
schedule, and a monthly call log. Only apps of the train splits (phone, payments, file_system, email)."""

from __future__ import annotations

import random
from collections import defaultdict

from envs.toolworld.apps._payments_base import setting
from envs.toolworld.apps._phone_calls import call_log
from envs.toolworld.apps.phone import blocked_by, person_with_number
from envs.toolworld.evaluate import Answer, Deleted, Expectation, InOrder, Inserted, Updated
from envs.toolworld.scenarios._calendar import NOW, day, reader
from envs.toolworld.scenarios._common import Solution, as_deep_as_found, fetch_all, full_name, login, pick
from envs.toolworld.scenarios._rows import new_file
from envs.toolworld.scenarios.email import sent_email
from envs.toolworld.scenarios.phone import talked_since
from envs.toolworld.scenarios.work_people import text_to
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
MISSED_DAYS = 90
MISSED_CONTACTS_AT_LEAST = 4  # contacts with missed calls I have not texted since, each one's calls since read
HEARD_BACK = "I got your voicemail and will call you back today."
ASK_BACK = "When suits you to talk?"


def _callback(first_name: str, when: str, voicemail: bool) -> str:
    return f"Hi {first_name}, sorry I missed your call on {when}. {HEARD_BACK if voicemail else ASK_BACK}"


def untexted_missed(view: WorldView, person: int, missed: list[dict]) -> dict[str, dict]:
    """Number -> latest missed call, of the contacts among `missed` (newest first) not texted since that call."""
    known: dict[str, dict] = {}
    for call in missed:  # newest first: the first call of a number is its latest
        if call["contact_name"] is not None:
            known.setdefault(call["phone_number"], call)
    return {
        n: call
        for n, call in known.items()
        if not view.rows(
            "SELECT 1 FROM phone_messages m JOIN people p ON p.id = m.receiver_id WHERE m.sender_id = ? "
            "AND p.phone_number = ? AND m.sent_at > ?",
            person,
            n,
            call["started_at"],
        )
    }


@scenario("scheduling_missed_call_texts", apps=("phone",))
def missed_call_texts(view: WorldView, rng: random.Random) -> TaskSpec:
    """One text per contact about their latest missed call, worded by whether they left a voicemail since the window
    opened (looked up per number; the unheard ones get marked heard); unknown numbers are counted, not texted. Deep:
    no text goes to a contact I texted or had a call with after that missed call, which only my sent texts and the
    calls with their number tell (read per contact; some picked contact was called since). The pick has
    MISSED_CONTACTS_AT_LEAST=4+ contacts not texted since (as_deep_as_found falls back to 3), each one looked up."""
    since = day(-MISSED_DAYS)
    pool = []
    for person in view.people_ids():
        ctx = reader(view, person)
        missed = call_log(ctx, direction="missed", started_after=since)
        unknown = sum(1 for c in missed if c["contact_name"] is None)
        receivers = {n: person_with_number(ctx, n) for n in {c["phone_number"] for c in missed if c["contact_name"]}}
        known = untexted_missed(view, person, missed)
        spoke = {  # a call with them (not a missed one) after their latest missed call
            n
            for n, call in known.items()
            if any(
                c["direction"] != "missed" and c["started_at"] > call["started_at"]
                for c in call_log(ctx, phone_number=n, started_after=call["started_at"][:10])
            )
        }
        looked = len(known)
        known = {n: call for n, call in known.items() if n not in spoke}
        voicemails = {
            n: view.rows(
                "SELECT id, is_heard FROM phone_voicemails WHERE owner_id = ? AND phone_number = ? AND left_at >= ?",
                person,
                n,
                since,
            )
            for n in known
        }
        if (
            len(known) >= 2
            and spoke
            and any(voicemails.values())
            and all(r is not None and not blocked_by(ctx, r) for r in receivers.values())
        ):
            pool.append((person, known, receivers, unknown, voicemails, looked))
    _, found = as_deep_as_found([MISSED_CONTACTS_AT_LEAST, 3], lambda least: [c for c in pool if c[-1] >= least])
    person, known, receivers, unknown, voicemails, _ = pick(
        rng, found, "person with missed calls from contacts, some called since, some with voicemails", distinct=True
    )
    expectations: list[Expectation] = []
    for number, call in known.items():
        first = view.value(
            "SELECT first_name FROM phone_contacts WHERE owner_id = ? AND phone_number = ?", person, number
        )
        left = voicemails[number]
        expectations.append(
            Inserted(
                "phone_messages",
                {
                    "sender_id": person,
                    "receiver_id": receivers[number],
                    "message": _callback(first, call["started_at"][:10], bool(left)),
                    "is_read": 0,
                },
                f"{call['contact_name']} gets one text about the call of {call['started_at'][:10]}"
                + (" saying I got their voicemail" if left else " asking when suits them"),
                what=f"texts to {call['contact_name']}",
            )
        )
        expectations += [
            Updated("phone_voicemails", v["id"], {"is_heard": 1}, f"{call['contact_name']}'s voicemail is marked heard")
            for v in left
            if not v["is_heard"]
        ]
    expectations.append(
        Answer(unknown, "the answer is how many missed calls came from unknown numbers", traps={"0": "none counted"})
    )
    look = fetch_all(
        "missed", f"apis.phone.show_call_history(access_token=phone_token, direction='missed', started_after={since!r}"
    ) + (
        "latest = {}\n"
        "for c in missed:\n"
        "    if c['contact_name'] is not None and c['phone_number'] not in latest:\n"
        "        latest[c['phone_number']] = c\n"
        "unknown = len([c for c in missed if c['contact_name'] is None])\n"
        "print(len(missed), list(latest), unknown)\n"
    )
    details = f"""
firsts, voicemails = {{}}, {{}}
for number, call in list(latest.items()):
    sent = apis.phone.search_text_messages(access_token=phone_token, phone_number=number, direction='sent',
                                           sent_after=call['started_at'][:10], page_limit=20)
    if any(m['sent_at'] > call['started_at'] for m in sent):
        del latest[number]
        continue
    later = apis.phone.show_call_history(access_token=phone_token, phone_number=number,
                                         started_after=call['started_at'][:10], page_limit=20)
    if any(c['direction'] != 'missed' and c['started_at'] > call['started_at'] for c in later):
        del latest[number]
        continue
    found = apis.phone.search_contacts(access_token=phone_token, query=number, page_limit=20)
    firsts[number] = next(c['first_name'] for c in found if c['phone_number'] == number)
    left = apis.phone.show_voicemails(access_token=phone_token, phone_number=number, page_limit=20)
    voicemails[number] = [v for v in left if v['left_at'] >= {since!r}]
print(firsts, voicemails)
"""
    act = f"""
for number, call in latest.items():
    follow_up = {HEARD_BACK!r} if voicemails[number] else {ASK_BACK!r}
    text = 'Hi ' + firsts[number] + ', sorry I missed your call on ' + call['started_at'][:10] + '. ' + follow_up
    apis.phone.send_text_message(access_token=phone_token, phone_number=number, message=text)
    for v in voicemails[number]:
        if not v['is_heard']:
            apis.phone.mark_voicemail_heard(access_token=phone_token, voicemail_id=v['voicemail_id'])
"""
    check = (
        "print(apis.phone.show_voicemails(access_token=phone_token, unheard_only=True, page_limit=20))\n"
        "apis.supervisor.complete_task(answer=unknown)\n"
    )
    oracle = Solution().step(login("phone")).step(look).step(details).step(act).step(check).steps()
    return TaskSpec(
        person,
        f"Go through my missed calls of the last {MISSED_DAYS} days (since {since}). Text each contact who called "
        "once (even if they called several times), about their latest missed call: 'Hi <first name>, sorry I missed "
        f"your call on <YYYY-MM-DD>. {ASK_BACK}' But if they left me a voicemail since {since}, end the text with "
        f"'{HEARD_BACK}' instead, and mark their voicemails from that time heard. Don't text numbers that aren't in "
        "my contacts, nor anyone I already texted, or had a call with (incoming or outgoing, even of 0 seconds), after "
        "their latest missed call; just tell me how many missed "
        "calls came from numbers not in my contacts.",
        oracle,
        expectations,
    )


def _later(time: str, minutes: int) -> str:
    total = int(time[:2]) * 60 + int(time[3:]) + minutes
    return f"{total // 60:02d}:{total % 60:02d}"


def _family(view: WorldView, person: int) -> list[dict]:
    """The family in `person`'s contacts, or [] unless each of them is one person of the world (so a text reaches
    them) who did not block `person`."""
    rows = view.rows(
        "SELECT DISTINCT p.id, c.first_name, c.last_name FROM phone_contacts c JOIN people p "
        "ON p.phone_number = c.phone_number WHERE c.owner_id = ? AND c.relationship = 'family' AND p.id != ? "
        "ORDER BY p.id",
        person,
        person,
    )
    contacts = view.value("SELECT COUNT(*) FROM phone_contacts WHERE owner_id = ? AND relationship = 'family'", person)
    fine = len(rows) == contacts and not any(blocked_by(reader(view, person), r["id"]) for r in rows)
    return rows if fine else []


HEADS_UP = "Heads-up: I start later from now on; my first weekday alarm rings at {earliest}."
TALKED_SINCE = "2026-04-18"  # scheduling_alarms_later: coworkers I talked with on the phone since get a text
ALARM_SHIFTS = ((30, "07:30"), (45, "07:00"), (60, "07:15"))  # (minutes later, alarms before this time move)
COWORKERS_AT_LEAST = 4  # each looked up in my call log


@scenario("scheduling_alarms_later", apps=("phone", "email"))
def alarms_later(view: WorldView, rng: random.Random) -> TaskSpec:
    """Early weekday alarms moved later, one-off alarms that are off deleted, the quiet hours made to end at the new
    earliest weekday alarm, and the family told by text; weekend, disabled and late alarms are distractors. The
    coworkers are told too, each decided by my call log: those I talked with on the phone since TALKED_SINCE get a
    text, the others one email together (COWORKERS_AT_LEAST+ coworkers, a call-log read each)."""
    # one shift a variant: drawn at random, two of the first three variants drew the same shift and, from the few
    # people with COWORKERS_AT_LEAST coworkers, the same person
    shift, cutoff = ALARM_SHIFTS[getattr(rng, "variant", 0) % len(ALARM_SHIFTS)]
    pool = []
    for person in view.people_ids():
        alarms = view.rows("SELECT * FROM phone_alarms WHERE owner_id = ? ORDER BY time, id", person)
        moving = [
            a
            for a in alarms
            if a["enabled"] and a["time"] < cutoff and set(a["repeat_days"].split(",")) & set(WEEKDAYS)
        ]
        others = [a for a in alarms if a not in moving and a["time"] < cutoff]
        family = _family(view, person)
        coworkers = view.rows(
            "SELECT DISTINCT p.id, c.phone_number FROM phone_contacts c JOIN people p ON p.email = c.email "
            "WHERE c.owner_id = ? AND c.relationship = 'coworker' AND p.id != ? ORDER BY p.id",
            person,
            person,
        )
        contacts = view.value(
            "SELECT COUNT(*) FROM phone_contacts WHERE owner_id = ? AND relationship = 'coworker'", person
        )
        talked = [c["id"] for c in coworkers if talked_since(view, person, c["phone_number"], TALKED_SINCE)]
        if (
            moving
            and others
            and family
            and len(coworkers) == contacts
            and 0 < len(talked) < len(coworkers)
            and not any(blocked_by(reader(view, person), c) for c in talked)
        ):
            pool.append((person, alarms, moving, family, [c["id"] for c in coworkers], talked))
    least, found = as_deep_as_found((COWORKERS_AT_LEAST, 2), lambda n: [case for case in pool if len(case[4]) >= n])
    person, alarms, moving, family, coworkers, talked = pick(
        rng, found, f"person with early weekday alarms, family and {least}+ coworkers", distinct=True
    )
    stale = [a for a in alarms if not a["enabled"] and not a["repeat_days"]]
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
    earliest = after[0]
    if stale:
        expectations.append(
            Deleted(
                "phone_alarms",
                frozenset(a["id"] for a in stale),
                f"the {len(stale)} one-off alarms that are off are deleted",
                what="alarms",
            )
        )
    if view.value("SELECT quiet_end FROM phone_settings WHERE owner_id = ?", person) != earliest:
        expectations.append(
            Updated("phone_settings", person, {"quiet_end": earliest}, f"my quiet hours now end at {earliest}")
        )
    message = f"I'm starting work later now: my first weekday alarm rings at {earliest}."
    expectations += [
        text_to(person, f["id"], [message], f"{f['first_name']} {f['last_name']} (family) gets the text")
        for f in family
    ]
    emailed = [c for c in coworkers if c not in talked]
    expectations += sent_email(
        view,
        person,
        emailed,
        HEADS_UP.format(earliest=earliest),
        f"one email to my {len(emailed)} coworkers not talked with since {TALKED_SINCE} says my first weekday "
        f"alarm now rings at {earliest}",
        subject="My new hours",
    )
    expectations += [
        text_to(
            person, c, [HEADS_UP.format(earliest=earliest)], f"coworker {full_name(view, c)}, talked with, is texted"
        )
        for c in talked
    ]
    expectations.append(
        Answer(
            earliest,
            "the answer is my earliest enabled weekday alarm after the change",
            traps={moving[0]["time"]: "old"},
        )
    )
    look = fetch_all("alarms", "apis.phone.show_alarms(access_token=phone_token") + (
        "print([(a['alarm_id'], a['time'], a['label'], a['enabled'], a['repeat_days']) for a in alarms])\n"
        f"weekdays = {list(WEEKDAYS)!r}\n"
        f"moving = [a for a in alarms if a['enabled'] and a['time'] < {cutoff!r} and "
        "any(d in weekdays for d in a['repeat_days'])]\n"
        "stale = [a for a in alarms if not a['enabled'] and not a['repeat_days']]\n"
        "print(apis.phone.show_phone_settings(access_token=phone_token))\n"
    )
    act = (
        "new_times = {}\n"
        "for a in moving:\n"
        f"    total = int(a['time'][:2]) * 60 + int(a['time'][3:]) + {shift}\n"
        "    new_times[a['alarm_id']] = f'{total // 60:02d}:{total % 60:02d}'\n"
        "    apis.phone.update_alarm(access_token=phone_token, alarm_id=a['alarm_id'], time=new_times[a['alarm_id']])\n"
        "for a in stale:\n"
        "    apis.phone.delete_alarm(access_token=phone_token, alarm_id=a['alarm_id'])\n"
        + fetch_all("now_on", "apis.phone.show_alarms(access_token=phone_token, enabled=True")
        + "earliest = min(a['time'] for a in now_on if any(d in weekdays for d in a['repeat_days']))\n"
        + "print([(a['time'], a['label']) for a in now_on], earliest)\n"
    )
    tell = (
        "apis.phone.update_phone_settings(access_token=phone_token, quiet_end=earliest)\n"
        + fetch_all("family", "apis.phone.search_contacts(access_token=phone_token, relationship='family'")
        + "for c in family:\n"
        "    apis.phone.send_text_message(access_token=phone_token, phone_number=c['phone_number'],\n"
        "                                 message=f\"I'm starting work later now: my first weekday alarm rings at "
        '{earliest}.")\n'
    )
    mail = (
        fetch_all("coworkers", "apis.phone.search_contacts(access_token=phone_token, relationship='coworker'")
        + f"heads_up = {HEADS_UP!r}.format(earliest=earliest)\n"
        + "emails = []\n"
        + "for c in coworkers:\n"
        + "    talked = apis.phone.show_call_history(access_token=phone_token, phone_number=c['phone_number'], "
        f"started_after={TALKED_SINCE!r}, min_duration_seconds=1, page_limit=1)\n"
        + "    if talked:\n"
        + "        apis.phone.send_text_message(access_token=phone_token, phone_number=c['phone_number'], "
        "message=heads_up)\n"
        + "    else:\n"
        + "        emails.append(c['email'])\n"
        + "apis.email.send_email(access_token=email_token, recipients=sorted(emails), subject='My new hours', "
        "body=heads_up)\n"
    )
    done = (
        "print(apis.phone.show_phone_settings(access_token=phone_token)['quiet_end'])\n"
        "for a in moving:\n"
        "    print(apis.phone.show_alarm(access_token=phone_token, alarm_id=a['alarm_id'])['time'])\n"
        "print(apis.email.show_threads(access_token=email_token, folder='sent', page_limit=1))\n"
        "apis.supervisor.complete_task(answer=earliest)\n"
    )
    oracle = Solution().step(login("phone", "email")).step(look).step(act).step(tell).step(mail).step(done).steps()
    return TaskSpec(
        person,
        f"My work now starts later: move every alarm of mine that is on, rings on at least one weekday (Monday to "
        f"Friday) and is set before {cutoff}, {shift} minutes later. Leave the other alarms alone, except one-off "
        "alarms (no repeat days) that are off: delete those. Then make my do-not-disturb quiet hours end at my "
        "earliest alarm that is on and rings on a weekday, and text each family member in my contacts "
        '"I\'m starting work later now: my first weekday alarm rings at <HH:MM>." Also tell my coworkers in my '
        "phone contacts '"
        + HEADS_UP.format(earliest="<HH:MM>")
        + "': text it to each of them I have talked with on the phone since "
        + TALKED_SINCE
        + " (a call with their number in my call log, either way, on or after that day, that lasted more than 0 "
        "seconds), and send it to all the others in one email with the subject 'My new hours'. Tell me that time "
        "(HH:MM).",
        oracle,
        expectations,
    )


STALE_DAYS, MOST_REMINDERS = 14, 2


def _still_owed(first_name: str, amount: float, note: str) -> str:
    return f"Hi {first_name}, a reminder that you still owe me ${amount:.2f} for {note}."


@scenario("scheduling_nudge_old_requests", apps=("payments", "phone"))
def nudge_old_requests(view: WorldView, rng: random.Random) -> TaskSpec:
    """Old pending requests of mine: reminded in the payments app while under the reminder limit, else the payer gets
    a text (their number and first name from my phone contacts, looked up per request); newer ones are left alone;
    the answer is the total of all pending requests."""
    pool = []
    for person in view.people_ids():
        pending = view.rows(
            "SELECT r.*, c.first_name, c.phone_number FROM payments_requests r JOIN people p ON p.id = r.payer_id "
            "LEFT JOIN phone_contacts c ON c.owner_id = r.requester_id AND c.email = p.email "
            "WHERE r.requester_id = ? AND r.status = 'pending' ORDER BY r.id",
            person,
        )
        old = [r for r in pending if r["created_at"] < day(-STALE_DAYS)]
        due = [r for r in old if r["reminders"] < MOST_REMINDERS]
        maxed = [r for r in old if r["reminders"] >= MOST_REMINDERS]
        reminded_today = any((r["last_reminded_at"] or "")[:10] == day(0) for r in due)
        reachable = all(
            r["first_name"]
            and person_with_number(reader(view, person), r["phone_number"]) == r["payer_id"]
            and not blocked_by(reader(view, person), r["payer_id"])
            for r in maxed
        )
        paid = any(  # a payment of the amount since the request: the rule says cancel, never the case here
            view.rows(
                "SELECT 1 FROM payments_transactions WHERE sender_id = ? AND receiver_id = ? AND amount = ? "
                "AND created_at > ?",
                r["payer_id"],
                person,
                r["amount"],
                r["created_at"],
            )
            for r in old
        )
        if len(due) >= 2 and maxed and reachable and len(pending) > len(old) and not reminded_today and not paid:
            pool.append((person, pending, due, maxed))
    person, pending, due, maxed = pick(rng, pool, "person with old pending requests", distinct=True)
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
    expectations += [
        text_to(
            person,
            r["payer_id"],
            [_still_owed(r["first_name"], r["amount"], r["note"])],
            f"{r['first_name']} gets a text about the ${r['amount']:.2f} request '{r['note']}' (already reminded "
            f"{r['reminders']} times)",
        )
        for r in maxed
    ]
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
        f"old = [r for r in pending if r['created_at'] < {day(-STALE_DAYS)!r}]\n"
        f"due = [r for r in old if r['reminders'] < {MOST_REMINDERS}]\n"
        f"maxed = [r for r in old if r['reminders'] >= {MOST_REMINDERS}]\n"
    )
    act = """
        for r in old:
            got = apis.payments.show_transactions(access_token=payments_token, direction='received',
                                                  with_email=r['payer']['email'], start_date=r['created_at'][:10],
                                                  page_limit=20)
            if any(t['amount'] == r['amount'] and t['created_at'] > r['created_at'] for t in got):
                apis.payments.cancel_request(access_token=payments_token, request_id=r['request_id'])
                due, maxed = [x for x in due if x != r], [x for x in maxed if x != r]
        for r in due:
            print(apis.payments.remind_request(access_token=payments_token, request_id=r['request_id']))
        for r in due:
            print(apis.payments.show_request(access_token=payments_token, request_id=r['request_id']))
        """
    text = """
        for r in maxed:
            found = apis.phone.search_contacts(access_token=phone_token, query=r['payer']['name'], page_limit=20)
            contact = next(c for c in found if c['email'] == r['payer']['email'])
            message = (f"Hi {contact['first_name']}, a reminder that you still owe me ${r['amount']:.2f} for "
                       f"{r['note']}.")
            apis.phone.send_text_message(access_token=phone_token, phone_number=contact['phone_number'],
                                         message=message)
        print(apis.phone.search_text_messages(access_token=phone_token, query='still owe me', page_limit=20))
        """
    done = "apis.supervisor.complete_task(answer=round(sum(r['amount'] for r in pending), 2))\n"
    oracle = Solution().step(login("payments", "phone")).step(look).step(act).step(text).step(done).steps()
    return TaskSpec(
        person,
        f"Nudge the people who owe me: remind the payer of every pending request I sent before {day(-STALE_DAYS)} "
        f"that I have reminded fewer than {MOST_REMINDERS} times so far. For those old requests I have already "
        f"reminded {MOST_REMINDERS} times or more, text the payer instead: 'Hi <their first name in my contacts>, a "
        "reminder that you still owe me $<amount, 2 decimals> for <the request's note>.' But if a payer already "
        "sent me the exact amount of an old request after I made it, cancel that request instead. Don't touch the "
        "newer requests. Then tell me how much all my pending requests add up to, reminded or not.",
        oracle,
        expectations,
    )


LONG_TALK_MINUTES = 20
MONTHS = ("", "January", "February", "March", "April", "May", "June")


def texted_since(view: WorldView, sender: int, receiver: int | None, day: str) -> bool:
    """Whether `sender` has texted `receiver` on or after `day`."""
    return bool(
        view.rows(
            "SELECT 1 FROM phone_messages WHERE sender_id = ? AND receiver_id = ? AND sent_at >= ?",
            sender,
            receiver,
            day,
        )
    )


REPORT_MONTHS = ((2026, 3), (2026, 4), (2026, 2))
REPORT_TEXTS_AT_LEAST = 5  # contacts to text (or leave: in touch since) in call_log_report, each one's texts read


def _month_bounds(year: int, month: int) -> tuple[str, str]:
    """The month's first day and the next month's first day."""
    return f"{year}-{month:02d}-01", f"{year + month // 12}-{month % 12 + 1:02d}-01"


def report_case(view: WorldView, person: int, year: int, month: int) -> list[tuple]:
    """[(year, month, person, their logged calls from contacts, number -> person, numbers only missed, numbers in
    touch since, how many to text or leave)] when the month suits call_log_report, else []."""
    first, nxt = _month_bounds(year, month)
    ctx = reader(view, person)
    logged = [c for c in call_log(ctx, started_after=first, started_before=nxt) if c["contact_name"]]
    talked = {c["phone_number"] for c in logged if c["direction"] != "missed"}
    only_missed = {c["phone_number"] for c in logged} - talked
    people = {n: person_with_number(ctx, n) for n in {c["phone_number"] for c in logged}}
    reachable = all(p is not None and p != person and not blocked_by(ctx, p) for p in people.values())
    minutes: dict[str, int] = defaultdict(int)
    for c in logged:
        minutes[c["phone_number"]] += c["duration_seconds"] if c["direction"] != "missed" else 0
    long_talk = any(  # someone to thank who is not a favourite yet
        m / 60 >= LONG_TALK_MINUTES
        and not view.value(
            "SELECT MAX(is_favorite) FROM phone_contacts WHERE owner_id = ? AND phone_number = ?", person, n
        )
        for n, m in minutes.items()
    )
    distinct_names = len({c["contact_name"] for c in logged}) == len(people)
    to_text = {n for n, m in minutes.items() if m / 60 >= LONG_TALK_MINUTES} | only_missed
    spoke = {
        n for n in to_text if any(c["direction"] != "missed" for c in call_log(ctx, phone_number=n, started_after=nxt))
    }
    texted = {n for n in to_text if reachable and texted_since(view, person, people[n], nxt)}
    in_touch = spoke | texted
    if (
        len(talked) >= 4
        and long_talk
        and only_missed
        and reachable
        and distinct_names
        and texted
        and spoke - texted  # someone only the calls since tell apart
        and to_text - in_touch
    ):
        return [(year, month, person, logged, people, only_missed, in_touch, len(to_text))]
    return []


@scenario("scheduling_call_log_report", apps=("phone", "file_system"))
def call_log_report(view: WorldView, rng: random.Random) -> TaskSpec:
    """A month's call report file (one line per contact I talked to, every page of the log), then texts: thanks to the
    contacts I talked to at length, a 'we missed each other' to those whose calls that month I only missed. Deep:
    no text goes to someone I have texted since the month ended, which only my sent texts to their number tell
    (read per contact; each month picked has both kinds), nor to someone I have talked to on the phone since, which
    only the call log after the month tells (read per contact; some picked contact is that case). The pick (a person
    and one of REPORT_MONTHS) has REPORT_TEXTS_AT_LEAST=5+ contacts to text or leave (as_deep_as_found falls back to
    4, then 2), each looked up."""
    pool = [c for y, m in REPORT_MONTHS for p in view.people_ids() for c in report_case(view, p, y, m)]
    _, found = as_deep_as_found([REPORT_TEXTS_AT_LEAST, 4, 2], lambda least: [c for c in pool if c[-1] >= least])
    year, month, person, logged, people, only_missed, in_touch, _ = pick(
        rng, found, "person who talked to contacts in a month, some in touch since and some not", distinct=True
    )
    first, nxt = _month_bounds(year, month)
    label = f"{MONTHS[month]} {year}"
    per: dict[str, list[int]] = defaultdict(list)
    numbers: dict[str, str] = {}
    for c in logged:
        numbers[c["contact_name"]] = c["phone_number"]
        if c["direction"] != "missed":
            per[c["contact_name"]].append(c["duration_seconds"])
    lines = [f"{name}: {len(d)} calls, {(sum(d) + 30) // 60} minutes" for name, d in sorted(per.items())]
    total = (sum(sum(d) for d in per.values()) + 30) // 60
    lines_added = sum((sum(d) + 30) // 60 for d in per.values())
    long_talks = [name for name, d in sorted(per.items()) if sum(d) / 60 >= LONG_TALK_MINUTES]
    missed_names = sorted({c["contact_name"] for c in logged if c["phone_number"] in only_missed})
    quiet = {name for name, number in numbers.items() if number in in_touch}  # texted or talked since: no text now
    thanks = "Hi {first}, thanks for the long chat in " + label + "!"
    sorry = "Hi {first}, sorry we kept missing each other in " + label + ", let's talk soon."
    contacts = {
        name: view.row(
            "SELECT id, first_name, is_favorite FROM phone_contacts WHERE owner_id = ? AND phone_number = ?",
            person,
            number,
        )
        for name, number in numbers.items()
    }
    path = f"/documents/calls_{year}_{month:02d}.txt"
    look = fetch_all(
        "calls",
        f"apis.phone.show_call_history(access_token=phone_token, started_after={first!r}, started_before={nxt!r}",
    ) + (
        "per, numbers = {}, {}\n"
        "for c in calls:\n"
        "    if c['contact_name'] is not None:\n"
        "        numbers[c['contact_name']] = c['phone_number']\n"
        "        if c['direction'] != 'missed':\n"
        "            per.setdefault(c['contact_name'], []).append(c['duration_seconds'])\n"
        "missed_only = sorted(name for name in numbers if name not in per)\n"
        "print(per, missed_only)\n"
    )
    act = (
        "lines = [name + ': ' + str(len(d)) + ' calls, ' + str((sum(d) + 30) // 60) + ' minutes' "
        "for name, d in sorted(per.items())]\n"
        f"apis.file_system.create_file(access_token=file_system_token, path={path!r}, content='\\n'.join(lines))\n"
        f"print(apis.file_system.show_file(access_token=file_system_token, path={path!r}))\n"
    )
    text = f"""
        thanks, sorry = {thanks!r}, {sorry!r}
        long_talks = [name for name, d in sorted(per.items()) if sum(d) / 60 >= {LONG_TALK_MINUTES}]
        for name in long_talks + missed_only:
            since = apis.phone.search_text_messages(access_token=phone_token, phone_number=numbers[name],
                                                    direction='sent', sent_after={nxt!r}, page_limit=20)
            later = apis.phone.show_call_history(access_token=phone_token, phone_number=numbers[name],
                                                 started_after={nxt!r}, page_limit=20)
            spoke = [c for c in later if c['direction'] != 'missed']
            found = apis.phone.search_contacts(access_token=phone_token, query=name, page_limit=20)
            contact = next(c for c in found if c['phone_number'] == numbers[name])
            message = (thanks if name in long_talks else sorry).format(first=contact['first_name'])
            if since or spoke:
                print('in touch since:', name, since[:1], spoke[:1])
            else:
                apis.phone.send_text_message(access_token=phone_token, phone_number=numbers[name], message=message)
            if name in long_talks and not contact['is_favorite']:
                apis.phone.favorite_contact(access_token=phone_token, contact_id=contact['contact_id'])
        print(apis.phone.search_text_messages(access_token=phone_token, direction='sent', page_limit=20))
        """
    done = "apis.supervisor.complete_task(answer=(sum(sum(d) for d in per.values()) + 30) // 60)\n"
    oracle = Solution().step(login("phone", "file_system")).step(look).step(act).step(text).step(done).steps()
    expectations: list[Expectation] = [
        Inserted(
            "file_system_files",
            new_file(person, path, InOrder(lines)),
            f"{path} has one line per contact, sorted by name: {len(lines)} lines",
            what="files",
        ),
        Answer(
            total,
            "the answer is the total minutes",
            traps={
                str(len(logged)): "the calls were counted",
                **({str(lines_added): "the report's rounded minutes were added up"} if lines_added != total else {}),
            },
        ),
    ]
    for name in long_talks:
        first_name = contacts[name]["first_name"]
        if name not in quiet:
            expectations.append(
                text_to(
                    person,
                    people[numbers[name]],
                    [thanks.format(first=first_name)],
                    f"{name} ({LONG_TALK_MINUTES}+ minutes) gets the thanks",
                )
            )
        if not contacts[name]["is_favorite"]:
            expectations.append(
                Updated("phone_contacts", contacts[name]["id"], {"is_favorite": 1}, f"{name} is made a favourite")
            )
    expectations += [
        text_to(
            person,
            people[numbers[name]],
            [sorry.format(first=contacts[name]["first_name"])],
            f"{name} (only missed calls) gets the sorry text",
        )
        for name in missed_names
        if name not in quiet
    ]
    return TaskSpec(
        person,
        f"Make a call report for {first[:7]}: a file {path} with one line per contact with an incoming or outgoing "
        "call that month (each such call counts, even an outgoing one of 0 seconds nobody answered; missed calls "
        "don't; only numbers in my contacts), like 'Ada Smith: 3 calls, 14 minutes' (the words stay 'calls' and "
        "'minutes' even for 1 or 0; their call seconds added up, then rounded to the nearest minute, half a minute "
        "up), sorted alphabetically by the name as written (first name first). Then text each contact I talked to "
        f"for {LONG_TALK_MINUTES} minutes "
        f"({LONG_TALK_MINUTES * 60} seconds) or more in total that month (by their exact seconds, not the report's "
        "rounded minutes) "
        f"'{thanks.format(first='<first name>')}' and make them a favourite if they aren't; and text each contact "
        "whose calls that month were all missed ones "
        f"'{sorry.format(first='<first name>')}' (first names as in my contacts). Don't text anyone I have already "
        "texted, or had a call with (incoming or outgoing, even of 0 seconds; missed calls don't count), since the "
        f"month ended (since {nxt}): we are in touch (still make them a favourite where asked). Tell "
        "me the total minutes of the calls in the report: all their seconds added up, then rounded once the same way "
        "(not the report's rounded minutes added up).",
        oracle,
        expectations,
    )
