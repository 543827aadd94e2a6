"""shop: an online store with products, reviews, a cart, orders, returns and a wishlist."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from envs.toolworld.api import QUERY_MAX_CHARS, ApiError, App, CallContext, P
from envs.toolworld.apps._accounts import add_account_apis
from envs.toolworld.world.build import WorldBuilder

app = App(
    "shop",
    "An online store: search products, read reviews, fill a cart, place and return orders.",
    schema="""
    CREATE TABLE shop_products (
        id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, category TEXT NOT NULL, price REAL NOT NULL,
        rating REAL NOT NULL, stock INTEGER NOT NULL, seller TEXT NOT NULL
    );
    CREATE TABLE shop_cart (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, product_id INTEGER NOT NULL,
        quantity INTEGER NOT NULL, UNIQUE(owner_id, product_id)
    );
    CREATE TABLE shop_orders (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, status TEXT NOT NULL, address TEXT NOT NULL,
        card_number TEXT NOT NULL, total REAL NOT NULL, created_at TEXT NOT NULL
    );
    CREATE TABLE shop_order_items (
        id INTEGER PRIMARY KEY AUTOINCREMENT, order_id INTEGER NOT NULL, product_id INTEGER NOT NULL,
        quantity INTEGER NOT NULL, unit_price REAL NOT NULL
    );
    CREATE TABLE shop_reviews (
        id INTEGER PRIMARY KEY AUTOINCREMENT, product_id INTEGER NOT NULL, author_id INTEGER NOT NULL,
        rating INTEGER NOT NULL, text TEXT NOT NULL, created_at TEXT NOT NULL
    );
    CREATE TABLE shop_wishlist (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, product_id INTEGER NOT NULL,
        UNIQUE(owner_id, product_id)
    );
    CREATE TABLE shop_returns (
        id INTEGER PRIMARY KEY AUTOINCREMENT, order_id INTEGER NOT NULL, product_id INTEGER NOT NULL,
        reason TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL
    );
    """,
)
add_account_apis(app)

CATALOG = {
    "kitchen": [
        "Cast Iron Skillet",
        "Chef Knife",
        "Coffee Grinder",
        "Tea Kettle",
        "Mixing Bowls",
        "Salad Spinner",
        "Toaster",
    ],
    "electronics": [
        "Wireless Earbuds",
        "USB-C Charger",
        "Bluetooth Speaker",
        "Phone Stand",
        "Power Bank",
        "HDMI Cable",
        "Webcam",
    ],
    "books": [
        "Mystery Novel",
        "Cookbook",
        "Travel Guide",
        "Poetry Collection",
        "History of Maps",
        "Gardening Handbook",
    ],
    "sports": ["Yoga Mat", "Water Bottle", "Running Socks", "Jump Rope", "Resistance Bands", "Cycling Gloves"],
    "home": ["Desk Lamp", "Throw Blanket", "Scented Candle", "Picture Frame", "Storage Basket", "Wall Clock"],
    "toys": ["Puzzle 1000 Pieces", "Building Blocks", "Board Game", "Kite", "Plush Bear"],
}
SELLERS = ("Northwind Goods", "BrightCart", "Maple & Co", "Urban Supply", "Pebble Market")
ADJECTIVES = ("Classic", "Deluxe", "Compact", "Eco", "Pro")
PRODUCT = {
    "product_id": 1,
    "name": "string",
    "category": "string",
    "price": 1.0,
    "rating": 1.0,
    "stock": 1,
    "seller": "string",
}
ORDER = {
    "order_id": 1,
    "status": "string",
    "address": "string",
    "card_number": "string",
    "total": 1.0,
    "created_at": "string",
    "items": [{"product_id": 1, "name": "string", "quantity": 1, "unit_price": 1.0}],
}
PRODUCT_ID = Annotated[int, P("The product's id.", ge=1)]
ORDER_ID = Annotated[int, P("The order's id.", ge=1)]
QUANTITY = Annotated[int, P("How many.", ge=1, le=20)]


@app.populator
def populate(w: WorldBuilder) -> None:
    rng = w.rng("shop")
    products: list[dict[str, Any]] = [
        {
            "name": f"{adj} {name}",
            "category": cat,
            "price": round(rng.uniform(4, 180), 2),
            "rating": round(rng.uniform(2.5, 5), 1),
            "stock": rng.randint(0, 60),
            "seller": rng.choice(SELLERS),
        }
        for cat, names in CATALOG.items()
        for name in names
        for adj in rng.sample(ADJECTIVES, 3)
    ]
    ids = w.insert("shop_products", products)
    price = {i: p["price"] for i, p in zip(ids, products, strict=True)}
    for person in w.people:
        home = w.conn.execute(
            "SELECT street_address || ', ' || city || ', ' || state || ' ' || zip_code FROM addresses "
            "WHERE person_id = ? ORDER BY id",
            (person.id,),
        ).fetchone()[0]
        card = w.conn.execute(
            "SELECT card_number FROM payment_cards WHERE person_id = ? ORDER BY id", (person.id,)
        ).fetchone()[0]
        for _ in range(rng.randint(2, 8)):
            items = [(pid, rng.randint(1, 3)) for pid in rng.sample(ids, rng.randint(1, 3))]
            created = w.now - timedelta(days=rng.randint(1, 300), minutes=rng.randint(0, 1440))
            status = "delivered" if (w.now - created).days > 7 else rng.choice(("processing", "shipped"))
            (order_id,) = w.insert(
                "shop_orders",
                [
                    {
                        "owner_id": person.id,
                        "status": status,
                        "address": home,
                        "card_number": card,
                        "total": round(sum(price[p] * q for p, q in items), 2),
                        "created_at": created.isoformat(timespec="seconds"),
                    }
                ],
            )
            w.insert(
                "shop_order_items",
                [{"order_id": order_id, "product_id": p, "quantity": q, "unit_price": price[p]} for p, q in items],
            )
            if status == "delivered" and rng.random() < 0.4:
                w.insert(
                    "shop_reviews",
                    [
                        {
                            "product_id": items[0][0],
                            "author_id": person.id,
                            "rating": rng.randint(1, 5),
                            "text": rng.choice(
                                ("Works as described.", "Great value!", "Broke after a week.", "Would buy again.")
                            ),
                            "created_at": (created + timedelta(days=7)).isoformat(timespec="seconds"),
                        }
                    ],
                )
        w.insert(
            "shop_wishlist",
            [{"owner_id": person.id, "product_id": p} for p in sorted(rng.sample(ids, rng.randint(0, 8)))],
        )
        w.insert(
            "shop_cart",
            [
                {"owner_id": person.id, "product_id": p, "quantity": rng.randint(1, 2)}
                for p in sorted(rng.sample(ids, rng.randint(0, 3)))
            ],
        )


def _product(ctx: CallContext, product_id: int) -> dict[str, Any]:
    row = ctx.row(
        "SELECT id AS product_id, name, category, price, rating, stock, seller FROM shop_products WHERE id = ?",
        product_id,
    )
    if row is None:
        raise ApiError(404, f"No product with id {product_id}.")
    return row


def _order(ctx: CallContext, row: dict[str, Any]) -> dict[str, Any]:
    items = ctx.rows(
        "SELECT i.product_id, p.name, i.quantity, i.unit_price FROM shop_order_items i "
        "JOIN shop_products p ON p.id = i.product_id WHERE i.order_id = ? ORDER BY i.id",
        row["id"],
    )
    return {
        "order_id": row["id"],
        **{k: row[k] for k in ("status", "address", "card_number", "total", "created_at")},
        "items": items,
    }


@app.api("GET", "/products", [PRODUCT], auth=False, paginated=True)
def search_products(
    ctx: CallContext,
    query: Annotated[str, P("Words to match in the product name; empty lists all.", max_length=QUERY_MAX_CHARS)] = "",
    category: Annotated[str | None, P("Only this category (see show_categories).")] = None,
    max_price: Annotated[float | None, P("Only products at most this price.", ge=0)] = None,
    sort_by: Annotated[Literal["name", "price", "-price", "-rating"], P("Order of results.")] = "name",
) -> list[dict[str, Any]]:
    """Search the store's products."""
    order = {"name": "name, id", "price": "price, id", "-price": "price DESC, id", "-rating": "rating DESC, id"}[
        sort_by
    ]
    rows = ctx.rows(
        f"SELECT id AS product_id, name, category, price, rating, stock, seller FROM shop_products ORDER BY {order}"
    )
    words = query.lower().split()
    return [
        r
        for r in rows
        if all(w in r["name"].lower() for w in words)
        and (category is None or r["category"] == category)
        and (max_price is None or r["price"] <= max_price)
    ]


