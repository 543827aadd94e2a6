"""The bill_splitting app: splits to the cent, balances and debts that agree, settling up, and refusals that say why."""

from __future__ import annotations

import pytest

from envs.toolworld.apps.bill_splitting import equal_shares

from .apps_client import World


@pytest.fixture()
def world() -> World:
    return World()


def a_group(world: World, min_members: int = 3) -> tuple[int, int, list[dict]]:
    """(a member, the group id, its members) of the first group with `min_members`."""
    group_id = world.value(
        "SELECT group_id FROM bill_splitting_members GROUP BY group_id HAVING COUNT(*) >= ? ORDER BY group_id LIMIT 1",
        min_members,
    )
    member = world.value("SELECT MIN(person_id) FROM bill_splitting_members WHERE group_id = ?", group_id)
    return member, group_id, world.ok(member, "bill_splitting", "show_group", group_id=group_id)["members"]


def test_equal_shares_are_whole_cents_that_add_up() -> None:
    assert equal_shares(10.0, [3, 1, 2]) == {1: 3.34, 2: 3.33, 3: 3.33}
    for amount in (0.01, 7.77, 100.0, 1234.56):
        shares = equal_shares(amount, [5, 6, 7, 8])
        assert round(sum(shares.values()), 2) == amount and max(shares.values()) - min(shares.values()) <= 0.0100001


def test_balances_debts_and_people_totals_agree_in_every_group(world: World) -> None:
    for (group_id,) in world.conn.execute("SELECT id FROM bill_splitting_groups ORDER BY id LIMIT 15").fetchall():
        member = world.value("SELECT MIN(person_id) FROM bill_splitting_members WHERE group_id = ?", group_id)
        balances = world.all_pages(member, "bill_splitting", "show_group_balances", group_id=group_id)
        debts = world.all_pages(member, "bill_splitting", "show_group_debts", group_id=group_id)
        assert round(sum(b["balance"] for b in balances), 2) == 0
        for b in balances:
            owed = sum(d["amount"] for d in debts if d["creditor"]["email"] == b["email"]) - sum(
                d["amount"] for d in debts if d["debtor"]["email"] == b["email"]
            )
            assert round(owed, 2) == b["balance"]
    me, group_id, _ = a_group(world)
    per_person = world.all_pages(me, "bill_splitting", "show_balances_with_people")
    groups = world.all_pages(me, "bill_splitting", "show_groups")
    assert round(sum(p["balance"] for p in per_person), 2) == round(sum(g["my_balance"] for g in groups), 2)


def test_expense_then_settle_up_clears_the_debt(world: World) -> None:
    me, group_id, members = a_group(world)
    my_email = world.value("SELECT email FROM people WHERE id = ?", me)
    other = next(m["email"] for m in members if m["email"] != my_email)
    before = {
        b["email"]: b["balance"]
        for b in world.all_pages(me, "bill_splitting", "show_group_balances", group_id=group_id)
    }
    world.ok(
        me,
        "bill_splitting",
        "add_expense",
        group_id=group_id,
        description="Flights",
        amount=9000.0,
        paid_by_email=other,
        split_with_emails=[other, my_email],
    )
    after = {
        b["email"]: b["balance"]
        for b in world.all_pages(me, "bill_splitting", "show_group_balances", group_id=group_id)
    }
    assert round(after[other] - before[other], 2) == 4500.0 and round(after[my_email] - before[my_email], 2) == -4500.0
    (debt,) = [
        d["amount"]
        for d in world.all_pages(me, "bill_splitting", "show_group_debts", group_id=group_id)
        if (d["debtor"]["email"], d["creditor"]["email"]) == (my_email, other)
    ]
    assert world.ok(me, "bill_splitting", "settle_up", group_id=group_id, email=other)["amount"] == debt
    assert not any(
        d["debtor"]["email"] == my_email and d["creditor"]["email"] == other
        for d in world.all_pages(me, "bill_splitting", "show_group_debts", group_id=group_id)
    )
    status, body = world.call(me, "bill_splitting", "settle_up", group_id=group_id, email=other)
    assert status == 409 and "owe" in body["message"]


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"exact_shares": {"nobody@nowhere.org": 10.0}}, "'exact_shares'"),
        ({"exact_shares": {}}, "add up to"),
        ({"split_with_emails": []}, "'split_with_emails'"),
        ({"date": "tomorrow"}, "'date'"),
        ({"category": "bribes"}, "'category'"),
    ],
)
def test_bad_expenses_are_422_naming_the_argument(world: World, kwargs: dict, needle: str) -> None:
    me, group_id, _ = a_group(world)
    status, body = world.call(
        me, "bill_splitting", "add_expense", group_id=group_id, description="x", amount=10.0, **kwargs
    )
    assert status == 422 and needle in body["message"], body
    assert world.changes() == []


