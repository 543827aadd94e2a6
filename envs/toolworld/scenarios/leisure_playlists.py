"""Leisure scenarios that take music playlists and listening into files, mail, texts and payments (no held-out
app: these go to train / dev / test_normal)."""

from __future__ import annotations

import random
from typing import Any

from envs.toolworld.evaluate import Answer, Deleted, Expectation, Inserted, NewRow, OneOf
from envs.toolworld.scenarios._common import Solution, as_deep_as_found, fetch_all, login, pick
from envs.toolworld.scenarios._rows import new_file
from envs.toolworld.scenarios.email import sent_email
from envs.toolworld.scenarios.leisure_concerts import most_played
from envs.toolworld.scenarios.music import (
    CLOCK,
    added_to_library,
    average_rating,
    clock,
    new_follows,
    new_likes,
    top_artists,
)
from envs.toolworld.scenarios.work_people import text_to
from envs.toolworld.tasks import TaskSpec, WorldView, scenario
from envs.toolworld.world.build import WORLD_NOW

NOW = WORLD_NOW.isoformat(timespec="seconds")


def look_alike_playlists(view: WorldView, extra: str = "") -> list[dict[str, Any]]:
    """Playlists whose exact title is unique for their owner while another of theirs starts with it
    ('Road Trip' next to 'Road Trip 2019'), optionally narrowed by an `extra` SQL condition on p."""
    return view.rows(
        "SELECT p.id, p.owner_id, p.title, p.is_public FROM music_playlists p WHERE "
        "EXISTS (SELECT 1 FROM music_playlists q WHERE q.owner_id = p.owner_id AND q.title LIKE p.title || ' %') "
        "AND (SELECT COUNT(*) FROM music_playlists q WHERE q.owner_id = p.owner_id AND q.title = p.title) = 1 "
        f"{extra} ORDER BY p.id"
    )


def playlist_songs(view: WorldView, playlist_id: object) -> list[dict[str, Any]]:
    """The songs of a playlist in playlist order, with their entry ids."""
    return view.rows(
        "SELECT ps.id AS entry, s.id, s.title, s.artist, s.duration_s FROM music_playlist_songs ps "
        "JOIN music_songs s ON s.id = ps.song_id WHERE ps.playlist_id = ? ORDER BY ps.position, ps.id",
        playlist_id,
    )


def rated(rating: float | None) -> str:
    """A song's average review rating as an export line shows it."""
    return "unrated" if rating is None else f"rated {rating:.2f}"


def find_playlist(title: str) -> str:
    """Oracle code leaving `target` = my playlist titled exactly `title` and `songs` = its songs in order."""
    return (
        fetch_all("lists", f"apis.music.show_playlists(access_token=music_token, query={title!r}")
        + "print([(x['playlist_id'], x['title']) for x in lists])\n"
        + f"target = next(x for x in lists if x['title'] == {title!r})\n"
        + fetch_all(
            "songs", "apis.music.show_playlist_songs(access_token=music_token, playlist_id=target['playlist_id']"
        )
    )


@scenario("leisure_playlist_export_file", apps=("email", "file_system", "music"))
def playlist_export_file(view: WorldView, rng: random.Random) -> TaskSpec:
    extra = "AND EXISTS (SELECT 1 FROM music_collaborators c WHERE c.playlist_id = p.id)"
    p = pick(rng, look_alike_playlists(view, extra), "shared playlist whose title has a look-alike", distinct=True)
    owner = p["owner_id"]
    songs = playlist_songs(view, p["id"])
    mates = view.rows(
        "SELECT f.id, f.email FROM music_collaborators c JOIN people f ON f.id = c.person_id WHERE c.playlist_id = ? "
        "ORDER BY f.id",
        p["id"],
    )
    path = f"/music/{p['title'].lower().replace(' ', '_')}.txt"
    lines = [
        f"{i}. {s['artist']} - {s['title']} ({clock(s['duration_s'])}) {rated(average_rating(view, s['id']))}"
        for i, s in enumerate(songs, 1)
    ]
    content = "\n".join([*lines, f"Total: {clock(sum(s['duration_s'] for s in songs))}"])
    has_dir = bool(view.rows("SELECT 1 FROM file_system_directories WHERE owner_id = ? AND path = '/music'", owner))
    subject = f"{p['title']} tracklist"
    look = (
        login("music", "file_system", "email")
        + find_playlist(p["title"])
        + "info = apis.music.show_playlist(access_token=music_token, playlist_id=target['playlist_id'])\n"
        + "print(len(songs), info['collaborators'])\n"
    )
    ratings = (
        "ratings = {}\n"
        "for s in songs:\n"
        "    rating = apis.music.show_song(song_id=s['song_id'])['average_rating']\n"
        "    ratings[s['song_id']] = 'unrated' if rating is None else f'rated {rating:.2f}'\n"
        "print(ratings)\n"
    )
    write = (
        CLOCK + "lines = [f\"{i}. {s['artist']} - {s['title']} ({clock(s['duration_s'])}) {ratings[s['song_id']]}\" "
        "for i, s in enumerate(songs, 1)]\n"
        "lines.append('Total: ' + clock(sum(s['duration_s'] for s in songs)))\n"
        f"apis.file_system.create_file(access_token=file_system_token, path={path!r}, content='\\n'.join(lines), "
        "parents=True)\n"
        f"apis.file_system.star_file(access_token=file_system_token, path={path!r})\n"
        "for email in info['collaborators']:\n"
        f"    apis.file_system.share_file(access_token=file_system_token, path={path!r}, email=email, "
        "permission='view')\n"
        f"apis.email.send_email(access_token=email_token, recipients=info['collaborators'], subject={subject!r}, "
        "body='\\n'.join(lines))\n"
    )
    check = (
        f"print(apis.file_system.show_file(access_token=file_system_token, path={path!r})['content'])\n"
        f"print(apis.file_system.show_file_shares(access_token=file_system_token, path={path!r}))\n"
        "apis.supervisor.complete_task()\n"
    )
    file = new_file(owner, path, content, starred=1)
    expectations: list[Expectation] = []
    if not has_dir:
        expectations.append(
            Inserted(
                "file_system_directories",
                {"owner_id": owner, "path": "/music", "created_at": NOW},
                "the /music directory is created",
                what="directories",
            )
        )
    expectations.append(
        Inserted(
            "file_system_files",
            file,
            f"a starred file {path} lists the {len(songs)} songs in playlist order with their lengths, then the "
            f"total: {content!r}",
            what="files",
        )
    )
    expectations += [
        Inserted(
            "file_system_shares",
            {
                "file_id": NewRow("file_system_files", {"path": path}),
                "owner_id": owner,
                "shared_with_id": m["id"],
                "permission": "view",
                "created_at": NOW,
            },
            f"the file is shared with {m['email']} (view)",
            what=f"shares with {m['email']}",
        )
        for m in mates
    ]
    expectations += sent_email(
        view, owner, [m["id"] for m in mates], content, "the collaborators get the listing by email", subject=subject
    )
    return TaskSpec(
        owner,
        f"Export my music playlist titled exactly '{p['title']}' to a text file {path} (create the folder if "
        "needed): one line per song in playlist order written as '1. Artist - Title (m:ss) rated 4.25' (its average "
        "review rating, 2 decimals, or 'unrated' when it has no reviews), then a last line "
        "'Total: m:ss' with the playlist's length (minutes may go past 59). Star the file and share it, view only, "
        "with each collaborator of the playlist. Also send them all one email with the subject "
        f"'{subject}' and the file's text as its body.",
        Solution().step(look).step(ratings).step(write).step(check).steps(),
        expectations,
    )


