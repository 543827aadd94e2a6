"""The payments app: money moves between balances, cards and bank accounts; requests through their states;
the feed, likes, comments, blocks, notifications and settings; and errors that name the problem."""

from __future__ import annotations

import pytest

from .apps_client import World


@pytest.fixture()
def world() -> World:
    return World()


def email_of(world: World, person_id: int) -> str:
    return world.value("SELECT email FROM people WHERE id = ?", person_id)


def balance(world: World, person_id: int) -> float:
    return world.value("SELECT balance FROM payments_balances WHERE person_id = ?", person_id)


def friends_pair(world: World) -> tuple[int, int]:
    """Two payments friends, neither blocking the other."""
    return world.conn.execute(
        "SELECT owner_id, friend_id FROM payments_friends WHERE owner_id NOT IN (SELECT owner_id FROM payments_blocks) "
        "ORDER BY id LIMIT 1"
    ).fetchone()


def test_send_money_moves_balances_and_its_errors_name_the_problem(world: World) -> None:
    me, friend = friends_pair(world)
    world.ok(
        me,
        "payments",
        "add_money",
        amount=500,
        card_number=world.ok(me, "payments", "show_payment_cards")[0]["card_number"],
    )
    before_me, before_friend = balance(world, me), balance(world, friend)
    sent = world.ok(
        me,
        "payments",
        "send_money",
        receiver_email=email_of(world, friend).upper(),
        amount=12.34,
        note="tacos",
        private=False,
    )
    assert balance(world, me) == round(before_me - 12.34, 2) and balance(world, friend) == round(
        before_friend + 12.34, 2
    )
    shown = world.ok(friend, "payments", "show_transaction", transaction_id=sent["transaction_id"])
    assert shown["amount"] == 12.34 and shown["sender"]["email"] == email_of(world, me) and not shown["private"]
    for kwargs, status, words in [
        ({"receiver_email": email_of(world, friend), "amount": 10**4, "note": "x"}, 409, "Insufficient balance"),
        ({"receiver_email": email_of(world, me), "amount": 1, "note": "x"}, 422, "your own email"),
        ({"receiver_email": "nobody@nowhere.org", "amount": 1, "note": "x"}, 404, "No payments user"),
        ({"receiver_email": email_of(world, friend), "amount": 0, "note": "x"}, 422, "'amount'"),
    ]:
        status_got, body = world.call(me, "payments", "send_money", **kwargs)
        assert status_got == status and words in body["message"], body
    stranger = world.value("SELECT MAX(id) FROM people WHERE id != ?", me)
    assert world.call(stranger, "payments", "show_transaction", transaction_id=sent["transaction_id"])[0] == 404


def test_add_and_withdraw_need_exactly_one_usable_funding_source(world: World) -> None:
    me = world.value("SELECT owner_id FROM payments_bank_accounts WHERE verified = 0 LIMIT 1")
    unverified = world.value("SELECT id FROM payments_bank_accounts WHERE owner_id = ? AND verified = 0", me)
    card = world.ok(me, "payments", "show_payment_cards")[0]["card_number"]
    start = balance(world, me)
    new = world.ok(
        me,
        "payments",
        "add_bank_account",
        bank_name="Test Bank",
        account_name="Checking",
        account_number="123456789",
        routing_number="012345678",
    )
    assert world.ok(me, "payments", "add_money", amount=20.5, bank_account_id=new["bank_account_id"])["balance"] == (
        round(start + 20.5, 2)
    )
    assert world.ok(me, "payments", "withdraw_money", amount=0.5, card_number=card)["balance"] == round(start + 20, 2)
    kinds = [t["kind"] for t in world.ok(me, "payments", "show_transfers", page_limit=2)]
    assert kinds == ["withdrawal", "deposit"]
    by_bank = world.all_pages(me, "payments", "show_transfers", bank_account_id=new["bank_account_id"])
    assert [(t["kind"], t["amount"]) for t in by_bank] == [("deposit", 20.5)]
    by_card = world.all_pages(me, "payments", "show_transfers", card_number=card, kind="withdrawal")
    assert by_card[0]["amount"] == 0.5 and all(t["card_number"] == card for t in by_card)
    other_bank = world.value("SELECT id FROM payments_bank_accounts WHERE owner_id != ? LIMIT 1", me)
    for kwargs, status in [
        ({"amount": 1}, 422),
        ({"amount": 1, "card_number": card, "bank_account_id": new["bank_account_id"]}, 422),
        ({"amount": 1, "bank_account_id": unverified}, 409),
        ({"amount": 1, "bank_account_id": other_bank}, 404),
        ({"amount": 1, "card_number": "4000000000000000"}, 404),
    ]:
        assert world.call(me, "payments", "add_money", **kwargs)[0] == status, kwargs
    assert (
        world.call(
            me,
            "payments",
            "add_bank_account",
            bank_name="B",
            account_name="C",
            account_number="123456789",
            routing_number="012345678",
        )[0]
        == 409
    )
    world.ok(me, "payments", "delete_bank_account", bank_account_id=new["bank_account_id"])
    assert world.call(me, "payments", "delete_bank_account", bank_account_id=new["bank_account_id"])[0] == 404


