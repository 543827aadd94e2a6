"""Shop catalog pages beyond the product itself: sellers and their ratings, variants, price history,
questions and answers, helpful votes on reviews, your reviews, and your browsing history."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from envs.toolworld.api import QUERY_MAX_CHARS, ApiError, CallContext, P
from envs.toolworld.apps._day_args import DAY_DOC, day_after, day_arg
from envs.toolworld.apps._shop_base import (
    CATEGORY,
    MESSAGE,
    PRODUCT,
    PRODUCT_ID,
    PRODUCT_SQL,
    app,
    bought,
    category_arg,
    product,
)
from envs.toolworld.apps._text_search import word_conditions

SELLER = {
    "seller_id": 1,
    "name": "string",
    "description": "string",
    "joined_at": "string",
    "rating": 1.0,
    "rating_count": 1,
    "product_count": 1,
}
SELLER_SQL = (
    "SELECT s.id AS seller_id, s.name, s.description, s.joined_at, "
    "ROUND(COALESCE((SELECT AVG(rating) FROM shop_seller_ratings r WHERE r.seller_id = s.id), 0), 2) AS rating, "
    "(SELECT COUNT(*) FROM shop_seller_ratings r WHERE r.seller_id = s.id) AS rating_count, "
    "(SELECT COUNT(*) FROM shop_products p WHERE p.seller_id = s.id) AS product_count FROM shop_sellers s "
)
SELLER_ID = Annotated[int, P("The seller's id.", ge=1)]
QUESTION_ID = Annotated[int, P("The question's id.", ge=1)]
NAME = "u.first_name || ' ' || u.last_name"


def _seller(ctx: CallContext, seller_id: int) -> dict[str, Any]:
    found = ctx.row(f"{SELLER_SQL} WHERE s.id = ?", seller_id)
    if found is None:
        raise ApiError(404, f"No seller with id {seller_id}.")
    return found


@app.api("GET", "/sellers", [SELLER], auth=False, paginated=True)
def show_sellers(
    ctx: CallContext,
    query: Annotated[str, P("Words to match in the seller's name; empty lists all.", max_length=QUERY_MAX_CHARS)] = "",
    sort_by: Annotated[Literal["name", "-rating", "-product_count"], P("Order of results.")] = "name",
) -> list[dict[str, Any]]:
    """List the store's sellers with their average rating and number of products."""
    where, words = word_conditions("s.name", query)
    order = {"name": "s.name", "-rating": "rating DESC, s.name", "-product_count": "product_count DESC, s.name"}
    return ctx.rows(f"{SELLER_SQL} WHERE {' AND '.join(where) or '1'} ORDER BY {order[sort_by]}", *words)


@app.api("GET", "/sellers/{seller_id}", SELLER, auth=False)
def show_seller(ctx: CallContext, seller_id: SELLER_ID) -> dict[str, Any]:
    """Show one seller's page: description, average rating, number of products."""
    return _seller(ctx, seller_id)


@app.api(
    "GET",
    "/sellers/{seller_id}/ratings",
    [{"rating_id": 1, "author": "string", "rating": 1, "comment": "string", "created_at": "string"}],
    auth=False,
    paginated=True,
)
def show_seller_ratings(
    ctx: CallContext,
    seller_id: SELLER_ID,
    max_rating: Annotated[int | None, P("Only ratings with at most these stars.", ge=1, le=5)] = None,
) -> list[dict[str, Any]]:
    """List what buyers said about a seller, newest first."""
    _seller(ctx, seller_id)
    return ctx.rows(
        f"SELECT r.id AS rating_id, {NAME} AS author, r.rating, r.comment, r.created_at FROM shop_seller_ratings r "
        "JOIN people u ON u.id = r.author_id WHERE r.seller_id = ? AND r.rating <= ? ORDER BY r.created_at DESC, r.id",
        seller_id,
        max_rating or 5,
    )


@app.api("PUT", "/sellers/{seller_id}/ratings", {"message": "string", "rating_id": 1})
def rate_seller(
    ctx: CallContext,
    seller_id: SELLER_ID,
    rating: Annotated[int, P("Stars, 1 to 5.", ge=1, le=5)],
    comment: Annotated[str, P("What you say about the seller.", min_length=1, max_length=1000)],
) -> dict[str, Any]:
    """Rate a seller you received an order from; rating again replaces your earlier rating."""
    _seller(ctx, seller_id)
    if not bought(ctx, "p.seller_id = ?", seller_id):
        raise ApiError(
            409, f"You can only rate sellers you received a delivered order from; seller {seller_id} is not."
        )
    old = ctx.value("SELECT id FROM shop_seller_ratings WHERE seller_id = ? AND author_id = ?", seller_id, ctx.user_id)
    if old is not None:
        ctx.update("shop_seller_ratings", old, {"rating": rating, "comment": comment, "created_at": ctx.timestamp()})
        return {"message": "Rating updated.", "rating_id": old}
    new_id = ctx.execute(
        "INSERT INTO shop_seller_ratings (seller_id, author_id, rating, comment, created_at) VALUES (?,?,?,?,?)",
        seller_id,
        ctx.user_id,
        rating,
        comment,
        ctx.timestamp(),
    )
    return {"message": "Rating posted.", "rating_id": new_id}


