"""Scenarios on the shop app: wishlist, spending questions, cancelling, buying, reviewing."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

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


def saved_for_later(owner: int, lines: list[dict[str, Any]], why: str = "") -> list[Expectation]:
    """The saved-for-later rows save_for_later makes of these cart lines (product and quantity), stamped now."""
    return [
        Inserted(
            "shop_saved",
            {"owner_id": owner, "product_id": line["product_id"], "quantity": line["quantity"], "saved_at": NOW},
            f"product {line['product_id']}{why} is saved for later ({line['quantity']} units)",
            what="saved items",
        )
        for line in lines
    ]


def cart_gets(view: WorldView, owner: int, product_id: int, quantity: int, requirement: str) -> Expectation:
    """The cart line of `product_id` after add_to_cart(quantity): a new line, or more of one already there."""
    line = view.rows("SELECT id, quantity FROM shop_cart WHERE owner_id = ? AND product_id = ?", owner, product_id)
    if line:
        return Updated("shop_cart", line[0]["id"], {"quantity": line[0]["quantity"] + quantity}, requirement)
    return Inserted(
        "shop_cart", {"owner_id": owner, "product_id": product_id, "quantity": quantity}, requirement, what="cart lines"
    )


GOOD_SELLER = 3.5


def seller_rating(view: WorldView, seller_id: int) -> float:
    """A seller's average rating as its page shows it (two decimals, 0 without ratings)."""
    return float(
        view.value("SELECT ROUND(COALESCE(AVG(rating), 0), 2) FROM shop_seller_ratings WHERE seller_id = ?", seller_id)
    )


@scenario("shop_wishlist_cheapest_to_cart", apps=("shop",), difficulty=2)
def wishlist_cheapest(view: WorldView, rng: random.Random) -> TaskSpec:
    owners = view.rows("SELECT owner_id FROM shop_wishlist GROUP BY owner_id HAVING COUNT(*) > 20 ORDER BY owner_id")
    owner = pick(rng, owners, "wishlist longer than a page", distinct=True)["owner_id"]
    items = view.rows(
        "SELECT w.id, w.product_id, p.name, p.price, p.category, p.stock, p.seller_id FROM shop_wishlist w "
        "JOIN shop_products p ON p.id = w.product_id WHERE w.owner_id = ? ORDER BY p.price, p.id",
        owner,
    )
    chosen: dict[str, dict] = {}
    for item in items:
        if item["stock"] > 0 and seller_rating(view, item["seller_id"]) >= GOOD_SELLER:
            chosen.setdefault(item["category"], item)
    moved = sorted(chosen.values(), key=lambda i: i["product_id"])
    categories = len({i["category"] for i in items})
    oracle = (
        Solution()
        .step(
            login("shop")
            + fetch_all("wished", "apis.shop.show_wishlist(access_token=shop_token")
            + "for w in wished:\n    print(w['product_id'], w['name'], w['category'], w['price'], w['stock'])\n"
            + "print(apis.shop.show_cart(access_token=shop_token))\n"
        )
        .step(
            "cheapest, sellers = {}, {}\n"
            "for w in sorted(wished, key=lambda w: (w['price'], w['product_id'])):\n"
            "    if w['stock'] == 0 or w['category'] in cheapest:\n"
            "        continue\n"
            "    if w['seller_id'] not in sellers:\n"
            "        sellers[w['seller_id']] = apis.shop.show_seller(seller_id=w['seller_id'])['rating']\n"
            f"    if sellers[w['seller_id']] >= {GOOD_SELLER}:\n"
            "        cheapest[w['category']] = w\n"
            "for category, w in cheapest.items():\n"
            "    print(category, w['name'], w['price'])\n"
            "    apis.shop.add_to_cart(access_token=shop_token, product_id=w['product_id'], quantity=1)\n"
            "    apis.shop.remove_from_wishlist(access_token=shop_token, product_id=w['product_id'])\n"
        )
        .step(
            "cart = apis.shop.show_cart(access_token=shop_token)\n"
            "print(sorted(i['product_id'] for i in cart['items']))\n"
            + fetch_all("left", "apis.shop.show_wishlist(access_token=shop_token")
            + "print(len(left), 'left on the wishlist')\n"
            "apis.supervisor.complete_task(answer=len(cheapest))\n"
        )
        .steps()
    )
    return TaskSpec(
        owner,
        "For each category on my shop wishlist, move its cheapest item that is in stock and sold by a seller rated "
        f"{GOOD_SELLER} or more (see the seller's page) into my cart (one unit) and take it off the wishlist; a "
        "category with no such item stays as it is. How many items did you move?",
        oracle,
        [
            *[
                cart_gets(view, owner, i["product_id"], 1, f"one {i['name']} ({i['category']}) is added to the cart")
                for i in moved
            ],
            Deleted(
                "shop_wishlist",
                frozenset(i["id"] for i in moved),
                f"exactly the {len(moved)} moved items leave the wishlist",
                what="wishlist entries",
            ),
            Answer(
                len(moved),
                f"the answer is the number of items moved ({len(moved)})",
                traps={str(categories): "that counts categories with nothing in stock from a good seller too"},
            ),
        ],
    )


