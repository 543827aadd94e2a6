"""The shop app's declaration (schema, shared shapes and argument types) and helpers its API modules share."""

from __future__ import annotations

from typing import Annotated, Any

from envs.toolworld.api import ApiError, App, CallContext, P
from envs.toolworld.apps._accounts import add_account_apis

app = App(
    "shop",
    "An online store: search products and sellers, read reviews and Q&A, fill a cart, place, track and return "
    "orders, with coupons, gift cards, subscriptions and a wishlist.",
    schema="""
    CREATE TABLE shop_sellers (
        id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, description TEXT NOT NULL,
        joined_at TEXT NOT NULL
    );
    CREATE TABLE shop_products (
        id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, category TEXT NOT NULL, price REAL NOT NULL,
        rating REAL NOT NULL, stock INTEGER NOT NULL, seller TEXT NOT NULL, seller_id INTEGER NOT NULL,
        brand TEXT NOT NULL, description TEXT NOT NULL, group_id INTEGER NOT NULL, variant TEXT,
        list_price REAL NOT NULL, created_at TEXT NOT NULL
    );
    CREATE INDEX shop_products_category ON shop_products (category, price);
    CREATE INDEX shop_products_seller ON shop_products (seller_id);
    CREATE INDEX shop_products_group ON shop_products (group_id);
    CREATE TABLE shop_price_history (
        id INTEGER PRIMARY KEY AUTOINCREMENT, product_id INTEGER NOT NULL, price REAL NOT NULL,
        changed_at TEXT NOT NULL
    );
    CREATE INDEX shop_price_history_product ON shop_price_history (product_id, changed_at);
    CREATE TABLE shop_cart (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, product_id INTEGER NOT NULL,
        quantity INTEGER NOT NULL, UNIQUE(owner_id, product_id)
    );
    CREATE TABLE shop_saved (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, product_id INTEGER NOT NULL,
        quantity INTEGER NOT NULL, saved_at TEXT NOT NULL, UNIQUE(owner_id, product_id)
    );
    CREATE TABLE shop_orders (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, status TEXT NOT NULL, address TEXT NOT NULL,
        card_number TEXT NOT NULL, total REAL NOT NULL, created_at TEXT NOT NULL, shipping_speed TEXT NOT NULL,
        shipping_fee REAL NOT NULL, coupon_code TEXT, discount REAL NOT NULL, gift_card_amount REAL NOT NULL,
        delivered_at TEXT
    );
    CREATE INDEX shop_orders_owner ON shop_orders (owner_id, created_at);
    CREATE TABLE shop_order_items (
        id INTEGER PRIMARY KEY AUTOINCREMENT, order_id INTEGER NOT NULL, product_id INTEGER NOT NULL,
        quantity INTEGER NOT NULL, unit_price REAL NOT NULL
    );
    CREATE INDEX shop_order_items_order ON shop_order_items (order_id);
    CREATE INDEX shop_order_items_product ON shop_order_items (product_id);
    CREATE TABLE shop_tracking (
        id INTEGER PRIMARY KEY AUTOINCREMENT, order_id INTEGER NOT NULL, status TEXT NOT NULL,
        location TEXT NOT NULL, at TEXT NOT NULL
    );
    CREATE INDEX shop_tracking_order ON shop_tracking (order_id, at);
    CREATE TABLE shop_reviews (
        id INTEGER PRIMARY KEY AUTOINCREMENT, product_id INTEGER NOT NULL, author_id INTEGER NOT NULL,
        rating INTEGER NOT NULL, text TEXT NOT NULL, created_at TEXT NOT NULL
    );
    CREATE INDEX shop_reviews_product ON shop_reviews (product_id, created_at);
    CREATE INDEX shop_reviews_author ON shop_reviews (author_id);
    CREATE TABLE shop_review_votes (
        id INTEGER PRIMARY KEY AUTOINCREMENT, review_id INTEGER NOT NULL, voter_id INTEGER NOT NULL,
        helpful INTEGER NOT NULL, UNIQUE(review_id, voter_id)
    );
    CREATE TABLE shop_wishlist (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, product_id INTEGER NOT NULL,
        added_at TEXT NOT NULL, price_when_added REAL NOT NULL, UNIQUE(owner_id, product_id)
    );
    CREATE TABLE shop_returns (
        id INTEGER PRIMARY KEY AUTOINCREMENT, order_id INTEGER NOT NULL, product_id INTEGER NOT NULL,
        reason TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL, refund_amount REAL NOT NULL
    );
    CREATE INDEX shop_returns_order ON shop_returns (order_id);
    CREATE TABLE shop_questions (
        id INTEGER PRIMARY KEY AUTOINCREMENT, product_id INTEGER NOT NULL, author_id INTEGER NOT NULL,
        text TEXT NOT NULL, created_at TEXT NOT NULL
    );
    CREATE INDEX shop_questions_product ON shop_questions (product_id);
    CREATE TABLE shop_answers (
        id INTEGER PRIMARY KEY AUTOINCREMENT, question_id INTEGER NOT NULL, author_id INTEGER NOT NULL,
        text TEXT NOT NULL, created_at TEXT NOT NULL
    );
    CREATE INDEX shop_answers_question ON shop_answers (question_id);
    CREATE TABLE shop_seller_ratings (
        id INTEGER PRIMARY KEY AUTOINCREMENT, seller_id INTEGER NOT NULL, author_id INTEGER NOT NULL,
        rating INTEGER NOT NULL, comment TEXT NOT NULL, created_at TEXT NOT NULL, UNIQUE(seller_id, author_id)
    );
    CREATE TABLE shop_history (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, product_id INTEGER NOT NULL,
        viewed_at TEXT NOT NULL
    );
    CREATE INDEX shop_history_owner ON shop_history (owner_id, viewed_at);
    CREATE TABLE shop_coupons (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, code TEXT NOT NULL,
        description TEXT NOT NULL, percent_off INTEGER NOT NULL, min_total REAL NOT NULL, category TEXT,
        expires_at TEXT NOT NULL, used_order_id INTEGER, UNIQUE(owner_id, code)
    );
    CREATE TABLE shop_gift_cards (
        id INTEGER PRIMARY KEY AUTOINCREMENT, code TEXT NOT NULL UNIQUE, owner_id INTEGER, sender_name TEXT NOT NULL,
        initial_amount REAL NOT NULL, balance REAL NOT NULL, redeemed_at TEXT, expires_at TEXT NOT NULL
    );
    CREATE INDEX shop_gift_cards_owner ON shop_gift_cards (owner_id);
    CREATE TABLE shop_subscriptions (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, product_id INTEGER NOT NULL,
        quantity INTEGER NOT NULL, every_weeks INTEGER NOT NULL, next_delivery TEXT NOT NULL, status TEXT NOT NULL,
        address_name TEXT NOT NULL, created_at TEXT NOT NULL
    );
    CREATE INDEX shop_subscriptions_owner ON shop_subscriptions (owner_id);
    CREATE TABLE shop_settings (
        id INTEGER PRIMARY KEY AUTOINCREMENT, person_id INTEGER NOT NULL UNIQUE, default_address_name TEXT NOT NULL,
        public_wishlist INTEGER NOT NULL, deal_emails INTEGER NOT NULL, keep_browsing_history INTEGER NOT NULL
    );
    """,
)
add_account_apis(app)

