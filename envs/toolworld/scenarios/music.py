"""Scenarios on the music app: likes, playlists, follows, questions about your library."""

from __future__ import annotations

import random

from envs.toolworld.evaluate import Answer, Deleted, Inserted, NewRow, OneOf
from envs.toolworld.scenarios._common import Solution, fetch_all, login, pick
from envs.toolworld.tasks import TaskSpec, WorldView, scenario
from envs.toolworld.world.build import WORLD_NOW

DONE = "apis.supervisor.complete_task()\n"
NOW = WORLD_NOW.isoformat(timespec="seconds")
LIBRARY = "apis.music.show_song_library(access_token=music_token"


@scenario("music_like_artist_in_library", apps=("music",), difficulty=2)
def like_artist_in_library(view: WorldView, rng: random.Random) -> TaskSpec:
    candidates = view.rows(
        "SELECT l.owner_id, s.artist, COUNT(*) AS n FROM music_library l JOIN music_songs s ON s.id = l.song_id "
        "WHERE NOT EXISTS (SELECT 1 FROM music_likes k WHERE k.owner_id = l.owner_id AND k.song_id = l.song_id) "
        "GROUP BY l.owner_id, s.artist HAVING n >= 2 ORDER BY l.owner_id, s.artist"
    )
    c = pick(rng, candidates, "library with unliked songs by one artist")
    ids = [
        r["id"]
        for r in view.rows(
            "SELECT s.id FROM music_library l JOIN music_songs s ON s.id = l.song_id "
            "WHERE l.owner_id = ? AND s.artist = ? AND NOT EXISTS "
            "(SELECT 1 FROM music_likes k WHERE k.owner_id = l.owner_id AND k.song_id = l.song_id)",
            c["owner_id"],
            c["artist"],
        )
    ]
    look = (
        login("music")
        + fetch_all("library", LIBRARY)
        + fetch_all("liked", "apis.music.show_liked_songs(access_token=music_token")
        + "liked_ids = {s['song_id'] for s in liked}\n"
        + f"todo = [s['song_id'] for s in library if s['artist'] == {c['artist']!r} "
        "and s['song_id'] not in liked_ids]\n" + "print(len(library), len(liked), todo)\n"
    )
    act = "for song_id in todo:\n    apis.music.like_song(access_token=music_token, song_id=song_id)\n"
    check = (
        f"print(len(apis.music.show_liked_songs(access_token=music_token, artist={c['artist']!r}, page_limit=20)))\n"
        "apis.supervisor.complete_task(answer=len(todo))\n"
    )
    return TaskSpec(
        c["owner_id"],
        f"Like every song by {c['artist']} in my music library that I have not liked yet, and tell me how many songs "
        "you liked.",
        Solution().step(look).step(act).step(check).steps(),
        [
            Answer(len(ids), f"the answer is the number of songs liked ({len(ids)})"),
            Inserted(
                "music_likes",
                {"owner_id": c["owner_id"], "song_id": OneOf(ids)},
                f"the {len(ids)} unliked {c['artist']} songs are liked",
                count=len(ids),
                what="likes",
            ),
        ],
    )


@scenario("music_playlist_length", apps=("music",), difficulty=2)
def playlist_length(view: WorldView, rng: random.Random) -> TaskSpec:
    candidates = view.rows(
        "SELECT p.id, p.owner_id, p.title, COUNT(*) AS n FROM music_playlists p "
        "JOIN music_playlist_songs s ON s.playlist_id = p.id GROUP BY p.id "
        "HAVING n > 5 "
        "AND (SELECT COUNT(*) FROM music_playlists q WHERE q.owner_id = p.owner_id AND q.title = p.title) = 1 "
        "ORDER BY p.id"
    )
    c = pick(rng, candidates, "playlist with more than 5 songs")
    look = (
        login("music")
        + fetch_all("playlists", "apis.music.show_playlists(access_token=music_token")
        + "print([(p['playlist_id'], p['title']) for p in playlists])\n"
        + f"target = next(p for p in playlists if p['title'] == {c['title']!r})\n"
        + "print(apis.music.show_playlist(access_token=music_token, playlist_id=target['playlist_id']))\n"
    )
    count = fetch_all(
        "songs", "apis.music.show_playlist_songs(access_token=music_token, playlist_id=target['playlist_id']"
    ) + ("print(len(songs))\napis.supervisor.complete_task(answer=len(songs))\n")
    oracle = Solution().step(look).step(count).steps()
    return TaskSpec(
        c["owner_id"],
        f"How many songs are in my '{c['title']}' playlist?",
        oracle,
        [
            Answer(
                c["n"],
                f"the answer is the number of songs in '{c['title']}' ({c['n']})",
                traps={"5": "expected more songs: only the first page was counted (page_limit default 5)"},
            )
        ],
    )


