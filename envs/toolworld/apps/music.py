"""music: the catalog (songs, albums, artists), your library, likes, saved albums, follows and playlists.

The player, queue, history, reviews, downloads and settings are in _music_player.py and _music_extras.py,
the generated data in _music_data.py; all of them register on the one `app` of _music_app.py."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from envs.toolworld.api import QUERY_MAX_CHARS, ApiError, CallContext, P, Page
from envs.toolworld.apps._music_app import (
    ALBUM,
    ALBUM_ID,
    MESSAGE,
    PLAYLIST_ID,
    SONG,
    SONG_COLUMNS,
    SONG_ID,
    app,
    existing_album,
    existing_song,
    person_by_email,
    song,
    songs,
)
from envs.toolworld.apps._sql_page import sql_page
from envs.toolworld.apps._text_search import words_clause

__all__ = ["app"]

PLAYLIST = {
    "playlist_id": 1,
    "title": "string",
    "description": "string",
    "owner_email": "string",
    "is_public": True,
    "is_collaborative": True,
    "created_at": "string",
    "song_count": 1,
    "followers": 1,
}
ARTIST = {
    "artist": "string",
    "artist_id": 1,
    "genre": "string",
    "country": "string",
    "formed_year": 1,
    "songs": 1,
    "followers": 1,
}
ARTIST_NAME = Annotated[str, P("The artist's exact name.", min_length=1, max_length=200)]
QUERY = P("Words to match; empty lists all.", max_length=QUERY_MAX_CHARS)
GENRE = Annotated[str | None, P("Only this genre (see show_genres).", max_length=50)]
YEAR_FROM = Annotated[int | None, P("Only releases from this year on.", ge=1900, le=2100)]
YEAR_TO = Annotated[int | None, P("Only releases up to this year.", ge=1900, le=2100)]
SONG_ORDER = {
    "title": "s.title, s.id",
    "-play_count": "s.play_count DESC, s.id",
    "play_count": "s.play_count, s.id",
    "-release_year": "s.release_date DESC, s.id",
    "release_year": "s.release_date, s.id",
    "duration_s": "s.duration_s, s.id",
    "-duration_s": "s.duration_s DESC, s.id",
}
SongOrder = Literal["title", "-play_count", "play_count", "-release_year", "release_year", "duration_s", "-duration_s"]
ARTIST_SQL = (
    "SELECT a.name AS artist, a.id AS artist_id, a.genre, a.country, a.formed_year, "
    "(SELECT COUNT(*) FROM music_songs s WHERE s.artist = a.name) AS songs, "
    "(SELECT COUNT(*) FROM music_follows f WHERE f.artist = a.name) AS followers FROM music_artists a"
)
ALBUM_SQL = (
    "SELECT b.id AS album_id, b.title AS album, b.artist, b.artist_id, b.genre, b.kind, "
    "CAST(substr(b.release_date, 1, 4) AS INTEGER) AS release_year, b.release_date, b.label, "
    "(SELECT COUNT(*) FROM music_songs s WHERE s.album_id = b.id) AS songs FROM music_albums b"
)
PLAYLIST_SQL = (
    "SELECT p.id AS playlist_id, p.title, p.description, o.email AS owner_email, p.is_public, p.is_collaborative, "
    "p.created_at, (SELECT COUNT(*) FROM music_playlist_songs x WHERE x.playlist_id = p.id) AS song_count, "
    "(SELECT COUNT(*) FROM music_playlist_follows f WHERE f.playlist_id = p.id) AS followers "
    "FROM music_playlists p JOIN people o ON o.id = p.owner_id"
)


def _year_filters(column: str, year_from: int | None, year_to: int | None) -> tuple[list[str], list[Any]]:
    where, args = [], []
    if year_from is not None:
        where.append(f"{column} >= ?")
        args.append(f"{year_from:04d}")
    if year_to is not None:
        where.append(f"{column} < ?")
        args.append(f"{year_to + 1:04d}")
    return where, args


@app.api("GET", "/songs", [SONG], auth=False, paginated=True)
def search_songs(
    ctx: CallContext,
    query: Annotated[
        str, P("Words to match in title, artist or album; empty lists all.", max_length=QUERY_MAX_CHARS)
    ] = "",
    genre: GENRE = None,
    artist: Annotated[str | None, P("Only songs by this artist (exact name).", max_length=200)] = None,
    sort_by: Annotated[SongOrder, P("Order of results; '-' means descending.")] = "title",
    album_id: Annotated[int | None, P("Only songs of this album.", ge=1)] = None,
    release_year_from: YEAR_FROM = None,
    release_year_to: YEAR_TO = None,
    explicit: Annotated[bool | None, P("Only explicit (true) or clean (false) songs.")] = None,
) -> Page:
    """Search the song catalog by words, genre, artist, album, release year and explicitness."""
    words, word_args = words_clause(query, ["s.search_text"])
    where = [f"1{words}"]  # words_clause gives ' AND ...' to continue a WHERE
    args: list[Any] = list(word_args)
    for column, value in (("s.genre", genre), ("s.artist", artist), ("s.album_id", album_id)):
        if value is not None:
            where.append(f"{column} = ?")
            args.append(value)
    years, year_args = _year_filters("s.release_date", release_year_from, release_year_to)
    where += years
    args += year_args
    if explicit is not None:
        where.append("s.explicit = ?")
        args.append(int(explicit))
    query = f"SELECT {SONG_COLUMNS} FROM music_songs s WHERE {' AND '.join(where)}"
    return sql_page(ctx, query, SONG_ORDER[sort_by], *args, shape=song)


@app.api("GET", "/songs/{song_id}", {**SONG, "average_rating": 1.0, "reviews": 1}, auth=False)
def show_song(ctx: CallContext, song_id: SONG_ID) -> dict[str, Any]:
    """Show one song, with its average review rating."""
    existing_song(ctx, song_id)
    (found,) = songs(ctx, "SELECT SONG_COLUMNS FROM music_songs s WHERE s.id = ?", song_id)
    stats = ctx.existing_row("SELECT AVG(rating) AS avg, COUNT(*) AS n FROM music_reviews WHERE song_id = ?", song_id)
    return {**found, "average_rating": None if stats["avg"] is None else round(stats["avg"], 2), "reviews": stats["n"]}


@app.api("GET", "/genres", [{"genre": "string", "songs": 1, "artists": 1}], auth=False)
def show_genres(ctx: CallContext) -> list[dict[str, Any]]:
    """List the genres of the catalog with how many songs and artists each has."""
    return ctx.rows(
        "SELECT genre, COUNT(*) AS songs, COUNT(DISTINCT artist_id) AS artists FROM music_songs GROUP BY genre "
        "ORDER BY genre"
    )


@app.api("GET", "/artists", [ARTIST], auth=False, paginated=True)
def search_artists(
    ctx: CallContext,
    query: Annotated[str, P("Words to match in the artist's name; empty lists all.", max_length=QUERY_MAX_CHARS)] = "",
    genre: GENRE = None,
    sort_by: Annotated[Literal["name", "-followers"], P("Order of results.")] = "name",
) -> list[dict[str, Any]]:
    """Search artists by name and genre."""
    words, word_args = words_clause(query, ["a.name"])
    where = [f"1{words}"]
    args: list[Any] = list(word_args)
    if genre is not None:
        where.append("a.genre = ?")
        args.append(genre)
    order = {"name": "a.name, a.id", "-followers": "followers DESC, a.name"}[sort_by]
    return ctx.rows(f"{ARTIST_SQL} WHERE {' AND '.join(where)} ORDER BY {order}", *args)


@app.api("GET", "/artists/{artist_id}", {**ARTIST, "bio": "string"}, auth=False)
def show_artist(ctx: CallContext, artist_id: Annotated[int, P("The artist's id.", ge=1)]) -> dict[str, Any]:
    """Show one artist: genre, country, biography, songs and followers."""
    row = ctx.row(f"{ARTIST_SQL} WHERE a.id = ?", artist_id)
    if row is None:
        raise ApiError(404, f"No artist with id {artist_id}.")
    return {**row, "bio": ctx.value("SELECT bio FROM music_artists WHERE id = ?", artist_id)}


@app.api("GET", "/albums", [ALBUM], auth=False, paginated=True)
def search_albums(
    ctx: CallContext,
    query: Annotated[str, P("Words to match in album or artist; empty lists all.", max_length=QUERY_MAX_CHARS)] = "",
    genre: GENRE = None,
    artist_id: Annotated[int | None, P("Only albums of this artist.", ge=1)] = None,
    kind: Annotated[Literal["album", "single", "ep"] | None, P("Only albums of this kind.")] = None,
    release_year_from: YEAR_FROM = None,
    release_year_to: YEAR_TO = None,
    sort_by: Annotated[Literal["album", "-release_date", "release_date"], P("Order of results.")] = "album",
) -> Page:
    """Search albums by words, genre, artist, kind and release year."""
    words, word_args = words_clause(query, ["b.title", "b.artist"])
    where = [f"1{words}"]
    args: list[Any] = list(word_args)
    for column, value in (("b.genre", genre), ("b.artist_id", artist_id), ("b.kind", kind)):
        if value is not None:
            where.append(f"{column} = ?")
            args.append(value)
    years, year_args = _year_filters("b.release_date", release_year_from, release_year_to)
    order = {"album": "b.title, b.artist, b.id", "-release_date": "b.release_date DESC, b.id"}
    order["release_date"] = "b.release_date, b.id"
    return sql_page(ctx, f"{ALBUM_SQL} WHERE {' AND '.join(where + years)}", order[sort_by], *args, *year_args)


@app.api("GET", "/albums/{album_id}", {**ALBUM, "tracks": [SONG]}, auth=False)
def show_album(ctx: CallContext, album_id: ALBUM_ID) -> dict[str, Any]:
    """Show one album with its tracks in order."""
    existing_album(ctx, album_id)
    tracks = songs(ctx, "SELECT SONG_COLUMNS FROM music_songs s WHERE s.album_id = ? ORDER BY s.track_number", album_id)
    return {**ctx.existing_row(f"{ALBUM_SQL} WHERE b.id = ?", album_id), "tracks": tracks}


@app.api("GET", "/library", [{**SONG, "added_at": "string"}], paginated=True)
def show_song_library(
    ctx: CallContext,
    query: Annotated[str, QUERY] = "",
    genre: GENRE = None,
    artist: Annotated[str | None, P("Only songs by this artist (exact name).", max_length=200)] = None,
    sort_by: Annotated[Literal["-added_at", "added_at", "title", "-play_count"], P("Order of results.")] = "-added_at",
) -> list[dict[str, Any]]:
    """List the songs in your library, most recently added first unless sorted otherwise."""
    words, word_args = words_clause(query, ["s.search_text"])
    where = [f"1{words}"]
    args: list[Any] = list(word_args)
    for column, value in (("s.genre", genre), ("s.artist", artist)):
        if value is not None:
            where.append(f"{column} = ?")
            args.append(value)
    order = {"-added_at": "l.added_at DESC, l.id DESC", "added_at": "l.added_at, l.id", "title": "s.title, s.id"}
    order["-play_count"] = "s.play_count DESC, s.id"
    rows = ctx.rows(
        f"SELECT {SONG_COLUMNS}, l.added_at FROM music_library l JOIN music_songs s ON s.id = l.song_id "
        f"WHERE l.owner_id = ? AND {' AND '.join(where)} ORDER BY {order[sort_by]}",
        ctx.caller,
        *args,
    )
    return [{**song(r), "added_at": r["added_at"]} for r in rows]


@app.api("POST", "/library/{song_id}", MESSAGE)
def add_song_to_library(ctx: CallContext, song_id: SONG_ID) -> dict[str, str]:
    """Add a song to your library."""
    existing_song(ctx, song_id)
    ctx.insert_unique(
        "music_library",
        {"owner_id": ctx.user_id, "song_id": song_id},
        f"Song {song_id} is already in your library.",
        {"added_at": ctx.timestamp()},
    )
    return {"message": "Song added to your library."}


@app.api("DELETE", "/library/{song_id}", MESSAGE)
def remove_song_from_library(ctx: CallContext, song_id: SONG_ID) -> dict[str, str]:
    """Remove a song from your library."""
    ctx.delete_existing(
        "music_library", {"owner_id": ctx.user_id, "song_id": song_id}, f"Song {song_id} is not in your library."
    )
    return {"message": "Song removed from your library."}


@app.api("POST", "/library/albums/{album_id}", {"message": "string", "added": 1})
def add_album_to_library(ctx: CallContext, album_id: ALBUM_ID) -> dict[str, Any]:
    """Add every song of an album to your library (songs already there are skipped)."""
    existing_album(ctx, album_id)
    missing = ctx.rows(
        "SELECT id FROM music_songs WHERE album_id = ? AND id NOT IN "
        "(SELECT song_id FROM music_library WHERE owner_id = ?) ORDER BY track_number",
        album_id,
        ctx.caller,
    )
    for row in missing:
        ctx.execute(
            "INSERT INTO music_library (owner_id, song_id, added_at) VALUES (?,?,?)",
            ctx.caller,
            row["id"],
            ctx.timestamp(),
        )
    return {"message": f"Added {len(missing)} songs to your library.", "added": len(missing)}


@app.api("GET", "/likes", [SONG], paginated=True)
def show_liked_songs(
    ctx: CallContext,
    genre: GENRE = None,
    artist: Annotated[str | None, P("Only songs by this artist (exact name).", max_length=200)] = None,
) -> list[dict[str, Any]]:
    """List the songs you liked, most recently liked first."""
    where: list[str] = ["l.owner_id = ?"]
    args: list[Any] = [ctx.caller]
    for column, value in (("s.genre", genre), ("s.artist", artist)):
        if value is not None:
            where.append(f"{column} = ?")
            args.append(value)
    return songs(
        ctx,
        f"SELECT SONG_COLUMNS FROM music_likes l JOIN music_songs s ON s.id = l.song_id WHERE {' AND '.join(where)} "
        "ORDER BY l.id DESC",
        *args,
    )


@app.api("POST", "/likes/{song_id}", MESSAGE)
def like_song(ctx: CallContext, song_id: SONG_ID) -> dict[str, str]:
    """Like a song."""
    existing_song(ctx, song_id)
    ctx.insert_unique("music_likes", {"owner_id": ctx.user_id, "song_id": song_id}, f"You already like song {song_id}.")
    return {"message": "Song liked."}


@app.api("DELETE", "/likes/{song_id}", MESSAGE)
def unlike_song(ctx: CallContext, song_id: SONG_ID) -> dict[str, str]:
    """Remove your like from a song."""
    ctx.delete_existing(
        "music_likes", {"owner_id": ctx.user_id, "song_id": song_id}, f"You do not like song {song_id}."
    )
    return {"message": "Like removed."}


@app.api(
    "GET",
    "/following",
    [{"artist": "string", "artist_id": 1, "genre": "string", "followed_at": "string"}],
    paginated=True,
)
def show_followed_artists(
    ctx: CallContext,
    sort_by: Annotated[Literal["artist", "-followed_at"], P("Order of results.")] = "artist",
) -> list[dict[str, Any]]:
    """List the artists you follow."""
    order = {"artist": "f.artist", "-followed_at": "f.followed_at DESC, f.id DESC"}[sort_by]
    return ctx.rows(
        "SELECT f.artist, a.id AS artist_id, a.genre, f.followed_at FROM music_follows f "
        f"JOIN music_artists a ON a.name = f.artist WHERE f.owner_id = ? ORDER BY {order}",
        ctx.caller,
    )


@app.api("POST", "/following", MESSAGE)
def follow_artist(ctx: CallContext, artist: ARTIST_NAME) -> dict[str, str]:
    """Follow an artist."""
    if not ctx.value("SELECT 1 FROM music_artists WHERE name = ?", artist):
        raise ApiError(404, f"No artist named {artist!r}.")
    ctx.insert_unique(
        "music_follows",
        {"owner_id": ctx.user_id, "artist": artist},
        f"You already follow {artist}.",
        {"followed_at": ctx.timestamp()},
    )
    return {"message": f"You now follow {artist}."}


@app.api("DELETE", "/following", MESSAGE)
def unfollow_artist(ctx: CallContext, artist: ARTIST_NAME) -> dict[str, str]:
    """Stop following an artist."""
    ctx.delete_existing("music_follows", {"owner_id": ctx.user_id, "artist": artist}, f"You do not follow {artist!r}.")
    return {"message": f"You no longer follow {artist}."}


@app.api("GET", "/saved_albums", [{**ALBUM, "saved_at": "string"}], paginated=True)
def show_saved_albums(
    ctx: CallContext,
    genre: GENRE = None,
    sort_by: Annotated[Literal["-saved_at", "album", "-release_date"], P("Order of results.")] = "-saved_at",
) -> list[dict[str, Any]]:
    """List the albums you saved."""
    where: list[str] = ["v.owner_id = ?"]
    args: list[Any] = [ctx.caller]
    if genre is not None:
        where.append("b.genre = ?")
        args.append(genre)
    order = {
        "-saved_at": "v.saved_at DESC, v.id DESC",
        "album": "b.title, b.id",
        "-release_date": "b.release_date DESC",
    }
    return ctx.rows(
        f"{ALBUM_SQL.replace('SELECT ', 'SELECT v.saved_at, ', 1)} JOIN music_saved_albums v ON v.album_id = b.id "
        f"WHERE {' AND '.join(where)} ORDER BY {order[sort_by]}",
        *args,
    )


@app.api("POST", "/saved_albums/{album_id}", MESSAGE)
def save_album(ctx: CallContext, album_id: ALBUM_ID) -> dict[str, str]:
    """Save an album to your collection."""
    existing_album(ctx, album_id)
    ctx.insert_unique(
        "music_saved_albums",
        {"owner_id": ctx.caller, "album_id": album_id},
        f"Album {album_id} is already saved.",
        {"saved_at": ctx.timestamp()},
    )
    return {"message": "Album saved."}


@app.api("DELETE", "/saved_albums/{album_id}", MESSAGE)
def unsave_album(ctx: CallContext, album_id: ALBUM_ID) -> dict[str, str]:
    """Remove an album from your saved albums."""
    ctx.delete_existing(
        "music_saved_albums", {"owner_id": ctx.caller, "album_id": album_id}, f"Album {album_id} is not saved."
    )
    return {"message": "Album removed from your saved albums."}


def _readable_playlist(ctx: CallContext, playlist_id: int) -> dict[str, Any]:
    """A playlist the caller may see: their own, one they collaborate on, or a public one; else 404."""
    row = ctx.row(
        "SELECT * FROM music_playlists p WHERE p.id = ? AND (p.owner_id = ? OR p.is_public = 1 OR EXISTS "
        "(SELECT 1 FROM music_collaborators c WHERE c.playlist_id = p.id AND c.person_id = ?))",
        playlist_id,
        ctx.caller,
        ctx.caller,
    )
    if row is None:
        raise ApiError(404, f"No playlist with id {playlist_id}.")
    return row


def _editable_playlist(ctx: CallContext, playlist_id: int) -> dict[str, Any]:
    """A playlist whose songs the caller may change: their own, or a collaborative one they were added to."""
    row = _readable_playlist(ctx, playlist_id)
    if row["owner_id"] == ctx.caller:
        return row
    if row["is_collaborative"] and ctx.value(
        "SELECT 1 FROM music_collaborators WHERE playlist_id = ? AND person_id = ?", playlist_id, ctx.caller
    ):
        return row
    raise ApiError(403, f"Playlist {playlist_id} is not yours and you are not one of its collaborators.")


def _playlist_songs(ctx: CallContext, playlist_id: int) -> list[dict[str, Any]]:
    return ctx.rows(
        "SELECT id, song_id, position FROM music_playlist_songs WHERE playlist_id = ? ORDER BY position, id",
        playlist_id,
    )


@app.api("GET", "/playlists", [PLAYLIST], paginated=True)
def show_playlists(
    ctx: CallContext,
    query: Annotated[str, P("Words to match in the title; empty lists all.", max_length=QUERY_MAX_CHARS)] = "",
    role: Annotated[
        Literal["owner", "collaborator"], P("Playlists you own, or ones others own that you collaborate on.")
    ] = "owner",
    is_public: Annotated[bool | None, P("Only public (true) or private (false) playlists.")] = None,
) -> list[dict[str, Any]]:
    """List your playlists (oldest first), or the collaborative playlists others shared with you."""
    words, word_args = words_clause(query, ["p.title"])
    where = [f"1{words}"]
    args: list[Any] = list(word_args)
    if role == "owner":
        where.append("p.owner_id = ?")
    else:
        where.append("p.id IN (SELECT playlist_id FROM music_collaborators WHERE person_id = ?)")
    if is_public is not None:
        where.append(f"p.is_public = {int(is_public)}")
    rows = ctx.rows(f"{PLAYLIST_SQL} WHERE {' AND '.join(where)} ORDER BY p.id", *args, ctx.caller)
    return [_playlist_out(r) for r in rows]


def _playlist_out(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "is_public": bool(row["is_public"]), "is_collaborative": bool(row["is_collaborative"])}


@app.api("GET", "/public_playlists", [PLAYLIST], auth=False, paginated=True)
def search_playlists(
    ctx: CallContext,
    query: Annotated[str, P("Words to match in title or description.", max_length=QUERY_MAX_CHARS)] = "",
    owner_email: Annotated[str | None, P("Only playlists of the user with this email.", max_length=200)] = None,
    sort_by: Annotated[Literal["title", "-followers", "-created_at"], P("Order of results.")] = "title",
) -> Page:
    """Search everyone's public playlists."""
    words, word_args = words_clause(query, ["p.title", "p.description"])
    where = [f"p.is_public = 1{words}"]
    args: list[Any] = list(word_args)
    if owner_email is not None:
        where.append("o.email = ? COLLATE NOCASE")
        args.append(owner_email.strip())
    order = {"title": "p.title, p.id", "-followers": "followers DESC, p.id", "-created_at": "p.created_at DESC, p.id"}
    return sql_page(ctx, f"{PLAYLIST_SQL} WHERE {' AND '.join(where)}", order[sort_by], *args, shape=_playlist_out)


