"""Life admin around shared trips and households in bill_splitting, carried into notes, calendar, phone, files, todo."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from envs.toolworld.apps._bill_splitting_core import pair_debts
from envs.toolworld.apps._calendar_people import find_free_slots
from envs.toolworld.evaluate import Answer, Expectation, InBlocks, Inserted, NewRow, runs
from envs.toolworld.scenarios._calendar import reader
from envs.toolworld.scenarios._common import Solution, as_deep_as_found, fetch_all, full_name, login, pick
from envs.toolworld.scenarios._life import NOW, done, project_of, variant_of
from envs.toolworld.scenarios._rows import new_file, new_note, new_task
from envs.toolworld.scenarios.bill_splitting import (
    export_lines,
    export_name,
    reminder_sent,
    shares_of_mine,
)
from envs.toolworld.scenarios.contacts_notes import notebook, notebook_step
from envs.toolworld.scenarios.email import sent_email
from envs.toolworld.scenarios.shop_bills_files import receipt
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

# Oracle code: the group called exactly `group_name` among mine (others have similar names, like last year's trip).
FIND_GROUP = fetch_all(
    "groups", "apis.bill_splitting.show_groups(access_token=bill_splitting_token, query=group_name"
) + (
    "group = next(g for g in groups if g['name'] == group_name)\n"
    "group = apis.bill_splitting.show_group(access_token=bill_splitting_token, group_id=group['group_id'])\n"
    "print(group['name'], [m['email'] for m in group['members']])\n"
)
FIRST_FRIDAY = date(2026, 5, 22)
LATEST_WINDOW = 6  # how many weeks later the window of 4 Fridays may start in a world where none qualifies at first


def fridays(start: int) -> tuple[str, ...]:
    """The 4 Fridays asked about, from `start` weeks after FIRST_FRIDAY (0 in world 0)."""
    return tuple((FIRST_FRIDAY + timedelta(weeks=start + i)).isoformat() for i in range(4))


FIND_EXPENSES = fetch_all(
    "expenses", "apis.bill_splitting.show_expenses(access_token=bill_splitting_token, group_id=group['group_id']"
)


def groups_of(view: WorldView, where: str = "", *args: Any) -> list[dict[str, Any]]:
    """(member, group) pairs of active memberships, the group's name unique among the member's groups."""
    return view.rows(
        "SELECT m.person_id AS owner, g.id, g.name FROM bill_splitting_members m JOIN bill_splitting_groups g "
        "ON g.id = m.group_id WHERE m.is_archived = 0 AND (SELECT COUNT(*) FROM bill_splitting_members x JOIN "
        "bill_splitting_groups y ON y.id = x.group_id WHERE x.person_id = m.person_id AND y.name = g.name) = 1 "
        f"{where} ORDER BY m.person_id, g.id",
        *args,
    )


def _members(view: WorldView, group_id: int, but: int) -> list[dict[str, Any]]:
    return view.rows(
        "SELECT p.id, p.email, p.first_name, p.last_name, p.phone_number FROM bill_splitting_members m "
        "JOIN people p ON p.id = m.person_id WHERE m.group_id = ? AND p.id != ? ORDER BY p.id",
        group_id,
        but,
    )


def _in_contacts(view: WorldView, owner: int) -> set[str]:
    return {r["email"] for r in view.rows("SELECT email FROM phone_contacts WHERE owner_id = ?", owner) if r["email"]}


def _text(owner: int, person: dict[str, Any], message: str) -> Inserted:
    return Inserted(
        "phone_messages",
        {"sender_id": owner, "receiver_id": person["id"], "message": message, "sent_at": NOW, "is_read": 0},
        f"{person['first_name']} {person['last_name']} gets the text {message!r}",
        what=f"texts to {person['email']}",
    )


OWING_ME_AT_LEAST = 2  # members owing me in life_trip_photo_evening's group: each gets a reminder, read off the debts
EXPENSES_ATTACHED = "Here are all the expenses of the group, so you can check what you owe me."
CONTACTS = fetch_all("contacts", "apis.phone.search_contacts(access_token=phone_token") + (
    "phones = {c['email']: c['phone_number'] for c in contacts if c['email']}\n"
)


@scenario("life_trip_costs_note", apps=("bill_splitting", "notes"))
def trip_costs_note(view: WorldView, rng: random.Random) -> TaskSpec:
    """A trip group's costs by category and by person (what each paid and their share) in the Travel notebook.
    Deep: everyone's share of an expense is only in show_expense (the list has mine), one call per expense of 14+,
    and some expenses are split among only some members, so dividing by the group's size is wrong."""
    pairs = groups_of(
        view,
        "AND g.group_type = 'trip' AND (SELECT COUNT(*) FROM bill_splitting_expenses e WHERE e.group_id = g.id) >= 14 "
        "AND EXISTS (SELECT 1 FROM bill_splitting_groups s WHERE s.id != g.id AND s.name != g.name "
        "AND substr(s.name, 1, length(s.name) - 5) = substr(g.name, 1, length(g.name) - 5)) "
        "AND EXISTS (SELECT 1 FROM bill_splitting_expenses e WHERE e.group_id = g.id AND (SELECT COUNT(*) FROM "
        "bill_splitting_shares s WHERE s.expense_id = e.id) < (SELECT COUNT(*) FROM bill_splitting_members x "
        "WHERE x.group_id = g.id))",
    )
    chosen = pick(rng, pairs, "trip group with a look-alike and an expense split among some", distinct=True)
    owner, name = chosen["owner"], chosen["name"]
    expenses = view.rows(
        "SELECT e.id, e.amount, e.category, e.paid_by FROM bill_splitting_expenses e WHERE e.group_id = ?", chosen["id"]
    )
    by_category: dict[str, float] = {}
    paid: dict[int, float] = {}
    share: dict[int, float] = {}
    for e in expenses:
        by_category[e["category"]] = by_category.get(e["category"], 0.0) + e["amount"]
        paid[e["paid_by"]] = paid.get(e["paid_by"], 0.0) + e["amount"]
        for s in view.rows("SELECT person_id, amount FROM bill_splitting_shares WHERE expense_id = ?", e["id"]):
            share[s["person_id"]] = share.get(s["person_id"], 0.0) + s["amount"]
    lines = [f"{c}: ${round(t, 2):.2f}" for c, t in sorted(by_category.items())]
    lines += [
        f"{full_name(view, p)}: paid ${round(paid.get(p, 0.0), 2):.2f}, share ${round(share.get(p, 0.0), 2):.2f}"
        for p in sorted(set(paid) | set(share))
    ]
    total = f"Total: ${round(sum(e['amount'] for e in expenses), 2):.2f}"
    top = max(paid, key=lambda p: (round(paid[p], 2), -p))
    title = f"{name} costs"
    travel, filed = notebook(view, owner, "Travel")
    look = f"group_name = {name!r}\n" + FIND_GROUP + FIND_EXPENSES
    look += "print(len(expenses), [(e['category'], e['amount'], e['paid_by']['name']) for e in expenses])\n"
    shares = """\
    shares = {}
    for e in expenses:
        detail = apis.bill_splitting.show_expense(access_token=bill_splitting_token, expense_id=e['expense_id'])
        for s in detail['shares']:
            shares[s['name']] = shares.get(s['name'], 0.0) + s['amount']
    print(shares)
    """
    tally = """\
    by_category, paid = {}, {}
    for e in expenses:
        by_category[e['category']] = by_category.get(e['category'], 0.0) + e['amount']
        paid[e['paid_by']['name']] = paid.get(e['paid_by']['name'], 0.0) + e['amount']
    lines = [f"{c}: ${round(t, 2):.2f}" for c, t in sorted(by_category.items())]
    for who in sorted(set(paid) | set(shares)):
        lines.append(f"{who}: paid ${round(paid.get(who, 0.0), 2):.2f}, share ${round(shares.get(who, 0.0), 2):.2f}")
    lines.append(f"Total: ${round(sum(e['amount'] for e in expenses), 2):.2f}")
    top = max(paid, key=lambda who: round(paid[who], 2))
    print(lines, top)
    """
    act = notebook_step("Travel") + (
        "note = apis.notes.create_note(access_token=notes_token, title=group_name + ' costs', "
        "content='\\n'.join(lines), pinned=True, notebook_id=notebook_id)\n"
    )
    check = "print(apis.notes.show_note(access_token=notes_token, note_id=note['note_id'])['content'], top)\n"
    return TaskSpec(
        owner,
        f"Sum up what our bill-splitting group '{name}' cost: make a pinned note titled '{title}' in my notebook "
        "'Travel' (create that notebook if I have none) with one line per expense category, '<category>: $<total>', "
        "one line per person who paid for or had a share of any of its expenses, '<full name>: paid $<what they "
        "paid>, share $<the sum of their shares>', all amounts with two decimals, then a last line 'Total: $<sum of "
        "all its expenses>'. Then tell me who paid the most for that group in total (their full name).",
        Solution()
        .step(login("bill_splitting", "notes"))
        .step(look)
        .step(shares)
        .step(tally)
        .step(act)
        .step(check)
        .step(done("top"))
        .steps(),
        [
            *filed,
            Inserted(
                "notes_notes",
                new_note(owner, title, receipt(lines, total), pinned=1, notebook_id=travel),
                f"a pinned note '{title}' in the Travel notebook with {len(by_category)} category lines, "
                f"{len(lines) - len(by_category)} lines of what each person paid and their share, then '{total}'",
                what=f"notes '{title}'",
            ),
            Answer(full_name(view, top), f"{full_name(view, top)} paid the most for {name}"),
        ],
    )


