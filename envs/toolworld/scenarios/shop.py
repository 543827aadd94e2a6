"""Scenarios on the shop app: wishlist, spending questions, cancelling, buying, reviewing."""

from __future__ import annotations

import random

from envs.toolworld.evaluate import Answer, Contains, Deleted, Expectation, Inserted, NewRow, Updated
from envs.toolworld.scenarios._common import Solution, fetch_all, login, pick
from envs.toolworld.tasks import TaskSpec, WorldView, scenario
from envs.toolworld.world.build import WORLD_NOW

DONE = "apis.supervisor.complete_task()\n"
NOW = WORLD_NOW.isoformat(timespec="seconds")
# an order placed as asked, with nothing the instruction did not ask for: standard shipping, no coupon, no gift card
PLAIN_ORDER = {
    "shipping_speed": "standard",
    "shipping_fee": 0.0,
    "coupon_code": None,
    "discount": 0.0,
    "gift_card_amount": 0.0,
    "delivered_at": None,
}


def stock_changes(view: WorldView, deltas: dict[int, int]) -> list[Expectation]:
    """Updated-stock expectations for products whose stock moves by `deltas`."""
    out: list[Expectation] = []
    for product_id, delta in sorted(deltas.items()):
        stock = view.value("SELECT stock FROM shop_products WHERE id = ?", product_id)
        out.append(
            Updated(
                "shop_products",
                product_id,
                {"stock": stock + delta},
                f"product {product_id}'s stock is {stock + delta}",
            )
        )
    return out


@scenario("shop_wishlist_cheapest_to_cart", apps=("shop",), difficulty=2)
def wishlist_cheapest(view: WorldView, rng: random.Random) -> TaskSpec:
    owners = view.rows("SELECT owner_id FROM shop_wishlist GROUP BY owner_id HAVING COUNT(*) >= 2 ORDER BY owner_id")
    owner = pick(rng, owners, "wishlist with 2+ items")["owner_id"]
    items = view.rows(
        "SELECT w.id, w.product_id, p.price FROM shop_wishlist w JOIN shop_products p ON p.id = w.product_id "
        "WHERE w.owner_id = ? ORDER BY p.price, p.id",
        owner,
    )
    cheapest = items[0]
    in_cart = view.rows(
        "SELECT id, quantity FROM shop_cart WHERE owner_id = ? AND product_id = ?", owner, cheapest["product_id"]
    )
    cart: Expectation = (
        Updated(
            "shop_cart",
            in_cart[0]["id"],
            {"quantity": in_cart[0]["quantity"] + 1},
            "one more of the cheapest wishlist item is in the cart",
        )
        if in_cart
        else Inserted(
            "shop_cart",
            {"owner_id": owner, "product_id": cheapest["product_id"], "quantity": 1},
            "the cheapest wishlist item is in the cart",
            what="cart items",
        )
    )
    oracle = (
        Solution()
        .step(
            login("shop")
            + fetch_all("wished", "apis.shop.show_wishlist(access_token=shop_token")
            + "for w in wished:\n    print(w['product_id'], w['name'], w['price'])\n"
            + "print(apis.shop.show_cart(access_token=shop_token))\n"
        )
        .step(
            "cheapest = min(wished, key=lambda p: (p['price'], p['product_id']))\n"
            "apis.shop.add_to_cart(access_token=shop_token, product_id=cheapest['product_id'], quantity=1)\n"
            "apis.shop.remove_from_wishlist(access_token=shop_token, product_id=cheapest['product_id'])\n"
        )
        .step("print(apis.shop.show_cart(access_token=shop_token))\n" + DONE)
        .steps()
    )
    return TaskSpec(
        owner,
        "Move the cheapest item on my shop wishlist into my cart (one unit) and take it off the wishlist.",
        oracle,
        [
            cart,
            Deleted(
                "shop_wishlist", frozenset({cheapest["id"]}), "it is no longer on the wishlist", what="wishlist entries"
            ),
        ],
    )


