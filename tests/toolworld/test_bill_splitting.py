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