@scenario("shop_delivered_spending", apps=("shop",), difficulty=2)
def delivered_spending(view: WorldView, rng: random.Random) -> TaskSpec:
    owner = pick(
        rng,
        view.rows(
            "SELECT owner_id FROM shop_orders WHERE status = 'delivered' AND created_at LIKE '2025-%' "
            "GROUP BY owner_id HAVING COUNT(*) > 12 ORDER BY owner_id"
        ),
        "owner with more than 12 delivered orders in 2025",
        distinct=True,
    )["owner_id"]
    lines = view.rows(
        "SELECT o.status, o.created_at, o.id AS order_id, i.quantity, i.unit_price, p.category FROM shop_orders o "
        "JOIN shop_order_items i ON i.order_id = o.id JOIN shop_products p ON p.id = i.product_id "
        "WHERE o.owner_id = ? ORDER BY o.created_at DESC, o.id DESC, i.id",
        owner,
    )

    def spent(rows: list[dict], category: str) -> float:
        return round(sum(r["quantity"] * r["unit_price"] for r in rows if r["category"] == category), 2)

    wanted = [r for r in lines if r["status"] == "delivered" and r["created_at"].startswith("2025-")]
    categories = sorted({r["category"] for r in wanted})
    category = rng.choice([c for c in categories if spent(wanted, c) > 0])
    answer = spent(wanted, category)
    first_five = list(dict.fromkeys(r["order_id"] for r in wanted))[:5]
    traps = {
        f"{spent([r for r in lines if r['status'] == 'delivered'], category):g}": "that counts every year",
        f"{spent([r for r in lines if r['created_at'].startswith('2025-')], category):g}": (
            "that counts cancelled and undelivered orders too"
        ),
        f"{spent([r for r in wanted if r['order_id'] in first_five], category):g}": (
            "that counts only the first page of orders (page_limit default 5)"
        ),
    }
    traps.pop(f"{answer:g}", None)
    oracle = (
        Solution()
        .step(
            login("shop")
            + fetch_all(
                "orders",
                "apis.shop.show_orders(access_token=shop_token, status='delivered', start_date='2025-01-01', "
                "end_date='2025-12-31'",
            )
            + "print(len(orders), 'delivered orders placed in 2025')\n"
        )
        .step(
            "categories = {}\n"
            "for o in orders:\n"
            "    for item in o['items']:\n"
            "        if item['product_id'] not in categories:\n"
            "            categories[item['product_id']] = "
            "apis.shop.show_product(product_id=item['product_id'])['category']\n"
            "print(categories)\n"
        )
        .step(
            "spent = round(sum(i['quantity'] * i['unit_price'] for o in orders for i in o['items'] "
            f"if categories[i['product_id']] == {category!r}), 2)\n"
            "print(spent)\n"
            "apis.supervisor.complete_task(answer=spent)\n"
        )
        .steps()
    )
    return TaskSpec(
        owner,
        f"How much did I spend, in dollars, on {category} products in my shop orders placed in 2025 that were "
        "delivered? Count each such item's quantity times the unit price I paid.",
        oracle,
        [
            Answer(
                answer, f"the answer is what the delivered 2025 orders' {category} items cost (${answer})", traps=traps
            )
        ],
    )


