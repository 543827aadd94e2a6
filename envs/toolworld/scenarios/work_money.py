"""Productivity around the todo app and money: pay-back to-dos settled against the payment requests received."""

from __future__ import annotations

import random

from envs.toolworld.evaluate import Expectation, Inserted, Updated
from envs.toolworld.scenarios._common import Solution, fetch_all, login, other_branch, pick
from envs.toolworld.scenarios._work import DONE, NOW
from envs.toolworld.scenarios.payments import balance_changes, requests_paid
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

PAY_BACK = ("Pay ", " back for dinner")


TEXT = "Paid you back ${:.2f} for dinner"
ASK = "Could you send me a payment request for dinner?"


def _unusable(view: WorldView, owner: int) -> bool:
    """Two open pay-back to-dos name one person (whether the second is closed or commented would be a guess), or
    someone to pay back is not in the phone contacts by email or blocked the owner's number (no text can reach them),
    or a to-do's first name with no request is not one current contact (stale old-number copies aside) who can be
    texted: which person to ask would be a guess."""
    pattern = "%".join(("", *PAY_BACK, ""))
    twice = view.value(
        "SELECT COUNT(*) - COUNT(DISTINCT t.title) FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id "
        "WHERE t.owner_id = ? AND t.completed = 0 AND p.archived = 0 AND t.title LIKE ?",
        owner,
        pattern,
    )
    unreachable = view.value(
        "SELECT COUNT(*) FROM payments_requests r JOIN people f ON f.id = r.requester_id JOIN people me "
        "ON me.id = r.payer_id WHERE r.payer_id = ?1 AND r.status = 'pending' AND EXISTS (SELECT 1 FROM todo_tasks t "
        "JOIN todo_projects p ON p.id = t.project_id WHERE t.owner_id = ?1 AND t.completed = 0 AND p.archived = 0 "
        "AND t.title = 'Pay ' || f.first_name || ' back for dinner') AND ((SELECT COUNT(*) FROM phone_contacts c "
        "WHERE c.owner_id = ?1 AND c.email = f.email) != 1 OR EXISTS (SELECT 1 FROM phone_blocked b "
        "WHERE b.owner_id = f.id AND b.phone_number = me.phone_number))",
        owner,
    )
    to_ask = view.value(
        "SELECT COUNT(*) FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id JOIN people me "
        "ON me.id = t.owner_id WHERE t.owner_id = ?1 AND t.completed = 0 AND p.archived = 0 AND t.title LIKE ?2 "
        "AND NOT EXISTS (SELECT 1 FROM payments_requests r JOIN people f ON f.id = r.requester_id "
        "WHERE r.payer_id = ?1 AND r.status = 'pending' AND t.title = 'Pay ' || f.first_name || ' back for dinner') "
        "AND ((SELECT COUNT(*) FROM phone_contacts c WHERE c.owner_id = ?1 AND c.relationship IS NOT NULL "
        "AND t.title = 'Pay ' || c.first_name || ' back for dinner') != 1 "
        "OR NOT EXISTS (SELECT 1 FROM phone_contacts c JOIN people f ON f.phone_number = c.phone_number "
        "WHERE c.owner_id = ?1 AND c.relationship IS NOT NULL "
        "AND t.title = 'Pay ' || c.first_name || ' back for dinner' AND NOT EXISTS (SELECT 1 FROM phone_blocked b "
        "WHERE b.owner_id = f.id AND b.phone_number = me.phone_number)))",
        owner,
        pattern,
    )
    return bool(twice or unreachable or to_ask)