@scenario("music_genre_playlist", apps=("music",), difficulty=3)
def genre_playlist(view: WorldView, rng: random.Random) -> TaskSpec:
    candidates = view.rows(
        "SELECT l.owner_id, s.genre, COUNT(*) AS n FROM music_library l JOIN music_songs s ON s.id = l.song_id "
        "GROUP BY l.owner_id, s.genre HAVING n >= 3 ORDER BY l.owner_id, s.genre"
    )
    c = pick(rng, candidates, "library with 3+ songs of a genre")
    ids = [
        r["song_id"]
        for r in view.rows(
            "SELECT l.song_id FROM music_library l JOIN music_songs s ON s.id = l.song_id "
            "WHERE l.owner_id = ? AND s.genre = ? ORDER BY l.added_at DESC, l.id DESC",  # the library's own order
            c["owner_id"],
            c["genre"],
        )
    ]
    title = f"Best of {c['genre'].title()}"
    playlist = {"owner_id": c["owner_id"], "title": title, "is_public": 0, "description": "", "is_collaborative": 0}
    look = (
        login("music")
        + fetch_all("library", LIBRARY)
        + f"chosen = [s for s in library if s['genre'] == {c['genre']!r}]\n"
        + "print(len(library), [(s['title'], s['added_at']) for s in chosen])\n"
    )
    act = (
        f"new = apis.music.create_playlist(access_token=music_token, title={title!r}, is_public=False)['playlist_id']\n"
        "for s in chosen:\n"
        "    apis.music.add_song_to_playlist(access_token=music_token, playlist_id=new, song_id=s['song_id'])\n"
    )
    check = (
        fetch_all("added", "apis.music.show_playlist_songs(access_token=music_token, playlist_id=new")
        + "print([s['song_id'] for s in added] == [s['song_id'] for s in chosen])\n"
        + DONE
    )
    oracle = Solution().step(look).step(act).step(check).steps()
    return TaskSpec(
        c["owner_id"],
        f"Make a new private playlist named '{title}' holding every {c['genre']} song in my library, in the order "
        "my library lists them (most recently added first).",
        oracle,
        [
            Inserted("music_playlists", playlist, f"a private playlist '{title}' exists", what="playlists"),
            Inserted(
                "music_playlist_songs",
                {"playlist_id": NewRow("music_playlists", playlist), "song_id": OneOf(ids), "added_by": c["owner_id"]},
                f"all {len(ids)} {c['genre']} library songs are in it",
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
        ],
    )


@scenario("music_follow_most_played", apps=("music",), difficulty=2)
def follow_most_played(view: WorldView, rng: random.Random) -> TaskSpec:
    owners = view.rows("SELECT DISTINCT owner_id FROM music_library ORDER BY owner_id")
    for owner in rng.sample([o["owner_id"] for o in owners], len(owners)):
        top = view.row(
            "SELECT s.artist FROM music_library l JOIN music_songs s ON s.id = l.song_id WHERE l.owner_id = ? "
            "ORDER BY s.play_count DESC, s.id LIMIT 1",
            owner,
        )
        if not view.rows("SELECT 1 FROM music_follows WHERE owner_id = ? AND artist = ?", owner, top["artist"]):
            break
    else:
        raise LookupError("everyone already follows their top artist")
    look = (
        login("music")
        + fetch_all("library", LIBRARY)
        + "top = max(library, key=lambda s: (s['play_count'], -s['song_id']))\n"
        + "print(top['title'], top['artist'], top['play_count'])\n"
        + fetch_all("followed", "apis.music.show_followed_artists(access_token=music_token")
        + "print(any(a['artist'] == top['artist'] for a in followed))\n"
    )
    act = "apis.music.follow_artist(access_token=music_token, artist=top['artist'])\n"
    check = "print(apis.music.show_artist(artist_id=top['artist_id']))\n" + DONE
    oracle = Solution().step(look).step(act).step(check).steps()
    return TaskSpec(
        owner,
        "Follow the artist of the most-played song (by play count) in my music library.",
        oracle,
        [
            Inserted(
                "music_follows",
                {"owner_id": owner, "artist": top["artist"]},
                f"{top['artist']} is followed",
                what="follows",
            )
        ],
    )


@scenario("music_purge_song_from_playlists", apps=("music",), difficulty=2)
def purge_song(view: WorldView, rng: random.Random) -> TaskSpec:
    candidates = view.rows(
        "SELECT p.owner_id, ps.song_id, COUNT(*) AS n FROM music_playlist_songs ps "
        "JOIN music_playlists p ON p.id = ps.playlist_id GROUP BY p.owner_id, ps.song_id HAVING n >= 2 "
        "ORDER BY p.owner_id, ps.song_id"
    )
    c = pick(rng, candidates, "song in two playlists of one owner")
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
        + f"target = next(s for s in found if s['title'] == {song['title']!r})\n"
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
        "apis.supervisor.complete_task(answer=len(holding))\n"
    )
    return TaskSpec(
        c["owner_id"],
        f"Take the song '{song['title']}' by {song['artist']} out of all my playlists, and tell me how many playlists "
        "it was in.",
        Solution().step(look).step(act).steps(),
        [
            Answer(len(held), f"the answer is the number of playlists that held it ({len(held)})"),
            Deleted(
                "music_playlist_songs",
                ids,
                f"the song is removed from all {len(ids)} playlists holding it",
                what="playlist entries",
            ),
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
    since = rng.choice(["2025-05-01", "2025-07-01", "2025-09-01"])
    candidates = []
    for person in view.people_ids():
        top = top_artists(view, person, since, "9999", 3)
        if top:
            followed = {r["artist"] for r in view.rows("SELECT artist FROM music_follows WHERE owner_id = ?", person)}
            candidates.append((person, [str(r["artist"]) for r in top if r["artist"] not in followed]))
    owner, missing = pick(rng, candidates, "listener with a clear top 3", distinct=True)
    look = (
        login("music")
        + fetch_all(
            "stats", f"apis.music.show_listening_stats(access_token=music_token, group_by='artist', since={since!r}"
        )
        + "top = [s['artist'] for s in stats[:3]]\n"
        + "print(stats[:4])\n"
        + fetch_all("followed", "apis.music.show_followed_artists(access_token=music_token")
        + "print(len(followed))\n"
    )
    act = (
        "following = {a['artist'] for a in followed}\n"
        "for artist in top:\n"
        "    if artist not in following:\n"
        "        apis.music.follow_artist(access_token=music_token, artist=artist)\n" + DONE
    )
    return TaskSpec(
        owner,
        f"Look at my music listening history since {since}: follow each of my 3 most played artists in that time "
        "(ties broken by artist name) that I do not follow yet. If I already follow all three, change nothing.",
        Solution().step(look).step(act).steps(),
        [
            Inserted(
                "music_follows",
                {"owner_id": owner, "artist": artist, "followed_at": NOW},
                f"{artist} (a top-3 artist) is followed",
                what=f"follows of {artist}",
            )
            for artist in missing
        ],
        noop_pass=not missing,
    )


@scenario("music_upgrade_low_downloads", apps=("music",))
def upgrade_low_downloads(view: WorldView, rng: random.Random) -> TaskSpec:
    owners = view.rows(
        "SELECT owner_id FROM music_downloads WHERE quality = 'low' GROUP BY owner_id HAVING COUNT(*) >= 2 "
        "ORDER BY owner_id"
    )
    owner = pick(rng, owners, "listener with low-quality downloads", distinct=True)["owner_id"]
    low = view.rows("SELECT id, song_id FROM music_downloads WHERE owner_id = ? AND quality = 'low'", owner)
    look = (
        login("music")
        + fetch_all("low", "apis.music.show_downloads(access_token=music_token, quality='low'")
        + "print(len(low), apis.music.show_music_settings(access_token=music_token))\n"
    )
    act = (
        "for d in low:\n"
        "    apis.music.remove_download(access_token=music_token, song_id=d['song_id'])\n"
        "    apis.music.download_song(access_token=music_token, song_id=d['song_id'], quality='high')\n" + DONE
    )
    return TaskSpec(
        owner,
        "Replace every low-quality song download of mine in the music app with a high-quality download of the same "
        "song. Leave my settings as they are.",
        Solution().step(look).step(act).steps(),
        [
            Deleted(
                "music_downloads",
                frozenset(d["id"] for d in low),
                f"the {len(low)} low-quality downloads are removed",
                what="low-quality downloads",
            ),
            Inserted(
                "music_downloads",
                {
                    "owner_id": owner,
                    "song_id": OneOf(d["song_id"] for d in low),
                    "quality": "high",
                    "downloaded_at": NOW,
                },
                f"the same {len(low)} songs are downloaded again in high quality",
                count=len(low),
                what="high-quality downloads",
            ),
        ],
    )


@scenario("music_copy_roommate_playlist", apps=("music", "phone"))
def copy_roommate_playlist(view: WorldView, rng: random.Random) -> TaskSpec:
    candidates = view.rows(
        "SELECT c.owner_id, p.id, p.title, f.id AS friend FROM phone_contacts c JOIN people f ON f.email = c.email "
        "JOIN music_playlists p ON p.owner_id = f.id AND p.is_public = 1 WHERE c.relationship = 'roommate' "
        "AND (SELECT COUNT(*) FROM music_playlist_songs s WHERE s.playlist_id = p.id) >= 5 "
        "AND (SELECT COUNT(*) FROM music_playlists q WHERE q.owner_id = f.id AND q.title = p.title) = 1 "
        "AND EXISTS (SELECT 1 FROM music_playlists q WHERE q.owner_id = f.id AND q.title LIKE p.title || ' %') "
        "ORDER BY c.owner_id, p.id"
    )
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
        "in my phone contacts.)",
        Solution().step(look).step(act).steps(),
        [
            Inserted("music_playlists", playlist, f"a private playlist '{new_title}' is created", what="playlists"),
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