AWAY_UNTIL = "2026-08-01"
AWAY_SUBSCRIPTIONS_AT_LEAST = 2  # subscriptions shop_cancel_unshipped skips: each one delivery at a time


@scenario("shop_cancel_unshipped", apps=("shop",), difficulty=2)
def cancel_unshipped(view: WorldView, rng: random.Random) -> TaskSpec:
    """Going away: cancel what has not shipped, wishlist its products, skip subscription deliveries. Deep: 2+
    subscriptions would deliver while I am away, each skipped one delivery at a time until after I am back."""
    owner = pick(
        rng,
        view.rows(
            "SELECT o.owner_id FROM shop_orders o WHERE o.status = 'processing' GROUP BY o.owner_id HAVING (SELECT "
            "COUNT(*) FROM shop_subscriptions s WHERE s.owner_id = o.owner_id AND s.status = 'active' "
            "AND s.next_delivery < ?) >= ? ORDER BY o.owner_id",
            AWAY_UNTIL,
            AWAY_SUBSCRIPTIONS_AT_LEAST,
        ),
        f"processing order and {AWAY_SUBSCRIPTIONS_AT_LEAST}+ subscriptions delivering while away",
        distinct=True,
    )["owner_id"]
    orders = view.rows(
        "SELECT id, total FROM shop_orders WHERE owner_id = ? AND status = 'processing' ORDER BY id", owner
    )
    items = view.rows(
        "SELECT i.product_id, i.quantity, p.name, p.price FROM shop_order_items i "
        "JOIN shop_orders o ON o.id = i.order_id JOIN shop_products p ON p.id = i.product_id "
        "WHERE o.owner_id = ? AND o.status = 'processing' ORDER BY i.id",
        owner,
    )
    deltas: dict[int, int] = {}
    for item in items:
        deltas[item["product_id"]] = deltas.get(item["product_id"], 0) + item["quantity"]
    wished = {r["product_id"] for r in view.rows("SELECT product_id FROM shop_wishlist WHERE owner_id = ?", owner)}
    to_wish = {i["product_id"]: i for i in items if i["product_id"] not in wished}
    answer = round(sum(o["total"] for o in orders), 2)
    skipped = []
    for sub in view.rows(
        "SELECT id, next_delivery, every_weeks FROM shop_subscriptions WHERE owner_id = ? AND status = 'active' "
        "AND next_delivery < ? ORDER BY id",
        owner,
        AWAY_UNTIL,
    ):
        day = date.fromisoformat(sub["next_delivery"])
        while day.isoformat() < AWAY_UNTIL:
            day += timedelta(weeks=sub["every_weeks"])
        skipped.append((sub["id"], day.isoformat()))
    oracle = (
        Solution()
        .step(
            login("shop")
            + fetch_all("orders", "apis.shop.show_orders(access_token=shop_token, status='processing'")
            + "for o in orders:\n    print(o['order_id'], o['created_at'], o['total'], o['items'])\n"
            + fetch_all("wished", "apis.shop.show_wishlist(access_token=shop_token")
            + "wished_ids = {w['product_id'] for w in wished}\n"
            + fetch_all("subs", "apis.shop.show_subscriptions(access_token=shop_token, status='active'")
            + "for s in subs:\n    print(s['subscription_id'], s['name'], s['next_delivery'], s['every_weeks'])\n"
        )
        .step(
            "for o in orders:\n"
            "    apis.shop.cancel_order(access_token=shop_token, order_id=o['order_id'])\n"
            "    for item in o['items']:\n"
            "        if item['product_id'] not in wished_ids:\n"
            "            apis.shop.add_to_wishlist(access_token=shop_token, product_id=item['product_id'])\n"
            "            wished_ids.add(item['product_id'])\n"
            "for s in subs:\n"
            "    next_delivery = s['next_delivery']\n"
            f"    while next_delivery < {AWAY_UNTIL!r}:\n"
            "        next_delivery = apis.shop.skip_next_delivery(access_token=shop_token, "
            "subscription_id=s['subscription_id'])['next_delivery']\n"
            "    print(s['name'], 'next comes', next_delivery)\n"
        )
        .step(
            "for o in orders:\n"
            "    print(apis.shop.show_order(access_token=shop_token, order_id=o['order_id'])['status'])\n"
            + fetch_all("wished", "apis.shop.show_wishlist(access_token=shop_token")
            + "print(len(wished), 'on the wishlist')\n"
            + fetch_all("subs", "apis.shop.show_subscriptions(access_token=shop_token, status='active'")
            + "print([(s['name'], s['next_delivery']) for s in subs])\n"
            "apis.supervisor.complete_task(answer=round(sum(o['total'] for o in orders), 2))\n"
        )
        .steps()
    )
    return TaskSpec(
        owner,
        f"I am away until {AWAY_UNTIL}. Cancel all my shop orders that have not shipped yet and put each of their "
        "products on my wishlist (unless it is there already), so I can buy them later. Skip deliveries of my "
        f"active subscriptions so that none of them delivers before {AWAY_UNTIL}. What did the cancelled orders "
        "come to in total, in dollars?",
        oracle,
        [Updated("shop_orders", o["id"], {"status": "cancelled"}, f"order {o['id']} is cancelled") for o in orders]
        + stock_changes(view, deltas)
        + [
            Inserted(
                "shop_wishlist",
                {"owner_id": owner, "product_id": pid, "price_when_added": i["price"]},
                f"{i['name']} is put on the wishlist",
                what="wishlist entries",
            )
            for pid, i in sorted(to_wish.items())
        ]
        + [
            Updated("shop_subscriptions", sid, {"next_delivery": day}, f"subscription {sid} next delivers on {day}")
            for sid, day in skipped
        ]
        + [Answer(answer, f"the answer is the cancelled orders' total (${answer})")],
    )


