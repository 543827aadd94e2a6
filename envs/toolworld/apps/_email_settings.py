"""email: the account's settings: display name, signature and the vacation reply (sent by _deliver while on)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from envs.toolworld.api import ApiError, CallContext, P
from envs.toolworld.apps._day_args import DAY_DOC, iso_day
from envs.toolworld.apps.email import MESSAGE, app

SETTINGS = {
    "display_name": "string",
    "signature": "string",
    "vacation_enabled": True,
    "vacation_subject": "string",
    "vacation_message": "string",
    "vacation_start": "string",
    "vacation_end": "string",
    "vacation_running_now": True,
}


def _settings_row(ctx: CallContext) -> dict[str, Any]:
    return ctx.existing_row("SELECT * FROM email_settings WHERE owner_id = ?", ctx.user_id)  # one per person


@app.api("GET", "/settings", SETTINGS)
def show_email_settings(ctx: CallContext) -> dict[str, Any]:
    """Show your email settings: display name, signature and vacation reply."""
    row = _settings_row(ctx)
    today = ctx.now.date().isoformat()
    return {
        **{k: row[k] for k in SETTINGS if k in row},
        "vacation_enabled": bool(row["vacation_enabled"]),
        "vacation_running_now": bool(row["vacation_enabled"]) and row["vacation_start"] <= today <= row["vacation_end"],
    }


@app.api("PATCH", "/settings", MESSAGE)
def update_email_settings(
    ctx: CallContext,
    display_name: Annotated[str | None, P("The name shown to people you email.", min_length=1, max_length=100)] = None,
    signature: Annotated[str | None, P("Text that can go below your emails; '' for none.", max_length=1000)] = None,
    vacation_enabled: Annotated[bool | None, P("Turn the vacation reply on or off.")] = None,
    vacation_subject: Annotated[
        str | None, P("Subject line of the vacation reply.", min_length=1, max_length=200)
    ] = None,
    vacation_message: Annotated[str | None, P("Text of the vacation reply.", max_length=5000)] = None,
    vacation_start: Annotated[str | None, P(f"First day of the vacation reply ({DAY_DOC}).", max_length=10)] = None,
    vacation_end: Annotated[str | None, P(f"Last day of the vacation reply ({DAY_DOC}).", max_length=10)] = None,
) -> dict[str, str]:
    """Change the settings you give. While the vacation reply runs, everyone who emails you gets it at once."""
    row = _settings_row(ctx)
    start = row["vacation_start"] if vacation_start is None else iso_day("vacation_start", vacation_start)
    end = row["vacation_end"] if vacation_end is None else iso_day("vacation_end", vacation_end)
    if date.fromisoformat(end) < date.fromisoformat(start):
        raise ApiError(422, f"Invalid argument 'vacation_end': {end} is before the vacation starts ({start}).")
    fields = {
        "display_name": display_name,
        "signature": signature,
        "vacation_enabled": None if vacation_enabled is None else int(vacation_enabled),
        "vacation_subject": vacation_subject,
        "vacation_message": vacation_message,
        "vacation_start": start,
        "vacation_end": end,
    }
    for column, value in fields.items():
        if value is not None and value != row[column]:
            ctx.execute(f"UPDATE email_settings SET {column} = ? WHERE owner_id = ?", value, ctx.user_id)
    return {"message": "Settings updated."}