@app.api("GET", "/playlists/{playlist_id}", {**PLAYLIST, "collaborators": ["string"]})
def show_playlist(ctx: CallContext, playlist_id: PLAYLIST_ID) -> dict[str, Any]:
    """Show one playlist you can see (yours, shared with you as collaborator, or public), with its collaborators."""
    _readable_playlist(ctx, playlist_id)
    found = _playlist_out(ctx.existing_row(f"{PLAYLIST_SQL} WHERE p.id = ?", playlist_id))
    emails = ctx.rows(
        "SELECT p.email FROM music_collaborators c JOIN people p ON p.id = c.person_id WHERE c.playlist_id = ? "
        "ORDER BY c.id",
        playlist_id,
    )
    return {**found, "collaborators": [e["email"] for e in emails]}


@app.api("GET", "/playlists/{playlist_id}/songs", [{**SONG, "added_at": "string", "position": 1}], paginated=True)
def show_playlist_songs(ctx: CallContext, playlist_id: PLAYLIST_ID) -> list[dict[str, Any]]:
    """List the songs of a playlist you can see, in playlist order (position 1 is the first)."""
    _readable_playlist(ctx, playlist_id)
    rows = ctx.rows(
        f"SELECT {SONG_COLUMNS}, p.added_at FROM music_playlist_songs p JOIN music_songs s ON s.id = p.song_id "
        "WHERE p.playlist_id = ? ORDER BY p.position, p.id",
        playlist_id,
    )
    return [{**song(r), "added_at": r["added_at"], "position": i} for i, r in enumerate(rows, 1)]


