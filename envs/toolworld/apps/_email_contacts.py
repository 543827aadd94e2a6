"""email: the address book, where people keep names, notes and favourites (some with an address that bounces)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from envs.toolworld.api import QUERY_MAX_CHARS, ApiError, CallContext, P
from envs.toolworld.apps._text_search import search_words
from envs.toolworld.apps.email import MESSAGE, app

CONTACT = {
    "email_contact_id": 1,
    "name": "string",
    "email": "string",
    "notes": "string",
    "is_favorite": True,
    "created_at": "string",
}
CONTACT_ID = Annotated[int, P("The address-book entry's id.", ge=1)]
NAME = Annotated[str, P("The contact's name.", min_length=1, max_length=100)]
ADDRESS = Annotated[str, P("The contact's email address.", min_length=3, max_length=200)]
NOTES = Annotated[str, P("Anything to remember about them.", max_length=1000)]
SORTS = {"name": "name, id", "-created_at": "created_at DESC, id DESC", "created_at": "created_at, id"}


def _contact(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "email_contact_id": row["id"],
        **{k: row[k] for k in ("name", "email", "notes")},
        "is_favorite": bool(row["is_favorite"]),
        "created_at": row["created_at"],
    }


def _checked_address(ctx: CallContext, email: str, keep_id: int | None = None) -> str:
    address = email.strip()
    if "@" not in address[1:-1]:
        raise ApiError(422, f"Invalid argument 'email': {email!r} is not an email address.")
    clash = ctx.value(
        "SELECT id FROM email_contacts WHERE owner_id = ? AND lower(email) = lower(?) AND id != ?",
        ctx.user_id,
        address,
        keep_id or 0,
    )
    if clash:
        raise ApiError(409, f"Your address book already has {address} (entry {clash}).")
    return address


@app.api("GET", "/contacts", [CONTACT], paginated=True)
def show_email_contacts(
    ctx: CallContext,
    query: Annotated[
        str, P("Words to match in the name, address or notes; empty lists all.", max_length=QUERY_MAX_CHARS)
    ] = "",
    favorites_only: Annotated[bool, P("Only your favourite contacts.")] = False,
    sort_by: Annotated[
        Literal["name", "-created_at", "created_at"], P("By name, newest first or oldest first.")
    ] = "name",
) -> list[dict[str, Any]]:
    """List the people in your email address book."""
    words = search_words(query)
    where = "".join(" AND instr(lower(name || ' ' || email || ' ' || notes), ?)" for _ in words)
    if favorites_only:
        where += " AND is_favorite = 1"
    rows = ctx.rows(
        f"SELECT * FROM email_contacts WHERE owner_id = ?{where} ORDER BY {SORTS[sort_by]}", ctx.user_id, *words
    )
    return [_contact(r) for r in rows]


@app.api("GET", "/contacts/{email_contact_id}", CONTACT)
def show_email_contact(ctx: CallContext, email_contact_id: CONTACT_ID) -> dict[str, Any]:
    """Show one entry of your address book."""
    return _contact(ctx.owned("email_contacts", email_contact_id, "address-book entry"))


@app.api("POST", "/contacts", {"message": "string", "email_contact_id": 1})
def add_email_contact(
    ctx: CallContext,
    name: NAME,
    email: ADDRESS,
    notes: NOTES = "",
    is_favorite: Annotated[bool, P("Make them a favourite.")] = False,
) -> dict[str, Any]:
    """Add someone to your email address book."""
    new_id = ctx.execute(
        "INSERT INTO email_contacts (owner_id, name, email, notes, is_favorite, created_at) VALUES (?,?,?,?,?,?)",
        ctx.user_id,
        name,
        _checked_address(ctx, email),
        notes,
        int(is_favorite),
        ctx.timestamp(),
    )
    return {"message": "Contact added.", "email_contact_id": new_id}


@app.api("PATCH", "/contacts/{email_contact_id}", MESSAGE)
def update_email_contact(
    ctx: CallContext,
    email_contact_id: CONTACT_ID,
    name: Annotated[str | None, P("New name; null keeps it.", min_length=1, max_length=100)] = None,
    email: Annotated[str | None, P("New address; null keeps it.", min_length=3, max_length=200)] = None,
    notes: Annotated[str | None, P("New notes; null keeps them.", max_length=1000)] = None,
    is_favorite: Annotated[bool | None, P("Favourite or not; null keeps it.")] = None,
) -> dict[str, str]:
    """Change the fields you give of one address-book entry."""
    ctx.owned("email_contacts", email_contact_id, "address-book entry")
    fields = {
        "name": name,
        "email": None if email is None else _checked_address(ctx, email, email_contact_id),
        "notes": notes,
        "is_favorite": None if is_favorite is None else int(is_favorite),
    }
    ctx.update("email_contacts", email_contact_id, fields)
    return {"message": "Contact updated."}


@app.api("DELETE", "/contacts/{email_contact_id}", MESSAGE)
def delete_email_contact(ctx: CallContext, email_contact_id: CONTACT_ID) -> dict[str, str]:
    """Remove an entry from your address book."""
    ctx.owned("email_contacts", email_contact_id, "address-book entry")
    ctx.execute("DELETE FROM email_contacts WHERE id = ?", email_contact_id)
    return {"message": "Contact deleted."}
