"""The shop app: search and lists agree with the data, orders take coupons, gift cards and shipping speeds,
processing orders can change, returns, sellers, Q&A, votes, history, subscriptions; errors name the problem."""

from __future__ import annotations

from typing import Any

import pytest

from envs.toolworld.env import ToolWorldEnv

from .apps_client import World
from .conftest import play_oracle_without_completing


@pytest.fixture()
def world() -> World:
    return World()


def public(world: World, api: str, **kwargs: Any) -> Any:
    """The body of a shop API that needs no login (the catalog), asserting success."""
    status, body = world.server(1).call("shop", api, kwargs=kwargs)
    assert status == 200, (status, body)
    return body


def public_pages(world: World, api: str, **kwargs: Any) -> list[Any]:
    out, page = [], 0
    while batch := public(world, api, page_index=page, page_limit=20, **kwargs):
        out += batch
        page += 1
    return out


def first_card(world: World, person_id: int) -> str:
    return world.value("SELECT card_number FROM payment_cards WHERE person_id = ? ORDER BY id", person_id)


def cheap_in_stock(world: World, category: str | None = None) -> dict[str, Any]:
    row = world.conn.execute(
        "SELECT id, price, category FROM shop_products WHERE stock >= 5 AND (category = ? OR ? IS NULL) "
        "ORDER BY price LIMIT 1",
        (category, category),
    ).fetchone()
    return {"id": row[0], "price": row[1], "category": row[2]}


@pytest.mark.parametrize(
    ("kwargs", "condition"),
    [
        ({"category": "kitchen", "max_price": 40}, "category = 'kitchen' AND price <= 40"),
        ({"min_price": 100, "min_rating": 4.5}, "price >= 100 AND rating >= 4.5"),
        ({"seller_id": 3, "in_stock_only": True}, "seller_id = 3 AND stock > 0"),
        ({"on_sale_only": True, "brand": "acme"}, "price < list_price AND brand = 'Acme'"),
        ({"query": "yoga mat"}, "LOWER(name) LIKE '%yoga%' AND LOWER(name) LIKE '%mat%'"),
    ],
)
def test_search_products_filters_agree_with_the_catalog(world: World, kwargs: dict[str, Any], condition: str) -> None:
    found = public_pages(world, "search_products", **kwargs)
    want = [r[0] for r in world.conn.execute(f"SELECT id FROM shop_products WHERE {condition} ORDER BY name, id")]
    assert [p["product_id"] for p in found] == want and want


def test_an_unknown_category_is_named_not_an_empty_list(world: World) -> None:
    status, body = world.server(1).call("shop", "search_products", kwargs={"category": "Kitchen"})
    assert status == 422 and "'Kitchen' is not a category" in body["message"] and "'kitchen'" in body["message"]
    for api in ("show_wishlist", "show_browsing_history", "show_coupons"):
        assert world.call(1, "shop", api, category="garage")[0] == 422, api


def test_search_sorts_and_near_duplicate_names_exist(world: World) -> None:
    sale = public(world, "search_products", sort_by="-discount", page_limit=3)
    drops = [p["list_price"] - p["price"] for p in sale]
    assert drops == sorted(drops, reverse=True) and drops[0] > 0
    successor = world.value("SELECT name FROM shop_products WHERE name LIKE '% 2' LIMIT 1")
    names = [p["name"] for p in public_pages(world, "search_products", query=successor[:-2])]
    assert successor in names and successor[:-2] in names or any(n.startswith(successor[:-2] + " (") for n in names)


