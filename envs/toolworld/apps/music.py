"""music: a song catalog, your library, likes, followed artists and playlists."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from envs.toolworld.api import QUERY_MAX_CHARS, ApiError, App, CallContext, P
from envs.toolworld.apps._accounts import add_account_apis
from envs.toolworld.world.build import WorldBuilder

app = App(
    "music",
    "A music streaming app: songs, albums, artists, your library, likes and playlists.",
    schema="""
    CREATE TABLE music_songs (
        id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL, artist TEXT NOT NULL, album TEXT NOT NULL,
        genre TEXT NOT NULL, duration_s INTEGER NOT NULL, release_year INTEGER NOT NULL, play_count INTEGER NOT NULL
    );
    CREATE TABLE music_library (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, song_id INTEGER NOT NULL,
        added_at TEXT NOT NULL, UNIQUE(owner_id, song_id)
    );
    CREATE TABLE music_likes (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, song_id INTEGER NOT NULL,
        UNIQUE(owner_id, song_id)
    );
    CREATE TABLE music_follows (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, artist TEXT NOT NULL, UNIQUE(owner_id, artist)
    );
    CREATE TABLE music_playlists (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, title TEXT NOT NULL,
        is_public INTEGER NOT NULL, created_at TEXT NOT NULL
    );
    CREATE TABLE music_playlist_songs (
        id INTEGER PRIMARY KEY AUTOINCREMENT, playlist_id INTEGER NOT NULL, song_id INTEGER NOT NULL,
        added_at TEXT NOT NULL
    );
    """,
)
add_account_apis(app)

GENRES = ("pop", "rock", "jazz", "hip hop", "folk", "electronic", "classical")
ARTISTS = (
    "The Paper Lanterns|Mara Quell|Sunday Static|Juno Vale|Copper Fox|Lumen Drive|The Velvet Hours|Oskar Brae|"
    # The leading spaces of "    Tilde & the Waves" are in every generated world (its songs, follows and tasks): kept.
    "Nine Harbors|    Tilde & the Waves|Ruby Marsh|Echo Parade|Hollow Pines|Kestrel|Ines Duarte|The Night Ferries|"
    "Glass Orchard|Baxter Lowe|Saffron Sky|Milo Kade"
).split("|")
WORDS = (
    "Midnight River Golden Echo Paper Heart Silver Morning Neon Rain Quiet Storm Wild Summer Broken Compass Electric "
    "Dream Slow Motion Ocean Letters Velvet Sky Falling Stars Hidden Road Lonely Satellite Amber Light Winter Garden "
    "Open Window Blue Horizon"
).split()
PLAYLIST_NAMES = (
    "Morning Run",
    "Focus",
    "Road Trip",
    "Chill Evening",
    "Workout Mix",
    "Dinner Party",
    "Rainy Day",
    "Throwbacks",
)
SONG = {
    "song_id": 1,
    "title": "string",
    "artist": "string",
    "album": "string",
    "genre": "string",
    "duration_s": 1,
    "release_year": 1,
    "play_count": 1,
}
PLAYLIST = {"playlist_id": 1, "title": "string", "is_public": True, "created_at": "string", "song_count": 1}
SONG_ID = Annotated[int, P("The song's id.", ge=1)]
PLAYLIST_ID = Annotated[int, P("The playlist's id.", ge=1)]
ARTIST = Annotated[str, P("The artist's exact name.", min_length=1)]


@app.populator
def populate(w: WorldBuilder) -> None:
    rng = w.rng("music")
    songs = []
    for artist in ARTISTS:
        genre = rng.choice(GENRES)
        for _ in range(rng.randint(2, 3)):
            album, year = " ".join(rng.sample(WORDS, 2)), rng.randint(1995, 2026)
            for _ in range(rng.randint(6, 10)):
                songs.append(
                    {
                        "title": " ".join(rng.sample(WORDS, rng.randint(1, 3))),
                        "artist": artist,
                        "album": album,
                        "genre": genre,
                        "duration_s": rng.randint(120, 420),
                        "release_year": year,
                        "play_count": rng.randint(0, 5_000_000),
                    }
                )
    song_ids = w.insert("music_songs", songs)
    for person in w.people:
        owned = rng.sample(song_ids, rng.randint(8, 40))
        w.insert(
            "music_library", [{"owner_id": person.id, "song_id": s, "added_at": _ago(w, rng)} for s in sorted(owned)]
        )
        w.insert(
            "music_likes",
            [{"owner_id": person.id, "song_id": s} for s in sorted(rng.sample(owned, rng.randint(0, len(owned) // 2)))],
        )
        w.insert(
            "music_follows",
            [{"owner_id": person.id, "artist": a} for a in sorted(rng.sample(ARTISTS, rng.randint(0, 5)))],
        )
        for title in rng.sample(PLAYLIST_NAMES, rng.randint(1, 4)):
            (playlist_id,) = w.insert(
                "music_playlists",
                [
                    {
                        "owner_id": person.id,
                        "title": title,
                        "is_public": int(rng.random() < 0.5),
                        "created_at": _ago(w, rng),
                    }
                ],
            )
            w.insert(
                "music_playlist_songs",
                [
                    {"playlist_id": playlist_id, "song_id": s, "added_at": _ago(w, rng)}
                    for s in rng.sample(song_ids, rng.randint(3, 24))
                ],
            )


def _ago(w: WorldBuilder, rng: Any) -> str:
    return (w.now - timedelta(days=rng.randint(1, 700), minutes=rng.randint(0, 1440))).isoformat(timespec="seconds")


def _song(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "song_id": row["id"],
        **{k: row[k] for k in ("title", "artist", "album", "genre", "duration_s", "release_year", "play_count")},
    }


def _existing_song(ctx: CallContext, song_id: int) -> dict[str, Any]:
    row = ctx.row("SELECT * FROM music_songs WHERE id = ?", song_id)
    if row is None:
        raise ApiError(404, f"No song with id {song_id}.")
    return row


def _playlist(ctx: CallContext, row: dict[str, Any]) -> dict[str, Any]:
    count = ctx.value("SELECT COUNT(*) FROM music_playlist_songs WHERE playlist_id = ?", row["id"])
    return {
        "playlist_id": row["id"],
        "title": row["title"],
        "is_public": bool(row["is_public"]),
        "created_at": row["created_at"],
        "song_count": count,
    }


@app.api("GET", "/songs", [SONG], auth=False, paginated=True)
def search_songs(
    ctx: CallContext,
    query: Annotated[
        str, P("Words to match in title, artist or album; empty lists all.", max_length=QUERY_MAX_CHARS)
    ] = "",
    genre: Annotated[str | None, P("Only songs of this genre.")] = None,
    artist: Annotated[str | None, P("Only songs by this artist (exact name).")] = None,
    sort_by: Annotated[Literal["title", "-play_count", "-release_year"], P("Order of results.")] = "title",
) -> list[dict[str, Any]]:
    """Search the song catalog."""
    order = {"title": "title, id", "-play_count": "play_count DESC, id", "-release_year": "release_year DESC, id"}[
        sort_by
    ]
    rows = ctx.rows(f"SELECT * FROM music_songs ORDER BY {order}")
    words = query.lower().split()
    rows = [r for r in rows if all(w in f"{r['title']} {r['artist']} {r['album']}".lower() for w in words)]
    return [
        _song(r) for r in rows if (genre is None or r["genre"] == genre) and (artist is None or r["artist"] == artist)
    ]


@app.api("GET", "/songs/{song_id}", SONG, auth=False)
def show_song(ctx: CallContext, song_id: SONG_ID) -> dict[str, Any]:
    """Show one song."""
    return _song(_existing_song(ctx, song_id))


@app.api("GET", "/artists", [{"artist": "string", "genre": "string", "songs": 1}], auth=False, paginated=True)
def search_artists(
    ctx: CallContext,
    query: Annotated[str, P("Words to match in the artist's name; empty lists all.", max_length=QUERY_MAX_CHARS)] = "",
) -> list[dict[str, Any]]:
    """Search artists by name."""
    rows = ctx.rows(
        "SELECT artist, MIN(genre) AS genre, COUNT(*) AS songs FROM music_songs GROUP BY artist ORDER BY artist"
    )
    return [r for r in rows if all(w in r["artist"].lower() for w in query.lower().split())]


@app.api(
    "GET",
    "/albums",
    [{"album": "string", "artist": "string", "release_year": 1, "songs": 1}],
    auth=False,
    paginated=True,
)
def search_albums(
    ctx: CallContext,
    query: Annotated[str, P("Words to match in album or artist; empty lists all.", max_length=QUERY_MAX_CHARS)] = "",
) -> list[dict[str, Any]]:
    """Search albums."""
    rows = ctx.rows(
        "SELECT album, artist, MIN(release_year) AS release_year, COUNT(*) AS songs FROM music_songs "
        "GROUP BY album, artist ORDER BY album, artist"
    )
    return [r for r in rows if all(w in f"{r['album']} {r['artist']}".lower() for w in query.lower().split())]


@app.api("GET", "/library", [SONG], paginated=True)
def show_song_library(ctx: CallContext) -> list[dict[str, Any]]:
    """List the songs in your library, most recently added first."""
    rows = ctx.rows(
        "SELECT s.* FROM music_library l JOIN music_songs s ON s.id = l.song_id WHERE l.owner_id = ? "
        "ORDER BY l.added_at DESC, l.id DESC",
        ctx.user_id,
    )
    return [_song(r) for r in rows]


@app.api("POST", "/library/{song_id}", {"message": "string"})
def add_song_to_library(ctx: CallContext, song_id: SONG_ID) -> dict[str, str]:
    """Add a song to your library."""
    _existing_song(ctx, song_id)
    ctx.insert_unique(
        "music_library",
        {"owner_id": ctx.user_id, "song_id": song_id},
        f"Song {song_id} is already in your library.",
        {"added_at": ctx.timestamp()},
    )
    return {"message": "Song added to your library."}


@app.api("DELETE", "/library/{song_id}", {"message": "string"})
def remove_song_from_library(ctx: CallContext, song_id: SONG_ID) -> dict[str, str]:
    """Remove a song from your library."""
    ctx.delete_existing(
        "music_library", {"owner_id": ctx.user_id, "song_id": song_id}, f"Song {song_id} is not in your library."
    )
    return {"message": "Song removed from your library."}


@app.api("GET", "/likes", [SONG], paginated=True)
def show_liked_songs(ctx: CallContext) -> list[dict[str, Any]]:
    """List the songs you liked."""
    return [
        _song(r)
        for r in ctx.rows(
            "SELECT s.* FROM music_likes l JOIN music_songs s ON s.id = l.song_id WHERE l.owner_id = ? "
            "ORDER BY l.id DESC",
            ctx.user_id,
        )
    ]


@app.api("POST", "/likes/{song_id}", {"message": "string"})
def like_song(ctx: CallContext, song_id: SONG_ID) -> dict[str, str]:
    """Like a song."""
    _existing_song(ctx, song_id)
    ctx.insert_unique("music_likes", {"owner_id": ctx.user_id, "song_id": song_id}, f"You already like song {song_id}.")
    return {"message": "Song liked."}


@app.api("DELETE", "/likes/{song_id}", {"message": "string"})
def unlike_song(ctx: CallContext, song_id: SONG_ID) -> dict[str, str]:
    """Remove your like from a song."""
    ctx.delete_existing(
        "music_likes", {"owner_id": ctx.user_id, "song_id": song_id}, f"You do not like song {song_id}."
    )
    return {"message": "Like removed."}


@app.api("GET", "/following", [{"artist": "string"}], paginated=True)
def show_followed_artists(ctx: CallContext) -> list[dict[str, Any]]:
    """List the artists you follow."""
    return ctx.rows("SELECT artist FROM music_follows WHERE owner_id = ? ORDER BY artist", ctx.user_id)


@app.api("POST", "/following", {"message": "string"})
def follow_artist(ctx: CallContext, artist: ARTIST) -> dict[str, str]:
    """Follow an artist."""
    if not ctx.value("SELECT 1 FROM music_songs WHERE artist = ?", artist):
        raise ApiError(404, f"No artist named {artist!r}.")
    ctx.insert_unique("music_follows", {"owner_id": ctx.user_id, "artist": artist}, f"You already follow {artist}.")
    return {"message": f"You now follow {artist}."}


@app.api("DELETE", "/following", {"message": "string"})
def unfollow_artist(ctx: CallContext, artist: ARTIST) -> dict[str, str]:
    """Stop following an artist."""
    ctx.delete_existing("music_follows", {"owner_id": ctx.user_id, "artist": artist}, f"You do not follow {artist!r}.")
    return {"message": f"You no longer follow {artist}."}


@app.api("GET", "/playlists", [PLAYLIST], paginated=True)
def show_playlists(ctx: CallContext) -> list[dict[str, Any]]:
    """List your playlists."""
    return [
        _playlist(ctx, r) for r in ctx.rows("SELECT * FROM music_playlists WHERE owner_id = ? ORDER BY id", ctx.user_id)
    ]


@app.api("GET", "/playlists/{playlist_id}/songs", [SONG], paginated=True)
def show_playlist_songs(ctx: CallContext, playlist_id: PLAYLIST_ID) -> list[dict[str, Any]]:
    """List the songs of one of your playlists, in playlist order."""
    ctx.owned("music_playlists", playlist_id, "playlist")
    rows = ctx.rows(
        "SELECT s.* FROM music_playlist_songs p JOIN music_songs s ON s.id = p.song_id WHERE p.playlist_id = ? "
        "ORDER BY p.id",
        playlist_id,
    )
    return [_song(r) for r in rows]


@app.api("POST", "/playlists", {"message": "string", "playlist_id": 1})
def create_playlist(
    ctx: CallContext,
    title: Annotated[str, P("The playlist's title.", min_length=1, max_length=100)],
    is_public: Annotated[bool, P("Whether others can see it.")] = False,
) -> dict[str, Any]:
    """Create an empty playlist."""
    new_id = ctx.execute(
        "INSERT INTO music_playlists (owner_id, title, is_public, created_at) VALUES (?,?,?,?)",
        ctx.user_id,
        title,
        int(is_public),
        ctx.timestamp(),
    )
    return {"message": "Playlist created.", "playlist_id": new_id}


@app.api("PATCH", "/playlists/{playlist_id}", {"message": "string"})
def update_playlist(
    ctx: CallContext,
    playlist_id: PLAYLIST_ID,
    title: Annotated[str | None, P("New title.", min_length=1, max_length=100)] = None,
    is_public: Annotated[bool | None, P("Make it public (true) or private (false).")] = None,
) -> dict[str, str]:
    """Rename a playlist or change who can see it."""
    ctx.owned("music_playlists", playlist_id, "playlist")
    ctx.update(
        "music_playlists", playlist_id, {"title": title, "is_public": None if is_public is None else int(is_public)}
    )
    return {"message": "Playlist updated."}


@app.api("DELETE", "/playlists/{playlist_id}", {"message": "string"})
def delete_playlist(ctx: CallContext, playlist_id: PLAYLIST_ID) -> dict[str, str]:
    """Delete a playlist (its songs stay in the catalog and your library)."""
    ctx.owned("music_playlists", playlist_id, "playlist")
    ctx.execute("DELETE FROM music_playlist_songs WHERE playlist_id = ?", playlist_id)
    ctx.execute("DELETE FROM music_playlists WHERE id = ?", playlist_id)
    return {"message": "Playlist deleted."}


@app.api("POST", "/playlists/{playlist_id}/songs", {"message": "string"})
def add_song_to_playlist(ctx: CallContext, playlist_id: PLAYLIST_ID, song_id: SONG_ID) -> dict[str, str]:
    """Add a song at the end of one of your playlists."""
    ctx.owned("music_playlists", playlist_id, "playlist")
    _existing_song(ctx, song_id)
    ctx.insert_unique(
        "music_playlist_songs",
        {"playlist_id": playlist_id, "song_id": song_id},
        f"Song {song_id} is already in playlist {playlist_id}.",
        {"added_at": ctx.timestamp()},
    )
    return {"message": "Song added to the playlist."}


@app.api("DELETE", "/playlists/{playlist_id}/songs/{song_id}", {"message": "string"})
def remove_song_from_playlist(ctx: CallContext, playlist_id: PLAYLIST_ID, song_id: SONG_ID) -> dict[str, str]:
    """Remove a song from one of your playlists."""
    ctx.owned("music_playlists", playlist_id, "playlist")
    ctx.delete_existing(
        "music_playlist_songs",
        {"playlist_id": playlist_id, "song_id": song_id},
        f"Song {song_id} is not in playlist {playlist_id}.",
    )
    return {"message": "Song removed from the playlist."}


@app.api("POST", "/player/{song_id}", {"message": "string", "play_count": 1})
def play_song(ctx: CallContext, song_id: SONG_ID) -> dict[str, Any]:
    """Play a song (counts one play)."""
    _existing_song(ctx, song_id)
    ctx.execute("UPDATE music_songs SET play_count = play_count + 1 WHERE id = ?", song_id)
    return {"message": "Playing.", "play_count": ctx.value("SELECT play_count FROM music_songs WHERE id = ?", song_id)}