TITLE = P("The playlist's title.", min_length=1, max_length=100)
DESCRIPTION = P("A short description.", max_length=500)


@app.api("POST", "/playlists", {"message": "string", "playlist_id": 1})
def create_playlist(
    ctx: CallContext,
    title: Annotated[str, TITLE],
    is_public: Annotated[bool, P("Whether others can see it.")] = False,
    description: Annotated[str, DESCRIPTION] = "",
    is_collaborative: Annotated[bool, P("Whether collaborators you add may change its songs.")] = False,
) -> dict[str, Any]:
    """Create an empty playlist."""
    new_id = ctx.execute(
        "INSERT INTO music_playlists (owner_id, title, is_public, created_at, description, is_collaborative) "
        "VALUES (?,?,?,?,?,?)",
        ctx.user_id,
        title,
        int(is_public),
        ctx.timestamp(),
        description,
        int(is_collaborative),
    )
    return {"message": "Playlist created.", "playlist_id": new_id}


@app.api("PATCH", "/playlists/{playlist_id}", MESSAGE)
def update_playlist(
    ctx: CallContext,
    playlist_id: PLAYLIST_ID,
    title: Annotated[str | None, P("New title.", min_length=1, max_length=100)] = None,
    is_public: Annotated[bool | None, P("Make it public (true) or private (false).")] = None,
    description: Annotated[str | None, P("New description.", max_length=500)] = None,
    is_collaborative: Annotated[bool | None, P("Let collaborators change its songs (true) or not (false).")] = None,
) -> dict[str, str]:
    """Rename one of your playlists, change its description, or who can see or change it."""
    ctx.owned("music_playlists", playlist_id, "playlist")
    flags = {"is_public": is_public, "is_collaborative": is_collaborative}
    ctx.update(
        "music_playlists",
        playlist_id,
        {"title": title, "description": description, **{k: None if v is None else int(v) for k, v in flags.items()}},
    )
    return {"message": "Playlist updated."}