def test_refusals_while_debts_remain_and_outsiders_see_nothing(world: World) -> None:
    me, group_id, members = a_group(world)
    world.ok(
        me, "bill_splitting", "add_expense", group_id=group_id, description="Boat", amount=3000.0
    )  # everyone else now owes me
    status, body = world.call(
        me, "bill_splitting", "remove_group_member", group_id=group_id, email=members[-1]["email"]
    )
    assert status == 409 and "settle up" in body["message"]
    status, body = world.call(me, "bill_splitting", "delete_group", group_id=group_id)
    assert status == 409 and "debts" in body["message"]
    outsider = world.value(
        "SELECT MIN(id) FROM people WHERE id NOT IN (SELECT person_id FROM bill_splitting_members WHERE group_id = ?)",
        group_id,
    )
    assert world.call(outsider, "bill_splitting", "show_group", group_id=group_id)[0] == 404
    expense = world.value("SELECT MIN(id) FROM bill_splitting_expenses WHERE group_id = ?", group_id)
    assert world.call(outsider, "bill_splitting", "delete_expense", expense_id=expense)[0] == 404


def email_of(world: World, person_id: int) -> str:
    return world.value("SELECT email FROM people WHERE id = ?", person_id)


def busiest(world: World) -> int:
    """The person who sees the most expenses: their lists span many pages."""
    return world.value(
        "SELECT m.person_id FROM bill_splitting_members m JOIN bill_splitting_expenses e ON e.group_id = m.group_id "
        "GROUP BY m.person_id ORDER BY COUNT(*) DESC, m.person_id LIMIT 1"
    )


@pytest.mark.parametrize(
    ("filters", "sql"),
    [
        ({"category": "rent"}, "e.category = 'rent'"),
        ({"min_amount": 100.0, "max_amount": 200.0}, "e.amount BETWEEN 100 AND 200"),
        ({"date_from": "2026-01-01", "date_to": "2026-01-31"}, "e.date BETWEEN '2026-01-01' AND '2026-01-31'"),
        ({"query": "BILL"}, "instr(lower(e.description), 'bill') > 0"),
        (
            {"involving_me": True},
            "(e.paid_by = :me OR e.id IN (SELECT expense_id FROM bill_splitting_shares WHERE person_id = :me))",
        ),
    ],
)
def test_expense_filters_match_the_database(world: World, filters: dict, sql: str) -> None:
    me = busiest(world)
    listed = world.all_pages(me, "bill_splitting", "show_expenses", **filters)
    expected = world.conn.execute(
        "SELECT e.id FROM bill_splitting_expenses e WHERE e.group_id IN "
        f"(SELECT group_id FROM bill_splitting_members WHERE person_id = :me) AND {sql} "
        "ORDER BY e.date DESC, e.id DESC",
        {"me": me},
    ).fetchall()
    assert [e["expense_id"] for e in listed] == [r[0] for r in expected] and listed


def test_expense_sorts_and_my_share(world: World) -> None:
    me = busiest(world)
    largest = world.ok(me, "bill_splitting", "show_expenses", sort_by="largest", page_limit=20)
    assert [e["amount"] for e in largest] == sorted((e["amount"] for e in largest), reverse=True)
    top = largest[0]
    detail = world.ok(me, "bill_splitting", "show_expense", expense_id=top["expense_id"])
    mine = [s["amount"] for s in detail["shares"] if s["email"] == email_of(world, me)]
    assert (
        top["my_share"] == (mine[0] if mine else 0)
        and round(sum(s["amount"] for s in detail["shares"]), 2) == (top["amount"])
    )


