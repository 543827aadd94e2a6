"""Money requests sorted by who asks (phone contacts), and a shop order split with roommates by request."""

from __future__ import annotations

import random

from envs.toolworld.evaluate import Answer, Expectation, Inserted, Updated
from envs.toolworld.scenarios._common import Solution, fetch_all, full_name, login, pick
from envs.toolworld.scenarios._money import money
from envs.toolworld.scenarios.payments import balance_changes, befriend_code, befriended, texted
from envs.toolworld.tasks import TaskSpec, WorldView, scenario
from envs.toolworld.world.build import WORLD_NOW

NOW = WORLD_NOW.isoformat(timespec="seconds")
DONE = "apis.supervisor.complete_task()\n"
ORDERS_SINCE = "2026-03-01"
SHARED_CATEGORIES = ("home", "kitchen")  # what roommates share of an order


def _relationships(view: WorldView, owner: int) -> dict[str, str | None]:
    """Email -> relationship of the owner's phone contacts that have an email."""
    return {
        r["email"]: r["relationship"]
        for r in view.rows(
            "SELECT email, relationship FROM phone_contacts WHERE owner_id = ? AND email IS NOT NULL", owner
        )
    }


LATER = "I'll get to it soon."
AT_WORK = "let's sort it out at work."


def _friends(view: WorldView, owner: int) -> set[int]:
    return {r["friend_id"] for r in view.rows("SELECT friend_id FROM payments_friends WHERE owner_id = ?", owner)}