@scenario("life_trip_photo_evening", apps=("bill_splitting", "calendar", "phone", "email"))
def trip_photo_evening(view: WorldView, rng: random.Random) -> TaskSpec:
    """An evening with a trip group on the first of some Fridays when all of us are free, texts to the members in
    my contacts, one email to the others, and a payment reminder to each who still owes me for the trip. Deep:
    someone is busy on each of the first two Fridays (find_free_slots asked day by day), how each of 5 members
    hears of it depends on my phone contacts, and who owes me (2+ of them) is only in the group's debts."""
    pairs = groups_of(
        view,
        "AND g.group_type = 'trip' AND (SELECT COUNT(*) FROM bill_splitting_members x WHERE x.group_id = g.id) >= 6 "
        "AND EXISTS (SELECT 1 FROM calendar_calendars c WHERE c.owner_id = m.person_id AND c.is_primary = 1) "
        "AND EXISTS (SELECT 1 FROM bill_splitting_members y JOIN people p ON p.id = y.person_id JOIN phone_contacts k "
        "ON k.email = p.email AND k.owner_id = m.person_id WHERE y.group_id = g.id AND p.id != m.person_id) "
        "AND EXISTS (SELECT 1 FROM bill_splitting_members y JOIN people p ON p.id = y.person_id WHERE y.group_id = "
        "g.id AND p.id != m.person_id AND p.email NOT IN (SELECT k.email FROM phone_contacts k WHERE k.owner_id = "
        "m.person_id AND k.email IS NOT NULL))",
    )

    def first_free(pair: dict[str, Any], days: tuple[str, ...]) -> str | None:
        others = [m["email"] for m in _members(view, pair["id"], pair["owner"])]
        for day in days:
            window = {"duration_minutes": 120, "day_start": "19:00", "day_end": "21:00"}
            if find_free_slots(reader(view, pair["owner"]), date=day, attendee_emails=others, **window):
                return day
        return None

    # found before picking (not passed over in the pick: that hands a variant the next variant's row, and on busy
    # calendars two of the first three variants met that way): someone busy on the first two Fridays, all free later
    # a world with no such group (not world 0) takes one with someone busy on the first Friday only, or asks
    # about later Fridays
    owing = [p for p in pairs if len(_owed_to(view, p["id"], p["owner"])) >= OWING_ME_AT_LEAST]

    def busy_first(setting: tuple[int, int]) -> list[dict[str, Any]]:
        start, busy = setting
        days = fridays(start)
        return [p for p in owing if first_free(p, days) in days[busy:]]

    (start, _), usable = as_deep_as_found(
        [(start, busy) for start in range(LATEST_WINDOW + 1) for busy in (2, 1)], busy_first
    )
    days = fridays(start)
    chosen = pick(
        rng,
        usable,
        f"trip group of 6 with members in and out of my contacts, busy on the first of 4 Fridays, free on a "
        f"later one, {OWING_ME_AT_LEAST}+ of them owing me",
        distinct=True,
    )
    owner, name = chosen["owner"], chosen["name"]
    day = first_free(chosen, days)
    assert day is not None
    calendar = view.row("SELECT id FROM calendar_calendars WHERE owner_id = ? AND is_primary = 1", owner)["id"]
    members = _members(view, chosen["id"], owner)
    known = _in_contacts(view, owner)
    title = f"{name} photo evening"
    message = f"Photo evening for {name} on {day} at 19:00 - check your calendar invite!"
    look = f"group_name = {name!r}\n" + FIND_GROUP + CONTACTS
    look += "calendars = apis.calendar.show_calendars(access_token=calendar_token, page_limit=20)\n"
    look += "primary = next(c for c in calendars if c['is_primary'])\n"
    when = (
        "others = [m['email'] for m in group['members'] if m['email'] != me['email']]\n"
        f"for day in {list(days)!r}:\n"
        "    slots = apis.calendar.find_free_slots(access_token=calendar_token, date=day, duration_minutes=120, "
        "attendee_emails=others, day_start='19:00', day_end='21:00')\n"
        "    print(day, slots)\n"
        "    if slots:\n"
        "        break\n"
    )
    act = (
        "message = f'Photo evening for {group_name} on {day} at 19:00 - check your calendar invite!'\n"
        f"event = apis.calendar.create_event(access_token=calendar_token, title={title!r}, start=f'{{day}}T19:00', "
        "end=f'{day}T21:00', calendar_id=primary['calendar_id'], location='My place', attendee_emails=others)\n"
        "for email in others:\n"
        "    if email in phones:\n"
        "        apis.phone.send_text_message(access_token=phone_token, phone_number=phones[email], message=message)\n"
        "strangers = [email for email in others if email not in phones]\n"
        f"apis.email.send_email(access_token=email_token, recipients=strangers, subject={title!r}, body=message)\n"
    )
    settle = f"Photo evening on {day}: please settle up for {name} before then."
    remind = fetch_all(
        "debts", "apis.bill_splitting.show_group_debts(access_token=bill_splitting_token, group_id=group['group_id']"
    )
    remind += (
        "settle = f'Photo evening on {day}: please settle up for {group_name} before then.'\n"
        "for d in debts:\n"
        "    if d['creditor']['email'] == me['email']:\n"
        "        apis.bill_splitting.send_payment_reminder(access_token=bill_splitting_token, "
        "group_id=group['group_id'], email=d['debtor']['email'], message=settle)\n"
    )
    check = (
        "print(apis.calendar.show_event_attendees(access_token=calendar_token, event_id=event['event_id'], "
        "page_limit=20))\n"
    )
    expectations: list[Expectation] = [
        Inserted(
            "calendar_events",
            {
                "calendar_id": calendar,
                "organizer_id": owner,
                "title": title,
                "description": "",
                "location": "My place",
                "start": f"{day}T19:00:00",
                "end": f"{day}T21:00:00",
                "all_day": 0,
                "recurrence": "none",
                "recurrence_until": None,
                "status": "confirmed",
                "busy": 1,
            },
            f"an event '{title}' on {day} 19:00-21:00 at 'My place' on my main calendar",
            what=f"events '{title}'",
        )
    ]
    for m in members:
        expectations.append(
            Inserted(
                "calendar_attendees",
                {"event_id": NewRow("calendar_events", {"title": title}), "person_id": m["id"], "response": "pending"}
                | {"comment": "", "responded_at": None},
                f"{m['email']} is invited",
                what=f"invitations of {m['email']}",
            )
        )
        if m["email"] in known:
            expectations.append(_text(owner, m, message))
    strangers = [m["id"] for m in members if m["email"] not in known]
    expectations += sent_email(
        view, owner, strangers, message, "the members not in my phone contacts get one email", subject=title
    )
    expectations += [
        reminder_sent(view, chosen["id"], owner, debtor, amount, settle)
        for debtor, amount in sorted(_owed_to(view, chosen["id"], owner).items())
    ]
    return TaskSpec(
        owner,
        f"Let's have a photo evening with everyone from my bill-splitting group '{name}', on the first of the Fridays "
        f"{', '.join(days)} when all of us (me too) are free from 19:00 to 21:00: put an event '{title}' on my main "
        "calendar that evening from 19:00 to 21:00 at 'My place', inviting every other member of the group. Text each "
        "of them who is in my phone contacts: 'Photo evening for <group name> on <YYYY-MM-DD> at 19:00 - check your "
        "calendar invite!', and send the others one email together, with the event's title as its subject and that "
        "text as its body. And send each member who still owes me in that group a payment reminder there with the "
        "message 'Photo evening on <YYYY-MM-DD>: please settle up for <group name> before then.'",
        Solution()
        .step(login("bill_splitting", "phone", "calendar", "email"))
        .step(look)
        .step(when)
        .step(act)
        .step(remind)
        .step(check)
        .step(done())
        .steps(),
        expectations,
    )