@app.api("GET", "/products/{product_id}/variants", [PRODUCT], auth=False)
def show_product_variants(ctx: CallContext, product_id: PRODUCT_ID) -> list[dict[str, Any]]:
    """List the variants (colours, sizes) of a product, itself included."""
    product(ctx, product_id)
    return ctx.rows(
        f"{PRODUCT_SQL} WHERE p.group_id = (SELECT group_id FROM shop_products WHERE id = ?) ORDER BY p.id", product_id
    )


@app.api("GET", "/products/{product_id}/prices", [{"price": 1.0, "changed_at": "string"}], auth=False, paginated=True)
def show_price_history(ctx: CallContext, product_id: PRODUCT_ID) -> list[dict[str, Any]]:
    """List a product's price changes, newest first (the first is today's price)."""
    product(ctx, product_id)
    return ctx.rows(
        "SELECT price, changed_at FROM shop_price_history WHERE product_id = ? ORDER BY changed_at DESC, id DESC",
        product_id,
    )


@app.api(
    "GET",
    "/products/{product_id}/questions",
    [
        {
            "question_id": 1,
            "author": "string",
            "text": "string",
            "created_at": "string",
            "answers": [{"answer_id": 1, "author": "string", "text": "string", "created_at": "string"}],
        }
    ],
    auth=False,
    paginated=True,
)
def show_product_questions(
    ctx: CallContext,
    product_id: PRODUCT_ID,
    query: Annotated[str, P("Words to match in the question.", max_length=QUERY_MAX_CHARS)] = "",
    answered_only: Annotated[bool, P("Only questions that have an answer.")] = False,
) -> list[dict[str, Any]]:
    """List the questions buyers asked about a product, newest first, each with its answers."""
    product(ctx, product_id)
    where, words = word_conditions("q.text", query)
    questions = ctx.rows(
        f"SELECT q.id AS question_id, {NAME} AS author, q.text, q.created_at FROM shop_questions q "
        f"JOIN people u ON u.id = q.author_id WHERE q.product_id = ? "
        f"{''.join(f' AND {condition}' for condition in where)} ORDER BY q.created_at DESC, q.id DESC",
        product_id,
        *words,
    )
    answers: dict[int, list[dict[str, Any]]] = {}
    for a in ctx.rows(
        f"SELECT a.question_id, a.id AS answer_id, {NAME} AS author, a.text, a.created_at FROM shop_answers a "
        "JOIN shop_questions q ON q.id = a.question_id JOIN people u ON u.id = a.author_id WHERE q.product_id = ? "
        "ORDER BY a.created_at, a.id",
        product_id,
    ):
        answers.setdefault(a.pop("question_id"), []).append(a)
    out = [{**q, "answers": answers.get(q["question_id"], [])} for q in questions]
    return [q for q in out if q["answers"] or not answered_only]


@app.api("POST", "/products/{product_id}/questions", {"message": "string", "question_id": 1})
def ask_question(
    ctx: CallContext,
    product_id: PRODUCT_ID,
    text: Annotated[str, P("Your question.", min_length=1, max_length=1000)],
) -> dict[str, Any]:
    """Ask a question about a product; buyers and the seller can answer it."""
    product(ctx, product_id)
    new_id = ctx.execute(
        "INSERT INTO shop_questions (product_id, author_id, text, created_at) VALUES (?,?,?,?)",
        product_id,
        ctx.user_id,
        text,
        ctx.timestamp(),
    )
    return {"message": "Question posted.", "question_id": new_id}


@app.api("POST", "/questions/{question_id}/answers", {"message": "string", "answer_id": 1})
def answer_question(
    ctx: CallContext,
    question_id: QUESTION_ID,
    text: Annotated[str, P("Your answer.", min_length=1, max_length=1000)],
) -> dict[str, Any]:
    """Answer another buyer's question about a product you received."""
    question = ctx.row("SELECT product_id, author_id FROM shop_questions WHERE id = ?", question_id)
    if question is None:
        raise ApiError(404, f"No question with id {question_id}.")
    if question["author_id"] == ctx.user_id:
        raise ApiError(409, "You cannot answer your own question.")
    if not bought(ctx, "i.product_id = ?", question["product_id"]):
        raise ApiError(409, f"Only buyers of product {question['product_id']} can answer questions about it.")
    new_id = ctx.execute(
        "INSERT INTO shop_answers (question_id, author_id, text, created_at) VALUES (?,?,?,?)",
        question_id,
        ctx.user_id,
        text,
        ctx.timestamp(),
    )
    return {"message": "Answer posted.", "answer_id": new_id}


