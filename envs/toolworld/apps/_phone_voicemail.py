"""phone: voicemail left on missed calls: listen (mark heard), read the transcript, delete."""

from __future__ import annotations

from typing import Annotated, Any

from envs.toolworld.api import QUERY_MAX_CHARS, ApiError, CallContext, P
from envs.toolworld.apps.phone import DONE, ID, app, normalize_phone, words_match

VOICEMAIL = {
    "voicemail_id": 1,
    "phone_number": "string",
    "contact_name": "string",
    "transcript": "string",
    "duration_seconds": 1,
    "left_at": "string",
    "is_heard": True,
}
SELECT = (
    "SELECT v.id AS voicemail_id, v.phone_number, (SELECT c.first_name || ' ' || c.last_name FROM phone_contacts c "
    "WHERE c.owner_id = v.owner_id AND c.phone_number = v.phone_number ORDER BY c.id LIMIT 1) AS contact_name, "
    "v.transcript, v.duration_seconds, v.left_at, v.is_heard FROM phone_voicemails v WHERE v.owner_id = ?"
)


def _voicemail(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "is_heard": bool(row["is_heard"])}


@app.api("GET", "/voicemails", [VOICEMAIL], paginated=True)
def show_voicemails(
    ctx: CallContext,
    unheard_only: Annotated[bool, P("Only voicemails you have not listened to.")] = False,
    phone_number: Annotated[str | None, P("Only voicemails from this 10-digit number.", max_length=30)] = None,
    query: Annotated[str, P("Words the transcript must contain; empty matches all.", max_length=QUERY_MAX_CHARS)] = "",
) -> list[dict[str, Any]]:
    """List your voicemails, newest first."""
    match, args = words_match("v.transcript", query)
    if unheard_only:
        match += " AND v.is_heard = 0"
    if phone_number is not None:
        match += " AND v.phone_number = ?"
        args.append(normalize_phone(phone_number))
    rows = ctx.rows(f"{SELECT}{match} ORDER BY v.left_at DESC, v.id DESC", ctx.user_id, *args)
    return [_voicemail(r) for r in rows]


@app.api("GET", "/voicemails/{voicemail_id}", VOICEMAIL)
def show_voicemail(ctx: CallContext, voicemail_id: ID) -> dict[str, Any]:
    """Show one voicemail with its transcript (this does not mark it heard)."""
    row = ctx.row(f"{SELECT} AND v.id = ?", ctx.user_id, voicemail_id)
    if row is None:
        raise ApiError(404, f"No voicemail with id {voicemail_id}.")
    return _voicemail(row)


@app.api("PATCH", "/voicemails/{voicemail_id}/heard", DONE)
def mark_voicemail_heard(
    ctx: CallContext,
    voicemail_id: ID,
    is_heard: Annotated[bool, P("True to mark it heard, false for unheard.")] = True,
) -> dict[str, str]:
    """Mark a voicemail as heard (or unheard)."""
    row = ctx.owned("phone_voicemails", voicemail_id, "voicemail")
    state = "heard" if is_heard else "unheard"
    if row["is_heard"] == int(is_heard):
        raise ApiError(409, f"Voicemail {voicemail_id} is already {state}.")
    ctx.execute("UPDATE phone_voicemails SET is_heard = ? WHERE id = ?", int(is_heard), voicemail_id)
    return {"message": f"Voicemail marked {state}."}


@app.api("DELETE", "/voicemails/{voicemail_id}", DONE)
def delete_voicemail(ctx: CallContext, voicemail_id: ID) -> dict[str, str]:
    """Delete a voicemail."""
    ctx.owned("phone_voicemails", voicemail_id, "voicemail")
    ctx.execute("DELETE FROM phone_voicemails WHERE id = ?", voicemail_id)
    return {"message": "Voicemail deleted."}