def _owed_to(view: WorldView, group_id: int, owner: int) -> dict[int, float]:
    return {
        debtor: amount for (debtor, creditor), amount in pair_debts(view.conn, group_id).items() if creditor == owner
    }


CHASE_PAID_AT_LEAST = 6  # expenses I paid in life_trip_chase_debtors' group: each one's shares read with show_expense
CHASE_PAID_AT_MOST = 20  # one email line each: more would make a letter no one writes


@scenario("life_trip_chase_debtors", apps=("bill_splitting", "phone", "email"))
def trip_chase_debtors(view: WorldView, rng: random.Random) -> TaskSpec:
    """Chasing escalates by history (unlike household_text_debtors, which texts every debtor with their shares):
    who was already reminded in the group and is in my contacts gets a text naming that last reminder's day; anyone
    else gets an in-app reminder. Deep: each email lists the debtor's share of every expense I paid there, which only
    show_expense gives (one per expense, 6+ of them; some split among only some members, so an even split is wrong)."""
    cases = []
    for p in groups_of(view, "AND (SELECT COUNT(*) FROM bill_splitting_members x WHERE x.group_id = g.id) >= 3"):
        owed = _owed_to(view, p["id"], p["owner"])
        reminded = _last_reminders(view, p["id"], p["owner"])
        firsts = [view.person(d)["first_name"] for d in owed]
        if (
            len(owed) >= 2
            and set(owed) & set(reminded)
            and set(owed) - set(reminded)
            and len(set(firsts)) == len(firsts)
        ):
            cases.append(p)

    def paid_enough(least: int) -> list[dict[str, Any]]:
        """The cases where I paid `least` to CHASE_PAID_AT_MOST expenses, some not split among every member (0: any
        case, for a sparse world)."""
        return [
            p
            for p in cases
            if not least
            or least <= len(paid := _paid_by(view, p["id"], p["owner"])) <= CHASE_PAID_AT_MOST
            and any(e["sharers"] < e["members"] for e in paid)
        ]

    _, usable = as_deep_as_found((CHASE_PAID_AT_LEAST, 1, 0), paid_enough)
    chosen = pick(
        rng,
        usable,
        f"group where two people owe me, one of them reminded before, and I paid {CHASE_PAID_AT_LEAST}+ expenses",
        distinct=True,
    )
    owner, name = chosen["owner"], chosen["name"]
    owed = _owed_to(view, chosen["id"], owner)
    reminded = _last_reminders(view, chosen["id"], owner)
    known = _in_contacts(view, owner)
    members = {m["id"]: m for m in _members(view, chosen["id"], owner)}
    look = f"group_name = {name!r}\n" + FIND_GROUP + CONTACTS
    look += fetch_all(
        "debts", "apis.bill_splitting.show_group_debts(access_token=bill_splitting_token, group_id=group['group_id']"
    )
    look += "mine = [d for d in debts if d['creditor']['email'] == me['email']]\nprint(mine)\n"
    history = fetch_all("sent", "apis.bill_splitting.show_reminders(access_token=bill_splitting_token, box='sent'")
    history += (
        "last = {}  # newest first: the first one seen per person is their last reminder in this group\n"
        "for r in sent:\n"
        "    if r['group_id'] == group['group_id'] and r['receiver']['email'] not in last:\n"
        "        last[r['receiver']['email']] = r['created_at'][:10]\n"
        "print(last)\n"
    )
    act = """\
    for d in mine:
        email = d['debtor']['email']
        if email in last and email in phones:
            first = d['debtor']['name'].split()[0]
            apis.phone.send_text_message(access_token=phone_token, phone_number=phones[email],
                                         message=f"Hi {first}, you still owe me ${d['amount']:.2f} for {group_name}. "
                                                 f"I reminded you on {last[email]}.")
        else:
            apis.bill_splitting.send_payment_reminder(access_token=bill_splitting_token, group_id=group['group_id'],
                                                      email=email, message=group_name)
    total = round(sum(d['amount'] for d in mine), 2)
    """
    shares = FIND_EXPENSES + (
        "shares = {}  # debtor's email -> their lines, one per expense I paid that they share\n"
        "for e in sorted((e for e in expenses if e['paid_by']['email'] == me['email']), key=lambda e: e['date']):\n"
        "    detail = apis.bill_splitting.show_expense(access_token=bill_splitting_token, expense_id=e['expense_id'])\n"
        "    for s in detail['shares']:\n"
        "        if s['amount'] > 0:\n"
        "            line = f\"{e['date']} {e['description']}: ${s['amount']:.2f}\"\n"
        "            shares.setdefault(s['email'], []).append(line)\n"
        "print(shares)\n"
    )
    mail = (
        "export = apis.bill_splitting.export_group_expenses(access_token=bill_splitting_token, "
        "group_id=group['group_id'])\n"
        "for d in mine:\n"
        "    first = d['debtor']['name'].split()[0]\n"
        f"    body = '\\n'.join([{EXPENSES_ATTACHED!r}, *shares.get(d['debtor']['email'], [])])\n"
        "    apis.email.send_email(access_token=email_token, recipients=[d['debtor']['email']], "
        "subject=f\"{group_name}: {first}, you owe me ${d['amount']:.2f}\", body=body, "
        "attachments=[{'file_name': export['file_name'], 'content': export['content']}])\n"
    )
    check = fetch_all("now", "apis.bill_splitting.show_reminders(access_token=bill_splitting_token, box='sent'")
    check += "print([(r['receiver']['email'], r['amount']) for r in now[: len(now) - len(sent)]])\n"
    expectations: list[Expectation] = []
    export = {export_name(name): "\n".join(export_lines(view, chosen["id"], owner)) + "\n"}
    for debtor, amount in sorted(owed.items()):
        m = members[debtor]
        lines = shares_of_mine(view, chosen["id"], owner, debtor, "")
        expectations += sent_email(
            view,
            owner,
            [debtor],
            InBlocks([EXPENSES_ATTACHED], *runs(lines, [line[:10] for line in lines])),  # one day's lines any order
            f"{m['first_name']} gets the group's expenses by email, with their {len(lines)} shares of mine",
            subject=f"{name}: {m['first_name']}, you owe me ${amount:.2f}",
            files=export,
        )
        if debtor in reminded and m["email"] in known:
            text = f"Hi {m['first_name']}, you still owe me ${amount:.2f} for {name}. "
            text += f"I reminded you on {reminded[debtor]}."
            expectations.append(_text(owner, m, text))
            continue
        expectations.append(
            Inserted(
                "bill_splitting_reminders",
                {"group_id": chosen["id"], "sender_id": owner, "receiver_id": debtor, "amount": amount}
                | {"message": name, "created_at": NOW, "is_read": 0},
                f"{m['email']} is reminded of {amount} in {name}",
                what=f"reminders to {m['email']}",
            )
        )
    total = round(sum(owed.values()), 2)
    return TaskSpec(
        owner,
        f"Chase what I'm owed in my bill-splitting group '{name}'. Each member who owes me and whom I already sent a "
        "payment reminder in that group gets a text instead, if they are in my phone contacts: 'Hi <first name>, you "
        "still owe me $<amount> for <group name>. I reminded you on <YYYY-MM-DD of my last reminder to them there>.' "
        f"(two decimals). Everyone else who owes me gets a payment reminder in the app with the message '{name}'. "
        "Also email each member who owes me the group's expense export from the app, as is, attached under the file "
        f"name the export gives, with the subject '{name}: <first name>, you owe me $<amount>' (two decimals) and the "
        f"text '{EXPENSES_ATTACHED}', followed by one line per expense I paid in the group that they have a share in, "
        "oldest first, as 'YYYY-MM-DD <description>: $<their share>' (two decimals). Tell me the total they owe me.",
        Solution()
        .step(login("bill_splitting", "phone", "email"))
        .step(look)
        .step(history)
        .step(act)
        .step(shares)
        .step(mail)
        .step(check)
        .step(done("total"))
        .steps(),
        [*expectations, Answer(total, f"they owe me {total} in total")],
    )


