"""Money and shopping on the to-do list: bills to pay, returns to chase, a balance to top up."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from typing import Any

from envs.toolworld.evaluate import Answer, Deleted, Expectation, Inserted, NewRow
from envs.toolworld.scenarios._common import Solution, fetch_all, full_name, login, pick
from envs.toolworld.scenarios._money import money, project_id
from envs.toolworld.scenarios._rows import new_task, reminder_on_new_task
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

DONE = "apis.supervisor.complete_task()\n"
FIND_PROJECT = (
    "{target} = next(p for p in projects if p['name'] == {name!r})\n"
    "print(apis.todo.show_project(access_token=todo_token, project_id={target}['project_id']))\n"
)


@scenario("money_todo_bill_reminders", apps=("payments", "todo"))
def bill_reminders(view: WorldView, rng: random.Random) -> TaskSpec:
    """A Finance to-do per pending request received; the large ones are urgent; the answer is how many. Deep because
    the payer has 7-12 pending requests: each becomes a to-do (the urgent ones with a reminder), each checked."""
    urgent_over = rng.choice([40, 60, 80])
    due = rng.choice(["2026-05-22", "2026-05-25", "2026-05-29"])
    owners = view.rows(
        "SELECT r.payer_id FROM payments_requests r JOIN todo_projects p ON p.owner_id = r.payer_id "
        "AND p.name = 'Finance' WHERE r.status = 'pending' GROUP BY r.payer_id "
        "HAVING COUNT(*) BETWEEN 7 AND 12 AND SUM(r.amount > ?1) >= 1 AND SUM(r.amount <= ?1) >= 1 "
        "ORDER BY r.payer_id",
        urgent_over,
    )
    owner = pick(rng, owners, "payer with a Finance project and pending requests", distinct=True)["payer_id"]
    rows = view.rows("SELECT * FROM payments_requests WHERE payer_id = ? AND status = 'pending' ORDER BY id", owner)
    project = project_id(view, owner, "Finance")
    remind_at = f"{(date.fromisoformat(due) - timedelta(days=1)).isoformat()}T09:00"
    expectations: list[Expectation] = []
    for r in rows:
        title = f"Pay {full_name(view, r['requester_id'])} {money(r['amount'])} for {r['note']}"
        priority = 1 if r["amount"] > urgent_over else 3
        expectations.append(
            Inserted(
                "todo_tasks",
                new_task(owner, project, title, due_date=due, priority=priority),
                f"a Finance to-do '{title}' due {due}, priority {priority}",
                what="to-dos",
            )
        )
        if priority == 1:
            expectations.append(
                Inserted(
                    "todo_reminders",
                    reminder_on_new_task(owner, title, remind_at),
                    f"the urgent to-do '{title}' has a reminder at {remind_at}",
                    what="reminders",
                )
            )
    expectations.append(Answer(len(rows), f"the answer is the number of pending requests ({len(rows)})"))
    look = (
        login("payments", "todo")
        + fetch_all(
            "pending",
            "apis.payments.show_requests(access_token=payments_token, direction='received', status='pending'",
        )
        + "for r in pending:\n    print(r['request_id'], r['requester']['name'], r['amount'], r['note'])\n"
        + fetch_all("projects", "apis.todo.show_projects(access_token=todo_token")
        + FIND_PROJECT.format(target="finance", name="Finance")
    )
    act = (
        "created = []\n"
        "for r in pending:\n"
        "    title = f\"Pay {r['requester']['name']} ${r['amount']:.2f} for {r['note']}\"\n"
        f"    priority = 1 if r['amount'] > {urgent_over} else 3\n"
        "    task = apis.todo.create_task(access_token=todo_token, project_id=finance['project_id'], title=title, "
        f"due_date={due!r}, priority=priority)\n"
        "    created.append(task['task_id'])\n"
        "    if priority == 1:\n"
        f"        apis.todo.add_reminder(access_token=todo_token, task_id=task['task_id'], remind_at={remind_at!r})\n"
    )
    check = (
        "for task_id in created:\n"
        "    task = apis.todo.show_task(access_token=todo_token, task_id=task_id)\n"
        "    print(task['title'], task['due_date'], task['priority'])\n"
        + fetch_all("reminders", "apis.todo.show_reminders(access_token=todo_token")
        + "print([(r['task_title'], r['remind_at']) for r in reminders])\n"
        "apis.supervisor.complete_task(answer=len(created))\n"
    )
    return TaskSpec(
        owner,
        "Turn the money people asked me for into to-dos: for every pending payment request I received on the "
        "payments app, add a task to my todo project 'Finance' titled 'Pay <requester's full name> $<amount with "
        f"two decimals> for <the request's note>', due {due}, priority 1 if the amount is over ${urgent_over} and "
        "priority 3 otherwise. Give each priority-1 task a reminder at 9:00 the day before it is due. Then tell me "
        "how many tasks you added.",
        Solution().step(look).step(act).step(check).steps(),
        expectations,
    )


CHASE_UNDER = 3.5  # a seller rated under this gets money_todo_return_followups' urgent to-dos


@scenario("money_todo_return_followups", apps=("shop", "todo"))
def return_followups(view: WorldView, rng: random.Random) -> TaskSpec:
    """An Errands to-do per open return (requested or approved, not refunded or rejected), urgent when its seller
    is rated under 3.5; the answer is the refund still to come. The shopper has 4-7 open returns among closed ones:
    each product named (show_product), each to-do made and checked.
    Deep: the seller's rating is only on the seller's page (show_seller per seller of an open return; the product
    has its own rating), and the open returns hold sellers on both sides of 3.5."""
    due = rng.choice(["2026-05-21", "2026-05-26", "2026-05-28"])

    def open_returns(owner: int) -> list[dict[str, Any]]:
        return view.rows(
            "SELECT r.*, p.name, ROUND(COALESCE((SELECT AVG(x.rating) FROM shop_seller_ratings x "
            "WHERE x.seller_id = p.seller_id), 0), 2) AS seller_rating FROM shop_returns r "
            "JOIN shop_orders o ON o.id = r.order_id JOIN shop_products p ON p.id = r.product_id "
            "WHERE o.owner_id = ? AND r.status IN ('requested', 'approved') ORDER BY r.id",
            owner,
        )

    def both_sides(owner: int) -> bool:
        return len({r["seller_rating"] < CHASE_UNDER for r in open_returns(owner)}) == 2

    owners = [
        r
        for r in view.rows(
            "SELECT o.owner_id FROM shop_returns r JOIN shop_orders o ON o.id = r.order_id JOIN todo_projects p "
            "ON p.owner_id = o.owner_id AND p.name = 'Errands' GROUP BY o.owner_id "
            "HAVING SUM(r.status IN ('requested', 'approved')) >= 4 AND SUM(r.status IN ('refunded', 'rejected')) >= 1 "
            "ORDER BY o.owner_id"
        )
        if both_sides(r["owner_id"])
    ]
    owner = pick(
        rng,
        owners,
        f"shopper with open and closed returns, sellers rated on both sides of {CHASE_UNDER}",
        distinct=True,
    )["owner_id"]
    rows = open_returns(owner)
    project = project_id(view, owner, "Errands")
    expectations: list[Expectation] = [
        Inserted(
            "todo_tasks",
            new_task(
                owner,
                project,
                f"Follow up on the return of {r['name']} (order {r['order_id']})",
                due_date=due,
                priority=1 if r["seller_rating"] < CHASE_UNDER else 2,
            ),
            f"an Errands to-do for the {r['status']} return of {r['name']} in order {r['order_id']}, priority "
            + ("1 (seller rated under 3.5)" if r["seller_rating"] < CHASE_UNDER else "2"),
            what="to-dos",
        )
        for r in rows
    ]
    pending_refund = round(sum(r["refund_amount"] for r in rows), 2)
    every_refund = round(
        view.value(
            "SELECT SUM(r.refund_amount) FROM shop_returns r JOIN shop_orders o ON o.id = r.order_id "
            "WHERE o.owner_id = ?",
            owner,
        ),
        2,
    )
    expectations.append(
        Answer(
            pending_refund,
            f"the answer is the refund still to come ({money(pending_refund)})",
            traps={f"{every_refund:g}": "that counts refunded and rejected returns too"},
        )
    )
    look = (
        login("shop", "todo")
        + fetch_all("returns", "apis.shop.show_returns(access_token=shop_token")
        + "for r in returns:\n"
        "    print(r['return_id'], r['order_id'], r['product_id'], r['status'], r['refund_amount'])\n"
        + "open_returns = [r for r in returns if r['status'] in ('requested', 'approved')]\n"
        + fetch_all("projects", "apis.todo.show_projects(access_token=todo_token")
        + FIND_PROJECT.format(target="errands", name="Errands")
    )
    sellers = (
        "products, sellers = {}, {}\n"
        "for r in open_returns:\n"
        "    product = apis.shop.show_product(product_id=r['product_id'])\n"
        "    products[r['product_id']] = product\n"
        "    if product['seller_id'] not in sellers:\n"
        "        sellers[product['seller_id']] = apis.shop.show_seller(seller_id=product['seller_id'])\n"
        "print({p['name']: (p['seller'], sellers[p['seller_id']]['rating']) for p in products.values()})\n"
    )
    act = (
        "created = []\n"
        "for r in open_returns:\n"
        "    product = products[r['product_id']]\n"
        f"    priority = 1 if sellers[product['seller_id']]['rating'] < {CHASE_UNDER} else 2\n"
        "    title = f\"Follow up on the return of {product['name']} (order {r['order_id']})\"\n"
        "    task = apis.todo.create_task(access_token=todo_token, project_id=errands['project_id'], title=title, "
        f"due_date={due!r}, priority=priority)\n"
        "    created.append(task['task_id'])\n"
    )
    check = (
        "for task_id in created:\n"
        "    task = apis.todo.show_task(access_token=todo_token, task_id=task_id)\n"
        "    print(task['title'], task['priority'])\n"
        "apis.supervisor.complete_task(answer=round(sum(r['refund_amount'] for r in open_returns), 2))\n"
    )
    return TaskSpec(
        owner,
        "Some of my shop returns are still open (requested or approved, but not refunded or rejected yet). For each "
        "one, add a task to my todo project 'Errands' titled 'Follow up on the return of <product name> (order "
        f"<order id>)', due {due}, priority 2, or priority 1 when the product's seller has an average rating under "
        f"{CHASE_UNDER} stars (those may need chasing). Then tell me how much money in refunds those open returns "
        "should still bring me.",
        Solution().step(look).step(sellers).step(act).step(check).steps(),
        expectations,
    )


@scenario("money_todo_top_up_balance", apps=("payments", "todo", "phone"))
def top_up_balance(view: WorldView, rng: random.Random) -> TaskSpec:
    """Conditional: a to-do only when the pending requests received, less the coworkers' ones, exceed the payments
    balance (variant 0 does not: no-op-pass). Deep because who is a coworker is only in the phone contacts, and the
    to-do gets a subtask per counted request, checked after."""
    short = getattr(rng, "variant", 1) % 3 != 0
    owners = view.rows(
        "SELECT r.payer_id, ROUND(SUM(CASE WHEN c.relationship = 'coworker' THEN 0 ELSE r.amount END), 2) AS owed, "
        "b.balance FROM payments_requests r JOIN payments_balances b ON b.person_id = r.payer_id "
        "JOIN todo_projects p ON p.owner_id = r.payer_id AND p.name = 'Finance' JOIN people f ON f.id = r.requester_id "
        "LEFT JOIN phone_contacts c ON c.owner_id = r.payer_id AND c.email = f.email WHERE r.status = 'pending' "
        "GROUP BY r.payer_id HAVING SUM(c.relationship IS NOT 'coworker') >= 3 AND SUM(c.relationship = 'coworker') "
        ">= 1 AND COUNT(*) = COUNT(DISTINCT r.id) ORDER BY r.payer_id"
    )
    pool = [r for r in owners if (r["owed"] > r["balance"]) == short]
    row = pick(rng, pool, "payer whose requests do (not) exceed the balance", distinct=True)
    owner = row["payer_id"]
    shortfall = round(row["owed"] - row["balance"], 2)
    title = f"Top up payments balance by {money(shortfall)}"
    finance = project_id(view, owner, "Finance")
    counted = view.rows(
        "SELECT r.requester_id, r.amount FROM payments_requests r JOIN people f ON f.id = r.requester_id "
        "LEFT JOIN phone_contacts c ON c.owner_id = r.payer_id AND c.email = f.email WHERE r.payer_id = ? "
        "AND r.status = 'pending' AND c.relationship IS NOT 'coworker' ORDER BY r.id",
        owner,
    )
    subtasks = Counter(f"Pay {full_name(view, r['requester_id'])} {money(r['amount'])}" for r in counted)
    expectations: list[Expectation] = []
    if short:
        expectations.append(
            Inserted(
                "todo_tasks",
                new_task(owner, finance, title, due_date="2026-05-19", priority=1),
                f"a Finance to-do '{title}' due tomorrow, priority 1",
                what="to-dos",
            )
        )
        parent = NewRow("todo_tasks", {"owner_id": owner, "title": title})
        expectations += [
            Inserted(
                "todo_tasks",
                new_task(owner, finance, sub, due_date="2026-05-19", priority=1, parent_id=parent),
                f"'{title}' has the subtask '{sub}', due tomorrow, priority 1",
                count=n,
                what=f"subtasks '{sub}'",
            )
            for sub, n in sorted(subtasks.items())
        ]
    look = (
        login("payments", "todo", "phone")
        + "balance = apis.payments.show_balance(access_token=payments_token)['balance']\n"
        + fetch_all(
            "pending",
            "apis.payments.show_requests(access_token=payments_token, direction='received', status='pending'",
        )
        + "print(balance, [(r['requester']['name'], r['requester']['email'], r['amount']) for r in pending])\n"
    )
    coworkers = (
        fetch_all("work", "apis.phone.search_contacts(access_token=phone_token, relationship='coworker'")
        + "coworkers = {c['email'] for c in work if c['email']}\n"
        + "counted = [r for r in pending if r['requester']['email'] not in coworkers]\n"
        + "owed = round(sum(r['amount'] for r in counted), 2)\n"
        + "print(sorted(coworkers), owed, len(counted))\n"
    )
    act = (
        "top_up = None\n"
        "if owed > balance:\n"
        + fetch_all("projects", "apis.todo.show_projects(access_token=todo_token", indent="    ")
        + "    finance = next(p for p in projects if p['name'] == 'Finance')['project_id']\n"
        "    top_up = apis.todo.create_task(access_token=todo_token, project_id=finance, "
        "title=f'Top up payments balance by ${round(owed - balance, 2):.2f}', due_date='2026-05-19', "
        "priority=1)['task_id']\n"
        "    for r in counted:\n"
        "        apis.todo.create_task(access_token=todo_token, project_id=finance, parent_task_id=top_up, "
        "title=f\"Pay {r['requester']['name']} ${r['amount']:.2f}\", due_date='2026-05-19', priority=1)\n"
    )
    check = (
        "if top_up is not None:\n"
        + fetch_all("subtasks", "apis.todo.show_subtasks(access_token=todo_token, task_id=top_up", indent="    ")
        + "    print(len(subtasks), [t['title'] for t in subtasks])\n"
        "apis.supervisor.complete_task(answer=owed)\n"
    )
    return TaskSpec(
        owner,
        "Check whether my payments balance covers the pending payment requests I received, leaving out the ones "
        "from my coworkers (work pays those back; my phone contacts say who is a coworker). If the other requests "
        "add up to more than my balance, add a task to my todo project 'Finance' titled 'Top up payments balance by "
        "$<the missing amount, two decimals>', due tomorrow, priority 1, with a subtask 'Pay <their full name> "
        "$<amount>' (two decimals), also due tomorrow with priority 1, for each of those requests. If the balance "
        "covers them, change nothing. Either way, tell me how much those requests add up to.",
        Solution().step(look).step(coworkers).step(act).step(check).steps(),
        [*expectations, Answer(row["owed"], f"the answer is the {money(row['owed'])} the requests add up to")],
        noop_pass=not short,
    )


@scenario("money_todo_price_drops", apps=("shop", "todo"))
def price_drops(view: WorldView, rng: random.Random) -> TaskSpec:
    """A to-do per wishlist item that got some dollars cheaper, is in stock and is now at its lowest price ever
    (price history read per item; smaller drops, sold-out items and earlier lows are distractors); items that got
    $10 or more dearer leave the wishlist; the answer is what the to-do items cost together."""
    min_drop = rng.choice([2, 5, 8])
    due = rng.choice(["2026-05-20", "2026-05-23", "2026-05-24"])
    wished_sql = (
        "SELECT w.id AS wish_id, p.id, p.name, p.price, p.stock, w.price_when_added, "
        "(SELECT MIN(h.price) FROM shop_price_history h WHERE h.product_id = p.id) AS lowest FROM shop_wishlist w "
        "JOIN shop_products p ON p.id = w.product_id WHERE w.owner_id = ? ORDER BY w.id"
    )
    projects = {
        r["owner_id"] for r in view.rows("SELECT owner_id FROM todo_projects WHERE name = 'Errands' AND archived = 0")
    }
    pool = []
    for owner in sorted(projects):
        wished = view.rows(wished_sql, owner)
        dropped = [w for w in wished if round(w["price_when_added"] - w["price"], 2) >= min_drop and w["stock"] > 0]
        buy = [w for w in dropped if w["lowest"] is None or w["price"] <= w["lowest"]]
        dearer = [w for w in wished if round(w["price"] - w["price_when_added"], 2) >= 10]
        if 5 <= len(dropped) <= 12 and 2 <= len(buy) < len(dropped) and 1 <= len(dearer) <= 5:
            pool.append((owner, buy, dearer))
    owner, rows, dearer = pick(rng, pool, "wishlist with price drops", distinct=True)
    project = project_id(view, owner, "Errands")
    expectations: list[Expectation] = [
        Inserted(
            "todo_tasks",
            new_task(
                owner,
                project,
                f"Buy {r['name']}: now {money(r['price'])}, was {money(r['price_when_added'])}",
                due_date=due,
            ),
            f"an Errands to-do for {r['name']}, at its lowest price ever",
            what="to-dos",
        )
        for r in rows
    ]
    expectations.append(
        Deleted(
            "shop_wishlist",
            frozenset(w["wish_id"] for w in dearer),
            f"the {len(dearer)} items that got $10 or more dearer leave the wishlist",
            what="wishlist items",
        )
    )
    cost = round(sum(r["price"] for r in rows), 2)
    expectations.append(Answer(cost, f"the answer is what those items cost now together ({money(cost)})"))
    look = (
        login("shop", "todo")
        + fetch_all("wished", "apis.shop.show_wishlist(access_token=shop_token")
        + "for w in wished:\n    print(w['product_id'], w['name'], w['price'], w['price_when_added'], w['stock'])\n"
        + fetch_all("projects", "apis.todo.show_projects(access_token=todo_token")
        + FIND_PROJECT.format(target="errands", name="Errands")
    )
    history = (
        f"dropped = [w for w in wished if round(w['price_when_added'] - w['price'], 2) >= {min_drop} "
        "and w['stock'] > 0]\n"
        "buy = []\n"
        "for w in dropped:\n"
        "    prices = [h['price'] for h in apis.shop.show_price_history(product_id=w['product_id'])]\n"
        "    if not prices or w['price'] <= min(prices):\n"
        "        buy.append(w)\n"
        "print([w['name'] for w in buy])\n"
    )
    act = (
        "created = []\n"
        "for w in buy:\n"
        "    title = f\"Buy {w['name']}: now ${w['price']:.2f}, was ${w['price_when_added']:.2f}\"\n"
        "    task = apis.todo.create_task(access_token=todo_token, project_id=errands['project_id'], title=title, "
        f"due_date={due!r})\n"
        "    created.append(task['task_id'])\n"
        "for w in wished:\n"
        "    if round(w['price'] - w['price_when_added'], 2) >= 10:\n"
        "        apis.shop.remove_from_wishlist(access_token=shop_token, product_id=w['product_id'])\n"
    )
    check = (
        "for task_id in created:\n"
        "    print(apis.todo.show_task(access_token=todo_token, task_id=task_id)['title'])\n"
        "apis.supervisor.complete_task(answer=round(sum(w['price'] for w in buy), 2))\n"
    )
    return TaskSpec(
        owner,
        f"Which things on my shop wishlist got at least ${min_drop} cheaper since I added them, are in stock, and are "
        "now at the lowest price they have ever had (by their price history)? For each, add a task to my todo project "
        "'Errands' titled 'Buy <product name>: now $<price>, was $<price when I added it>' (two decimals), due "
        f"{due}. Take off my wishlist everything that got $10 or more dearer since I added it. Then tell me what the "
        "items of the new tasks cost now, all together.",
        Solution().step(look).step(history).step(act).step(check).steps(),
        expectations,
    )