@app.api("DELETE", "/questions/{question_id}", MESSAGE)
def delete_question(ctx: CallContext, question_id: QUESTION_ID) -> dict[str, str]:
    """Delete one of your questions with its answers."""
    ctx.owned("shop_questions", question_id, "question of yours", owner_column="author_id")
    ctx.execute("DELETE FROM shop_answers WHERE question_id = ?", question_id)
    ctx.execute("DELETE FROM shop_questions WHERE id = ?", question_id)
    return {"message": "Question deleted."}


@app.api("PUT", "/reviews/{review_id}/vote", MESSAGE)
def vote_review(
    ctx: CallContext,
    review_id: Annotated[int, P("The review's id.", ge=1)],
    helpful: Annotated[bool, P("True if the review helped you, false if not.")] = True,
) -> dict[str, str]:
    """Say whether another buyer's review was helpful (voting again changes your vote)."""
    author = ctx.value("SELECT author_id FROM shop_reviews WHERE id = ?", review_id)
    if author is None:
        raise ApiError(404, f"No review with id {review_id}.")
    if author == ctx.user_id:
        raise ApiError(409, "You cannot vote on your own review.")
    old = ctx.row(
        "SELECT id, helpful FROM shop_review_votes WHERE review_id = ? AND voter_id = ?", review_id, ctx.user_id
    )
    if old is None:
        ctx.execute(
            "INSERT INTO shop_review_votes (review_id, voter_id, helpful) VALUES (?,?,?)",
            review_id,
            ctx.user_id,
            int(helpful),
        )
    elif old["helpful"] == int(helpful):
        raise ApiError(409, f"You already voted this review {'helpful' if helpful else 'not helpful'}.")
    else:
        ctx.execute("UPDATE shop_review_votes SET helpful = ? WHERE id = ?", int(helpful), old["id"])
    return {"message": "Vote recorded."}


@app.api(
    "GET",
    "/reviews",
    [
        {
            "review_id": 1,
            "product_id": 1,
            "product_name": "string",
            "rating": 1,
            "text": "string",
            "created_at": "string",
        }
    ],
    paginated=True,
)
def show_my_reviews(
    ctx: CallContext,
    max_rating: Annotated[int | None, P("Only reviews with at most these stars.", ge=1, le=5)] = None,
) -> list[dict[str, Any]]:
    """List the reviews you wrote, newest first."""
    return ctx.rows(
        "SELECT r.id AS review_id, r.product_id, p.name AS product_name, r.rating, r.text, r.created_at "
        "FROM shop_reviews r JOIN shop_products p ON p.id = r.product_id WHERE r.author_id = ? AND r.rating <= ? "
        "ORDER BY r.created_at DESC, r.id DESC",
        ctx.user_id,
        max_rating or 5,
    )


@app.api(
    "GET",
    "/history",
    [{"history_id": 1, "product_id": 1, "name": "string", "category": "string", "price": 1.0, "viewed_at": "string"}],
    paginated=True,
)
def show_browsing_history(
    ctx: CallContext,
    category: CATEGORY = None,
    start_date: Annotated[str | None, P(f"Only views from this day on ({DAY_DOC}).", max_length=10)] = None,
    end_date: Annotated[str | None, P(f"Only views up to and including this day ({DAY_DOC}).", max_length=10)] = None,
) -> list[dict[str, Any]]:
    """List the products you looked at, most recent first."""
    category = category_arg(ctx, category)
    first, last = day_arg("start_date", start_date), day_arg("end_date", end_date)
    return ctx.rows(
        "SELECT h.id AS history_id, h.product_id, p.name, p.category, p.price, h.viewed_at FROM shop_history h "
        "JOIN shop_products p ON p.id = h.product_id WHERE h.owner_id = ? AND (p.category = ? OR ? IS NULL) "
        "AND h.viewed_at >= ? AND h.viewed_at < ? ORDER BY h.viewed_at DESC, h.id DESC",
        ctx.user_id,
        category,
        category,
        first or "",
        day_after(last) if last else "9999",
    )


@app.api("DELETE", "/history/{history_id}", MESSAGE)
def delete_history_item(
    ctx: CallContext, history_id: Annotated[int, P("The history entry's id.", ge=1)]
) -> dict[str, str]:
    """Remove one entry from your browsing history."""
    ctx.owned("shop_history", history_id, "history entry of yours")
    ctx.execute("DELETE FROM shop_history WHERE id = ?", history_id)
    return {"message": "History entry removed."}


@app.api("DELETE", "/history", {"message": "string", "removed": 1})
def clear_browsing_history(
    ctx: CallContext,
    before_date: Annotated[
        str | None, P(f"Only entries from before this day ({DAY_DOC}); null clears everything.", max_length=10)
    ] = None,
) -> dict[str, Any]:
    """Clear your browsing history, or the part of it older than a day."""
    cutoff = day_arg("before_date", before_date) or "9999"
    removed = ctx.value("SELECT COUNT(*) FROM shop_history WHERE owner_id = ? AND viewed_at < ?", ctx.user_id, cutoff)
    ctx.execute("DELETE FROM shop_history WHERE owner_id = ? AND viewed_at < ?", ctx.user_id, cutoff)
    return {"message": f"Removed {removed} entries.", "removed": removed}