@app.api("GET", "/products/{product_id}", PRODUCT, auth=False)
def show_product(ctx: CallContext, product_id: PRODUCT_ID) -> dict[str, Any]:
    """Show one product."""
    return _product(ctx, product_id)


@app.api("GET", "/categories", [{"category": "string", "products": 1}], auth=False)
def show_categories(ctx: CallContext) -> list[dict[str, Any]]:
    """List product categories."""
    return ctx.rows("SELECT category, COUNT(*) AS products FROM shop_products GROUP BY category ORDER BY category")


@app.api(
    "GET",
    "/products/{product_id}/reviews",
    [{"review_id": 1, "author": "string", "rating": 1, "text": "string", "created_at": "string"}],
    auth=False,
    paginated=True,
)
def show_product_reviews(ctx: CallContext, product_id: PRODUCT_ID) -> list[dict[str, Any]]:
    """List the reviews of a product, newest first."""
    _product(ctx, product_id)
    return ctx.rows(
        "SELECT r.id AS review_id, p.first_name || ' ' || p.last_name AS author, r.rating, r.text, r.created_at "
        "FROM shop_reviews r JOIN people p ON p.id = r.author_id WHERE r.product_id = ? "
        "ORDER BY r.created_at DESC, r.id DESC",
        product_id,
    )


