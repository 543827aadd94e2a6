"""shop: an online store (amazon-like): products, reviews, a cart, orders with tracking, returns, a wishlist.

The app's declaration and shared helpers are in _shop_base, its data in _shop_data; sellers, Q&A, price
history and browsing history are in _shop_catalog; saved-for-later, coupons, gift cards, subscriptions and
settings in _shop_perks."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from envs.toolworld.api import QUERY_MAX_CHARS, ApiError, CallContext, P, Page
from envs.toolworld.apps import _shop_catalog, _shop_data, _shop_perks  # noqa: F401  (they register on `app`)
from envs.toolworld.apps._day_args import DAY_DOC, day_after, day_arg
from envs.toolworld.apps._shop_base import (
    ADDRESS_NAME,
    CATEGORY,
    MESSAGE,
    ORDER_ID,
    PRODUCT,
    PRODUCT_COLUMNS,
    PRODUCT_ID,
    PRODUCT_SQL,
    QUANTITY,
    SHIPPING_FEES,
    add_to_cart_row,
    address_text,
    app,
    category_arg,
    check_card,
    product,
)
from envs.toolworld.apps._sql_page import sql_page
from envs.toolworld.apps._text_search import word_conditions

__all__ = ["app"]

ORDER_ITEM = {"product_id": 1, "name": "string", "quantity": 1, "unit_price": 1.0}
ORDER = {
    "order_id": 1,
    "status": "string",
    "address": "string",
    "card_number": "string",
    "total": 1.0,
    "created_at": "string",
    "shipping_speed": "string",
    "shipping_fee": 1.0,
    "coupon_code": "string",
    "discount": 1.0,
    "gift_card_amount": 1.0,
    "delivered_at": "string",
    "items": [ORDER_ITEM],
}
RETURN = {
    "return_id": 1,
    "order_id": 1,
    "product_id": 1,
    "reason": "string",
    "status": "string",
    "created_at": "string",
    "refund_amount": 1.0,
}
RETURN_ID = Annotated[int, P("The return's id.", ge=1)]
RETURN_SQL = (
    "SELECT r.id AS return_id, r.order_id, r.product_id, r.reason, r.status, r.created_at, r.refund_amount "
    "FROM shop_returns r JOIN shop_orders o ON o.id = r.order_id "
)
ORDER_COLUMNS = tuple(k for k in ORDER if k not in ("order_id", "items"))
SPEED = Annotated[
    Literal["standard", "express", "next_day"], P("Shipping speed: standard is free, express $9.99, next_day $19.99.")
]


@app.api("GET", "/products", [PRODUCT], auth=False, paginated=True)
def search_products(
    ctx: CallContext,
    query: Annotated[str, P("Words to match in the product name; empty lists all.", max_length=QUERY_MAX_CHARS)] = "",
    category: CATEGORY = None,
    max_price: Annotated[float | None, P("Only products at most this price.", ge=0)] = None,
    sort_by: Annotated[
        Literal["name", "price", "-price", "-rating", "-discount"], P("Order of results ('-discount': biggest sale).")
    ] = "name",
    min_price: Annotated[float | None, P("Only products at least this price.", ge=0)] = None,
    min_rating: Annotated[float | None, P("Only products rated at least this.", ge=0, le=5)] = None,
    seller_id: Annotated[int | None, P("Only products of this seller (see show_sellers).", ge=1)] = None,
    brand: Annotated[str | None, P("Only products of this brand.", max_length=50)] = None,
    in_stock_only: Annotated[bool, P("Leave out products that are out of stock.")] = False,
    on_sale_only: Annotated[bool, P("Only products priced below their list price.")] = False,
) -> Page:
    """Search the store's products by name words, category, price, rating, seller, brand, stock and sale."""
    where, words = word_conditions("p.name", query)
    args: list[Any] = list(words)
    for condition, value in (
        ("p.category = ?", category_arg(ctx, category)),
        ("p.price <= ?", max_price),
        ("p.price >= ?", min_price),
        ("p.rating >= ?", min_rating),
        ("p.seller_id = ?", seller_id),
        ("p.brand = ? COLLATE NOCASE", brand),
    ):
        if value is not None:
            where.append(condition)
            args.append(value)
    where += ["p.stock > 0"] * in_stock_only + ["p.price < p.list_price"] * on_sale_only
    order = {
        "name": "p.name, p.id",
        "price": "p.price, p.id",
        "-price": "p.price DESC, p.id",
        "-rating": "p.rating DESC, p.id",
        "-discount": "p.list_price - p.price DESC, p.id",
    }[sort_by]
    return sql_page(ctx, f"{PRODUCT_SQL} WHERE {' AND '.join(where) or '1'}", order, *args)