def _paid_by(view: WorldView, group_id: int, payer: int) -> list[dict[str, Any]]:
    """The expenses `payer` paid in a group, each with how many share it and how many members the group has."""
    return view.rows(
        "SELECT e.id, (SELECT COUNT(*) FROM bill_splitting_shares s WHERE s.expense_id = e.id AND s.amount > 0) "
        "AS sharers, (SELECT COUNT(*) FROM bill_splitting_members m WHERE m.group_id = e.group_id) AS members "
        "FROM bill_splitting_expenses e WHERE e.group_id = ? AND e.paid_by = ? ORDER BY e.id",
        group_id,
        payer,
    )


def _last_reminders(view: WorldView, group_id: int, sender: int) -> dict[int, str]:
    """The day of the last payment reminder `sender` sent each person in a group."""
    return {
        r["receiver_id"]: r["day"]
        for r in view.rows(
            "SELECT receiver_id, substr(MAX(created_at), 1, 10) AS day FROM bill_splitting_reminders "
            "WHERE group_id = ? AND sender_id = ? GROUP BY receiver_id",
            group_id,
            sender,
        )
    }


PAID_AT_LEAST = 10  # expenses I paid in life_trip_paid_file's group: the file's depth is one show_expense each


@scenario("life_trip_paid_file", apps=("bill_splitting", "file_system"))
def trip_paid_file(view: WorldView, rng: random.Random) -> TaskSpec:
    """Who shared each expense I paid in a group, filed with the total. Deep: who has a share is only in
    show_expense, one call per expense I paid, and I paid 10+ there (over several pages of the group's list)."""
    pairs = groups_of(
        view,
        "AND (SELECT COUNT(*) FROM bill_splitting_expenses e WHERE e.group_id = g.id AND e.paid_by = m.person_id) "
        f">= {PAID_AT_LEAST}",
    )
    chosen = pick(rng, pairs, f"group where I paid {PAID_AT_LEAST}+ expenses", distinct=True)
    owner, name = chosen["owner"], chosen["name"]
    slug = "_".join(name.lower().replace("'", "").split())
    path = f"/documents/{slug}_paid.txt"
    mine = view.rows(
        "SELECT id, date, description, amount FROM bill_splitting_expenses WHERE group_id = ? AND paid_by = ? "
        "ORDER BY date, id",
        chosen["id"],
        owner,
    )
    lines = []
    for e in mine:
        shared = sorted(
            full_name(view, r["person_id"])
            for r in view.rows(
                "SELECT person_id FROM bill_splitting_shares WHERE expense_id = ? AND person_id != ? AND amount > 0",
                e["id"],
                owner,
            )
        )
        lines.append(f"{e['date']} {e['description']}: ${e['amount']:.2f}, shared with {', '.join(shared) or 'nobody'}")
    total = round(sum(e["amount"] for e in mine), 2)
    look = f"group_name = {name!r}\n" + FIND_GROUP + FIND_EXPENSES
    look += "paid = sorted((e for e in expenses if e['paid_by']['email'] == me['email']), key=lambda e: e['date'])\n"
    look += "print(len(expenses), len(paid))\n"
    details = (
        "shared = {}\n"
        "for e in paid:\n"
        "    detail = apis.bill_splitting.show_expense(access_token=bill_splitting_token, expense_id=e['expense_id'])\n"
        "    shared[e['expense_id']] = sorted(s['name'] for s in detail['shares'] "
        "if s['email'] != me['email'] and s['amount'] > 0)\n"
        "print(shared)\n"
    )
    act = (
        "lines = [f\"{e['date']} {e['description']}: ${e['amount']:.2f}, shared with "
        "{', '.join(shared[e['expense_id']]) or 'nobody'}\" for e in paid]\n"
        "total = round(sum(e['amount'] for e in paid), 2)\n"
        "lines.append(f'Total: ${total:.2f}')\n"
        f"apis.file_system.create_file(access_token=file_system_token, path={path!r}, content='\\n'.join(lines))\n"
    )
    check = f"print(apis.file_system.show_file(access_token=file_system_token, path={path!r})['content'])\n"
    others = round(
        sum(
            e["amount"]
            for e in view.rows("SELECT amount FROM bill_splitting_expenses WHERE group_id = ?", chosen["id"])
        ),
        2,
    )
    return TaskSpec(
        owner,
        f"Write down what I paid for our bill-splitting group '{name}': create the file {path} with one line per "
        "expense I paid there, oldest first, as 'YYYY-MM-DD <description>: $<amount>, shared with <the full names "
        "of the others who have a share of it, alphabetical, joined by ', '>' (two decimals; 'nobody' when it is only "
        "mine), then a last line 'Total: $<sum>'. Tell me that total.",
        Solution()
        .step(login("bill_splitting", "file_system"))
        .step(look)
        .step(details)
        .step(act)
        .step(check)
        .step(done("total"))
        .steps(),
        [
            Inserted(
                "file_system_files",
                new_file(owner, path, InBlocks(*runs(lines, [e["date"] for e in mine]), [f"Total: ${total:.2f}"])),
                f"{path} lists the {len(lines)} expenses I paid, oldest first, with who shared each, then the total",
                what=f"files {path}",
            ),
            Answer(total, f"I paid {total}", traps={f"{others:g}": "that is what the whole group spent"}),
        ],
    )