def test_place_order_with_coupon_gift_cards_and_express_shipping(world: World) -> None:
    me = world.value(
        "SELECT owner_id FROM shop_gift_cards WHERE owner_id IS NOT NULL AND balance > 5 "
        "AND expires_at > '2026-06' LIMIT 1"
    )
    world.ok(me, "shop", "empty_cart")
    item = cheap_in_stock(world)
    world.conn.execute(
        "INSERT INTO shop_coupons (owner_id, code, description, percent_off, min_total, category, expires_at) "
        "VALUES (?, 'TEST20', '20% off', 20, 0, NULL, '2027-01-01T00:00:00')",
        (me,),
    )
    world.ok(me, "shop", "add_to_cart", product_id=item["id"], quantity=2)
    gift_before = world.ok(me, "shop", "show_gift_card_balance")["balance"]
    placed = world.ok(
        me,
        "shop",
        "place_order",
        address_name="Home",
        card_number=first_card(world, me),
        shipping_speed="express",
        coupon_code="test20",
        use_gift_card_balance=True,
    )
    subtotal = round(item["price"] * 2, 2)
    discount = round(subtotal * 0.2, 2)
    assert placed["discount"] == discount and placed["total"] == round(subtotal - discount + 9.99, 2)
    assert placed["gift_card_amount"] == round(min(gift_before, placed["total"]), 2)
    assert world.ok(me, "shop", "show_gift_card_balance")["balance"] == round(
        gift_before - placed["gift_card_amount"], 2
    )
    order = world.ok(me, "shop", "show_order", order_id=placed["order_id"])
    assert order["coupon_code"] == "TEST20" and order["shipping_fee"] == 9.99 and order["items"][0]["quantity"] == 2
    (used,) = [c for c in world.all_pages(me, "shop", "show_coupons", status="used") if c["code"] == "TEST20"]
    assert used["used_order_id"] == placed["order_id"]
    world.ok(me, "shop", "add_to_cart", product_id=item["id"])
    for kwargs, status, words in [
        ({"coupon_code": "TEST20"}, 409, "already used"),
        ({"coupon_code": "NOPE"}, 404, "No coupon"),
        ({"address_name": "Moon Base"}, 404, "Moon Base"),
        ({"card_number": "4000000000000000"}, 404, "payment card"),
    ]:
        args = {"address_name": "Home", "card_number": first_card(world, me), **kwargs}
        got, body = world.call(me, "shop", "place_order", **args)
        assert got == status and words in body["message"], body
    world.ok(me, "shop", "empty_cart")
    assert world.call(me, "shop", "place_order", address_name="Home", card_number=first_card(world, me))[0] == 409


def test_expired_and_too_small_coupons_are_refused(world: World) -> None:
    me = world.value(
        "SELECT owner_id FROM shop_coupons WHERE expires_at < '2026-05-18' AND used_order_id IS NULL LIMIT 1"
    )
    expired = world.value(
        "SELECT code FROM shop_coupons WHERE owner_id = ? AND expires_at < '2026-05-18' "
        "AND used_order_id IS NULL LIMIT 1",
        me,
    )
    assert expired in [c["code"] for c in world.all_pages(me, "shop", "show_coupons", status="expired")]
    world.ok(me, "shop", "empty_cart")
    world.ok(me, "shop", "add_to_cart", product_id=cheap_in_stock(world)["id"])
    status, body = world.call(
        me, "shop", "place_order", address_name="Home", card_number=first_card(world, me), coupon_code=expired
    )
    assert status == 409 and "expired" in body["message"]
    world.conn.execute(
        "INSERT INTO shop_coupons (owner_id, code, description, percent_off, min_total, category, expires_at) "
        "VALUES (?, 'BIG', 'x', 10, 5000, NULL, '2027-01-01'), (?, 'PETS', 'x', 10, 0, 'pets', '2027-01-01')",
        (me, me),
    )
    item_category = world.value("SELECT category FROM shop_products WHERE id = ?", cheap_in_stock(world)["id"])
    for code, words in (("BIG", "at least"), ("PETS", "only applies") if item_category != "pets" else ("BIG", "")):
        status, body = world.call(
            me, "shop", "place_order", address_name="Home", card_number=first_card(world, me), coupon_code=code
        )
        assert status == 409 and words in body["message"]


