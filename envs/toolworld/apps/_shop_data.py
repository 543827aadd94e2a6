"""The shop's world data: a catalog of ~1,000 products from 40 sellers (variants, successor models, the same
product from two sellers, price histories), and per person two years of orders with tracking, reviews,
returns, browsing history, a wishlist, coupons, gift cards, subscriptions and Q&A.

Distractors on purpose: near-duplicate names ("Pro Yoga Mat" and "Pro Yoga Mat 2", colour variants),
orders in every state, used and expired coupons, spent and expired gift cards, paused subscriptions.

Density: about one delivered order in seven has a return (15%, what online shops see), so a shopper of two
years has up to 13 returns (mean ~5.7, ~2 still open); and a household keeps 1-9 subscriptions. Both come partly
from a generator of their own (`shop:more`), so adding them changed no other row of the shop (only the ids of
returns, which are sorted by day)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from envs.toolworld.apps._shop_base import SHIPPING_FEES, app
from envs.toolworld.world.build import WorldBuilder

CATALOG = {
    "kitchen": "Cast Iron Skillet, Chef Knife, Coffee Grinder, Tea Kettle, Mixing Bowls, Salad Spinner, Toaster, "
    "French Press, Cutting Board, Dutch Oven, Spice Rack, Blender",
    "electronics": "Wireless Earbuds, USB-C Charger, Bluetooth Speaker, Phone Stand, Power Bank, HDMI Cable, Webcam, "
    "Smart Plug, Keyboard, Wireless Mouse, Monitor Arm, Headphones",
    "books": "Mystery Novel, Cookbook, Travel Guide, Poetry Collection, History of Maps, Gardening Handbook, "
    "Science Fiction Saga, Biography, Graphic Novel, Language Workbook",
    "sports": "Yoga Mat, Water Bottle, Running Socks, Jump Rope, Resistance Bands, Cycling Gloves, Tennis Balls, "
    "Dumbbell Set, Foam Roller, Hiking Backpack",
    "home": "Desk Lamp, Throw Blanket, Scented Candle, Picture Frame, Storage Basket, Wall Clock, Bath Towels, "
    "Pillow Set, Door Mat, Curtains",
    "toys": "Puzzle 1000 Pieces, Building Blocks, Board Game, Kite, Plush Bear, Model Train, Art Set, Card Game",
    "beauty": "Face Cream, Shampoo, Hair Dryer, Lip Balm, Sunscreen, Perfume, Nail Kit, Bath Salts",
    "office": "Notebook, Gel Pens, Desk Organizer, Stapler, Planner, Sticky Notes, Paper Shredder, Whiteboard",
    "garden": "Garden Hose, Pruning Shears, Seed Kit, Planter Pot, Watering Can, Bird Feeder, Garden Gloves",
    "pets": "Dog Leash, Cat Tree, Pet Bed, Chew Toy, Cat Litter, Dog Food, Aquarium Filter",
}
ADJECTIVES = ("Classic", "Deluxe", "Compact", "Eco", "Pro", "Mini", "Ultra", "Essential")
VARIANTS = (("Black", "White", "Blue", "Red", "Green"), ("Small", "Medium", "Large"))
SELLER_WORDS = (
    "Northwind Maple Urban Pebble Bright Harbor Summit Cedar Lantern Willow Granite Orchard Meadow Birch".split(),
    "Goods Cart Supply Market Co Outlet Traders Depot Emporium Store".split(),
)
FIRST_SELLERS = ("Northwind Goods", "BrightCart", "Maple & Co", "Urban Supply", "Pebble Market")
BRANDS = "Acme Zephyr Nimbus Orion Vesta Kestrel Aurora Terra Lumen Boreal".split()
REVIEWS = (
    (5, "Exactly what I needed."),
    (5, "Would buy again."),
    (4, "Great value!"),
    (4, "Works as described."),
    (3, "Okay, nothing special."),
    (2, "Broke after a week."),
    (1, "Arrived damaged."),
)
QUESTIONS = ("Is it dishwasher safe?", "Does it come with a warranty?", "What are the dimensions?", "Is it BPA free?")
ANSWERS = ("Yes, it is.", "No, unfortunately not.", "About 30 cm wide.", "One year from the maker.", "Mine did.")
RETURN_REASONS = ("Wrong size", "Arrived damaged", "No longer needed", "Not as described")
CITIES = ("Ashford, WA", "Brookvale, OR", "Cedar Falls, CA", "Dunmore, NY", "Elmstead, TX", "Memphis hub")
DAYS = 730


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


@app.populator
def populate(w: WorldBuilder) -> None:
    rng = w.rng("shop")
    sellers = (
        list(FIRST_SELLERS)
        + sorted({f"{a} {b}" for a in SELLER_WORDS[0] for b in SELLER_WORDS[1]} - set(FIRST_SELLERS))[:35]
    )
    seller_ids = w.insert(
        "shop_sellers",
        [
            {
                "name": s,
                "description": f"{s} sells {rng.choice(list(CATALOG))} and more.",
                "joined_at": _stamp(w.now - timedelta(days=rng.randint(400, 3000))),
            }
            for s in sellers
        ],
    )
    products = _products(w, rng, list(zip(seller_ids, sellers, strict=True)))
    product_ids = w.insert("shop_products", products)
    for pid, p in zip(product_ids, products, strict=True):
        p["id"] = pid
    w.insert("shop_price_history", _price_history(w, rng, products))
    _people_data(w, rng, products, seller_ids)


def _products(w: WorldBuilder, rng: random.Random, sellers: list[tuple[int, str]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    group = 0
    for category, names in CATALOG.items():
        for base in names.split(", "):
            for adj in rng.sample(ADJECTIVES, 4):
                group += 1
                seller_id, seller = rng.choice(sellers)
                brand, price = rng.choice(BRANDS), round(rng.uniform(4, 180), 2)
                kinds = rng.choice((None, None, VARIANTS[0], VARIANTS[1]))
                variants = [None] if kinds is None else rng.sample(kinds, rng.randint(2, 3))
                for variant in variants:
                    name = f"{adj} {base}" + (f" ({variant})" if variant else "")
                    out.append(_product(rng, name, category, price, seller_id, seller, brand, group, variant, w))
                if rng.random() < 0.1:  # the successor model: a near-duplicate name
                    group += 1
                    name = f"{adj} {base} 2"
                    out.append(_product(rng, name, category, price * 1.2, seller_id, seller, brand, group, None, w))
                if rng.random() < 0.06:  # the same product from another seller, at another price
                    other_id, other = rng.choice(sellers)
                    out.append(
                        _product(rng, f"{adj} {base}", category, price * 0.9, other_id, other, brand, group, None, w)
                    )
    return out


def _product(
    rng: random.Random,
    name: str,
    category: str,
    price: float,
    seller_id: int,
    seller: str,
    brand: str,
    group: int,
    variant: str | None,
    w: WorldBuilder,
) -> dict[str, Any]:
    current = round(price * rng.uniform(0.95, 1.05), 2)
    return {
        "name": name,
        "category": category,
        "price": current,
        "rating": round(rng.uniform(2.5, 5), 1),
        "stock": rng.choice((0, rng.randint(1, 5), rng.randint(5, 60), rng.randint(5, 60))),
        "seller": seller,
        "seller_id": seller_id,
        "brand": brand,
        "description": f"{name} by {brand}, a {category} favourite.",
        "group_id": group,
        "variant": variant,
        "list_price": round(current * rng.choice((1, 1, 1, 1.1, 1.25, 1.4)), 2),
        "created_at": _stamp(w.now - timedelta(days=rng.randint(DAYS, 2 * DAYS))),
    }


def _price_history(w: WorldBuilder, rng: random.Random, products: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each product's past prices, oldest first, ending at today's price."""
    out = []
    for p in products:
        changes = sorted(rng.sample(range(1, DAYS), rng.randint(1, 5)), reverse=True)
        prices = [round(p["price"] * rng.uniform(0.8, 1.3), 2) for _ in changes[:-1]] + [p["price"]]
        for days, price in zip(changes, prices, strict=True):
            out.append({"product_id": p["id"], "price": price, "changed_at": _stamp(w.now - timedelta(days=days))})
    return out