@scenario("shop_delivered_spending", apps=("shop",), difficulty=2)
def delivered_spending(view: WorldView, rng: random.Random) -> TaskSpec:
    owners = view.rows(
        "SELECT owner_id FROM shop_orders WHERE status = 'delivered' GROUP BY owner_id HAVING COUNT(*) > 5 "
        "ORDER BY owner_id"
    )
    owner = pick(rng, owners, "owner with more than 5 delivered orders")["owner_id"]
    totals = [
        r["total"]
        for r in view.rows(
            "SELECT total FROM shop_orders WHERE owner_id = ? AND status = 'delivered' "
            "ORDER BY created_at DESC, id DESC",
            owner,
        )
    ]
    answer = round(sum(totals), 2)
    oracle = (
        Solution()
        .step(
            login("shop")
            + fetch_all("orders", "apis.shop.show_orders(access_token=shop_token, status='delivered'")
            + "print(len(orders), [o['total'] for o in orders])\n"
        )
        .step("apis.supervisor.complete_task(answer=round(sum(o['total'] for o in orders), 2))\n")
        .steps()
    )
    first_page = f"{round(sum(totals[:5]), 2):g}"
    return TaskSpec(
        owner,
        "How much have I spent in total, in dollars, on shop orders that were delivered?",
        oracle,
        [
            Answer(
                answer,
                f"the answer is the sum of delivered order totals (${answer})",
                traps={first_page: "that is the sum of the first page of orders only (page_limit default 5)"},
            )
        ],
    )


@scenario("shop_cancel_unshipped", apps=("shop",), difficulty=2)
def cancel_unshipped(view: WorldView, rng: random.Random) -> TaskSpec:
    owner = pick(
        rng,
        view.rows("SELECT DISTINCT owner_id FROM shop_orders WHERE status = 'processing' ORDER BY owner_id"),
        "processing order",
        distinct=True,
    )["owner_id"]
    orders = view.rows("SELECT id FROM shop_orders WHERE owner_id = ? AND status = 'processing' ORDER BY id", owner)
    deltas: dict[int, int] = {}
    for item in view.rows(
        "SELECT i.product_id, i.quantity FROM shop_order_items i JOIN shop_orders o ON o.id = i.order_id "
        "WHERE o.owner_id = ? AND o.status = 'processing'",
        owner,
    ):
        deltas[item["product_id"]] = deltas.get(item["product_id"], 0) + item["quantity"]
    oracle = (
        Solution()
        .step(
            login("shop")
            + fetch_all("orders", "apis.shop.show_orders(access_token=shop_token, status='processing'")
            + "for o in orders:\n    print(o['order_id'], o['created_at'], o['status'], o['items'])\n"
        )
        .step("for o in orders:\n    apis.shop.cancel_order(access_token=shop_token, order_id=o['order_id'])\n")
        .step(
            "for o in orders:\n"
            "    print(apis.shop.show_order(access_token=shop_token, order_id=o['order_id'])['status'])\n" + DONE
        )
        .steps()
    )
    return TaskSpec(
        owner,
        "Cancel all my shop orders that have not shipped yet.",
        oracle,
        [Updated("shop_orders", o["id"], {"status": "cancelled"}, f"order {o['id']} is cancelled") for o in orders]
        + stock_changes(view, deltas),
    )


@scenario("shop_buy_cheapest_rated", apps=("shop",), difficulty=3)
def buy_cheapest_rated(view: WorldView, rng: random.Random) -> TaskSpec:
    category = rng.choice(sorted(r["category"] for r in view.rows("SELECT DISTINCT category FROM shop_products")))
    product = view.row(
        "SELECT * FROM shop_products WHERE category = ? AND rating >= 4.0 AND stock >= 2 ORDER BY price, id LIMIT 1",
        category,
    )
    owner = rng.choice(view.people_ids())
    card = view.row("SELECT card_name, card_number FROM payment_cards WHERE person_id = ? ORDER BY id LIMIT 1", owner)
    cart_rows = frozenset(r["id"] for r in view.rows("SELECT id FROM shop_cart WHERE owner_id = ?", owner))
    home = view.value(
        "SELECT street_address || ', ' || city || ', ' || state || ' ' || zip_code FROM addresses "
        "WHERE person_id = ? AND name = 'Home'",
        owner,
    )
    total = round(product["price"] * 2, 2)
    oracle = (
        Solution()
        .step(
            login("shop")
            + "print(apis.shop.show_cart(access_token=shop_token))\n"
            + fetch_all("found", f"apis.shop.search_products(category={category!r}, sort_by='price'")
            + "best = next(p for p in found if p['rating'] >= 4.0 and p['stock'] >= 2)\n"
            + "print(best)\n"
        )
        .step(
            "apis.shop.empty_cart(access_token=shop_token)\n"
            "apis.shop.add_to_cart(access_token=shop_token, product_id=best['product_id'], quantity=2)\n"
            f"card = next(c for c in apis.supervisor.show_payment_cards() if c['card_name'] == {card['card_name']!r})\n"
            "placed = apis.shop.place_order(access_token=shop_token, address_name='Home', "
            "card_number=card['card_number'])\n"
        )
        .step("print(apis.shop.show_order(access_token=shop_token, order_id=placed['order_id']))\n" + DONE)
        .steps()
    )
    return TaskSpec(
        owner,
        f"Empty my shop cart, then order 2 units of the cheapest {category} product rated 4.0 or more that has at "
        f"least 2 in stock. Ship to my Home address and pay with my {card['card_name']}.",
        oracle,
        [
            Deleted("shop_cart", cart_rows, "the cart's earlier items are removed", what="cart items"),
            Inserted(
                "shop_orders",
                {
                    "owner_id": owner,
                    "card_number": card["card_number"],
                    "total": total,
                    "status": "processing",
                    "address": home,
                    **PLAIN_ORDER,
                },
                f"one order of ${total} shipped to Home and paid with the {card['card_name']}, no extras",
                what="orders",
            ),
            Inserted(
                "shop_order_items",
                {
                    "order_id": NewRow("shop_orders", {"owner_id": owner}),
                    "product_id": product["id"],
                    "quantity": 2,
                    "unit_price": product["price"],
                },
                f"the order holds 2 x {product['name']} at ${product['price']}",
                what="order lines",
            ),
            *stock_changes(view, {product["id"]: -2}),
        ],
    )


