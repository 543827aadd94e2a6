"""Household scenarios that move records between apps: a month of the household's expenses into a file, and a month
of my shop orders into the household group."""

from __future__ import annotations

import random
from calendar import monthrange

from envs.toolworld.apps.bill_splitting import equal_shares
from envs.toolworld.evaluate import Answer, Expectation, Inserted
from envs.toolworld.scenarios._common import Solution, fetch_all, login, pick
from envs.toolworld.scenarios.bill_splitting import FIND_GROUP, added_expense, members
from envs.toolworld.scenarios.household_chores import home_groups
from envs.toolworld.scenarios.shop_bills_files import Receipt
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

MONTHS = ("2026-01", "2026-02", "2026-03", "2026-04")


def month_bounds(month: str) -> tuple[str, str]:
    year, number = (int(x) for x in month.split("-"))
    return f"{month}-01", f"{month}-{monthrange(year, number)[1]:02d}"


@scenario("household_month_expenses_file", apps=("bill_splitting", "file_system"))
def month_expenses_file(view: WorldView, rng: random.Random) -> TaskSpec:
    """A month of a home group's expenses as lines of a new file, then the total line: the same month a year
    earlier and other groups are distractors, and the month spans several pages."""
    cases = []
    for g in home_groups(view, 2):
        for month in MONTHS:
            rows = view.rows(
                "SELECT date, description, amount FROM bill_splitting_expenses WHERE group_id = ? "
                "AND substr(date, 1, 7) = ? ORDER BY date, id",
                g["group_id"],
                month,
            )
            if len(rows) >= 4:
                cases.append((g, month, rows))
    g, month, rows = pick(rng, cases, "home group month with expenses", distinct=True)
    owner = int(g["owner_id"])
    slug = "_".join(g["name"].lower().split())
    path = f"/documents/bills/{slug}_{month}.txt"
    first, last = month_bounds(month)
    lines = [f"{r['date']} {r['description']}: ${r['amount']:.2f}" for r in rows]
    amount = round(sum(r["amount"] for r in rows), 2)
    total = f"Total: ${amount:.2f}"
    oracle = (
        Solution()
        .step(login("bill_splitting", "file_system"))
        .step(
            FIND_GROUP.format(name=g["name"])
            + fetch_all(
                "expenses",
                "apis.bill_splitting.show_expenses(access_token=bill_splitting_token, group_id=group['group_id'], "
                f"date_from={first!r}, date_to={last!r}, sort_by='oldest'",
            )
            + "print(len(expenses))\n"
        )
        .step(
            "lines = [f\"{e['date']} {e['description']}: ${e['amount']:.2f}\" for e in expenses]\n"
            "lines.append(f\"Total: ${sum(e['amount'] for e in expenses):.2f}\")\n"
            f"apis.file_system.create_file(access_token=file_system_token, path={path!r}, content='\\n'.join(lines))\n"
            f"print(apis.file_system.show_file(access_token=file_system_token, path={path!r}))\n"
        )
        .step("apis.supervisor.complete_task(answer=round(sum(e['amount'] for e in expenses), 2))")
        .steps()
    )
    return TaskSpec(
        owner,
        f"Keep a record of what my household spent in {month}: create the file {path} with one line per expense of "
        f"my bill splitting group '{g['name']}' dated in that month, written like '2026-01-31 Groceries: $12.30' "
        "(date, description, whole amount), and a last line 'Total: $<sum of them>'. Also tell me that total.",
        oracle,
        [
            Inserted(
                "file_system_files",
                {"owner_id": owner, "path": path, "content": Receipt(lines, total), "starred": 0},
                f"{path} lists the {len(lines)} expenses of {month}, then '{total}'",
                what="files",
            ),
            Answer(amount, f"the answer is the month's total ({amount:.2f})"),
        ],
    )


@scenario("household_split_month_orders", apps=("shop", "bill_splitting"))
def split_month_orders(view: WorldView, rng: random.Random) -> TaskSpec:
    """Each delivered shop order of a month becomes an equal expense in my home group, dated the order's day;
    cancelled or still-shipping orders of that month and other months are distractors."""
    cases = []
    for g in home_groups(view, 2):
        for month in MONTHS:
            orders = view.rows(
                "SELECT id, total, substr(created_at, 1, 10) AS day, status FROM shop_orders WHERE owner_id = ? "
                "AND substr(created_at, 1, 7) = ? ORDER BY created_at, id",
                g["owner_id"],
                month,
            )
            delivered = [o for o in orders if o["status"] == "delivered"]
            if 2 <= len(delivered) <= 5 and len(orders) > len(delivered):
                cases.append((g, month, delivered))
    g, month, delivered = pick(rng, cases, "home group owner with delivered orders in a month", distinct=True)
    owner = int(g["owner_id"])
    people = members(view, int(g["group_id"]))
    first, last = month_bounds(month)
    expectations: list[Expectation] = []
    for o in delivered:
        expectations += added_expense(
            view,
            int(g["group_id"]),
            owner,
            f"Shop order {o['id']}",
            o["total"],
            equal_shares(o["total"], people),
            "groceries",
            date=o["day"],
        )
    oracle = (
        Solution()
        .step(login("shop", "bill_splitting"))
        .step(
            fetch_all(
                "orders",
                f"apis.shop.show_orders(access_token=shop_token, status='delivered', start_date={first!r}, "
                f"end_date={last!r}",
            )
            + "print([(o['order_id'], o['created_at'], o['total']) for o in orders])\n"
            + FIND_GROUP.format(name=g["name"])
        )
        .step(
            "for o in orders:\n"
            "    apis.bill_splitting.add_expense(access_token=bill_splitting_token, group_id=group['group_id'], "
            "description=f\"Shop order {o['order_id']}\", amount=o['total'], category='groceries', "
            "date=o['created_at'][:10])\n"
        )
        .step(
            fetch_all(
                "check",
                "apis.bill_splitting.show_expenses(access_token=bill_splitting_token, group_id=group['group_id'], "
                f"date_from={first!r}, date_to={last!r}",
            )
            + "print(len(check))\n"
            + "apis.supervisor.complete_task()"
        )
        .steps()
    )
    return TaskSpec(
        owner,
        f"Split my shop orders of {month} with my household: for each of my shop orders placed that month and "
        f"delivered, add a groceries expense 'Shop order <order id>' to my bill splitting group '{g['name']}' for "
        "the order's total, paid by me, dated the day the order was placed, split equally among all members. "
        "Orders that were cancelled or are not delivered yet are not part of it.",
        oracle,
        expectations,
    )