def _people_data(w: WorldBuilder, rng: random.Random, products: list[dict[str, Any]], seller_ids: list[int]) -> None:
    ids = [p["id"] for p in products]
    by_id = {p["id"]: p for p in products}
    addresses: dict[int, list[tuple[str, str]]] = {}
    for pid, name, text in w.conn.execute(
        "SELECT person_id, name, street_address || ', ' || city || ', ' || state || ' ' || zip_code FROM addresses "
        "ORDER BY id"
    ):
        addresses.setdefault(pid, []).append((name, text))
    cards: dict[int, list[str]] = {}
    for pid, number in w.conn.execute("SELECT person_id, card_number FROM payment_cards ORDER BY id"):
        cards.setdefault(pid, []).append(number)
    placed: list[tuple[dict[str, Any], list[tuple[int, int]], dict[str, Any] | None]] = []
    rows: dict[str, list[dict[str, Any]]] = {
        k: []
        for k in (
            "shop_wishlist",
            "shop_cart",
            "shop_saved",
            "shop_history",
            "shop_coupons",
            "shop_gift_cards",
            "shop_subscriptions",
            "shop_settings",
            "shop_questions",
            "shop_seller_ratings",
        )
    }
    for person in w.people:
        me = person.id
        for n in range(rng.randint(20, 60)):
            items = [(p, rng.randint(1, 3)) for p in rng.sample(ids, rng.choice((1, 1, 2, 2, 3, 4)))]
            created = w.now - timedelta(days=rng.randint(0, DAYS), minutes=rng.randint(1, 1440))
            coupon = _used_coupon(rng, me, n, created) if rng.random() < 0.08 else None
            placed.append((_order(w, rng, me, items, created, by_id, addresses[me], cards[me], coupon), items, coupon))
        _person_rows(w, rng, me, ids, by_id, addresses[me], seller_ids, rows)
    more = w.rng("shop:more")  # denser returns and subscriptions, drawn apart so the rest stays as it was
    for person in w.people:
        rows["shop_subscriptions"] += _more_subscriptions(w, more, person.id, ids, rows["shop_subscriptions"])
    placed.sort(key=lambda one: one[0]["created_at"])
    order_ids = w.insert("shop_orders", [order for order, _, _ in placed])
    order_items: list[dict[str, Any]] = []
    tracking, reviews, returns = [], [], []
    reviewed: set[tuple[int, int]] = set()
    for order_id, (order, order_lines, coupon) in zip(order_ids, placed, strict=True):
        if coupon is not None:
            rows["shop_coupons"].append({**coupon, "used_order_id": order_id})
        for product_id, quantity in order_lines:
            unit = by_id[product_id]["price"]
            order_items.append(
                {"order_id": order_id, "product_id": product_id, "quantity": quantity, "unit_price": unit}
            )
        tracking += _tracking(rng, order_id, order)
        if order["status"] != "delivered":
            continue
        first = order_lines[0][0]
        if rng.random() < 0.3 and (order["owner_id"], first) not in reviewed:
            reviewed.add((order["owner_id"], first))
            stars, text = rng.choice(REVIEWS)
            reviews.append(
                {
                    "product_id": first,
                    "author_id": order["owner_id"],
                    "rating": stars,
                    "text": text,
                    "created_at": _stamp(datetime.fromisoformat(order["delivered_at"]) + timedelta(days=3)),
                }
            )
        if rng.random() < 0.08:
            returns.append(_return(rng, order_id, order, order_lines[-1], by_id))
        elif more.random() < 0.07:
            returns.append(_return(more, order_id, order, order_lines[0], by_id))
    w.insert("shop_order_items", order_items)
    w.insert("shop_tracking", tracking)
    reviews.sort(key=lambda r: r["created_at"])
    review_ids = w.insert("shop_reviews", reviews)
    people = [p.id for p in w.people]
    w.insert(
        "shop_review_votes",
        [
            {"review_id": rid, "voter_id": voter, "helpful": int(rng.random() < 0.8)}
            for rid, r in zip(review_ids, reviews, strict=True)
            for voter in rng.sample(people, rng.choice((0, 1, 1, 2, 3)))
            if voter != r["author_id"]
        ],
    )
    w.insert("shop_returns", sorted(returns, key=lambda r: r["created_at"]))
    question_ids = w.insert("shop_questions", rows.pop("shop_questions"))
    w.insert(
        "shop_answers",
        [
            {
                "question_id": q,
                "author_id": rng.choice(people),
                "text": rng.choice(ANSWERS),
                "created_at": _stamp(w.now - timedelta(days=rng.randint(0, 60))),
            }
            for q in question_ids
            for _ in range(rng.choice((0, 1, 1, 2, 3)))
        ],
    )
    for table, batch in rows.items():
        w.insert(table, batch)


