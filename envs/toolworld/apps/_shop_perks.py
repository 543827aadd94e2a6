"""What a shop account keeps besides orders: items saved for later, price drops on the wishlist, coupons,
gift cards, subscribe-and-save subscriptions, and settings."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, Literal

from envs.toolworld.api import ApiError, CallContext, P
from envs.toolworld.apps._day_args import pushed_day
from envs.toolworld.apps._shop_base import (
    MESSAGE,
    PRODUCT,
    PRODUCT_COLUMNS,
    PRODUCT_ID,
    QUANTITY,
    add_to_cart_row,
    address_text,
    app,
    category_arg,
    check_card,
    product,
)

COUPON = {
    "code": "string",
    "description": "string",
    "percent_off": 1,
    "min_total": 1.0,
    "category": "string",
    "expires_at": "string",
    "used_order_id": 1,
    "status": "string",
}
GIFT_CARD = {
    "gift_card_id": 1,
    "code": "string",
    "sender_name": "string",
    "initial_amount": 1.0,
    "balance": 1.0,
    "redeemed_at": "string",
    "expires_at": "string",
}
SUBSCRIPTION = {
    "subscription_id": 1,
    "product_id": 1,
    "name": "string",
    "unit_price": 1.0,
    "quantity": 1,
    "every_weeks": 1,
    "next_delivery": "string",
    "status": "string",
    "address_name": "string",
    "created_at": "string",
}
SETTINGS = {
    "default_address_name": "string",
    "public_wishlist": True,
    "deal_emails": True,
    "keep_browsing_history": True,
}
SUBSCRIPTION_ID = Annotated[int, P("The subscription's id.", ge=1)]
EVERY_WEEKS = Annotated[int, P("Deliver every this many weeks.", ge=1, le=26)]


@app.api(
    "GET",
    "/saved",
    [{"product_id": 1, "name": "string", "price": 1.0, "quantity": 1, "saved_at": "string"}],
    paginated=True,
)
def show_saved_for_later(ctx: CallContext) -> list[dict[str, Any]]:
    """List the products you saved for later, most recent first."""
    return ctx.rows(
        "SELECT s.product_id, p.name, p.price, s.quantity, s.saved_at FROM shop_saved s "
        "JOIN shop_products p ON p.id = s.product_id WHERE s.owner_id = ? ORDER BY s.saved_at DESC, s.id DESC",
        ctx.user_id,
    )


@app.api("POST", "/saved", MESSAGE)
def save_for_later(ctx: CallContext, product_id: PRODUCT_ID) -> dict[str, str]:
    """Move a product from your cart to your saved-for-later list (with its quantity)."""
    quantity = ctx.value(
        "SELECT quantity FROM shop_cart WHERE owner_id = ? AND product_id = ?", ctx.user_id, product_id
    )
    if quantity is None:
        raise ApiError(404, f"Product {product_id} is not in your cart.")
    ctx.insert_unique(
        "shop_saved",
        {"owner_id": ctx.user_id, "product_id": product_id},
        f"Product {product_id} is already saved for later.",
        {"quantity": quantity, "saved_at": ctx.timestamp()},
    )
    ctx.execute("DELETE FROM shop_cart WHERE owner_id = ? AND product_id = ?", ctx.user_id, product_id)
    return {"message": "Saved for later."}


@app.api("POST", "/saved/{product_id}/cart", MESSAGE)
def move_to_cart(ctx: CallContext, product_id: PRODUCT_ID) -> dict[str, str]:
    """Move a product from your saved-for-later list back to your cart."""
    quantity = ctx.value(
        "SELECT quantity FROM shop_saved WHERE owner_id = ? AND product_id = ?", ctx.user_id, product_id
    )
    if quantity is None:
        raise ApiError(404, f"Product {product_id} is not saved for later.")
    ctx.execute("DELETE FROM shop_saved WHERE owner_id = ? AND product_id = ?", ctx.user_id, product_id)
    add_to_cart_row(ctx, product_id, quantity)
    return {"message": "Moved to cart."}


@app.api(
    "GET",
    "/wishlist/price_drops",
    [{"product_id": 1, "name": "string", "price": 1.0, "price_when_added": 1.0, "price_drop": 1.0}],
    paginated=True,
)
def show_price_drops(
    ctx: CallContext, min_drop: Annotated[float, P("Only drops of at least this many dollars.", ge=0)] = 0.01
) -> list[dict[str, Any]]:
    """List wishlist products that are cheaper now than when you added them, biggest drop first."""
    return ctx.rows(
        "SELECT p.id AS product_id, p.name, p.price, w.price_when_added, "
        "ROUND(w.price_when_added - p.price, 2) AS price_drop "
        "FROM shop_wishlist w JOIN shop_products p ON p.id = w.product_id "
        "WHERE w.owner_id = ? AND w.price_when_added - p.price >= ? ORDER BY price_drop DESC, p.id",
        ctx.user_id,
        min_drop,
    )


@app.api("GET", "/coupons", [COUPON], paginated=True)
def show_coupons(
    ctx: CallContext,
    status: Annotated[
        Literal["available", "used", "expired"] | None, P("Only coupons you can still use, used ones, or expired ones.")
    ] = "available",
    category: Annotated[str | None, P("Only coupons for this category (see show_categories).", max_length=50)] = None,
) -> list[dict[str, Any]]:
    """List your coupons, the ones expiring soonest first."""
    category = category_arg(ctx, category)
    state = (
        "CASE WHEN c.used_order_id IS NOT NULL THEN 'used' WHEN c.expires_at < ?1 THEN 'expired' ELSE 'available' END"
    )
    return ctx.rows(
        f"SELECT c.code, c.description, c.percent_off, c.min_total, c.category, c.expires_at, c.used_order_id, "
        f"{state} AS status FROM shop_coupons c WHERE c.owner_id = ?2 AND ({state} = ?3 OR ?3 IS NULL) "
        "AND (c.category = ?4 OR ?4 IS NULL) ORDER BY c.expires_at, c.id",
        ctx.timestamp(),
        ctx.user_id,
        status,
        category,
    )


@app.api("GET", "/gift_cards", [GIFT_CARD], paginated=True)
def show_gift_cards(
    ctx: CallContext, usable_only: Annotated[bool, P("Only cards with money left that have not expired.")] = False
) -> list[dict[str, Any]]:
    """List the gift cards you redeemed, soonest to expire first."""
    return ctx.rows(
        "SELECT id AS gift_card_id, code, sender_name, initial_amount, balance, redeemed_at, expires_at "
        "FROM shop_gift_cards WHERE owner_id = ? AND (? = 0 OR (balance > 0 AND expires_at >= ?)) "
        "ORDER BY expires_at, id",
        ctx.user_id,
        int(usable_only),
        ctx.timestamp(),
    )


@app.api("GET", "/gift_cards/balance", {"balance": 1.0, "cards": 1})
def show_gift_card_balance(ctx: CallContext) -> dict[str, Any]:
    """Show what your usable gift cards hold together (place_order can spend it)."""
    return ctx.existing_row(
        "SELECT ROUND(COALESCE(SUM(balance), 0), 2) AS balance, COUNT(*) AS cards FROM shop_gift_cards "
        "WHERE owner_id = ? AND balance > 0 AND expires_at >= ?",
        ctx.user_id,
        ctx.timestamp(),
    )


@app.api("POST", "/gift_cards", {"message": "string", "gift_card_id": 1, "balance": 1.0})
def redeem_gift_card(
    ctx: CallContext, code: Annotated[str, P("The code printed on the gift card.", min_length=1, max_length=40)]
) -> dict[str, Any]:
    """Add a gift card to your account by its code."""
    card = ctx.row("SELECT * FROM shop_gift_cards WHERE code = ? COLLATE NOCASE", code.strip())
    if card is None:
        raise ApiError(404, f"No gift card with code {code!r}.")
    if card["owner_id"] is not None:
        mine = card["owner_id"] == ctx.user_id
        raise ApiError(409, f"Gift card {card['code']} was already redeemed{' by you' if mine else ''}.")
    if card["expires_at"] < ctx.timestamp():
        raise ApiError(409, f"Gift card {card['code']} expired on {card['expires_at'][:10]}.")
    ctx.update("shop_gift_cards", card["id"], {"owner_id": ctx.user_id, "redeemed_at": ctx.timestamp()})
    return {"message": "Gift card redeemed.", "gift_card_id": card["id"], "balance": card["balance"]}


@app.api("POST", "/gift_cards/buy", {"message": "string", "code": "string", "expires_at": "string"})
def buy_gift_card(
    ctx: CallContext,
    amount: Annotated[float, P("The card's value in dollars.", ge=5, le=500)],
    card_number: Annotated[str, P("Number of the payment card to pay with.", max_length=30)],
) -> dict[str, Any]:
    """Buy a gift card for someone: you get its code to pass on; whoever redeems it gets the money (valid a year)."""
    check_card(ctx, card_number)
    me = ctx.existing_row("SELECT first_name || ' ' || last_name AS name FROM people WHERE id = ?", ctx.user_id)
    serial = ctx.value("SELECT COUNT(*) FROM shop_gift_cards") + 1
    code = f"GB{ctx.caller:03d}{serial:06d}"  # GB: bought here; the world's own cards start with GC
    expires = (ctx.now + timedelta(days=365)).isoformat(timespec="seconds")
    ctx.execute(
        "INSERT INTO shop_gift_cards (code, owner_id, sender_name, initial_amount, balance, redeemed_at, expires_at) "
        "VALUES (?, NULL, ?, ?, ?, NULL, ?)",
        code,
        me["name"],
        round(amount, 2),
        round(amount, 2),
        expires,
    )
    return {"message": f"Gift card of ${amount:.2f} bought.", "code": code, "expires_at": expires}


@app.api("GET", "/users/{email}/wishlist", [PRODUCT], paginated=True)
def show_user_wishlist(
    ctx: CallContext, email: Annotated[str, P("The other person's email address.", min_length=3, max_length=200)]
) -> list[dict[str, Any]]:
    """See someone else's wishlist, if they made it public (to pick a gift)."""
    owner = ctx.value("SELECT id FROM people WHERE email = ? COLLATE NOCASE", email.strip())
    if owner is None:
        raise ApiError(404, f"No shop user with email {email!r}.")
    if not ctx.value("SELECT public_wishlist FROM shop_settings WHERE person_id = ?", owner):
        raise ApiError(409, f"{email}'s wishlist is private.")
    return ctx.rows(
        f"SELECT {PRODUCT_COLUMNS} FROM shop_products p JOIN shop_wishlist w ON w.product_id = p.id "
        "WHERE w.owner_id = ? ORDER BY w.id",
        owner,
    )