@app.api("POST", "/products/{product_id}/reviews", {"message": "string", "review_id": 1})
def write_review(
    ctx: CallContext,
    product_id: PRODUCT_ID,
    rating: Annotated[int, P("Stars, 1 to 5.", ge=1, le=5)],
    text: Annotated[str, P("The review.", min_length=1, max_length=2000)],
) -> dict[str, Any]:
    """Review a product you received in a delivered order (one review per product)."""
    _product(ctx, product_id)
    if not ctx.value(
        "SELECT 1 FROM shop_orders o JOIN shop_order_items i ON i.order_id = o.id "
        "WHERE o.owner_id = ? AND i.product_id = ? AND o.status = 'delivered'",
        ctx.user_id,
        product_id,
    ):
        raise ApiError(409, f"You can only review products delivered to you; product {product_id} was not.")
    if ctx.value("SELECT 1 FROM shop_reviews WHERE author_id = ? AND product_id = ?", ctx.user_id, product_id):
        raise ApiError(409, "You already reviewed this product; use update_review.")
    new_id = ctx.execute(
        "INSERT INTO shop_reviews (product_id, author_id, rating, text, created_at) VALUES (?,?,?,?,?)",
        product_id,
        ctx.user_id,
        rating,
        text,
        ctx.timestamp(),
    )
    return {"message": "Review posted.", "review_id": new_id}


@app.api("PATCH", "/reviews/{review_id}", {"message": "string"})
def update_review(
    ctx: CallContext,
    review_id: Annotated[int, P("The review's id.", ge=1)],
    rating: Annotated[int | None, P("New stars, 1 to 5.", ge=1, le=5)] = None,
    text: Annotated[str | None, P("New text.", min_length=1, max_length=2000)] = None,
) -> dict[str, str]:
    """Change one of your reviews."""
    ctx.owned("shop_reviews", review_id, "review of yours", owner_column="author_id")
    ctx.update("shop_reviews", review_id, {"rating": rating, "text": text})
    return {"message": "Review updated."}


@app.api("DELETE", "/reviews/{review_id}", {"message": "string"})
def delete_review(ctx: CallContext, review_id: Annotated[int, P("The review's id.", ge=1)]) -> dict[str, str]:
    """Delete one of your reviews."""
    ctx.owned("shop_reviews", review_id, "review of yours", owner_column="author_id")
    ctx.execute("DELETE FROM shop_reviews WHERE id = ?", review_id)
    return {"message": "Review deleted."}


@app.api(
    "GET", "/cart", {"items": [{"product_id": 1, "name": "string", "quantity": 1, "unit_price": 1.0}], "total": 1.0}
)
def show_cart(ctx: CallContext) -> dict[str, Any]:
    """Show your cart and its total."""
    items = ctx.rows(
        "SELECT c.product_id, p.name, c.quantity, p.price AS unit_price FROM shop_cart c "
        "JOIN shop_products p ON p.id = c.product_id WHERE c.owner_id = ? ORDER BY c.id",
        ctx.user_id,
    )
    return {"items": items, "total": round(sum(i["quantity"] * i["unit_price"] for i in items), 2)}