def _order(
    w: WorldBuilder,
    rng: random.Random,
    owner: int,
    items: list[tuple[int, int]],
    created: datetime,
    by_id: dict[int, dict[str, Any]],
    addresses: list[tuple[str, str]],
    cards: list[str],
    coupon: dict[str, Any] | None,
) -> dict[str, Any]:
    age = (w.now - created).days
    status = (
        rng.choice(("processing", "shipped")) if age <= 7 else ("cancelled" if rng.random() < 0.05 else "delivered")
    )
    speed = rng.choice(("standard", "standard", "standard", "express", "next_day"))
    subtotal = round(sum(by_id[p]["price"] * q for p, q in items), 2)
    discount = round(subtotal * coupon["percent_off"] / 100, 2) if coupon else 0.0
    fee = SHIPPING_FEES[speed]
    delivered = created + timedelta(days=rng.randint(1, 6), hours=rng.randint(1, 10))
    return {
        "owner_id": owner,
        "status": status,
        "address": rng.choice(addresses)[1] if rng.random() < 0.3 else addresses[0][1],
        "card_number": rng.choice(cards),
        "total": round(subtotal - discount + fee, 2),
        "created_at": _stamp(created),
        "shipping_speed": speed,
        "shipping_fee": fee,
        "coupon_code": coupon["code"] if coupon else None,
        "discount": discount,
        "gift_card_amount": 0.0,
        "delivered_at": _stamp(delivered) if status == "delivered" else None,
    }


