"""Money owed between people: shares asked for by email paid on payments, debtors reminded by text."""

from __future__ import annotations

import random
import re
from datetime import date

from envs.toolworld.evaluate import Answer, Expectation, Inserted, Updated
from envs.toolworld.scenarios._common import Solution, fetch_all, full_name, login, pick
from envs.toolworld.scenarios._money import money
from envs.toolworld.scenarios.email import labelled, sent_email
from envs.toolworld.scenarios.payments import balance_changes, befriend_code, befriended, request_reminded, texted
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

PAID_BACK = "Paid back"
NAGGED = 2  # requests reminded this often already get no more app reminders
ASK = re.compile(r"I paid \$[\d.]+ for the (.+)\. Could you send me your share of \$([\d.]+) when you can\?")


def _day_words(day: str) -> str:
    return date.fromisoformat(day).strftime("%B %-d, %Y")


def _share_asks(view: WorldView, owner: int, since: str) -> list[dict]:
    """The 'Paying you back' emails others sent `owner` since a day, outside spam and trash, with what they ask."""
    found = []
    for m in view.rows(
        "SELECT m.sender_id, m.body, m.sent_at, m.thread_id, t.conversation_id, t.is_archived FROM email_messages m "
        "JOIN email_threads t ON t.id = m.thread_id "
        "WHERE m.owner_id = ? AND m.sender_id != m.owner_id AND t.subject = 'Paying you back' AND m.sent_at >= ? "
        "AND t.is_trashed = 0 AND t.is_spam = 0 ORDER BY m.sent_at",
        owner,
        since,
    ):
        ask = ASK.fullmatch(m["body"])
        if ask:
            found.append({**m, "item": ask.group(1), "share": float(ask.group(2))})
    return found


