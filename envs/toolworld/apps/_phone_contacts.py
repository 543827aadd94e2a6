"""phone: favourite contacts and the birthdays coming up."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from envs.toolworld.api import ApiError, CallContext, P
from envs.toolworld.apps.phone import CONTACT, DONE, ID, _contact, app


def _set_favorite(ctx: CallContext, contact_id: int, value: int) -> dict[str, str]:
    row = ctx.owned("phone_contacts", contact_id, "contact")
    state = "a favourite" if value else "not a favourite"
    if row["is_favorite"] == value:
        raise ApiError(409, f"Contact {contact_id} is already {state}.")
    ctx.execute("UPDATE phone_contacts SET is_favorite = ? WHERE id = ?", value, contact_id)
    return {"message": f"Contact {contact_id} is now {state}."}


@app.api("POST", "/contacts/{contact_id}/favorite", DONE)
def favorite_contact(ctx: CallContext, contact_id: ID) -> dict[str, str]:
    """Make a contact a favourite (favourites can ring through do-not-disturb)."""
    return _set_favorite(ctx, contact_id, 1)


@app.api("DELETE", "/contacts/{contact_id}/favorite", DONE)
def unfavorite_contact(ctx: CallContext, contact_id: ID) -> dict[str, str]:
    """Take a contact off your favourites."""
    return _set_favorite(ctx, contact_id, 0)


def _next_birthday(born: date, today: date) -> date:
    for year in (today.year, today.year + 1):
        try:
            day = born.replace(year=year)
        except ValueError:  # born on 29 February: celebrated on 1 March in other years
            day = date(year, 3, 1)
        if day >= today:
            return day
    raise AssertionError("a birthday comes within a year")


@app.api(
    "GET", "/contacts/birthdays", [{**CONTACT, "next_birthday": "string", "turns": 1, "days_away": 1}], paginated=True
)
def show_upcoming_birthdays(
    ctx: CallContext,
    days_ahead: Annotated[int, P("How many days ahead to look, from today.", ge=0, le=366)] = 30,
) -> list[dict[str, Any]]:
    """List the contacts whose birthday (if you saved it) falls in the coming days, soonest first."""
    today = ctx.now.date()
    out = []
    for row in ctx.rows("SELECT * FROM phone_contacts WHERE owner_id = ? AND birthday IS NOT NULL", ctx.user_id):
        born = date.fromisoformat(row["birthday"])
        coming = _next_birthday(born, today)
        if (coming - today).days <= days_ahead:
            out.append(
                {
                    **_contact(row),
                    "next_birthday": coming.isoformat(),
                    "turns": coming.year - born.year,
                    "days_away": (coming - today).days,
                }
            )
    return sorted(out, key=lambda c: (c["days_away"], c["first_name"], c["last_name"], c["contact_id"]))
