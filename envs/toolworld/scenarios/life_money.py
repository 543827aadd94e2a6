"""Life admin about shared money without the held-out apps: an order split with roommates, balances emailed."""

from __future__ import annotations

import random

from envs.toolworld.apps._bill_splitting_core import group_balance
from envs.toolworld.evaluate import Expectation, Inserted
from envs.toolworld.scenarios._common import Solution, fetch_all, login, pick
from envs.toolworld.scenarios._life import NOW, done
from envs.toolworld.scenarios.email import sent_email
from envs.toolworld.scenarios.life_trips import FIND_GROUP, groups_of
from envs.toolworld.tasks import TaskSpec, WorldView, scenario


@scenario("life_order_split_roommates", apps=("shop", "payments", "phone"))
def order_split_roommates(view: WorldView, rng: random.Random) -> TaskSpec:
    candidates = view.rows(
        "SELECT c.owner_id FROM phone_contacts c JOIN people f ON f.email = c.email WHERE c.relationship = 'roommate' "
        "AND f.id != c.owner_id AND NOT EXISTS (SELECT 1 FROM payments_settings s WHERE s.person_id = f.id AND "
        "s.allow_requests_from != 'everyone' AND NOT EXISTS (SELECT 1 FROM payments_friends x WHERE x.owner_id = f.id "
        "AND x.friend_id = c.owner_id)) AND EXISTS (SELECT 1 FROM shop_orders o WHERE o.owner_id = c.owner_id AND "
        "o.status = 'delivered') GROUP BY c.owner_id HAVING COUNT(*) = (SELECT COUNT(*) FROM phone_contacts d WHERE "
        "d.owner_id = c.owner_id AND d.relationship = 'roommate') ORDER BY c.owner_id"
    )
    owner = pick(rng, candidates, "person with roommates and a delivered order", distinct=True)["owner_id"]
    order = view.row(
        "SELECT id, total FROM shop_orders WHERE owner_id = ? AND status = 'delivered' "
        "ORDER BY created_at DESC, id DESC LIMIT 1",
        owner,
    )
    mates = view.rows(
        "SELECT DISTINCT f.id, f.email, c.first_name FROM phone_contacts c JOIN people f ON f.email = c.email "
        "WHERE c.owner_id = ? AND c.relationship = 'roommate' ORDER BY f.id",
        owner,
    )
    share = round(order["total"] / (len(mates) + 1), 2)
    look = fetch_all("orders", "apis.shop.show_orders(access_token=shop_token, status='delivered'")
    look += "latest = max(orders, key=lambda o: (o['created_at'], o['order_id']))\n"
    look += "detail = apis.shop.show_order(access_token=shop_token, order_id=latest['order_id'])\n"
    look += fetch_all("mates", "apis.phone.search_contacts(access_token=phone_token, relationship='roommate'")
    look += "print(detail['total'], [m['email'] for m in mates])\n"
    act = """\
    share = round(detail['total'] / (len(mates) + 1), 2)
    for m in mates:
        apis.payments.request_money(access_token=payments_token, payer_email=m['email'], amount=share,
                                    note=f"Order {latest['order_id']}")
        apis.phone.send_text_message(access_token=phone_token, phone_number=m['phone_number'],
                                     message=f"Hi {m['first_name']}, I've asked you for ${share:.2f} on the payments "
                                             f"app, your share of our shop order {latest['order_id']}.")
    """
    check = fetch_all(
        "sent",
        f"apis.payments.show_requests(access_token=payments_token, direction='sent', query='Order {order['id']}'",
    )
    check += "print(sent)\n"
    expectations: list[Expectation] = []
    for m in mates:
        expectations.append(
            Inserted(
                "payments_requests",
                {"requester_id": owner, "payer_id": m["id"], "amount": share, "note": f"Order {order['id']}"}
                | {"status": "pending", "created_at": NOW, "resolved_at": None, "reminders": 0}
                | {"last_reminded_at": None},
                f"{m['email']} is asked for {share} with the note 'Order {order['id']}'",
                what=f"requests to {m['email']}",
            )
        )
        message = (
            f"Hi {m['first_name']}, I've asked you for ${share:.2f} on the payments app, your share of our shop "
            f"order {order['id']}."
        )
        expectations.append(
            Inserted(
                "phone_messages",
                {"sender_id": owner, "receiver_id": m["id"], "message": message, "sent_at": NOW, "is_read": 0},
                f"{m['email']} is texted about the request",
                what=f"texts to {m['email']}",
            )
        )
    return TaskSpec(
        owner,
        "Split my most recent delivered shop order equally between me and my roommates (everyone in my phone contacts "
        "marked as roommate): ask each of them on the payments app for their share, rounded to cents, with the note "
        "'Order <order id>', and text each of them 'Hi <first name>, I've asked you for $<share> on the payments app, "
        "your share of our shop order <order id>.'",
        Solution().step(login("shop", "payments", "phone")).step(look).step(act).step(check).step(done()).steps(),
        expectations,
    )


@scenario("life_group_balances_email", apps=("bill_splitting", "email"))
def group_balances_email(view: WorldView, rng: random.Random) -> TaskSpec:
    pairs = groups_of(
        view, "AND (SELECT COUNT(*) FROM bill_splitting_members x WHERE x.group_id = g.id) BETWEEN 3 AND 5"
    )
    chosen = pick(rng, pairs, "group", distinct=True)
    owner, name = chosen["owner"], chosen["name"]
    members = view.rows(
        "SELECT p.id, p.first_name FROM bill_splitting_members m JOIN people p ON p.id = m.person_id "
        "WHERE m.group_id = ? AND p.id != ? ORDER BY p.id",
        chosen["id"],
        owner,
    )
    look = f"group_name = {name!r}\n" + FIND_GROUP
    look += fetch_all(
        "balances",
        "apis.bill_splitting.show_group_balances(access_token=bill_splitting_token, group_id=group['group_id']",
    )
    look += "print(balances)\n"
    act = """\
    for b in balances:
        if b['email'] == me['email']:
            continue
        first = b['name'].split()[0]
        if b['balance'] > 0:
            line = f"the group owes you ${b['balance']:.2f}"
        elif b['balance'] < 0:
            line = f"you owe the group ${-b['balance']:.2f}"
        else:
            line = 'you are all settled'
        apis.email.send_email(access_token=email_token, recipients=[b['email']],
                              subject=f"{group_name}: where you stand, {first}",
                              body=f"Hi {first}, in {group_name} {line}.")
    """
    check = fetch_all("mine", "apis.email.show_threads(access_token=email_token, folder='sent', query=group_name")
    check += "print(len(mine))\n"
    expectations: list[Expectation] = []
    for m in members:
        balance = group_balance(view.conn, chosen["id"], m["id"])
        if balance > 0:
            line = f"the group owes you ${balance:.2f}"
        elif balance < 0:
            line = f"you owe the group ${-balance:.2f}"
        else:
            line = "you are all settled"
        body = f"Hi {m['first_name']}, in {name} {line}."
        subject = f"{name}: where you stand, {m['first_name']}"
        expectations += sent_email(view, owner, [m["id"]], body, f"{m['first_name']} is told '{line}'", subject=subject)
    return TaskSpec(
        owner,
        f"Email each other member of my bill-splitting group '{name}' on their own where they stand, subject "
        f"'{name}: where you stand, <their first name>', body 'Hi <first name>, in {name} <the group owes you $X | "
        "you owe the group $X | you are all settled>.' according to their balance in the group (two decimals).",
        Solution().step(login("bill_splitting", "email")).step(look).step(act).step(check).step(done()).steps(),
        expectations,
    )