@scenario("leisure_low_rated_cleanup", apps=("music",))
def low_rated_cleanup(view: WorldView, rng: random.Random) -> TaskSpec:
    owners = view.rows(
        "SELECT owner_id FROM music_reviews WHERE rating <= 2 GROUP BY owner_id HAVING COUNT(*) BETWEEN 2 AND 8 "
        "ORDER BY owner_id"
    )
    owner = pick(rng, owners, "listener with low-rated songs", distinct=True)["owner_id"]
    low = [
        r["song_id"] for r in view.rows("SELECT song_id FROM music_reviews WHERE owner_id = ? AND rating <= 2", owner)
    ]
    marks = ",".join("?" * len(low))

    def ids(sql: str) -> frozenset[int]:
        return frozenset(r["id"] for r in view.rows(sql.format(marks=marks), owner, *low))

    library = ids("SELECT id FROM music_library WHERE owner_id = ? AND song_id IN ({marks})")
    likes = ids("SELECT id FROM music_likes WHERE owner_id = ? AND song_id IN ({marks})")
    downloads = ids("SELECT id FROM music_downloads WHERE owner_id = ? AND song_id IN ({marks})")
    entries = ids(
        "SELECT ps.id FROM music_playlist_songs ps JOIN music_playlists p ON p.id = ps.playlist_id "
        "WHERE p.owner_id = ? AND ps.song_id IN ({marks})"
    )
    look = (
        login("music")
        + "low = []\n"
        + "for stars in (1, 2):\n"
        + fetch_all("rated", "apis.music.show_my_reviews(access_token=music_token, rating=stars", indent="    ")
        + "    low += [r['song_id'] for r in rated]\n"
        + "low = set(low)\n"
        + "print(sorted(low))\n"
        + fetch_all("library", "apis.music.show_song_library(access_token=music_token")
        + fetch_all("liked", "apis.music.show_liked_songs(access_token=music_token")
        + fetch_all("downloads", "apis.music.show_downloads(access_token=music_token")
        + fetch_all("playlists", "apis.music.show_playlists(access_token=music_token")
    )
    find = (
        "holding = []\n"
        "for p in playlists:\n"
        + fetch_all(
            "songs", "apis.music.show_playlist_songs(access_token=music_token, playlist_id=p['playlist_id']", "    "
        )
        + "    holding += [(p['playlist_id'], s['song_id']) for s in songs if s['song_id'] in low]\n"
        "print(holding)\n"
    )
    act = (
        "for s in library:\n"
        "    if s['song_id'] in low:\n"
        "        apis.music.remove_song_from_library(access_token=music_token, song_id=s['song_id'])\n"
        "for s in liked:\n"
        "    if s['song_id'] in low:\n"
        "        apis.music.unlike_song(access_token=music_token, song_id=s['song_id'])\n"
        "for d in downloads:\n"
        "    if d['song_id'] in low:\n"
        "        apis.music.remove_download(access_token=music_token, song_id=d['song_id'])\n"
        "for playlist_id, song_id in holding:\n"
        "    apis.music.remove_song_from_playlist(access_token=music_token, playlist_id=playlist_id, song_id=song_id)\n"
        "apis.supervisor.complete_task(answer=len(holding))\n"
    )
    return TaskSpec(
        owner,
        "Clean out the songs I rated 1 or 2 stars in my music reviews: remove each from my library, unlike it, "
        "delete its download, and take it out of every playlist I own (only where it is there). Leave songs rated "
        "3 or more alone. Tell me how many playlist entries you removed.",
        Solution().step(look).step(find).step(act).steps(),
        [
            *(
                d
                for d in (
                    Deleted("music_library", library, f"the {len(library)} low-rated songs leave my library"),
                    Deleted("music_likes", likes, f"the {len(likes)} low-rated liked songs are unliked", what="likes"),
                    Deleted("music_downloads", downloads, f"their {len(downloads)} downloads are deleted"),
                    Deleted("music_playlist_songs", entries, f"they leave my playlists ({len(entries)} entries)"),
                )
                if d.row_ids
            ),
            Answer(len(entries), f"the answer is the number of playlist entries removed ({len(entries)})"),
        ],
    )


