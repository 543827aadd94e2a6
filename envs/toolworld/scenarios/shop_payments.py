"""Scenarios joining the shop with the payments app (whose friends list holds the emails of people close)."""

from __future__ import annotations

import random

from envs.toolworld.evaluate import Deleted, Expectation, Inserted, NewRow
from envs.toolworld.scenarios._common import Solution, fetch_all, full_name, login, pick
from envs.toolworld.scenarios.shop import DONE, NOW, PLAIN_ORDER, stock_changes
from envs.toolworld.tasks import TaskSpec, WorldView, scenario


@scenario("shop_gift_from_friend_wishlist", apps=("shop", "payments"))
def gift_from_friend_wishlist(view: WorldView, rng: random.Random) -> TaskSpec:
    candidates = []
    for pair in view.rows(
        "SELECT f.owner_id, f.friend_id FROM payments_friends f JOIN shop_settings s ON s.person_id = f.friend_id "
        "WHERE s.public_wishlist = 1 AND NOT EXISTS (SELECT 1 FROM shop_cart c JOIN shop_saved v "
        "ON v.owner_id = c.owner_id AND v.product_id = c.product_id WHERE c.owner_id = f.owner_id) "
        "ORDER BY f.owner_id, f.friend_id"
    ):
        in_stock = view.rows(
            "SELECT p.id, p.name, p.price FROM shop_wishlist w JOIN shop_products p ON p.id = w.product_id "
            "WHERE w.owner_id = ? AND p.stock >= 1 ORDER BY p.price, p.id LIMIT 2",
            pair["friend_id"],
        )
        if in_stock and (len(in_stock) == 1 or in_stock[0]["price"] < in_stock[1]["price"]):
            candidates.append((pair["owner_id"], pair["friend_id"], in_stock[0]))
    owner, friend, gift = pick(rng, candidates, "friend with a public wishlist", distinct=True)
    name = full_name(view, friend)
    card = rng.choice(view.rows("SELECT card_name, card_number FROM payment_cards WHERE person_id = ?", owner))
    cart = view.rows("SELECT id, product_id, quantity FROM shop_cart WHERE owner_id = ? ORDER BY id", owner)
    home = view.value(
        "SELECT street_address || ', ' || city || ', ' || state || ' ' || zip_code FROM addresses "
        "WHERE person_id = ? AND name = 'Home'",
        owner,
    )
    look = (
        login("shop", "payments")
        + fetch_all("friends", f"apis.payments.show_friends(access_token=payments_token, query={name!r}")
        + f"email = next(f['email'] for f in friends if f['name'] == {name!r})\n"
        + fetch_all("wished", "apis.shop.show_user_wishlist(access_token=shop_token, email=email")
        + "cart = apis.shop.show_cart(access_token=shop_token)\n"
        + "print(len(wished), cart)\n"
    )
    act = (
        "for item in cart['items']:\n"
        "    apis.shop.save_for_later(access_token=shop_token, product_id=item['product_id'])\n"
        "gift = min((p for p in wished if p['stock'] >= 1), key=lambda p: (p['price'], p['product_id']))\n"
        "apis.shop.add_to_cart(access_token=shop_token, product_id=gift['product_id'], quantity=1)\n"
        f"card = next(c for c in apis.supervisor.show_payment_cards() if c['card_name'] == {card['card_name']!r})\n"
        "apis.shop.place_order(access_token=shop_token, address_name='Home', card_number=card['card_number'])\n" + DONE
    )
    saved: list[Expectation] = [
        Inserted(
            "shop_saved",
            {"owner_id": owner, "product_id": c["product_id"], "quantity": c["quantity"], "saved_at": NOW},
            f"product {c['product_id']} of the cart is saved for later ({c['quantity']})",
            what="saved items",
        )
        for c in cart
    ]
    if cart:
        saved.append(
            Deleted("shop_cart", frozenset(c["id"] for c in cart), "the cart's items left it", what="cart items")
        )
    return TaskSpec(
        owner,
        f"Buy my friend {name} a gift from their public shop wishlist: the cheapest item on it that is in stock, one "
        f"unit, shipped to my Home address and paid with my {card['card_name']}. Move whatever is in my cart to "
        f"'saved for later' first, so only the gift is ordered. ({name}'s email is in my payments friends list.)",
        Solution().step(look).step(act).steps(),
        [
            *saved,
            Inserted(
                "shop_orders",
                {
                    "owner_id": owner,
                    "status": "processing",
                    "address": home,
                    "card_number": card["card_number"],
                    "total": gift["price"],
                    **PLAIN_ORDER,
                },
                f"one order of ${gift['price']} to Home, paid with the {card['card_name']}",
                what="orders",
            ),
            Inserted(
                "shop_order_items",
                {
                    "order_id": NewRow("shop_orders", {"owner_id": owner}),
                    "product_id": gift["id"],
                    "quantity": 1,
                    "unit_price": gift["price"],
                },
                f"the order holds only 1 x {gift['name']}",
                count=1,
                what="order lines",
            ),
            *stock_changes(view, {gift["id"]: -1}),
        ],
    )
