"""music: the player (what plays now, pause/resume, next, shuffle, repeat, volume), the play queue and the
listening history it writes, with listening statistics."""

from __future__ import annotations

import random
from typing import Annotated, Any, Literal

from envs.toolworld.api import ApiError, CallContext, P
from envs.toolworld.apps._day_args import BOUND_DOC, moment_bound
from envs.toolworld.apps._music_app import (
    ALBUM_ID,
    MESSAGE,
    PLAYLIST_ID,
    SONG,
    SONG_COLUMNS,
    SONG_ID,
    app,
    existing_album,
    existing_song,
    song,
)

PLAYER = {
    "song": SONG,
    "is_playing": True,
    "shuffle": True,
    "repeat": "string",
    "volume": 1,
    "queue_length": 1,
}
QUEUE_ITEM = {**SONG, "queue_position": 1}


def _player(ctx: CallContext) -> dict[str, Any]:
    """The caller's player (every person of the world has one)."""
    return ctx.existing_row("SELECT * FROM music_player WHERE owner_id = ?", ctx.caller)


def _start(ctx: CallContext, song_id: int) -> int:
    """Make `song_id` the playing song: one play counted and one history entry written. Returns the play count."""
    ctx.execute("UPDATE music_player SET song_id = ?, is_playing = 1 WHERE owner_id = ?", song_id, ctx.caller)
    ctx.execute("UPDATE music_songs SET play_count = play_count + 1 WHERE id = ?", song_id)
    duration = ctx.value("SELECT duration_s FROM music_songs WHERE id = ?", song_id)
    ctx.execute(
        "INSERT INTO music_history (owner_id, song_id, played_at, seconds_played) VALUES (?,?,?,?)",
        ctx.caller,
        song_id,
        ctx.timestamp(),
        duration,
    )
    return int(ctx.value("SELECT play_count FROM music_songs WHERE id = ?", song_id))


def _queue(ctx: CallContext) -> list[dict[str, Any]]:
    return ctx.rows(
        f"SELECT q.id AS queue_id, q.position, {SONG_COLUMNS} FROM music_queue q "
        "JOIN music_songs s ON s.id = q.song_id "
        "WHERE q.owner_id = ? ORDER BY q.position, q.id",
        ctx.caller,
    )


def _replace_queue(ctx: CallContext, song_ids: list[int], shuffle: bool) -> dict[str, Any]:
    """Play the first of `song_ids` now and queue the rest (in a shuffled order if asked)."""
    if not song_ids:
        raise ApiError(409, "There is nothing to play: it has no songs.")
    if shuffle:
        # Seeded by the caller and the world's clock, so the same episode always shuffles alike.
        random.Random(f"{ctx.caller}:{ctx.timestamp()}").shuffle(song_ids)
    ctx.execute("DELETE FROM music_queue WHERE owner_id = ?", ctx.caller)
    for i, song_id in enumerate(song_ids[1:], 1):
        ctx.execute(
            "INSERT INTO music_queue (owner_id, song_id, position, added_at) VALUES (?,?,?,?)",
            ctx.caller,
            song_id,
            float(i),
            ctx.timestamp(),
        )
    _start(ctx, song_ids[0])
    ctx.execute("UPDATE music_player SET shuffle = ? WHERE owner_id = ?", int(shuffle), ctx.caller)
    return {"message": f"Playing {len(song_ids)} songs.", "song_id": song_ids[0], "queued": len(song_ids) - 1}


@app.api("GET", "/player", PLAYER)
def show_player(ctx: CallContext) -> dict[str, Any]:
    """Show what is playing now and the player's settings."""
    row = _player(ctx)
    current = None
    if row["song_id"] is not None:
        current = song(ctx.existing_row(f"SELECT {SONG_COLUMNS} FROM music_songs s WHERE s.id = ?", row["song_id"]))
    return {
        "song": current,
        "is_playing": bool(row["is_playing"]),
        "shuffle": bool(row["shuffle"]),
        "repeat": row["repeat"],
        "volume": row["volume"],
        "queue_length": ctx.value("SELECT COUNT(*) FROM music_queue WHERE owner_id = ?", ctx.caller),
    }