@scenario("shop_review_delivered", apps=("shop",), difficulty=1)
def review_delivered(view: WorldView, rng: random.Random) -> TaskSpec:
    rows = view.rows(
        "SELECT DISTINCT o.owner_id, i.product_id, p.name FROM shop_orders o "
        "JOIN shop_order_items i ON i.order_id = o.id JOIN shop_products p ON p.id = i.product_id "
        "WHERE o.status = 'delivered' "
        "AND NOT EXISTS (SELECT 1 FROM shop_reviews r WHERE r.author_id = o.owner_id AND r.product_id = i.product_id) "
        "AND (SELECT COUNT(*) FROM shop_products q WHERE q.name = p.name) = 1 "
        "ORDER BY o.owner_id, i.product_id"
    )
    c = pick(rng, rows, "delivered product without a review")
    stars, text = rng.choice(
        [(5, "Exactly what I needed."), (4, "Good, but shipping was slow."), (2, "Not worth the price.")]
    )
    oracle = (
        Solution()
        .step(
            login("shop")
            + fetch_all("found", f"apis.shop.search_products(query={c['name']!r}")
            + f"product = next(p for p in found if p['name'] == {c['name']!r})\n"
            + "print(product)\n"
        )
        .step(
            f"apis.shop.write_review(access_token=shop_token, product_id=product['product_id'], rating={stars}, "
            f"text={text!r})\n"
        )
        .step("print(apis.shop.show_my_reviews(access_token=shop_token, page_limit=1))\n" + DONE)
        .steps()
    )
    return TaskSpec(
        c["owner_id"],
        f'Leave a {stars}-star review on the {c["name"]} I received, saying: "{text}"',
        oracle,
        [
            Inserted(
                "shop_reviews",
                {"author_id": c["owner_id"], "product_id": c["product_id"], "rating": stars, "text": Contains(text)},
                f"a {stars}-star review of {c['name']} is posted",
                what="reviews",
            )
        ],
    )


def _gift_card_spending(view: WorldView, owner: int, amount: float) -> list[tuple[int, float]]:
    """(gift card id, new balance) for each card place_order(use_gift_card_balance=True) draws `amount` from."""
    out: list[tuple[int, float]] = []
    taken = 0.0
    for card in view.rows(
        "SELECT id, balance FROM shop_gift_cards WHERE owner_id = ? AND balance > 0 AND expires_at >= ? "
        "ORDER BY expires_at, id",
        owner,
        NOW,
    ):
        part = round(min(card["balance"], amount - taken), 2)
        if part <= 0:
            break
        out.append((card["id"], round(card["balance"] - part, 2)))
        taken = round(taken + part, 2)
    return out


def _best_coupon(view: WorldView, owner: int, items: list[dict], subtotal: float) -> tuple[dict | None, float, float]:
    """The owner's available coupon that takes most off these cart items, its discount, and the runner-up's."""
    offers = []
    for coupon in view.rows(
        "SELECT * FROM shop_coupons WHERE owner_id = ? AND used_order_id IS NULL AND expires_at >= ? ORDER BY id",
        owner,
        NOW,
    ):
        if subtotal < coupon["min_total"]:
            continue
        eligible = sum(i["quantity"] * i["price"] for i in items if coupon["category"] in (None, i["category"]))
        offers.append((round(eligible * coupon["percent_off"] / 100, 2), coupon))
    offers.sort(key=lambda o: -o[0])
    best = offers[0] if offers and offers[0][0] > 0 else (0.0, None)
    return best[1], best[0], offers[1][0] if len(offers) > 1 else 0.0