@scenario("work_payback_todos", apps=("todo", "payments", "phone"))
def payback_todos(view: WorldView, rng: random.Random) -> TaskSpec:
    """Each 'Pay <name> back' to-do: pay the pending requests from someone of that first name and close it, or
    note on the to-do that no request came yet and text that person for one. Deep because each person paid is then
    texted the sum paid, each one not yet asking is texted, at the number in the phone contacts (a search per
    person; stale duplicates of a name carry an old number that reaches no one)."""
    owners = view.rows(
        "SELECT t.owner_id FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id "
        "JOIN payments_balances b ON b.person_id = t.owner_id WHERE t.completed = 0 AND p.archived = 0 "
        "AND t.title LIKE ? AND b.balance >= (SELECT COALESCE(SUM(amount), 0) FROM payments_requests r "
        "WHERE r.payer_id = t.owner_id AND r.status = 'pending') AND ? != EXISTS (SELECT 1 FROM payments_requests r "
        "JOIN people f ON f.id = r.requester_id WHERE r.payer_id = t.owner_id AND r.status = 'pending' "
        "AND t.title = 'Pay ' || f.first_name || ' back for dinner') GROUP BY t.owner_id ORDER BY t.owner_id",
        "%".join(("", *PAY_BACK, "")),
        other_branch(rng),  # variants 0 and 2 have a request to pay; variant 1 a to-do with none, someone to text
    )
    owner = pick(
        rng,
        owners,
        "person with pay-back to-dos who can afford their requests",
        distinct=True,
        unusable=(
            lambda o: _unusable(view, o["owner_id"]),
            "two open pay-back to-dos name one person, or someone to pay back cannot be texted",
        ),
    )["owner_id"]
    tasks = view.rows(
        "SELECT t.id, t.title FROM todo_tasks t JOIN todo_projects p ON p.id = t.project_id WHERE t.owner_id = ? "
        "AND t.completed = 0 AND p.archived = 0 AND t.title LIKE ? ORDER BY t.id",
        owner,
        "%".join(("", *PAY_BACK, "")),
    )
    look = (
        login("todo", "payments", "phone")
        + fetch_all("todos", "apis.todo.search_tasks(access_token=todo_token, query='back for dinner', completed=False")
        + "todos = [t for t in todos if t['title'].startswith('Pay ') and t['title'].endswith(' back for dinner')]\n"
        + fetch_all(
            "pending", "apis.payments.show_requests(access_token=payments_token, direction='received', status='pending'"
        )
        + "print([t['title'] for t in todos], [(r['requester']['name'], r['amount']) for r in pending])\n"
    )
    act = """
        paid = {}
        to_ask = []
        for t in todos:
            name = t['title'][len('Pay '):-len(' back for dinner')]
            theirs = [r for r in pending if r['requester']['name'].split()[0] == name]
            if theirs:
                for r in theirs:
                    apis.payments.approve_request(access_token=payments_token, request_id=r['request_id'])
                    who = (r['requester']['email'], r['requester']['name'])
                    paid[who] = round(paid.get(who, 0) + r['amount'], 2)
                apis.todo.close_task(access_token=todo_token, task_id=t['task_id'])
            else:
                apis.todo.add_task_comment(access_token=todo_token, task_id=t['task_id'],
                                           text='No request from ' + name + ' yet')
                to_ask.append(name)
        print(paid, to_ask)
        """
    texts = """
        for (email, name), amount in paid.items():
            found = apis.phone.search_contacts(access_token=phone_token, query=name, page_limit=20)
            number = next(c['phone_number'] for c in found if c['email'] == email)
            apis.phone.send_text_message(access_token=phone_token, phone_number=number,
                                         message=f'Paid you back ${amount:.2f} for dinner')
        for name in to_ask:
            found = apis.phone.search_contacts(access_token=phone_token, query=name, page_limit=20)
            print(found)
            number = next(c['phone_number'] for c in found if c['first_name'] == name and c['relationship'])
            apis.phone.send_text_message(access_token=phone_token, phone_number=number,
                                         message='Could you send me a payment request for dinner?')
        """
    check = (
        "print(apis.payments.show_balance(access_token=payments_token))\n"
        + fetch_all("left", "apis.todo.search_tasks(access_token=todo_token, query='back for dinner', completed=False")
        + "print([t['title'] for t in left])\n"
        + DONE
    )
    expectations: list[Expectation] = []
    deltas: dict[int, float] = {}
    paid: dict[tuple[int, float, str], int] = {}
    sums: dict[int, float] = {}
    for t in tasks:
        name = t["title"][len(PAY_BACK[0]) : -len(PAY_BACK[1])]
        theirs = view.rows(
            "SELECT r.* FROM payments_requests r JOIN people f ON f.id = r.requester_id WHERE r.payer_id = ? "
            "AND r.status = 'pending' AND f.first_name = ? ORDER BY r.id",
            owner,
            name,
        )
        if not theirs:
            expectations.append(
                Inserted(
                    "todo_comments",
                    {"task_id": t["id"], "owner_id": owner, "text": f"No request from {name} yet", "created_at": NOW},
                    f"'{t['title']}' gets the comment that no request came",
                    what="comments",
                )
            )
            asked = view.value(
                "SELECT f.id FROM phone_contacts c JOIN people f ON f.phone_number = c.phone_number "
                "WHERE c.owner_id = ? AND c.relationship IS NOT NULL AND c.first_name = ?",
                owner,
                name,
            )
            expectations.append(
                Inserted(
                    "phone_messages",
                    {"sender_id": owner, "receiver_id": asked, "message": ASK, "is_read": 0},
                    f"{name} is texted '{ASK}'",
                    what="texts",
                )
            )
            continue
        expectations.append(
            Updated("todo_tasks", t["id"], {"completed": 1, "completed_at": NOW}, f"'{t['title']}' is closed")
        )
        for r in theirs:
            expectations.append(
                Updated(
                    "payments_requests",
                    r["id"],
                    {"status": "approved", "resolved_at": NOW},
                    f"{name}'s request {r['id']} is paid",
                )
            )
            deltas[owner] = deltas.get(owner, 0.0) - r["amount"]
            deltas[r["requester_id"]] = deltas.get(r["requester_id"], 0.0) + r["amount"]
            key = (r["requester_id"], r["amount"], r["note"])
            paid[key] = paid.get(key, 0) + 1
            sums[r["requester_id"]] = round(sums.get(r["requester_id"], 0.0) + r["amount"], 2)
    expectations += requests_paid(owner, paid)
    expectations += [
        Inserted(
            "phone_messages",
            {"sender_id": owner, "receiver_id": requester, "message": TEXT.format(amount), "is_read": 0},
            f"{view.person(requester)['email']} is texted '{TEXT.format(amount)}'",
            what="texts",
        )
        for requester, amount in sorted(sums.items())
    ]
    return TaskSpec(
        owner,
        "Settle my open 'Pay <name> back for dinner' to-dos. For each one, if I have pending payment requests from "
        "someone with that first name, pay them all and close the to-do. If there is none, leave the to-do open and "
        f"add the comment 'No request from <name> yet' to it and text that <name> in my phone contacts '{ASK}'. "
        "Then text each person I paid, at their number in my phone contacts, 'Paid you back $<what I paid them in "
        "all, two decimals> for dinner'.",
        Solution().step(look).step(act).step(texts).step(check).steps(),
        expectations + balance_changes(view, deltas),
    )
