"""Work admin from the inbox, without the todo app (train/dev/test_normal): shares owed asked for through payments,
meeting notes filed as text files."""

from __future__ import annotations

import random
import re
from typing import Any

from envs.toolworld.evaluate import Answer, Expectation, InOrder, Inserted, NewRow, Updated
from envs.toolworld.scenarios._common import Solution, as_deep_as_found, fetch_all, login, pick
from envs.toolworld.scenarios._work import DONE, day
from envs.toolworld.scenarios.email import sent_email
from envs.toolworld.scenarios.shop_bills_files import receipt
from envs.toolworld.scenarios.work_files import new_file
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

SHARE = re.compile(r"I paid \$[\d.]+ for (.+)\. Could you send me your share of \$([\d.]+) when you can\?")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


REQUESTED = "I've sent you a payment request for ${share}."
THANKS = "Thanks, I got your ${share}!"


def paid_since(view: WorldView, ask: dict) -> bool:
    """Whether the payer of an ask email sent its share to its sender after it."""
    match = SHARE.match(ask["body"])
    return match is not None and bool(
        view.rows(
            "SELECT 1 FROM payments_transactions WHERE sender_id = ? AND receiver_id = ? AND amount = ? "
            "AND created_at > ?",
            ask["payer"],
            ask["owner_id"],
            float(match.group(2)),
            ask["sent_at"],
        )
    )


@scenario("work_share_requests", apps=("email", "payments"))
def share_requests(view: WorldView, rng: random.Random) -> TaskSpec:
    """The shares I asked for by email since a date become payment requests; replies, older asks and the asks others
    sent me are distractors; the answer is the computed total."""
    since = day(-rng.choice((240, 300, 365)))
    sent = view.rows(
        "SELECT m.owner_id, m.recipients, m.body, m.sent_at, t.conversation_id, t.id AS thread, t.is_archived, "
        "f.id AS payer FROM email_messages m "
        "JOIN email_threads t "
        "ON t.id = m.thread_id JOIN people f ON f.email = m.recipients WHERE m.sender_id = m.owner_id "
        "AND t.subject = 'Paying you back' AND m.body LIKE 'I paid %' AND m.sent_at >= ? AND t.is_trashed = 0 "
        "AND t.is_spam = 0 ORDER BY m.id",
        since,
    )
    blocked = {(r["owner_id"], r["blocked_id"]) for r in view.rows("SELECT owner_id, blocked_id FROM payments_blocks")}
    asks: dict[int, list[dict]] = {}
    for r in sent:
        asks.setdefault(r["owner_id"], []).append(r)
    owners = [
        o
        for o, rows in sorted(asks.items())
        if len(rows) >= 3
        and not any({(o, r["payer"]), (r["payer"], o)} & blocked for r in rows)
        and not any(paid_since(view, r) for r in rows)  # the rule's other branch (thank, no request) never applies
    ]
    owner = pick(rng, owners, "person who asked for shares by email lately", distinct=True)
    mine = asks[owner]
    look = (
        login("email", "payments")
        + fetch_all(
            "found",
            f"apis.email.search_emails(access_token=email_token, query='send me your share', sent_after={since!r}",
        )
        + "mine = [e for e in found if e['sender']['email'] == me['email'] and e['body'].startswith('I paid')]\n"
        + "print([(e['recipients'], e['body']) for e in mine])\n"
    )
    act = f"""
        import re
        pattern = re.compile(r"for (.+)\\. Could you send me your share of \\$([\\d.]+)")
        total = 0.0
        for e in mine:
            what, share = pattern.search(e['body']).groups()
            payer = e['recipients'][0]
            got = apis.payments.show_transactions(access_token=payments_token, direction='received',
                                                  with_email=payer, start_date=e['sent_at'][:10], page_limit=20)
            if any(t['amount'] == float(share) and t['created_at'] > e['sent_at'] for t in got):
                reply = {THANKS!r}.format(share=share)
            else:
                apis.payments.request_money(access_token=payments_token, payer_email=payer, amount=float(share),
                                            note=what)
                total += float(share)
                reply = {REQUESTED!r}.format(share=share)
            apis.email.reply_to_email(access_token=email_token, email_id=e['email_id'], body=reply)
            if not apis.email.show_thread(access_token=email_token, thread_id=e['thread_id'])['is_archived']:
                apis.email.archive_thread(access_token=email_token, thread_id=e['thread_id'])
        """
    check = (
        fetch_all(
            "requests", "apis.payments.show_requests(access_token=payments_token, direction='sent', status='pending'"
        )
        + "print(len(requests))\n"
        + "apis.supervisor.complete_task(answer=round(total, 2))\n"
    )
    expectations: list[Expectation] = []
    total = 0.0
    for r in mine:
        match = SHARE.match(r["body"])
        if match is None:
            raise LookupError(f"an ask email does not read as expected: {r['body']!r}")
        expectations += sent_email(
            view,
            owner,
            [r["payer"]],
            REQUESTED.format(share=match.group(2)),
            f"my ask to {r['recipients']} gets the reply that the request is sent",
            conversation=r["conversation_id"],
        )
        if not r["is_archived"]:
            expectations.append(
                Updated("email_threads", r["thread"], {"is_archived": 1}, f"my ask to {r['recipients']} is archived")
            )
        what, share = match.group(1), float(match.group(2))
        total += share
        expectations.append(
            Inserted(
                "payments_requests",
                {
                    "requester_id": owner,
                    "payer_id": r["payer"],
                    "amount": share,
                    "note": what,
                    "status": "pending",
                    "resolved_at": None,
                    "reminders": 0,
                    "last_reminded_at": None,
                },
                f"{r['recipients']} is asked for ${share:.2f} for '{what}'",
                what="requests",
            )
        )
    expectations.append(
        Answer(round(total, 2), f"the answer is the total requested (${total:.2f})", traps={"0": "nothing requested"})
    )
    return TaskSpec(
        owner,
        f"Since {since} I emailed people asking for their share of things I paid for ('I paid $X for <what>. Could "
        "you send me your share of $Y when you can?'). Turn each of those asks into a payment request to that person "
        "for the share, with <what> as the note (for example 'the ski rental'), and reply to the ask: '"
        + REQUESTED.format(share="<share>")
        + "' But if that person already sent me exactly that share on the payments app after my email, don't "
        "request it: reply '"
        + THANKS.format(share="<share>")
        + "' instead. Then archive the ask's thread (if it isn't yet). Tell me the total you requested.",
        Solution().step(look).step(act).step(check).steps(),
        expectations,
    )