@scenario("shop_order_cart_with_best_coupon", apps=("shop",))
def order_cart_with_best_coupon(view: WorldView, rng: random.Random) -> TaskSpec:
    candidates = []
    for (owner,) in ((r["owner_id"],) for r in view.rows("SELECT DISTINCT owner_id FROM shop_cart ORDER BY owner_id")):
        items = view.rows(
            "SELECT c.id AS cart_id, c.product_id, c.quantity, p.price, p.category, p.stock FROM shop_cart c "
            "JOIN shop_products p ON p.id = c.product_id WHERE c.owner_id = ? ORDER BY c.id",
            owner,
        )
        if any(i["stock"] < i["quantity"] for i in items):
            continue
        subtotal = round(sum(i["quantity"] * i["price"] for i in items), 2)
        coupon, discount, runner_up = _best_coupon(view, owner, items, subtotal)
        if coupon is not None and discount > runner_up:
            candidates.append((owner, items, subtotal, coupon, discount))
    owner, items, subtotal, coupon, discount = pick(rng, candidates, "cart with one best coupon", distinct=True)
    card = rng.choice(view.rows("SELECT card_name, card_number FROM payment_cards WHERE person_id = ?", owner))
    total = round(subtotal - discount, 2)
    spent = _gift_card_spending(view, owner, total)
    gift = round(sum(view.value("SELECT balance FROM shop_gift_cards WHERE id = ?", g) - left for g, left in spent), 2)
    home = view.value(
        "SELECT street_address || ', ' || city || ', ' || state || ' ' || zip_code FROM addresses "
        "WHERE person_id = ? AND name = 'Home'",
        owner,
    )
    new_order = NewRow("shop_orders", {"owner_id": owner})
    discover = (
        login("shop")
        + "cart = apis.shop.show_cart(access_token=shop_token)\n"
        + "categories = {i['product_id']: apis.shop.show_product(product_id=i['product_id'])['category'] "
        "for i in cart['items']}\n"
        + fetch_all("coupons", "apis.shop.show_coupons(access_token=shop_token, status='available'")
        + "print(cart['total'], categories, [(c['code'], c['percent_off'], c['min_total'], c['category']) "
        "for c in coupons])\n" + "print(apis.shop.show_gift_card_balance(access_token=shop_token))\n"
    )
    act = (
        "best, best_off = None, 0.0\n"
        "for c in coupons:\n"
        "    if cart['total'] < c['min_total']:\n"
        "        continue\n"
        "    eligible = sum(i['quantity'] * i['unit_price'] for i in cart['items'] "
        "if c['category'] is None or categories[i['product_id']] == c['category'])\n"
        "    off = round(eligible * c['percent_off'] / 100, 2)\n"
        "    if off > best_off:\n"
        "        best, best_off = c, off\n"
        f"card = next(c for c in apis.supervisor.show_payment_cards() if c['card_name'] == {card['card_name']!r})\n"
        "apis.shop.place_order(access_token=shop_token, address_name='Home', card_number=card['card_number'], "
        "coupon_code=best['code'] if best else None, use_gift_card_balance=True)\n" + DONE
    )
    return TaskSpec(
        owner,
        f"Order everything in my shop cart, shipped to my Home address and paid with my {card['card_name']}. "
        "Use the one coupon of mine that takes the most off this order (check each coupon's minimum and category), "
        "and let my gift card balance pay first.",
        Solution().step(discover).step(act).steps(),
        [
            Inserted(
                "shop_orders",
                {
                    "owner_id": owner,
                    "status": "processing",
                    "address": home,
                    "card_number": card["card_number"],
                    "total": total,
                    **PLAIN_ORDER,
                    "coupon_code": coupon["code"],
                    "discount": discount,
                    "gift_card_amount": gift,
                },
                f"one order of ${total} (coupon {coupon['code']}: -${discount}; ${gift} from gift cards)",
                what="orders",
            ),
            *[
                Inserted(
                    "shop_order_items",
                    {
                        "order_id": new_order,
                        "product_id": i["product_id"],
                        "quantity": i["quantity"],
                        "unit_price": i["price"],
                    },
                    f"the order holds {i['quantity']} x product {i['product_id']}",
                    what="order lines",
                )
                for i in items
            ],
            Deleted("shop_cart", frozenset(i["cart_id"] for i in items), "the cart is emptied", what="cart items"),
            *stock_changes(view, {i["product_id"]: -i["quantity"] for i in items}),
            Updated("shop_coupons", coupon["id"], {"used_order_id": new_order}, f"coupon {coupon['code']} is spent"),
            *[
                Updated("shop_gift_cards", g, {"balance": left}, f"gift card {g} is left with ${left}")
                for g, left in spent
            ],
        ],
    )
