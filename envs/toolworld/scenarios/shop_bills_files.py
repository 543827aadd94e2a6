"""Scenarios joining shop orders with bill_splitting (share the cost) and file_system (keep a receipt)."""

from __future__ import annotations

import random

from envs.toolworld.apps.bill_splitting import equal_shares
from envs.toolworld.evaluate import Answer, Expectation, InBlocks, Inserted
from envs.toolworld.scenarios._common import Solution, fetch_all, full_name, login, pick
from envs.toolworld.scenarios._money import added_equal_expense, money
from envs.toolworld.scenarios._rows import new_file
from envs.toolworld.scenarios.bill_splitting import FIND_GROUP, members, unique_groups
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

DONE = "apis.supervisor.complete_task()\n"
LATEST_ORDER = "order = apis.shop.show_orders(access_token=shop_token, status='delivered')[0]\n"


def receipt(items: list[str], total: str) -> InBlocks:
    """A receipt's text: exactly the item lines (any order; case, spacing, bullets aside), then the total line."""
    return InBlocks(items, [total])


def latest_delivered(view: WorldView, owner: int) -> dict | None:
    found = view.rows(
        "SELECT * FROM shop_orders WHERE owner_id = ? AND status = 'delivered' ORDER BY created_at DESC, id DESC "
        "LIMIT 1",
        owner,
    )
    return found[0] if found else None


ORDERS_SINCE = "2026-01-01"
RECEIPTS_SINCE = "2025-11-01"


def owed_to_me_after(view: WorldView, group_id: int, me: int, added: list[dict[int, float]]) -> dict[int, float]:
    """What each member owes `me` in the group once expenses I paid with these `added` shares are in (as the app's
    pair debts count it: their shares of what I paid, less mine of theirs and the settlements)."""
    owed: dict[tuple[int, int], float] = {}
    for r in view.rows(
        "SELECT e.paid_by, s.person_id, s.amount FROM bill_splitting_shares s JOIN bill_splitting_expenses e "
        "ON e.id = s.expense_id WHERE e.group_id = ? AND s.person_id != e.paid_by",
        group_id,
    ):
        owed[(r["person_id"], r["paid_by"])] = owed.get((r["person_id"], r["paid_by"]), 0.0) + r["amount"]
    for shares in added:
        for person, share in shares.items():
            if person != me:
                owed[(person, me)] = owed.get((person, me), 0.0) + share
    for r in view.rows(
        "SELECT payer_id, receiver_id, amount FROM bill_splitting_settlements WHERE group_id = ?", group_id
    ):
        owed[(r["payer_id"], r["receiver_id"])] = owed.get((r["payer_id"], r["receiver_id"]), 0.0) - r["amount"]
    net = {a: round(amount - owed.get((me, a), 0.0), 2) for (a, b), amount in owed.items() if b == me}
    return {person: amount for person, amount in sorted(net.items()) if amount > 0}


def remind_debtors(message: str) -> str:
    """Oracle code: a payment reminder saying `message` to every member of `group` who owes me there now."""
    return (
        fetch_all(
            "debts",
            "apis.bill_splitting.show_group_debts(access_token=bill_splitting_token, group_id=group['group_id']",
        )
        + "for d in debts:\n"
        "    if d['creditor']['email'] == me['email']:\n"
        "        apis.bill_splitting.send_payment_reminder(access_token=bill_splitting_token, "
        f"group_id=group['group_id'], email=d['debtor']['email'], message={message!r})\n"
    )


def reminders_sent(view: WorldView, group_id: int, me: int, owing: dict[int, float], message: str) -> list[Expectation]:
    """The reminders remind_debtors sends: one per member who owes me, for what they owe (owed_to_me_after)."""
    return [
        Inserted(
            "bill_splitting_reminders",
            {
                "group_id": group_id,
                "sender_id": me,
                "receiver_id": person,
                "amount": amount,
                "message": message,
                "is_read": 0,
            },
            f"{full_name(view, person)} is reminded of the {money(amount)} they owe me",
            what="reminders",
        )
        for person, amount in owing.items()
    ]


def delivered_since(view: WorldView, owner: int, since: str) -> list[dict]:
    """The owner's delivered orders placed on or after `since`, newest first (as show_orders lists them)."""
    return view.rows(
        "SELECT * FROM shop_orders WHERE owner_id = ? AND status = 'delivered' AND created_at >= ? "
        "ORDER BY created_at DESC, id DESC",
        owner,
        since,
    )