FAVOURITE = 4  # an average review rating at which a song is a crowd favourite
TRIM_AT_LEAST = 6  # songs a trimming variant takes off (6-8), each after its own show_song
# favourites the trim passes over, deepest first: world 0 has playlists for 2; a sparser world may have fewer
PASSED_FAVOURITES = (2, 1)


def _passed_favourites(songs: list[dict[str, Any]], cut: list[dict[str, Any]], favourite: set[int]) -> int:
    """The favourites among the songs from the first of `cut` to the playlist's end: those the trim reads and keeps."""
    first = next(i for i, s in enumerate(songs) if s["entry"] == cut[0]["entry"])
    return sum(s["id"] in favourite for s in songs[first:])


@scenario("leisure_trim_playlist", apps=("music",))
def trim_playlist(view: WorldView, rng: random.Random) -> TaskSpec:
    """Songs off a playlist's end into an '(extra)' playlist until it fits a length, skipping over the favourites
    (average review rating 4 or more, only in show_song per song); one variant in three already fits (no-op-pass).
    Deep: a trim takes 6-8 songs off and passes over favourites on the way, so each song from the end is read."""
    extra = "AND (SELECT COUNT(DISTINCT song_id) - COUNT(*) FROM music_playlist_songs s WHERE s.playlist_id = p.id) = 0"
    fits = getattr(rng, "variant", 0) % 3 == 1  # one variant in three: the playlist already fits
    cut_size = rng.randint(TRIM_AT_LEAST, TRIM_AT_LEAST + 2)
    playlists = []
    for c in look_alike_playlists(view, extra):
        songs = playlist_songs(view, c["id"])
        favourite = {s["id"] for s in songs if (average_rating(view, s["id"]) or 0) >= FAVOURITE}
        trimmable = [s for s in songs if s["id"] not in favourite]
        playlists.append((c, songs, favourite, trimmable))

    def usable(passed: int) -> list[tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]]:
        return [
            (c, songs, trimmable)
            for c, songs, favourite, trimmable in playlists
            if len(songs) >= 8
            and (
                fits
                or len(trimmable) >= cut_size + 4
                and _passed_favourites(songs, trimmable[-cut_size:], favourite) >= passed
            )
        ]

    passed, candidates = as_deep_as_found(PASSED_FAVOURITES, usable)
    p, songs, trimmable = pick(
        rng,
        candidates,
        f"playlist of 8+ songs whose title has a look-alike (trimmed: {cut_size} songs off, passing over {passed}+ "
        "favourites)",
        distinct=True,
    )
    total = sum(s["duration_s"] for s in songs)
    if fits:
        limit = -(-total // 60) + rng.randint(0, 10)
    else:
        cut = trimmable[-cut_size:]
        keep_seconds = total - sum(s["duration_s"] for s in cut)
        limit = keep_seconds // 60 + 1 if (keep_seconds // 60 + 1) * 60 < total else keep_seconds // 60
    removed: list[dict[str, Any]] = []
    length = total
    for s in reversed(trimmable):
        if length <= limit * 60:
            break
        removed.insert(0, s)
        length -= s["duration_s"]
    extra_title = f"{p['title']} (extra)"
    look = (
        login("music")
        + find_playlist(p["title"])
        + "total = sum(s['duration_s'] for s in songs)\n"
        + f"print(len(songs), total, total / 60, {limit})\n"
    )
    act = (
        "removed, length = [], total\n"
        "for s in reversed(songs):\n"
        f"    if length <= {limit} * 60:\n"
        "        break\n"
        "    rating = apis.music.show_song(song_id=s['song_id'])['average_rating']\n"
        f"    if rating is None or rating < {FAVOURITE}:\n"
        "        removed.insert(0, s)\n"
        "        length -= s['duration_s']\n"
        "print([s['title'] for s in removed])\n"
        "if removed:\n"
        f"    new = apis.music.create_playlist(access_token=music_token, title={extra_title!r})['playlist_id']\n"
        "    for s in removed:\n"
        "        apis.music.remove_song_from_playlist(access_token=music_token, playlist_id=target['playlist_id'], "
        "song_id=s['song_id'])\n"
        "        apis.music.add_song_to_playlist(access_token=music_token, playlist_id=new, song_id=s['song_id'])\n"
    )
    check = (
        "if removed:\n"
        + fetch_all(
            "left", "apis.music.show_playlist_songs(access_token=music_token, playlist_id=target['playlist_id']", "    "
        )
        + "    print(len(left), sum(s['duration_s'] for s in left) / 60)\n"
        + "    print(apis.music.show_playlist_songs(access_token=music_token, playlist_id=new, page_limit=20))\n"
        + "apis.supervisor.complete_task(answer=total)\n"
    )
    expectations: list[Expectation] = [Answer(total, f"the answer is the playlist's length before, {total} seconds")]
    if removed:
        playlist = {
            "owner_id": p["owner_id"],
            "title": extra_title,
            "is_public": 0,
            "description": "",
            "is_collaborative": 0,
            "created_at": NOW,
        }
        entry = {"playlist_id": NewRow("music_playlists", playlist), "added_by": p["owner_id"], "added_at": NOW}
        expectations += [
            Deleted(
                "music_playlist_songs",
                frozenset(s["entry"] for s in removed),
                f"the last {len(removed)} songs leave '{p['title']}' so it fits in {limit} minutes",
                what="songs removed from the end",
            ),
            Inserted("music_playlists", playlist, f"a private playlist '{extra_title}'", what="playlists"),
            *(
                Inserted(
                    "music_playlist_songs",
                    {**entry, "song_id": s["id"], "position": float(i)},
                    f"removed song {s['id']} is number {i} in '{extra_title}'",
                    what=f"song {s['id']} at position {i}",
                )
                for i, s in enumerate(removed, 1)
            ),
        ]
    return TaskSpec(
        p["owner_id"],
        f"My music playlist titled exactly '{p['title']}' must fit in {limit} minutes. If it is longer, take songs "
        f"off its end, last one first, until its total length is at most {limit} minutes, but skip over the crowd "
        f"favourites (songs with an average review rating of {FAVOURITE} or more stay), and put the removed songs "
        f"into a new private playlist '{extra_title}' in the order they had. If it already fits, change nothing. "
        "Either way, tell me its total length in seconds before any change.",
        Solution().step(look).step(act).step(check).steps(),
        expectations,
        noop_pass=not removed,
    )


@scenario("leisure_ticket_split", apps=("music", "payments", "phone"))
def ticket_split(view: WorldView, rng: random.Random) -> TaskSpec:
    owners = view.rows(
        "SELECT c.owner_id FROM phone_contacts c JOIN people f ON f.email = c.email WHERE c.relationship = 'roommate' "
        "GROUP BY c.owner_id ORDER BY c.owner_id"
    )
    owner = pick(rng, owners, "owner with roommates", distinct=True)["owner_id"]
    mates = view.rows(
        "SELECT f.id, f.email, c.phone_number FROM phone_contacts c JOIN people f ON f.email = c.email "
        "WHERE c.owner_id = ? AND c.relationship = 'roommate' ORDER BY f.id",
        owner,
    )
    artist = rng.choice([a for a in ("Juno Vale", "Kestrel", "Ruby Marsh", "Copper Fox") if most_played(view, a, 5)])
    warm_up = most_played(view, artist, 5) or []
    in_library = {r["song_id"] for r in view.rows("SELECT song_id FROM music_library WHERE owner_id = ?", owner)}
    to_add = [song for song in warm_up if song not in in_library]
    people = len(mates) + 1
    total = round(rng.uniform(35, 70) * people, 2)
    while round(total * 1000 / people) % 10 == 5:  # no share ending in half a cent: rounding would be ambiguous
        total = round(total + 0.01, 2)
    share = round(total / people, 2)
    note = f"{artist} tickets"
    text = f"I requested ${share:.2f} on payments for the {artist} tickets"
    followed = bool(view.rows("SELECT 1 FROM music_follows WHERE owner_id = ? AND artist = ?", owner, artist))
    look = (
        login("phone", "payments", "music")
        + fetch_all("mates", "apis.phone.search_contacts(access_token=phone_token, relationship='roommate'")
        + "print([(m['first_name'], m['email'], m['phone_number']) for m in mates])\n"
        + fetch_all(
            "asked", f"apis.payments.show_requests(access_token=payments_token, direction='sent', query={note!r}"
        )
        + "print(asked)\n"
        + fetch_all("followed", "apis.music.show_followed_artists(access_token=music_token")
        + fetch_all("songs", f"apis.music.search_songs(artist={artist!r}, sort_by='-play_count'")
        + fetch_all("library", f"apis.music.show_song_library(access_token=music_token, artist={artist!r}")
        + "print([(s['title'], s['play_count']) for s in songs[:6]], len(library))\n"
    )
    act = (
        "have = {s['song_id'] for s in library}\n"
        "for s in songs[:5]:\n"
        "    if s['song_id'] not in have:\n"
        "        apis.music.add_song_to_library(access_token=music_token, song_id=s['song_id'])\n"
        f"share = round({total} / (len(mates) + 1), 2)\n"
        "for m in mates:\n"
        f"    apis.payments.request_money(access_token=payments_token, payer_email=m['email'], amount=share, "
        f"note={note!r})\n"
        "    apis.phone.send_text_message(access_token=phone_token, phone_number=m['phone_number'], "
        f"message=f'I requested ${{share:.2f}} on payments for the {artist} tickets')\n"
        f"if not any(a['artist'] == {artist!r} for a in followed):\n"
        f"    apis.music.follow_artist(access_token=music_token, artist={artist!r})\n"
    )
    check = (
        fetch_all("asked", f"apis.payments.show_requests(access_token=payments_token, direction='sent', query={note!r}")
        + "print([(r['payer']['email'], r['amount']) for r in asked])\n"
        + "apis.supervisor.complete_task(answer=share)\n"
    )
    expectations: list[Expectation] = []
    for m in mates:
        expectations += [
            Inserted(
                "payments_requests",
                {
                    "requester_id": owner,
                    "payer_id": m["id"],
                    "amount": share,
                    "note": note,
                    "status": "pending",
                    "created_at": NOW,
                    "resolved_at": None,
                    "reminders": 0,
                    "last_reminded_at": None,
                },
                f"{m['email']} is asked for ${share:.2f} with the note {note!r}",
                what=f"requests to {m['email']}",
            ),
            Inserted(
                "phone_messages",
                {"sender_id": owner, "receiver_id": m["id"], "message": text, "sent_at": NOW, "is_read": 0},
                f"{m['email']} gets the text {text!r}",
                what=f"texts to {m['email']}",
            ),
        ]
    if not followed:
        expectations.append(
            Inserted(
                "music_follows",
                {"owner_id": owner, "artist": artist, "followed_at": NOW},
                f"{artist} is followed",
                what="follows",
            )
        )
    expectations.append(
        added_to_library(
            owner, to_add, f"the {len(to_add)} of {artist}'s 5 most played songs missing from my library are added"
        )
    )
    expectations.append(
        Answer(share, f"the answer is each person's share ${share:.2f}", traps={f"{total:g}": "that is the total"})
    )
    return TaskSpec(
        owner,
        f"I paid ${total:.2f} for concert tickets to see {artist}: one for me and one for each of my roommates (they "
        "are in my phone contacts). Split it equally: request each roommate's share (rounded to the cent) on "
        f"payments with the note '{note}', and text each of them 'I requested $<share> on payments for the {artist} "
        f"tickets' (share with 2 decimals). Follow {artist} (exactly that artist) in the music app if I don't yet, "
        f"and add {artist}'s 5 most played songs to my music library (those not in it yet) so I can warm up. "
        "Tell me the share.",
        Solution().step(look).step(act).step(check).steps(),
        expectations,
    )


@scenario("leisure_top_artists_email", apps=("email", "music", "phone"))
def top_artists_email(view: WorldView, rng: random.Random) -> TaskSpec:
    year = rng.choice([2024, 2025])
    candidates = []
    for person in view.people_ids():
        top = top_artists(view, person, f"{year}-01-01", f"{year + 1}-01-01", 5)
        friends = view.rows(
            "SELECT f.id, f.email, c.first_name, c.last_name FROM phone_contacts c JOIN people f ON f.email = c.email "
            "WHERE c.owner_id = ? AND c.relationship = 'friend' AND (SELECT COUNT(*) FROM phone_contacts d "
            "WHERE d.owner_id = c.owner_id AND d.first_name = c.first_name) > 1 ORDER BY f.id",
            person,
        )
        if top and friends and all(clear_best_song(view, str(a["artist"])) for a in top):
            candidates.append((person, top, friends))
    owner, top, friends = pick(rng, candidates, f"listener with a clear top 5 of {year} and a friend", distinct=True)
    friend = rng.choice(friends)
    name = f"{friend['first_name']} {friend['last_name']}"
    best = [clear_best_song(view, str(a["artist"])) for a in top]
    followed = {r["artist"] for r in view.rows("SELECT artist FROM music_follows WHERE owner_id = ?", owner)}
    to_follow = [str(a["artist"]) for a in top if a["artist"] not in followed]
    subject = f"My top artists of {year}"
    body = "\n".join(f"{i}. {a['artist']} ({a['plays']} plays)" for i, a in enumerate(top, 1))
    title = f"Top of {year}"
    look = (
        login("music", "phone", "email")
        + fetch_all(
            "stats",
            f"apis.music.show_listening_stats(access_token=music_token, group_by='artist', since='{year}-01-01', "
            f"until='{year + 1}-01-01'",
        )
        + "top = sorted(stats, key=lambda s: (-s['plays'], s['artist']))[:5]\n"
        + "print(top, stats[5:6])\n"
        + fetch_all("people", f"apis.phone.search_contacts(access_token=phone_token, query={friend['first_name']!r}")
        + "print([(c['first_name'], c['last_name'], c['email']) for c in people])\n"
        + f"friend = next(c for c in people if c['first_name'] + ' ' + c['last_name'] == {name!r})\n"
    )
    act = (
        "body = '\\n'.join(f\"{i}. {s['artist']} ({s['plays']} plays)\" for i, s in enumerate(top, 1))\n"
        f"apis.email.send_email(access_token=email_token, recipients=[friend['email']], subject={subject!r}, "
        "body=body)\n"
        f"new = apis.music.create_playlist(access_token=music_token, title={title!r})['playlist_id']\n"
        "for s in top:\n"
        "    song = apis.music.search_songs(artist=s['artist'], sort_by='-play_count', page_limit=1)[0]\n"
        "    apis.music.add_song_to_playlist(access_token=music_token, playlist_id=new, song_id=song['song_id'])\n"
    )
    follow = fetch_all("followed", "apis.music.show_followed_artists(access_token=music_token") + (
        "following = {a['artist'] for a in followed}\n"
        "for s in top:\n"
        "    if s['artist'] not in following:\n"
        "        apis.music.follow_artist(access_token=music_token, artist=s['artist'])\n"
    )
    check = (
        "print(apis.music.show_playlist_songs(access_token=music_token, playlist_id=new))\n"
        + fetch_all("sent", f"apis.email.show_threads(access_token=email_token, folder='sent', query={subject!r}")
        + "print(sent)\n"
        + "apis.supervisor.complete_task()\n"
    )
    playlist = {
        "owner_id": owner,
        "title": title,
        "is_public": 0,
        "description": "",
        "is_collaborative": 0,
        "created_at": NOW,
    }
    entry = {"playlist_id": NewRow("music_playlists", playlist), "added_by": owner, "added_at": NOW}
    return TaskSpec(
        owner,
        f"Email my friend {name} (their address is in my phone contacts) with the subject '{subject}' and, as the "
        f"text, my 5 most played music artists of {year} by plays in my listening history (ties by name), one per "
        f"line as '1. Artist (N plays)'. Then make me a private playlist '{title}' holding the most played song (by "
        "play count in the catalog) of each of those 5 artists, in the same order, and follow those of the 5 I "
        "don't follow yet.",
        Solution().step(look).step(act).step(follow).step(check).steps(),
        [
            *sent_email(view, owner, [friend["id"]], body, f"{name} gets my top 5 artists of {year}", subject=subject),
            Inserted("music_playlists", playlist, f"a private playlist '{title}'", what="playlists"),
            *(
                Inserted(
                    "music_playlist_songs",
                    {**entry, "song_id": song_id, "position": float(i)},
                    f"the most played song of top artist {i} ({top[i - 1]['artist']}) is number {i}",
                    what=f"song {song_id} at position {i}",
                )
                for i, song_id in enumerate(best, 1)
            ),
            *new_follows(owner, to_follow, "a top-5 artist"),
        ],
    )


def clear_best_song(view: WorldView, artist: str) -> int | None:
    """The id of the artist's most played song, or None when two songs tie for it."""
    rows = view.rows("SELECT id, play_count FROM music_songs WHERE artist = ? ORDER BY play_count DESC LIMIT 2", artist)
    return rows[0]["id"] if len(rows) == 1 or rows[0]["play_count"] > rows[1]["play_count"] else None


@scenario("leisure_family_mix", apps=("music", "phone"))
def family_mix(view: WorldView, rng: random.Random) -> TaskSpec:
    candidates = []
    for row in view.rows(
        "SELECT c.owner_id FROM phone_contacts c JOIN people f ON f.email = c.email "
        "AND f.phone_number = c.phone_number WHERE c.relationship = 'family' GROUP BY c.owner_id "
        "HAVING COUNT(*) >= 2 ORDER BY c.owner_id"
    ):
        top = view.rows(
            "SELECT s.id, s.play_count FROM music_library l JOIN music_songs s ON s.id = l.song_id "
            "WHERE l.owner_id = ? ORDER BY s.play_count DESC LIMIT 6",
            row["owner_id"],
        )
        if len({t["play_count"] for t in top}) == 6:  # a clear top 5, in a clear order
            candidates.append((row["owner_id"], [t["id"] for t in top[:5]]))
    owner, top = pick(rng, candidates, "owner with family contacts and a clear top 5", distinct=True)
    family = view.rows(
        "SELECT f.id, f.email, c.phone_number FROM phone_contacts c JOIN people f ON f.email = c.email "
        "AND f.phone_number = c.phone_number WHERE c.owner_id = ? AND c.relationship = 'family' ORDER BY f.id",
        owner,
    )
    followed = {
        r["playlist_id"] for r in view.rows("SELECT playlist_id FROM music_playlist_follows WHERE owner_id = ?", owner)
    }
    to_follow = [
        r["id"]
        for f in family
        for r in view.rows("SELECT id FROM music_playlists WHERE owner_id = ? AND is_public = 1", f["id"])
        if r["id"] not in followed
    ]
    title = rng.choice(["Family mix", "Family road trip", "Sunday songs"])
    text = f"I started a music playlist '{title}' and added you as a collaborator - add your songs!"
    look = (
        login("phone", "music")
        + fetch_all("family", "apis.phone.search_contacts(access_token=phone_token, relationship='family'")
        + "print([(c['first_name'], c['email'], c['phone_number']) for c in family])\n"
        + fetch_all("library", "apis.music.show_song_library(access_token=music_token")
        + "top = sorted(library, key=lambda s: -s['play_count'])[:5]\n"
        + "print([(s['title'], s['play_count']) for s in top])\n"
        + fetch_all("followed", "apis.music.show_followed_playlists(access_token=music_token")
        + "following = {p['playlist_id'] for p in followed}\n"
    )
    follow = (
        "for c in family:\n"
        "    if c['email']:\n"
        + fetch_all("theirs", "apis.music.search_playlists(owner_email=c['email']", indent="        ")
        + "        for p in theirs:\n"
        "            if p['owner_email'] == c['email'] and p['playlist_id'] not in following:\n"
        "                apis.music.follow_playlist(access_token=music_token, playlist_id=p['playlist_id'])\n"
    )
    act = (
        f"new = apis.music.create_playlist(access_token=music_token, title={title!r}, is_collaborative=True)"
        "['playlist_id']\n"
        "for s in top:\n"
        "    apis.music.add_song_to_playlist(access_token=music_token, playlist_id=new, song_id=s['song_id'])\n"
        "for c in family:\n"
        "    if c['email']:\n"
        "        apis.music.add_playlist_collaborator(access_token=music_token, playlist_id=new, email=c['email'])\n"
        f"        apis.phone.send_text_message(access_token=phone_token, phone_number=c['phone_number'], "
        f"message={text!r})\n"
    )
    check = (
        "print(apis.music.show_playlist(access_token=music_token, playlist_id=new))\n"
        + "apis.supervisor.complete_task()\n"
    )
    playlist = {
        "owner_id": owner,
        "title": title,
        "is_public": 0,
        "description": "",
        "is_collaborative": 1,
        "created_at": NOW,
    }
    new = NewRow("music_playlists", playlist)
    entry = {"playlist_id": new, "added_by": owner, "added_at": NOW}
    return TaskSpec(
        owner,
        f"Start a private, collaborative music playlist '{title}' with the 5 most played songs of my library (by "
        "play count), most played first. Add each family member in my phone contacts as a collaborator and text "
        f"each of them: '{text}' Also follow every public playlist of theirs that I don't follow yet.",
        Solution().step(look).step(act).step(follow).step(check).steps(),
        [
            Inserted("music_playlists", playlist, f"a private collaborative playlist '{title}'", what="playlists"),
            *(
                Inserted(
                    "music_playlist_songs",
                    {**entry, "song_id": song_id, "position": float(i)},
                    f"my number {i} most played library song (id {song_id}) is number {i}",
                    what=f"song {song_id} at position {i}",
                )
                for i, song_id in enumerate(top, 1)
            ),
            *(
                expectation
                for f in family
                for expectation in (
                    Inserted(
                        "music_collaborators",
                        {"playlist_id": new, "person_id": f["id"], "added_at": NOW},
                        f"{f['email']} collaborates on the playlist",
                        what=f"collaborators {f['email']}",
                    ),
                    text_to(owner, f["id"], [text], f"{f['email']} gets the text"),
                )
            ),
            Inserted(
                "music_playlist_follows",
                {"owner_id": owner, "playlist_id": OneOf(to_follow), "followed_at": NOW},
                f"the {len(to_follow)} public playlists of my family I did not follow are followed",
                count=len(to_follow),
                what="playlist follows",
            ),
        ],
    )


def followed_by(view: WorldView, person: int) -> set[str]:
    return {r["artist"] for r in view.rows("SELECT artist FROM music_follows WHERE owner_id = ?", person)}


@scenario("leisure_recommended_from_followed", apps=("music",))
def recommended_from_followed(view: WorldView, rng: random.Random) -> TaskSpec:
    genres = [r["genre"] for r in view.rows("SELECT DISTINCT genre FROM music_songs ORDER BY genre")]
    none_followed = getattr(rng, "variant", 0) % 3 == 2  # one variant in three: no recommended artist is followed
    candidates = []
    for person in view.people_ids():
        followed = followed_by(view, person)
        for genre in genres:
            recommended = view.rows(
                "SELECT id, artist FROM music_songs WHERE genre = ? AND id NOT IN "
                "(SELECT song_id FROM music_library WHERE owner_id = ?) ORDER BY play_count DESC, id LIMIT 100",
                genre,
                person,
            )
            picked = [r["id"] for r in recommended if r["artist"] in followed]
            if (not picked) if none_followed else 3 <= len(picked) <= 10:
                candidates.append((person, genre, picked))
    owner, genre, picked = pick(rng, candidates, "listener following a few recommended artists", distinct=True)
    liked = {r["song_id"] for r in view.rows("SELECT song_id FROM music_likes WHERE owner_id = ?", owner)}
    mix = f"Discover {genre.title()}"
    if view.rows("SELECT 1 FROM music_playlists WHERE owner_id = ? AND title = ?", owner, mix):
        raise LookupError(f"the discovery playlist {mix!r} exists already: the task assumes it does not")
    look = (
        login("music")
        + fetch_all("recommended", f"apis.music.show_recommendations(access_token=music_token, genre={genre!r}")
        + fetch_all("followed", "apis.music.show_followed_artists(access_token=music_token")
        + fetch_all("liked", "apis.music.show_liked_songs(access_token=music_token")
        + "print(len(recommended), len(followed))\n"
    )
    act = (
        "following = {a['artist'] for a in followed}\n"
        "liked_ids = {s['song_id'] for s in liked}\n"
        "chosen = [s for s in recommended if s['artist'] in following]\n"
        "print([(s['title'], s['artist']) for s in chosen])\n"
        "for s in chosen:\n"
        "    apis.music.add_song_to_library(access_token=music_token, song_id=s['song_id'])\n"
        "    if s['song_id'] not in liked_ids:\n"
        "        apis.music.like_song(access_token=music_token, song_id=s['song_id'])\n"
    )
    collect = (
        "if chosen:\n"
        + fetch_all("mine", f"apis.music.show_playlists(access_token=music_token, query={mix!r}", indent="    ")
        + f"    mix = next((p['playlist_id'] for p in mine if p['title'] == {mix!r}), None)\n"
        + "    if mix is None:\n"
        + f"        mix = apis.music.create_playlist(access_token=music_token, title={mix!r})['playlist_id']\n"
        + "    for s in chosen:\n"
        + "        apis.music.add_song_to_playlist(access_token=music_token, playlist_id=mix, song_id=s['song_id'])\n"
        + "    print(apis.music.show_playlist(access_token=music_token, playlist_id=mix))\n"
        + "apis.supervisor.complete_task(answer=len(chosen) if chosen else sorted(following))\n"
    )
    playlist = {"owner_id": owner, "title": mix, "is_public": 0, "description": "", "is_collaborative": 0}
    to_like = [s for s in picked if s not in liked]
    expectations: list[Expectation] = [
        added_to_library(
            owner, picked, f"the {len(picked)} recommended {genre} songs by followed artists are added to my library"
        ),
        new_likes(owner, to_like, f"the {len(to_like)} of them not liked yet are liked"),
        Answer(
            len(picked),
            f"the answer is the number of songs added ({len(picked)})",
            traps={"5": "only the first page of recommendations was read"} if len(picked) != 5 else {},
        ),
        Inserted("music_playlists", playlist, f"a private playlist '{mix}' is made", what="playlists"),
        *(
            Inserted(
                "music_playlist_songs",
                {"playlist_id": NewRow("music_playlists", playlist), "song_id": song, "position": float(i)}
                | {"added_by": owner, "added_at": NOW},
                f"added song {song} is number {i} in '{mix}', in the recommendations' order",
                what=f"song {song} at position {i}",
            )
            for i, song in enumerate(picked, 1)
        ),
    ]
    return TaskSpec(
        owner,
        f"Go through all my {genre} music recommendations: add to my library every recommended song whose artist I "
        "follow (exactly that artist name), and like it if I have not; also put them, in the order the recommendations "
        f"list them, into a new private playlist '{mix}'. Tell me how many songs you added. If none "
        "of them is by an artist I follow, change nothing and tell me the names of the artists I follow instead.",
        Solution().step(look).step(act).step(collect).steps(),
        expectations if picked else [Answer(sorted(followed_by(view, owner)), "the answer names the artists I follow")],
        noop_pass=not picked,
    )


@scenario("leisure_reviews_export", apps=("file_system", "music"))
def reviews_export(view: WorldView, rng: random.Random) -> TaskSpec:
    year = rng.choice([2024, 2025])
    owners = view.rows(
        "SELECT owner_id FROM music_reviews WHERE created_at LIKE ? GROUP BY owner_id HAVING COUNT(*) BETWEEN 6 AND 20 "
        "AND COUNT(DISTINCT created_at) = COUNT(*) ORDER BY owner_id",
        f"{year}-%",
    )
    owner = pick(rng, owners, f"listener with reviews in {year}", distinct=True)["owner_id"]
    reviews = view.rows(
        "SELECT s.id, s.title, s.artist, r.rating FROM music_reviews r JOIN music_songs s ON s.id = r.song_id "
        "WHERE r.owner_id = ? AND r.created_at LIKE ? ORDER BY r.created_at",
        owner,
        f"{year}-%",
    )
    average = round(sum(r["rating"] for r in reviews) / len(reviews), 2)
    worst = [r["id"] for r in reviews if r["rating"] == 1]
    marks = ",".join("?" * len(worst)) or "NULL"
    dropped = frozenset(
        r["id"]
        for r in view.rows(f"SELECT id FROM music_library WHERE owner_id = ? AND song_id IN ({marks})", owner, *worst)
    )
    liked = {r["song_id"] for r in view.rows("SELECT song_id FROM music_likes WHERE owner_id = ?", owner)}
    best = [r["id"] for r in reviews if r["rating"] == 5 and r["id"] not in liked]
    path = f"/music/reviews_{year}.csv"
    content = "\n".join(["song,artist,rating", *(f"{r['title']},{r['artist']},{r['rating']}" for r in reviews)])
    has_dir = bool(view.rows("SELECT 1 FROM file_system_directories WHERE owner_id = ? AND path = '/music'", owner))
    look = (
        login("music", "file_system")
        + fetch_all("reviews", "apis.music.show_my_reviews(access_token=music_token")
        + f"mine = sorted((r for r in reviews if r['created_at'].startswith('{year}')), "
        "key=lambda r: r['created_at'])\n"
        + "print(len(reviews), len(mine))\n"
        + fetch_all("library", "apis.music.show_song_library(access_token=music_token")
        + fetch_all("liked", "apis.music.show_liked_songs(access_token=music_token")
        + "liked_ids = {s['song_id'] for s in liked}\n"
    )
    act = (
        "rows = ['song,artist,rating']\n"
        "for r in mine:\n"
        "    song = apis.music.show_song(song_id=r['song_id'])\n"
        "    rows.append(f\"{song['title']},{song['artist']},{r['rating']}\")\n"
        f"apis.file_system.create_file(access_token=file_system_token, path={path!r}, content='\\n'.join(rows), "
        "parents=True)\n"
        f"print(apis.file_system.show_file(access_token=file_system_token, path={path!r})['content'])\n"
        "worst = {r['song_id'] for r in mine if r['rating'] == 1}\n"
        "for s in library:\n"
        "    if s['song_id'] in worst:\n"
        "        apis.music.remove_song_from_library(access_token=music_token, song_id=s['song_id'])\n"
        "for r in mine:\n"
        "    if r['rating'] == 5 and r['song_id'] not in liked_ids:\n"
        "        apis.music.like_song(access_token=music_token, song_id=r['song_id'])\n"
        "apis.supervisor.complete_task(answer=round(sum(r['rating'] for r in mine) / len(mine), 2))\n"
    )
    expectations: list[Expectation] = []
    if not has_dir:
        expectations.append(
            Inserted(
                "file_system_directories",
                {"owner_id": owner, "path": "/music", "created_at": NOW},
                "the /music directory is created",
                what="directories",
            )
        )
    expectations += [
        Inserted(
            "file_system_files",
            new_file(owner, path, content),
            f"{path} has the header and one row per {year} review, oldest first: {content!r}",
            what="files",
        ),
        Answer(average, f"the answer is the average rating of my {year} reviews ({average})"),
    ]
    if dropped:
        expectations.append(
            Deleted("music_library", dropped, f"the {len(dropped)} songs I gave 1 star in {year} leave my library")
        )
    expectations.append(
        new_likes(owner, best, f"the {len(best)} songs I gave 5 stars in {year} and had not liked are liked")
    )
    return TaskSpec(
        owner,
        f"Export the music reviews I wrote in {year} to {path} (create the folder if needed): a header line "
        "'song,artist,rating', then one line per review, oldest first, as '<song title>,<artist>,<stars>'. Then "
        f"take every song I gave 1 star in {year} out of my music library (where it is there), and like every song I "
        f"gave 5 stars in {year} that I have not liked yet. Tell me the average "
        "rating of those reviews, rounded to 2 decimals.",
        Solution().step(look).step(act).steps(),
        expectations,
    )