@scenario("money_email_pay_back_shares", apps=("email", "payments"))
def pay_back_shares(view: WorldView, rng: random.Random) -> TaskSpec:
    """Pay each share asked for by a 'Paying you back' email since a day and reply to that email; older asks and the
    asks I sent are distractors; the answer is the total paid."""
    since = rng.choice(["2025-07-01", "2025-08-01", "2025-09-01"])
    blocked = {(r["owner_id"], r["blocked_id"]) for r in view.rows("SELECT owner_id, blocked_id FROM payments_blocks")}
    balances = {r["person_id"]: r["balance"] for r in view.rows("SELECT person_id, balance FROM payments_balances")}
    candidates = []
    for owner in view.people_ids():
        asks = _share_asks(view, owner, since)
        older = _share_asks(view, owner, "2024-01-01")
        if (
            3 <= len(asks) <= 8
            and len(older) > len(asks)
            and sum(a["share"] for a in asks) <= balances.get(owner, 0)
            and not any({(owner, a["sender_id"]), (a["sender_id"], owner)} & blocked for a in asks)
        ):
            candidates.append((owner, asks))
    owner, asks = pick(rng, candidates, "person asked for shares by email", distinct=True)
    paid: dict[tuple[int, float, str], int] = {}
    deltas: dict[int, float] = {owner: 0.0}
    for a in asks:
        key = (a["sender_id"], a["share"], f"{a['item']} share")
        paid[key] = paid.get(key, 0) + 1
        deltas[owner] -= a["share"]
        deltas[a["sender_id"]] = deltas.get(a["sender_id"], 0.0) + a["share"]
    expectations: list[Expectation] = [
        Inserted(
            "payments_transactions",
            {"sender_id": owner, "receiver_id": receiver, "amount": amount, "note": note, "private": 1},
            f"{full_name(view, receiver)} is paid {money(amount)} privately with the note '{note}'"
            + (f" ({n} times)" if n > 1 else ""),
            count=n,
            what="payments",
        )
        for (receiver, amount, note), n in sorted(paid.items())
    ]
    expectations += balance_changes(view, deltas)
    for a in asks:
        expectations += sent_email(
            view,
            owner,
            [a["sender_id"]],
            f"Sent you {money(a['share'])} for the {a['item']}. Thanks!",
            f"{full_name(view, a['sender_id'])} gets a reply about the {a['item']}",
            conversation=a["conversation_id"],
        )
    expectations += befriended(view, owner, {a["sender_id"] for a in asks}, "who asked for a share")
    threads = {a["thread_id"]: a for a in asks}
    expectations += labelled(
        view,
        owner,
        PAID_BACK,
        [t for t in threads if not _has_label(view, t, PAID_BACK)],
        f"each thread asking for a share carries the label '{PAID_BACK}'",
    )
    expectations += [
        Updated(
            "email_threads", t, {"is_archived": 1}, f"the thread of {full_name(view, a['sender_id'])}'s ask is archived"
        )
        for t, a in threads.items()
        if not a["is_archived"]
    ]
    total = round(sum(a["share"] for a in asks), 2)
    every = round(sum(a["share"] for a in _share_asks(view, owner, "2000-01-01")), 2)
    expectations.append(
        Answer(
            total,
            f"the answer is the total paid back ({money(total)})",
            traps={f"{every:g}": f"that includes the emails from before {since}"},
        )
    )
    look = (
        login("email", "payments")
        + fetch_all(
            "emails",
            f"apis.email.search_emails(access_token=email_token, query='Paying you back', sent_after={since!r}",
        )
        + "asks = []\n"
        "for e in emails:\n"
        "    if e['subject'] != 'Paying you back' or e['sender']['email'] == me['email']:\n"
        "        continue\n"
        "    found = re.search(r'for the (.+)\\. Could you send me your share of \\$([\\d.]+)', e['body'])\n"
        "    if found:\n"
        "        asks.append((e['email_id'], e['sender']['email'], found.group(1), float(found.group(2)), "
        "e['thread_id']))\n"
        "print(asks)\n"
        "print(apis.payments.show_balance(access_token=payments_token))\n"
    )
    befriend = befriend_code("{a[1] for a in asks}")
    act = (
        "sent = []\n"
        "for email_id, email, item, share, thread_id in asks:\n"
        "    payment = apis.payments.send_money(access_token=payments_token, receiver_email=email, amount=share, "
        "note=f'{item} share', private=True)\n"
        "    sent.append(payment['transaction_id'])\n"
        "    apis.email.reply_to_email(access_token=email_token, email_id=email_id, "
        "body=f'Sent you ${share:.2f} for the {item}. Thanks!')\n"
    )
    file_away = (
        fetch_all("labels", "apis.email.show_labels(access_token=email_token")
        + f"label = next((l for l in labels if l['name'] == {PAID_BACK!r}), None)\n"
        "if label is None:\n"
        f"    label = apis.email.create_label(access_token=email_token, name={PAID_BACK!r})\n"
        "for thread_id in dict.fromkeys(a[4] for a in asks):\n"
        "    thread = apis.email.show_thread(access_token=email_token, thread_id=thread_id)\n"
        f"    if {PAID_BACK!r} not in thread['labels']:\n"
        "        apis.email.add_label_to_thread(access_token=email_token, thread_id=thread_id, "
        "label_id=label['label_id'])\n"
        "    if not thread['is_archived']:\n"
        "        apis.email.archive_thread(access_token=email_token, thread_id=thread_id)\n"
    )
    check = (
        "for transaction_id in sent:\n"
        "    t = apis.payments.show_transaction(access_token=payments_token, transaction_id=transaction_id)\n"
        "    print(t['receiver']['name'], t['amount'], t['note'], t['private'])\n"
        + fetch_all(
            "filed", f"apis.email.show_threads(access_token=email_token, folder='archived', label={PAID_BACK!r}"
        )
        + "print(len(filed), 'threads filed')\n"
        "apis.supervisor.complete_task(answer=round(sum(a[3] for a in asks), 2))\n"
    )
    return TaskSpec(
        owner,
        "People emailed me asking for my share of things they paid for (subject 'Paying you back', saying 'I paid "
        "$X for the <thing>. Could you send me your share of $Y when you can?'). For every such email I received "
        f"since {_day_words(since)}, send its sender the share it asks for on the payments app, privately, with the "
        "note '<thing> share' (e.g. 'pizza share'), and reply to that email 'Sent you $<share> for the <thing>. "
        "Thanks!' (two decimals). Make each of those senders my payments friend if they are not yet. Put my email "
        f"label '{PAID_BACK}' on each of those threads (create the label if I have none) and archive them. Then tell "
        "me how much I sent in total.",
        Solution().step("import re\n" + look).step(befriend).step(act).step(file_away).step(check).steps(),
        expectations,
    )


def _has_label(view: WorldView, thread_id: int, label: str) -> bool:
    return bool(
        view.rows(
            "SELECT 1 FROM email_thread_labels x JOIN email_labels l ON l.id = x.label_id "
            "WHERE x.thread_id = ? AND l.name = ?",
            thread_id,
            label,
        )
    )


