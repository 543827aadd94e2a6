"""Leisure scenarios that keep music notes: tracklists and listening journals (notes is held out: these are
test_challenge tasks)."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

from envs.toolworld.evaluate import Answer, Deleted, Expectation, Inserted, NewRow, OneOf
from envs.toolworld.scenarios._common import Solution, fetch_all, login, pick
from envs.toolworld.tasks import TaskSpec, WorldView, scenario
from envs.toolworld.world.build import WORLD_NOW

NOW = WORLD_NOW.isoformat(timespec="seconds")
NEW_NOTE = {"pinned": 0, "color": "none", "reminder_at": None, "trashed_at": None, "created_at": NOW, "updated_at": NOW}
MINUTES = "def clock(seconds):\n    return f'{seconds // 60}:{seconds % 60:02d}'\n"  # m:ss, the way tasks ask for it


def clock(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


def notebook_expectations(view: WorldView, owner: int, name: str) -> tuple[int | NewRow, list[Expectation]]:
    """The id a new note in notebook `name` must have, and the expectation that creates the notebook when missing."""
    books = view.rows("SELECT id FROM notes_notebooks WHERE owner_id = ? AND name = ?", owner, name)
    if books:
        return int(books[0]["id"]), []
    book = {"owner_id": owner, "name": name, "description": "", "created_at": NOW}
    return NewRow("notes_notebooks", book), [
        Inserted("notes_notebooks", book, f"a '{name}' notebook is created", what="notebooks")
    ]


def find_or_create_notebook(name: str) -> str:
    """Oracle code leaving `book` = the id of notebook `name`, created when missing."""
    return fetch_all("books", f"apis.notes.show_notebooks(access_token=notes_token, query={name!r}") + (
        f"book = next((b['notebook_id'] for b in books if b['name'] == {name!r}), None)\n"
        "if book is None:\n"
        f"    book = apis.notes.create_notebook(access_token=notes_token, name={name!r})['notebook_id']\n"
    )


@scenario("leisure_album_tracklist_note", apps=("music", "notes"))
def album_tracklist_note(view: WorldView, rng: random.Random) -> TaskSpec:
    albums = view.rows(
        "SELECT a.id, a.title, a.artist FROM music_albums a WHERE a.kind = 'album' "
        "AND (SELECT COUNT(*) FROM music_albums b WHERE b.title = a.title) > 1 "
        "AND (SELECT COUNT(*) FROM music_songs s WHERE s.album_id = a.id) >= 8 ORDER BY a.id"
    )
    album = pick(rng, albums, "album whose title another album shares", distinct=True)
    tracks = view.rows(
        "SELECT id, title, duration_s FROM music_songs WHERE album_id = ? ORDER BY track_number", album["id"]
    )
    owners = view.rows(
        "SELECT owner_id FROM music_library WHERE song_id IN (SELECT id FROM music_songs WHERE album_id = ?) "
        "GROUP BY owner_id HAVING COUNT(*) < ? ORDER BY owner_id",
        album["id"],
        len(tracks),
    )
    owner = pick(rng, owners, "listener with part of the album")["owner_id"]
    in_library = {r["song_id"] for r in view.rows("SELECT song_id FROM music_library WHERE owner_id = ?", owner)}
    missing = [t["id"] for t in tracks if t["id"] not in in_library]
    saved = bool(view.rows("SELECT 1 FROM music_saved_albums WHERE owner_id = ? AND album_id = ?", owner, album["id"]))
    title = f"{album['title']} tracklist"
    lines = [f"{i}. {t['title']} ({clock(t['duration_s'])})" for i, t in enumerate(tracks, 1)]
    content = "\n".join([*lines, f"Total: {clock(sum(t['duration_s'] for t in tracks))}"])
    look = (
        login("music", "notes")
        + fetch_all("found", f"apis.music.search_albums(query={album['title']!r}")
        + "print([(a['album_id'], a['album'], a['artist']) for a in found])\n"
        + f"target = next(a for a in found if a['album'] == {album['title']!r} "
        f"and a['artist'] == {album['artist']!r})\n"
        + "tracks = apis.music.show_album(album_id=target['album_id'])['tracks']\n"
        + fetch_all("library", f"apis.music.show_song_library(access_token=music_token, artist={album['artist']!r}")
        + fetch_all("saved", "apis.music.show_saved_albums(access_token=music_token")
    )
    plan = (
        MINUTES + "lines = [f\"{i}. {t['title']} ({clock(t['duration_s'])})\" for i, t in enumerate(tracks, 1)]\n"
        "lines.append('Total: ' + clock(sum(t['duration_s'] for t in tracks)))\n"
        "have = {s['song_id'] for s in library}\n"
        "missing = [t['song_id'] for t in tracks if t['song_id'] not in have]\n"
        "is_saved = any(a['album_id'] == target['album_id'] for a in saved)\n"
        "print(lines, missing, is_saved)\n"
    )
    act = (
        find_or_create_notebook("Journal")
        + f"note = apis.notes.create_note(access_token=notes_token, title={title!r}, content='\\n'.join(lines), "
        "tags=['tracklist'], notebook_id=book)['note_id']\n"
        "for song_id in missing:\n"
        "    apis.music.add_song_to_library(access_token=music_token, song_id=song_id)\n"
        "if not is_saved:\n"
        "    apis.music.save_album(access_token=music_token, album_id=target['album_id'])\n"
    )
    check = (
        "print(apis.notes.show_note(access_token=notes_token, note_id=note)['content'])\n"
        "apis.supervisor.complete_task(answer=len(missing))\n"
    )
    book, expectations = notebook_expectations(view, owner, "Journal")
    expectations += [
        Inserted(
            "notes_notes",
            {
                "owner_id": owner,
                "title": title,
                "content": content,
                "tags": "tracklist",
                "notebook_id": book,
                **NEW_NOTE,
            },
            f"a note '{title}' tagged tracklist in the Journal notebook lists the {len(tracks)} tracks of "
            f"{album['artist']}'s album with their lengths and the total: {content!r}",
            what="notes",
        ),
        Inserted(
            "music_library",
            {"owner_id": owner, "song_id": OneOf(missing), "added_at": NOW},
            f"the {len(missing)} tracks of the album missing from my library are added",
            count=len(missing),
            what="library songs",
        ),
        Answer(
            len(missing),
            f"the answer is the number of tracks added to the library ({len(missing)})",
            traps={str(len(tracks)): "that is every track of the album, not those that were missing"},
        ),
    ]
    if not saved:
        expectations.append(
            Inserted(
                "music_saved_albums",
                {"owner_id": owner, "album_id": album["id"], "saved_at": NOW},
                "the album is saved",
                what="saved albums",
            )
        )
    return TaskSpec(
        owner,
        f"Make a note titled '{title}' in my 'Journal' notebook (create the notebook if I have none), tagged "
        f"'tracklist', listing the tracks of the album '{album['title']}' by {album['artist']} (another album has that "
        "title) in track order, one per line written as '1. Title (m:ss)', then a last line 'Total: m:ss' with the "
        "album's length (minutes may go past 59). Then add to my music library every track of that album that is not "
        "in it yet, and save the album if I have not. Tell me how many tracks you added to my library.",
        Solution().step(look).step(plan).step(act).step(check).steps(),
        expectations,
    )


def _rated_four(view: WorldView, owner: int, newest: int = 0, album: int | None = None) -> int:
    """How many tracks of `album` (or of `owner`'s `newest` saved albums) have an average review rating of 4+,
    rounded as show_song rounds it."""
    albums = (
        [album]
        if album is not None
        else [
            r["album_id"]
            for r in view.rows(
                "SELECT album_id FROM music_saved_albums WHERE owner_id = ? ORDER BY saved_at DESC, id DESC LIMIT ?",
                owner,
                newest,
            )
        ]
    )
    return int(
        view.value(
            "SELECT COUNT(*) FROM music_songs s WHERE s.album_id IN (SELECT value FROM json_each(?)) AND "
            "(SELECT ROUND(AVG(v.rating), 2) FROM music_reviews v WHERE v.song_id = s.id) >= 4",
            json.dumps(albums),
        )
    )


@scenario("leisure_saved_albums_journal", apps=("music", "notes"))
def saved_albums_journal(view: WorldView, rng: random.Random) -> TaskSpec:
    """A journal note of the albums saved since a day, each with how many of its tracks are in my library and how
    many reviewers rate 4 or more. Deep because a track's average rating is only in its own show_song: every track
    of the 3-5+ albums (25-50 tracks) is read one by one, and some of the newest albums have such tracks."""
    nothing_new = getattr(rng, "variant", 0) % 3 == 1  # one variant in three: no album saved since the date
    owners = view.rows(
        "SELECT owner_id FROM music_saved_albums GROUP BY owner_id HAVING COUNT(*) >= 6 ORDER BY owner_id"
    )
    owner = pick(
        rng,
        owners,
        "listener with saved albums",
        distinct=True,
        unusable=(
            lambda o: not nothing_new and not _rated_four(view, o["owner_id"], newest=3),
            "no track of the three newest saved albums is rated 4 or more: skipping the ratings would pass",
        ),
    )["owner_id"]
    saves = view.rows(
        "SELECT v.album_id, v.saved_at, a.title, a.artist FROM music_saved_albums v JOIN music_albums a "
        "ON a.id = v.album_id WHERE v.owner_id = ? ORDER BY v.saved_at, v.id",
        owner,
    )
    if nothing_new:
        since = (date.fromisoformat(saves[-1]["saved_at"][:10]) + timedelta(days=1)).isoformat()
    else:
        since = saves[-rng.randint(3, 5)]["saved_at"][:10]
    recent = [s for s in saves if s["saved_at"][:10] >= since]
    in_library = {r["song_id"] for r in view.rows("SELECT song_id FROM music_library WHERE owner_id = ?", owner)}
    downloaded = {r["song_id"] for r in view.rows("SELECT song_id FROM music_downloads WHERE owner_id = ?", owner)}
    lines, to_download = [], []
    for s in recent:
        tracks = [r["id"] for r in view.rows("SELECT id FROM music_songs WHERE album_id = ?", s["album_id"])]
        have = sum(t in in_library for t in tracks)
        liked = _rated_four(view, owner, album=s["album_id"])
        to_download += [t for t in tracks if t in in_library and t not in downloaded]
        counts = f"{have}/{len(tracks)} in my library, {liked} rated 4+"
        lines.append(f"{s['saved_at'][:10]}: {s['title']} by {s['artist']} ({counts})")
    title = f"Albums saved since {since}"
    look = (
        login("music", "notes")
        + fetch_all("saved", "apis.music.show_saved_albums(access_token=music_token")
        + f"recent = sorted((a for a in saved if a['saved_at'][:10] >= {since!r}), key=lambda a: a['saved_at'])\n"
        + "print(len(saved), [(a['album'], a['saved_at']) for a in recent])\n"
    )
    count = (
        "if recent:\n"
        + fetch_all("library", "apis.music.show_song_library(access_token=music_token", indent="    ")
        + fetch_all("downloads", "apis.music.show_downloads(access_token=music_token", indent="    ")
        + "    have = {s['song_id'] for s in library}\n"
        "    offline = {d['song_id'] for d in downloads}\n"
        "    lines, to_download = [], []\n"
        "    for a in recent:\n"
        "        tracks = apis.music.show_album(album_id=a['album_id'])['tracks']\n"
        "        owned = sum(t['song_id'] in have for t in tracks)\n"
        "        ratings = [apis.music.show_song(song_id=t['song_id'])['average_rating'] for t in tracks]\n"
        "        liked = sum(r is not None and r >= 4 for r in ratings)\n"
        "        to_download += [t['song_id'] for t in tracks if t['song_id'] in have "
        "and t['song_id'] not in offline]\n"
        "        lines.append(f\"{a['saved_at'][:10]}: {a['album']} by {a['artist']} ({owned}/{len(tracks)} in my "
        'library, {liked} rated 4+)")\n'
        "    print(lines, to_download)\n"
    )
    act = (
        "if recent:\n"
        + "\n".join("    " + line for line in find_or_create_notebook("Journal").splitlines())
        + "\n"
        + f"    note = apis.notes.create_note(access_token=notes_token, title={title!r}, content='\\n'.join(lines), "
        "notebook_id=book)['note_id']\n"
        "    for song_id in to_download:\n"
        "        apis.music.download_song(access_token=music_token, song_id=song_id, quality='high')\n"
        "    print(apis.notes.show_note(access_token=notes_token, note_id=note))\n"
        "apis.supervisor.complete_task(answer=max(saved, key=lambda a: a['saved_at'])['album'])\n"
    )
    answer = Answer(saves[-1]["title"], f"the answer is the album I saved last, {saves[-1]['title']}")
    expectations: list[Expectation] = [answer]
    if recent:
        book, expectations = notebook_expectations(view, owner, "Journal")
        expectations.append(answer)
        expectations.append(
            Inserted(
                "notes_notes",
                {
                    "owner_id": owner,
                    "title": title,
                    "content": "\n".join(lines),
                    "tags": "",
                    "notebook_id": book,
                    **NEW_NOTE,
                },
                f"a note '{title}' in the Journal notebook lists the {len(recent)} albums saved since {since}, oldest "
                "first, with how many of their tracks are in my library and how many are rated 4+",
                what="notes",
            )
        )
        expectations.append(
            Inserted(
                "music_downloads",
                {"owner_id": owner, "song_id": OneOf(to_download), "quality": "high", "downloaded_at": NOW},
                f"the {len(to_download)} tracks of those albums in my library but not downloaded are downloaded",
                count=len(to_download),
                what="new downloads",
            )
        )
    return TaskSpec(
        owner,
        f"Look at the albums I saved in the music app on or after {since}. If there are any, make a note titled "
        f"'{title}' in my 'Journal' notebook (create the notebook if I have none) with one line per such album, "
        "oldest save first, written as 'YYYY-MM-DD: Album by Artist (K/N in my library, H rated 4+)', where YYYY-MM-DD "
        "is the day I saved it, N the album's track count, K how many of its tracks are in my music library and H "
        "how many of its tracks have an average review rating of 4 or more in the music app. Also "
        "download in high quality every track of those albums that is in my library but not downloaded yet. If I "
        "saved none since then, change nothing. Either way, tell me the title of the album I saved most recently.",
        Solution().step(look).step(count).step(act).steps(),
        expectations,
        noop_pass=not recent,
    )


@scenario("leisure_five_star_note", apps=("music", "notes"))
def five_star_note(view: WorldView, rng: random.Random) -> TaskSpec:
    """Deep: 7-14 five-star reviews (more than a default page of 5), each song's artist read from the catalog one by
    one (a review names only the song), and each checked against the liked songs."""
    owners = view.rows(
        "SELECT owner_id FROM music_reviews WHERE rating = 5 GROUP BY owner_id HAVING COUNT(*) BETWEEN 7 AND 14 "
        "AND COUNT(DISTINCT song_id) = COUNT(*) ORDER BY owner_id"
    )
    owner = pick(rng, owners, "listener with several five-star reviews", distinct=True)["owner_id"]
    best = view.rows(
        "SELECT s.id, s.title, s.artist FROM music_reviews r JOIN music_songs s ON s.id = r.song_id "
        "WHERE r.owner_id = ? AND r.rating = 5 ORDER BY s.title, s.artist",
        owner,
    )
    liked = {r["song_id"] for r in view.rows("SELECT song_id FROM music_likes WHERE owner_id = ?", owner)}
    to_like = [s["id"] for s in best if s["id"] not in liked]
    lines = [f"{s['title']} - {s['artist']}" for s in best]
    look = (
        login("music", "notes")
        + fetch_all("reviews", "apis.music.show_my_reviews(access_token=music_token, rating=5")
        + "print(len(reviews), [(r['song_title'], r['rating']) for r in reviews])\n"
        + fetch_all("liked", "apis.music.show_liked_songs(access_token=music_token")
    )
    plan = (
        "songs = [apis.music.show_song(song_id=r['song_id']) for r in reviews if r['rating'] == 5]\n"
        "songs.sort(key=lambda s: (s['title'], s['artist']))\n"
        "lines = [f\"{s['title']} - {s['artist']}\" for s in songs]\n"
        "liked_ids = {s['song_id'] for s in liked}\n"
        "to_like = [s['song_id'] for s in songs if s['song_id'] not in liked_ids]\n"
        "print(lines, to_like)\n"
    )
    act = (
        "note = apis.notes.create_note(access_token=notes_token, title='Five-star songs', content='\\n'.join(lines), "
        "tags=['music'], pinned=True)['note_id']\n"
        "for song_id in to_like:\n"
        "    apis.music.like_song(access_token=music_token, song_id=song_id)\n"
    )
    check = (
        "print(apis.notes.show_note(access_token=notes_token, note_id=note)['content'])\n"
        "apis.supervisor.complete_task(answer=len(lines))\n"
    )
    content = "\n".join(lines)
    return TaskSpec(
        owner,
        "Make a pinned note titled 'Five-star songs', tagged 'music', listing every song I gave 5 stars in my music "
        "reviews, one per line as 'Title - Artist', sorted by title (then artist). Like each of those songs that I "
        "have not liked yet. Tell me how many songs the note lists.",
        Solution().step(look).step(plan).step(act).step(check).steps(),
        [
            Inserted(
                "notes_notes",
                {
                    "owner_id": owner,
                    "title": "Five-star songs",
                    "content": content,
                    "tags": "music",
                    "notebook_id": None,
                    **NEW_NOTE,
                    "pinned": 1,
                },
                f"a pinned note 'Five-star songs' tagged music lists my {len(lines)} five-star songs sorted by title: "
                f"{content!r}",
                what="notes",
            ),
            Inserted(
                "music_likes",
                {"owner_id": owner, "song_id": OneOf(to_like)},
                f"the {len(to_like)} five-star songs not liked yet are liked",
                count=len(to_like),
                what="likes",
            ),
            Answer(
                len(lines),
                f"the answer is the number of five-star songs ({len(lines)})",
                traps={"5": "only the first page of reviews was read (page_limit default 5)"} if len(lines) > 5 else {},
            ),
        ],
    )


HALVES = (
    ("2024-07-01", "2025-01-01", "second half of 2024"),
    ("2025-01-01", "2025-07-01", "first half of 2025"),
    ("2025-07-01", "2026-01-01", "second half of 2025"),
)


@scenario("leisure_half_year_report", apps=("music", "notes"))
def half_year_report(view: WorldView, rng: random.Random) -> TaskSpec:
    """Deep: a half year's plays over two pages (about 37), each of its skips (8-9) deleted one by one, and the top
    artist's songs checked against the liked ones."""
    since, until, period = HALVES[getattr(rng, "variant", 0) % 3]
    candidates = []
    for person in view.people_ids():
        plays = view.rows(
            "SELECT h.id, h.song_id, h.seconds_played, s.artist FROM music_history h "
            "JOIN music_songs s ON s.id = h.song_id WHERE h.owner_id = ? AND h.played_at >= ? AND h.played_at < ?",
            person,
            since,
            until,
        )
        kept = [p for p in plays if p["seconds_played"] >= 30]
        counts: dict[str, int] = {}
        for p in kept:
            counts[p["artist"]] = counts.get(p["artist"], 0) + 1
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])
        skipped = [p for p in plays if p["seconds_played"] < 30]
        if skipped and len(ranked) >= 2 and ranked[0][1] > ranked[1][1]:
            candidates.append((person, kept, ranked[0], skipped))
    owner, kept, top, skipped = pick(rng, candidates, f"listener with skips and a clear top artist in {period}")
    minutes = sum(p["seconds_played"] for p in kept) // 60
    title = f"Listening report: {period}"
    content = f"Plays: {len(kept)}\nMinutes: {minutes}\nTop artist: {top[0]} ({top[1]} plays)"
    look = (
        login("music", "notes")
        + fetch_all(
            "plays", f"apis.music.show_listening_history(access_token=music_token, since={since!r}, until={until!r}"
        )
        + f"plays = [p for p in plays if {since!r} <= p['played_at'] < {until!r}]\n"
        + "print(len(plays), [(p['history_id'], p['artist'], p['seconds_played']) for p in plays])\n"
        + fetch_all("liked", "apis.music.show_liked_songs(access_token=music_token")
        + fetch_all("followed", "apis.music.show_followed_artists(access_token=music_token")
    )
    compute = (
        "kept = [p for p in plays if p['seconds_played'] >= 30]\n"
        "skips = [p['history_id'] for p in plays if p['seconds_played'] < 30]\n"
        "minutes = sum(p['seconds_played'] for p in kept) // 60\n"
        "counts = {}\n"
        "for p in kept:\n"
        "    counts[p['artist']] = counts.get(p['artist'], 0) + 1\n"
        "top = max(counts.items(), key=lambda kv: kv[1])\n"
        "print(len(kept), minutes, top, skips)\n"
    )
    act = (
        'text = f"Plays: {len(kept)}\\nMinutes: {minutes}\\nTop artist: {top[0]} ({top[1]} plays)"\n'
        + find_or_create_notebook("Journal")
        + f"note = apis.notes.create_note(access_token=notes_token, title={title!r}, content=text, "
        "notebook_id=book)['note_id']\n"
        "for history_id in skips:\n"
        "    apis.music.delete_history_entry(access_token=music_token, history_id=history_id)\n"
        "liked_ids = {s['song_id'] for s in liked}\n"
        "for song_id in sorted({p['song_id'] for p in kept if p['artist'] == top[0]} - liked_ids):\n"
        "    apis.music.like_song(access_token=music_token, song_id=song_id)\n"
        "if not any(a['artist'] == top[0] for a in followed):\n"
        "    apis.music.follow_artist(access_token=music_token, artist=top[0])\n"
    )
    check = (
        "print(apis.notes.show_note(access_token=notes_token, note_id=note)['content'])\n"
        "apis.supervisor.complete_task(answer=minutes)\n"
    )
    book, expectations = notebook_expectations(view, owner, "Journal")
    with_skips = (sum(p["seconds_played"] for p in kept) + sum(p["seconds_played"] for p in skipped)) // 60
    follows = bool(view.rows("SELECT 1 FROM music_follows WHERE owner_id = ? AND artist = ?", owner, top[0]))
    liked = {r["song_id"] for r in view.rows("SELECT song_id FROM music_likes WHERE owner_id = ?", owner)}
    to_like = sorted({p["song_id"] for p in kept if p["artist"] == top[0]} - liked)
    expectations += [
        Inserted(
            "notes_notes",
            {"owner_id": owner, "title": title, "content": content, "tags": "", "notebook_id": book, **NEW_NOTE},
            f"a note '{title}' in the Journal notebook says {content!r}",
            what="notes",
        ),
        Deleted(
            "music_history",
            frozenset(p["id"] for p in skipped),
            f"the {len(skipped)} plays under 30 seconds of the {period} are deleted from my history",
            what="skipped plays",
        ),
        Answer(
            minutes,
            f"the answer is the minutes listened in the {period} without skips ({minutes})",
            traps={str(with_skips): "the skips were counted"} if with_skips != minutes else {},
        ),
    ]
    expectations.append(
        Inserted(
            "music_likes",
            {"owner_id": owner, "song_id": OneOf(to_like)},
            f"the {len(to_like)} songs of {top[0]} I played then and had not liked are liked",
            count=len(to_like),
            what="likes",
        )
    )
    if not follows:
        expectations.append(
            Inserted(
                "music_follows",
                {"owner_id": owner, "artist": top[0], "followed_at": NOW},
                f"{top[0]} is followed",
                what="follows",
            )
        )
    return TaskSpec(
        owner,
        f"Write my music listening report for the {period} (plays from {since} up to, not including, {until}). Plays "
        "under 30 seconds are skips: leave them out of the report and delete them from my listening history. Make a "
        f"note titled '{title}' in my 'Journal' notebook (create it if I have none) with exactly three lines, in this "
        "order: 'Plays: <number of plays>', 'Minutes: <whole minutes played, rounded down>' and 'Top artist: <artist> "
        "(<plays> plays)'. Then like every song of that top artist I played in that time (not skipped) that I have "
        "not liked yet, and follow the artist if I don't. Tell me the minutes.",
        Solution().step(look).step(compute).step(act).step(check).steps(),
        expectations,
    )