@app.api("DELETE", "/playlists/{playlist_id}", MESSAGE)
def delete_playlist(ctx: CallContext, playlist_id: PLAYLIST_ID) -> dict[str, str]:
    """Delete one of your playlists (its songs stay in the catalog and your library)."""
    ctx.owned("music_playlists", playlist_id, "playlist")
    for table in ("music_playlist_songs", "music_playlist_follows", "music_collaborators"):
        ctx.execute(f"DELETE FROM {table} WHERE playlist_id = ?", playlist_id)
    ctx.execute("DELETE FROM music_playlists WHERE id = ?", playlist_id)
    return {"message": "Playlist deleted."}


@app.api("POST", "/playlists/{playlist_id}/songs", MESSAGE)
def add_song_to_playlist(ctx: CallContext, playlist_id: PLAYLIST_ID, song_id: SONG_ID) -> dict[str, str]:
    """Add a song at the end of a playlist you own or collaborate on."""
    _editable_playlist(ctx, playlist_id)
    existing_song(ctx, song_id)
    last = ctx.value("SELECT MAX(position) FROM music_playlist_songs WHERE playlist_id = ?", playlist_id) or 0
    ctx.insert_unique(
        "music_playlist_songs",
        {"playlist_id": playlist_id, "song_id": song_id},
        f"Song {song_id} is already in playlist {playlist_id}.",
        {"added_at": ctx.timestamp(), "position": float(int(last) + 1), "added_by": ctx.caller},
    )
    return {"message": "Song added to the playlist."}