def test_order_lists_filter_and_processing_orders_can_change(world: World) -> None:
    me = world.value("SELECT owner_id FROM shop_orders WHERE status = 'processing' LIMIT 1")
    every = world.all_pages(me, "shop", "show_orders")
    assert len(every) == world.value("SELECT COUNT(*) FROM shop_orders WHERE owner_id = ?", me) >= 20
    in_2025 = world.all_pages(me, "shop", "show_orders", start_date="2025-01-01", end_date="2025-12-31")
    assert [o["order_id"] for o in in_2025] == [o["order_id"] for o in every if o["created_at"][:4] == "2025"]
    name = every[0]["items"][0]["name"]
    assert every[0]["order_id"] in [o["order_id"] for o in world.all_pages(me, "shop", "show_orders", query=name)]
    biggest = world.ok(me, "shop", "show_orders", sort_by="-total", page_limit=1)[0]
    assert biggest["total"] == max(o["total"] for o in every)
    processing = world.ok(me, "shop", "show_orders", status="processing")[0]["order_id"]
    other_card = world.value("SELECT card_number FROM payment_cards WHERE person_id = ? ORDER BY id DESC", me)
    world.ok(me, "shop", "change_order_payment", order_id=processing, card_number=other_card)
    world.ok(me, "shop", "change_order_address", order_id=processing, address_name="Home")
    assert world.ok(me, "shop", "show_order", order_id=processing)["card_number"] == other_card
    assert [e["status"] for e in world.ok(me, "shop", "track_order", order_id=processing)] == ["placed"]
    delivered = world.ok(me, "shop", "show_orders", status="delivered")[0]["order_id"]
    assert [e["status"] for e in world.ok(me, "shop", "track_order", order_id=delivered)] == [
        "placed",
        "shipped",
        "delivered",
    ]
    status, body = world.call(me, "shop", "change_order_address", order_id=delivered, address_name="Home")
    assert status == 409 and "delivered" in body["message"]
    stranger = world.value("SELECT id FROM shop_orders WHERE owner_id != ? LIMIT 1", me)
    for api in ("show_order", "track_order", "reorder", "cancel_order"):
        assert world.call(me, "shop", api, order_id=stranger)[0] == 404, api
    world.ok(me, "shop", "empty_cart")
    added = world.ok(me, "shop", "reorder", order_id=delivered)["added"]
    assert len(world.ok(me, "shop", "show_cart")["items"]) == added > 0
    status, body = world.call(me, "shop", "show_orders", start_date="2025-13-01")
    assert status == 422 and "start_date" in body["message"]


def test_returns_have_a_status_and_can_be_cancelled_while_requested(world: World) -> None:
    order_id, me, product_id = world.conn.execute(
        "SELECT o.id, o.owner_id, i.product_id FROM shop_orders o JOIN shop_order_items i ON i.order_id = o.id "
        "WHERE o.status = 'delivered' AND NOT EXISTS (SELECT 1 FROM shop_returns r WHERE r.order_id = o.id) LIMIT 1"
    ).fetchone()
    made = world.ok(me, "shop", "request_return", order_id=order_id, product_id=product_id, reason="Too big")
    shown = world.ok(me, "shop", "show_return", return_id=made["return_id"])
    assert shown["status"] == "requested" and shown["refund_amount"] > 0
    assert world.call(me, "shop", "request_return", order_id=order_id, product_id=product_id, reason="x")[0] == 409
    world.ok(me, "shop", "cancel_return", return_id=made["return_id"])
    assert world.call(me, "shop", "cancel_return", return_id=made["return_id"])[0] == 409
    assert [r["status"] for r in world.ok(me, "shop", "show_returns", status="cancelled")][:1] == ["cancelled"]
    world.ok(me, "shop", "request_return", order_id=order_id, product_id=product_id, reason="Again")  # after a cancel
    other = world.value("SELECT MAX(id) FROM people WHERE id != ?", me)
    assert world.call(other, "shop", "show_return", return_id=made["return_id"])[0] == 404