def test_percent_split_and_changing_a_split(world: World) -> None:
    me, group_id, members = a_group(world)
    emails = [m["email"] for m in members][:3]
    new = world.ok(
        me,
        "bill_splitting",
        "add_expense",
        group_id=group_id,
        description="Cabin",
        amount=100.01,
        percent_shares={emails[0]: 50, emails[1]: 25, emails[2]: 25},
    )["expense_id"]
    shares = dict(
        world.conn.execute("SELECT person_id, amount FROM bill_splitting_shares WHERE expense_id = ?", (new,))
    )
    assert round(sum(shares.values()), 2) == 100.01 and sorted(shares.values()) == [25.0, 25.0, 50.01]
    status, body = world.call(
        me,
        "bill_splitting",
        "add_expense",
        group_id=group_id,
        description="x",
        amount=10.0,
        percent_shares={emails[0]: 60, emails[1]: 60},
    )
    assert status == 422 and "add up to 120" in body["message"]
    world.ok(me, "bill_splitting", "update_expense_split", expense_id=new, amount=30.0, exact_shares={emails[1]: 30.0})
    assert world.conn.execute(
        "SELECT person_id, amount FROM bill_splitting_shares WHERE expense_id = ?", (new,)
    ).fetchall() == [(world.value("SELECT id FROM people WHERE email = ?", emails[1]), 30.0)]
    assert world.value("SELECT split_type || amount FROM bill_splitting_expenses WHERE id = ?", new) == "exact30.0"


def outsider_of(world: World, group_id: int) -> int:
    return world.value(
        "SELECT MIN(id) FROM people WHERE id NOT IN (SELECT person_id FROM bill_splitting_members WHERE group_id = ?)",
        group_id,
    )


@pytest.mark.parametrize(
    ("api", "kwargs"),
    [
        ("update_expense_split", {"amount": 5.0}),
        ("update_expense", {"notes": "mine now"}),
        ("show_comments", {}),
        ("add_comment", {"text": "hi"}),
    ],
)
def test_expenses_of_other_groups_are_not_found(world: World, api: str, kwargs: dict) -> None:
    _, group_id, _ = a_group(world)
    expense = world.value("SELECT MIN(id) FROM bill_splitting_expenses WHERE group_id = ?", group_id)
    status, body = world.call(outsider_of(world, group_id), "bill_splitting", api, expense_id=expense, **kwargs)
    assert status == 404 and str(expense) in body["message"]
    assert world.changes() == []


def test_comments_edit_and_delete_only_by_their_author(world: World) -> None:
    me, group_id, members = a_group(world)
    other = world.value(
        "SELECT id FROM people WHERE email = ?", next(m["email"] for m in members if m["email"] != email_of(world, me))
    )
    expense = world.value("SELECT MIN(id) FROM bill_splitting_expenses WHERE group_id = ?", group_id)
    comment = world.ok(me, "bill_splitting", "add_comment", expense_id=expense, text="first")["comment_id"]
    assert world.call(other, "bill_splitting", "update_comment", comment_id=comment, text="hijack")[0] == 404
    assert world.call(other, "bill_splitting", "delete_comment", comment_id=comment)[0] == 404
    world.ok(me, "bill_splitting", "update_comment", comment_id=comment, text="edited")
    assert world.value("SELECT text FROM bill_splitting_comments WHERE id = ?", comment) == "edited"
    world.ok(me, "bill_splitting", "delete_comment", comment_id=comment)
    assert world.value("SELECT COUNT(*) FROM bill_splitting_comments WHERE id = ?", comment) == 0