@app.api("POST", "/player/{song_id}", {"message": "string", "play_count": 1})
def play_song(ctx: CallContext, song_id: SONG_ID) -> dict[str, Any]:
    """Play a song now (counts one play and adds it to your listening history); the queue stays."""
    existing_song(ctx, song_id)
    return {"message": "Playing.", "play_count": _start(ctx, song_id)}


@app.api("POST", "/player/albums/{album_id}", {"message": "string", "song_id": 1, "queued": 1})
def play_album(
    ctx: CallContext, album_id: ALBUM_ID, shuffle: Annotated[bool, P("Play the tracks in a random order.")] = False
) -> dict[str, Any]:
    """Play an album from its first track (or shuffled), replacing the queue with its other tracks."""
    existing_album(ctx, album_id)
    ids = [r["id"] for r in ctx.rows("SELECT id FROM music_songs WHERE album_id = ? ORDER BY track_number", album_id)]
    return _replace_queue(ctx, ids, shuffle)


@app.api("POST", "/player/playlists/{playlist_id}", {"message": "string", "song_id": 1, "queued": 1})
def play_playlist(
    ctx: CallContext,
    playlist_id: PLAYLIST_ID,
    shuffle: Annotated[bool, P("Play the songs in a random order.")] = False,
) -> dict[str, Any]:
    """Play a playlist you can see from its first song (or shuffled), replacing the queue with its other songs."""
    visible = ctx.value(
        "SELECT 1 FROM music_playlists p WHERE p.id = ? AND (p.owner_id = ? OR p.is_public = 1 OR EXISTS "
        "(SELECT 1 FROM music_collaborators c WHERE c.playlist_id = p.id AND c.person_id = ?))",
        playlist_id,
        ctx.caller,
        ctx.caller,
    )
    if not visible:
        raise ApiError(404, f"No playlist with id {playlist_id}.")
    ids = [
        r["song_id"]
        for r in ctx.rows(
            "SELECT song_id FROM music_playlist_songs WHERE playlist_id = ? ORDER BY position, id", playlist_id
        )
    ]
    return _replace_queue(ctx, ids, shuffle)


@app.api("POST", "/player/pause", MESSAGE)
def pause_player(ctx: CallContext) -> dict[str, str]:
    """Pause the song that is playing."""
    row = _player(ctx)
    if not row["is_playing"]:
        raise ApiError(409, "Nothing is playing.")
    ctx.execute("UPDATE music_player SET is_playing = 0 WHERE owner_id = ?", ctx.caller)
    return {"message": "Paused."}


@app.api("POST", "/player/resume", MESSAGE)
def resume_player(ctx: CallContext) -> dict[str, str]:
    """Resume the paused song."""
    row = _player(ctx)
    if row["song_id"] is None:
        raise ApiError(409, "There is no song to resume: play one first.")
    if row["is_playing"]:
        raise ApiError(409, "The song is already playing.")
    ctx.execute("UPDATE music_player SET is_playing = 1 WHERE owner_id = ?", ctx.caller)
    return {"message": "Resumed."}


@app.api("POST", "/player/next", {"message": "string", "song_id": 1})
def skip_to_next_song(ctx: CallContext) -> dict[str, Any]:
    """Skip to the next song: the same one again with repeat 'one', else the head of the queue (a random queued
    song with shuffle on); with repeat 'all' the skipped song goes back to the end of the queue."""
    row = _player(ctx)
    if row["repeat"] == "one" and row["song_id"] is not None:
        _start(ctx, row["song_id"])
        return {"message": "Playing the same song again (repeat one).", "song_id": row["song_id"]}
    queue = _queue(ctx)
    if not queue:
        raise ApiError(409, "The queue is empty.")
    head = random.Random(f"{ctx.caller}:{len(queue)}").choice(queue) if row["shuffle"] else queue[0]
    ctx.execute("DELETE FROM music_queue WHERE id = ?", head["queue_id"])
    if row["repeat"] == "all" and row["song_id"] is not None:
        ctx.execute(
            "INSERT INTO music_queue (owner_id, song_id, position, added_at) VALUES (?,?,?,?)",
            ctx.caller,
            row["song_id"],
            queue[-1]["position"] + 1,
            ctx.timestamp(),
        )
    _start(ctx, head["id"])
    return {"message": f"Playing {head['title']!r}.", "song_id": head["id"]}