def test_transaction_filters_agree_with_the_data(world: World) -> None:
    me = world.value("SELECT sender_id FROM payments_transactions GROUP BY sender_id ORDER BY COUNT(*) DESC LIMIT 1")
    sent = world.all_pages(me, "payments", "show_transactions", direction="sent")
    assert len(sent) == world.value("SELECT COUNT(*) FROM payments_transactions WHERE sender_id = ?", me) > 40
    assert [t["created_at"] for t in sent] == sorted((t["created_at"] for t in sent), reverse=True)
    cases = [
        ({"query": "pizza"}, "note LIKE '%pizza%'"),
        ({"min_amount": 20, "max_amount": 50}, "amount BETWEEN 20 AND 50"),
        (
            {"start_date": "2025-06-01", "end_date": "2025-06-30"},
            "created_at >= '2025-06-01' AND created_at < '2025-07-01'",
        ),
    ]
    for kwargs, condition in cases:
        got = world.all_pages(me, "payments", "show_transactions", direction="sent", **kwargs)
        want = world.value(f"SELECT COUNT(*) FROM payments_transactions WHERE sender_id = ? AND {condition}", me)
        assert len(got) == want, kwargs
    biggest = world.ok(me, "payments", "show_transactions", sort_by="-amount", page_limit=1)[0]
    assert biggest["amount"] == world.value(
        "SELECT MAX(amount) FROM payments_transactions WHERE sender_id = ?1 OR receiver_id = ?1", me
    )
    year = world.ok(me, "payments", "show_summary", year=2025)
    assert year["sent"] == round(
        world.value(
            "SELECT SUM(amount) FROM payments_transactions WHERE sender_id = ? AND created_at LIKE '2025-%'", me
        ),
        2,
    )
    status, body = world.call(me, "payments", "show_transactions", start_date="June 1")
    assert status == 422 and "start_date" in body["message"]


def test_requests_go_through_their_states(world: World) -> None:
    me, friend = friends_pair(world)
    made = world.ok(me, "payments", "request_money", payer_email=email_of(world, friend), amount=30, note="tickets")
    rid = made["request_id"]
    world.ok(me, "payments", "update_request", request_id=rid, amount=31.5)
    assert world.ok(friend, "payments", "show_request", request_id=rid)["amount"] == 31.5
    assert world.ok(me, "payments", "remind_request", request_id=rid)["reminders"] == 1
    assert world.call(me, "payments", "remind_request", request_id=rid)[0] == 409  # once a day
    (note,) = world.ok(friend, "payments", "show_notifications", kind="reminder", unread_only=True, page_limit=1)
    world.conn.execute("UPDATE payments_settings SET notify_requests = 0 WHERE person_id = ?", (friend,))
    quiet = world.ok(me, "payments", "request_money", payer_email=email_of(world, friend), amount=2, note="quiet")
    world.ok(me, "payments", "remind_request", request_id=quiet["request_id"])
    assert not world.value("SELECT COUNT(*) FROM payments_notifications WHERE request_id = ?", quiet["request_id"])
    assert note["request_id"] == rid and "31.50" in note["message"]
    assert world.call(friend, "payments", "cancel_request", request_id=rid)[0] == 404  # not the requester
    world.ok(friend, "payments", "decline_request", request_id=rid)
    for api in ("cancel_request", "update_request", "remind_request"):
        status, body = world.call(me, "payments", api, request_id=rid)
        assert status == 409 and "already declined" in body["message"], api
    split = world.ok(me, "payments", "split_bill", emails=[email_of(world, friend)], total_amount=50.01, note="cab")
    assert split["share"] == 25.0 and len(split["request_ids"]) == 1
    assert (
        world.call(me, "payments", "split_bill", emails=[email_of(world, friend)] * 2, total_amount=9, note="x")[0]
        == 422
    )
    pending = world.all_pages(friend, "payments", "show_requests", status="pending", with_email=email_of(world, me))
    assert split["request_ids"][0] in [r["request_id"] for r in pending]


