"""Life admin around the shop: wishlist price drops, pending returns and a quarter's spending, across apps."""

from __future__ import annotations

import random
from typing import Any

from envs.toolworld.evaluate import Answer, Deleted, Expectation, Inserted
from envs.toolworld.scenarios._common import Solution, as_deep_as_found, fetch_all, login, pick
from envs.toolworld.scenarios._life import done, project_of, variant_of
from envs.toolworld.scenarios._rows import new_note, new_task
from envs.toolworld.scenarios.shop_bills_files import receipt
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

DROP = 20.0


@scenario("life_wishlist_drops_note", apps=("shop", "notes"))
def wishlist_drops_note(view: WorldView, rng: random.Random) -> TaskSpec:
    """Conditional: variant 2 picks a wishlist where nothing dropped enough (no-op-pass). Deep: a drop counts from
    the highest price since the item was added, which only its price history holds (one call per wished item, 8-40
    of them); show_price_drops, which measures from the price when added, misses some in every other variant."""
    pools: dict[bool, list[tuple[int, list[dict[str, Any]], list[dict[str, Any]]]]] = {True: [], False: []}
    for row in view.rows("SELECT DISTINCT owner_id FROM shop_wishlist ORDER BY owner_id"):
        wished = _wished(view, row["owner_id"])
        drops = [w for w in wished if w["peak"] - w["price"] >= DROP]
        in_cart = view.value(
            "SELECT COUNT(*) FROM shop_cart c JOIN shop_wishlist w ON w.owner_id = c.owner_id AND w.product_id = "
            "c.product_id WHERE c.owner_id = ?",
            row["owner_id"],
        )
        since_added = [w for w in wished if w["price_when_added"] - w["price"] >= DROP]
        if 2 <= len(drops) <= 6 and not in_cart and len(since_added) < len(drops):
            pools[True].append((row["owner_id"], wished, drops))
        if not drops:
            pools[False].append((row["owner_id"], wished, drops))
    # a world where every wishlist dropped (world 13) gives variant 2 one that dropped too
    dropping = variant_of(rng) % 3 != 2 or not pools[False]
    owner, wished, drops = pick(rng, pools[dropping], "wishlist", distinct=True)
    kept = [w["name"] for w in wished if w not in drops]
    lines = [f"{d['name']}: ${d['peak']:.2f} -> ${d['price']:.2f}" for d in drops]
    saved = round(sum(d["peak"] - d["price"] for d in drops), 2)
    look = fetch_all("wished", "apis.shop.show_wishlist(access_token=shop_token")
    look += "print([(w['product_id'], w['name'], w['added_at'], w['price_when_added'], w['price']) for w in wished])\n"
    peaks = (
        "drops = []\n"
        "for w in wished:\n"
        + fetch_all("history", "apis.shop.show_price_history(product_id=w['product_id']", "    ")
        + "    later = [h['price'] for h in history if h['changed_at'] >= w['added_at']]\n"
        "    peak = max([w['price_when_added'], *later])\n"
        f"    if peak - w['price'] >= {DROP}:\n"
        "        drops.append({**w, 'peak': peak})\n"
        "kept = [w['name'] for w in wished if w['product_id'] not in {d['product_id'] for d in drops}]\n"
        "print(drops, kept)\n"
    )
    act = """\
    if drops:
        for d in drops:
            apis.shop.add_to_cart(access_token=shop_token, product_id=d['product_id'], quantity=1)
            apis.shop.remove_from_wishlist(access_token=shop_token, product_id=d['product_id'])
        lines = [f"{d['name']}: ${d['peak']:.2f} -> ${d['price']:.2f}" for d in drops]
        lines.append(f"Saved: ${round(sum(d['peak'] - d['price'] for d in drops), 2):.2f}")
        apis.notes.create_note(access_token=notes_token, title='Wishlist price drops', content='\\n'.join(lines))
    """
    check = "print(apis.shop.show_cart(access_token=shop_token))\n"
    expectations: list[Expectation] = []
    if drops:
        expectations.append(
            Inserted(
                "notes_notes",
                new_note(owner, "Wishlist price drops", receipt(lines, f"Saved: ${saved:.2f}")),
                f"a note 'Wishlist price drops' with the {len(lines)} items, then 'Saved: ${saved:.2f}'",
                what="notes 'Wishlist price drops'",
            )
        )
        expectations.append(
            Deleted("shop_wishlist", frozenset(d["wish_id"] for d in drops), "the dropped items leave my wishlist")
        )
        expectations += [
            Inserted(
                "shop_cart",
                {"owner_id": owner, "product_id": d["product_id"], "quantity": 1},
                f"one {d['name']} is in my cart",
                what=f"cart rows of {d['name']}",
            )
            for d in drops
        ]
    return TaskSpec(
        owner,
        f"Check every item on my shop wishlist for a price drop of at least ${DROP:.0f} from the highest price it has "
        "had since I added it (its price when I added it, or any later price in its price history). If there are "
        "any, move each of those items from my wishlist to my cart (one of each), and make a note titled 'Wishlist "
        "price drops' with one line per item, '<product name>: $<that highest price> -> $<price now>', then a last "
        "line 'Saved: $<sum of the drops>' (two decimals). If nothing dropped that much, change nothing. Either way, "
        "tell me the names of the items left on my wishlist.",
        Solution().step(login("shop", "notes")).step(look).step(peaks).step(act).step(check).step(done("kept")).steps(),
        [*expectations, Answer(kept, "the answer names the items left on my wishlist")],
        noop_pass=not expectations,
    )


