"""Money and shopping in notes: a log of the payments of a month, a log of a year's shop orders, a budget check."""

from __future__ import annotations

import random
import textwrap
from typing import Any

from envs.toolworld.evaluate import Answer, InBlocks, InOrder, Inserted, Updated, runs
from envs.toolworld.scenarios._common import Solution, fetch_all, full_name, login, pick
from envs.toolworld.scenarios._money import money
from envs.toolworld.scenarios._rows import new_note
from envs.toolworld.scenarios.contacts_notes import notebook, notebook_step
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

QUARTERS = [
    ("2025-10-01", "2025-12-31", "Q4 2025"),
    ("2026-01-01", "2026-03-31", "Q1 2026"),
    ("2025-07-01", "2025-09-30", "Q3 2025"),
]
ITEMS_SQL = (
    "SELECT i.product_id, i.quantity, i.unit_price, p.name, p.category FROM shop_order_items i "
    "JOIN shop_products p ON p.id = i.product_id WHERE i.order_id = ? ORDER BY i.id"
)


def _quarter_orders(view: WorldView, start: str, end: str) -> dict[int, list[dict[str, Any]]]:
    """Each shopper's orders placed from `start` to `end` that were not cancelled, oldest first."""
    orders: dict[int, list[dict[str, Any]]] = {}
    for o in view.rows(
        "SELECT * FROM shop_orders WHERE status != 'cancelled' AND created_at BETWEEN ? AND ? || 'T23:59:59' "
        "ORDER BY owner_id, created_at, id",
        start,
        end,
    ):
        orders.setdefault(o["owner_id"], []).append(o)
    return orders