def test_blocking_stops_money_and_friendship(world: World) -> None:
    me, friend = friends_pair(world)
    world.ok(me, "payments", "block_user", email=email_of(world, friend))
    assert email_of(world, friend) not in [f["email"] for f in world.all_pages(me, "payments", "show_friends")]
    assert world.ok(me, "payments", "show_user", email=email_of(world, friend))["blocked"] is True
    for caller, other in ((me, friend), (friend, me)):
        status, body = world.call(
            caller, "payments", "send_money", receiver_email=email_of(world, other), amount=1, note="x"
        )
        assert status == 409 and "blocked" in body["message"]
    assert world.ok(friend, "payments", "show_user_transactions", email=email_of(world, me)) == []
    for viewer, other in ((me, friend), (friend, me)):
        feed = world.all_pages(viewer, "payments", "show_feed", scope="everyone")
        assert email_of(world, other) not in {t[side]["email"] for t in feed for side in ("sender", "receiver")}
    assert world.call(me, "payments", "block_user", email=email_of(world, friend))[0] == 409
    world.ok(me, "payments", "unblock_user", email=email_of(world, friend))
    assert world.call(me, "payments", "unblock_user", email=email_of(world, friend))[0] == 404


def test_feed_likes_and_comments(world: World) -> None:
    me, friend = friends_pair(world)
    feed = world.all_pages(me, "payments", "show_feed")
    assert 20 < len(feed) <= 100 and not any(t["private"] for t in feed)
    private = world.value(
        "SELECT id FROM payments_transactions WHERE private = 1 AND sender_id != ?1 AND receiver_id != ?1 LIMIT 1", me
    )
    assert world.call(me, "payments", "like_transaction", transaction_id=private)[0] == 404
    tid = feed[0]["transaction_id"]
    if world.value("SELECT COUNT(*) FROM payments_likes WHERE transaction_id = ? AND person_id = ?", tid, me):
        world.ok(me, "payments", "unlike_transaction", transaction_id=tid)
    world.ok(me, "payments", "like_transaction", transaction_id=tid)
    assert world.call(me, "payments", "like_transaction", transaction_id=tid)[0] == 409
    assert email_of(world, me) in [
        p["email"] for p in world.all_pages(me, "payments", "show_transaction_likes", transaction_id=tid)
    ]
    made = world.ok(me, "payments", "add_comment", transaction_id=tid, text="nice")
    world.ok(me, "payments", "update_comment", comment_id=made["comment_id"], text="very nice")
    comments = world.all_pages(friend, "payments", "show_transaction_comments", transaction_id=tid)
    assert comments[-1]["text"] == "very nice" and comments[-1]["edited_at"]
    assert world.call(friend, "payments", "update_comment", comment_id=made["comment_id"], text="x")[0] == 404
    world.ok(me, "payments", "delete_comment", comment_id=made["comment_id"])
    assert world.call(me, "payments", "delete_comment", comment_id=made["comment_id"])[0] == 404


def test_notifications_and_settings(world: World) -> None:
    me = world.value(
        "SELECT person_id FROM payments_notifications WHERE is_read = 0 GROUP BY person_id HAVING COUNT(*) > 3 LIMIT 1"
    )
    unread = world.all_pages(me, "payments", "show_notifications", unread_only=True)
    world.ok(me, "payments", "mark_notification", notification_id=unread[0]["notification_id"])
    assert len(world.all_pages(me, "payments", "show_notifications", unread_only=True)) == len(unread) - 1
    assert world.ok(me, "payments", "mark_all_notifications_read")["marked"] == len(unread) - 1
    other = world.value("SELECT id FROM payments_notifications WHERE person_id != ? LIMIT 1", me)
    assert world.call(me, "payments", "delete_notification", notification_id=other)[0] == 404
    settings = world.ok(me, "payments", "update_settings", default_private=True, allow_requests_from="friends")
    assert settings["default_private"] is True and settings["allow_requests_from"] == "friends"
    world.ok(
        me,
        "payments",
        "add_money",
        amount=5,
        card_number=world.ok(me, "payments", "show_payment_cards")[0]["card_number"],
    )
    friend = world.value("SELECT friend_id FROM payments_friends WHERE owner_id = ? LIMIT 1", me)
    sent = world.ok(me, "payments", "send_money", receiver_email=email_of(world, friend), amount=1, note="x")
    assert world.ok(me, "payments", "show_transaction", transaction_id=sent["transaction_id"])["private"] is True
    stranger = world.value(
        "SELECT id FROM people WHERE id != ?1 AND id NOT IN "
        "(SELECT friend_id FROM payments_friends WHERE owner_id = ?1) LIMIT 1",
        me,
    )
    status, body = world.call(
        stranger, "payments", "request_money", payer_email=email_of(world, me), amount=1, note="x"
    )
    assert status == 409 and "friends" in body["message"]