@app.api(
    "GET",
    "/products/{product_id}",
    {**PRODUCT, "description": "string", "review_count": 1, "variant_count": 1},
    auth=False,
)
def show_product(ctx: CallContext, product_id: PRODUCT_ID) -> dict[str, Any]:
    """Show one product with its description, number of reviews and number of variants."""
    found = product(ctx, product_id)
    extra = ctx.existing_row(
        "SELECT p.description, (SELECT COUNT(*) FROM shop_reviews r WHERE r.product_id = p.id) AS review_count, "
        "(SELECT COUNT(*) FROM shop_products v WHERE v.group_id = p.group_id) AS variant_count "
        "FROM shop_products p WHERE p.id = ?",
        product_id,
    )
    return {**found, **extra}


@app.api("GET", "/categories", [{"category": "string", "products": 1}], auth=False)
def show_categories(ctx: CallContext) -> list[dict[str, Any]]:
    """List product categories."""
    return ctx.rows("SELECT category, COUNT(*) AS products FROM shop_products GROUP BY category ORDER BY category")


@app.api(
    "GET",
    "/products/{product_id}/reviews",
    [{"review_id": 1, "author": "string", "rating": 1, "text": "string", "created_at": "string", "helpful_votes": 1}],
    auth=False,
    paginated=True,
)
def show_product_reviews(
    ctx: CallContext,
    product_id: PRODUCT_ID,
    min_rating: Annotated[int | None, P("Only reviews with at least these stars.", ge=1, le=5)] = None,
    max_rating: Annotated[int | None, P("Only reviews with at most these stars.", ge=1, le=5)] = None,
    sort_by: Annotated[Literal["-created_at", "-helpful", "-rating", "rating"], P("Order of reviews.")] = "-created_at",
) -> list[dict[str, Any]]:
    """List the reviews of a product, newest first unless sorted otherwise."""
    product(ctx, product_id)
    order = {
        "-created_at": "r.created_at DESC",
        "-helpful": "helpful_votes DESC, r.created_at DESC",
        "-rating": "r.rating DESC, r.created_at DESC",
        "rating": "r.rating, r.created_at DESC",
    }[sort_by]
    return ctx.rows(
        "SELECT r.id AS review_id, p.first_name || ' ' || p.last_name AS author, r.rating, r.text, r.created_at, "
        "(SELECT COUNT(*) FROM shop_review_votes v WHERE v.review_id = r.id AND v.helpful = 1) AS helpful_votes "
        "FROM shop_reviews r JOIN people p ON p.id = r.author_id WHERE r.product_id = ? AND r.rating >= ? "
        f"AND r.rating <= ? ORDER BY {order}, r.id DESC",
        product_id,
        min_rating or 1,
        max_rating or 5,
    )


@app.api("POST", "/products/{product_id}/reviews", {"message": "string", "review_id": 1})
def write_review(
    ctx: CallContext,
    product_id: PRODUCT_ID,
    rating: Annotated[int, P("Stars, 1 to 5.", ge=1, le=5)],
    text: Annotated[str, P("The review.", min_length=1, max_length=2000)],
) -> dict[str, Any]:
    """Review a product you received in a delivered order (one review per product)."""
    product(ctx, product_id)
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


