"""Scenarios on the payments app: paying, answering about history, handling requests."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from envs.toolworld.evaluate import Answer, Contains, Expectation, Inserted, Updated, normalize_answer
from envs.toolworld.scenarios._common import Solution, as_deep_as_found, fetch_all, full_name, login, pick
from envs.toolworld.scenarios.phone import talked_since
from envs.toolworld.tasks import TaskSpec, WorldView, scenario
from envs.toolworld.world.build import WORLD_NOW

DONE = "apis.supervisor.complete_task()\n"
NOW = WORLD_NOW.isoformat(timespec="seconds")
THANKS = "Thanks a lot!"
YEAR_START = f"{WORLD_NOW.year}-01-01"


def find_email(name: str) -> str:
    """Oracle code that searches payments users for `name` and keeps the email of the exact full-name match
    (the search also returns people with similar names or emails)."""
    return (
        f"found = apis.payments.search_users(access_token=payments_token, query={name!r}, page_limit=20)\n"
        f"email = next(u['email'] for u in found if u['name'] == {name!r})\n"
    )


def balance_changes(view: WorldView, deltas: dict[int, float]) -> list[Expectation]:
    """Updated-balance expectations for the people whose balance moves by `deltas`."""
    out: list[Expectation] = []
    for person_id, delta in sorted(deltas.items()):
        row = view.row("SELECT id, balance FROM payments_balances WHERE person_id = ?", person_id)
        new = round(row["balance"] + delta, 2)
        out.append(
            Updated(
                "payments_balances", row["id"], {"balance": new}, f"{full_name(view, person_id)}'s balance is {new:.2f}"
            )
        )
    return out


def requests_paid(owner: int, paid: dict[tuple[int, float, str], int]) -> list[Expectation]:
    """Public payments from `owner` for requests made of them: `paid` counts each (requester, amount, note), as a
    request paid twice over is two payments."""
    return [
        Inserted(
            "payments_transactions",
            {"sender_id": owner, "receiver_id": requester, "amount": amount, "note": note, "private": 0},
            f"${amount:.2f} paid for the request '{note}'",
            count=n,
            what="payments for that request",
        )
        for (requester, amount, note), n in sorted(paid.items())
    ]


PAID_SINCE_DAYS = (7, 31, 92)  # payments_send_money: "already paid since <day>", the last week where the world has one


@scenario("payments_send_money", apps=("payments",), difficulty=1)
def send_money(view: WorldView, rng: random.Random) -> TaskSpec:
    """Paying a list of people, skipping the ones I blocked and the ones I already paid for the same thing lately.
    Deep: per person a profile read (blocked) and a read of what I sent them since the day (only my transactions
    with them tell it); one listed person was paid for that note already, so paying everyone unblocked pays twice."""
    amount = float(rng.randint(5, 40))
    funded = {
        r["person_id"] for r in view.rows("SELECT person_id FROM payments_balances WHERE balance > ?", 4 * amount)
    }
    names = {p: full_name(view, p) for p in view.people_ids()}
    counts = Counter(names.values())
    unique = {p for p, n in names.items() if counts[n] == 1}

    def blocked_with(owner: int) -> set[int]:
        return {
            b
            for r in view.rows(
                "SELECT owner_id, blocked_id FROM payments_blocks WHERE ? IN (owner_id, blocked_id)", owner
            )
            for b in (r["owner_id"], r["blocked_id"])
        }

    def paid_since(owner: int, day: str) -> list[dict[str, Any]]:
        """My payments since `day` to someone of a name of their own, not blocked either way."""
        blocked = blocked_with(owner)
        return [
            t
            for t in view.rows(
                "SELECT receiver_id, note FROM payments_transactions WHERE sender_id = ? AND created_at >= ? "
                "ORDER BY id",
                owner,
                day,
            )
            if t["receiver_id"] in unique and t["receiver_id"] not in blocked
        ]

    blockers = view.rows("SELECT owner_id, blocked_id FROM payments_blocks ORDER BY id")
    since, choices = as_deep_as_found(
        ((WORLD_NOW.date() - timedelta(days=d)).isoformat() for d in PAID_SINCE_DAYS),
        lambda day: [b for b in blockers if b["owner_id"] in funded and paid_since(b["owner_id"], day)],
    )
    choice = pick(rng, choices, f"funded person who blocked someone and paid someone since {since}", True)
    owner, skipped = choice["owner_id"], choice["blocked_id"]
    earlier = rng.choice(paid_since(owner, since))
    note, repaid = earlier["note"], earlier["receiver_id"]
    paid_for_note = {t["receiver_id"] for t in paid_since(owner, since) if t["note"] == note}
    blocked = blocked_with(owner)
    clear = [p for p in view.people_ids() if p not in blocked and p in unique and p not in paid_for_note]
    paid = sorted(rng.sample(clear, 4))
    listed = [*paid, skipped, repaid]
    rng.shuffle(listed)
    private = rng.random() < 0.5
    visibility = "private" if private else "public"
    who = ", ".join(names[p] for p in listed)
    oracle = (
        Solution()
        .step(login("payments") + "print(apis.payments.show_balance(access_token=payments_token))\n")
        .step(
            f"people = {[names[p] for p in listed]!r}\n"
            "emails = {}\n"
            "for name in people:\n"
            "    found = apis.payments.search_users(access_token=payments_token, query=name, page_limit=20)\n"
            "    emails[name] = next(u['email'] for u in found if u['name'] == name)\n"
            "profiles = {n: apis.payments.show_user(access_token=payments_token, email=e) for n, e in emails.items()}\n"
            "skipped = [n for n, p in profiles.items() if p['blocked']]\n"
            "print(skipped)\n"
        )
        .step(
            "for name in people:\n"
            "    if name in skipped:\n"
            "        continue\n"
            + fetch_all(
                "before",
                "apis.payments.show_transactions(access_token=payments_token, direction='sent', "
                f"with_email=emails[name], start_date={since!r}",
                "    ",
            )
            + f"    if any(t['note'] == {note!r} for t in before):\n"
            + "        skipped.append(name)\n"
            + "print(skipped)\n"
        )
        .step(
            "sent = []\n"
            "for name in people:\n"
            "    if name not in skipped:\n"
            "        sent.append(apis.payments.send_money(access_token=payments_token, receiver_email=emails[name], "
            f"amount={amount}, note={note!r}, private={private}))\n"
        )
        .step(
            "for s in sent:\n"
            "    print(apis.payments.show_transaction(access_token=payments_token, "
            "transaction_id=s['transaction_id']))\n"
            "print(apis.payments.show_balance(access_token=payments_token))\n"
            "apis.supervisor.complete_task(answer=skipped)\n"
        )
        .steps()
    )
    return TaskSpec(
        owner,
        f"Send ${amount:.0f} on the payments app to each of {who}, with the note '{note}'. Make the payments "
        f"{visibility}. Skip anyone I have blocked there (don't unblock them), and anyone I already sent a payment "
        f"with the note '{note}' on or after {_day_words(since)} (whatever its amount): they are paid already. Tell "
        "me who you skipped.",
        oracle,
        [
            *(
                Inserted(
                    "payments_transactions",
                    {
                        "sender_id": owner,
                        "receiver_id": p,
                        "amount": amount,
                        "note": Contains(note),
                        "private": int(private),
                    },
                    f"a {visibility} payment of ${amount:.0f} is sent to {names[p]} with note '{note}'",
                    what="payments",
                )
                for p in paid
            ),
            *balance_changes(view, {owner: -4 * amount, **{p: amount for p in paid}}),
            Answer(
                [names[skipped], names[repaid]],
                f"the answer is the blocked person, {names[skipped]}, and the one paid already, {names[repaid]}",
                traps={normalize_answer([names[skipped]]): "that leaves out the one I paid already"},
            ),
        ],
    )


@scenario("payments_total_received", apps=("payments",), difficulty=2)
def total_received(view: WorldView, rng: random.Random) -> TaskSpec:
    since = YEAR_START
    cases = []
    for (owner,) in [(r["person_id"],) for r in view.rows("SELECT person_id FROM payments_balances ORDER BY 1")]:
        rows = view.rows(
            "SELECT t.id, t.sender_id, t.amount, t.private, EXISTS(SELECT 1 FROM payments_likes l WHERE "
            "l.transaction_id = t.id AND l.person_id = t.receiver_id) AS liked FROM payments_transactions t "
            "JOIN payments_friends f "
            "ON f.owner_id = t.receiver_id AND f.friend_id = t.sender_id WHERE t.receiver_id = ? AND t.created_at >= ? "
            "ORDER BY t.amount DESC, t.id",
            owner,
            since,
        )
        totals: dict[int, float] = {}
        for r in rows:
            totals[r["sender_id"]] = round(totals.get(r["sender_id"], 0.0) + r["amount"], 2)
        ranked = sorted(totals.values(), reverse=True)
        biggest: dict[int, list[dict[str, Any]]] = {}
        for r in rows:
            biggest.setdefault(r["sender_id"], []).append(r)
        clear = all(len(b) == 1 or b[0]["amount"] > b[1]["amount"] for b in biggest.values())
        if len(ranked) >= 5 and ranked[0] > ranked[1] and clear:
            top = max(totals, key=lambda p: totals[p])
            liked = [r["id"] for r in rows if not r["private"] and not r["liked"]]
            cases.append((owner, top, totals[top], [b[0]["id"] for b in biggest.values()], liked))
    owner, top, total, thanked, liked = pick(rng, cases, "person paid by several friends this year", distinct=True)
    alltime = view.rows(
        "SELECT t.sender_id, ROUND(SUM(t.amount), 2) AS total FROM payments_transactions t JOIN payments_friends f "
        "ON f.owner_id = t.receiver_id AND f.friend_id = t.sender_id WHERE t.receiver_id = ? GROUP BY 1 "
        "ORDER BY 2 DESC LIMIT 1",
        owner,
    )[0]
    name = full_name(view, top)
    traps = {}
    if alltime["sender_id"] != top:
        traps[normalize_answer([full_name(view, alltime["sender_id"]), alltime["total"]])] = "that counts past years"
    oracle = (
        Solution()
        .step(login("payments") + fetch_all("friends", "apis.payments.show_friends(access_token=payments_token"))
        .step(
            fetch_all(
                "received",
                "apis.payments.show_transactions(access_token=payments_token, direction='received', "
                f"start_date={since!r}",
            )
            + "friend_emails = {f['email'] for f in friends}\n"
            + "by_friend = {}\n"
            + "for t in received:\n"
            + "    if t['sender']['email'] in friend_emails:\n"
            + "        by_friend.setdefault(t['sender']['name'], []).append(t)\n"
            + "totals = {n: round(sum(t['amount'] for t in ts), 2) for n, ts in by_friend.items()}\n"
            + "print(totals)\n"
        )
        .step(
            "for ts in by_friend.values():\n"
            "    biggest = max(ts, key=lambda t: t['amount'])\n"
            "    apis.payments.add_comment(access_token=payments_token, transaction_id=biggest['transaction_id'], "
            f"text={THANKS!r})\n"
            "    print(apis.payments.show_transaction_comments(access_token=payments_token, "
            "transaction_id=biggest['transaction_id'])[-1])\n"
        )
        .step(
            "liked = 0\n"
            "for t in received:\n"
            "    if t['sender']['email'] not in friend_emails or t['private']:\n"
            "        continue\n"
            + fetch_all(
                "likes",
                "apis.payments.show_transaction_likes(access_token=payments_token, transaction_id=t['transaction_id']",
                "    ",
            )
            + "    if not any(l['email'] == me['email'] for l in likes):\n"
            "        apis.payments.like_transaction(access_token=payments_token, transaction_id=t['transaction_id'])\n"
            "        liked += 1\n"
            "print(liked, 'payments liked')\n"
        )
        .step("top = max(totals, key=totals.get)\napis.supervisor.complete_task(answer=[top, totals[top]])\n")
        .steps()
    )
    return TaskSpec(
        owner,
        f"Which of my payments friends sent me the most money in total since {since}, and how much? Answer with "
        f"their full name and the amount. Also comment '{THANKS}' on the largest single payment each friend sent me "
        "in that time (one comment per friend), and like every public payment a friend sent me in that time that I "
        "do not like yet (leave the private ones alone).",
        oracle,
        [
            Answer([name, total], f"the answer is {name} with ${total:.2f}", traps=traps),
            *(
                Inserted(
                    "payments_comments",
                    {"transaction_id": t, "author_id": owner, "text": THANKS, "edited_at": None},
                    f"transaction {t} (a friend's largest payment to me) has my comment",
                    what="comments",
                )
                for t in thanked
            ),
            *(
                Inserted(
                    "payments_likes",
                    {"transaction_id": t, "person_id": owner},
                    f"I like transaction {t}, a public payment from a friend",
                    what=f"likes of transaction {t}",
                )
                for t in liked
            ),
        ],
    )


@scenario("payments_decline_large_requests", apps=("payments", "phone"), difficulty=2)
def decline_large(view: WorldView, rng: random.Random) -> TaskSpec:
    limit = rng.choice([20, 30, 40])
    pending = view.rows(
        "SELECT r.id, r.payer_id, r.requester_id, r.amount, r.note, "
        "EXISTS (SELECT 1 FROM payments_friends f WHERE f.owner_id = r.payer_id AND f.friend_id = r.requester_id) "
        "AS friend, (SELECT c.phone_number FROM phone_contacts c JOIN people p ON p.email = c.email "
        "WHERE c.owner_id = r.payer_id AND p.id = r.requester_id LIMIT 1) AS phone "
        "FROM payments_requests r WHERE r.status = 'pending' AND r.amount > ? ORDER BY r.id",
        limit,
    )
    declined: dict[int, list[dict[str, Any]]] = {}
    for r in pending:
        if not r["friend"]:
            declined.setdefault(r["payer_id"], []).append(r)
    owners = sorted(p for p, rows in declined.items() if len(rows) >= 2 and any(r["phone"] for r in rows))
    owner = pick(rng, owners, "pending requests above the limit from strangers", distinct=True)
    rows = declined[owner]
    oracle = (
        Solution()
        .step(
            login("payments", "phone")
            + fetch_all(
                "pending",
                "apis.payments.show_requests(access_token=payments_token, direction='received', status='pending'",
            )
            + "for r in pending:\n    print(r['request_id'], r['requester']['name'], r['amount'], r['note'])\n"
        )
        .step(
            f"large = [r for r in pending if r['amount'] > {limit}]\n"
            "friend = {}\n"
            "for r in large:\n"
            "    email = r['requester']['email']\n"
            "    if email not in friend:\n"
            "        friend[email] = apis.payments.show_user(access_token=payments_token, email=email)['is_friend']\n"
            + fetch_all("contacts", "apis.phone.search_contacts(access_token=phone_token")
            + "phones = {c['email']: c['phone_number'] for c in contacts if c['email']}\n"
            + "print(friend)\n"
        )
        .step(
            "declined = [r for r in large if not friend[r['requester']['email']]]\n"
            "for r in declined:\n"
            "    apis.payments.decline_request(access_token=payments_token, request_id=r['request_id'])\n"
            "    if r['requester']['email'] in phones:\n"
            "        apis.phone.send_text_message(access_token=phone_token, "
            "phone_number=phones[r['requester']['email']], "
            "message=f\"Sorry, I declined your ${r['amount']:.2f} request for {r['note']}.\")\n"
        )
        .step(
            "for r in declined:\n"
            "    print(apis.payments.show_request(access_token=payments_token, request_id=r['request_id'])['status'])\n"
            + DONE
        )
        .steps()
    )
    expectations: list[Expectation] = []
    for r in rows:
        expectations.append(
            Updated(
                "payments_requests",
                r["id"],
                {"status": "declined", "resolved_at": NOW},
                f"request {r['id']} (${r['amount']:.2f} from {full_name(view, r['requester_id'])}) is declined",
            )
        )
        if r["phone"]:
            text = f"Sorry, I declined your ${r['amount']:.2f} request for {r['note']}."
            expectations.append(texted(view, owner, r["requester_id"], text))
    return TaskSpec(
        owner,
        f"Decline every pending payment request I received that asks for more than ${limit}, unless it comes from one "
        "of my payments friends (leave those, and every smaller request, alone). Text each person whose request you "
        "decline and who is in my phone contacts: 'Sorry, I declined your $<amount> request for <note>.' (the amount "
        "with two decimals, the note as it is on the request).",
        oracle,
        expectations,
    )


@scenario("payments_pay_friend_requests", apps=("payments", "phone"), difficulty=3)
def pay_friend_requests(view: WorldView, rng: random.Random) -> TaskSpec:
    rows = view.rows(
        "SELECT r.id, r.payer_id, r.requester_id, r.amount, r.note, r.created_at FROM payments_requests r "
        "JOIN people p ON p.id = r.requester_id JOIN phone_contacts c ON c.owner_id = r.payer_id "
        "AND c.phone_number = p.phone_number AND c.relationship = 'friend' WHERE r.status = 'pending' ORDER BY r.id"
    )
    balances = {r["person_id"]: r["balance"] for r in view.rows("SELECT person_id, balance FROM payments_balances")}
    owners = sorted(
        {
            r["payer_id"]
            for r in rows
            if sum(x["amount"] for x in rows if x["payer_id"] == r["payer_id"]) <= balances[r["payer_id"]]
        }
    )
    owner = pick(rng, owners, "payer with affordable requests from friends", distinct=True)
    mine = sorted((r for r in rows if r["payer_id"] == owner), key=lambda r: (r["created_at"], r["id"]))
    deltas: dict[int, float] = {owner: -sum(r["amount"] for r in mine)}
    for r in mine:
        deltas[r["requester_id"]] = deltas.get(r["requester_id"], 0.0) + r["amount"]
    oracle = (
        Solution()
        .step(
            login("phone", "payments")
            + fetch_all("friends", "apis.phone.search_contacts(access_token=phone_token, relationship='friend'")
            + "friend_phones = {c['email']: c['phone_number'] for c in friends}\n"
            + fetch_all(
                "pending",
                "apis.payments.show_requests(access_token=payments_token, direction='received', status='pending'",
            )
            + "print(len(friend_phones), [(r['requester']['email'], r['amount']) for r in pending])\n"
            + "print(apis.payments.show_balance(access_token=payments_token))\n"
        )
        .step(
            "paid = sorted((r for r in pending if r['requester']['email'] in friend_phones), "
            "key=lambda r: (r['created_at'], r['request_id']))\n"
            "by_friend = {}\n"
            "for r in paid:\n"
            "    apis.payments.approve_request(access_token=payments_token, request_id=r['request_id'])\n"
            "    by_friend.setdefault(r['requester']['email'], []).append(r)\n"
        )
        .step(
            "for email, theirs in by_friend.items():\n"
            + fetch_all(
                "sent",
                "apis.payments.show_transactions(access_token=payments_token, direction='sent', with_email=email, "
                f"start_date={YEAR_START!r}",
                "    ",
            )
            + "    notes = ', '.join(r['note'] for r in theirs)\n"
            + "    now = sum(r['amount'] for r in theirs)\n"
            + "    year = sum(t['amount'] for t in sent)\n"
            + "    apis.phone.send_text_message(access_token=phone_token, phone_number=friend_phones[email], "
            + "message=f\"Paid your requests for {notes}: ${now:.2f}. That makes ${year:.2f} I've sent you this "
            + 'year.")\n'
        )
        .step(
            "for r in paid:\n"
            "    print(apis.payments.show_request(access_token=payments_token, request_id=r['request_id'])['status'])\n"
            "print(apis.payments.show_balance(access_token=payments_token))\n" + DONE
        )
        .steps()
    )
    expectations: list[Expectation] = [
        Updated(
            "payments_requests",
            r["id"],
            {"status": "approved", "resolved_at": NOW},
            f"request {r['id']} from a friend is paid",
        )
        for r in mine
    ]
    paid: dict[tuple[int, float, str], int] = {}
    for r in mine:
        key = (r["requester_id"], r["amount"], r["note"])
        paid[key] = paid.get(key, 0) + 1
    expectations += [
        Inserted(
            "payments_transactions",
            {"sender_id": owner, "receiver_id": requester, "amount": amount, "note": note, "private": 0},
            f"{full_name(view, requester)} is paid ${amount:.2f} for '{note}'" + (f" ({n} times)" if n > 1 else ""),
            count=n,
            what="payments for that request",
        )
        for (requester, amount, note), n in sorted(paid.items())
    ]
    for friend in dict.fromkeys(r["requester_id"] for r in mine):
        theirs = [r for r in mine if r["requester_id"] == friend]
        now = sum(r["amount"] for r in theirs)
        year = now + view.value(
            "SELECT COALESCE(SUM(amount), 0) FROM payments_transactions WHERE sender_id = ? AND receiver_id = ? "
            "AND created_at >= ?",
            owner,
            friend,
            YEAR_START,
        )
        notes = ", ".join(r["note"] for r in theirs)
        text = f"Paid your requests for {notes}: ${now:.2f}. That makes ${year:.2f} I've sent you this year."
        expectations.append(texted(view, owner, friend, text))
    return TaskSpec(
        owner,
        "Pay every pending payment request I received from a friend (someone saved as a friend in my phone contacts), "
        "then text each friend I paid once: 'Paid your requests for <the notes of their requests, oldest first, "
        "joined by ', '>: $<what I paid them now>. That makes $<all I sent them on payments since "
        f"{YEAR_START}, these included> I've sent you this year.' (two decimals). Do not touch requests from anyone "
        "else.",
        oracle,
        expectations + balance_changes(view, deltas),
    )


def texted(view: WorldView, sender: int, receiver: int, message: str, count: int = 1) -> Expectation:
    """`count` new unread texts `message` from `sender` to `receiver` on the phone app."""
    return Inserted(
        "phone_messages",
        {"sender_id": sender, "receiver_id": receiver, "message": message, "is_read": 0},
        f"{full_name(view, receiver)} gets the text '{message}'" + (f" ({count} times)" if count > 1 else ""),
        count=count,
        what=f"texts '{message}'",
    )


def befriended(view: WorldView, owner: int, people: Iterable[int], who: str) -> list[Expectation]:
    """Each of `people` who is not a payments friend of `owner` yet becomes one (`who` says who they are)."""
    friends = {r["friend_id"] for r in view.rows("SELECT friend_id FROM payments_friends WHERE owner_id = ?", owner)}
    return [
        Inserted(
            "payments_friends",
            {"owner_id": owner, "friend_id": person},
            f"{full_name(view, person)}, {who} and not yet a payments friend, becomes one",
            what=f"friendships with {full_name(view, person)}",
        )
        for person in sorted(set(people) - friends)
    ]


def befriend_code(emails: str) -> str:
    """Oracle code making each address of the iterable expression `emails` a payments friend unless one already."""
    return (
        f"for email in sorted({emails}):\n"
        "    if not apis.payments.show_user(access_token=payments_token, email=email)['is_friend']:\n"
        "        apis.payments.add_friend(access_token=payments_token, email=email)\n"
    )


def request_reminded(view: WorldView, request: dict[str, Any], requester_first: str) -> list[Expectation]:
    """What remind_request changes: the request's reminder count and time, and a notification to the payer when
    they get request notifications (`request` is a payments_requests row plus the payer's notify_requests)."""
    payer = full_name(view, request["payer_id"])
    out: list[Expectation] = [
        Updated(
            "payments_requests",
            request["id"],
            {"reminders": request["reminders"] + 1, "last_reminded_at": NOW},
            f"{payer} is reminded of request {request['id']} ({request['note']})",
        )
    ]
    if request["notify_requests"]:
        message = f"{requester_first} reminds you of their request for ${request['amount']:.2f} ({request['note']})"
        out.append(
            Inserted(
                "payments_notifications",
                {
                    "person_id": request["payer_id"],
                    "kind": "reminder",
                    "request_id": request["id"],
                    "transaction_id": None,
                    "is_read": 0,
                    "message": message,
                },
                f"{payer} gets a reminder notification for request {request['id']}",
                what="reminder notifications",
            )
        )
    return out


def _day_words(day: str) -> str:
    return date.fromisoformat(day).strftime("%B %-d, %Y")


CHASED_AT_LEAST = 10  # payments_chase_old_requests: each old request's payer looked up in my call log


@scenario("payments_chase_old_requests", apps=("payments", "phone"))
def chase_old_requests(view: WorldView, rng: random.Random) -> TaskSpec:
    """Every pending request I sent before remind_before is decided by my call log: one talked about on the phone
    since I sent it (a call with its payer on or after that day, longer than 0 seconds) is left alone, else it is
    cancelled and its payer texted when older than cancel_before, reminded when newer. Deep: one call-log read per
    old request (CHASED_AT_LEAST+), each payer's number from my contacts; newer requests are distractors."""
    remind_before = rng.choice(["2026-05-08", "2026-05-11", "2026-05-13"])
    cancel_before = rng.choice(["2026-04-20", "2026-04-25", "2026-04-30"])
    pending = view.rows(
        "SELECT q.*, s.notify_requests, (SELECT c.phone_number FROM phone_contacts c "
        "JOIN people p ON p.email = c.email WHERE c.owner_id = q.requester_id AND p.id = q.payer_id LIMIT 1) AS phone "
        "FROM payments_requests q JOIN payments_settings s ON s.person_id = q.payer_id "
        "WHERE q.status = 'pending' ORDER BY q.requester_id, q.id"
    )
    by_owner: dict[int, list[dict[str, Any]]] = {}
    for r in pending:
        by_owner.setdefault(r["requester_id"], []).append(r)
    cases = []
    for owner, requests in by_owner.items():
        old = [r for r in requests if r["created_at"] < remind_before]
        if len(old) == len(requests) or not all(r["phone"] for r in old):
            continue  # a newer request to leave alone, and every old one's payer in my contacts
        talked = {r["id"] for r in old if talked_since(view, owner, r["phone"], r["created_at"][:10])}
        chased = [r for r in old if r["id"] not in talked]
        if (
            talked
            and any(r["created_at"] < cancel_before for r in chased)
            and any(r["created_at"] >= cancel_before for r in chased)
        ):
            cases.append((owner, old, talked))
    least, found = as_deep_as_found((CHASED_AT_LEAST, 6, 1), lambda n: [case for case in cases if len(case[1]) >= n])
    owner, rows, talked = pick(
        rng,
        found,
        f"requester with {least}+ old pending requests, some talked about on the phone, and newer ones",
        distinct=True,
    )
    me = view.person(owner)["first_name"]
    expectations: list[Expectation] = []
    for r in rows:
        if r["id"] in talked:
            continue
        if r["created_at"] < cancel_before:
            expectations.append(
                Updated(
                    "payments_requests",
                    r["id"],
                    {"status": "cancelled", "resolved_at": NOW},
                    f"the old request {r['id']} ({r['note']}) is cancelled",
                )
            )
            text = f"I cancelled my ${r['amount']:.2f} request for {r['note']}, forget about it."
            expectations.append(texted(view, owner, r["payer_id"], text))
            continue
        expectations += request_reminded(view, r, me)
    discover = (
        login("payments", "phone")
        + fetch_all(
            "pending", "apis.payments.show_requests(access_token=payments_token, direction='sent', status='pending'"
        )
        + "for r in pending:\n    print(r['request_id'], r['created_at'], r['payer']['name'], r['amount'], r['note'])\n"
    )
    contacts = fetch_all("contacts", "apis.phone.search_contacts(access_token=phone_token") + (
        "phones = {c['email']: c['phone_number'] for c in contacts if c['email']}\n"
    )
    act = (
        "for r in pending:\n"
        f"    if r['created_at'] >= {remind_before!r}:\n"
        "        continue\n"
        "    number = phones.get(r['payer']['email'])\n"
        "    if number and apis.phone.show_call_history(access_token=phone_token, phone_number=number, "
        "started_after=r['created_at'][:10], min_duration_seconds=1, page_limit=1):\n"
        "        print('talked since:', r['payer']['name'], r['note'])\n"
        "        continue\n"
        f"    if r['created_at'] < {cancel_before!r}:\n"
        "        apis.payments.cancel_request(access_token=payments_token, request_id=r['request_id'])\n"
        "        if number:\n"
        "            apis.phone.send_text_message(access_token=phone_token, phone_number=number, "
        "message=f\"I cancelled my ${r['amount']:.2f} request for {r['note']}, forget about it.\")\n"
        "    else:\n"
        "        apis.payments.remind_request(access_token=payments_token, request_id=r['request_id'])\n"
    )
    check = fetch_all(
        "still", "apis.payments.show_requests(access_token=payments_token, direction='sent', status='pending'"
    ) + ("print(len(pending), len(still))\n" + DONE)
    return TaskSpec(
        owner,
        "On the payments app, chase the money people still owe me: send a reminder for every pending request I sent "
        f"before {_day_words(remind_before)}, except those I sent before {_day_words(cancel_before)}, which are too "
        "old: cancel them instead, and text each of those people who is in my phone contacts 'I cancelled my "
        "$<amount> request for <note>, forget about it.' (two decimals, the note as on the request). But leave alone "
        "(no reminder, no cancelling, no text) each of those requests whose person I have talked with on the phone "
        "since the day I sent it: a call with their number (as in my phone contacts) in my call log, either way, on "
        "or after that day, that lasted more than 0 seconds (missed and unanswered calls do not count). Leave newer "
        "requests alone.",
        Solution().step(discover).step(contacts).step(act).step(check).steps(),
        expectations,
    )