@scenario("life_trip_payback_tasks", apps=("bill_splitting", "todo", "phone", "email"))
def trip_payback_tasks(view: WorldView, rng: random.Random) -> TaskSpec:
    """Conditional: tasks only when I owe someone in the group (variant 2 picks a group where I owe nobody). Deep:
    a task's priority comes from the payment reminders I received in that group, and each creditor hears from me
    by text or by email depending on my phone contacts; when I owe, I owe 4+ people (a big trip group), each told
    apart by reminders and contacts; when I owe nobody, that is read off 9+ debts between the others, over pages."""
    owing = variant_of(rng) % 3 != 2
    pairs = []
    for p in groups_of(view):
        creditors = {c for (d, c) in pair_debts(view.conn, p["id"]) if d == p["owner"]}
        if not project_of(view, p["owner"], "Finance") or bool(creditors) != owing:
            continue
        reminded = _reminded_by(view, p["id"], p["owner"])
        known = {m["id"] for m in _members(view, p["id"], p["owner"]) if m["email"] in _in_contacts(view, p["owner"])}
        if not owing and len(pair_debts(view.conn, p["id"])) < 9:
            continue  # owing nobody must be read off a big group's debts, over pages
        if not owing or (len(creditors) >= 4 and creditors & reminded and creditors - reminded and creditors - known):
            pairs.append(p)
    chosen = pick(rng, pairs, "group membership", distinct=True)
    owner, name = chosen["owner"], chosen["name"]
    project = project_of(view, owner, "Finance")
    assert project is not None
    debts = {c: a for (d, c), a in pair_debts(view.conn, chosen["id"]).items() if d == owner}
    reminded = _reminded_by(view, chosen["id"], owner)
    members = {m["id"]: m for m in _members(view, chosen["id"], owner)}
    known = _in_contacts(view, owner)
    others = [full_name(view, p) for p in members]
    look = f"group_name = {name!r}\n" + FIND_GROUP
    look += fetch_all(
        "debts", "apis.bill_splitting.show_group_debts(access_token=bill_splitting_token, group_id=group['group_id']"
    )
    look += "owe = [d for d in debts if d['debtor']['email'] == me['email']]\nprint(owe)\n"
    look += fetch_all(
        "reminders", "apis.bill_splitting.show_reminders(access_token=bill_splitting_token, box='received'"
    )
    look += "reminded = {r['sender']['email'] for r in reminders if r['group_id'] == group['group_id']}\n"
    look += CONTACTS + "print(reminded, phones)\n"
    act = fetch_all("projects", "apis.todo.show_projects(access_token=todo_token, query='Finance'", "    ")
    act = (
        "if owe:\n" + act + "    finance = next(p for p in projects if p['name'] == 'Finance')\n"
        "    for d in owe:\n"
        "        creditor = d['creditor']\n"
        "        apis.todo.create_task(access_token=todo_token, project_id=finance['project_id'], "
        "title=f\"Pay back {creditor['name']} (${d['amount']:.2f})\", due_date='2026-05-25', "
        "priority=1 if creditor['email'] in reminded else 2, description=group_name)\n"
        "        text = f\"I'll pay you back ${d['amount']:.2f} for {group_name} by 2026-05-25.\"\n"
        "        if creditor['email'] in phones:\n"
        "            apis.phone.send_text_message(access_token=phone_token, phone_number=phones[creditor['email']], "
        "message=text)\n"
        "        else:\n"
        "            apis.email.send_email(access_token=email_token, recipients=[creditor['email']], "
        "subject=f'Paying you back for {group_name}', body=text)\n"
    )
    check = (
        fetch_all("tasks", "apis.todo.search_tasks(access_token=todo_token, query='Pay back', completed=False")
        + "print([(t['title'], t['priority']) for t in tasks])\n"
    )
    emailed = [c for c in debts if members[c]["email"] not in known]
    expectations: list[Expectation] = []
    for c, a in sorted(debts.items()):
        m, priority = members[c], 1 if c in reminded else 2
        expectations.append(
            Inserted(
                "todo_tasks",
                new_task(
                    owner,
                    project["id"],
                    f"Pay back {full_name(view, c)} (${a:.2f})",
                    due_date="2026-05-25",
                    priority=priority,
                    description=name,
                ),
                f"a task to pay back {full_name(view, c)} ${a:.2f}, due 2026-05-25, priority {priority}",
                what=f"pay-back tasks for {full_name(view, c)}",
            )
        )
        text = f"I'll pay you back ${a:.2f} for {name} by 2026-05-25."
        if m["email"] in known:
            expectations.append(_text(owner, m, text))
        else:
            expectations += sent_email(
                view,
                owner,
                [c],
                text,
                f"{full_name(view, c)} gets an email that I'll pay them back",
                subject=f"Paying you back for {name}",
                alike=len(emailed),
            )
    return TaskSpec(
        owner,
        f"Do I still owe anyone in my bill-splitting group '{name}'? If so, for each of them add a task 'Pay back "
        "<their full name> ($<amount>)' (two decimals) to my Finance project in my todo app, due 2026-05-25, with the "
        "group's name as its description, priority 1 if they already sent me a payment reminder in that group and 2 "
        "otherwise; and tell each of them 'I'll pay you back $<amount> for <group name> by 2026-05-25.', by text if "
        "they are in my phone contacts, else in an email of its own with the subject 'Paying you back for <group "
        "name>' and that text as its body. If I owe nobody there, change nothing. Either way, tell me the full names "
        "of the other members of that group.",
        Solution()
        .step(login("bill_splitting", "todo", "phone", "email"))
        .step(look)
        .step(act)
        .step(check)
        .step(done("[m['name'] for m in group['members'] if m['email'] != me['email']]"))
        .steps(),
        [*expectations, Answer(others, "the answer names the other members of the group")],
        noop_pass=not expectations,
    )


def _reminded_by(view: WorldView, group_id: int, receiver: int) -> set[int]:
    """The people who sent `receiver` a payment reminder in the group."""
    return {
        r["sender_id"]
        for r in view.rows(
            "SELECT sender_id FROM bill_splitting_reminders WHERE group_id = ? AND receiver_id = ?", group_id, receiver
        )
    }
