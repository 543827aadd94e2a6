"""Shopping with an eye on the price: buy what got cheaper, reorder in the cheapest variants."""

from __future__ import annotations

import random

from envs.toolworld.evaluate import Answer, Deleted, Expectation, Inserted, NewRow, Updated
from envs.toolworld.scenarios._common import Solution, fetch_all, login, pick
from envs.toolworld.scenarios._money import money
from envs.toolworld.scenarios.shop import PLAIN_ORDER, stock_changes
from envs.toolworld.tasks import TaskSpec, WorldView, scenario


def home_address(view: WorldView, owner: int) -> str:
    return str(
        view.value(
            "SELECT street_address || ', ' || city || ', ' || state || ' ' || zip_code FROM addresses "
            "WHERE person_id = ? AND name = 'Home'",
            owner,
        )
    )


DROPPED = "p.price <= w.price_when_added * (100 - ?1) / 100.0 AND p.stock >= 1"
LOWEST = "(SELECT MIN(h.price) FROM shop_price_history h WHERE h.product_id = p.id)"
MIN_SELLER_RATING = 3.5  # money_shop_price_drops_to_cart buys only from sellers rated this or more
RATED = (  # a product's seller's rating as its page shows it
    "(SELECT ROUND(COALESCE(AVG(r.rating), 0), 2) FROM shop_seller_ratings r WHERE r.seller_id = p.seller_id)"
)


@scenario("money_shop_price_drops_to_cart", apps=("shop",))
def price_drops_to_cart(view: WorldView, rng: random.Random) -> TaskSpec:
    """Conditional: wishlist items that dropped by a share of their price, are at the lowest price of their price
    history, are in stock and sold by a well-rated seller move to the cart; items that dropped as much but were
    cheaper before stay (the history is only in show_price_history, one call per candidate), and so do items at
    their lowest from a seller rated under MIN_SELLER_RATING (only on the seller's page, one show_seller each; every
    wishlist picked has one); when none qualifies (variant 0), nothing changes."""
    percent = rng.choice([5, 8])
    act_variant = getattr(rng, "variant", 1) % 3 != 0
    owners = view.rows(
        f"SELECT w.owner_id, SUM({DROPPED} AND p.price <= {LOWEST} AND {RATED} >= ?2) AS hits, "
        f"SUM({DROPPED} AND p.price <= {LOWEST} AND {RATED} < ?2) AS poorly_sold, "
        f"SUM({DROPPED} AND p.price > {LOWEST}) AS near FROM shop_wishlist w JOIN shop_products p "
        "ON p.id = w.product_id GROUP BY w.owner_id HAVING COUNT(*) >= 6 ORDER BY w.owner_id",
        percent,
        MIN_SELLER_RATING,
    )
    pool = [
        r
        for r in owners
        if r["near"] >= 1 and r["poorly_sold"] >= 1 and (2 <= r["hits"] <= 6 if act_variant else r["hits"] == 0)
    ]
    owner = pick(rng, pool, "wishlist with (no) big price drops at an all-time low", distinct=True)["owner_id"]
    rows = view.rows(
        "SELECT w.id, w.product_id, p.name FROM shop_wishlist w JOIN shop_products p ON p.id = w.product_id "
        f"WHERE w.owner_id = ?2 AND {DROPPED} AND p.price <= {LOWEST} AND {RATED} >= ?3 ORDER BY w.id",
        percent,
        owner,
        MIN_SELLER_RATING,
    )
    expectations: list[Expectation] = []
    for r in rows:
        in_cart = view.rows(
            "SELECT id, quantity FROM shop_cart WHERE owner_id = ? AND product_id = ?", owner, r["product_id"]
        )
        expectations.append(
            Updated(
                "shop_cart",
                in_cart[0]["id"],
                {"quantity": in_cart[0]["quantity"] + 1},
                f"one more {r['name']} is in the cart",
            )
            if in_cart
            else Inserted(
                "shop_cart",
                {"owner_id": owner, "product_id": r["product_id"], "quantity": 1},
                f"{r['name']} is in the cart (1 unit)",
                what="cart items",
            )
        )
    if rows:
        expectations.append(
            Deleted(
                "shop_wishlist",
                frozenset(r["id"] for r in rows),
                f"the {len(rows)} cheaper items are off the wishlist",
                what="wishlist entries",
            )
        )
    look = (
        login("shop")
        + fetch_all("wished", "apis.shop.show_wishlist(access_token=shop_token")
        + "for w in wished:\n    print(w['product_id'], w['name'], w['price'], w['price_when_added'], w['stock'])\n"
        + fetch_all("drops", "apis.shop.show_price_drops(access_token=shop_token")
        + "print(drops)\n"
    )
    act = (
        f"cheaper = [w for w in wished if w['price'] <= w['price_when_added'] * {100 - percent} / 100 "
        "and w['stock'] >= 1]\n"
        "for w in cheaper:\n"
        + fetch_all("history", "apis.shop.show_price_history(product_id=w['product_id']", "    ")
        + "    lowest = min(h['price'] for h in history)\n"
        "    print(w['name'], w['price'], 'lowest ever', lowest)\n"
        "    if w['price'] <= lowest:\n"
        "        seller = apis.shop.show_seller(seller_id=w['seller_id'])\n"
        "        print(seller['name'], seller['rating'])\n"
        f"        if seller['rating'] >= {MIN_SELLER_RATING}:\n"
        "            apis.shop.add_to_cart(access_token=shop_token, product_id=w['product_id'], quantity=1)\n"
        "            apis.shop.remove_from_wishlist(access_token=shop_token, product_id=w['product_id'])\n"
    )
    check = (
        "print(apis.shop.show_cart(access_token=shop_token))\n"
        + fetch_all("left", "apis.shop.show_wishlist(access_token=shop_token")
        + "print(len(left), 'left on the wishlist')\n"
        + "apis.supervisor.complete_task(answer=[w['name'] for w in left])\n"
    )
    moved = {r["id"] for r in rows}
    kept = [
        r["name"]
        for r in view.rows(
            "SELECT w.id, p.name FROM shop_wishlist w JOIN shop_products p ON p.id = w.product_id WHERE w.owner_id = ?",
            owner,
        )
        if r["id"] not in moved
    ]
    return TaskSpec(
        owner,
        f"Look through my shop wishlist. Every item whose price is now at least {percent}% below what it cost when I "
        "added it, that is at the lowest price it has ever had (see its price history), that is in stock and whose "
        f"seller is rated {MIN_SELLER_RATING:g} stars or more (see the seller's page) goes into my cart (one unit) "
        "and off the wishlist. If no item qualifies, leave my wishlist and cart as they are. "
        "Either way, tell me the names of the items left on my wishlist.",
        Solution().step(look).step(act).step(check).steps(),
        [*expectations, Answer(kept, "the answer names the items left on my wishlist")],
        noop_pass=not rows,
    )