@app.api("DELETE", "/playlists/{playlist_id}/songs/{song_id}", MESSAGE)
def remove_song_from_playlist(ctx: CallContext, playlist_id: PLAYLIST_ID, song_id: SONG_ID) -> dict[str, str]:
    """Remove a song from a playlist you own or collaborate on."""
    _editable_playlist(ctx, playlist_id)
    ctx.delete_existing(
        "music_playlist_songs",
        {"playlist_id": playlist_id, "song_id": song_id},
        f"Song {song_id} is not in playlist {playlist_id}.",
    )
    return {"message": "Song removed from the playlist."}


@app.api("PUT", "/playlists/{playlist_id}/songs/{song_id}/position", MESSAGE)
def move_song_in_playlist(
    ctx: CallContext,
    playlist_id: PLAYLIST_ID,
    song_id: SONG_ID,
    position: Annotated[int, P("The song's new position, 1 being the first.", ge=1)],
) -> dict[str, str]:
    """Move a song of a playlist you own or collaborate on to another position (the others keep their order)."""
    _editable_playlist(ctx, playlist_id)
    entries = _playlist_songs(ctx, playlist_id)
    moving = next((e for e in entries if e["song_id"] == song_id), None)
    if moving is None:
        raise ApiError(404, f"Song {song_id} is not in playlist {playlist_id}.")
    if position > len(entries):
        raise ApiError(422, f"Invalid argument 'position': the playlist has {len(entries)} songs, got {position}.")
    others = [e for e in entries if e is not moving]
    before = others[position - 2]["position"] if position >= 2 else others[0]["position"] - 2 if others else 0.0
    after = others[position - 1]["position"] if position - 1 < len(others) else before + 2
    # Halfway between the new neighbours: only the moved row changes, so a reorder never rewrites the playlist.
    ctx.execute("UPDATE music_playlist_songs SET position = ? WHERE id = ?", (before + after) / 2, moving["id"])
    return {"message": f"Song moved to position {position}."}