@app.api("GET", "/subscriptions", [SUBSCRIPTION], paginated=True)
def show_subscriptions(
    ctx: CallContext,
    status: Annotated[Literal["active", "paused", "cancelled"] | None, P("Only subscriptions in this state.")] = None,
) -> list[dict[str, Any]]:
    """List your subscribe-and-save subscriptions, next delivery first."""
    return ctx.rows(
        "SELECT s.id AS subscription_id, s.product_id, p.name, p.price AS unit_price, s.quantity, s.every_weeks, "
        "s.next_delivery, s.status, s.address_name, s.created_at FROM shop_subscriptions s "
        "JOIN shop_products p ON p.id = s.product_id WHERE s.owner_id = ? AND (s.status = ? OR ? IS NULL) "
        "ORDER BY s.next_delivery, s.id",
        ctx.user_id,
        status,
        status,
    )


@app.api("POST", "/subscriptions", {"message": "string", "subscription_id": 1, "next_delivery": "string"})
def subscribe(
    ctx: CallContext,
    product_id: PRODUCT_ID,
    every_weeks: EVERY_WEEKS,
    quantity: QUANTITY = 1,
    address_name: Annotated[
        str | None, P("Name of a saved address; null uses your default address (see show_settings).", max_length=100)
    ] = None,
) -> dict[str, Any]:
    """Get a product delivered regularly (the first delivery is one period from today)."""
    product(ctx, product_id)
    if address_name is None:
        address_name = str(show_settings(ctx)["default_address_name"])
    address_text(ctx, address_name)
    if ctx.value(
        "SELECT 1 FROM shop_subscriptions WHERE owner_id = ? AND product_id = ? AND status != 'cancelled'",
        ctx.user_id,
        product_id,
    ):
        raise ApiError(409, f"You already subscribe to product {product_id}; use update_subscription.")
    first = (ctx.now.date() + timedelta(weeks=every_weeks)).isoformat()
    new_id = ctx.execute(
        "INSERT INTO shop_subscriptions (owner_id, product_id, quantity, every_weeks, next_delivery, status, "
        "address_name, created_at) VALUES (?,?,?,?,?, 'active', ?, ?)",
        ctx.user_id,
        product_id,
        quantity,
        every_weeks,
        first,
        address_name,
        ctx.timestamp(),
    )
    return {"message": "Subscribed.", "subscription_id": new_id, "next_delivery": first}