@scenario("shop_split_order_with_group", apps=("shop", "bill_splitting"))
def split_order_with_group(view: WorldView, rng: random.Random) -> TaskSpec:
    candidates = [
        (g, orders)
        for g in unique_groups(view)
        if g["name"].startswith("Flat on")
        and len(orders := delivered_since(view, g["owner_id"], ORDERS_SINCE)) >= 5
        and len({o["total"] for o in orders}) == len(orders)
    ]
    g, orders = pick(rng, candidates, "flat group member with 5+ delivered orders this year", distinct=True)
    owner, description = g["owner_id"], "Household shopping"
    people = members(view, g["group_id"])
    mine = round(sum(equal_shares(o["total"], people)[owner] for o in orders), 2)
    message = f"My shop orders since {ORDERS_SINCE}"
    owing = owed_to_me_after(view, g["group_id"], owner, [equal_shares(o["total"], people) for o in orders])
    look = (
        login("shop", "bill_splitting")
        + fetch_all(
            "orders",
            f"apis.shop.show_orders(access_token=shop_token, status='delivered', start_date={ORDERS_SINCE!r}",
        )
        + "for o in orders:\n    print(o['order_id'], o['created_at'], o['total'])\n"
        + FIND_GROUP.format(name=g["name"])
        + "print(apis.bill_splitting.show_group(access_token=bill_splitting_token, group_id=group['group_id']))\n"
    )
    act = (
        "added = []\n"
        "for o in orders:\n"
        "    added.append(apis.bill_splitting.add_expense(access_token=bill_splitting_token, "
        f"group_id=group['group_id'], description={description!r}, amount=o['total'], category='general', "
        "notes=f\"Shop order {o['order_id']}\")['expense_id'])\n"
    )
    remind = remind_debtors(message)
    check = (
        fetch_all("sent", "apis.bill_splitting.show_reminders(access_token=bill_splitting_token, box='sent'")
        + "print([r for r in sent if r['group_id'] == group['group_id']])\n"
        "mine = 0.0\n"
        "for expense_id in added:\n"
        "    expense = apis.bill_splitting.show_expense(access_token=bill_splitting_token, expense_id=expense_id)\n"
        "    mine += next(s['amount'] for s in expense['shares'] if s['email'] == me['email'])\n"
        "apis.supervisor.complete_task(answer=round(mine, 2))\n"
    )
    return TaskSpec(
        owner,
        f"Share the cost of my delivered shop orders placed since {ORDERS_SINCE} with my flatmates: add each "
        f"order's total as its own '{description}' expense (category general) in my bill splitting group "
        f"'{g['name']}', paid by me and split equally among all members, with the note 'Shop order <order id>'. "
        f"Then send a payment reminder saying '{message}' to every member of the group who owes me anything there "
        "now, and tell me my own share of the orders all together.",
        Solution().step(look).step(act).step(remind).step(check).steps(),
        [
            *(
                e
                for o in orders
                for e in added_equal_expense(
                    view, g["group_id"], owner, description, o["total"], "general", f"Shop order {o['id']}"
                )
            ),
            *reminders_sent(view, g["group_id"], owner, owing, message),
            Answer(mine, f"the answer is my equal share of the {len(orders)} orders ({money(mine)})"),
        ],
    )


@scenario("shop_save_order_receipt", apps=("shop", "file_system"), difficulty=2)
def save_order_receipt(view: WorldView, rng: random.Random) -> TaskSpec:
    owners = [
        r["owner_id"]
        for r in view.rows(
            "SELECT owner_id FROM shop_orders WHERE status = 'delivered' AND created_at >= ? GROUP BY owner_id "
            "HAVING COUNT(*) >= 8 ORDER BY owner_id",
            RECEIPTS_SINCE,
        )
    ]
    owner = pick(rng, owners, "person with 8+ delivered orders since November", distinct=True)
    orders = delivered_since(view, owner, RECEIPTS_SINCE)
    expectations: list[Expectation] = []
    for order in orders:
        path = f"/documents/receipts/shop_order_{order['id']}.txt"
        items = view.rows(
            "SELECT i.quantity, p.name FROM shop_order_items i JOIN shop_products p ON p.id = i.product_id "
            "WHERE i.order_id = ? ORDER BY i.id",
            order["id"],
        )
        text = receipt([f"{i['quantity']} x {i['name']}" for i in items], f"Total: ${order['total']:.2f}")
        expectations.append(
            Inserted(
                "file_system_files",
                new_file(owner, path, text),
                f"{path} lists the order's {len(items)} items, then its total ${order['total']:.2f}",
                what="receipt files",
            )
        )
    expectations.append(Answer(len(orders), f"the answer is the {len(orders)} receipts written"))
    oracle = (
        Solution()
        .step(
            login("shop", "file_system")
            + fetch_all(
                "orders",
                f"apis.shop.show_orders(access_token=shop_token, status='delivered', start_date={RECEIPTS_SINCE!r}",
            )
            + "for o in orders:\n    print(o['order_id'], o['created_at'], o['items'], o['total'])\n"
            + fetch_all(
                "kept", "apis.file_system.show_directory(access_token=file_system_token, path='/documents/receipts'"
            )
            + "kept_paths = {e['path'] for e in kept}\n"
        )
        .step(
            "written = []\n"
            "for o in orders:\n"
            "    path = f\"/documents/receipts/shop_order_{o['order_id']}.txt\"\n"
            "    if path in kept_paths:\n"
            "        continue\n"
            "    lines = [f\"{i['quantity']} x {i['name']}\" for i in o['items']] + [f\"Total: ${o['total']:.2f}\"]\n"
            "    apis.file_system.create_file(access_token=file_system_token, path=path, content='\\n'.join(lines))\n"
            "    written.append(path)\n"
        )
        .step(
            "for path in written:\n"
            "    print(apis.file_system.show_file(access_token=file_system_token, path=path)['content'])\n"
            "apis.supervisor.complete_task(answer=len(written))\n"
        )
        .steps()
    )
    return TaskSpec(
        owner,
        f"Keep a receipt of each of my delivered shop orders placed since {RECEIPTS_SINCE}: create the file "
        "/documents/receipts/shop_order_<order id>.txt (unless it exists already) listing each of the order's items "
        "on its own line as '<quantity> x <product name>', then a last line 'Total: $<total>' (two decimals). How "
        "many receipts did you write?",
        oracle,
        expectations,
    )