@app.api("POST", "/playlists/{playlist_id}/collaborators", MESSAGE)
def add_playlist_collaborator(
    ctx: CallContext,
    playlist_id: PLAYLIST_ID,
    email: Annotated[str, P("The email of the user to add.", min_length=3, max_length=200)],
) -> dict[str, str]:
    """Let another user change the songs of one of your collaborative playlists."""
    row = ctx.owned("music_playlists", playlist_id, "playlist")
    if not row["is_collaborative"]:
        raise ApiError(409, f"Playlist {playlist_id} is not collaborative: make it collaborative first.")
    person = person_by_email(ctx, email)
    if person == ctx.caller:
        raise ApiError(422, "You own this playlist: add someone else.")
    ctx.insert_unique(
        "music_collaborators",
        {"playlist_id": playlist_id, "person_id": person},
        f"{email} already collaborates on playlist {playlist_id}.",
        {"added_at": ctx.timestamp()},
    )
    return {"message": f"{email} can now change this playlist."}


@app.api("DELETE", "/playlists/{playlist_id}/collaborators", MESSAGE)
def remove_playlist_collaborator(
    ctx: CallContext,
    playlist_id: PLAYLIST_ID,
    email: Annotated[str, P("The email of the collaborator to remove.", min_length=3, max_length=200)],
) -> dict[str, str]:
    """Remove a collaborator from one of your playlists."""
    ctx.owned("music_playlists", playlist_id, "playlist")
    ctx.delete_existing(
        "music_collaborators",
        {"playlist_id": playlist_id, "person_id": person_by_email(ctx, email)},
        f"{email} does not collaborate on playlist {playlist_id}.",
    )
    return {"message": f"{email} no longer collaborates on this playlist."}