MIN_MEETING_THREADS = 8  # 'Meeting notes' threads of the year: each opened with show_thread, labelled, archived


def meeting_threads(view: WorldView) -> dict[tuple[int, str], list[dict[str, Any]]]:
    """(owner, year) -> the owner's 'Meeting notes <Month> <year>' threads (not trashed or spam), each with its
    first email's text and time, oldest first email first."""
    threads = view.rows(
        "SELECT t.id, t.owner_id, t.subject, t.is_archived, m.body AS first, m.sent_at AS first_at "
        "FROM email_threads t JOIN email_messages m ON m.id = (SELECT o.id FROM email_messages o "
        "WHERE o.thread_id = t.id ORDER BY o.sent_at, o.id LIMIT 1) WHERE t.subject LIKE 'Meeting notes %' "
        "AND t.is_trashed = 0 AND t.is_spam = 0 ORDER BY m.sent_at, t.id"
    )
    by_owner_year: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for t in threads:
        by_owner_year.setdefault((t["owner_id"], t["subject"].rsplit(" ", 1)[1]), []).append(t)
    return by_owner_year


def month_file(year: str, subject: str) -> str:
    return f"/work/meeting_notes/{year}-{MONTHS.index(subject.split()[2]) + 1:02d}.txt"


@scenario("work_file_meeting_notes", apps=("email", "file_system"))
def file_meeting_notes(view: WorldView, rng: random.Random) -> TaskSpec:
    """Each 'Meeting notes <Month> <Year>' thread of one year filed: one file per month holding the first email of
    each of that month's threads, oldest first; other years and the replies are distractors. Deep: 8+ threads
    (MIN_MEETING_THREADS), each opened (the first email's text is only in show_thread), labelled and archived, and
    months with several threads share a file."""
    by_owner_year = meeting_threads(view)

    def told_apart(threads: list[dict[str, Any]]) -> bool:
        """No two threads of one month whose first emails differ but were sent at the same time (no oldest)."""
        firsts: dict[tuple[str, str], set[str]] = {(t["subject"], t["first_at"]): set() for t in threads}
        for t in threads:
            firsts[(t["subject"], t["first_at"])].add(t["first"])
        return all(len(texts) == 1 for texts in firsts.values())

    least, pairs = as_deep_as_found(
        (MIN_MEETING_THREADS, 2),
        lambda n: sorted(k for k, v in by_owner_year.items() if len(v) >= n and told_apart(v)),
    )
    owner, year = pick(rng, pairs, f"person with {least}+ meeting-notes threads in a year", distinct=True)
    mine = by_owner_year[(owner, year)]
    months: dict[str, list[str]] = {}
    for t in mine:
        months.setdefault(month_file(year, t["subject"]), []).append(t["first"])
    look = (
        login("email", "file_system")
        + fetch_all(
            "found", f"apis.email.show_threads(access_token=email_token, folder='all', query='Meeting notes {year}'"
        )
        + "found = [t for t in found if t['subject'].startswith('Meeting notes ') "
        + f"and t['subject'].endswith(' {year}')]\n"
        + fetch_all("labels", "apis.email.show_labels(access_token=email_token, query='Filed'")
        + "filed = next((x['label_id'] for x in labels if x['name'] == 'Filed'), None)\n"
        + "print([t['subject'] for t in found], filed)\n"
    )
    read = f"""
        months = {list(MONTHS)!r}
        notes = {{}}
        for t in found:
            thread = apis.email.show_thread(access_token=email_token, thread_id=t['thread_id'])
            first = min(thread['emails'], key=lambda e: e['sent_at'])
            path = '/work/meeting_notes/{year}-' + str(months.index(t['subject'].split()[2]) + 1).zfill(2) + '.txt'
            notes.setdefault(path, []).append((first['sent_at'], first['body']))
            t['archived'] = thread['is_archived']
        print({{path: len(texts) for path, texts in notes.items()}})
        """
    act = """
        for path, texts in notes.items():
            apis.file_system.create_file(access_token=file_system_token, path=path,
                                         content='\\n'.join(body for _, body in sorted(texts)), parents=True)
        if filed is None:
            filed = apis.email.create_label(access_token=email_token, name='Filed')['label_id']
        for t in found:
            apis.email.add_label_to_thread(access_token=email_token, thread_id=t['thread_id'], label_id=filed)
            if not t['archived']:
                apis.email.archive_thread(access_token=email_token, thread_id=t['thread_id'])
        """
    check = (
        fetch_all("saved", "apis.file_system.show_directory(access_token=file_system_token, path='/work/meeting_notes'")
        + "print([f['path'] for f in saved])\n"
        + DONE
    )
    expectations: list[Expectation] = []
    for i, (path, texts) in enumerate(sorted(months.items())):
        requirement = f"{path} holds the first email of " + (
            "its thread" if len(texts) == 1 else f"each of its {len(texts)} threads, oldest first"
        )
        made = new_file(view, owner, path, InOrder(texts), requirement)  # a trailing newline is no other text
        expectations += made if i == 0 else made[-1:]
    label = view.rows("SELECT id FROM email_labels WHERE owner_id = ? AND name = 'Filed'", owner)
    if not label:
        expectations.append(
            Inserted("email_labels", {"owner_id": owner, "name": "Filed"}, "a label 'Filed' is made", what="labels")
        )
    label_id = label[0]["id"] if label else NewRow("email_labels", {"owner_id": owner, "name": "Filed"})
    expectations += [
        Inserted(
            "email_thread_labels",
            {"thread_id": t["id"], "label_id": label_id},
            f"the thread '{t['subject']}' is labelled 'Filed'",
            what="thread labels",
        )
        for t in mine
    ]
    expectations += [
        Updated("email_threads", t["id"], {"is_archived": 1}, f"the thread '{t['subject']}' is archived")
        for t in mine
        if not t["is_archived"]
    ]
    return TaskSpec(
        owner,
        f"File my 'Meeting notes <Month> {year}' email threads (leave out any in my spam or trash): save the text of "
        "each one's first email in "
        f"/work/meeting_notes/{year}-<month number, two digits>.txt (make the folder if needed); when a month has "
        "several threads, that month's file holds the first email of each, one per line, oldest first. Then label "
        f"each thread 'Filed' (make that email label if I don't have it) and archive it if it isn't yet. Only "
        f"{year}'s.",
        Solution().step(look).step(read).step(act).step(check).steps(),
        expectations,
    )


