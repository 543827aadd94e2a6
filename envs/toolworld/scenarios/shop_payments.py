"""Scenarios joining the shop with the payments app (whose friends list holds the emails of people close)."""

from __future__ import annotations

import random

from envs.toolworld.evaluate import Answer, Deleted, Expectation, Inserted, NewRow
from envs.toolworld.scenarios._common import Solution, fetch_all, full_name, login, pick
from envs.toolworld.scenarios.shop import PLAIN_ORDER, saved_for_later, stock_changes
from envs.toolworld.tasks import TaskSpec, WorldView, scenario


def cheapest_in_stock(view: WorldView, person: int) -> dict | None:
    """The cheapest in-stock item on someone's wishlist, when one is strictly cheapest."""
    rows = view.rows(
        "SELECT p.id, p.name, p.price FROM shop_wishlist w JOIN shop_products p ON p.id = w.product_id "
        "WHERE w.owner_id = ? AND p.stock >= 1 ORDER BY p.price, p.id LIMIT 2",
        person,
    )
    return rows[0] if rows and (len(rows) == 1 or rows[0]["price"] < rows[1]["price"]) else None


@scenario("shop_gift_from_friend_wishlist", apps=("shop", "payments"))
def gift_from_friend_wishlist(view: WorldView, rng: random.Random) -> TaskSpec:
    candidates = []
    for (owner,) in (
        (r["owner_id"],)
        for r in view.rows(
            "SELECT DISTINCT f.owner_id FROM payments_friends f WHERE NOT EXISTS (SELECT 1 FROM shop_cart c "
            "JOIN shop_saved v ON v.owner_id = c.owner_id AND v.product_id = c.product_id "
            "WHERE c.owner_id = f.owner_id) ORDER BY f.owner_id"
        )
    ):
        gifts: list[tuple[int, dict]] = []
        for f in view.rows(
            "SELECT f.friend_id FROM payments_friends f JOIN shop_settings s ON s.person_id = f.friend_id "
            "WHERE f.owner_id = ? AND s.public_wishlist = 1 ORDER BY f.friend_id",
            owner,
        ):
            gift = cheapest_in_stock(view, f["friend_id"])
            if (
                gift
                and gift["id"] not in {g["id"] for _, g in gifts}
                and gift["price"] not in {g["price"] for _, g in gifts}
            ):
                gifts.append((f["friend_id"], gift))
        if len(gifts) >= 3:
            candidates.append((owner, gifts[:4]))
    owner, gifts = pick(rng, candidates, "friends with public wishlists", distinct=True)
    names = [full_name(view, friend) for friend, _ in gifts]
    card = rng.choice(view.rows("SELECT card_name, card_number FROM payment_cards WHERE person_id = ?", owner))
    cart = view.rows("SELECT id, product_id, quantity FROM shop_cart WHERE owner_id = ? ORDER BY id", owner)
    home = view.value(
        "SELECT street_address || ', ' || city || ', ' || state || ' ' || zip_code FROM addresses "
        "WHERE person_id = ? AND name = 'Home'",
        owner,
    )
    spent = round(sum(g["price"] for _, g in gifts), 2)
    look = (
        login("shop", "payments")
        + "cart = apis.shop.show_cart(access_token=shop_token)\n"
        + "print(cart)\n"
        + f"names = {names!r}\n"
        "wishlists = {}\n"
        "for name in names:\n"
        + fetch_all("friends", "apis.payments.show_friends(access_token=payments_token, query=name", "    ")
        + "    email = next(f['email'] for f in friends if f['name'] == name)\n"
        + fetch_all("wished", "apis.shop.show_user_wishlist(access_token=shop_token, email=email", "    ")
        + "    wishlists[name] = wished\n"
        "    print(name, email, len(wished))\n"
    )
    act = (
        "for item in cart['items']:\n"
        "    apis.shop.save_for_later(access_token=shop_token, product_id=item['product_id'])\n"
        f"card = next(c for c in apis.supervisor.show_payment_cards() if c['card_name'] == {card['card_name']!r})\n"
        "placed = []\n"
        "for name in names:\n"
        "    gift = min((p for p in wishlists[name] if p['stock'] >= 1), key=lambda p: (p['price'], p['product_id']))\n"
        "    apis.shop.add_to_cart(access_token=shop_token, product_id=gift['product_id'], quantity=1)\n"
        "    placed.append(apis.shop.place_order(access_token=shop_token, address_name='Home', "
        "card_number=card['card_number']))\n"
        "    print(name, gift['name'], gift['price'])\n"
    )
    check = (
        "for order in placed:\n"
        "    print(apis.shop.show_order(access_token=shop_token, order_id=order['order_id'])['items'])\n"
        + fetch_all("saved", "apis.shop.show_saved_for_later(access_token=shop_token")
        + "print(len(saved), 'saved for later')\n"
        "apis.supervisor.complete_task(answer=round(sum(o['total'] for o in placed), 2))\n"
    )
    saved = saved_for_later(owner, cart)
    if cart:
        saved.append(
            Deleted("shop_cart", frozenset(c["id"] for c in cart), "the cart's items left it", what="cart items")
        )
    orders: list[Expectation] = []
    for (_, gift), name in zip(gifts, names, strict=True):
        order = {
            "owner_id": owner,
            "status": "processing",
            "address": home,
            "card_number": card["card_number"],
            "total": gift["price"],
            **PLAIN_ORDER,
        }
        orders += [
            Inserted(
                "shop_orders",
                order,
                f"one order of ${gift['price']} for {name}'s gift, to Home, paid with the {card['card_name']}",
                what="orders",
            ),
            Inserted(
                "shop_order_items",
                {
                    "order_id": NewRow("shop_orders", order),
                    "product_id": gift["id"],
                    "quantity": 1,
                    "unit_price": gift["price"],
                },
                f"{name}'s order holds only 1 x {gift['name']}",
                what="order lines",
            ),
        ]
    listed = ", ".join(names[:-1]) + f" and {names[-1]}"
    return TaskSpec(
        owner,
        f"Buy gifts for my friends {listed}, each from their public shop wishlist: the cheapest item on it that is "
        f"in stock, one unit, as its own order shipped to my Home address and paid with my {card['card_name']}. "
        "Move whatever is in my cart to 'saved for later' first, so only the gifts are ordered. (Their emails are "
        "in my payments friends list.) How much did the gifts cost in total?",
        Solution().step(look).step(act).step(check).steps(),
        [
            *saved,
            *orders,
            *stock_changes(view, {g["id"]: -1 for _, g in gifts}),
            Answer(spent, f"the answer is what the {len(gifts)} gifts cost (${spent})"),
        ],
    )