def test_group_settings_archive_and_status_filter(world: World) -> None:
    me, group_id, _ = a_group(world)
    world.ok(me, "bill_splitting", "update_group", group_id=group_id, group_type="trip", simplify_debts=True)
    group = world.ok(me, "bill_splitting", "show_group", group_id=group_id)
    assert group["group_type"] == "trip" and group["simplify_debts"] is True and group["is_archived"] is False
    world.ok(me, "bill_splitting", "archive_group", group_id=group_id)
    assert world.call(me, "bill_splitting", "archive_group", group_id=group_id)[0] == 409
    archived = world.all_pages(me, "bill_splitting", "show_groups", status="archived")
    active = world.all_pages(me, "bill_splitting", "show_groups", status="active")
    assert group_id in {g["group_id"] for g in archived} and group_id not in {g["group_id"] for g in active}
    assert len(archived) + len(active) == len(world.all_pages(me, "bill_splitting", "show_groups"))
    world.ok(me, "bill_splitting", "unarchive_group", group_id=group_id)
    assert (
        world.value("SELECT is_archived FROM bill_splitting_members WHERE group_id = ? AND person_id = ?", group_id, me)
        == 0
    )


def test_invitations_accept_decline_cancel(world: World) -> None:
    me, group_id, _ = a_group(world)
    guest, other_guest = [
        r[0]
        for r in world.conn.execute(
            "SELECT id FROM people WHERE id NOT IN (SELECT person_id FROM bill_splitting_members WHERE group_id = ?) "
            "AND id NOT IN (SELECT invitee_id FROM bill_splitting_invitations WHERE group_id = ?) ORDER BY id LIMIT 2",
            (group_id, group_id),
        )
    ]
    invite = world.ok(me, "bill_splitting", "invite_to_group", group_id=group_id, email=email_of(world, guest))
    status, body = world.call(me, "bill_splitting", "invite_to_group", group_id=group_id, email=email_of(world, guest))
    assert status == 409 and "pending" in body["message"]
    pending = world.all_pages(guest, "bill_splitting", "show_invitations")
    assert invite["invitation_id"] in {i["invitation_id"] for i in pending}
    assert world.call(guest, "bill_splitting", "show_group", group_id=group_id)[0] == 404  # not a member yet
    world.ok(guest, "bill_splitting", "accept_invitation", invitation_id=invite["invitation_id"])
    assert world.ok(guest, "bill_splitting", "show_group", group_id=group_id)["group_id"] == group_id
    assert world.call(guest, "bill_splitting", "decline_invitation", invitation_id=invite["invitation_id"])[0] == 409
    assert (
        world.call(me, "bill_splitting", "invite_to_group", group_id=group_id, email=email_of(world, guest))[0] == 409
    )
    second = world.ok(me, "bill_splitting", "invite_to_group", group_id=group_id, email=email_of(world, other_guest))
    assert world.call(guest, "bill_splitting", "cancel_invitation", invitation_id=second["invitation_id"])[0] == 404
    world.ok(me, "bill_splitting", "cancel_invitation", invitation_id=second["invitation_id"])
    sent = world.all_pages(me, "bill_splitting", "show_sent_invitations", status="cancelled")
    assert second["invitation_id"] in {i["invitation_id"] for i in sent}


def test_settlements_across_groups_and_undo(world: World) -> None:
    me = busiest(world)
    paid = world.all_pages(me, "bill_splitting", "show_my_settlements", direction="paid")
    received = world.all_pages(me, "bill_splitting", "show_my_settlements", direction="received")
    everything = world.all_pages(me, "bill_splitting", "show_my_settlements")
    my_email = email_of(world, me)
    assert paid and received and len(paid) + len(received) == len(everything)
    assert all(s["payer"]["email"] == my_email for s in paid)
    latest = paid[0]
    before = world.ok(me, "bill_splitting", "show_group", group_id=latest["group_id"])["my_balance"]
    world.ok(me, "bill_splitting", "delete_settlement", settlement_id=latest["settlement_id"])
    after = world.ok(me, "bill_splitting", "show_group", group_id=latest["group_id"])["my_balance"]
    assert round(before - after, 2) == latest["amount"]
    stranger = world.value(
        "SELECT MIN(id) FROM bill_splitting_settlements WHERE payer_id != ? AND receiver_id != ?", me, me
    )
    assert world.call(me, "bill_splitting", "delete_settlement", settlement_id=stranger)[0] == 404


