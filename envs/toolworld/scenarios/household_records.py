"""Household scenarios that move records between apps: a month of the household's expenses into a file, and a month
of my shop orders into the household group."""

from __future__ import annotations

import random
from calendar import monthrange

from envs.toolworld.apps.bill_splitting import equal_shares
from envs.toolworld.evaluate import Answer, Expectation, Inserted, NewRow
from envs.toolworld.scenarios._common import Solution, fetch_all, full_name, login, pick
from envs.toolworld.scenarios._rows import new_file
from envs.toolworld.scenarios.bill_splitting import FIND_GROUP, added_expense, members
from envs.toolworld.scenarios.household_chores import home_groups
from envs.toolworld.scenarios.shop_bills_files import owed_to_me_after, receipt, remind_debtors, reminders_sent
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

RECORD_MONTHS = ("2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04")  # half a year of records


def month_bounds(month: str) -> tuple[str, str]:
    year, number = (int(x) for x in month.split("-"))
    return f"{month}-01", f"{month}-{monthrange(year, number)[1]:02d}"


@scenario("household_month_expenses_file", apps=("bill_splitting", "file_system"))
def month_expenses_file(view: WorldView, rng: random.Random) -> TaskSpec:
    """Each month of a home group's expenses as the lines of its own new file, then the total line: the same
    months a year earlier and other groups are distractors, and a month spans several pages. The answer is the
    month the household spent most in."""
    cases = []
    for g in home_groups(view, 2):
        months = {
            month: view.rows(
                "SELECT date, description, amount FROM bill_splitting_expenses WHERE group_id = ? "
                "AND substr(date, 1, 7) = ? ORDER BY date, id",
                g["group_id"],
                month,
            )
            for month in RECORD_MONTHS
        }
        sums = sorted(round(sum(r["amount"] for r in rows), 2) for rows in months.values())
        if all(len(rows) >= 2 for rows in months.values()) and sums[-1] > sums[-2]:
            cases.append((g, months))
    g, months = pick(rng, cases, "home group with expenses in each month", distinct=True)
    owner = int(g["owner_id"])
    slug = "_".join(g["name"].lower().split())
    expectations: list[Expectation] = []
    totals: dict[str, float] = {}
    for month, rows in months.items():
        path = f"/documents/bills/{slug}_{month}.txt"
        lines = [f"{r['date']} {r['description']}: ${r['amount']:.2f}" for r in rows]
        totals[month] = round(sum(r["amount"] for r in rows), 2)
        total = f"Total: ${totals[month]:.2f}"
        expectations.append(
            Inserted(
                "file_system_files",
                new_file(owner, path, receipt(lines, total)),
                f"{path} lists the {len(lines)} expenses of {month}, then '{total}'",
                what="files",
            )
        )
        expectations += [
            Inserted(
                "file_system_shares",
                {
                    "file_id": NewRow("file_system_files", {"owner_id": owner, "path": path}),
                    "owner_id": owner,
                    "shared_with_id": other,
                    "permission": "view",
                },
                f"{path} is shared with {full_name(view, other)}, view only",
                what="shares",
            )
            for other in members(view, int(g["group_id"]))
            if other != owner
        ]
    top = max(totals, key=lambda m: totals[m])
    expectations.append(
        Answer(
            top,
            f"the answer is the month with the largest total ({top}: {totals[top]:.2f})",
            traps={min(totals, key=lambda m: totals[m]): "that is the month with the smallest total"},
        )
    )
    oracle = (
        Solution()
        .step(login("bill_splitting", "file_system"))
        .step(
            FIND_GROUP.format(name=g["name"]) + f"months = {dict((m, month_bounds(m)) for m in RECORD_MONTHS)!r}\n"
            "others = [m['email'] for m in apis.bill_splitting.show_group(access_token=bill_splitting_token, "
            "group_id=group['group_id'])['members'] if m['email'] != me['email']]\n"
            "print(others)\n"
        )
        .step(
            "totals = {}\n"
            "for month, (first, last) in months.items():\n"
            + fetch_all(
                "expenses",
                "apis.bill_splitting.show_expenses(access_token=bill_splitting_token, group_id=group['group_id'], "
                "date_from=first, date_to=last, sort_by='oldest'",
                "    ",
            )
            + "    lines = [f\"{e['date']} {e['description']}: ${e['amount']:.2f}\" for e in expenses]\n"
            "    totals[month] = round(sum(e['amount'] for e in expenses), 2)\n"
            '    lines.append(f"Total: ${totals[month]:.2f}")\n'
            f"    path = '/documents/bills/{slug}_' + month + '.txt'\n"
            "    apis.file_system.create_file(access_token=file_system_token, path=path, content='\\n'.join(lines))\n"
            "    for email in others:\n"
            "        apis.file_system.share_file(access_token=file_system_token, path=path, email=email, "
            "permission='view')\n"
        )
        .step(
            fetch_all(
                "written",
                f"apis.file_system.search_files(access_token=file_system_token, query={slug!r}, "
                "directory='/documents/bills'",
            )
            + "print(sorted(f['path'] for f in written))\n"
            "print(totals)\n"
            "apis.supervisor.complete_task(answer=max(totals, key=totals.get))\n"
        )
        .steps()
    )
    return TaskSpec(
        owner,
        f"Keep a record of what my household spent in each month from {RECORD_MONTHS[0]} to {RECORD_MONTHS[-1]}: "
        f"for each month, create the file /documents/bills/{slug}_<YYYY-MM>.txt with one line per expense of my "
        f"bill splitting group '{g['name']}' dated in that month, written like '2026-01-31 Groceries: $12.30' "
        "(date, description, whole amount), and a last line 'Total: $<sum of them>'. Share each file with the other "
        "members of the group, view only. Which month (YYYY-MM) did we spend the most in?",
        oracle,
        expectations,
    )