@app.api("POST", "/cart", {"message": "string"})
def add_to_cart(ctx: CallContext, product_id: PRODUCT_ID, quantity: QUANTITY = 1) -> dict[str, str]:
    """Put a product in your cart (adds to the quantity already there)."""
    _product(ctx, product_id)
    current = ctx.value("SELECT quantity FROM shop_cart WHERE owner_id = ? AND product_id = ?", ctx.user_id, product_id)
    if current is None:
        ctx.execute(
            "INSERT INTO shop_cart (owner_id, product_id, quantity) VALUES (?,?,?)", ctx.user_id, product_id, quantity
        )
    else:
        ctx.execute(
            "UPDATE shop_cart SET quantity = ? WHERE owner_id = ? AND product_id = ?",
            current + quantity,
            ctx.user_id,
            product_id,
        )
    return {"message": "Added to cart."}


@app.api("PATCH", "/cart/{product_id}", {"message": "string"})
def update_cart_item(ctx: CallContext, product_id: PRODUCT_ID, quantity: QUANTITY) -> dict[str, str]:
    """Set the quantity of a product already in your cart."""
    if not ctx.value("SELECT 1 FROM shop_cart WHERE owner_id = ? AND product_id = ?", ctx.user_id, product_id):
        raise ApiError(404, f"Product {product_id} is not in your cart.")
    ctx.execute(
        "UPDATE shop_cart SET quantity = ? WHERE owner_id = ? AND product_id = ?", quantity, ctx.user_id, product_id
    )
    return {"message": "Cart updated."}


@app.api("DELETE", "/cart/{product_id}", {"message": "string"})
def remove_from_cart(ctx: CallContext, product_id: PRODUCT_ID) -> dict[str, str]:
    """Take a product out of your cart."""
    ctx.delete_existing(
        "shop_cart", {"owner_id": ctx.user_id, "product_id": product_id}, f"Product {product_id} is not in your cart."
    )
    return {"message": "Removed from cart."}


@app.api("DELETE", "/cart", {"message": "string"})
def empty_cart(ctx: CallContext) -> dict[str, str]:
    """Remove everything from your cart."""
    ctx.execute("DELETE FROM shop_cart WHERE owner_id = ?", ctx.user_id)
    return {"message": "Cart emptied."}


@app.api("POST", "/orders", {"message": "string", "order_id": 1, "total": 1.0})
def place_order(
    ctx: CallContext,
    address_name: Annotated[
        str, P("Name of one of your saved addresses, e.g. 'Home' (see apis.supervisor.show_addresses()).")
    ],
    card_number: Annotated[str, P("Number of one of your payment cards.")],
) -> dict[str, Any]:
    """Order everything in your cart, shipped to a saved address and paid with one of your cards."""
    address = ctx.row(
        "SELECT street_address || ', ' || city || ', ' || state || ' ' || zip_code AS a FROM addresses "
        "WHERE person_id = ? AND name = ?",
        ctx.user_id,
        address_name,
    )
    if address is None:
        raise ApiError(404, f"No saved address named {address_name!r}.")
    if not ctx.value("SELECT 1 FROM payment_cards WHERE person_id = ? AND card_number = ?", ctx.user_id, card_number):
        raise ApiError(404, "No payment card of yours with that card_number.")
    cart = show_cart(ctx)
    if not cart["items"]:
        raise ApiError(409, "Your cart is empty.")
    for item in cart["items"]:
        if ctx.value("SELECT stock FROM shop_products WHERE id = ?", item["product_id"]) < item["quantity"]:
            raise ApiError(409, f"Not enough stock of {item['name']} (product {item['product_id']}).")
    order_id = ctx.execute(
        "INSERT INTO shop_orders (owner_id, status, address, card_number, total, created_at) "
        "VALUES (?, 'processing', ?, ?, ?, ?)",
        ctx.user_id,
        address["a"],
        card_number,
        cart["total"],
        ctx.timestamp(),
    )
    for item in cart["items"]:
        ctx.execute(
            "INSERT INTO shop_order_items (order_id, product_id, quantity, unit_price) VALUES (?,?,?,?)",
            order_id,
            item["product_id"],
            item["quantity"],
            item["unit_price"],
        )
        ctx.execute("UPDATE shop_products SET stock = stock - ? WHERE id = ?", item["quantity"], item["product_id"])
    ctx.execute("DELETE FROM shop_cart WHERE owner_id = ?", ctx.user_id)
    return {"message": "Order placed.", "order_id": order_id, "total": cart["total"]}


@app.api("GET", "/orders", [ORDER], paginated=True)
def show_orders(
    ctx: CallContext,
    status: Annotated[
        Literal["processing", "shipped", "delivered", "cancelled"] | None, P("Only orders with this status.")
    ] = None,
) -> list[dict[str, Any]]:
    """List your orders, newest first."""
    rows = ctx.rows("SELECT * FROM shop_orders WHERE owner_id = ? ORDER BY created_at DESC, id DESC", ctx.user_id)
    return [_order(ctx, r) for r in rows if status is None or r["status"] == status]


