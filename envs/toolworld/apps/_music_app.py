"""The music app's declaration, tables and the row shapes its APIs share (its APIs live in music.py and
_music_*.py, which register on this one `app`)."""

from __future__ import annotations

from typing import Annotated, Any

from envs.toolworld.api import ApiError, App, CallContext, P
from envs.toolworld.apps._accounts import add_account_apis
from envs.toolworld.apps._people import person_by_email as person_by_email

app = App(
    "music",
    "A music streaming app: a catalog of artists, albums and songs; your library, likes, saved albums, followed "
    "artists and playlists; a player with a queue; listening history, reviews, downloads and recommendations.",
    schema="""
    CREATE TABLE music_artists (
        id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, genre TEXT NOT NULL, country TEXT NOT NULL,
        formed_year INTEGER NOT NULL, bio TEXT NOT NULL
    );
    CREATE TABLE music_albums (
        id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL, artist_id INTEGER NOT NULL, artist TEXT NOT NULL,
        genre TEXT NOT NULL, kind TEXT NOT NULL, release_date TEXT NOT NULL, label TEXT NOT NULL
    );
    CREATE INDEX music_albums_artist ON music_albums(artist_id);
    CREATE TABLE music_songs (
        id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL, artist TEXT NOT NULL, album TEXT NOT NULL,
        genre TEXT NOT NULL, duration_s INTEGER NOT NULL, release_year INTEGER NOT NULL, play_count INTEGER NOT NULL,
        artist_id INTEGER NOT NULL, album_id INTEGER NOT NULL, track_number INTEGER NOT NULL,
        release_date TEXT NOT NULL, explicit INTEGER NOT NULL,
        search_text TEXT NOT NULL  -- lower(title, artist, album): one text per song for word search
    );
    CREATE INDEX music_songs_artist ON music_songs(artist, play_count);
    CREATE INDEX music_songs_album ON music_songs(album_id, track_number);
    CREATE INDEX music_songs_genre ON music_songs(genre, play_count);
    CREATE TABLE music_library (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, song_id INTEGER NOT NULL,
        added_at TEXT NOT NULL, UNIQUE(owner_id, song_id)
    );
    CREATE TABLE music_likes (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, song_id INTEGER NOT NULL,
        UNIQUE(owner_id, song_id)
    );
    CREATE TABLE music_follows (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, artist TEXT NOT NULL,
        followed_at TEXT NOT NULL DEFAULT '', UNIQUE(owner_id, artist)
    );
    CREATE INDEX music_follows_artist ON music_follows(artist);
    CREATE TABLE music_saved_albums (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, album_id INTEGER NOT NULL,
        saved_at TEXT NOT NULL, UNIQUE(owner_id, album_id)
    );
    CREATE TABLE music_playlists (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, title TEXT NOT NULL,
        is_public INTEGER NOT NULL, created_at TEXT NOT NULL, description TEXT NOT NULL DEFAULT '',
        is_collaborative INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX music_playlists_owner ON music_playlists(owner_id);
    CREATE TABLE music_playlist_songs (
        id INTEGER PRIMARY KEY AUTOINCREMENT, playlist_id INTEGER NOT NULL, song_id INTEGER NOT NULL,
        added_at TEXT NOT NULL, position REAL NOT NULL DEFAULT 0, added_by INTEGER
    );
    CREATE INDEX music_playlist_songs_playlist ON music_playlist_songs(playlist_id, position);
    CREATE INDEX music_playlist_songs_song ON music_playlist_songs(song_id);
    CREATE TABLE music_playlist_follows (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, playlist_id INTEGER NOT NULL,
        followed_at TEXT NOT NULL, UNIQUE(owner_id, playlist_id)
    );
    CREATE INDEX music_playlist_follows_playlist ON music_playlist_follows(playlist_id);
    CREATE TABLE music_collaborators (
        id INTEGER PRIMARY KEY AUTOINCREMENT, playlist_id INTEGER NOT NULL, person_id INTEGER NOT NULL,
        added_at TEXT NOT NULL, UNIQUE(playlist_id, person_id)
    );
    CREATE INDEX music_collaborators_person ON music_collaborators(person_id);
    CREATE TABLE music_history (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, song_id INTEGER NOT NULL,
        played_at TEXT NOT NULL, seconds_played INTEGER NOT NULL
    );
    CREATE INDEX music_history_owner ON music_history(owner_id, played_at);
    CREATE TABLE music_reviews (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, song_id INTEGER NOT NULL,
        rating INTEGER NOT NULL, text TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
        UNIQUE(owner_id, song_id)
    );
    CREATE INDEX music_reviews_song ON music_reviews(song_id);
    CREATE TABLE music_downloads (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, song_id INTEGER NOT NULL,
        quality TEXT NOT NULL, downloaded_at TEXT NOT NULL, UNIQUE(owner_id, song_id)
    );
    CREATE TABLE music_queue (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL, song_id INTEGER NOT NULL,
        position REAL NOT NULL, added_at TEXT NOT NULL
    );
    CREATE INDEX music_queue_owner ON music_queue(owner_id, position);
    CREATE TABLE music_player (
        owner_id INTEGER PRIMARY KEY, song_id INTEGER, is_playing INTEGER NOT NULL, shuffle INTEGER NOT NULL,
        repeat TEXT NOT NULL, volume INTEGER NOT NULL
    );
    CREATE TABLE music_settings (
        owner_id INTEGER PRIMARY KEY, audio_quality TEXT NOT NULL, download_quality TEXT NOT NULL,
        allow_explicit INTEGER NOT NULL, autoplay INTEGER NOT NULL, private_session INTEGER NOT NULL,
        crossfade_s INTEGER NOT NULL
    );
    """,
)
add_account_apis(app)