def test_simplified_debts_settle_every_balance(world: World) -> None:
    for (group_id,) in world.conn.execute(
        "SELECT group_id FROM bill_splitting_members GROUP BY group_id HAVING COUNT(*) >= 3 ORDER BY group_id LIMIT 10"
    ).fetchall():
        member = world.value("SELECT MIN(person_id) FROM bill_splitting_members WHERE group_id = ?", group_id)
        balances = {
            b["email"]: b["balance"]
            for b in world.all_pages(member, "bill_splitting", "show_group_balances", group_id=group_id)
        }
        transfers = world.all_pages(member, "bill_splitting", "show_simplified_debts", group_id=group_id)
        for t in transfers:
            balances[t["debtor"]["email"]] += t["amount"]
            balances[t["creditor"]["email"]] -= t["amount"]
        assert all(abs(b) < 0.005 for b in balances.values()) and len(transfers) < len(balances)


def test_reports_and_export_agree_with_the_expenses(world: World) -> None:
    me, group_id, _ = a_group(world)
    expenses = world.all_pages(me, "bill_splitting", "show_expenses", group_id=group_id)
    by_category = world.all_pages(me, "bill_splitting", "show_spending_by_category", group_id=group_id, whose="group")
    totals: dict[str, float] = {}
    for e in expenses:
        totals[e["category"]] = totals.get(e["category"], 0) + e["amount"]
    assert {c["category"]: c["total"] for c in by_category} == {k: round(v, 2) for k, v in totals.items()}
    months = world.all_pages(me, "bill_splitting", "show_monthly_spending", group_id=group_id, whose="mine")
    assert round(sum(m["total"] for m in months), 2) == round(sum(e["my_share"] for e in expenses), 2)
    summary = world.ok(me, "bill_splitting", "show_group_summary", group_id=group_id)
    assert summary["expense_count"] == len(expenses) and summary["total_spent"] == round(sum(totals.values()), 2)
    export = world.ok(me, "bill_splitting", "export_group_expenses", group_id=group_id, date_from="2026-01-01")
    lines = export["content"].splitlines()
    assert lines[0] == "date,description,category,amount,paid_by,my_share" and export["file_name"].endswith(".csv")
    assert len(lines) - 1 == export["expense_count"] == sum(e["date"] >= "2026-01-01" for e in expenses)


def test_recurring_expense_posts_and_advances(world: World) -> None:
    me, group_id, members = a_group(world)
    rule = world.ok(
        me,
        "bill_splitting",
        "create_recurring_expense",
        group_id=group_id,
        description="Cleaner",
        amount=90.0,
        frequency="monthly",
        start_date="2026-01-31",
    )["recurring_id"]
    posted = world.ok(me, "bill_splitting", "add_recurring_expense_now", recurring_id=rule)
    assert posted["next_date"] == "2026-02-28"
    row = world.conn.execute(
        "SELECT date, amount, recurring_id FROM bill_splitting_expenses WHERE id = ?", (posted["expense_id"],)
    ).fetchone()
    assert row == ("2026-01-31", 90.0, rule)
    assert world.value("SELECT COUNT(*) FROM bill_splitting_shares WHERE expense_id = ?", posted["expense_id"]) == len(
        members
    )
    world.ok(me, "bill_splitting", "update_recurring_expense", recurring_id=rule, is_active=False)
    assert world.call(me, "bill_splitting", "add_recurring_expense_now", recurring_id=rule)[0] == 409
    paused = world.all_pages(me, "bill_splitting", "show_recurring_expenses", status="paused")
    assert rule in {r["recurring_id"] for r in paused}
    assert (
        world.call(outsider_of(world, group_id), "bill_splitting", "delete_recurring_expense", recurring_id=rule)[0]
        == 404
    )
    world.ok(me, "bill_splitting", "delete_recurring_expense", recurring_id=rule)
    assert world.call(me, "bill_splitting", "update_recurring_expense", recurring_id=rule, amount=1.0)[0] == 404