def cheapest_rated(view: WorldView, category: str) -> dict | None:
    """The cheapest product of a category rated 4.0+ with 2+ in stock, from a seller rated GOOD_SELLER+, with no
    1-star review (None when the category has none)."""
    candidates = view.rows(
        "SELECT p.*, (SELECT COUNT(*) FROM shop_reviews r WHERE r.product_id = p.id AND r.rating = 1) AS ones "
        "FROM shop_products p WHERE category = ? AND rating >= 4.0 AND stock >= 2 ORDER BY price, id",
        category,
    )
    return next((p for p in candidates if p["ones"] == 0 and seller_rating(view, p["seller_id"]) >= GOOD_SELLER), None)


@scenario("shop_buy_cheapest_rated", apps=("shop",), difficulty=3)
def buy_cheapest_rated(view: WorldView, rng: random.Random) -> TaskSpec:
    every = sorted(r["category"] for r in view.rows("SELECT DISTINCT category FROM shop_products"))
    best = {c: p for c in every if (p := cheapest_rated(view, c)) is not None}
    if len(best) < 2:
        raise LookupError("the world has fewer than 2 categories with a well-rated product from a good seller")
    categories = sorted(rng.sample(sorted(best), 2))
    products = [best[c] for c in categories]
    owners = view.rows(
        "SELECT c.owner_id FROM shop_cart c GROUP BY c.owner_id HAVING SUM(EXISTS (SELECT 1 FROM shop_saved s "
        "WHERE s.owner_id = c.owner_id AND s.product_id = c.product_id)) = 0 "
        "AND SUM(c.product_id IN (?, ?)) = 0 ORDER BY c.owner_id",
        products[0]["id"],
        products[1]["id"],
    )
    owner = pick(rng, owners, "cart whose items are not saved for later yet", distinct=True)["owner_id"]
    card = view.row("SELECT card_name, card_number FROM payment_cards WHERE person_id = ? ORDER BY id LIMIT 1", owner)
    cart = view.rows("SELECT id, product_id, quantity FROM shop_cart WHERE owner_id = ? ORDER BY id", owner)
    home = view.value(
        "SELECT street_address || ', ' || city || ', ' || state || ' ' || zip_code FROM addresses "
        "WHERE person_id = ? AND name = 'Home'",
        owner,
    )
    total = round(sum(p["price"] * 2 for p in products), 2)
    oracle = (
        Solution()
        .step(
            login("shop")
            + "cart = apis.shop.show_cart(access_token=shop_token)\n"
            + "print(cart)\n"
            + f"found = {{}}\nfor category in {categories!r}:\n"
            + fetch_all(
                "found[category]",
                "apis.shop.search_products(category=category, min_rating=4.0, sort_by='price'",
                "    ",
            )
            + "    print(category, len(found[category]), 'candidates')\n"
        )
        .step(
            "picks, sellers = [], {}\n"
            "for category, listed in found.items():\n"
            "    for p in sorted(listed, key=lambda p: (p['price'], p['product_id'])):\n"
            "        if p['rating'] < 4.0 or p['stock'] < 2:\n"
            "            continue\n"
            "        if p['seller_id'] not in sellers:\n"
            "            sellers[p['seller_id']] = apis.shop.show_seller(seller_id=p['seller_id'])['rating']\n"
            f"        if sellers[p['seller_id']] < {GOOD_SELLER}:\n"
            "            continue\n"
            "        ones = apis.shop.show_product_reviews(product_id=p['product_id'], max_rating=1)\n"
            "        print(p['name'], p['price'], len(ones), 'one-star reviews')\n"
            "        if not ones:\n"
            "            picks.append(p)\n"
            "            break\n"
            "print(picks)\n"
        )
        .step(
            "for item in cart['items']:\n"
            "    apis.shop.save_for_later(access_token=shop_token, product_id=item['product_id'])\n"
            "for p in picks:\n"
            "    apis.shop.add_to_cart(access_token=shop_token, product_id=p['product_id'], quantity=2)\n"
            f"card = next(c for c in apis.supervisor.show_payment_cards() if c['card_name'] == {card['card_name']!r})\n"
            "placed = apis.shop.place_order(access_token=shop_token, address_name='Home', "
            "card_number=card['card_number'])\n"
        )
        .step(
            "print(apis.shop.show_order(access_token=shop_token, order_id=placed['order_id']))\n"
            + fetch_all("saved", "apis.shop.show_saved_for_later(access_token=shop_token")
            + "print(len(saved), 'saved for later')\n"
            + DONE
        )
        .steps()
    )
    return TaskSpec(
        owner,
        "Move everything in my shop cart to my saved-for-later list, then order, in one order, 2 units each of the "
        f"cheapest {categories[0]} product and the cheapest {categories[1]} product rated 4.0 or more that have at "
        f"least 2 in stock, are sold by a seller rated {GOOD_SELLER} or more and have not a single 1-star review. "
        f"Ship to my Home address and pay with my {card['card_name']}.",
        oracle,
        [
            Deleted(
                "shop_cart", frozenset(r["id"] for r in cart), "the cart's earlier items leave it", what="cart items"
            ),
            *saved_for_later(owner, cart),
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
            *[
                Inserted(
                    "shop_order_items",
                    {
                        "order_id": NewRow("shop_orders", {"owner_id": owner}),
                        "product_id": p["id"],
                        "quantity": 2,
                        "unit_price": p["price"],
                    },
                    f"the order holds 2 x {p['name']} at ${p['price']} ({category})",
                    what="order lines",
                )
                for p, category in zip(products, categories, strict=True)
            ],
            *stock_changes(view, {p["id"]: -2 for p in products}),
        ],
    )