def test_sellers_variants_prices_and_ratings(world: World) -> None:
    sellers = public_pages(world, "show_sellers", sort_by="-product_count")
    assert len(sellers) == 40 and sellers[0]["product_count"] >= sellers[-1]["product_count"]
    group = world.value("SELECT group_id FROM shop_products GROUP BY group_id HAVING COUNT(*) >= 3 LIMIT 1")
    member = world.value("SELECT MIN(id) FROM shop_products WHERE group_id = ?", group)
    variants = public(world, "show_product_variants", product_id=member)
    assert len(variants) >= 3 and len({v["variant"] for v in variants}) == len(variants)
    prices = public_pages(world, "show_price_history", product_id=member)
    assert prices[0]["price"] == public(world, "show_product", product_id=member)["price"]
    me, seller = world.conn.execute(
        "SELECT o.owner_id, p.seller_id FROM shop_orders o JOIN shop_order_items i ON i.order_id = o.id "
        "JOIN shop_products p ON p.id = i.product_id WHERE o.status = 'delivered' LIMIT 1"
    ).fetchone()
    first = world.ok(me, "shop", "rate_seller", seller_id=seller, rating=2, comment="slow")
    again = world.ok(me, "shop", "rate_seller", seller_id=seller, rating=5, comment="fixed it")
    assert first["rating_id"] == again["rating_id"]
    mine = [
        r for r in public_pages(world, "show_seller_ratings", seller_id=seller) if r["rating_id"] == first["rating_id"]
    ]
    assert mine[0]["rating"] == 5 and mine[0]["comment"] == "fixed it"
    never = world.value(
        "SELECT id FROM shop_sellers WHERE id NOT IN (SELECT p.seller_id FROM shop_orders o JOIN "
        "shop_order_items i ON i.order_id = o.id JOIN shop_products p ON p.id = i.product_id "
        "WHERE o.owner_id = ? AND o.status = 'delivered') LIMIT 1",
        me,
    )
    if never is not None:
        assert world.call(me, "shop", "rate_seller", seller_id=never, rating=1, comment="x")[0] == 409
    assert world.server(me).call("shop", "show_seller", kwargs={"seller_id": 999})[0] == 404


def test_questions_answers_and_review_votes(world: World) -> None:
    buyer, product_id = world.conn.execute(
        "SELECT o.owner_id, i.product_id FROM shop_orders o JOIN shop_order_items i ON i.order_id = o.id "
        "WHERE o.status = 'delivered' LIMIT 1"
    ).fetchone()
    asker = world.value("SELECT MAX(id) FROM people WHERE id != ?", buyer)
    q = world.ok(asker, "shop", "ask_question", product_id=product_id, text="Is it waterproof?")
    assert world.call(asker, "shop", "answer_question", question_id=q["question_id"], text="x")[0] == 409
    world.ok(buyer, "shop", "answer_question", question_id=q["question_id"], text="Yes, fully.")
    listed = public_pages(
        world, "show_product_questions", product_id=product_id, query="waterproof", answered_only=True
    )
    assert [a["text"] for a in listed[0]["answers"]] == ["Yes, fully."]
    assert world.call(buyer, "shop", "delete_question", question_id=q["question_id"])[0] == 404
    world.ok(asker, "shop", "delete_question", question_id=q["question_id"])
    assert not world.value("SELECT COUNT(*) FROM shop_answers WHERE question_id = ?", q["question_id"])
    review_id, author, reviewed = world.conn.execute(
        "SELECT id, author_id, product_id FROM shop_reviews ORDER BY id LIMIT 1"
    ).fetchone()
    voter = world.value(
        "SELECT MIN(id) FROM people WHERE id != ? AND id NOT IN "
        "(SELECT voter_id FROM shop_review_votes WHERE review_id = ?)",
        author,
        review_id,
    )
    before = public_pages(world, "show_product_reviews", product_id=reviewed)
    world.ok(voter, "shop", "vote_review", review_id=review_id)
    assert world.call(voter, "shop", "vote_review", review_id=review_id)[0] == 409
    after = public_pages(world, "show_product_reviews", product_id=reviewed)
    votes = {r["review_id"]: r["helpful_votes"] for r in before}
    assert [r["helpful_votes"] - votes[r["review_id"]] for r in after if r["review_id"] == review_id] == [1]
    world.ok(voter, "shop", "vote_review", review_id=review_id, helpful=False)
    assert world.call(author, "shop", "vote_review", review_id=review_id)[0] == 409
    assert review_id in [r["review_id"] for r in world.all_pages(author, "shop", "show_my_reviews")]