@scenario("household_split_month_orders", apps=("shop", "bill_splitting"))
def split_month_orders(view: WorldView, rng: random.Random) -> TaskSpec:
    """Each delivered shop order of half a year becomes an equal expense in my home group, dated the order's day;
    cancelled or still-shipping orders of those months and orders of other months are distractors. The answer is
    my share of them all."""
    first, last = month_bounds(RECORD_MONTHS[0])[0], month_bounds(RECORD_MONTHS[-1])[1]
    cases = []
    for g in home_groups(view, 2):
        orders = view.rows(
            "SELECT id, total, substr(created_at, 1, 10) AS day, status FROM shop_orders WHERE owner_id = ? "
            "AND substr(created_at, 1, 10) BETWEEN ? AND ? ORDER BY created_at, id",
            g["owner_id"],
            first,
            last,
        )
        delivered = [o for o in orders if o["status"] == "delivered"]
        if 6 <= len(delivered) <= 16 and len(orders) > len(delivered):
            cases.append((g, delivered))
    g, delivered = pick(rng, cases, "home group owner with delivered orders in the months", distinct=True)
    owner = int(g["owner_id"])
    people = members(view, int(g["group_id"]))
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
    mine = round(sum(equal_shares(o["total"], people)[owner] for o in delivered), 2)
    message = f"My shop orders of {RECORD_MONTHS[0]} to {RECORD_MONTHS[-1]}"
    owing = owed_to_me_after(view, int(g["group_id"]), owner, [equal_shares(o["total"], people) for o in delivered])
    expectations += reminders_sent(view, int(g["group_id"]), owner, owing, message)
    expectations.append(Answer(mine, f"the answer is my share of the {len(delivered)} orders ({mine:.2f})"))
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
            "added = []\n"
            "for o in orders:\n"
            "    added.append(apis.bill_splitting.add_expense(access_token=bill_splitting_token, "
            "group_id=group['group_id'], description=f\"Shop order {o['order_id']}\", amount=o['total'], "
            "category='groceries', date=o['created_at'][:10])['expense_id'])\n"
        )
        .step(remind_debtors(message))
        .step(
            "mine = 0.0\n"
            "for expense_id in added:\n"
            "    expense = apis.bill_splitting.show_expense(access_token=bill_splitting_token, expense_id=expense_id)\n"
            "    mine += next(s['amount'] for s in expense['shares'] if s['email'] == me['email'])\n"
            "apis.supervisor.complete_task(answer=round(mine, 2))\n"
        )
        .steps()
    )
    return TaskSpec(
        owner,
        f"Split my shop orders of {RECORD_MONTHS[0]} to {RECORD_MONTHS[-1]} with my household: for each of my shop "
        "orders placed in those months and delivered, add a groceries expense 'Shop order <order id>' to my bill "
        f"splitting group '{g['name']}' for the order's total, paid by me, dated the day the order was placed, split "
        "equally among all members. Orders that were cancelled or are not delivered yet are not part of it. Then send "
        f"a payment reminder saying '{message}' to every member of the group who owes me anything there now. How "
        "much of the orders is my own share?",
        oracle,
        expectations,
    )
