"""music: song reviews, offline downloads, recommendations and your app settings."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from envs.toolworld.api import ApiError, CallContext, P
from envs.toolworld.apps._music_app import MESSAGE, SONG, SONG_COLUMNS, SONG_ID, app, existing_song, song, songs

REVIEW = {
    "review_id": 1,
    "song_id": 1,
    "song_title": "string",
    "author": "string",
    "author_email": "string",
    "rating": 1,
    "text": "string",
    "created_at": "string",
    "updated_at": "string",
}
REVIEW_SQL = (
    "SELECT r.id AS review_id, r.song_id, s.title AS song_title, p.first_name || ' ' || p.last_name AS author, "
    "p.email AS author_email, r.rating, r.text, r.created_at, r.updated_at FROM music_reviews r "
    "JOIN music_songs s ON s.id = r.song_id JOIN people p ON p.id = r.owner_id"
)
RATING = P("Stars from 1 (worst) to 5 (best).", ge=1, le=5)
REVIEW_TEXT = P("What you think of the song.", max_length=2000)
REVIEW_ID = Annotated[int, P("The review's id.", ge=1)]
QUALITY = Literal["low", "normal", "high", "very_high"]
SETTINGS = {
    "audio_quality": "string",
    "download_quality": "string",
    "allow_explicit": True,
    "autoplay": True,
    "private_session": True,
    "crossfade_s": 1,
}


@app.api("GET", "/songs/{song_id}/reviews", [REVIEW], auth=False, paginated=True)
def show_song_reviews(
    ctx: CallContext,
    song_id: SONG_ID,
    min_rating: Annotated[int | None, P("Only reviews with at least this many stars.", ge=1, le=5)] = None,
    sort_by: Annotated[Literal["-created_at", "-rating", "rating"], P("Order of results.")] = "-created_at",
) -> list[dict[str, Any]]:
    """List the reviews of a song."""
    existing_song(ctx, song_id)
    order = {
        "-created_at": "r.created_at DESC, r.id DESC",
        "-rating": "r.rating DESC, r.id",
        "rating": "r.rating, r.id",
    }
    return ctx.rows(
        f"{REVIEW_SQL} WHERE r.song_id = ? AND r.rating >= ? ORDER BY {order[sort_by]}", song_id, min_rating or 1
    )


@app.api("GET", "/reviews", [REVIEW], paginated=True)
def show_my_reviews(
    ctx: CallContext,
    rating: Annotated[int | None, P("Only reviews with exactly this many stars.", ge=1, le=5)] = None,
) -> list[dict[str, Any]]:
    """List the reviews you wrote, newest first."""
    extra, args = ("AND r.rating = ?", [rating]) if rating is not None else ("", [])
    return ctx.rows(
        f"{REVIEW_SQL} WHERE r.owner_id = ? {extra} ORDER BY r.updated_at DESC, r.id DESC", ctx.caller, *args
    )


@app.api("POST", "/songs/{song_id}/reviews", {"message": "string", "review_id": 1})
def review_song(
    ctx: CallContext, song_id: SONG_ID, rating: Annotated[int, RATING], text: Annotated[str, REVIEW_TEXT] = ""
) -> dict[str, Any]:
    """Review a song (one review per song: change it with update_song_review)."""
    existing_song(ctx, song_id)
    now = ctx.timestamp()
    new_id = ctx.insert_unique(
        "music_reviews",
        {"owner_id": ctx.caller, "song_id": song_id},
        f"You already reviewed song {song_id}: use update_song_review.",
        {"rating": rating, "text": text, "created_at": now, "updated_at": now},
    )
    return {"message": "Review posted.", "review_id": new_id}


@app.api("PATCH", "/reviews/{review_id}", MESSAGE)
def update_song_review(
    ctx: CallContext,
    review_id: REVIEW_ID,
    rating: Annotated[int | None, RATING] = None,
    text: Annotated[str | None, REVIEW_TEXT] = None,
) -> dict[str, str]:
    """Change the stars or text of one of your reviews."""
    ctx.owned("music_reviews", review_id, "review of yours")
    if rating is None and text is None:
        raise ApiError(422, "Give a new rating or text.")
    ctx.update("music_reviews", review_id, {"rating": rating, "text": text, "updated_at": ctx.timestamp()})
    return {"message": "Review updated."}


@app.api("DELETE", "/reviews/{review_id}", MESSAGE)
def delete_song_review(ctx: CallContext, review_id: REVIEW_ID) -> dict[str, str]:
    """Delete one of your reviews."""
    ctx.owned("music_reviews", review_id, "review of yours")
    ctx.execute("DELETE FROM music_reviews WHERE id = ?", review_id)
    return {"message": "Review deleted."}


@app.api("GET", "/downloads", [{**SONG, "quality": "string", "downloaded_at": "string"}], paginated=True)
def show_downloads(
    ctx: CallContext, quality: Annotated[QUALITY | None, P("Only downloads of this quality.")] = None
) -> list[dict[str, Any]]:
    """List the songs downloaded for offline listening, newest first."""
    extra, args = ("AND d.quality = ?", [quality]) if quality is not None else ("", [])
    rows = ctx.rows(
        f"SELECT d.quality, d.downloaded_at, {SONG_COLUMNS} FROM music_downloads d JOIN music_songs s "
        f"ON s.id = d.song_id WHERE d.owner_id = ? {extra} ORDER BY d.downloaded_at DESC, d.id DESC",
        ctx.caller,
        *args,
    )
    return [{**song(r), "quality": r["quality"], "downloaded_at": r["downloaded_at"]} for r in rows]


@app.api("POST", "/downloads/{song_id}", MESSAGE)
def download_song(
    ctx: CallContext,
    song_id: SONG_ID,
    quality: Annotated[QUALITY | None, P("Download quality; null uses your download_quality setting.")] = None,
) -> dict[str, str]:
    """Download a song for offline listening."""
    existing_song(ctx, song_id)
    chosen = quality or _settings(ctx)["download_quality"]
    ctx.insert_unique(
        "music_downloads",
        {"owner_id": ctx.caller, "song_id": song_id},
        f"Song {song_id} is already downloaded.",
        {"quality": chosen, "downloaded_at": ctx.timestamp()},
    )
    return {"message": f"Song downloaded ({chosen} quality)."}


@app.api("DELETE", "/downloads/{song_id}", MESSAGE)
def remove_download(ctx: CallContext, song_id: SONG_ID) -> dict[str, str]:
    """Delete a downloaded song from this device (it stays in the catalog and your library)."""
    ctx.delete_existing(
        "music_downloads", {"owner_id": ctx.caller, "song_id": song_id}, f"Song {song_id} is not downloaded."
    )
    return {"message": "Download removed."}


@app.api("GET", "/recommendations", [SONG], paginated=True)
def show_recommendations(
    ctx: CallContext,
    genre: Annotated[str | None, P("Only this genre; null uses the genres you play most.", max_length=50)] = None,
) -> list[dict[str, Any]]:
    """Songs you may like: the most played songs of a genre (or of your three most played genres) that are not
    in your library yet (at most 100)."""
    if genre is None:
        genres = [
            r["genre"]
            for r in ctx.rows(
                "SELECT s.genre FROM music_history h JOIN music_songs s ON s.id = h.song_id WHERE h.owner_id = ? "
                "GROUP BY s.genre ORDER BY COUNT(*) DESC, s.genre LIMIT 3",
                ctx.caller,
            )
        ]
    else:
        genres = [genre]
    marks = ", ".join("?" for _ in genres) or "NULL"
    return songs(
        ctx,
        f"SELECT SONG_COLUMNS FROM music_songs s WHERE s.genre IN ({marks}) AND s.id NOT IN "
        "(SELECT song_id FROM music_library WHERE owner_id = ?) ORDER BY s.play_count DESC, s.id LIMIT 100",
        *genres,
        ctx.caller,
    )


def _settings(ctx: CallContext) -> dict[str, Any]:
    """The caller's settings (every person of the world has them)."""
    return ctx.existing_row("SELECT * FROM music_settings WHERE owner_id = ?", ctx.caller)