@app.api("PATCH", "/reviews/{review_id}", MESSAGE)
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


@app.api("DELETE", "/reviews/{review_id}", MESSAGE)
def delete_review(ctx: CallContext, review_id: Annotated[int, P("The review's id.", ge=1)]) -> dict[str, str]:
    """Delete one of your reviews."""
    ctx.owned("shop_reviews", review_id, "review of yours", owner_column="author_id")
    ctx.execute("DELETE FROM shop_reviews WHERE id = ?", review_id)
    return {"message": "Review deleted."}


@app.api("GET", "/cart", {"items": [ORDER_ITEM], "total": 1.0})
def show_cart(ctx: CallContext) -> dict[str, Any]:
    """Show your cart and its total."""
    items = ctx.rows(
        "SELECT c.product_id, p.name, c.quantity, p.price AS unit_price FROM shop_cart c "
        "JOIN shop_products p ON p.id = c.product_id WHERE c.owner_id = ? ORDER BY c.id",
        ctx.user_id,
    )
    return {"items": items, "total": round(sum(i["quantity"] * i["unit_price"] for i in items), 2)}


@app.api("POST", "/cart", MESSAGE)
def add_to_cart(ctx: CallContext, product_id: PRODUCT_ID, quantity: QUANTITY = 1) -> dict[str, str]:
    """Put a product in your cart (adds to the quantity already there)."""
    product(ctx, product_id)
    add_to_cart_row(ctx, product_id, quantity)
    return {"message": "Added to cart."}


@app.api("PATCH", "/cart/{product_id}", MESSAGE)
def update_cart_item(ctx: CallContext, product_id: PRODUCT_ID, quantity: QUANTITY) -> dict[str, str]:
    """Set the quantity of a product already in your cart."""
    if not ctx.value("SELECT 1 FROM shop_cart WHERE owner_id = ? AND product_id = ?", ctx.user_id, product_id):
        raise ApiError(404, f"Product {product_id} is not in your cart.")
    ctx.execute(
        "UPDATE shop_cart SET quantity = ? WHERE owner_id = ? AND product_id = ?", quantity, ctx.user_id, product_id
    )
    return {"message": "Cart updated."}


@app.api("DELETE", "/cart/{product_id}", MESSAGE)
def remove_from_cart(ctx: CallContext, product_id: PRODUCT_ID) -> dict[str, str]:
    """Take a product out of your cart."""
    ctx.delete_existing(
        "shop_cart", {"owner_id": ctx.user_id, "product_id": product_id}, f"Product {product_id} is not in your cart."
    )
    return {"message": "Removed from cart."}


@app.api("DELETE", "/cart", MESSAGE)
def empty_cart(ctx: CallContext) -> dict[str, str]:
    """Remove everything from your cart."""
    ctx.execute("DELETE FROM shop_cart WHERE owner_id = ?", ctx.user_id)
    return {"message": "Cart emptied."}


@app.api("GET", "/addresses", [{"name": "string", "address": "string"}])
def show_addresses(ctx: CallContext) -> list[dict[str, Any]]:
    """List your saved addresses, by the names orders and subscriptions use."""
    return ctx.rows(
        "SELECT name, street_address || ', ' || city || ', ' || state || ' ' || zip_code AS address FROM addresses "
        "WHERE person_id = ? ORDER BY id",
        ctx.user_id,
    )