def _household_items(view: WorldView, orders: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The home and kitchen items of `orders`, less those whose return was approved or refunded."""
    kept = []
    for o in orders:
        returned = {
            r["product_id"]
            for r in view.rows(
                "SELECT product_id FROM shop_returns WHERE order_id = ? AND status IN ('approved', 'refunded')",
                o["id"],
            )
        }
        for i in view.rows(ITEMS_SQL, o["id"]):
            if i["category"] in ("home", "kitchen") and i["product_id"] not in returned:
                cost = round(i["quantity"] * i["unit_price"], 2)
                kept.append({**i, "cost": cost, "order_id": o["id"], "day": o["created_at"][:10]})
    return kept


WORK = "coworker"
PAYMENTS_LOG_AT_LEAST = 15  # payments sent in the quarter: a line each, each public one made private


@scenario("money_notes_payments_log", apps=("payments", "notes", "phone"))
def payments_log(view: WorldView, rng: random.Random) -> TaskSpec:
    """A note with one line per payment sent in a quarter (received ones and other quarters are distractors), then
    each public one made private. Deep because payments to coworkers are marked, which only the phone contacts tell,
    and every still-public payment of the quarter (PAYMENTS_LOG_AT_LEAST=15+ payments, pages of them) takes its own
    privacy update (already private ones are left), checked."""
    start, end, label = rng.choice(QUARTERS)
    title = f"Payments sent {label}"
    owners = view.rows(
        "SELECT t.sender_id FROM payments_transactions t JOIN people f ON f.id = t.receiver_id "
        "LEFT JOIN phone_contacts c ON c.owner_id = t.sender_id AND c.email = f.email "
        "WHERE t.created_at BETWEEN ?1 AND ?2 || 'T23:59:59' GROUP BY t.sender_id "
        "HAVING COUNT(*) BETWEEN ?4 AND 30 AND COUNT(DISTINCT t.id) = COUNT(*) AND SUM(c.relationship = ?3) >= 1 "
        "AND SUM(c.relationship IS NOT ?3) >= 1 AND SUM(t.private = 0) >= 1 ORDER BY t.sender_id",
        start,
        end,
        WORK,
        PAYMENTS_LOG_AT_LEAST,
    )
    owner = pick(rng, owners, "sender with a busy quarter of payments to coworkers and others", distinct=True)[
        "sender_id"
    ]
    sent = view.rows(
        "SELECT t.*, c.relationship FROM payments_transactions t JOIN people f ON f.id = t.receiver_id "
        "LEFT JOIN phone_contacts c ON c.owner_id = t.sender_id AND c.email = f.email WHERE t.sender_id = ? "
        "AND t.created_at BETWEEN ? AND ? || 'T23:59:59' ORDER BY t.created_at",
        owner,
        start,
        end,
    )
    lines = [
        f"{t['created_at'][:10]} {full_name(view, t['receiver_id'])}: {money(t['amount'])}"
        + (" (work)" if t["relationship"] == WORK else "")
        for t in sent
    ]
    notebook_id, filed = notebook(view, owner, "Finance")
    total = round(sum(t["amount"] for t in sent), 2)
    first_page = round(sum(t["amount"] for t in sorted(sent, key=lambda t: t["created_at"], reverse=True)[:5]), 2)
    in_quarter = (
        "apis.payments.show_transactions(access_token=payments_token, direction='sent', "
        f"start_date={start!r}, end_date={end!r}, sort_by='created_at'"
    )
    look = (
        login("payments", "notes", "phone")
        + fetch_all("sent", in_quarter)
        + f"sent = [t for t in sent if {start!r} <= t['created_at'][:10] <= {end!r}]\n"
        + "print(len(sent), [(t['created_at'], t['receiver'], t['amount'], t['private']) for t in sent])\n"
        + fetch_all("work", f"apis.phone.search_contacts(access_token=phone_token, relationship={WORK!r}")
        + "coworkers = {c['email'] for c in work if c['email']}\n"
        + "print(sorted(coworkers))\n"
        + fetch_all("existing", f"apis.notes.search_notes(access_token=notes_token, query={title!r}")
        + "print([n['title'] for n in existing])\n"
        + fetch_all("notebooks", "apis.notes.show_notebooks(access_token=notes_token, query='Finance'")
        + "finance = next((n['notebook_id'] for n in notebooks if n['name'] == 'Finance'), None)\n"
        + "print(finance)\n"
    )
    act = (
        "lines = [f\"{t['created_at'][:10]} {t['receiver']['name']}: ${t['amount']:.2f}\" "
        "+ (' (work)' if t['receiver']['email'] in coworkers else '') for t in sent]\n"
        "total = round(sum(t['amount'] for t in sent), 2)\n"
        "lines.append(f'Total: ${total:.2f}')\n"
        "if finance is None:\n"
        "    finance = apis.notes.create_notebook(access_token=notes_token, name='Finance')['notebook_id']\n"
        f"note = apis.notes.create_note(access_token=notes_token, title={title!r}, content='\\n'.join(lines), "
        "notebook_id=finance)\n"
        "for t in sent:\n"
        "    if not t['private']:\n"
        "        apis.payments.update_transaction_privacy(access_token=payments_token, "
        "transaction_id=t['transaction_id'], private=True)\n"
    )
    check = (
        "print(apis.notes.show_note(access_token=notes_token, note_id=note['note_id']))\n"
        + fetch_all("after", in_quarter)
        + "print([t['transaction_id'] for t in after if not t['private']])\n"
        + "apis.supervisor.complete_task(answer=total)\n"
    )
    return TaskSpec(
        owner,
        f"Make me a note titled '{title}' listing every payment I sent on the payments app in {label} ({start} to "
        f"{end}), oldest first, one per line as 'YYYY-MM-DD <receiver's full name>: $<amount>' (two decimals, no "
        "thousands separator), with ' (work)' at the end of the line when the receiver is a coworker in my phone "
        "contacts, and a last line 'Total: $<their sum>' (written the same way). Money I received does not belong "
        "there. Keep it in my notebook 'Finance' (create that "
        "notebook if I have none). Since the note is my record now, make each of those payments private on the "
        "payments app if it isn't already. Then tell me the total.",
        Solution().step(look).step(act).step(check).steps(),
        [
            *filed,
            Inserted(
                "notes_notes",
                new_note(
                    owner,
                    title,
                    InBlocks(*runs(lines, [t["created_at"] for t in sent]), [f"Total: {money(total)}"]),
                    notebook_id=notebook_id,
                ),
                f"a plain note '{title}' in the Finance notebook with the {len(lines)} payments, then "
                f"'Total: {money(total)}'",
                what="notes",
            ),
            *(
                Updated("payments_transactions", t["id"], {"private": 1}, f"the payment {t['id']} is made private")
                for t in sent
                if not t["private"]
            ),
            Answer(
                total,
                f"the answer is the quarter's total sent ({money(total)})",
                traps={f"{first_page:g}": "that is the first page of payments only (page_limit default 5)"},
            ),
        ],
    )


@scenario("money_notes_orders_log", apps=("shop", "notes"))
def orders_log(view: WorldView, rng: random.Random) -> TaskSpec:
    """A note of a quarter's delivered shop orders with their items; cancelled and other quarters' orders are
    distractors, and the answer is the count. Deep: each item's seller is only in show_product (14+ products) and
    where an order shipped from only in track_order (one call per order)."""
    start, end, label = rng.choice(QUARTERS)
    title = f"Shop orders {label}"
    owners = view.rows(
        "SELECT o.owner_id FROM shop_orders o JOIN shop_order_items i ON i.order_id = o.id WHERE o.status = "
        "'delivered' AND o.created_at BETWEEN ? AND ? || 'T23:59:59' GROUP BY o.owner_id HAVING COUNT(DISTINCT o.id) "
        "BETWEEN 3 AND 9 AND COUNT(DISTINCT i.product_id) >= 14 ORDER BY o.owner_id",
        start,
        end,
    )
    owner = pick(rng, owners, "shopper with a few delivered orders of many products in the quarter", distinct=True)[
        "owner_id"
    ]
    orders = view.rows(
        "SELECT o.*, t.location AS shipped_from FROM shop_orders o JOIN shop_tracking t ON t.order_id = o.id "
        "AND t.status = 'shipped' WHERE o.owner_id = ? AND o.status = 'delivered' AND o.created_at BETWEEN ? AND ? "
        "|| 'T23:59:59' ORDER BY o.created_at, o.id",
        owner,
        start,
        end,
    )
    lines = []
    for o in orders:
        items = view.rows(
            "SELECT i.quantity, p.name, p.seller FROM shop_order_items i JOIN shop_products p ON p.id = i.product_id "
            "WHERE i.order_id = ? ORDER BY i.id",
            o["id"],
        )
        listed = ", ".join(f"{i['quantity']} x {i['name']} ({i['seller']})" for i in items)
        lines.append(f"{o['created_at'][:10]} order {o['id']} from {o['shipped_from']}: {listed} = {money(o['total'])}")
    total = round(sum(o["total"] for o in orders), 2)
    look = (
        login("shop", "notes")
        + fetch_all(
            "orders",
            "apis.shop.show_orders(access_token=shop_token, status='delivered', "
            f"start_date={start!r}, end_date={end!r}, sort_by='created_at'",
        )
        + "for o in orders:\n    print(o['order_id'], o['created_at'], o['total'], o['items'])\n"
    )
    details = (
        "seller = {}\n"
        "for o in orders:\n"
        "    for i in o['items']:\n"
        "        if i['product_id'] not in seller:\n"
        "            seller[i['product_id']] = apis.shop.show_product(product_id=i['product_id'])['seller']\n"
        "shipped_from = {}\n"
        "for o in orders:\n"
        "    events = apis.shop.track_order(access_token=shop_token, order_id=o['order_id'])\n"
        "    shipped_from[o['order_id']] = next(e['location'] for e in events if e['status'] == 'shipped')\n"
        "print(seller, shipped_from)\n"
    )
    act = (
        "lines = []\n"
        "for o in orders:\n"
        "    listed = ', '.join(f\"{i['quantity']} x {i['name']} ({seller[i['product_id']]})\" for i in o['items'])\n"
        "    lines.append(\n"
        "        f\"{o['created_at'][:10]} order {o['order_id']} from {shipped_from[o['order_id']]}: {listed} \"\n"
        "        f\"= ${o['total']:.2f}\"\n"
        "    )\n"
        "total = round(sum(o['total'] for o in orders), 2)\n"
        "lines.append(f'Total: ${total:.2f}')\n"
        f"note = apis.notes.create_note(access_token=notes_token, title={title!r}, content='\\n'.join(lines))\n"
    )
    check = (
        "print(apis.notes.show_note(access_token=notes_token, note_id=note['note_id'])['content'])\n"
        "apis.supervisor.complete_task(answer=len(orders))\n"
    )
    return TaskSpec(
        owner,
        f"Keep a log of what I received from the shop in {label} ({start} to {end}): create a note titled "
        f"'{title}' with one line per delivered order placed in that period, oldest first, written as 'YYYY-MM-DD "
        "order <order id> from <the place it shipped from>: <quantity> x <product name> (<seller>), <quantity> x "
        "<product name> (<seller>)... = $<order total>', items in the order's own order, then a last line "
        "'Total: $<sum of those totals>' (amounts with two decimals). Cancelled orders do not count. Then tell me how "
        "many orders that is.",
        Solution().step(look).step(details).step(act).step(check).steps(),
        [
            Inserted(
                "notes_notes",
                new_note(owner, title, InOrder([*lines, f"Total: {money(total)}"])),
                f"a plain note '{title}' with the {len(lines)} delivered orders oldest first, where each shipped "
                "from and their items with their sellers, then the total",
                what="notes",
            ),
            Answer(len(orders), f"the answer is the number of delivered orders ({len(orders)})"),
        ],
    )


@scenario("money_notes_budget_alert", apps=("shop", "notes"))
def budget_alert(view: WorldView, rng: random.Random) -> TaskSpec:
    """Conditional: a note only when a quarter's home and kitchen shopping is over the budget. Deep: an item's
    category is only in show_product (one call per product of 16+), and returned items and cancelled orders are
    distractors."""
    start, end, label = rng.choice(QUARTERS)
    orders_of = _quarter_orders(view, start, end)
    over = getattr(rng, "variant", 1) % 3 != 0  # variant 0 stays within the budget: both outcomes occur
    candidates = []
    for owner, orders in orders_of.items():
        kept = _household_items(view, orders)
        products = {i["product_id"] for o in orders for i in view.rows(ITEMS_SQL, o["id"])}
        spent = round(sum(i["cost"] for i in kept), 2)
        if len(products) >= 16 and len(kept) >= 3:
            candidates.append((owner, kept, spent, float(int(spent * (0.8 if over else 1.25) / 10) * 10)))
    owner, kept, spent, budget = pick(
        rng,
        candidates,
        "shopper with many products that quarter",
        distinct=True,
        unusable=(lambda c: len({i["cost"] for i in c[1]}) < len(c[1]), "two items of equal cost, in no set order"),
    )
    kept.sort(key=lambda i: -i["cost"])
    whole = round(sum(o["total"] for o in orders_of[owner]), 2)
    title = f"Over budget {label}"
    lines = [f"{i['name']} x{i['quantity']} (order {i['order_id']}, {i['day']}): {money(i['cost'])}" for i in kept]
    summary = f"Spent {money(spent)} of my {money(budget)} household budget"
    notebook_id, filed = notebook(view, owner, "Finance")
    look = (
        login("shop", "notes")
        + fetch_all("orders", f"apis.shop.show_orders(access_token=shop_token, start_date={start!r}, end_date={end!r}")
        + "orders = [o for o in orders if o['status'] != 'cancelled']\n"
        + "for o in orders:\n    print(o['order_id'], o['created_at'], o['status'], o['items'])\n"
        + fetch_all("returns", "apis.shop.show_returns(access_token=shop_token")
        + "returned = {(r['order_id'], r['product_id']) for r in returns if r['status'] in ('approved', 'refunded')}\n"
        + "print(returned)\n"
    )
    categorize = (
        "category = {}\n"
        "for o in orders:\n"
        "    for i in o['items']:\n"
        "        if i['product_id'] not in category:\n"
        "            category[i['product_id']] = apis.shop.show_product(product_id=i['product_id'])['category']\n"
        "kept = [\n"
        "    (o, i) for o in orders for i in o['items']\n"
        "    if category[i['product_id']] in ('home', 'kitchen') and (o['order_id'], i['product_id']) not in returned\n"
        "]\n"
        "spent = round(sum(i['quantity'] * i['unit_price'] for o, i in kept), 2)\n"
        f"print(len(category), len(kept), spent, spent > {budget})\n"
    )
    act = (
        f"if spent > {budget}:\n"
        "    kept.sort(key=lambda oi: -oi[1]['quantity'] * oi[1]['unit_price'])\n"
        "    lines = [\n"
        "        f\"{i['name']} x{i['quantity']} (order {o['order_id']}, {o['created_at'][:10]}): \"\n"
        "        f\"${i['quantity'] * i['unit_price']:.2f}\"\n"
        "        for o, i in kept\n"
        "    ]\n"
        f"    lines.append(f'Spent ${{spent:.2f}} of my ${budget:.2f} household budget')\n"
        + textwrap.indent(notebook_step("Finance"), "    ")
        + f"    note = apis.notes.create_note(access_token=notes_token, title={title!r}, content='\\n'.join(lines), "
        "pinned=True, notebook_id=notebook_id)\n"
        "    print(apis.notes.show_note(access_token=notes_token, note_id=note['note_id']))\n"
        "apis.supervisor.complete_task(answer=spent)\n"
    )
    return TaskSpec(
        owner,
        f"My household budget for {label} ({start} to {end}) was {money(budget)}: it covers what I bought on the "
        "shop in the home and kitchen categories. Add up those items (quantity times unit price) over my orders "
        "placed in that period; cancelled orders do not count, and neither do items I returned (return approved or "
        f"refunded). If I went over the budget, create a pinned note titled '{title}' in my notebook 'Finance' "
        "(create that notebook if I have none) listing those items from the most expensive down, one per line as "
        "'<product name> x<quantity> (order <order id>, YYYY-MM-DD): $<quantity times unit price>', and a last line "
        f"'Spent $<sum> of my {money(budget)} household budget' (amounts with two decimals). If I stayed within it, "
        "do not create anything. Either way, tell me how much I spent on those items.",
        Solution().step(look).step(categorize).step(act).steps(),
        [
            Answer(
                spent,
                f"the answer is the {money(spent)} I spent on home and kitchen items",
                traps={f"{whole:g}": "that is every order's total, whatever the items' categories"},
            ),
            *(
                [
                    *filed,
                    Inserted(
                        "notes_notes",
                        new_note(owner, title, InOrder([*lines, summary]), pinned=1, notebook_id=notebook_id),
                        f"a pinned note '{title}' in the Finance notebook with the {len(lines)} items from the most "
                        f"expensive down, then '{summary}'",
                        what="notes",
                    ),
                ]
                if spent > budget
                else []
            ),
        ],
        noop_pass=spent <= budget,
    )