SONG = {
    "song_id": 1,
    "title": "string",
    "artist": "string",
    "artist_id": 1,
    "album": "string",
    "album_id": 1,
    "genre": "string",
    "duration_s": 1,
    "release_year": 1,
    "release_date": "string",
    "track_number": 1,
    "explicit": True,
    "play_count": 1,
}
ALBUM = {
    "album_id": 1,
    "album": "string",
    "artist": "string",
    "artist_id": 1,
    "genre": "string",
    "kind": "string",
    "release_year": 1,
    "release_date": "string",
    "label": "string",
    "songs": 1,
}
MESSAGE = {"message": "string"}
SONG_ID = Annotated[int, P("The song's id.", ge=1)]
ALBUM_ID = Annotated[int, P("The album's id.", ge=1)]
PLAYLIST_ID = Annotated[int, P("The playlist's id.", ge=1)]
SONG_COLUMNS = "s.id, s.title, s.artist, s.artist_id, s.album, s.album_id, s.genre, s.duration_s, s.release_year, "
SONG_COLUMNS += "s.release_date, s.track_number, s.explicit, s.play_count"


def song(row: dict[str, Any]) -> dict[str, Any]:
    """A song as the APIs show it (from a row selected with SONG_COLUMNS)."""
    out = {"song_id": row["id"], **{k: row[k] for k in SONG if k not in ("song_id", "explicit")}}
    out["explicit"] = bool(row["explicit"])
    return out


def songs(ctx: CallContext, sql: str, *args: Any) -> list[dict[str, Any]]:
    """Songs selected by `sql`, a query whose select list is SONG_COLUMNS over `music_songs s`."""
    return [song(r) for r in ctx.rows(sql.replace("SONG_COLUMNS", SONG_COLUMNS), *args)]


def existing_song(ctx: CallContext, song_id: int) -> dict[str, Any]:
    row = ctx.row("SELECT * FROM music_songs WHERE id = ?", song_id)
    if row is None:
        raise ApiError(404, f"No song with id {song_id}.")
    return row


def existing_album(ctx: CallContext, album_id: int) -> dict[str, Any]:
    row = ctx.row("SELECT * FROM music_albums WHERE id = ?", album_id)
    if row is None:
        raise ApiError(404, f"No album with id {album_id}.")
    return row