@app.api("GET", "/orders/{order_id}", ORDER)
def show_order(ctx: CallContext, order_id: ORDER_ID) -> dict[str, Any]:
    """Show one of your orders with its items."""
    return _order(ctx, ctx.owned("shop_orders", order_id, "order"))


@app.api("POST", "/orders/{order_id}/cancel", {"message": "string"})
def cancel_order(ctx: CallContext, order_id: ORDER_ID) -> dict[str, str]:
    """Cancel an order that has not shipped yet (its items go back in stock)."""
    if ctx.owned("shop_orders", order_id, "order")["status"] != "processing":
        raise ApiError(
            409, f"Order {order_id} has already shipped or is closed; only 'processing' orders can be cancelled."
        )
    for item in ctx.rows("SELECT product_id, quantity FROM shop_order_items WHERE order_id = ?", order_id):
        ctx.execute("UPDATE shop_products SET stock = stock + ? WHERE id = ?", item["quantity"], item["product_id"])
    ctx.execute("UPDATE shop_orders SET status = 'cancelled' WHERE id = ?", order_id)
    return {"message": "Order cancelled."}


@app.api("POST", "/returns", {"message": "string", "return_id": 1})
def request_return(
    ctx: CallContext,
    order_id: ORDER_ID,
    product_id: PRODUCT_ID,
    reason: Annotated[str, P("Why it goes back.", min_length=1, max_length=500)],
) -> dict[str, Any]:
    """Ask to return a product from a delivered order."""
    if ctx.owned("shop_orders", order_id, "order")["status"] != "delivered":
        raise ApiError(409, f"Order {order_id} is not delivered; only delivered items can be returned.")
    if not ctx.value("SELECT 1 FROM shop_order_items WHERE order_id = ? AND product_id = ?", order_id, product_id):
        raise ApiError(404, f"Product {product_id} is not in order {order_id}.")
    if ctx.value("SELECT 1 FROM shop_returns WHERE order_id = ? AND product_id = ?", order_id, product_id):
        raise ApiError(409, "A return for this item already exists.")
    new_id = ctx.execute(
        "INSERT INTO shop_returns (order_id, product_id, reason, status, created_at) VALUES (?,?,?, 'requested', ?)",
        order_id,
        product_id,
        reason,
        ctx.timestamp(),
    )
    return {"message": "Return requested.", "return_id": new_id}


@app.api(
    "GET",
    "/returns",
    [{"return_id": 1, "order_id": 1, "product_id": 1, "reason": "string", "status": "string", "created_at": "string"}],
    paginated=True,
)
def show_returns(ctx: CallContext) -> list[dict[str, Any]]:
    """List your return requests."""
    return ctx.rows(
        "SELECT r.id AS return_id, r.order_id, r.product_id, r.reason, r.status, r.created_at FROM shop_returns r "
        "JOIN shop_orders o ON o.id = r.order_id WHERE o.owner_id = ? ORDER BY r.id DESC",
        ctx.user_id,
    )


@app.api("GET", "/wishlist", [PRODUCT], paginated=True)
def show_wishlist(ctx: CallContext) -> list[dict[str, Any]]:
    """List the products on your wishlist."""
    return [
        _product(ctx, r["product_id"])
        for r in ctx.rows("SELECT product_id FROM shop_wishlist WHERE owner_id = ? ORDER BY id", ctx.user_id)
    ]


@app.api("POST", "/wishlist", {"message": "string"})
def add_to_wishlist(ctx: CallContext, product_id: PRODUCT_ID) -> dict[str, str]:
    """Put a product on your wishlist."""
    _product(ctx, product_id)
    ctx.insert_unique(
        "shop_wishlist",
        {"owner_id": ctx.user_id, "product_id": product_id},
        f"Product {product_id} is already on your wishlist.",
    )
    return {"message": "Added to wishlist."}


@app.api("DELETE", "/wishlist/{product_id}", {"message": "string"})
def remove_from_wishlist(ctx: CallContext, product_id: PRODUCT_ID) -> dict[str, str]:
    """Take a product off your wishlist."""
    ctx.delete_existing(
        "shop_wishlist",
        {"owner_id": ctx.user_id, "product_id": product_id},
        f"Product {product_id} is not on your wishlist.",
    )
    return {"message": "Removed from wishlist."}