@scenario("leisure_playlist_checklist", apps=("music", "notes"))
def playlist_checklist(view: WorldView, rng: random.Random) -> TaskSpec:
    playlists = view.rows(
        "SELECT p.id, p.owner_id, p.title FROM music_playlists p "
        "WHERE (SELECT COUNT(*) FROM music_playlist_songs s WHERE s.playlist_id = p.id) BETWEEN 8 AND 20 "
        "AND (SELECT COUNT(DISTINCT song_id) - COUNT(*) FROM music_playlist_songs s WHERE s.playlist_id = p.id) = 0 "
        "AND EXISTS (SELECT 1 FROM music_playlists q WHERE q.owner_id = p.owner_id AND q.title LIKE p.title || ' %') "
        "AND (SELECT COUNT(*) FROM music_playlists q WHERE q.owner_id = p.owner_id AND q.title = p.title) = 1 "
        "ORDER BY p.id"
    )
    p = pick(rng, playlists, "playlist whose title has a look-alike", distinct=True)
    owner = p["owner_id"]
    songs = view.rows(
        "SELECT s.id, s.title, s.artist FROM music_playlist_songs ps JOIN music_songs s ON s.id = ps.song_id "
        "WHERE ps.playlist_id = ? ORDER BY ps.position, ps.id",
        p["id"],
    )
    liked = {r["song_id"] for r in view.rows("SELECT song_id FROM music_likes WHERE owner_id = ?", owner)}
    title = f"Learn: {p['title']}"
    look = (
        login("music", "notes")
        + fetch_all("lists", f"apis.music.show_playlists(access_token=music_token, query={p['title']!r}")
        + "print([(x['playlist_id'], x['title']) for x in lists])\n"
        + f"target = next(x for x in lists if x['title'] == {p['title']!r})\n"
        + fetch_all(
            "songs", "apis.music.show_playlist_songs(access_token=music_token, playlist_id=target['playlist_id']"
        )
        + fetch_all("liked", "apis.music.show_liked_songs(access_token=music_token")
    )
    act = (
        "liked_ids = {s['song_id'] for s in liked}\n"
        f"note = apis.notes.create_note(access_token=notes_token, title={title!r}, tags=['practice'])['note_id']\n"
        "for s in songs:\n"
        "    apis.notes.add_checklist_item(access_token=notes_token, note_id=note, text=f\"{s['title']} - "
        "{s['artist']}\", checked=s['song_id'] in liked_ids)\n"
    )
    check = (
        fetch_all("items", "apis.notes.show_checklist(access_token=notes_token, note_id=note")
        + "left = sum(not i['checked'] for i in items)\n"
        + "print(len(items), left)\n"
        + "apis.supervisor.complete_task(answer=left)\n"
    )
    note = {"owner_id": owner, "title": title, "content": "", "tags": "practice", "notebook_id": None, **NEW_NOTE}
    left = sum(s["id"] not in liked for s in songs)
    expectations: list[Expectation] = [
        Inserted("notes_notes", note, f"a note '{title}' tagged practice", what="notes"),
        *(
            Inserted(
                "notes_checklist_items",
                {
                    "note_id": NewRow("notes_notes", note),
                    "text": f"{s['title']} - {s['artist']}",
                    "checked": int(s["id"] in liked),
                    "position": i,
                    "created_at": NOW,
                },
                f"checklist item {i} is '{s['title']} - {s['artist']}'"
                + (" (checked: liked)" if s["id"] in liked else " (unchecked)"),
                what=f"checklist items for song {s['id']} at {i}",
            )
            for i, s in enumerate(songs, 1)
        ),
        Answer(
            left,
            f"the answer is the number of unchecked songs ({left})",
            traps={str(len(songs) - left): "that counts the checked (liked) songs"} if left * 2 != len(songs) else {},
        ),
    ]
    return TaskSpec(
        owner,
        f"Turn my music playlist titled exactly '{p['title']}' into a checklist: make a note titled '{title}' tagged "
        "'practice' whose checklist has one item per song of the playlist, in playlist order, written as 'Title - "
        "Artist', already checked for the songs I have liked. Tell me how many items are left unchecked.",
        Solution().step(look).step(act).step(check).steps(),
        expectations,
    )