def _coupon_discount(ctx: CallContext, code: str, items: list[dict[str, Any]], subtotal: float) -> tuple[int, float]:
    """(coupon row id, dollars off) for the caller's coupon `code` on these cart items; 404/409 naming why not."""
    coupon = ctx.row("SELECT * FROM shop_coupons WHERE owner_id = ? AND code = ? COLLATE NOCASE", ctx.user_id, code)
    if coupon is None:
        raise ApiError(404, f"No coupon of yours with code {code!r} (see show_coupons).")
    if coupon["used_order_id"] is not None:
        raise ApiError(409, f"Coupon {code} was already used on order {coupon['used_order_id']}.")
    if coupon["expires_at"] < ctx.timestamp():
        raise ApiError(409, f"Coupon {code} expired on {coupon['expires_at'][:10]}.")
    if subtotal < coupon["min_total"]:
        raise ApiError(409, f"Coupon {code} needs a cart of at least ${coupon['min_total']:.2f}.")
    eligible = sum(
        i["quantity"] * i["unit_price"]
        for i in items
        if coupon["category"] is None
        or ctx.value("SELECT category FROM shop_products WHERE id = ?", i["product_id"]) == coupon["category"]
    )
    if not eligible:
        raise ApiError(409, f"Coupon {code} only applies to {coupon['category']} products; your cart has none.")
    return coupon["id"], round(eligible * coupon["percent_off"] / 100, 2)


def _spend_gift_cards(ctx: CallContext, amount: float) -> float:
    """Take up to `amount` from the caller's unexpired gift cards, soonest to expire first; what was taken."""
    taken = 0.0
    for card in ctx.rows(
        "SELECT id, balance FROM shop_gift_cards WHERE owner_id = ? AND balance > 0 AND expires_at >= ? "
        "ORDER BY expires_at, id",
        ctx.user_id,
        ctx.timestamp(),
    ):
        part = round(min(card["balance"], amount - taken), 2)
        if part <= 0:
            break
        ctx.execute("UPDATE shop_gift_cards SET balance = ROUND(balance - ?, 2) WHERE id = ?", part, card["id"])
        taken = round(taken + part, 2)
    return taken


