"""Scenarios joining shop orders with bill_splitting (share the cost) and file_system (keep a receipt)."""

from __future__ import annotations

import random

from envs.toolworld.apps.bill_splitting import equal_shares
from envs.toolworld.evaluate import Answer, Inserted, Matcher, Outcome
from envs.toolworld.scenarios._common import Solution, fetch_all, login, pick
from envs.toolworld.scenarios._money import added_equal_expense, money
from envs.toolworld.scenarios.bill_splitting import FIND_GROUP, members, unique_groups
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

DONE = "apis.supervisor.complete_task()\n"
LATEST_ORDER = "order = apis.shop.show_orders(access_token=shop_token, status='delivered')[0]\n"


class Receipt(Matcher):
    """A receipt's text: exactly the item lines (any order, case and spacing aside), then the total line last."""

    def __init__(self, items: list[str], total: str):
        self.items = sorted(_key(x) for x in items)
        self.total = _key(total)

    def __call__(self, value: object, outcome: Outcome) -> bool:
        if not isinstance(value, str):
            return False
        lines = [_key(x) for x in value.splitlines() if x.strip()]
        return bool(lines) and lines[-1] == self.total and sorted(lines[:-1]) == self.items

    def __repr__(self) -> str:
        return f"the lines {self.items} then {self.total!r}"


def _key(line: str) -> str:
    return " ".join(line.lower().split())


def latest_delivered(view: WorldView, owner: int) -> dict | None:
    found = view.rows(
        "SELECT * FROM shop_orders WHERE owner_id = ? AND status = 'delivered' ORDER BY created_at DESC, id DESC "
        "LIMIT 1",
        owner,
    )
    return found[0] if found else None


@scenario("shop_split_order_with_group", apps=("shop", "bill_splitting"))
def split_order_with_group(view: WorldView, rng: random.Random) -> TaskSpec:
    candidates = [
        (g, order)
        for g in unique_groups(view)
        if g["name"].startswith("Flat on") and (order := latest_delivered(view, g["owner_id"]))
    ]
    g, order = pick(rng, candidates, "flat group member with a delivered order", distinct=True)
    owner, description = g["owner_id"], "Household shopping"
    notes = f"Shop order {order['id']}"
    mine = equal_shares(order["total"], members(view, g["group_id"]))[owner]
    look = (
        login("shop", "bill_splitting")
        + fetch_all("delivered", "apis.shop.show_orders(access_token=shop_token, status='delivered'")
        + "order = max(delivered, key=lambda o: (o['created_at'], o['order_id']))\n"
        + "print(order['order_id'], order['created_at'], order['total'], order['items'])\n"
        + FIND_GROUP.format(name=g["name"])
        + "print(apis.bill_splitting.show_group(access_token=bill_splitting_token, group_id=group['group_id']))\n"
    )
    act = (
        "added = apis.bill_splitting.add_expense(access_token=bill_splitting_token, group_id=group['group_id'], "
        f"description={description!r}, amount=order['total'], category='general', "
        "notes=f\"Shop order {order['order_id']}\")\n"
    )
    check = (
        "expense = apis.bill_splitting.show_expense(access_token=bill_splitting_token, "
        "expense_id=added['expense_id'])\n"
        "print(expense)\n"
        "my_share = next(s['amount'] for s in expense['shares'] if s['email'] == me['email'])\n"
        "apis.supervisor.complete_task(answer=my_share)\n"
    )
    return TaskSpec(
        owner,
        "Share the cost of my most recent delivered shop order with my flatmates: "
        f"add its total as a '{description}' expense (category general) in my bill splitting group '{g['name']}', "
        "paid by me and split equally among all members, with the note 'Shop order <order id>'. Then tell me my own "
        "share of it.",
        Solution().step(look).step(act).step(check).steps(),
        [
            *added_equal_expense(view, g["group_id"], owner, description, order["total"], "general", notes),
            Answer(mine, f"the answer is my equal share ({money(mine)})"),
        ],
    )


@scenario("shop_save_order_receipt", apps=("shop", "file_system"), difficulty=2)
def save_order_receipt(view: WorldView, rng: random.Random) -> TaskSpec:
    owners = [
        r["owner_id"]
        for r in view.rows("SELECT DISTINCT owner_id FROM shop_orders WHERE status = 'delivered' ORDER BY owner_id")
    ]
    owner = pick(rng, owners, "person with a delivered order")
    order = latest_delivered(view, owner)
    assert order is not None  # the owners are the people with a delivered order
    path = f"/documents/receipts/shop_order_{order['id']}.txt"
    items = view.rows(
        "SELECT i.quantity, p.name FROM shop_order_items i JOIN shop_products p ON p.id = i.product_id "
        "WHERE i.order_id = ? ORDER BY i.id",
        order["id"],
    )
    oracle = (
        Solution()
        .step(
            login("shop", "file_system")
            + LATEST_ORDER
            + "print(order['order_id'], order['created_at'], order['items'], order['total'])\n"
            + "print(apis.file_system.show_directory(access_token=file_system_token, path='/documents/receipts'))\n"
        )
        .step(
            "lines = [f\"{i['quantity']} x {i['name']}\" for i in order['items']] + "
            "[f\"Total: ${order['total']:.2f}\"]\n"
            "path = f\"/documents/receipts/shop_order_{order['order_id']}.txt\"\n"
            "apis.file_system.create_file(access_token=file_system_token, path=path, content='\\n'.join(lines))\n"
        )
        .step("print(apis.file_system.show_file(access_token=file_system_token, path=path))\n" + DONE)
        .steps()
    )
    return TaskSpec(
        owner,
        "Keep a receipt of my most recent delivered shop order: "
        "create the file /documents/receipts/shop_order_<order id>.txt listing each of its items on its own line as "
        "'<quantity> x <product name>', then a last line 'Total: $<total>' (two decimals).",
        oracle,
        [
            Inserted(
                "file_system_files",
                {
                    "owner_id": owner,
                    "path": path,
                    "content": Receipt(
                        [f"{i['quantity']} x {i['name']}" for i in items], f"Total: ${order['total']:.2f}"
                    ),
                    "starred": 0,
                },
                f"{path} lists the order's {len(items)} items, then its total ${order['total']:.2f}",
                what="receipt files",
            )
        ],
    )