def _wished(view: WorldView, owner: int) -> list[dict[str, Any]]:
    """The owner's wishlist, each item with the highest price it has had since it was added (`peak`)."""
    wished = view.rows(
        "SELECT w.id AS wish_id, w.added_at, w.price_when_added, p.id AS product_id, p.name, p.price "
        "FROM shop_wishlist w JOIN shop_products p ON p.id = w.product_id WHERE w.owner_id = ? ORDER BY w.id",
        owner,
    )
    for w in wished:
        later = view.rows(
            "SELECT price FROM shop_price_history WHERE product_id = ? AND changed_at >= ?",
            w["product_id"],
            w["added_at"],
        )
        w["peak"] = max([w["price_when_added"], *(h["price"] for h in later)])
    return wished


RETURNS_AT_LEAST = (4, 2)  # life_returns_followup_todo: returns waiting and returns rejected, each a task


@scenario("life_returns_followup_todo", apps=("shop", "todo"))
def returns_followup_todo(view: WorldView, rng: random.Random) -> TaskSpec:
    """A task for each return still waiting and each one the shop rejected. Deep because the shopper has 4+ returns
    waiting among closed ones, paid with two cards, and the card a refund goes back to is only in the order
    (show_order per waiting return; card names from the supervisor's cards), and 2+ rejected returns, each product's
    name only in show_product."""
    owners = view.rows(
        "SELECT o.owner_id, COUNT(DISTINCT CASE WHEN r.status IN ('requested', 'approved') THEN r.id END) AS waiting, "
        "COUNT(DISTINCT CASE WHEN r.status = 'rejected' THEN r.id END) AS rejected FROM shop_returns r "
        "JOIN shop_orders o ON o.id = r.order_id JOIN todo_projects p ON p.owner_id = o.owner_id "
        "AND p.name = 'Errands' AND p.archived = 0 GROUP BY o.owner_id HAVING COUNT(DISTINCT p.id) = 1 "
        "AND COUNT(DISTINCT CASE WHEN r.status IN ('requested', 'approved') THEN o.card_number END) >= 2 "
        "ORDER BY o.owner_id"
    )
    _, owners = as_deep_as_found(
        (RETURNS_AT_LEAST, (3, 1), (3, 0)),
        lambda least: [o for o in owners if o["waiting"] >= least[0] and o["rejected"] >= least[1]],
    )
    owner = pick(
        rng, owners, "person with returns waiting, paid by two cards, some rejected, and Errands", distinct=True
    )["owner_id"]
    project = project_of(view, owner, "Errands")
    assert project is not None
    returns = view.rows(
        "SELECT r.id, r.order_id, r.refund_amount, r.status, p.name, c.card_name FROM shop_returns r "
        "JOIN shop_orders o ON o.id = r.order_id JOIN payment_cards c ON c.card_number = o.card_number "
        "AND c.person_id = o.owner_id JOIN shop_products p ON p.id = r.product_id WHERE o.owner_id = ? "
        "AND r.status IN ('requested', 'approved', 'rejected') ORDER BY r.id",
        owner,
    )
    waiting = [r for r in returns if r["status"] != "rejected"]
    rejected = [r for r in returns if r["status"] == "rejected"]
    total = round(sum(r["refund_amount"] for r in waiting), 2)
    every = round(
        sum(
            r["refund_amount"]
            for r in view.rows(
                "SELECT r.refund_amount FROM shop_returns r JOIN shop_orders o ON o.id = r.order_id "
                "WHERE o.owner_id = ?",
                owner,
            )
        ),
        2,
    )
    look = fetch_all("returns", "apis.shop.show_returns(access_token=shop_token")
    look += "waiting = [r for r in returns if r['status'] in ('requested', 'approved')]\n"
    look += "rejected = [r for r in returns if r['status'] == 'rejected']\n"
    look += (
        "names = {r['product_id']: apis.shop.show_product(product_id=r['product_id'])['name'] "
        "for r in waiting + rejected}\n"
    )
    look += fetch_all("projects", "apis.todo.show_projects(access_token=todo_token, query='Errands'")
    look += "errands = next(p for p in projects if p['name'] == 'Errands')\nprint(waiting, rejected, names)\n"
    look += "names_of_cards = {c['card_number']: c['card_name'] for c in apis.supervisor.show_payment_cards()}\n"
    look += "cards = {}\nfor r in waiting:\n"
    look += "    order = apis.shop.show_order(access_token=shop_token, order_id=r['order_id'])\n"
    look += "    cards[r['order_id']] = names_of_cards[order['card_number']]\nprint(cards)\n"
    act = """\
    for r in waiting:
        apis.todo.create_task(access_token=todo_token, project_id=errands['project_id'],
                              title=f"Follow up on the return of {names[r['product_id']]}", priority=2,
                              description=f"Order {r['order_id']}, refund ${r['refund_amount']:.2f} to my "
                                          f"{cards[r['order_id']]}")
    for r in rejected:
        apis.todo.create_task(access_token=todo_token, project_id=errands['project_id'],
                              title=f"Dispute the rejected return of {names[r['product_id']]}", priority=1,
                              description=f"Order {r['order_id']}, ${r['refund_amount']:.2f} not refunded")
    total = round(sum(r['refund_amount'] for r in waiting), 2)
    """
    check = fetch_all(
        "tasks", "apis.todo.search_tasks(access_token=todo_token, project_id=errands['project_id'], query='return'"
    )
    check += "print([t['title'] for t in tasks])\n"
    expectations: list[Expectation] = [
        Inserted(
            "todo_tasks",
            new_task(
                owner,
                project["id"],
                f"Follow up on the return of {r['name']}",
                priority=2,
                description=f"Order {r['order_id']}, refund ${r['refund_amount']:.2f} to my {r['card_name']}",
            ),
            f"a task to follow up on the return of {r['name']} (order {r['order_id']})",
            what=f"follow-up tasks for return {r['id']}",
        )
        for r in waiting
    ]
    expectations += [
        Inserted(
            "todo_tasks",
            new_task(
                owner,
                project["id"],
                f"Dispute the rejected return of {r['name']}",
                priority=1,
                description=f"Order {r['order_id']}, ${r['refund_amount']:.2f} not refunded",
            ),
            f"a task to dispute the rejected return of {r['name']} (order {r['order_id']})",
            what=f"dispute tasks for return {r['id']}",
        )
        for r in rejected
    ]
    return TaskSpec(
        owner,
        "Some of my shop returns are still waiting (requested or approved, not yet refunded or rejected). For each "
        "one, add a task 'Follow up on the return of <product name>' to my Errands project in my todo app, priority "
        "2, no due date, with the description 'Order <order id>, refund $<refund amount> to my <name of the card "
        "that order was paid with, like Everyday Visa>' (two decimals). For each return the shop rejected (whenever "
        "it was), add a task 'Dispute the rejected return of <product name>' there too, priority 1, no due date, "
        "with the description 'Order <order id>, $<refund amount> not refunded' (two decimals). Tell me "
        "the total refund I'm still waiting for.",
        Solution().step(login("shop", "todo")).step(look).step(act).step(check).step(done("total")).steps(),
        [
            *expectations,
            Answer(total, f"{total} is still to be refunded", traps={f"{every:g}": "that counts every return"}),
        ],
    )


