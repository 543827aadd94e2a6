"""phone: settings (do-not-disturb with quiet hours, ringtone, vibration, voicemail greeting)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from envs.toolworld.api import CallContext, P
from envs.toolworld.apps.phone import DONE, app, checked_time

SETTINGS = {
    "do_not_disturb": True,
    "quiet_start": "string",
    "quiet_end": "string",
    "allow_favorites": True,
    "ringtone": "string",
    "vibrate": True,
    "voicemail_greeting": "string",
    "silenced_now": True,
}
FLAGS = ("do_not_disturb", "allow_favorites", "vibrate")
Ringtone = Literal["Classic", "Marimba", "Chimes", "Radar", "Silk"]


def _row(ctx: CallContext, person_id: int) -> dict[str, Any]:
    return ctx.existing_row("SELECT * FROM phone_settings WHERE owner_id = ?", person_id)  # one per person


def _quiet_now(ctx: CallContext, row: dict[str, Any]) -> bool:
    """Do-not-disturb silences calls between quiet_start and quiet_end (a window may pass midnight)."""
    now = ctx.now.strftime("%H:%M")
    start, end = row["quiet_start"], row["quiet_end"]
    inside = start <= now < end if start <= end else (now >= start or now < end)
    return bool(row["do_not_disturb"]) and inside


def silences_call(ctx: CallContext, person_id: int, caller_number: str) -> bool:
    """Whether `person_id`'s do-not-disturb keeps a call from `caller_number` from ringing right now."""
    row = _row(ctx, person_id)
    if not _quiet_now(ctx, row):
        return False
    favourite = ctx.value(
        "SELECT 1 FROM phone_contacts WHERE owner_id = ? AND phone_number = ? AND is_favorite = 1",
        person_id,
        caller_number,
    )
    return not (row["allow_favorites"] and favourite)


@app.api("GET", "/settings", SETTINGS)
def show_phone_settings(ctx: CallContext) -> dict[str, Any]:
    """Show your phone's settings, and whether do-not-disturb silences calls right now."""
    row = _row(ctx, ctx.caller)
    return {
        **{k: row[k] for k in SETTINGS if k in row and k != "owner_id"},
        **{k: bool(row[k]) for k in FLAGS},
        "silenced_now": _quiet_now(ctx, row),
    }


@app.api("PATCH", "/settings", DONE)
def update_phone_settings(
    ctx: CallContext,
    do_not_disturb: Annotated[bool | None, P("Silence calls during the quiet hours.")] = None,
    quiet_start: Annotated[str | None, P("When the quiet hours start, HH:MM.", max_length=5)] = None,
    quiet_end: Annotated[str | None, P("When the quiet hours end, HH:MM.", max_length=5)] = None,
    allow_favorites: Annotated[bool | None, P("Let favourite contacts ring through do-not-disturb.")] = None,
    ringtone: Annotated[Ringtone | None, P("The ringtone.")] = None,
    vibrate: Annotated[bool | None, P("Vibrate on calls and messages.")] = None,
    voicemail_greeting: Annotated[
        str | None, P("What callers hear before leaving a voicemail.", min_length=1, max_length=500)
    ] = None,
) -> dict[str, str]:
    """Change the settings you give; the others keep their value."""
    row = _row(ctx, ctx.caller)
    given = {
        "do_not_disturb": do_not_disturb,
        "quiet_start": None if quiet_start is None else checked_time(quiet_start, "quiet_start"),
        "quiet_end": None if quiet_end is None else checked_time(quiet_end, "quiet_end"),
        "allow_favorites": allow_favorites,
        "ringtone": ringtone,
        "vibrate": vibrate,
        "voicemail_greeting": voicemail_greeting,
    }
    for column, value in given.items():
        stored = int(value) if isinstance(value, bool) else value
        if stored is not None and stored != row[column]:  # unchanged values write nothing
            ctx.execute(f"UPDATE phone_settings SET {column} = ? WHERE owner_id = ?", stored, ctx.user_id)
    return {"message": "Settings updated."}