REORDER_SINCE = "2026-03-15"
REORDERED = "Good enough to order again."


@scenario("money_shop_reorder_cheapest_variants", apps=("shop",))
def reorder_cheapest_variants(view: WorldView, rng: random.Random) -> TaskSpec:
    """Reorder the delivered orders placed since a day, each item in its cheapest variant with enough stock; the
    answer is the saving on the original orders' prices."""
    candidates = []
    for (owner,) in (
        (r["owner_id"],)
        for r in view.rows(
            "SELECT owner_id FROM shop_orders WHERE status = 'delivered' AND created_at >= ? GROUP BY owner_id "
            "HAVING COUNT(*) >= 2 ORDER BY owner_id",
            REORDER_SINCE,
        )
    ):
        items = view.rows(
            "SELECT i.product_id, i.quantity, i.unit_price, p.group_id FROM shop_order_items i JOIN shop_products p "
            "ON p.id = i.product_id JOIN shop_orders o ON o.id = i.order_id WHERE o.owner_id = ? "
            "AND o.status = 'delivered' AND o.created_at >= ? ORDER BY o.created_at DESC, o.id DESC, i.id",
            owner,
            REORDER_SINCE,
        )
        if len({i["group_id"] for i in items}) < len(items):
            continue
        chosen = []
        for i in items:
            options = view.rows(
                "SELECT id, name, price FROM shop_products WHERE group_id = ? AND stock >= ? ORDER BY price, id",
                i["group_id"],
                i["quantity"],
            )
            if not options or (len(options) > 1 and options[0]["price"] == options[1]["price"]):
                break
            chosen.append({**options[0], "quantity": i["quantity"], "was": i["unit_price"]})
        switched = sum(c["id"] != i["product_id"] for c, i in zip(chosen, items, strict=False))
        if len(chosen) == len(items) and switched >= 1 and len({c["id"] for c in chosen}) == len(chosen):
            candidates.append((owner, chosen, [i["product_id"] for i in items]))
    owner, chosen, earlier = pick(rng, candidates, "recent orders with cheaper variants", distinct=True)
    reviewed = {r["product_id"] for r in view.rows("SELECT product_id FROM shop_reviews WHERE author_id = ?", owner)}
    card = rng.choice(view.rows("SELECT card_name, card_number FROM payment_cards WHERE person_id = ?", owner))
    cart = frozenset(r["id"] for r in view.rows("SELECT id FROM shop_cart WHERE owner_id = ?", owner))
    total = round(sum(c["price"] * c["quantity"] for c in chosen), 2)
    saving = round(sum((c["was"] - c["price"]) * c["quantity"] for c in chosen), 2)
    expectations: list[Expectation] = [
        Inserted(
            "shop_orders",
            {
                "owner_id": owner,
                "status": "processing",
                "address": home_address(view, owner),
                "card_number": card["card_number"],
                "total": total,
                **PLAIN_ORDER,
            },
            f"one order of {money(total)} to Home, paid with the {card['card_name']}",
            what="orders",
        ),
        *[
            Inserted(
                "shop_order_items",
                {
                    "order_id": NewRow("shop_orders", {"owner_id": owner}),
                    "product_id": c["id"],
                    "quantity": c["quantity"],
                    "unit_price": c["price"],
                },
                f"the order holds {c['quantity']} x {c['name']} at {money(c['price'])}",
                what="order lines",
            )
            for c in chosen
        ],
        *stock_changes(view, {c["id"]: -c["quantity"] for c in chosen}),
        Answer(saving, f"the answer is the saving against the earlier prices ({money(saving)})"),
        *(
            Inserted(
                "shop_reviews",
                {"product_id": product, "author_id": owner, "rating": 4, "text": REORDERED},
                f"{view.value('SELECT name FROM shop_products WHERE id = ?', product)}, ordered before and not "
                "reviewed yet, gets my 4-star review",
                what=f"reviews of product {product}",
            )
            for product in dict.fromkeys(earlier)
            if product not in reviewed
        ),
    ]
    if cart:
        expectations.append(Deleted("shop_cart", cart, "the cart's earlier items are removed", what="cart items"))
    look = (
        login("shop")
        + fetch_all(
            "delivered",
            f"apis.shop.show_orders(access_token=shop_token, status='delivered', start_date={REORDER_SINCE!r}",
        )
        + "for o in delivered:\n    print(o['order_id'], o['created_at'], o['items'])\n"
    )
    choose = (
        "picks = []\n"
        "for item in [i for o in delivered for i in o['items']]:\n"
        "    variants = apis.shop.show_product_variants(product_id=item['product_id'])\n"
        "    usable = [v for v in variants if v['stock'] >= item['quantity']]\n"
        "    best = min(usable, key=lambda v: (v['price'], v['product_id']))\n"
        "    print(item['name'], item['unit_price'], '->', best['name'], best['price'])\n"
        "    picks.append((best, item))\n"
    )
    act = (
        "apis.shop.empty_cart(access_token=shop_token)\n"
        "for best, item in picks:\n"
        "    apis.shop.add_to_cart(access_token=shop_token, product_id=best['product_id'], quantity=item['quantity'])\n"
        f"card = next(c for c in apis.supervisor.show_payment_cards() if c['card_name'] == {card['card_name']!r})\n"
        "placed = apis.shop.place_order(access_token=shop_token, address_name='Home', "
        "card_number=card['card_number'])\n"
    )
    review = (
        fetch_all("mine", "apis.shop.show_my_reviews(access_token=shop_token")
        + "reviewed = {r['product_id'] for r in mine}\n"
        "for item in [i for o in delivered for i in o['items']]:\n"
        "    if item['product_id'] not in reviewed:\n"
        "        apis.shop.write_review(access_token=shop_token, product_id=item['product_id'], rating=4, "
        f"text={REORDERED!r})\n"
        "        reviewed.add(item['product_id'])\n"
    )
    check = (
        "print(apis.shop.show_order(access_token=shop_token, order_id=placed['order_id']))\n"
        "saving = round(sum((item['unit_price'] - best['price']) * item['quantity'] for best, item in picks), 2)\n"
        "apis.supervisor.complete_task(answer=saving)\n"
    )
    return TaskSpec(
        owner,
        f"Order again, as one new order, everything from my delivered shop orders placed since {REORDER_SINCE}, same "
        "quantities, but for each item take the cheapest variant of that product (colour, size...) that has enough "
        "stock for the quantity. Empty my cart first so nothing else comes along; ship to my Home address and pay "
        f"with my {card['card_name']}. Give each product of those earlier orders that I have not reviewed yet a "
        f"4-star review saying '{REORDERED}'. Then tell me how much I save compared with the prices I paid in those "
        "earlier orders.",
        Solution().step(look).step(choose).step(act).step(review).step(check).steps(),
        expectations,
    )