def test_browsing_history_saved_items_and_price_drops(world: World) -> None:
    me = 5
    history = world.all_pages(me, "shop", "show_browsing_history")
    assert len(history) == world.value("SELECT COUNT(*) FROM shop_history WHERE owner_id = ?", me) >= 20
    category = history[0]["category"]
    assert all(
        h["category"] == category for h in world.all_pages(me, "shop", "show_browsing_history", category=category)
    )
    world.ok(me, "shop", "delete_history_item", history_id=history[0]["history_id"])
    assert world.call(me, "shop", "delete_history_item", history_id=history[0]["history_id"])[0] == 404
    cleared = world.ok(me, "shop", "clear_browsing_history", before_date=history[len(history) // 2]["viewed_at"][:10])
    assert 0 < cleared["removed"] < len(history)
    item = cheap_in_stock(world)
    world.ok(me, "shop", "add_to_cart", product_id=item["id"], quantity=3)
    world.ok(me, "shop", "save_for_later", product_id=item["id"])
    assert item["id"] not in [i["product_id"] for i in world.ok(me, "shop", "show_cart")["items"]]
    assert world.call(me, "shop", "save_for_later", product_id=item["id"])[0] == 404
    world.ok(me, "shop", "move_to_cart", product_id=item["id"])
    assert {i["product_id"]: i["quantity"] for i in world.ok(me, "shop", "show_cart")["items"]}[item["id"]] == 3
    drops = world.all_pages(me, "shop", "show_price_drops")
    want = world.value(
        "SELECT COUNT(*) FROM shop_wishlist w JOIN shop_products p ON p.id = w.product_id "
        "WHERE w.owner_id = ? AND w.price_when_added - p.price >= 0.01",
        me,
    )
    assert len(drops) == want and all(d["price_drop"] > 0 for d in drops)


def test_gift_cards_and_subscriptions(world: World) -> None:
    code, giver = world.conn.execute(
        "SELECT code, id FROM shop_gift_cards WHERE owner_id IS NULL AND expires_at > '2026-06' LIMIT 1"
    ).fetchone()
    me = 7
    before = world.ok(me, "shop", "show_gift_card_balance")
    redeemed = world.ok(me, "shop", "redeem_gift_card", code=code.lower())
    assert world.ok(me, "shop", "show_gift_card_balance")["balance"] == round(
        before["balance"] + redeemed["balance"], 2
    )
    status, body = world.call(me, "shop", "redeem_gift_card", code=code)
    assert status == 409 and "by you" in body["message"]
    assert world.call(me, "shop", "redeem_gift_card", code="NOPE")[0] == 404
    product_id = cheap_in_stock(world)["id"]
    world.conn.execute("DELETE FROM shop_subscriptions WHERE owner_id = ? AND product_id = ?", (me, product_id))
    sub = world.ok(me, "shop", "subscribe", product_id=product_id, every_weeks=2, address_name="Home", quantity=2)
    assert sub["next_delivery"] == "2026-06-01"
    assert world.call(me, "shop", "subscribe", product_id=product_id, every_weeks=1, address_name="Home")[0] == 409
    world.ok(me, "shop", "update_subscription", subscription_id=sub["subscription_id"], every_weeks=4)
    assert world.ok(me, "shop", "skip_next_delivery", subscription_id=sub["subscription_id"])["next_delivery"] == (
        "2026-06-29"
    )
    world.ok(me, "shop", "set_subscription_status", subscription_id=sub["subscription_id"], status="paused")
    for api, kwargs in (("set_subscription_status", {"status": "paused"}), ("skip_next_delivery", {})):
        assert world.call(me, "shop", api, subscription_id=sub["subscription_id"], **kwargs)[0] == 409
    world.ok(me, "shop", "cancel_subscription", subscription_id=sub["subscription_id"])
    (shown,) = [
        s
        for s in world.all_pages(me, "shop", "show_subscriptions", status="cancelled")
        if s["subscription_id"] == sub["subscription_id"]
    ]
    assert shown["every_weeks"] == 4 and shown["quantity"] == 2
    assert world.call(me, "shop", "update_subscription", subscription_id=sub["subscription_id"], quantity=1)[0] == 409
    default = world.value("SELECT default_address_name FROM shop_settings WHERE person_id = ?", me)
    other_product = world.value("SELECT MAX(id) FROM shop_products")
    world.conn.execute("DELETE FROM shop_subscriptions WHERE owner_id = ? AND product_id = ?", (me, other_product))
    plain = world.ok(me, "shop", "subscribe", product_id=other_product, every_weeks=1)
    (made,) = [
        s
        for s in world.all_pages(me, "shop", "show_subscriptions", status="active")
        if s["subscription_id"] == plain["subscription_id"]
    ]
    assert made["address_name"] == default and made["quantity"] == 1
    settings = world.ok(me, "shop", "update_settings", deal_emails=False, public_wishlist=True)
    assert settings["deal_emails"] is False and settings["public_wishlist"] is True
    assert world.call(me, "shop", "update_settings", default_address_name="Mars")[0] == 404


def test_reading_changes_nothing(world: World) -> None:
    me = 3
    for api, kwargs in [
        ("show_orders", {"sort_by": "total"}),
        ("show_wishlist", {"sort_by": "-price"}),
        ("show_returns", {}),
        ("show_coupons", {"status": None}),
        ("show_gift_cards", {"usable_only": True}),
        ("show_subscriptions", {}),
        ("show_saved_for_later", {}),
        ("show_browsing_history", {"start_date": "2026-01-01"}),
        ("show_my_reviews", {}),
        ("show_price_drops", {}),
    ]:
        world.all_pages(me, "shop", api, **kwargs)
    for api in ("show_cart", "show_settings", "show_addresses", "show_gift_card_balance"):
        world.ok(me, "shop", api)
    order_id = world.value("SELECT id FROM shop_orders WHERE owner_id = ? LIMIT 1", me)
    world.ok(me, "shop", "track_order", order_id=order_id)
    assert world.changes() == []


def test_bought_gift_cards_pass_to_whoever_redeems_them_and_public_wishlists(world: World) -> None:
    buyer, friend = 11, 12
    bought = world.ok(buyer, "shop", "buy_gift_card", amount=25, card_number=first_card(world, buyer))
    assert world.call(buyer, "shop", "buy_gift_card", amount=25, card_number="4000000000000000")[0] == 404
    before = world.ok(friend, "shop", "show_gift_card_balance")["balance"]
    world.ok(friend, "shop", "redeem_gift_card", code=bought["code"])
    assert world.ok(friend, "shop", "show_gift_card_balance")["balance"] == round(before + 25, 2)
    (card,) = [c for c in world.all_pages(friend, "shop", "show_gift_cards") if c["code"] == bought["code"]]
    assert card["sender_name"] == world.value("SELECT first_name || ' ' || last_name FROM people WHERE id = ?", buyer)
    email = world.value("SELECT email FROM people WHERE id = ?", friend)
    world.conn.execute("UPDATE shop_settings SET public_wishlist = 0 WHERE person_id = ?", (friend,))
    status, body = world.call(buyer, "shop", "show_user_wishlist", email=email)
    assert status == 409 and "private" in body["message"]
    world.ok(friend, "shop", "update_settings", public_wishlist=True)
    wished = world.all_pages(buyer, "shop", "show_user_wishlist", email=email)
    assert [p["product_id"] for p in wished] == [
        p["product_id"] for p in world.all_pages(friend, "shop", "show_wishlist")
    ]


def test_reviews_cart_and_wishlist_edits_and_their_conflicts(world: World) -> None:
    me, product_id = world.conn.execute(
        "SELECT o.owner_id, i.product_id FROM shop_orders o JOIN shop_order_items i ON i.order_id = o.id "
        "WHERE o.status = 'delivered' AND NOT EXISTS (SELECT 1 FROM shop_reviews r WHERE r.author_id = o.owner_id "
        "AND r.product_id = i.product_id) LIMIT 1"
    ).fetchone()
    review = world.ok(me, "shop", "write_review", product_id=product_id, rating=4, text="Solid.")
    assert world.call(me, "shop", "write_review", product_id=product_id, rating=5, text="Again")[0] == 409
    world.ok(me, "shop", "update_review", review_id=review["review_id"], rating=2)
    assert world.value("SELECT rating || text FROM shop_reviews WHERE id = ?", review["review_id"]) == "2Solid."
    other = world.value("SELECT MAX(id) FROM people WHERE id != ?", me)
    assert world.call(other, "shop", "delete_review", review_id=review["review_id"])[0] == 404
    world.ok(me, "shop", "delete_review", review_id=review["review_id"])
    never = world.value(
        "SELECT id FROM shop_products WHERE id NOT IN (SELECT i.product_id FROM shop_orders o JOIN shop_order_items i "
        "ON i.order_id = o.id WHERE o.owner_id = ? AND o.status = 'delivered') LIMIT 1",
        me,
    )
    assert world.call(me, "shop", "write_review", product_id=never, rating=5, text="x")[0] == 409
    world.ok(me, "shop", "empty_cart")
    world.ok(me, "shop", "add_to_cart", product_id=never)
    world.ok(me, "shop", "update_cart_item", product_id=never, quantity=4)
    assert world.ok(me, "shop", "show_cart")["items"][0]["quantity"] == 4
    world.ok(me, "shop", "remove_from_cart", product_id=never)
    assert world.call(me, "shop", "update_cart_item", product_id=never, quantity=1)[0] == 404
    assert world.call(me, "shop", "remove_from_cart", product_id=never)[0] == 404
    world.conn.execute("DELETE FROM shop_wishlist WHERE owner_id = ? AND product_id = ?", (me, never))
    world.ok(me, "shop", "add_to_wishlist", product_id=never)
    added = world.ok(me, "shop", "show_wishlist", sort_by="-added_at", page_limit=1)[0]
    assert added["product_id"] == never and added["price_when_added"] == added["price"]
    assert world.call(me, "shop", "add_to_wishlist", product_id=never)[0] == 409
    world.ok(me, "shop", "remove_from_wishlist", product_id=never)
    assert world.call(me, "shop", "remove_from_wishlist", product_id=never)[0] == 404
    categories = public(world, "show_categories")
    assert sum(c["products"] for c in categories) == world.value("SELECT COUNT(*) FROM shop_products")


def test_returns_and_subscriptions_are_as_dense_as_a_households(world: World) -> None:
    """About one delivered order in seven has a return (several open per shopper) and a household keeps up to 9
    subscriptions, never two of one product: the return and delivery scenarios read them one by one."""
    open_returns = [
        n
        for (n,) in world.conn.execute(
            "SELECT SUM(r.status IN ('requested', 'approved')) FROM shop_returns r JOIN shop_orders o "
            "ON o.id = r.order_id GROUP BY o.owner_id"
        )
    ]
    delivered = world.value("SELECT COUNT(*) FROM shop_orders WHERE status = 'delivered'")
    assert 0.11 <= world.value("SELECT COUNT(*) FROM shop_returns") / delivered <= 0.19
    assert sum(n >= 4 for n in open_returns) >= 15
    subscriptions = [n for (n,) in world.conn.execute("SELECT COUNT(*) FROM shop_subscriptions GROUP BY owner_id")]
    assert sum(subscriptions) / len(subscriptions) >= 4 and max(subscriptions) <= 9
    assert not world.conn.execute(
        "SELECT owner_id, product_id FROM shop_subscriptions GROUP BY owner_id, product_id HAVING COUNT(*) > 1"
    ).fetchall()


def test_returns_followup_needs_each_orders_card(env: ToolWorldEnv) -> None:
    """life_returns_followup_todo: the card a refund goes back to is only in the order; an agent that reads one
    order and assumes its card for every return fails (the waiting returns were paid with two cards)."""
    env.reset(options={"task_id": "life_returns_followup_todo_0"})
    play_oracle_without_completing(
        env, lambda code: code.replace("order_id=r['order_id'])\n", "order_id=waiting[0]['order_id'])\n")
    )
    _, reward, terminated, _, info = env.step("apis.supervisor.complete_task(answer=total)\n")
    failed = [t for t in info["evaluation"]["tests"] if not t["passed"]]
    assert terminated and reward == 0.0 and any("follow up on the return" in t["requirement"] for t in failed)