@app.api("PATCH", "/player", MESSAGE)
def update_player_settings(
    ctx: CallContext,
    shuffle: Annotated[bool | None, P("Turn shuffle on (true) or off (false).")] = None,
    repeat: Annotated[Literal["off", "one", "all"] | None, P("Repeat nothing, the current song, or the queue.")] = None,
    volume: Annotated[int | None, P("Volume in percent.", ge=0, le=100)] = None,
) -> dict[str, str]:
    """Change the player's shuffle, repeat or volume."""
    _player(ctx)
    if shuffle is None and repeat is None and volume is None:
        raise ApiError(422, "Give at least one of shuffle, repeat or volume.")
    for column, value in (
        ("shuffle", None if shuffle is None else int(shuffle)),
        ("repeat", repeat),
        ("volume", volume),
    ):
        if value is not None:
            ctx.execute(f"UPDATE music_player SET {column} = ? WHERE owner_id = ?", value, ctx.caller)
    return {"message": "Player settings updated."}


@app.api("GET", "/queue", [QUEUE_ITEM], paginated=True)
def show_queue(ctx: CallContext) -> list[dict[str, Any]]:
    """List the songs queued to play next, in order (queue_position 1 plays next)."""
    return [{**song(r), "queue_position": i} for i, r in enumerate(_queue(ctx), 1)]


@app.api("POST", "/queue", MESSAGE)
def add_song_to_queue(
    ctx: CallContext,
    song_id: SONG_ID,
    play_next: Annotated[bool, P("Put it first in the queue instead of last.")] = False,
) -> dict[str, str]:
    """Queue a song to play after the current one (at the end, or next)."""
    existing_song(ctx, song_id)
    bound = ctx.value(
        f"SELECT {'MIN' if play_next else 'MAX'}(position) FROM music_queue WHERE owner_id = ?", ctx.caller
    )
    position = 1.0 if bound is None else bound - 1 if play_next else bound + 1
    ctx.execute(
        "INSERT INTO music_queue (owner_id, song_id, position, added_at) VALUES (?,?,?,?)",
        ctx.caller,
        song_id,
        position,
        ctx.timestamp(),
    )
    return {"message": "Song queued."}


@app.api("DELETE", "/queue/{queue_position}", MESSAGE)
def remove_song_from_queue(
    ctx: CallContext, queue_position: Annotated[int, P("The queue_position shown by show_queue.", ge=1)]
) -> dict[str, str]:
    """Take one song out of the queue."""
    queue = _queue(ctx)
    if queue_position > len(queue):
        raise ApiError(404, f"No song at queue position {queue_position}: the queue has {len(queue)}.")
    ctx.execute("DELETE FROM music_queue WHERE id = ?", queue[queue_position - 1]["queue_id"])
    return {"message": "Song removed from the queue."}


@app.api("DELETE", "/queue", {"message": "string", "removed": 1})
def clear_queue(ctx: CallContext) -> dict[str, Any]:
    """Empty the queue."""
    removed = ctx.value("SELECT COUNT(*) FROM music_queue WHERE owner_id = ?", ctx.caller)
    ctx.execute("DELETE FROM music_queue WHERE owner_id = ?", ctx.caller)
    return {"message": f"Removed {removed} songs from the queue.", "removed": removed}


def _history_filters(
    ctx: CallContext, since: str | None, until: str | None, artist: str | None, genre: str | None
) -> tuple[str, list[Any]]:
    where: list[str] = ["h.owner_id = ?"]
    args: list[Any] = [ctx.caller]
    since, until = moment_bound("since", since), moment_bound("until", until)
    for clause, value in (("h.played_at >= ?", since), ("h.played_at < ?", until), ("s.artist = ?", artist)):
        if value is not None:
            where.append(clause)
            args.append(value)
    if genre is not None:
        where.append("s.genre = ?")
        args.append(genre)
    return " AND ".join(where), args