SHIPPING_FEES = {"standard": 0.0, "express": 9.99, "next_day": 19.99}
PRODUCT = {
    "product_id": 1,
    "name": "string",
    "category": "string",
    "price": 1.0,
    "list_price": 1.0,
    "rating": 1.0,
    "stock": 1,
    "seller": "string",
    "seller_id": 1,
    "brand": "string",
    "variant": "string",
}
PRODUCT_COLUMNS = (
    "p.id AS product_id, p.name, p.category, p.price, p.list_price, p.rating, p.stock, p.seller, p.seller_id, "
    "p.brand, p.variant"
)
PRODUCT_SQL = f"SELECT {PRODUCT_COLUMNS} FROM shop_products p "
MESSAGE = {"message": "string"}
PRODUCT_ID = Annotated[int, P("The product's id.", ge=1)]
ORDER_ID = Annotated[int, P("The order's id.", ge=1)]
QUANTITY = Annotated[int, P("How many.", ge=1, le=20)]
CATEGORY = Annotated[str | None, P("Only this category (see show_categories).", max_length=50)]
ADDRESS_NAME = Annotated[
    str, P("Name of one of your saved addresses, e.g. 'Home' (see show_addresses).", min_length=1, max_length=100)
]


def product(ctx: CallContext, product_id: int) -> dict[str, Any]:
    """One product as the API shows it, or 404."""
    row = ctx.row(f"{PRODUCT_SQL} WHERE p.id = ?", product_id)
    if row is None:
        raise ApiError(404, f"No product with id {product_id}.")
    return row


def address_text(ctx: CallContext, address_name: str) -> str:
    """The caller's saved address called `address_name`, as one line; 404 naming it if there is none."""
    found = ctx.value(
        "SELECT street_address || ', ' || city || ', ' || state || ' ' || zip_code FROM addresses "
        "WHERE person_id = ? AND name = ?",
        ctx.user_id,
        address_name,
    )
    if found is None:
        raise ApiError(404, f"No saved address named {address_name!r} (see show_addresses).")
    return str(found)


def check_card(ctx: CallContext, card_number: str) -> None:
    if not ctx.value("SELECT 1 FROM payment_cards WHERE person_id = ? AND card_number = ?", ctx.user_id, card_number):
        raise ApiError(
            404, "No payment card of yours with that card_number (see apis.supervisor.show_payment_cards())."
        )


def bought(ctx: CallContext, where: str, *args: Any) -> bool:
    """Whether the caller has a delivered order with an item matching `where` (on alias i, joined product p)."""
    return bool(
        ctx.value(
            "SELECT 1 FROM shop_orders o JOIN shop_order_items i ON i.order_id = o.id "
            f"JOIN shop_products p ON p.id = i.product_id WHERE o.owner_id = ? AND o.status = 'delivered' AND {where}",
            ctx.user_id,
            *args,
        )
    )


def add_to_cart_row(ctx: CallContext, product_id: int, quantity: int) -> None:
    """Put `quantity` of a product in the caller's cart, adding to what is there."""
    current = ctx.value("SELECT quantity FROM shop_cart WHERE owner_id = ? AND product_id = ?", ctx.user_id, product_id)
    if current is None:
        ctx.execute(
            "INSERT INTO shop_cart (owner_id, product_id, quantity) VALUES (?,?,?)", ctx.user_id, product_id, quantity
        )
    else:
        ctx.execute(
            "UPDATE shop_cart SET quantity = ? WHERE owner_id = ? AND product_id = ?",
            min(current + quantity, 99),
            ctx.user_id,
            product_id,
        )


def category_arg(ctx: CallContext, category: str | None) -> str | None:
    """`category` if the store has it (None stays None), else a 422 listing the categories: a typo must not
    look like an empty result."""
    if category is None or ctx.value("SELECT 1 FROM shop_products WHERE category = ? LIMIT 1", category):
        return category
    known = [r["category"] for r in ctx.rows("SELECT DISTINCT category FROM shop_products ORDER BY category")]
    raise ApiError(422, f"Invalid argument 'category': {category!r} is not a category; categories are {known}.")