@scenario("money_sort_requests_by_contacts", apps=("payments", "phone"))
def sort_requests_by_contacts(view: WorldView, rng: random.Random) -> TaskSpec:
    """Pay small requests from friends and family, decline coworkers' and strangers' (in no contact and no payments
    friend: show_user per unknown requester tells), leave the rest (big ones, roommates...); the relationship comes
    from the phone contacts; the answer is how many are left."""
    limit = rng.choice([30, 50, 70])
    balances = {r["person_id"]: r["balance"] for r in view.rows("SELECT person_id, balance FROM payments_balances")}
    candidates = []
    for (owner,) in (
        (r["payer_id"],)
        for r in view.rows("SELECT DISTINCT payer_id FROM payments_requests WHERE status = 'pending' ORDER BY 1")
    ):
        known = _relationships(view, owner)
        rows = view.rows(
            "SELECT q.*, p.email FROM payments_requests q JOIN people p ON p.id = q.requester_id "
            "WHERE q.payer_id = ? AND q.status = 'pending' ORDER BY q.id",
            owner,
        )
        friends = _friends(view, owner)
        close = [r for r in rows if known.get(r["email"]) in ("friend", "family")]
        pay = [r for r in close if r["amount"] <= limit]
        decline = [r for r in rows if known.get(r["email"]) == "coworker"]
        strangers = [r for r in rows if r["email"] not in known and r["requester_id"] not in friends]
        keep = [r for r in rows if r not in pay and r not in decline and r not in strangers]
        if pay and decline and keep and len(rows) <= 15 and sum(r["amount"] for r in pay) <= balances[owner]:
            candidates.append((owner, pay, decline, strangers, keep))
    owner, pay, decline, strangers, keep = pick(rng, candidates, "payer with requests of every kind", distinct=True)
    expectations: list[Expectation] = []
    deltas: dict[int, float] = {owner: -sum(r["amount"] for r in pay)}
    for r in pay:
        expectations += [
            Updated(
                "payments_requests", r["id"], {"status": "approved", "resolved_at": NOW}, f"request {r['id']} is paid"
            ),
            Inserted(
                "payments_transactions",
                {
                    "sender_id": owner,
                    "receiver_id": r["requester_id"],
                    "amount": r["amount"],
                    "note": r["note"],
                    "private": 0,
                },
                f"{full_name(view, r['requester_id'])} is paid {money(r['amount'])} for '{r['note']}'",
                what="payments",
            ),
            texted(view, owner, r["requester_id"], f"Just paid your {money(r['amount'])} request for {r['note']}."),
        ]
        deltas[r["requester_id"]] = deltas.get(r["requester_id"], 0.0) + r["amount"]
    expectations += [
        Updated(
            "payments_requests",
            r["id"],
            {"status": "declined", "resolved_at": NOW},
            f"request {r['id']} from {full_name(view, r['requester_id'])}, a {who}, is declined",
        )
        for who, rows in (("coworker", decline), ("stranger", strangers))
        for r in rows
    ]
    expectations += balance_changes(view, deltas)
    expectations += [
        Inserted(
            "payments_blocks",
            {"owner_id": owner, "blocked_id": stranger},
            f"{full_name(view, stranger)}, a stranger asking for money, is blocked",
            what=f"blocks of {full_name(view, stranger)}",
        )
        for stranger in sorted({r["requester_id"] for r in strangers})
    ]
    expectations += befriended(view, owner, {r["requester_id"] for r in pay}, "paid")
    known = _relationships(view, owner)
    expectations += [
        texted(
            view, owner, r["requester_id"], f"I declined your {money(r['amount'])} request for {r['note']}, {AT_WORK}"
        )
        for r in decline
    ]
    expectations += [
        texted(view, owner, r["requester_id"], f"Got your {money(r['amount'])} request for {r['note']}, {LATER}")
        for r in keep
        if r["email"] in known
    ]
    expectations.append(Answer(len(keep), f"the answer is the number of requests left pending ({len(keep)})"))
    look = (
        login("payments", "phone")
        + fetch_all(
            "pending",
            "apis.payments.show_requests(access_token=payments_token, direction='received', status='pending'",
        )
        + "for r in pending:\n"
        "    print(r['request_id'], r['requester']['name'], r['requester']['email'], r['amount'])\n"
        + fetch_all("contacts", "apis.phone.search_contacts(access_token=phone_token")
        + "relationship = {c['email']: c['relationship'] for c in contacts if c['email']}\n"
        + "phones = {c['email']: c['phone_number'] for c in contacts if c['email']}\n"
        + "print(len(contacts), len(relationship))\n"
    )
    strangers_code = (
        "stranger = {}\n"
        "for r in pending:\n"
        "    email = r['requester']['email']\n"
        "    if email not in relationship and email not in stranger:\n"
        "        stranger[email] = not apis.payments.show_user(access_token=payments_token, email=email)['is_friend']\n"
        "print(stranger)\n"
    )
    act = (
        "left, paid = [], set()\n"
        "for r in pending:\n"
        "    email = r['requester']['email']\n"
        "    kind = relationship.get(email)\n"
        "    if kind == 'coworker' or stranger.get(email):\n"
        "        apis.payments.decline_request(access_token=payments_token, request_id=r['request_id'])\n"
        f"        text = f\"I declined your ${{r['amount']:.2f}} request for {{r['note']}}, {AT_WORK}\"\n"
        f"    elif kind in ('friend', 'family') and r['amount'] <= {limit}:\n"
        "        apis.payments.approve_request(access_token=payments_token, request_id=r['request_id'])\n"
        "        paid.add(email)\n"
        "        text = f\"Just paid your ${r['amount']:.2f} request for {r['note']}.\"\n"
        "    else:\n"
        "        left.append(r)\n"
        f"        text = f\"Got your ${{r['amount']:.2f}} request for {{r['note']}}, {LATER}\"\n"
        "    if email in phones:\n"
        "        apis.phone.send_text_message(access_token=phone_token, phone_number=phones[email], message=text)\n"
        + befriend_code("paid")
        + "for email, unknown in stranger.items():\n"
        "    if unknown:\n"
        "        apis.payments.block_user(access_token=payments_token, email=email)\n"
    )
    check = (
        fetch_all(
            "still",
            "apis.payments.show_requests(access_token=payments_token, direction='received', status='pending'",
        )
        + "print([(r['requester']['name'], r['amount']) for r in still])\n"
        + fetch_all("blocked", "apis.payments.show_blocked_users(access_token=payments_token")
        + "print([b['email'] for b in blocked])\n"
        + "print(apis.payments.show_balance(access_token=payments_token))\n"
        + "apis.supervisor.complete_task(answer=len(left))\n"
    )
    return TaskSpec(
        owner,
        "Sort out the pending payment requests I received on the payments app, by who sent them as saved in my phone "
        f"contacts (matched by email): pay every one from a friend or family member that asks for ${limit} or less, "
        "and text them for each one 'Just paid your $<amount> request for <note>.' (two decimals, the request's note), "
        "making each of them my payments friend if they are not yet; "
        "decline every one from a coworker (texting them 'I declined your $<amount> request for <note>, "
        f"{AT_WORK}'), and every one from a stranger (someone who is neither in my contacts nor "
        "my friend on the payments app), and block those strangers on the payments app; leave all the others "
        "pending, texting each of those requesters who is in my contacts 'Got your $<amount> request for <note>, "
        f"{LATER}' (one text per request), and tell me how many requests are left pending.",
        Solution().step(look).step(strangers_code).step(act).step(check).steps(),
        expectations,
    )