def _open_subscription(ctx: CallContext, subscription_id: int) -> dict[str, Any]:
    row = ctx.owned("shop_subscriptions", subscription_id, "subscription of yours")
    if row["status"] == "cancelled":
        raise ApiError(409, f"Subscription {subscription_id} is cancelled.")
    return row


@app.api("PATCH", "/subscriptions/{subscription_id}", MESSAGE)
def update_subscription(
    ctx: CallContext,
    subscription_id: SUBSCRIPTION_ID,
    quantity: Annotated[int | None, P("New quantity per delivery.", ge=1, le=20)] = None,
    every_weeks: Annotated[int | None, P("New period in weeks.", ge=1, le=26)] = None,
    address_name: Annotated[str | None, P("Name of another saved address.", min_length=1, max_length=100)] = None,
) -> dict[str, str]:
    """Change the quantity, period or address of one of your subscriptions."""
    _open_subscription(ctx, subscription_id)
    if address_name is not None:
        address_text(ctx, address_name)
    ctx.update(
        "shop_subscriptions",
        subscription_id,
        {"quantity": quantity, "every_weeks": every_weeks, "address_name": address_name},
    )
    return {"message": "Subscription updated."}


@app.api("POST", "/subscriptions/{subscription_id}/status", MESSAGE)
def set_subscription_status(
    ctx: CallContext,
    subscription_id: SUBSCRIPTION_ID,
    status: Annotated[Literal["active", "paused"], P("Pause deliveries, or make them active again.")],
) -> dict[str, str]:
    """Pause or resume one of your subscriptions."""
    if _open_subscription(ctx, subscription_id)["status"] == status:
        raise ApiError(409, f"Subscription {subscription_id} is already {status}.")
    ctx.execute("UPDATE shop_subscriptions SET status = ? WHERE id = ?", status, subscription_id)
    return {"message": f"Subscription {status}."}