REVIEW_SINCE = "2025-10-01"
REVIEW_KEPT = (5, "Exactly what I needed.")
REVIEW_RETURNED = (2, "Not worth the price.")


@scenario("shop_review_delivered", apps=("shop",), difficulty=1)
def review_delivered(view: WorldView, rng: random.Random) -> TaskSpec:
    candidates = []
    for (owner,) in ((r["owner_id"],) for r in view.rows("SELECT DISTINCT owner_id FROM shop_orders ORDER BY 1")):
        received = view.rows(
            "SELECT DISTINCT i.product_id, p.name FROM shop_orders o JOIN shop_order_items i ON i.order_id = o.id "
            "JOIN shop_products p ON p.id = i.product_id WHERE o.owner_id = ? AND o.status = 'delivered' "
            "AND o.created_at >= ? ORDER BY i.product_id",
            owner,
            REVIEW_SINCE,
        )
        reviewed = {
            r["product_id"] for r in view.rows("SELECT product_id FROM shop_reviews WHERE author_id = ?", owner)
        }
        returned = {
            r["product_id"]
            for r in view.rows(
                "SELECT r.product_id FROM shop_returns r JOIN shop_orders o ON o.id = r.order_id WHERE o.owner_id = ?",
                owner,
            )
        }
        todo = [r for r in received if r["product_id"] not in reviewed]
        if any(r["product_id"] in returned for r in todo) and len(todo) < len(received) and len(todo) >= 12:
            candidates.append((owner, todo, returned))
    owner, todo, returned = pick(rng, candidates, "delivered products to review, some returned", distinct=True)
    oracle = (
        Solution()
        .step(
            login("shop")
            + fetch_all(
                "orders",
                f"apis.shop.show_orders(access_token=shop_token, status='delivered', start_date={REVIEW_SINCE!r}",
            )
            + fetch_all("mine", "apis.shop.show_my_reviews(access_token=shop_token")
            + fetch_all("returns", "apis.shop.show_returns(access_token=shop_token")
            + "reviewed = {r['product_id'] for r in mine}\n"
            "returned = {r['product_id'] for r in returns}\n"
            "print(len(orders), len(reviewed), returned)\n"
        )
        .step(
            "done = set()\n"
            "for o in orders:\n"
            "    for item in o['items']:\n"
            "        pid = item['product_id']\n"
            "        if pid in reviewed or pid in done:\n"
            "            continue\n"
            f"        stars, text = {REVIEW_RETURNED!r} if pid in returned else {REVIEW_KEPT!r}\n"
            "        apis.shop.write_review(access_token=shop_token, product_id=pid, rating=stars, text=text)\n"
            "        done.add(pid)\n"
            "        print(item['name'], stars)\n"
        )
        .step(
            fetch_all("mine", "apis.shop.show_my_reviews(access_token=shop_token")
            + "print([(r['product_name'], r['rating']) for r in mine if r['product_id'] in done])\n"
            + DONE
        )
        .steps()
    )
    return TaskSpec(
        owner,
        f"Review every product from my delivered shop orders placed since {REVIEW_SINCE} that I have not reviewed "
        f'yet: {REVIEW_RETURNED[0]} stars saying "{REVIEW_RETURNED[1]}" for a product I asked to return (whatever '
        f'came of the request), {REVIEW_KEPT[0]} stars saying "{REVIEW_KEPT[1]}" for the others.',
        oracle,
        [
            Inserted(
                "shop_reviews",
                {
                    "author_id": owner,
                    "product_id": r["product_id"],
                    "rating": stars,
                    "text": Contains(text),
                },
                f"{r['name']} gets {stars} stars ({'returned' if r['product_id'] in returned else 'kept'})",
                what="reviews",
            )
            for r in todo
            for stars, text in [REVIEW_RETURNED if r["product_id"] in returned else REVIEW_KEPT]
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
        cart = view.rows(
            "SELECT c.id AS cart_id, c.product_id, c.quantity, p.price, p.category, p.stock, p.seller_id, "
            "EXISTS (SELECT 1 FROM shop_saved s WHERE s.owner_id = c.owner_id AND s.product_id = c.product_id) "
            "AS saved FROM shop_cart c JOIN shop_products p ON p.id = c.product_id WHERE c.owner_id = ? ORDER BY c.id",
            owner,
        )
        items = [i for i in cart if seller_rating(view, i["seller_id"]) >= GOOD_SELLER]
        later = [i for i in cart if i not in items]
        if not items or any(i["stock"] < i["quantity"] for i in items) or any(i["saved"] for i in later):
            continue
        subtotal = round(sum(i["quantity"] * i["price"] for i in items), 2)
        coupon, discount, runner_up = _best_coupon(view, owner, items, subtotal)
        if coupon is not None and discount > runner_up and len(cart) >= 3:
            candidates.append((owner, items, later, subtotal, coupon, discount))
    owner, items, later, subtotal, coupon, discount = pick(
        rng, candidates, "cart of 3+ items with one best coupon", distinct=True
    )
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
    charge = round(total - gift, 2)
    unwished = [
        r["id"]
        for r in view.rows("SELECT id, product_id FROM shop_wishlist WHERE owner_id = ?", owner)
        if r["product_id"] in {i["product_id"] for i in items}
    ]
    discover = (
        login("shop")
        + "cart = apis.shop.show_cart(access_token=shop_token)\n"
        + "products = {i['product_id']: apis.shop.show_product(product_id=i['product_id']) for i in cart['items']}\n"
        "categories = {pid: p['category'] for pid, p in products.items()}\n"
        "sellers = {}\n"
        "for p in products.values():\n"
        "    if p['seller_id'] not in sellers:\n"
        "        sellers[p['seller_id']] = apis.shop.show_seller(seller_id=p['seller_id'])['rating']\n"
        + fetch_all("coupons", "apis.shop.show_coupons(access_token=shop_token, status='available'")
        + "print(cart['total'], categories, [(c['code'], c['percent_off'], c['min_total'], c['category']) "
        "for c in coupons])\n" + "print(apis.shop.show_gift_card_balance(access_token=shop_token))\n"
    )
    act = (
        "kept = []\n"
        "for i in cart['items']:\n"
        f"    if sellers[products[i['product_id']]['seller_id']] < {GOOD_SELLER}:\n"
        "        apis.shop.save_for_later(access_token=shop_token, product_id=i['product_id'])\n"
        "    else:\n"
        "        kept.append(i)\n"
        "subtotal = round(sum(i['quantity'] * i['unit_price'] for i in kept), 2)\n"
        "best, best_off = None, 0.0\n"
        "for c in coupons:\n"
        "    if subtotal < c['min_total']:\n"
        "        continue\n"
        "    eligible = sum(i['quantity'] * i['unit_price'] for i in kept "
        "if c['category'] is None or categories[i['product_id']] == c['category'])\n"
        "    off = round(eligible * c['percent_off'] / 100, 2)\n"
        "    if off > best_off:\n"
        "        best, best_off = c, off\n"
        f"card = next(c for c in apis.supervisor.show_payment_cards() if c['card_name'] == {card['card_name']!r})\n"
        "placed = apis.shop.place_order(access_token=shop_token, address_name='Home', "
        "card_number=card['card_number'], coupon_code=best['code'] if best else None, use_gift_card_balance=True)\n"
        "print(placed)\n"
    )
    tidy = (
        fetch_all("wished", "apis.shop.show_wishlist(access_token=shop_token")
        + "ordered = {i['product_id'] for i in kept}\n"
        "for w in wished:\n"
        "    if w['product_id'] in ordered:\n"
        "        apis.shop.remove_from_wishlist(access_token=shop_token, product_id=w['product_id'])\n"
        "print(apis.shop.show_order(access_token=shop_token, order_id=placed['order_id']))\n"
        "apis.supervisor.complete_task(answer=placed['card_charge'])\n"
    )
    return TaskSpec(
        owner,
        f"Order everything in my shop cart, shipped to my Home address and paid with my {card['card_name']}, except "
        f"what is sold by a seller rated under {GOOD_SELLER}: save that for later instead. Use the one coupon of "
        "mine that takes the most off this order (check each coupon's minimum and category), and let my gift card "
        "balance pay first. Then take the products I ordered off my wishlist, where they are on it. How much was "
        "charged to my card?",
        Solution().step(discover).step(act).step(tidy).steps(),
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
            Deleted(
                "shop_cart", frozenset(i["cart_id"] for i in items + later), "the cart is emptied", what="cart items"
            ),
            *saved_for_later(owner, later, f" (seller rated under {GOOD_SELLER})"),
            *stock_changes(view, {i["product_id"]: -i["quantity"] for i in items}),
            Updated("shop_coupons", coupon["id"], {"used_order_id": new_order}, f"coupon {coupon['code']} is spent"),
            *[
                Updated("shop_gift_cards", g, {"balance": left}, f"gift card {g} is left with ${left}")
                for g, left in spent
            ],
            Deleted(
                "shop_wishlist",
                frozenset(unwished),
                f"the {len(unwished)} ordered products on the wishlist leave it (and nothing else)",
                what="wishlist entries",
            ),
            Answer(
                charge,
                f"the answer is the card charge, the total less the gift cards (${charge})",
                traps={f"{total:g}": "that is the order total before the gift cards paid their part"},
            ),
        ],
    )
