"""email: filters, saved rules that sort matching threads (label, archive, star...) whenever you run them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from envs.toolworld.api import ApiError, CallContext, P, Page
from envs.toolworld.apps._sql_page import sql_page
from envs.toolworld.apps.email import KEPT, MESSAGE, app

Action = Literal["archive", "star", "mark_read", "label", "important", "trash", "spam"]
FILTER = {
    "filter_id": 1,
    "from_address": "string",
    "subject_contains": "string",
    "has_words": "string",
    "action": "string",
    "label": "string",
    "created_at": "string",
}
FILTER_ID = Annotated[int, P("The filter's id.", ge=1)]
# what each action sets on a matching thread (mark_read and label touch other tables)
FLAG_OF_ACTION = {
    "archive": "is_archived",
    "star": "is_starred",
    "important": "is_important",
    "trash": "is_trashed",
    "spam": "is_spam",
}


# a filter with its label's name joined, not looked up one query per filter; null if it has none or it was deleted
FILTERS_SQL = "SELECT f.*, l.name AS label FROM email_filters f LEFT JOIN email_labels l ON l.id = f.label_id"


def _filter(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "filter_id": row["id"],
        **{k: row[k] for k in ("from_address", "subject_contains", "has_words", "action", "label", "created_at")},
    }


@app.api("GET", "/filters", [FILTER], paginated=True)
def show_filters(ctx: CallContext) -> Page:
    """List your filters, oldest first."""
    return sql_page(ctx, f"{FILTERS_SQL} WHERE f.owner_id = ?", "f.created_at, f.id", ctx.user_id, shape=_filter)


@app.api("POST", "/filters", {"message": "string", "filter_id": 1})
def create_filter(
    ctx: CallContext,
    action: Annotated[Action, P("What to do with a matching thread.")],
    from_address: Annotated[str, P("Match threads with an email from this address.", max_length=200)] = "",
    subject_contains: Annotated[str, P("Match threads whose subject contains this text.", max_length=200)] = "",
    has_words: Annotated[str, P("Match threads with an email whose text contains this.", max_length=200)] = "",
    label_id: Annotated[int | None, P("The label to put on matches (action 'label' only).", ge=1)] = None,
) -> dict[str, Any]:
    """Save a filter: threads matching every criterion you give get the action when you run it (apply_filter)."""
    if not (from_address.strip() or subject_contains.strip() or has_words.strip()):
        raise ApiError(422, "A filter needs at least one of 'from_address', 'subject_contains' or 'has_words'.")
    if (action == "label") != (label_id is not None):
        raise ApiError(422, "Invalid argument 'label_id': give it with action 'label', and only then.")
    if label_id is not None:
        ctx.owned("email_labels", label_id, "label")
    new_id = ctx.execute(
        "INSERT INTO email_filters (owner_id, from_address, subject_contains, has_words, action, label_id, "
        "created_at) VALUES (?,?,?,?,?,?,?)",
        ctx.user_id,
        from_address.strip(),
        subject_contains.strip(),
        has_words.strip(),
        action,
        label_id,
        ctx.timestamp(),
    )
    return {"message": "Filter created.", "filter_id": new_id}


@app.api("DELETE", "/filters/{filter_id}", MESSAGE)
def delete_filter(ctx: CallContext, filter_id: FILTER_ID) -> dict[str, str]:
    """Delete a filter; what it already did stays."""
    ctx.owned("email_filters", filter_id, "filter")
    ctx.execute("DELETE FROM email_filters WHERE id = ?", filter_id)
    return {"message": "Filter deleted."}


@app.api("POST", "/filters/{filter_id}/apply", {"message": "string", "changed_threads": 1})
def apply_filter(ctx: CallContext, filter_id: FILTER_ID) -> dict[str, Any]:
    """Run a filter over your mailbox outside the spam and the trash; threads already so are left alone."""
    rule = ctx.owned("email_filters", filter_id, "filter")
    if rule["action"] == "label" and not ctx.value("SELECT 1 FROM email_labels WHERE id = ?", rule["label_id"]):
        raise ApiError(409, f"The label of filter {filter_id} was deleted; delete the filter or make a new one.")
    where, args = [f"t.owner_id = ? AND {KEPT}"], [ctx.user_id]
    if rule["from_address"]:
        where.append(
            "EXISTS (SELECT 1 FROM email_messages m JOIN people p ON p.id = m.sender_id "
            "WHERE m.thread_id = t.id AND lower(p.email) = lower(?))"
        )
        args.append(rule["from_address"])
    if rule["subject_contains"]:
        where.append("instr(lower(t.subject), lower(?))")
        args.append(rule["subject_contains"])
    if rule["has_words"]:
        where.append(
            "EXISTS (SELECT 1 FROM email_messages m WHERE m.thread_id = t.id AND instr(lower(m.body), lower(?)))"
        )
        args.append(rule["has_words"])
    if rule["action"] == "mark_read":
        where.append("EXISTS (SELECT 1 FROM email_messages u WHERE u.thread_id = t.id AND u.is_read = 0)")
    elif rule["action"] == "label":
        where.append("NOT EXISTS (SELECT 1 FROM email_thread_labels x WHERE x.thread_id = t.id AND x.label_id = ?)")
        args.append(rule["label_id"])
    else:
        where.append(f"t.{FLAG_OF_ACTION[rule['action']]} = 0")
    matching = f"SELECT t.id FROM email_threads t WHERE {' AND '.join(where)}"
    changed = ctx.value(f"SELECT COUNT(*) FROM ({matching})", *args)
    _act(ctx, rule, matching, args)
    return {"message": f"The filter changed {changed} threads.", "changed_threads": changed}


def _act(ctx: CallContext, rule: dict[str, Any], matching: str, args: list[Any]) -> None:
    """Do a filter's action to the threads `matching` selects, in one statement: a statement a thread (with the
    change log's triggers) took 0.67 s of env CPU for 13,439 threads."""
    if rule["action"] == "mark_read":
        ctx.execute(f"UPDATE email_messages SET is_read = 1 WHERE is_read = 0 AND thread_id IN ({matching})", *args)
    elif rule["action"] == "label":
        ctx.execute(
            f"INSERT INTO email_thread_labels (thread_id, label_id) SELECT id, ? FROM ({matching})",
            rule["label_id"],
            *args,
        )
    else:
        ctx.execute(f"UPDATE email_threads SET {FLAG_OF_ACTION[rule['action']]} = 1 WHERE id IN ({matching})", *args)