@app.api("POST", "/subscriptions/{subscription_id}/skip", {"message": "string", "next_delivery": "string"})
def skip_next_delivery(ctx: CallContext, subscription_id: SUBSCRIPTION_ID) -> dict[str, Any]:
    """Skip the next delivery of an active subscription: it moves one period later."""
    row = _open_subscription(ctx, subscription_id)
    if row["status"] != "active":
        raise ApiError(409, f"Subscription {subscription_id} is paused; nothing to skip.")
    later = (date.fromisoformat(row["next_delivery"]) + timedelta(weeks=row["every_weeks"])).isoformat()
    pushed_day(later, f"Subscription {subscription_id}'s next delivery")
    ctx.execute("UPDATE shop_subscriptions SET next_delivery = ? WHERE id = ?", later, subscription_id)
    return {"message": "Next delivery skipped.", "next_delivery": later}


@app.api("DELETE", "/subscriptions/{subscription_id}", MESSAGE)
def cancel_subscription(ctx: CallContext, subscription_id: SUBSCRIPTION_ID) -> dict[str, str]:
    """Cancel one of your subscriptions (it stays listed as cancelled)."""
    _open_subscription(ctx, subscription_id)
    ctx.execute("UPDATE shop_subscriptions SET status = 'cancelled' WHERE id = ?", subscription_id)
    return {"message": "Subscription cancelled."}


@app.api("GET", "/settings", SETTINGS)
def show_settings(ctx: CallContext) -> dict[str, Any]:
    """Show your shop settings."""
    row = ctx.existing_row(f"SELECT {', '.join(SETTINGS)} FROM shop_settings WHERE person_id = ?", ctx.user_id)
    return {k: v if k == "default_address_name" else bool(v) for k, v in row.items()}


@app.api("PATCH", "/settings", SETTINGS)
def update_settings(
    ctx: CallContext,
    default_address_name: Annotated[
        str | None, P("The saved address to suggest first.", min_length=1, max_length=100)
    ] = None,
    public_wishlist: Annotated[bool | None, P("Let others see your wishlist.")] = None,
    deal_emails: Annotated[bool | None, P("Get emails about deals.")] = None,
    keep_browsing_history: Annotated[bool | None, P("Keep a history of the products you view.")] = None,
) -> dict[str, Any]:
    """Change your shop settings (omitted ones stay as they are); returns them all."""
    if default_address_name is not None:
        address_text(ctx, default_address_name)
    row_id = ctx.value("SELECT id FROM shop_settings WHERE person_id = ?", ctx.user_id)
    flags = {
        "public_wishlist": public_wishlist,
        "deal_emails": deal_emails,
        "keep_browsing_history": keep_browsing_history,
    }
    ctx.update(
        "shop_settings",
        row_id,
        {"default_address_name": default_address_name, **{k: None if v is None else int(v) for k, v in flags.items()}},
    )
    return show_settings(ctx)