SINCE = Annotated[
    str | None, P(f"Only plays at or after this date or time ({BOUND_DOC}).", min_length=4, max_length=19)
]
UNTIL = Annotated[str | None, P(f"Only plays before this date or time ({BOUND_DOC}).", min_length=4, max_length=19)]
ARTIST_FILTER = Annotated[str | None, P("Only songs by this artist (exact name).", max_length=200)]
GENRE_FILTER = Annotated[str | None, P("Only songs of this genre.", max_length=50)]


@app.api("GET", "/history", [{**SONG, "history_id": 1, "played_at": "string", "seconds_played": 1}], paginated=True)
def show_listening_history(
    ctx: CallContext,
    since: SINCE = None,
    until: UNTIL = None,
    artist: ARTIST_FILTER = None,
    genre: GENRE_FILTER = None,
) -> list[dict[str, Any]]:
    """List the songs you played, most recent first."""
    where, args = _history_filters(ctx, since, until, artist, genre)
    rows = ctx.rows(
        f"SELECT h.id AS history_id, h.played_at, h.seconds_played, {SONG_COLUMNS} FROM music_history h "
        f"JOIN music_songs s ON s.id = h.song_id WHERE {where} ORDER BY h.played_at DESC, h.id DESC",
        *args,
    )
    return [{**song(r), **{k: r[k] for k in ("history_id", "played_at", "seconds_played")}} for r in rows]


@app.api("DELETE", "/history/{history_id}", MESSAGE)
def delete_history_entry(
    ctx: CallContext, history_id: Annotated[int, P("The history entry's id (history_id).", ge=1)]
) -> dict[str, str]:
    """Remove one play from your listening history."""
    ctx.owned("music_history", history_id, "history entry")
    ctx.execute("DELETE FROM music_history WHERE id = ?", history_id)
    return {"message": "History entry removed."}


@app.api("DELETE", "/history", {"message": "string", "removed": 1})
def clear_listening_history(
    ctx: CallContext,
    before: Annotated[
        str | None,
        P(f"Only plays before this date or time ({BOUND_DOC}); null clears everything.", min_length=4, max_length=19),
    ] = None,
) -> dict[str, Any]:
    """Clear your listening history, or the part of it before a date."""
    cutoff = moment_bound("before", before) or "9999"
    removed = ctx.value("SELECT COUNT(*) FROM music_history WHERE owner_id = ? AND played_at < ?", ctx.caller, cutoff)
    ctx.execute("DELETE FROM music_history WHERE owner_id = ? AND played_at < ?", ctx.caller, cutoff)
    return {"message": f"Removed {removed} plays from your history.", "removed": removed}


STAT_KEYS = {"song": "s.id", "artist": "s.artist", "album": "s.album_id", "genre": "s.genre"}


@app.api(
    "GET",
    "/history/stats",
    [
        {
            "song_id": 1,
            "title": "string",
            "artist": "string",
            "album": "string",
            "genre": "string",
            "plays": 1,
            "seconds_played": 1,
        }
    ],
    paginated=True,
)
def show_listening_stats(
    ctx: CallContext,
    group_by: Annotated[Literal["song", "artist", "album", "genre"], P("What to count plays of.")] = "artist",
    since: SINCE = None,
    until: UNTIL = None,
) -> list[dict[str, Any]]:
    """Your most played songs, artists, albums or genres over a period, most plays first (fields that do not
    apply to the grouping are null)."""
    where, args = _history_filters(ctx, since, until, None, None)
    show = {
        "song": "s.id AS song_id, s.title, s.artist, s.album, s.genre",
        "artist": "NULL AS song_id, NULL AS title, s.artist, NULL AS album, MIN(s.genre) AS genre",
        "album": "NULL AS song_id, NULL AS title, s.artist, s.album, s.genre",
        "genre": "NULL AS song_id, NULL AS title, NULL AS artist, NULL AS album, s.genre",
    }[group_by]
    return ctx.rows(
        f"SELECT {show}, COUNT(*) AS plays, SUM(h.seconds_played) AS seconds_played FROM music_history h "
        f"JOIN music_songs s ON s.id = h.song_id WHERE {where} GROUP BY {STAT_KEYS[group_by]} "
        f"ORDER BY plays DESC, {STAT_KEYS[group_by]}",
        *args,
    )
