"""Scenarios on the music app: likes, playlists, follows, questions about your library."""

from __future__ import annotations

import random
from typing import Any

from envs.toolworld.apps.phone import blocked_by
from envs.toolworld.evaluate import Answer, Deleted, Expectation, Inserted, NewRow, OneOf
from envs.toolworld.scenarios._calendar import reader
from envs.toolworld.scenarios._common import Solution, fetch_all, login, pick
from envs.toolworld.scenarios.work_people import text_to
from envs.toolworld.tasks import TaskSpec, WorldView, scenario
from envs.toolworld.world.build import WORLD_NOW

DONE = "apis.supervisor.complete_task()\n"
NOW = WORLD_NOW.isoformat(timespec="seconds")
LIBRARY = "apis.music.show_song_library(access_token=music_token"
CLOCK = "def clock(seconds):\n    return f'{seconds // 60}:{seconds % 60:02d}'\n"  # oracle code: m:ss
LOW_RATING = 2.5  # an average review rating below this marks a song people dislike
WELL_RATED = 4  # an average review rating at which a song is worth having
BEST = 3  # the least average review rating of a song in a 'Best of' playlist


def clock(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


def average_rating(view: WorldView, song_id: int) -> float | None:
    """A song's average review rating as show_song gives it (None without reviews)."""
    avg = view.value("SELECT AVG(rating) FROM music_reviews WHERE song_id = ?", song_id)
    return None if avg is None else round(avg, 2)


def disliked(view: WorldView, song_id: int) -> bool:
    avg = average_rating(view, song_id)
    return avg is not None and avg < LOW_RATING


def song_rows(view: WorldView, table: str, owner: int, songs: list[int]) -> frozenset[int]:
    """The ids of `owner`'s rows of a per-song table (music_library, music_likes) for `songs`."""
    return frozenset(
        r["id"]
        for song in songs
        for r in view.rows(f"SELECT id FROM {table} WHERE owner_id = ? AND song_id = ?", owner, song)
    )


def added_to_library(owner: int, songs: list[int], requirement: str) -> Inserted:
    """The songs `owner` adds to their library (in any order)."""
    row = {"owner_id": owner, "song_id": OneOf(songs), "added_at": NOW}
    return Inserted("music_library", row, requirement, count=len(songs), what="library songs")


def new_likes(owner: int, songs: list[int], requirement: str) -> Inserted:
    """The songs `owner` likes (in any order)."""
    row = {"owner_id": owner, "song_id": OneOf(songs)}
    return Inserted("music_likes", row, requirement, count=len(songs), what="likes")


def new_follows(owner: int, artists: list[str], why: str) -> list[Expectation]:
    """One follow by `owner` of each of `artists` (`why` says what makes each one due)."""
    return [
        Inserted(
            "music_follows",
            {"owner_id": owner, "artist": artist, "followed_at": NOW},
            f"{artist} ({why}) is followed",
            what=f"follows of {artist}",
        )
        for artist in artists
    ]


def add_missing(songs: str, condition: str = "") -> str:
    """Oracle code: every song of the list `songs` not in my library yet (and meeting `condition`, an expression on
    `s`) is added to it; leaves `missing`."""
    return (
        fetch_all("library", LIBRARY)
        + "have = {s['song_id'] for s in library}\n"
        + f"missing = [s for s in {songs} if s['song_id'] not in have{' and ' + condition if condition else ''}]\n"
        + "for s in missing:\n"
        + "    apis.music.add_song_to_library(access_token=music_token, song_id=s['song_id'])\n"
    )


def library_ids(view: WorldView, owner: int) -> set[int]:
    return {r["song_id"] for r in view.rows("SELECT song_id FROM music_library WHERE owner_id = ?", owner)}


@scenario("music_like_artist_in_library", apps=("music",), difficulty=2)
def like_artist_in_library(view: WorldView, rng: random.Random) -> TaskSpec:
    """Every song by one artist in my library, decided by its average review rating (only in show_song): a disliked
    one leaves the library and loses my like, any other is liked if it is not yet; the answer counts new likes."""
    rows = view.rows(
        "SELECT l.owner_id, s.artist, s.id, EXISTS (SELECT 1 FROM music_likes k WHERE k.owner_id = l.owner_id "
        "AND k.song_id = s.id) AS liked FROM music_library l JOIN music_songs s ON s.id = l.song_id "
        "ORDER BY l.owner_id, s.artist, s.id"
    )
    by_artist: dict[tuple[int, str], list[dict]] = {}
    for r in rows:
        by_artist.setdefault((r["owner_id"], r["artist"]), []).append(r)

    def sorted_out(songs: list[dict]) -> tuple[list[dict], list[dict]]:
        out = [s for s in songs if disliked(view, s["id"])]
        return out, [s for s in songs if s not in out and not s["liked"]]

    def well_rated(owner: int, artist: str) -> list[int]:
        have = library_ids(view, owner)
        catalog = view.rows("SELECT id FROM music_songs WHERE artist = ? ORDER BY id", artist)
        return [r["id"] for r in catalog if r["id"] not in have and (average_rating(view, r["id"]) or 0) >= WELL_RATED]

    candidates = [k for k, songs in by_artist.items() if len(songs) >= 4 and all(sorted_out(songs)) and well_rated(*k)]
    owner, artist = pick(rng, candidates, "artist in a library with disliked and unliked songs", distinct=True)
    out, to_like = sorted_out(by_artist[(owner, artist)])
    to_add = well_rated(owner, artist)
    look = (
        login("music")
        + fetch_all("library", LIBRARY)
        + fetch_all("liked", "apis.music.show_liked_songs(access_token=music_token")
        + "liked_ids = {s['song_id'] for s in liked}\n"
        + f"mine = [s for s in library if s['artist'] == {artist!r}]\n"
        + "print(len(library), len(liked), [(s['song_id'], s['title']) for s in mine])\n"
    )
    decide = f"""
        ratings = {{}}
        for s in mine:
            ratings[s['song_id']] = apis.music.show_song(song_id=s['song_id'])['average_rating']
        out = [s for s in mine if ratings[s['song_id']] is not None and ratings[s['song_id']] < {LOW_RATING}]
        to_like = [s for s in mine if s not in out and s['song_id'] not in liked_ids]
        print(ratings, [s['title'] for s in out], [s['title'] for s in to_like])
        """
    act = """
        for s in out:
            apis.music.remove_song_from_library(access_token=music_token, song_id=s['song_id'])
            if s['song_id'] in liked_ids:
                apis.music.unlike_song(access_token=music_token, song_id=s['song_id'])
        for s in to_like:
            apis.music.like_song(access_token=music_token, song_id=s['song_id'])
        """
    more = (
        fetch_all("catalog", f"apis.music.search_songs(artist={artist!r}")
        + "have = {s['song_id'] for s in library}\n"
        + "for s in catalog:\n"
        + f"    if s['artist'] == {artist!r} and s['song_id'] not in have:\n"
        + "        rating = apis.music.show_song(song_id=s['song_id'])['average_rating']\n"
        + f"        if rating is not None and rating >= {WELL_RATED}:\n"
        + "            apis.music.add_song_to_library(access_token=music_token, song_id=s['song_id'])\n"
    )
    check = (
        f"print(apis.music.show_liked_songs(access_token=music_token, artist={artist!r}, page_limit=20))\n"
        "apis.supervisor.complete_task(answer=len(to_like))\n"
    )
    liked_out = [s for s in out if s["liked"]]
    expectations: list[Expectation] = [
        added_to_library(
            owner,
            to_add,
            f"the {len(to_add)} {artist} songs from the catalog rated {WELL_RATED} or more are added to my library",
        ),
        Answer(len(to_like), f"the answer is the number of songs liked ({len(to_like)})"),
        new_likes(
            owner,
            [s["id"] for s in to_like],
            f"the {len(to_like)} unliked {artist} songs rated {LOW_RATING} or more (or unrated) are liked",
        ),
        Deleted(
            "music_library",
            song_rows(view, "music_library", owner, [s["id"] for s in out]),
            f"the {len(out)} {artist} songs rated below {LOW_RATING} leave my library",
            what="library songs",
        ),
    ]
    if liked_out:
        expectations.append(
            Deleted(
                "music_likes",
                song_rows(view, "music_likes", owner, [s["id"] for s in liked_out]),
                f"my likes of the {len(liked_out)} removed songs I had liked are taken back",
                what="likes",
            )
        )
    return TaskSpec(
        owner,
        f"Go through every song by {artist} in my music library. If a song's average review rating is below "
        f"{LOW_RATING}, take it out of my library and take back my like if I liked it; otherwise like it if I have "
        "not liked it yet (songs without reviews count as fine). Then add to my library each other song of "
        f"{artist} in the music catalog whose average review rating is {WELL_RATED} or more. Tell me how many songs "
        "you liked.",
        Solution().step(look).step(decide).step(act).step(more).step(check).steps(),
        expectations,
    )


@scenario("music_playlist_length", apps=("music",), difficulty=2)
def playlist_length(view: WorldView, rng: random.Random) -> TaskSpec:
    """How many songs a playlist holds and how long it plays (every page of it), and its clean songs that are not
    in my library yet added there, unless people dislike them; explicit ones and songs already in the library are
    skipped. Deep: whether people dislike a song is only in its average review rating (show_song per clean song
    missing from my library), and the playlist holds one they dislike among 2+ to add."""

    def clean_missing(c: dict[str, Any]) -> list[int]:
        mine = library_ids(view, c["owner_id"])
        return [
            r["id"]
            for r in view.rows(
                "SELECT s.id FROM music_playlist_songs ps JOIN music_songs s ON s.id = ps.song_id "
                "WHERE ps.playlist_id = ? AND s.explicit = 0",
                c["id"],
            )
            if r["id"] not in mine
        ]

    def usable(c: dict[str, Any]) -> bool:
        found = clean_missing(c)
        bad = sum(disliked(view, i) for i in found)
        return bad >= 1 and len(found) - bad >= 2

    candidates = view.rows(
        "SELECT p.id, p.owner_id, p.title, COUNT(*) AS n, SUM(s.duration_s) AS seconds "
        "FROM music_playlists p JOIN music_playlist_songs ps ON ps.playlist_id = p.id JOIN music_songs s "
        "ON s.id = ps.song_id GROUP BY p.id HAVING n > 5 "
        "AND (SELECT COUNT(*) FROM music_playlists q WHERE q.owner_id = p.owner_id AND q.title = p.title) = 1 "
        "ORDER BY p.id"
    )
    c = pick(
        rng,
        [c for c in candidates if usable(c)],
        "playlist with more than 5 songs, some not in the library, one of them disliked",
        distinct=True,
    )
    missing = [i for i in clean_missing(c) if not disliked(view, i)]
    look = (
        login("music")
        + fetch_all("playlists", "apis.music.show_playlists(access_token=music_token")
        + "print([(p['playlist_id'], p['title']) for p in playlists])\n"
        + f"target = next(p for p in playlists if p['title'] == {c['title']!r})\n"
        + "print(apis.music.show_playlist(access_token=music_token, playlist_id=target['playlist_id']))\n"
        + fetch_all(
            "songs", "apis.music.show_playlist_songs(access_token=music_token, playlist_id=target['playlist_id']"
        )
        + CLOCK
        + "length = clock(sum(s['duration_s'] for s in songs))\n"
        + "print(len(songs), length)\n"
    )
    rate = (
        fetch_all("library", LIBRARY)
        + "have = {s['song_id'] for s in library}\n"
        + "clean = [s for s in songs if s['song_id'] not in have and not s['explicit']]\n"
        + "ratings = {}\n"
        + "for s in clean:\n"
        + "    ratings[s['song_id']] = apis.music.show_song(song_id=s['song_id'])['average_rating']\n"
        + "print(ratings)\n"
    )
    act = (
        f"missing = [s for s in clean if ratings[s['song_id']] is None or ratings[s['song_id']] >= {LOW_RATING}]\n"
        "for s in missing:\n"
        "    apis.music.add_song_to_library(access_token=music_token, song_id=s['song_id'])\n"
    )
    check = (
        "print(apis.music.show_song_library(access_token=music_token, sort_by='-added_at', page_limit=20))\n"
        "apis.supervisor.complete_task(answer=[len(songs), length])\n"
    )
    length = clock(c["seconds"])
    return TaskSpec(
        c["owner_id"],
        f"How many songs are in my '{c['title']}' playlist, and how long does it play in total? Answer as a list: "
        "[number of songs, total length as minutes:seconds, e.g. '74:05']. Also add every song of that playlist "
        "that isn't in my music library yet to my library, except explicit songs and songs people dislike (an "
        f"average review rating under {LOW_RATING}; songs without reviews are fine).",
        Solution().step(look).step(rate).step(act).step(check).steps(),
        [
            Answer(
                [c["n"], length],
                f"the answer is [{c['n']}, '{length}']: the songs of '{c['title']}' and their total length",
                ordered=True,
                traps={"[5|" + length + "]": "expected more songs: only the first page was counted (page_limit 5)"},
            ),
            added_to_library(
                c["owner_id"],
                missing,
                f"the {len(missing)} clean songs of the playlist missing from my library that people do not dislike "
                "are added to it",
            ),
        ],
    )


@scenario("music_genre_playlist", apps=("music",), difficulty=3)
def genre_playlist(view: WorldView, rng: random.Random) -> TaskSpec:
    """A new playlist of a genre's clean library songs rated 3 or more (show_song per song) in library order, each
    then downloaded in high quality unless it already is downloaded (in any quality); explicit and badly rated songs
    and other genres are distractors."""
    candidates = view.rows(
        "SELECT l.owner_id, s.genre, COUNT(*) AS n, SUM(NOT EXISTS (SELECT 1 FROM music_downloads d WHERE "
        "d.owner_id = l.owner_id AND d.song_id = s.id)) AS fresh FROM music_library l JOIN music_songs s "
        "ON s.id = l.song_id WHERE s.explicit = 0 GROUP BY l.owner_id, s.genre HAVING n BETWEEN 4 AND 16 "
        "AND fresh >= 2 AND fresh < n AND EXISTS (SELECT 1 FROM music_library m JOIN music_songs t ON t.id = m.song_id "
        "WHERE m.owner_id = l.owner_id AND t.genre = s.genre AND t.explicit = 1) ORDER BY l.owner_id, s.genre"
    )

    def clean(c: dict) -> list[int]:
        return [
            r["song_id"]
            for r in view.rows(
                "SELECT l.song_id FROM music_library l JOIN music_songs s ON s.id = l.song_id WHERE l.owner_id = ? "
                "AND s.genre = ? AND s.explicit = 0 ORDER BY l.added_at DESC, l.id DESC",  # the library's own order
                c["owner_id"],
                c["genre"],
            )
        ]

    def best(c: dict) -> list[int]:
        return [i for i in clean(c) if (average_rating(view, i) or BEST) >= BEST]

    candidates = [c for c in candidates if 3 <= len(best(c)) < len(clean(c))]
    c = pick(rng, candidates, "library with clean, explicit and badly rated songs of a genre", distinct=True)
    owner = c["owner_id"]
    ids = best(c)
    downloaded = {r["song_id"] for r in view.rows("SELECT song_id FROM music_downloads WHERE owner_id = ?", owner)}
    fresh = [i for i in ids if i not in downloaded]
    title = f"Best of {c['genre'].title()}"
    playlist = {"owner_id": owner, "title": title, "is_public": 0, "description": "", "is_collaborative": 0}
    look = (
        login("music")
        + fetch_all("library", LIBRARY)
        + f"clean = [s for s in library if s['genre'] == {c['genre']!r} and not s['explicit']]\n"
        + "ratings = {s['song_id']: apis.music.show_song(song_id=s['song_id'])['average_rating'] for s in clean}\n"
        + f"chosen = [s for s in clean if ratings[s['song_id']] is None or ratings[s['song_id']] >= {BEST}]\n"
        + "print(len(library), [(s['title'], s['added_at']) for s in chosen])\n"
        + fetch_all("downloads", "apis.music.show_downloads(access_token=music_token")
        + "downloaded = {d['song_id'] for d in downloads}\n"
    )
    act = (
        f"new = apis.music.create_playlist(access_token=music_token, title={title!r}, is_public=False)['playlist_id']\n"
        "for s in chosen:\n"
        "    apis.music.add_song_to_playlist(access_token=music_token, playlist_id=new, song_id=s['song_id'])\n"
        "    if s['song_id'] not in downloaded:\n"
        "        apis.music.download_song(access_token=music_token, song_id=s['song_id'], quality='high')\n"
    )
    check = (
        fetch_all("added", "apis.music.show_playlist_songs(access_token=music_token, playlist_id=new")
        + "print([s['song_id'] for s in added] == [s['song_id'] for s in chosen])\n"
        + "print(apis.music.show_downloads(access_token=music_token, quality='high', page_limit=20))\n"
        + DONE
    )
    return TaskSpec(
        owner,
        f"Make a new private playlist named '{title}' holding every {c['genre']} song in my library that is not "
        f"explicit and has an average review rating of {BEST} or more (songs without reviews count), in the "
        "order my library lists them (most recently added first). Then download each of those "
        "songs in high quality, unless it is already downloaded (in any quality).",
        Solution().step(look).step(act).step(check).steps(),
        [
            Inserted("music_playlists", playlist, f"a private playlist '{title}' exists", what="playlists"),
            Inserted(
                "music_playlist_songs",
                {"playlist_id": NewRow("music_playlists", playlist), "song_id": OneOf(ids), "added_by": owner},
                f"all {len(ids)} clean {c['genre']} library songs rated {BEST}+ (or unrated) are in it",
                count=len(ids),
                what=f"{c['genre']} songs in the new playlist",
            ),
            *(  # the order: each song at its place (positions count from 1 as songs are added at the end)
                Inserted(
                    "music_playlist_songs",
                    {"playlist_id": NewRow("music_playlists", playlist), "song_id": song_id, "position": float(i)},
                    f"song {song_id} is number {i} in the playlist",
                    what=f"song {song_id} at position {i}",
                )
                for i, song_id in enumerate(ids, 1)
            ),
            Inserted(
                "music_downloads",
                {"owner_id": owner, "song_id": OneOf(fresh), "quality": "high", "downloaded_at": NOW},
                f"the {len(fresh)} of them not downloaded yet are downloaded in high quality",
                count=len(fresh),
                what="high-quality downloads",
            ),
        ],
    )


@scenario("music_follow_most_played", apps=("music",), difficulty=2)
def follow_most_played(view: WorldView, rng: random.Random) -> TaskSpec:
    """The artist of my most-played library song followed, their whole catalog (every page of it) added to my
    library where missing, and that song liked if it is not; the answer counts the songs added."""
    owners = view.rows("SELECT DISTINCT owner_id FROM music_library ORDER BY owner_id")
    for owner in rng.sample([o["owner_id"] for o in owners], len(owners)):
        top = view.row(
            "SELECT s.id, s.artist FROM music_library l JOIN music_songs s ON s.id = l.song_id WHERE l.owner_id = ? "
            "ORDER BY s.play_count DESC, s.id LIMIT 1",
            owner,
        )
        if not view.rows("SELECT 1 FROM music_follows WHERE owner_id = ? AND artist = ?", owner, top["artist"]):
            break
    else:
        raise LookupError("everyone already follows their top artist")
    mine = library_ids(view, owner)
    missing = [
        r["id"] for r in view.rows("SELECT id FROM music_songs WHERE artist = ?", top["artist"]) if r["id"] not in mine
    ]
    liked = view.rows("SELECT 1 FROM music_likes WHERE owner_id = ? AND song_id = ?", owner, top["id"])
    look = (
        login("music")
        + fetch_all("library", LIBRARY)
        + "top = max(library, key=lambda s: (s['play_count'], -s['song_id']))\n"
        + "print(top['title'], top['artist'], top['play_count'])\n"
        + fetch_all("followed", "apis.music.show_followed_artists(access_token=music_token")
        + "print(any(a['artist'] == top['artist'] for a in followed))\n"
        + fetch_all("catalog", "apis.music.search_songs(artist=top['artist']")
        + "have = {s['song_id'] for s in library}\n"
        + "missing = [s for s in catalog if s['artist'] == top['artist'] and s['song_id'] not in have]\n"
        + "liked = apis.music.show_liked_songs(access_token=music_token, artist=top['artist'], page_limit=20)\n"
        + "print(len(catalog), len(missing), [s['title'] for s in liked])\n"
    )
    act = (
        "if not any(a['artist'] == top['artist'] for a in followed):\n"
        "    apis.music.follow_artist(access_token=music_token, artist=top['artist'])\n"
        "for s in missing:\n"
        "    apis.music.add_song_to_library(access_token=music_token, song_id=s['song_id'])\n"
        "if not any(s['song_id'] == top['song_id'] for s in liked):\n"
        "    apis.music.like_song(access_token=music_token, song_id=top['song_id'])\n"
    )
    check = (
        "print(apis.music.show_artist(artist_id=top['artist_id']))\n"
        "apis.supervisor.complete_task(answer=len(missing))\n"
    )
    expectations: list[Expectation] = [
        Inserted(
            "music_follows",
            {"owner_id": owner, "artist": top["artist"]},
            f"{top['artist']} is followed",
            what="follows",
        ),
        added_to_library(
            owner, missing, f"the {len(missing)} songs of {top['artist']} missing from my library are added"
        ),
        Answer(len(missing), f"the answer is how many songs were added ({len(missing)})"),
    ]
    if not liked:
        expectations.append(
            Inserted(
                "music_likes", {"owner_id": owner, "song_id": top["id"]}, "the most-played song is liked", what="likes"
            )
        )
    return TaskSpec(
        owner,
        "Follow the artist of the most-played song (by play count) in my music library. Then add every song of that "
        "artist in the music catalog that is not in my library yet to my library, and like that most-played song "
        "if I have not. Tell me how many songs you added.",
        Solution().step(look).step(act).step(check).steps(),
        expectations,
    )


SAME_TITLE_AND_ARTIST = (
    "SELECT COUNT(*) FROM music_songs o JOIN music_songs s ON o.title = s.title AND o.artist = s.artist WHERE s.id = ?"
)


@scenario("music_purge_song_from_playlists", apps=("music",), difficulty=2)
def purge_song(view: WorldView, rng: random.Random) -> TaskSpec:
    """One song out of every playlist of mine (every page of each), and out of my library, likes and downloads
    where it is there; the answer counts the playlists that held it."""
    candidates = view.rows(
        "SELECT p.owner_id, ps.song_id, COUNT(*) AS n FROM music_playlist_songs ps "
        "JOIN music_playlists p ON p.id = ps.playlist_id WHERE EXISTS (SELECT 1 FROM music_library l "
        "WHERE l.owner_id = p.owner_id AND l.song_id = ps.song_id) GROUP BY p.owner_id, ps.song_id HAVING n >= 2 "
        "ORDER BY p.owner_id, ps.song_id"
    )
    c = pick(
        rng,
        candidates,
        "song of my library in two playlists of mine",
        distinct=True,
        # named by title and artist alone: a song sharing both with another could not be told apart
        unusable=(lambda c: view.value(SAME_TITLE_AND_ARTIST, c["song_id"]) > 1, "a song named like another"),
    )
    song = view.row("SELECT * FROM music_songs WHERE id = ?", c["song_id"])
    ids = frozenset(
        r["id"]
        for r in view.rows(
            "SELECT ps.id FROM music_playlist_songs ps JOIN music_playlists p ON p.id = ps.playlist_id "
            "WHERE p.owner_id = ? AND ps.song_id = ?",
            c["owner_id"],
            c["song_id"],
        )
    )
    held = {
        r["playlist_id"]
        for r in view.rows(
            "SELECT ps.playlist_id FROM music_playlist_songs ps JOIN music_playlists p ON p.id = ps.playlist_id "
            "WHERE p.owner_id = ? AND ps.song_id = ?",
            c["owner_id"],
            c["song_id"],
        )
    }
    look = (
        login("music")
        + fetch_all("found", f"apis.music.search_songs(query={song['title']!r}, artist={song['artist']!r}")
        + f"target = next(s for s in found if (s['title'], s['artist']) == ({song['title']!r}, {song['artist']!r}))\n"
        + fetch_all("playlists", "apis.music.show_playlists(access_token=music_token")
        + "holding = []\n"
        + "for p in playlists:\n"
        + fetch_all(
            "songs",
            "apis.music.show_playlist_songs(access_token=music_token, playlist_id=p['playlist_id']",
            indent="    ",
        )
        + "    if any(s['song_id'] == target['song_id'] for s in songs):\n"
        + "        holding.append(p['playlist_id'])\n"
        + "print(holding)\n"
    )
    act = (
        "for playlist_id in holding:\n"
        "    apis.music.remove_song_from_playlist(access_token=music_token, playlist_id=playlist_id, "
        "song_id=target['song_id'])\n"
    )
    elsewhere = (
        f"mine = apis.music.show_song_library(access_token=music_token, query={song['title']!r}, page_limit=20)\n"
        "if any(s['song_id'] == target['song_id'] for s in mine):\n"
        "    apis.music.remove_song_from_library(access_token=music_token, song_id=target['song_id'])\n"
        f"liked = apis.music.show_liked_songs(access_token=music_token, artist={song['artist']!r}, page_limit=20)\n"
        "if any(s['song_id'] == target['song_id'] for s in liked):\n"
        "    apis.music.unlike_song(access_token=music_token, song_id=target['song_id'])\n"
        + fetch_all("downloads", "apis.music.show_downloads(access_token=music_token")
        + "if any(d['song_id'] == target['song_id'] for d in downloads):\n"
        "    apis.music.remove_download(access_token=music_token, song_id=target['song_id'])\n"
        "apis.supervisor.complete_task(answer=len(holding))\n"
    )
    owner, song_id = c["owner_id"], c["song_id"]
    gone = [
        Deleted(table, song_rows(view, table, owner, [song_id]), f"the song leaves my {what}", what=what)
        for table, what in (("music_library", "library"), ("music_likes", "likes"), ("music_downloads", "downloads"))
        if song_rows(view, table, owner, [song_id])
    ]
    return TaskSpec(
        c["owner_id"],
        f"Take the song '{song['title']}' by {song['artist']} out of all my playlists, and also out of my music "
        "library, my liked songs and my downloads wherever it is there. Tell me how many playlists it was in.",
        Solution().step(look).step(act).step(elsewhere).steps(),
        [
            Answer(len(held), f"the answer is the number of playlists that held it ({len(held)})"),
            Deleted(
                "music_playlist_songs",
                ids,
                f"the song is removed from all {len(ids)} playlists holding it",
                what="playlist entries",
            ),
            *gone,
        ],
    )


def top_artists(view: WorldView, owner: int, since: str, until: str, count: int) -> list[dict[str, object]] | None:
    """The `count` most played artists of `owner` in [since, until) as show_listening_stats orders them (plays,
    then name), or None when the last of them ties with the next one or a name has stray spaces (so the set is
    exactly what the instruction says)."""
    rows = view.rows(
        "SELECT s.artist, COUNT(*) AS plays FROM music_history h JOIN music_songs s ON s.id = h.song_id "
        "WHERE h.owner_id = ? AND h.played_at >= ? AND h.played_at < ? GROUP BY s.artist "
        "ORDER BY plays DESC, s.artist LIMIT ?",
        owner,
        since,
        until,
        count + 1,
    )
    clear = len(rows) == count + 1 and rows[count - 1]["plays"] > rows[count]["plays"]
    return rows[:count] if clear and all(r["artist"] == r["artist"].strip() for r in rows) else None


@scenario("music_follow_top_artists", apps=("music",))
def follow_top_artists(view: WorldView, rng: random.Random) -> TaskSpec:
    """My top 3 artists of a period followed where I do not yet, and the artists I follow but did not play at all
    in that period (every page of the stats) unfollowed; the answer is how many artists I follow afterwards."""
    since = rng.choice(["2025-05-01", "2025-07-01", "2025-09-01"])
    candidates = []
    for person in view.people_ids():
        top = top_artists(view, person, since, "9999", 3)
        if top:
            candidates.append((person, [str(r["artist"]) for r in top]))
    owner, top3 = pick(rng, candidates, "listener with a clear top 3", distinct=True)
    follows = view.rows("SELECT id, artist FROM music_follows WHERE owner_id = ?", owner)
    played = {
        r["artist"]
        for r in view.rows(
            "SELECT DISTINCT s.artist FROM music_history h JOIN music_songs s ON s.id = h.song_id "
            "WHERE h.owner_id = ? AND h.played_at >= ?",
            owner,
            since,
        )
    }
    missing = [a for a in top3 if a not in {f["artist"] for f in follows}]
    favourites = [
        view.value(
            "SELECT s.id FROM music_history h JOIN music_songs s ON s.id = h.song_id WHERE h.owner_id = ? "
            "AND h.played_at >= ? AND s.artist = ? GROUP BY s.id ORDER BY COUNT(*) DESC, s.id LIMIT 1",
            owner,
            since,
            artist,
        )
        for artist in top3
    ]
    liked = {r["song_id"] for r in view.rows("SELECT song_id FROM music_likes WHERE owner_id = ?", owner)}
    to_like = [song for song in favourites if song not in liked]
    dropped = [f for f in follows if f["artist"] not in played]
    after = len(follows) + len(missing) - len(dropped)
    look = (
        login("music")
        + fetch_all(
            "stats", f"apis.music.show_listening_stats(access_token=music_token, group_by='artist', since={since!r}"
        )
        + "top = [s['artist'] for s in stats[:3]]\n"
        + "played = {s['artist'] for s in stats}\n"
        + "print(stats[:4], len(stats))\n"
        + fetch_all("followed", "apis.music.show_followed_artists(access_token=music_token")
        + "print(len(followed))\n"
        + fetch_all(
            "songs", f"apis.music.show_listening_stats(access_token=music_token, group_by='song', since={since!r}"
        )
        + "favourites = [next(s for s in songs if s['artist'] == artist) for artist in top]\n"
        + fetch_all("liked", "apis.music.show_liked_songs(access_token=music_token")
        + "liked_ids = {s['song_id'] for s in liked}\n"
        + "print([(s['title'], s['plays']) for s in favourites])\n"
    )
    act = (
        "for s in favourites:\n"
        "    if s['song_id'] not in liked_ids:\n"
        "        apis.music.like_song(access_token=music_token, song_id=s['song_id'])\n"
        "following = {a['artist'] for a in followed}\n"
        "for artist in top:\n"
        "    if artist not in following:\n"
        "        apis.music.follow_artist(access_token=music_token, artist=artist)\n"
        "for artist in sorted(following - played):\n"
        "    apis.music.unfollow_artist(access_token=music_token, artist=artist)\n"
    )
    check = fetch_all("now", "apis.music.show_followed_artists(access_token=music_token, sort_by='-followed_at'") + (
        "print([a['artist'] for a in now])\napis.supervisor.complete_task(answer=len(now))\n"
    )
    expectations: list[Expectation] = new_follows(owner, missing, "a top-3 artist")
    expectations += [
        Inserted(
            "music_likes",
            {"owner_id": owner, "song_id": song},
            f"song {song}, my most played of a top-3 artist, is liked",
            what=f"likes of song {song}",
        )
        for song in to_like
    ]
    expectations += [
        Deleted(
            "music_follows",
            frozenset(f["id"] for f in dropped),
            f"the {len(dropped)} followed artists not played since {since} are unfollowed",
            what="follows",
        ),
        Answer(after, f"the answer is how many artists I follow afterwards ({after})"),
    ]
    return TaskSpec(
        owner,
        f"Look at my music listening history since {since}: follow each of my 3 most played artists in that time "
        "(ties broken by artist name) that I do not follow yet, and unfollow every artist I follow whom I have not "
        "played at all since then. Also like my most played song of each of those 3 artists in that time (the first "
        "one my listening stats list, if tied), unless I already like it. Tell me how many artists I follow "
        "afterwards.",
        Solution().step(look).step(act).step(check).steps(),
        expectations,
    )


RATED_LOW = 3.0  # downloads of songs rated below this are dropped rather than upgraded


@scenario("music_upgrade_low_downloads", apps=("music",))
def upgrade_low_downloads(view: WorldView, rng: random.Random) -> TaskSpec:
    """Every low- or normal-quality download replaced by a high-quality one, except songs whose average review rating
    (only in show_song) is below 3: those are only removed; the answer counts the upgrades."""
    low_by_owner: dict[int, list[dict]] = {}
    for d in view.rows(
        "SELECT id, owner_id, song_id FROM music_downloads WHERE quality IN ('low', 'normal') ORDER BY id"
    ):
        rating = average_rating(view, d["song_id"])
        low_by_owner.setdefault(d["owner_id"], []).append({**d, "drop": rating is not None and rating < RATED_LOW})
    owners = [
        o
        for o, low in sorted(low_by_owner.items())
        if 3 <= len(low) <= 16 and any(d["drop"] for d in low) and not all(d["drop"] for d in low)
    ]
    owner = pick(rng, owners, "listener with low-quality downloads, some of badly rated songs", distinct=True)
    low = low_by_owner[owner]
    kept = [d for d in low if not d["drop"]]
    look = (
        login("music")
        + fetch_all("low", "apis.music.show_downloads(access_token=music_token, quality='low'")
        + fetch_all("normal", "apis.music.show_downloads(access_token=music_token, quality='normal'")
        + "low += normal\n"
        + "print(len(low), apis.music.show_music_settings(access_token=music_token))\n"
    )
    decide = f"""
        ratings = {{d['song_id']: apis.music.show_song(song_id=d['song_id'])['average_rating'] for d in low}}
        drop = [d for d in low if ratings[d['song_id']] is not None and ratings[d['song_id']] < {RATED_LOW}]
        print(ratings, [d['title'] for d in drop])
        """
    act = """
        upgraded = 0
        for d in low:
            apis.music.remove_download(access_token=music_token, song_id=d['song_id'])
            if d not in drop:
                apis.music.download_song(access_token=music_token, song_id=d['song_id'], quality='high')
                upgraded += 1
        """
    check = (
        "print(apis.music.show_downloads(access_token=music_token, quality='high', page_limit=20))\n"
        "apis.supervisor.complete_task(answer=upgraded)\n"
    )
    return TaskSpec(
        owner,
        "Replace every low- or normal-quality song download of mine in the music app with a high-quality download of "
        "the same "
        f"song, except songs whose average review rating is below {RATED_LOW:g}: just remove those downloads. "
        "Songs without reviews count as fine. Leave my settings as they are, and tell me how many songs you "
        "downloaded again in high quality.",
        Solution().step(look).step(decide).step(act).step(check).steps(),
        [
            Deleted(
                "music_downloads",
                frozenset(d["id"] for d in low),
                f"the {len(low)} low- and normal-quality downloads are removed",
                what="low- and normal-quality downloads",
            ),
            Inserted(
                "music_downloads",
                {"owner_id": owner, "song_id": OneOf(d["song_id"] for d in kept), "quality": "high"}
                | {"downloaded_at": NOW},
                f"the {len(kept)} of them rated {RATED_LOW:g} or more (or unrated) are downloaded in high quality",
                count=len(kept),
                what="high-quality downloads",
            ),
            Answer(len(kept), f"the answer is the number of songs upgraded ({len(kept)})"),
        ],
    )


THANKS = "Thanks for '{title}'! I copied all {count} songs."


@scenario("music_copy_roommate_playlist", apps=("music", "phone"))
def copy_roommate_playlist(view: WorldView, rng: random.Random) -> TaskSpec:
    candidates = view.rows(
        "SELECT c.owner_id, p.id, p.title, f.id AS friend FROM phone_contacts c JOIN people f ON f.email = c.email "
        "AND f.phone_number = c.phone_number "
        "JOIN music_playlists p ON p.owner_id = f.id AND p.is_public = 1 WHERE c.relationship = 'roommate' "
        "AND (SELECT COUNT(*) FROM music_playlist_songs s WHERE s.playlist_id = p.id) >= 5 "
        "AND (SELECT COUNT(*) FROM music_playlists q WHERE q.owner_id = f.id AND q.title = p.title) = 1 "
        "AND EXISTS (SELECT 1 FROM music_playlists q WHERE q.owner_id = f.id AND q.title LIKE p.title || ' %') "
        "ORDER BY c.owner_id, p.id"
    )
    candidates = [c for c in candidates if not blocked_by(reader(view, c["owner_id"]), c["friend"])]  # texts arrive
    c = pick(rng, candidates, "roommate's public playlist with a look-alike title", distinct=True)
    friend = view.person(c["friend"])
    name = f"{friend['first_name']} {friend['last_name']}"
    new_title = f"{c['title']} (from {friend['first_name']})"
    ids = [
        r["song_id"]
        for r in view.rows(
            "SELECT song_id FROM music_playlist_songs WHERE playlist_id = ? ORDER BY position, id", c["id"]
        )
    ]
    have = library_ids(view, c["owner_id"])
    missing = [i for i in dict.fromkeys(ids) if i not in have]
    thanks = THANKS.format(title=c["title"], count=len(ids))
    look = (
        login("phone", "music")
        + fetch_all(
            "contacts", f"apis.phone.search_contacts(access_token=phone_token, query={name!r}, relationship='roommate'"
        )
        + f"email = next(x['email'] for x in contacts if x['first_name'] + ' ' + x['last_name'] == {name!r})\n"
        + fetch_all("lists", f"apis.music.search_playlists(owner_email=email, query={c['title']!r}")
        + "print([(p['playlist_id'], p['title']) for p in lists])\n"
    )
    act = (
        f"source = next(p for p in lists if p['title'] == {c['title']!r})\n"
        + fetch_all(
            "songs", "apis.music.show_playlist_songs(access_token=music_token, playlist_id=source['playlist_id']"
        )
        + f"new = apis.music.create_playlist(access_token=music_token, title={new_title!r})['playlist_id']\n"
        + "for s in songs:\n"
        + "    apis.music.add_song_to_playlist(access_token=music_token, playlist_id=new, song_id=s['song_id'])\n"
    )
    keep = add_missing("songs") + (
        "phone = next(x['phone_number'] for x in contacts if x['email'] == email)\n"
        f"thanks = {THANKS!r}.format(title=source['title'], count=len(songs))\n"
        "apis.phone.send_text_message(access_token=phone_token, phone_number=phone, message=thanks)\n"
    )
    check = (
        fetch_all("copied", "apis.music.show_playlist_songs(access_token=music_token, playlist_id=new")
        + "print([s['song_id'] for s in copied] == [s['song_id'] for s in songs])\n"
        + DONE
    )
    playlist = {
        "owner_id": c["owner_id"],
        "title": new_title,
        "is_public": 0,
        "description": "",
        "is_collaborative": 0,
        "created_at": NOW,
    }
    entry = {"playlist_id": NewRow("music_playlists", playlist), "added_by": c["owner_id"], "added_at": NOW}
    return TaskSpec(
        c["owner_id"],
        f"My roommate {name} has a public music playlist named exactly '{c['title']}'. Copy it into a new private "
        f"playlist of mine named '{new_title}': the same songs in the same order. ({friend['first_name']}'s email is "
        "in my phone contacts.) Then add every song of it that isn't in my library yet to my library, and text "
        f"{friend['first_name']} '{THANKS.format(title='<playlist title>', count='<number of songs>')}'",
        Solution().step(look).step(act).step(keep).step(check).steps(),
        [
            Inserted("music_playlists", playlist, f"a private playlist '{new_title}' is created", what="playlists"),
            added_to_library(
                c["owner_id"], missing, f"the {len(missing)} songs of it not in my library yet are added to my library"
            ),
            text_to(c["owner_id"], c["friend"], [thanks], f"{friend['first_name']} gets the thank-you text"),
            Inserted(
                "music_playlist_songs",
                {**entry, "song_id": OneOf(ids)},
                f"all {len(ids)} songs of the roommate's playlist are in it",
                count=len(ids),
                what="songs in the new playlist",
            ),
            *(
                Inserted(
                    "music_playlist_songs",
                    {**entry, "song_id": song_id, "position": float(i)},
                    f"song {song_id} is number {i}, as in the original",
                    what=f"song {song_id} at position {i}",
                )
                for i, song_id in enumerate(ids, 1)
            ),
        ],
    )