@scenario("money_split_order_with_roommates", apps=("shop", "payments", "phone"))
def split_order_with_roommates(view: WorldView, rng: random.Random) -> TaskSpec:
    """For every order delivered since a day, request each roommate's equal share (me included) of its home and
    kitchen items only (the category is only in show_product, one per item); roommates come from the phone
    contacts' relationship, friends and coworkers are distractors; the answer is what I asked for in all."""
    candidates = []
    for (owner,) in (
        (r["owner_id"],)
        for r in view.rows(
            "SELECT owner_id FROM phone_contacts WHERE relationship = 'roommate' AND email IS NOT NULL "
            "GROUP BY owner_id HAVING COUNT(*) >= 2 ORDER BY owner_id"
        )
    ):
        shared: dict[int, float] = {}
        for item in view.rows(
            "SELECT o.id, i.quantity * i.unit_price AS cost FROM shop_orders o JOIN shop_order_items i "
            "ON i.order_id = o.id JOIN shop_products p ON p.id = i.product_id WHERE o.owner_id = ? "
            f"AND o.status = 'delivered' AND o.created_at >= ? AND p.category IN {SHARED_CATEGORIES} ORDER BY o.id",
            owner,
            ORDERS_SINCE,
        ):
            shared[item["id"]] = round(shared.get(item["id"], 0.0) + item["cost"], 2)
        roommates = view.rows(
            "SELECT p.id, s.allow_requests_from, EXISTS(SELECT 1 FROM payments_friends f WHERE f.owner_id = p.id "
            "AND f.friend_id = ?1) AS friend, EXISTS(SELECT 1 FROM payments_blocks b WHERE (b.owner_id = p.id AND "
            "b.blocked_id = ?1) OR (b.owner_id = ?1 AND b.blocked_id = p.id)) AS blocked FROM phone_contacts c "
            "JOIN people p ON p.email = c.email JOIN payments_settings s ON s.person_id = p.id "
            "WHERE c.owner_id = ?1 AND c.relationship = 'roommate' ORDER BY p.id",
            owner,
        )
        if 2 <= len(shared) <= 6 and all(
            (r["allow_requests_from"] != "friends" or r["friend"]) and not r["blocked"] for r in roommates
        ):
            candidates.append((owner, shared, [r["id"] for r in roommates]))
    owner, shared, roommates = pick(rng, candidates, "roommates and delivered home orders", distinct=True)
    shares = {order: round(cost / (len(roommates) + 1), 2) for order, cost in shared.items()}
    expectations: list[Expectation] = [
        Inserted(
            "payments_requests",
            {
                "requester_id": owner,
                "payer_id": p,
                "amount": share,
                "note": f"Shop order {order}",
                "status": "pending",
                "resolved_at": None,
                "reminders": 0,
                "last_reminded_at": None,
            },
            f"{full_name(view, p)} is asked for {money(share)} with the note 'Shop order {order}'",
            what="requests",
        )
        for order, share in sorted(shares.items())
        for p in roommates
    ]
    total = round(sum(shares.values()) * len(roommates), 2)
    expectations.append(Answer(total, f"the answer is what I asked for in all ({money(total)})"))
    look = (
        login("shop", "payments", "phone")
        + fetch_all("delivered", "apis.shop.show_orders(access_token=shop_token, status='delivered'")
        + f"recent = [o for o in delivered if o['created_at'] >= {ORDERS_SINCE!r}]\n"
        + "print([(o['order_id'], o['created_at'], len(o['items'])) for o in recent])\n"
        + fetch_all("roommates", "apis.phone.search_contacts(access_token=phone_token, relationship='roommate'")
        + "print([(c['first_name'], c['last_name'], c['email']) for c in roommates])\n"
    )
    sort = (
        "category = {}\n"
        "for o in recent:\n"
        "    for item in o['items']:\n"
        "        if item['product_id'] not in category:\n"
        "            product = apis.shop.show_product(product_id=item['product_id'])\n"
        "            category[item['product_id']] = product['category']\n"
        "costs = {}\n"
        "for o in recent:\n"
        "    cost = sum(i['quantity'] * i['unit_price'] for i in o['items'] "
        f"if category[i['product_id']] in {SHARED_CATEGORIES})\n"
        "    if cost:\n"
        "        costs[o['order_id']] = round(cost, 2)\n"
        "print(costs)\n"
    )
    act = (
        "emails = [c['email'] for c in roommates if c['email']]\n"
        "asked = 0.0\n"
        "requests = []\n"
        "for order_id, cost in costs.items():\n"
        "    split = apis.payments.split_bill(access_token=payments_token, emails=emails, total_amount=cost, "
        "note=f'Shop order {order_id}', include_me=True)\n"
        "    asked += split['share'] * len(emails)\n"
        "    requests += split['request_ids']\n"
    )
    check = (
        "for request_id in requests:\n"
        "    print(apis.payments.show_request(access_token=payments_token, request_id=request_id))\n"
        "apis.supervisor.complete_task(answer=round(asked, 2))\n"
    )
    return TaskSpec(
        owner,
        f"Split with my roommates (the contacts saved as roommates in my phone) the home and kitchen items of every "
        f"shop order of mine delivered and placed on or after {ORDERS_SINCE}: for each such order, ask each of them on "
        "the payments app for an equal share of what its home and kitchen items cost (quantity times unit price, "
        "counting me as one of the people sharing), with the note 'Shop order <order id>'. Orders without such items "
        "are mine alone. Tell me how much I asked for in all.",
        Solution().step(look).step(sort).step(act).step(check).steps(),
        expectations,
    )