@app.api(
    "POST",
    "/orders",
    {"message": "string", "order_id": 1, "total": 1.0, "discount": 1.0, "gift_card_amount": 1.0, "card_charge": 1.0},
)
def place_order(
    ctx: CallContext,
    address_name: ADDRESS_NAME,
    card_number: Annotated[str, P("Number of one of your payment cards.", max_length=30)],
    shipping_speed: SPEED = "standard",
    coupon_code: Annotated[str | None, P("Code of one of your coupons to apply.", max_length=40)] = None,
    use_gift_card_balance: Annotated[bool, P("Pay what your gift cards hold first, the rest by card.")] = False,
) -> dict[str, Any]:
    """Order everything in your cart, shipped to a saved address and paid with one of your cards."""
    address = address_text(ctx, address_name)
    check_card(ctx, card_number)
    cart = show_cart(ctx)
    if not cart["items"]:
        raise ApiError(409, "Your cart is empty.")
    for item in cart["items"]:
        if ctx.value("SELECT stock FROM shop_products WHERE id = ?", item["product_id"]) < item["quantity"]:
            raise ApiError(409, f"Not enough stock of {item['name']} (product {item['product_id']}).")
    coupon_id, discount = _coupon_discount(ctx, coupon_code, cart["items"], cart["total"]) if coupon_code else (0, 0.0)
    fee = SHIPPING_FEES[shipping_speed]
    total = round(cart["total"] - discount + fee, 2)
    gift = _spend_gift_cards(ctx, total) if use_gift_card_balance else 0.0
    order_id = ctx.execute(
        "INSERT INTO shop_orders (owner_id, status, address, card_number, total, created_at, shipping_speed, "
        "shipping_fee, coupon_code, discount, gift_card_amount) VALUES (?, 'processing', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ctx.user_id,
        address,
        card_number,
        total,
        ctx.timestamp(),
        shipping_speed,
        fee,
        coupon_code and ctx.value("SELECT code FROM shop_coupons WHERE id = ?", coupon_id),
        discount,
        gift,
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
    if coupon_code:
        ctx.execute("UPDATE shop_coupons SET used_order_id = ? WHERE id = ?", order_id, coupon_id)
    ctx.execute("DELETE FROM shop_cart WHERE owner_id = ?", ctx.user_id)
    return {
        "message": "Order placed.",
        "order_id": order_id,
        "total": total,
        "discount": discount,
        "gift_card_amount": gift,
        "card_charge": round(total - gift, 2),
    }


def _with_items(ctx: CallContext, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Orders (shop_orders rows) as the API shows them, each with its items (read in one query)."""
    ids = [r["id"] for r in rows]
    items: dict[int, list[dict[str, Any]]] = {}
    for item in ctx.rows(
        "SELECT i.order_id, i.product_id, p.name, i.quantity, i.unit_price FROM shop_order_items i "
        f"JOIN shop_products p ON p.id = i.product_id WHERE i.order_id IN ({', '.join('?' for _ in ids)}) "
        "ORDER BY i.id",
        *ids,
    ):
        items.setdefault(item.pop("order_id"), []).append(item)
    return [{"order_id": r["id"], **{k: r[k] for k in ORDER_COLUMNS}, "items": items.get(r["id"], [])} for r in rows]


@app.api("GET", "/orders", [ORDER], paginated=True)
def show_orders(
    ctx: CallContext,
    status: Annotated[
        Literal["processing", "shipped", "delivered", "cancelled"] | None, P("Only orders with this status.")
    ] = None,
    query: Annotated[
        str | None, P("Words that must all appear in the name of one item of the order.", max_length=QUERY_MAX_CHARS)
    ] = None,
    start_date: Annotated[str | None, P(f"Only orders placed on or after this day ({DAY_DOC}).", max_length=10)] = None,
    end_date: Annotated[str | None, P(f"Only orders placed on or before this day ({DAY_DOC}).", max_length=10)] = None,
    min_total: Annotated[float | None, P("Only orders of at least this total.", ge=0)] = None,
    max_total: Annotated[float | None, P("Only orders of at most this total.", ge=0)] = None,
    sort_by: Annotated[
        Literal["-created_at", "created_at", "-total", "total"], P("Order: newest, oldest, largest or smallest.")
    ] = "-created_at",
) -> Page:
    """List your orders, newest first unless sorted otherwise, filtered by status, item, date and total."""
    first, last = day_arg("start_date", start_date), day_arg("end_date", end_date)
    where: list[str] = []
    args: list[Any] = []
    for condition, value in (
        ("o.status = ?", status),
        ("o.created_at >= ?", first),
        ("o.created_at < ?", last and day_after(last)),
        ("o.total >= ?", min_total),
        ("o.total <= ?", max_total),
    ):
        if value is not None:
            where.append(condition)
            args.append(value)
    name_where, name_args = word_conditions("p.name", query)
    if name_where:
        where.append(
            "EXISTS (SELECT 1 FROM shop_order_items j JOIN shop_products p ON p.id = j.product_id "
            f"WHERE j.order_id = o.id AND {' AND '.join(name_where)})"
        )
        args += name_args
    column = sort_by.lstrip("-")
    page = sql_page(
        ctx,
        f"SELECT o.* FROM shop_orders o WHERE {' AND '.join(['o.owner_id = ?', *where])}",
        f"o.{column} {'DESC' if sort_by.startswith('-') else 'ASC'}, o.id DESC",
        ctx.user_id,
        *args,
    )
    return Page(_with_items(ctx, page.items), page.total)


@app.api("GET", "/orders/{order_id}", ORDER)
def show_order(ctx: CallContext, order_id: ORDER_ID) -> dict[str, Any]:
    """Show one of your orders with its items."""
    return _with_items(ctx, [ctx.owned("shop_orders", order_id, "order")])[0]


def _processing(ctx: CallContext, order_id: int, action: str) -> dict[str, Any]:
    order = ctx.owned("shop_orders", order_id, "order")
    if order["status"] != "processing":
        raise ApiError(409, f"Order {order_id} is {order['status']}; only 'processing' orders can be {action}.")
    return order


@app.api("POST", "/orders/{order_id}/cancel", MESSAGE)
def cancel_order(ctx: CallContext, order_id: ORDER_ID) -> dict[str, str]:
    """Cancel an order that has not shipped yet (its items go back in stock)."""
    _processing(ctx, order_id, "cancelled")
    for item in ctx.rows("SELECT product_id, quantity FROM shop_order_items WHERE order_id = ?", order_id):
        ctx.execute("UPDATE shop_products SET stock = stock + ? WHERE id = ?", item["quantity"], item["product_id"])
    ctx.execute("UPDATE shop_orders SET status = 'cancelled' WHERE id = ?", order_id)
    return {"message": "Order cancelled."}


@app.api("PATCH", "/orders/{order_id}/address", MESSAGE)
def change_order_address(ctx: CallContext, order_id: ORDER_ID, address_name: ADDRESS_NAME) -> dict[str, str]:
    """Ship an order that has not shipped yet to another of your saved addresses."""
    _processing(ctx, order_id, "changed")
    ctx.execute("UPDATE shop_orders SET address = ? WHERE id = ?", address_text(ctx, address_name), order_id)
    return {"message": f"Order {order_id} will ship to {address_name}."}


@app.api("PATCH", "/orders/{order_id}/payment", MESSAGE)
def change_order_payment(
    ctx: CallContext,
    order_id: ORDER_ID,
    card_number: Annotated[str, P("Number of one of your payment cards.", max_length=30)],
) -> dict[str, str]:
    """Pay an order that has not shipped yet with another of your cards."""
    _processing(ctx, order_id, "changed")
    check_card(ctx, card_number)
    ctx.execute("UPDATE shop_orders SET card_number = ? WHERE id = ?", card_number, order_id)
    return {"message": f"Order {order_id} will be charged to the card ending {card_number[-4:]}."}


@app.api("GET", "/orders/{order_id}/tracking", [{"status": "string", "location": "string", "at": "string"}])
def track_order(ctx: CallContext, order_id: ORDER_ID) -> list[dict[str, Any]]:
    """Follow an order: when it was placed, shipped, out for delivery and delivered (oldest event first)."""
    order = ctx.owned("shop_orders", order_id, "order")
    placed = {"status": "placed", "location": "online", "at": order["created_at"]}
    return [
        placed,
        *ctx.rows("SELECT status, location, at FROM shop_tracking WHERE order_id = ? ORDER BY at, id", order_id),
    ]


@app.api("POST", "/orders/{order_id}/reorder", {"message": "string", "added": 1})
def reorder(ctx: CallContext, order_id: ORDER_ID) -> dict[str, Any]:
    """Put every item of a past order back in your cart, in the same quantities."""
    ctx.owned("shop_orders", order_id, "order")
    items = ctx.rows("SELECT product_id, quantity FROM shop_order_items WHERE order_id = ? ORDER BY id", order_id)
    for item in items:
        add_to_cart_row(ctx, item["product_id"], item["quantity"])
    return {"message": f"Added {len(items)} products to your cart.", "added": len(items)}


@app.api("POST", "/returns", {"message": "string", "return_id": 1})
def request_return(
    ctx: CallContext,
    order_id: ORDER_ID,
    product_id: PRODUCT_ID,
    reason: Annotated[str, P("Why it goes back.", min_length=1, max_length=500)],
) -> dict[str, Any]:
    """Ask to return a product from a delivered order (refunded at the price paid)."""
    if ctx.owned("shop_orders", order_id, "order")["status"] != "delivered":
        raise ApiError(409, f"Order {order_id} is not delivered; only delivered items can be returned.")
    line = ctx.row(
        "SELECT quantity, unit_price FROM shop_order_items WHERE order_id = ? AND product_id = ?", order_id, product_id
    )
    if line is None:
        raise ApiError(404, f"Product {product_id} is not in order {order_id}.")
    if ctx.value(
        "SELECT 1 FROM shop_returns WHERE order_id = ? AND product_id = ? AND status != 'cancelled'",
        order_id,
        product_id,
    ):
        raise ApiError(409, "A return for this item already exists.")
    new_id = ctx.execute(
        "INSERT INTO shop_returns (order_id, product_id, reason, status, created_at, refund_amount) "
        "VALUES (?,?,?, 'requested', ?, ?)",
        order_id,
        product_id,
        reason,
        ctx.timestamp(),
        round(line["quantity"] * line["unit_price"], 2),
    )
    return {"message": "Return requested.", "return_id": new_id}


@app.api("GET", "/returns", [RETURN], paginated=True)
def show_returns(
    ctx: CallContext,
    status: Annotated[
        Literal["requested", "approved", "refunded", "rejected", "cancelled"] | None,
        P("Only returns with this status."),
    ] = None,
) -> list[dict[str, Any]]:
    """List your return requests, newest first."""
    return ctx.rows(
        f"{RETURN_SQL} WHERE o.owner_id = ? AND (r.status = ? OR ? IS NULL) ORDER BY r.created_at DESC, r.id DESC",
        ctx.user_id,
        status,
        status,
    )


def _return(ctx: CallContext, return_id: int) -> dict[str, Any]:
    found = ctx.row(f"{RETURN_SQL} WHERE r.id = ? AND o.owner_id = ?", return_id, ctx.user_id)
    if found is None:
        raise ApiError(404, f"No return with id {return_id}.")
    return found


@app.api("GET", "/returns/{return_id}", RETURN)
def show_return(ctx: CallContext, return_id: RETURN_ID) -> dict[str, Any]:
    """Show one of your returns and its status."""
    return _return(ctx, return_id)


@app.api("POST", "/returns/{return_id}/cancel", MESSAGE)
def cancel_return(ctx: CallContext, return_id: RETURN_ID) -> dict[str, str]:
    """Cancel a return you requested that has not been approved yet."""
    if (status := _return(ctx, return_id)["status"]) != "requested":
        raise ApiError(409, f"Return {return_id} is {status}; only 'requested' returns can be cancelled.")
    ctx.execute("UPDATE shop_returns SET status = 'cancelled' WHERE id = ?", return_id)
    return {"message": "Return cancelled."}


@app.api("GET", "/wishlist", [{**PRODUCT, "added_at": "string", "price_when_added": 1.0}], paginated=True)
def show_wishlist(
    ctx: CallContext,
    category: CATEGORY = None,
    sort_by: Annotated[Literal["added_at", "-added_at", "price", "-price"], P("Order of the list.")] = "added_at",
) -> list[dict[str, Any]]:
    """List the products on your wishlist, in the order you added them unless sorted otherwise."""
    category = category_arg(ctx, category)
    order = {
        "added_at": "w.id",
        "-added_at": "w.id DESC",
        "price": "p.price, p.id",
        "-price": "p.price DESC, p.id",
    }[sort_by]
    return ctx.rows(
        f"SELECT {PRODUCT_COLUMNS}, w.added_at, w.price_when_added FROM shop_products p "
        "JOIN shop_wishlist w ON w.product_id = p.id WHERE w.owner_id = ? AND (p.category = ? OR ? IS NULL) "
        f"ORDER BY {order}",
        ctx.user_id,
        category,
        category,
    )


@app.api("POST", "/wishlist", MESSAGE)
def add_to_wishlist(ctx: CallContext, product_id: PRODUCT_ID) -> dict[str, str]:
    """Put a product on your wishlist."""
    price = product(ctx, product_id)["price"]
    ctx.insert_unique(
        "shop_wishlist",
        {"owner_id": ctx.user_id, "product_id": product_id},
        f"Product {product_id} is already on your wishlist.",
        {"added_at": ctx.timestamp(), "price_when_added": price},
    )
    return {"message": "Added to wishlist."}


@app.api("DELETE", "/wishlist/{product_id}", MESSAGE)
def remove_from_wishlist(ctx: CallContext, product_id: PRODUCT_ID) -> dict[str, str]:
    """Take a product off your wishlist."""
    ctx.delete_existing(
        "shop_wishlist",
        {"owner_id": ctx.user_id, "product_id": product_id},
        f"Product {product_id} is not on your wishlist.",
    )
    return {"message": "Removed from wishlist."}