def test_search_users_puts_the_exact_name_first(world: World) -> None:
    me = 1
    for pid in range(1, 107):
        person = world.conn.execute(
            "SELECT first_name || ' ' || last_name, email FROM people WHERE id = ?", (pid,)
        ).fetchone()
        found = world.ok(me, "payments", "search_users", query=person[0].lower(), page_limit=1)
        assert found[0]["name"] == person[0], person


def test_reading_changes_nothing(world: World) -> None:
    me, friend = friends_pair(world)
    for api, kwargs in [
        ("show_transactions", {"sort_by": "amount"}),
        ("show_requests", {"direction": "sent"}),
        ("show_transfers", {"kind": "deposit"}),
        ("show_feed", {"scope": "everyone", "query": "rent"}),
        ("show_notifications", {}),
        ("show_friends", {"query": email_of(world, friend)[:3]}),
        ("show_blocked_users", {}),
        ("show_mutual_friends", {"email": email_of(world, friend)}),
        ("show_user_transactions", {"email": email_of(world, friend)}),
    ]:
        world.all_pages(me, "payments", api, **kwargs)
    for api in ("show_balance", "show_bank_accounts", "show_settings", "show_payment_cards"):
        world.ok(me, "payments", api)
    assert world.changes() == []


def test_friends_privacy_and_approving_a_request(world: World) -> None:
    me, friend = friends_pair(world)
    status, body = world.call(me, "payments", "add_friend", email=email_of(world, friend))
    assert status == 409 and "already your friend" in body["message"]
    world.ok(me, "payments", "remove_friend", email=email_of(world, friend))
    assert world.call(me, "payments", "remove_friend", email=email_of(world, friend))[0] == 404
    world.ok(me, "payments", "add_friend", email=email_of(world, friend))
    assert world.ok(me, "payments", "show_friends", sort_by="added", page_limit=20)[-1]["email"] == email_of(
        world, friend
    )
    mine = world.ok(me, "payments", "show_transactions", direction="sent", page_limit=1)[0]["transaction_id"]
    world.ok(me, "payments", "update_transaction_privacy", transaction_id=mine, private=True)
    assert world.ok(me, "payments", "show_transaction", transaction_id=mine)["private"] is True
    stranger = world.value(
        "SELECT id FROM people WHERE id NOT IN (SELECT sender_id FROM payments_transactions WHERE id = ?1 "
        "UNION SELECT receiver_id FROM payments_transactions WHERE id = ?1) LIMIT 1",
        mine,
    )
    assert world.call(stranger, "payments", "update_transaction_privacy", transaction_id=mine, private=False)[0] == 404
    request = world.ok(friend, "payments", "request_money", payer_email=email_of(world, me), amount=7.25, note="pie")
    world.ok(
        me,
        "payments",
        "add_money",
        amount=10,
        card_number=world.ok(me, "payments", "show_payment_cards")[0]["card_number"],
    )
    before_me, before_friend = balance(world, me), balance(world, friend)
    paid = world.ok(me, "payments", "approve_request", request_id=request["request_id"])
    assert balance(world, me) == round(before_me - 7.25, 2) and balance(world, friend) == round(before_friend + 7.25, 2)
    shown = world.ok(friend, "payments", "show_request", request_id=request["request_id"])
    assert shown["status"] == "approved" and shown["resolved_at"] == "2026-05-18T10:30:00"
    assert world.ok(me, "payments", "show_transaction", transaction_id=paid["transaction_id"])["note"] == "pie"
    assert world.call(me, "payments", "approve_request", request_id=request["request_id"])[0] == 409