@scenario("money_text_debtors", apps=("payments", "phone"))
def text_debtors(view: WorldView, rng: random.Random) -> TaskSpec:
    """One text per person who still owes me (pending requests I sent), with their total and what for; the number
    comes from my phone contacts; the answer is the total owed."""
    rows = view.rows(
        "SELECT q.id, q.requester_id, q.payer_id, q.amount, q.note, q.created_at, q.reminders, c.phone_number, "
        "(SELECT notify_requests FROM payments_settings s WHERE s.person_id = q.payer_id) AS notify_requests, "
        "(SELECT COUNT(*) FROM phone_contacts d WHERE d.owner_id = q.requester_id "
        "AND d.first_name = c.first_name AND d.last_name = c.last_name) AS same_name "
        "FROM payments_requests q JOIN people p ON p.id = q.payer_id LEFT JOIN phone_contacts c "
        "ON c.owner_id = q.requester_id AND c.phone_number = p.phone_number AND c.email = p.email "
        "WHERE q.status = 'pending' ORDER BY q.created_at, q.id"
    )
    by_owner: dict[int, list[dict]] = {}
    for r in rows:
        by_owner.setdefault(r["requester_id"], []).append(r)
    blocked = {
        (r["owner_id"], r["phone_number"]) for r in view.rows("SELECT owner_id, phone_number FROM phone_blocked")
    }
    candidates = [
        owner
        for owner, mine in sorted(by_owner.items())
        if 2 <= len({r["payer_id"] for r in mine}) <= 6
        and len(mine) > len({r["payer_id"] for r in mine})
        and all(r["phone_number"] and r["same_name"] == 1 for r in mine)
        and not any((r["payer_id"], view.person(owner)["phone_number"]) in blocked for r in mine)
    ]
    owner = pick(rng, candidates, "requester whose debtors are all in the phone contacts", distinct=True)
    mine = by_owner[owner]
    expectations: list[Expectation] = []
    for payer in dict.fromkeys(r["payer_id"] for r in mine):
        theirs = [r for r in mine if r["payer_id"] == payer]
        owed = round(sum(r["amount"] for r in theirs), 2)
        notes = ", ".join(r["note"] for r in theirs)
        text = f"Hi {view.person(payer)['first_name']}, a reminder: you still owe me {money(owed)} for {notes}."
        expectations.append(texted(view, owner, payer, text))
    me = view.person(owner)["first_name"]
    for r in mine:
        if r["reminders"] < NAGGED:
            expectations += request_reminded(view, r, me)
    total = round(sum(r["amount"] for r in mine), 2)
    expectations.append(Answer(total, f"the answer is what everyone owes me together ({money(total)})"))
    look = (
        login("payments", "phone")
        + fetch_all(
            "pending", "apis.payments.show_requests(access_token=payments_token, direction='sent', status='pending'"
        )
        + "pending.sort(key=lambda r: (r['created_at'], r['request_id']))\n"
        "debts = {}\n"
        "for r in pending:\n"
        "    debts.setdefault((r['payer']['name'], r['payer']['email']), []).append(r)\n"
        "print({k: [(r['amount'], r['note']) for r in v] for k, v in debts.items()})\n"
    )
    find = (
        "numbers = {}\n"
        "for name, email in debts:\n"
        + fetch_all("found", "apis.phone.search_contacts(access_token=phone_token, query=name", indent="    ")
        + "    numbers[email] = next(c['phone_number'] for c in found if c['email'] == email)\n"
        "print(numbers)\n"
    )
    act = (
        "for (name, email), theirs in debts.items():\n"
        "    owed = round(sum(r['amount'] for r in theirs), 2)\n"
        "    notes = ', '.join(r['note'] for r in theirs)\n"
        '    text = f"Hi {name.split()[0]}, a reminder: you still owe me ${owed:.2f} for {notes}."\n'
        "    apis.phone.send_text_message(access_token=phone_token, phone_number=numbers[email], message=text)\n"
        "    for r in theirs:\n"
        f"        if r['reminders'] < {NAGGED}:\n"
        "            apis.payments.remind_request(access_token=payments_token, request_id=r['request_id'])\n"
    )
    check = (
        "for email, number in numbers.items():\n"
        "    print(apis.phone.search_text_messages(access_token=phone_token, phone_number=number, page_limit=1))\n"
        "for r in pending:\n"
        "    again = apis.payments.show_request(access_token=payments_token, request_id=r['request_id'])\n"
        "    print(again['request_id'], again['status'], again['reminders'])\n"
        "apis.supervisor.complete_task(answer=round(sum(r['amount'] for r in pending), 2))\n"
    )
    return TaskSpec(
        owner,
        "Remind everyone who still owes me money on the payments app (my pending requests) with one text message "
        "each, to the number in my phone contacts: 'Hi <their first name>, a reminder: you still owe me $<the sum of "
        "their pending requests, two decimals> for <the notes of those requests, oldest first, joined by ', '>.' "
        "Also send the app's reminder on each of those requests, except the ones already reminded "
        f"{NAGGED} times or more (a text will do for those). Then tell me how much everyone owes me in total.",
        Solution().step(look).step(find).step(act).step(check).steps(),
        expectations,
    )