def test_payment_reminders_go_to_debtors_only(world: World) -> None:
    me, group_id, members = a_group(world)
    world.ok(me, "bill_splitting", "add_expense", group_id=group_id, description="Boat", amount=3000.0)
    debtor_email = next(m["email"] for m in members if m["email"] != email_of(world, me))
    sent = world.ok(me, "bill_splitting", "send_payment_reminder", group_id=group_id, email=debtor_email, message="pls")
    debtor = world.value("SELECT id FROM people WHERE email = ?", debtor_email)
    status, body = world.call(
        debtor, "bill_splitting", "send_payment_reminder", group_id=group_id, email=email_of(world, me)
    )
    assert status == 409 and "owes you nothing" in body["message"]
    unread = world.all_pages(debtor, "bill_splitting", "show_reminders", unread_only=True)
    assert sent["reminder_id"] in {r["reminder_id"] for r in unread} and sent["amount"] > 0
    world.ok(debtor, "bill_splitting", "mark_reminder_read", reminder_id=sent["reminder_id"])
    assert world.call(debtor, "bill_splitting", "mark_reminder_read", reminder_id=sent["reminder_id"])[0] == 409
    assert world.call(me, "bill_splitting", "mark_reminder_read", reminder_id=sent["reminder_id"])[0] == 404
    world.ok(me, "bill_splitting", "delete_reminder", reminder_id=sent["reminder_id"])
    assert world.value("SELECT COUNT(*) FROM bill_splitting_reminders WHERE id = ?", sent["reminder_id"]) == 0


def test_activity_shows_new_things_first_and_settings_persist(world: World) -> None:
    me, group_id, _ = a_group(world)
    new = world.ok(me, "bill_splitting", "add_expense", group_id=group_id, description="Fresh", amount=12.5)
    first = world.ok(me, "bill_splitting", "show_activity", kind="expense")[0]
    assert (first["id"], first["description"], first["group_id"]) == (new["expense_id"], "Fresh", group_id)
    assert all(
        a["kind"] == "settlement" for a in world.all_pages(me, "bill_splitting", "show_activity", kind="settlement")
    )
    world.ok(me, "bill_splitting", "update_settings", email_digest="never", notify_on_comment=False)
    settings = world.ok(me, "bill_splitting", "show_settings")
    assert settings["email_digest"] == "never" and settings["notify_on_comment"] is False
    assert world.call(me, "bill_splitting", "update_settings", email_digest="hourly")[0] == 422


def test_leave_group_needs_a_zero_balance(world: World) -> None:
    me, group_id, _ = a_group(world)
    world.ok(me, "bill_splitting", "add_expense", group_id=group_id, description="Boat", amount=3000.0)
    status, body = world.call(me, "bill_splitting", "leave_group", group_id=group_id)
    assert status == 409 and "settle up" in body["message"]
    settled = world.value(
        "SELECT MIN(m.group_id) FROM bill_splitting_members m WHERE m.person_id = ? AND m.group_id != ?", me, group_id
    )
    balance = world.ok(me, "bill_splitting", "show_group", group_id=settled)["my_balance"]
    status, _ = world.call(me, "bill_splitting", "leave_group", group_id=settled)
    assert status == (200 if balance == 0 else 409)


def test_generated_trips_and_subscriptions_are_as_dense_as_real_ones(world: World) -> None:
    """A week away has ~2 shared costs a day (a weekend fewer), trips take up to 6 friends, and people pay several
    subscriptions through their groups: the data the deep trip and shared-bill tasks read one by one."""
    by_length = dict(
        world.conn.execute(
            "SELECT length >= 6, AVG(n) FROM (SELECT g.id, julianday(MAX(e.date)) - julianday(g.created_at) - 14 "
            "AS length, COUNT(*) AS n FROM bill_splitting_groups g JOIN bill_splitting_expenses e ON e.group_id = "
            "g.id WHERE g.group_type = 'trip' GROUP BY g.id) GROUP BY length >= 6"
        ).fetchall()
    )
    assert by_length[1] >= 15 and by_length[0] < by_length[1]
    biggest_crew = world.value(
        "SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM bill_splitting_members m JOIN bill_splitting_groups g ON "
        "g.id = m.group_id WHERE g.group_type = 'trip' GROUP BY g.id)"
    )
    active = world.value(
        "SELECT COUNT(*) FROM (SELECT m.person_id FROM bill_splitting_members m JOIN bill_splitting_recurring r ON "
        "r.group_id = m.group_id WHERE r.is_active = 1 GROUP BY m.person_id HAVING COUNT(*) >= 4)"
    )
    assert biggest_crew == 6 and active >= 15