@app.api("GET", "/followed_playlists", [PLAYLIST], paginated=True)
def show_followed_playlists(ctx: CallContext) -> list[dict[str, Any]]:
    """List the public playlists of others that you follow, most recently followed first."""
    rows = ctx.rows(
        f"{PLAYLIST_SQL} JOIN music_playlist_follows v ON v.playlist_id = p.id WHERE v.owner_id = ? "
        "ORDER BY v.followed_at DESC, v.id DESC",
        ctx.caller,
    )
    return [_playlist_out(r) for r in rows]


@app.api("POST", "/followed_playlists/{playlist_id}", MESSAGE)
def follow_playlist(ctx: CallContext, playlist_id: PLAYLIST_ID) -> dict[str, str]:
    """Follow another user's public playlist."""
    row = _readable_playlist(ctx, playlist_id)
    if row["owner_id"] == ctx.caller:
        raise ApiError(409, f"Playlist {playlist_id} is yours: you cannot follow it.")
    if not row["is_public"]:
        raise ApiError(409, f"Playlist {playlist_id} is private: only public playlists can be followed.")
    ctx.insert_unique(
        "music_playlist_follows",
        {"owner_id": ctx.caller, "playlist_id": playlist_id},
        f"You already follow playlist {playlist_id}.",
        {"followed_at": ctx.timestamp()},
    )
    return {"message": "Playlist followed."}


@app.api("DELETE", "/followed_playlists/{playlist_id}", MESSAGE)
def unfollow_playlist(ctx: CallContext, playlist_id: PLAYLIST_ID) -> dict[str, str]:
    """Stop following a playlist."""
    ctx.delete_existing(
        "music_playlist_follows",
        {"owner_id": ctx.caller, "playlist_id": playlist_id},
        f"You do not follow playlist {playlist_id}.",
    )
    return {"message": "Playlist unfollowed."}


from envs.toolworld.apps import _music_data, _music_extras, _music_player  # noqa: E402, F401  (they register on app)