@app.api("GET", "/settings", SETTINGS)
def show_music_settings(ctx: CallContext) -> dict[str, Any]:
    """Show your playback and download settings."""
    row = _settings(ctx)
    flags = ("allow_explicit", "autoplay", "private_session")
    return {k: bool(row[k]) if k in flags else row[k] for k in SETTINGS}


@app.api("PATCH", "/settings", MESSAGE)
def update_music_settings(
    ctx: CallContext,
    audio_quality: Annotated[QUALITY | None, P("Streaming quality.")] = None,
    download_quality: Annotated[QUALITY | None, P("Quality of new downloads.")] = None,
    allow_explicit: Annotated[bool | None, P("Whether explicit songs may play.")] = None,
    autoplay: Annotated[bool | None, P("Keep playing similar songs when the queue ends.")] = None,
    private_session: Annotated[bool | None, P("Hide what you play from your followers.")] = None,
    crossfade_s: Annotated[int | None, P("Seconds of crossfade between songs.", ge=0, le=12)] = None,
) -> dict[str, str]:
    """Change the settings you give; the others stay."""
    _settings(ctx)
    given = {
        "audio_quality": audio_quality,
        "download_quality": download_quality,
        "allow_explicit": allow_explicit,
        "autoplay": autoplay,
        "private_session": private_session,
        "crossfade_s": crossfade_s,
    }
    if all(v is None for v in given.values()):
        raise ApiError(422, "Give at least one setting to change.")
    for column, value in given.items():
        if value is not None:
            ctx.execute(f"UPDATE music_settings SET {column} = ? WHERE owner_id = ?", value, ctx.caller)
    return {"message": "Settings updated."}