def _return(
    rng: random.Random, order_id: int, order: dict[str, Any], line: tuple[int, int], by_id: dict[int, dict[str, Any]]
) -> dict[str, Any]:
    """A return of one line of a delivered order, five days after it arrived, in any state."""
    product_id, quantity = line
    return {
        "order_id": order_id,
        "product_id": product_id,
        "reason": rng.choice(RETURN_REASONS),
        "status": rng.choice(("requested", "approved", "refunded", "refunded", "rejected")),
        "created_at": _stamp(datetime.fromisoformat(order["delivered_at"]) + timedelta(days=5)),
        "refund_amount": round(by_id[product_id]["price"] * quantity, 2),
    }


def _more_subscriptions(
    w: WorldBuilder, rng: random.Random, me: int, ids: list[int], made: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """0-3 more subscriptions a person: a household subscribes to coffee, pet food, vitamins and filters, so 1-9
    (mean ~4.8) rather than 1-6, never twice to one product."""
    have = {s["product_id"] for s in made if s["owner_id"] == me}
    names = [n for (n,) in w.conn.execute("SELECT name FROM addresses WHERE person_id = ? ORDER BY id", (me,))]
    out = []
    for product_id in rng.sample([i for i in ids if i not in have], rng.choice((0, 1, 1, 2, 2, 3))):
        out.append(_subscription(w, rng, me, product_id, names))
    return out


def _subscription(w: WorldBuilder, rng: random.Random, me: int, product_id: int, names: list[str]) -> dict[str, Any]:
    """A subscription of `me` to a product, delivered to one of their addresses (`names`), made in the last DAYS."""
    return {
        "owner_id": me,
        "product_id": product_id,
        "quantity": rng.randint(1, 3),
        "every_weeks": rng.choice((1, 2, 4, 8)),
        "next_delivery": (w.now + timedelta(days=rng.randint(1, 50))).date().isoformat(),
        "status": rng.choice(("active", "active", "paused", "cancelled")),
        "address_name": rng.choice(names),
        "created_at": _stamp(w.now - timedelta(days=rng.randint(0, DAYS), minutes=rng.randint(1, 1440))),
    }


def _used_coupon(rng: random.Random, owner: int, n: int, used: datetime) -> dict[str, Any]:
    """A coupon the owner spent on their n-th order (its order id is filled in once orders have ids)."""
    percent = rng.choice((5, 10, 15))
    return {
        "owner_id": owner,
        "code": f"SAVE{percent}-{owner:03d}{n:02d}",
        "description": f"{percent}% off everything",
        "percent_off": percent,
        "min_total": 0.0,
        "category": None,
        "expires_at": _stamp(used + timedelta(days=30)),
        "used_order_id": None,
    }


def _tracking(rng: random.Random, order_id: int, order: dict[str, Any]) -> list[dict[str, Any]]:
    """The carrier's events after an order was placed ('placed' itself is shown from the order)."""
    if order["status"] not in ("shipped", "delivered"):
        return []
    created = datetime.fromisoformat(order["created_at"])
    steps = [("shipped", rng.choice(CITIES), created + timedelta(hours=rng.randint(4, 30)))]
    if order["status"] == "delivered":
        end = datetime.fromisoformat(order["delivered_at"])
        steps.append(("delivered", order["address"].split(", ")[1], end))
    return [{"order_id": order_id, "status": s, "location": loc, "at": _stamp(at)} for s, loc, at in steps]


def _person_rows(
    w: WorldBuilder,
    rng: random.Random,
    me: int,
    ids: list[int],
    by_id: dict[int, dict[str, Any]],
    addresses: list[tuple[str, str]],
    seller_ids: list[int],
    rows: dict[str, list[dict[str, Any]]],
) -> None:
    """One person's wishlist, cart, saved items, history, coupons, gift cards, subscriptions, settings, questions."""

    def ago(most: int = DAYS) -> str:
        return _stamp(w.now - timedelta(days=rng.randint(0, most), minutes=rng.randint(1, 1440)))

    picks = rng.sample(ids, 60)
    for product_id in sorted(picks[: rng.randint(8, 40)]):
        then = by_id[product_id]["price"] * rng.choice((1, 1, 1.1, 1.2, 0.9))
        rows["shop_wishlist"].append(
            {"owner_id": me, "product_id": product_id, "added_at": ago(), "price_when_added": round(then, 2)}
        )
    for product_id in sorted(picks[40 : 40 + rng.randint(0, 4)]):
        rows["shop_cart"].append({"owner_id": me, "product_id": product_id, "quantity": rng.randint(1, 2)})
    for product_id in sorted(picks[45 : 45 + rng.randint(0, 8)]):
        rows["shop_saved"].append({"owner_id": me, "product_id": product_id, "quantity": 1, "saved_at": ago(120)})
    rows["shop_history"] += sorted(
        ({"owner_id": me, "product_id": rng.choice(ids), "viewed_at": ago(180)} for _ in range(rng.randint(20, 80))),
        key=lambda h: h["viewed_at"],
    )
    for n in range(rng.randint(12, 35)):
        category = rng.choice((None, rng.choice(list(CATALOG))))
        percent = rng.choice((5, 10, 15, 20, 25))
        expires = w.now + timedelta(days=rng.randint(-300, 120))
        rows["shop_coupons"].append(
            {
                "owner_id": me,
                "code": f"{(category or 'ALL')[:4].upper()}{percent}-{me:03d}{n:02d}",
                "description": f"{percent}% off " + (f"{category}" if category else "everything"),
                "percent_off": percent,
                "min_total": float(rng.choice((0, 25, 50, 100))),
                "category": category,
                "expires_at": _stamp(expires),
                "used_order_id": None,
            }
        )
    names = {p.id: p.full_name for p in w.people}
    givers = w.related(me, ("friend", "family")) or [p for p in names if p != me]  # gift cards come from people close
    for n in range(rng.randint(2, 7)):
        amount = float(rng.choice((10, 25, 50, 100)))
        rows["shop_gift_cards"].append(
            {
                "code": f"GC{me:03d}{n}{rng.randint(100000, 999999)}",
                "owner_id": None if n == 0 else me,  # the first is still unclaimed: a code someone was given
                "sender_name": names[rng.choice(givers)],
                "initial_amount": amount,
                "balance": amount if n == 0 else rng.choice((amount, round(amount * rng.random(), 2), 0.0)),
                "redeemed_at": None if n == 0 else ago(),
                "expires_at": _stamp(w.now + timedelta(days=rng.randint(-100, 700))),
            }
        )
    for product_id in rng.sample(ids, rng.randint(1, 6)):
        rows["shop_subscriptions"].append(_subscription(w, rng, me, product_id, [a[0] for a in addresses]))
    rows["shop_settings"].append(
        {
            "person_id": me,
            "default_address_name": addresses[0][0],
            "public_wishlist": int(rng.random() < 0.2),
            "deal_emails": int(rng.random() < 0.5),
            "keep_browsing_history": 1,
        }
    )
    for product_id in rng.sample(ids, rng.randint(0, 4)):
        rows["shop_questions"].append(
            {"product_id": product_id, "author_id": me, "text": rng.choice(QUESTIONS), "created_at": ago(90)}
        )
    for seller_id in rng.sample(seller_ids, rng.randint(0, 8)):
        stars, text = rng.choice(REVIEWS)
        rows["shop_seller_ratings"].append(
            {"seller_id": seller_id, "author_id": me, "rating": stars, "comment": text, "created_at": ago()}
        )