@scenario("work_office_expenses_file", apps=("shop", "file_system"))
def office_expenses_file(view: WorldView, rng: random.Random) -> TaskSpec:
    """A year's office supplies from delivered shop orders (category read per product) written as an expense list
    ending with the computed total; other categories, other years and undelivered orders are distractors."""
    year = rng.choice(("2025", "2024"))
    items = view.rows(
        "SELECT o.owner_id, o.created_at, p.name, i.quantity, i.unit_price FROM shop_orders o JOIN shop_order_items i "
        "ON i.order_id = o.id JOIN shop_products p ON p.id = i.product_id WHERE p.category = 'office' "
        "AND o.status = 'delivered' AND substr(o.created_at, 1, 4) = ? ORDER BY o.owner_id, o.id, i.id",
        year,
    )
    by_owner: dict[int, list[dict]] = {}
    for r in items:
        by_owner.setdefault(r["owner_id"], []).append(r)
    owners = [o for o, rows in sorted(by_owner.items()) if 2 <= len(rows) <= 10]
    owner = pick(rng, owners, "person who bought office supplies that year", distinct=True)
    mine = by_owner[owner]
    path = f"/documents/expenses/office_{year}.txt"
    lines = [
        f"{r['created_at'][:10]} {r['name']} x{r['quantity']}: ${r['quantity'] * r['unit_price']:.2f}" for r in mine
    ]
    total = round(sum(r["quantity"] * r["unit_price"] for r in mine), 2)
    look = (
        login("shop", "file_system")
        + fetch_all(
            "orders",
            f"apis.shop.show_orders(access_token=shop_token, status='delivered', start_date='{year}-01-01', "
            f"end_date='{year}-12-31'",
        )
        + "categories = {}\n"
        + "for o in orders:\n"
        + "    for i in o['items']:\n"
        + "        if i['product_id'] not in categories:\n"
        + "            product = apis.shop.show_product(product_id=i['product_id'])\n"
        + "            categories[i['product_id']] = product['category']\n"
        + "print(len(orders), categories)\n"
    )
    act = f"""
        lines, total = [], 0.0
        for o in orders:
            for i in o['items']:
                if categories[i['product_id']] == 'office':
                    cost = i['quantity'] * i['unit_price']
                    lines.append(o['created_at'][:10] + ' ' + i['name'] + ' x' + str(i['quantity']) + ': $'
                                 + format(cost, '.2f'))
                    total += cost
        lines.append('Total: $' + format(total, '.2f'))
        apis.file_system.create_file(access_token=file_system_token, path={path!r}, content='\\n'.join(lines),
                                     parents=True)
        """
    check = (
        f"print(apis.file_system.show_file(access_token=file_system_token, path={path!r}))\n"
        "apis.supervisor.complete_task(answer=round(total, 2))\n"
    )
    expectations: list[Expectation] = new_file(
        view, owner, path, receipt(lines, f"Total: ${total:.2f}"), f"{path} lists each office item, then the total"
    )
    expectations.append(Answer(total, f"the answer is the total spent on office supplies in {year} (${total:.2f})"))
    return TaskSpec(
        owner,
        f"I need my {year} office expenses: from my delivered shop orders placed in {year}, every item whose product "
        f"is in the 'office' category. Write them to a new file {path} (make the folders if needed), one line per "
        "item as '<order date YYYY-MM-DD> <product name> x<quantity>: $<quantity times unit price, 2 decimals>', "
        "then a last line 'Total: $<sum, 2 decimals>'. Tell me the total.",
        Solution().step(look).step(act).step(check).steps(),
        expectations,
    )