QUARTER = ("2026-01", "2026-02", "2026-03")


@scenario("life_quarter_spending_note", apps=("shop", "payments", "notes"))
def quarter_spending_note(view: WorldView, rng: random.Random) -> TaskSpec:
    """A quarter's spending by month from two apps, office products (work pays them back) left out. Deep: a
    product's category is only in show_product, one call per product of 15+."""
    owners = view.rows(
        "SELECT o.owner_id FROM shop_orders o JOIN shop_order_items i ON i.order_id = o.id JOIN shop_products p "
        "ON p.id = i.product_id WHERE o.created_at BETWEEN '2026-01' AND '2026-04' AND o.status != 'cancelled' "
        "GROUP BY o.owner_id HAVING COUNT(DISTINCT o.id) >= 3 AND COUNT(DISTINCT i.product_id) >= 15 "
        "AND SUM(p.category = 'office') >= 1 ORDER BY o.owner_id"
    )
    owner = pick(rng, owners, "shopper of many products, office ones among them", distinct=True)["owner_id"]
    lines, best, best_total = [], "", -1.0
    grand = 0.0
    for month in QUARTER:
        shop = view.value(
            "SELECT ROUND(COALESCE(SUM(i.quantity * i.unit_price), 0), 2) FROM shop_orders o JOIN shop_order_items i "
            "ON i.order_id = o.id JOIN shop_products p ON p.id = i.product_id WHERE o.owner_id = ? AND o.created_at "
            "LIKE ? AND o.status != 'cancelled' AND p.category != 'office'",
            owner,
            f"{month}%",
        )
        sent = view.value(
            "SELECT ROUND(COALESCE(SUM(amount), 0), 2) FROM payments_transactions WHERE sender_id = ? "
            "AND created_at LIKE ?",
            owner,
            f"{month}%",
        )
        lines.append(f"{month}: shop ${shop:.2f}, payments ${sent:.2f}")
        if round(shop + sent, 2) > best_total:
            best, best_total = month, round(shop + sent, 2)
        grand += shop + sent
    total = f"Total: ${round(grand, 2):.2f}"
    look = fetch_all(
        "orders", "apis.shop.show_orders(access_token=shop_token, start_date='2026-01-01', end_date='2026-03-31'"
    )
    look += "orders = [o for o in orders if o['status'] != 'cancelled']\n"
    look += fetch_all(
        "sent",
        "apis.payments.show_transactions(access_token=payments_token, direction='sent', start_date='2026-01-01', "
        "end_date='2026-03-31'",
    )
    look += "print(len(orders), len(sent), [(o['created_at'], o['items']) for o in orders])\n"
    categorize = """\
    category = {}
    for o in orders:
        for i in o['items']:
            if i['product_id'] not in category:
                category[i['product_id']] = apis.shop.show_product(product_id=i['product_id'])['category']
    print(category)
    """
    act = """\
    lines, by_month = [], {}
    for month in ('2026-01', '2026-02', '2026-03'):
        shop = round(sum(i['quantity'] * i['unit_price'] for o in orders if o['created_at'].startswith(month)
                         for i in o['items'] if category[i['product_id']] != 'office'), 2)
        paid = round(sum(t['amount'] for t in sent if t['created_at'].startswith(month)), 2)
        by_month[month] = round(shop + paid, 2)
        lines.append(f"{month}: shop ${shop:.2f}, payments ${paid:.2f}")
    lines.append(f"Total: ${round(sum(by_month.values()), 2):.2f}")
    note = apis.notes.create_note(access_token=notes_token, title='Spending Q1 2026', content='\\n'.join(lines))
    top = max(by_month, key=lambda m: by_month[m])
    """
    check = "print(apis.notes.show_note(access_token=notes_token, note_id=note['note_id'])['content'])\n"
    return TaskSpec(
        owner,
        "How much did I spend in the first quarter of 2026? Make a note titled 'Spending Q1 2026' with one line per "
        "month, 'YYYY-MM: shop $<what the items of my shop orders placed that month cost, quantity times unit price, "
        "cancelled orders and office products left out (work pays those back)>, payments $<money I sent on the "
        "payments app that month>' (two decimals), then 'Total: $<both, all three months>'. Then tell me which "
        "month (YYYY-MM) I spent the most in, both together.",
        Solution()
        .step(login("shop", "payments", "notes"))
        .step(look)
        .step(categorize)
        .step(act)
        .step(check)
        .step(done("top"))
        .steps(),
        [
            Inserted(
                "notes_notes",
                new_note(owner, "Spending Q1 2026", receipt(lines, total)),
                f"a note 'Spending Q1 2026' with the three month lines (office products left out) then '{total}'",
                what="notes 'Spending Q1 2026'",
            ),
            Answer(best, f"I spent the most in {best}"),
        ],
    )
