"""music: the generated world. A shared catalog of ~150 artists and thousands of songs, and per person a
library, likes, saved albums, follows, playlists (some collaborative with relations, some followed), a listening
history over two years (a play or two a week, one in five skipped early), reviews, downloads, a queue and settings.
Built as lists, one insert per table."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from envs.toolworld.apps._generation import Clock
from envs.toolworld.apps._music_app import app
from envs.toolworld.world.build import WorldBuilder

GENRES = (
    "pop", "rock", "jazz", "hip hop", "folk", "electronic", "classical", "r&b", "country", "indie", "metal", "soul",
)  # fmt: skip
ARTISTS = (
    "The Paper Lanterns|Mara Quell|Sunday Static|Juno Vale|Copper Fox|Lumen Drive|The Velvet Hours|Oskar Brae|"
    # The leading spaces of "    Tilde & the Waves" are deliberate: an exact name that differs from what one types.
    "Nine Harbors|    Tilde & the Waves|Ruby Marsh|Echo Parade|Hollow Pines|Kestrel|Ines Duarte|The Night Ferries|"
    "Glass Orchard|Baxter Lowe|Saffron Sky|Milo Kade|"
    # near-duplicates of the names above
    "Juno Vale Trio|Night Ferries Revival|Ruby Marsh & Co|Copper Foxes|Kestrel Bay"
).split("|")
FIRST = "Ada Bex Cal Dove Esme Fox Gil Hale Isa Jem Kit Lux Mae Ned Ona Pim Quin Ros Sol Tam Uma Vic Wyn Zev".split()
LAST = "Ardent Blume Crane Dale Ember Frost Grey Hart Ives Jolie Knox Lark Moss North Oak Pryce Reyes Stone".split()
BAND_ADJ = (
    "Amber Broken Crimson Distant Electric Faded Golden Hollow Iron Lunar Midnight Neon Quiet Silver Wild".split()
)
BAND_NOUN = "Anchors Birds Comets Drifters Embers Giants Harbors Lions Mirrors Owls Pilots Rivers Tides Wolves".split()
WORDS = (
    "Midnight River Golden Echo Paper Heart Silver Morning Neon Rain Quiet Storm Wild Summer Broken Compass Electric "
    "Dream Slow Motion Ocean Letters Velvet Sky Falling Stars Hidden Road Lonely Satellite Amber Light Winter Garden "
    "Open Window Blue Horizon Fire Glass City Lights Northern Shore Paper Planes Second Chance Long Way Home"
).split()
COUNTRIES = ("US", "UK", "Canada", "Ireland", "Sweden", "Brazil", "Japan", "Nigeria", "Australia", "Germany")
LABELS = ("Northside Records", "Blue Fern", "Harbor Sound", "Lantern Music", "Independent", "Big Sky Audio")
PLAYLIST_NAMES = (
    "Morning Run|Morning Run 2|Focus|Deep Focus|Road Trip|Road Trip 2019|Chill Evening|Chill Evenings|Workout Mix|"
    "Workout Mix (old)|Dinner Party|Rainy Day|Rainy Day Jazz|Throwbacks|Throwbacks 2010s|Summer 2024|Summer 2025|"
    "Sunday Morning|Late Night Drive|Study Session|Party Starters|Acoustic Covers|Cooking Tunes|Sleep|Wedding Songs|"
    "Gym Hits|Coffee Shop|Best of 2025|Best of 2024|Kids Songs"
).split("|")
REVIEW_TEXTS = {
    1: ("Not for me.", "Skipped it every time.", "Too repetitive."),
    2: ("A couple of good moments.", "Weaker than the rest of the album."),
    3: ("Decent, grows on you.", "Fine for background listening.", "Okay."),
    4: ("Really solid track.", "Great chorus.", "On repeat this week."),
    5: ("An all-time favorite.", "Perfect song.", "Gives me chills every time."),
}
QUALITIES = ("low", "normal", "high", "very_high")
ALBUM_KINDS = ("album", "album", "album", "ep", "single")


def _stamp(clock: Clock, rng: random.Random, max_days: int = 700) -> str:
    """A time 1 to `max_days` days before now (one random draw: this runs ~50,000 times per world)."""
    return clock.at(1440 + int(rng.random() * (max_days - 1) * 1440))


def _artists(rng: random.Random) -> list[str]:
    names = list(ARTISTS)
    while len(names) < 150:
        name = (
            f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            if rng.random() < 0.5
            else f"The {rng.choice(BAND_ADJ)} {rng.choice(BAND_NOUN)}"
        )
        if name not in names:
            names.append(name)
    return names


def _catalog(w: WorldBuilder, rng: random.Random) -> list[dict[str, Any]]:
    """Insert artists, albums and songs; return the songs (with their ids)."""
    names = _artists(rng)
    artists: list[dict[str, Any]] = [
        {
            "name": n,
            "genre": rng.choice(GENRES),
            "country": rng.choice(COUNTRIES),
            "formed_year": rng.randint(1975, 2022),
            "bio": f"{n.strip()} make {rng.choice(('moody', 'bright', 'restless', 'warm'))} music.",
        }
        for n in names
    ]
    artist_ids = w.insert("music_artists", artists)
    albums: list[dict[str, Any]] = []
    for artist_id, a in zip(artist_ids, artists, strict=True):
        titles = set()
        for _ in range(rng.randint(2, 5)):
            title = " ".join(rng.sample(WORDS, 2))
            if title in titles:
                continue
            titles.add(title)
            start = datetime(max(a["formed_year"], 1995), 1, 1)  # releases spread from then until three days ago
            day = start + timedelta(days=rng.randint(0, (w.now - start).days - 3))
            albums.append(
                {
                    "title": title,
                    "artist_id": artist_id,
                    "artist": a["name"],
                    "genre": a["genre"] if rng.random() < 0.85 else rng.choice(GENRES),
                    "kind": rng.choice(ALBUM_KINDS),
                    "release_date": day.date().isoformat(),
                    "label": rng.choice(LABELS),
                }
            )
        if len(titles) >= 2 and rng.random() < 0.2:  # a deluxe reissue: near-duplicate album title
            base = albums[-1]
            albums.append({**base, "title": f"{base['title']} (Deluxe)", "kind": "album"})
    album_ids = w.insert("music_albums", albums)
    songs: list[dict[str, Any]] = []
    for album_id, b in zip(album_ids, albums, strict=True):
        count = {"single": rng.randint(1, 2), "ep": rng.randint(3, 6)}.get(b["kind"], rng.randint(7, 13))
        for track in range(1, count + 1):
            songs.append(
                {
                    "title": " ".join(rng.sample(WORDS, rng.randint(1, 3))),
                    "artist": b["artist"],
                    "album": b["title"],
                    "genre": b["genre"],
                    "duration_s": rng.randint(95, 420),
                    "release_year": int(b["release_date"][:4]),
                    "play_count": int(rng.paretovariate(1.2) * 20_000),
                    "artist_id": b["artist_id"],
                    "album_id": album_id,
                    "track_number": track,
                    "release_date": b["release_date"],
                    "explicit": int(rng.random() < 0.12),
                }
            )
            songs[-1]["search_text"] = f"{songs[-1]['title']} {b['artist']} {b['title']}".lower()
    for song_id, s in zip(w.insert("music_songs", songs), songs, strict=True):
        s["id"] = song_id
    return songs


@app.populator
def populate(w: WorldBuilder) -> None:
    rng, clock = w.rng("music"), Clock(w.now)
    more = w.rng("music:more listening")  # its own generator: every other music row stays as it was
    songs = _catalog(w, rng)
    by_genre: dict[str, list[int]] = {}
    for s in songs:
        by_genre.setdefault(s["genre"], []).append(s["id"])
    all_ids = [s["id"] for s in songs]
    song_of = {s["id"]: s for s in songs}
    album_ids = sorted({s["album_id"] for s in songs})
    artist_names = sorted({s["artist"] for s in songs})
    rows: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLES}
    playlists: list[tuple[int, dict[str, Any], list[int]]] = []
    for person in w.people:
        pid = person.id
        favorites = rng.sample(GENRES, rng.randint(2, 3))
        taste = [i for g in favorites for i in by_genre.get(g, [])]
        library = sorted(set(rng.sample(taste, min(len(taste), rng.randint(20, 120))) + rng.sample(all_ids, 30)))
        rows["music_library"] += [{"owner_id": pid, "song_id": s, "added_at": _stamp(clock, rng)} for s in library]
        liked = sorted(rng.sample(library, rng.randint(len(library) // 5, len(library) // 2)))
        rows["music_likes"] += [{"owner_id": pid, "song_id": s} for s in liked]
        followed = sorted({song_of[s]["artist"] for s in rng.sample(library, 20)} | set(rng.sample(artist_names, 10)))
        rows["music_follows"] += [{"owner_id": pid, "artist": a, "followed_at": _stamp(clock, rng)} for a in followed]
        saved = sorted({song_of[s]["album_id"] for s in rng.sample(library, 14)} | set(rng.sample(album_ids, 16)))
        rows["music_saved_albums"] += [{"owner_id": pid, "album_id": a, "saved_at": _stamp(clock, rng)} for a in saved]
        for title in rng.sample(PLAYLIST_NAMES, rng.randint(8, 22)):
            pool = library if rng.random() < 0.6 else taste
            members = rng.sample(pool, min(len(pool), rng.randint(5, 26)))
            playlist = {
                "owner_id": pid,
                "title": title,
                "is_public": int(rng.random() < 0.5),
                "created_at": _stamp(clock, rng),
                "description": rng.choice(("", "", f"My {title.lower()} picks.", "Updated now and then.")),
                "is_collaborative": int(rng.random() < 0.12),
            }
            playlists.append((pid, playlist, members))
        history = [
            rng.choice(library) if rng.random() < 0.75 else rng.choice(taste) for _ in range(rng.randint(40, 160))
        ]
        stamps = sorted(_stamp(clock, rng) for _ in history)
        plays = [
            {
                "owner_id": pid,
                "song_id": s,
                "played_at": t,
                "seconds_played": int((0.1 + 0.9 * rng.random()) * song_of[s]["duration_s"]),
            }
            for s, t in zip(history, stamps, strict=True)
        ]
        rows["music_history"] += _more_listening(more, clock, plays, library + taste, song_of)
        for reviewed in sorted(set(rng.sample(history, rng.randint(8, 35)))):
            rating = rng.choice((1, 2, 3, 3, 4, 4, 4, 5, 5, 5))
            made = _stamp(clock, rng)
            rows["music_reviews"].append(
                {
                    "owner_id": pid,
                    "song_id": reviewed,
                    "rating": rating,
                    "text": rng.choice(REVIEW_TEXTS[rating]),
                    "created_at": made,
                    "updated_at": made,
                }
            )
        downloads = sorted(rng.sample(liked, min(len(liked), rng.randint(10, 50))))
        rows["music_downloads"] += [
            {"owner_id": pid, "song_id": s, "quality": rng.choice(QUALITIES), "downloaded_at": _stamp(clock, rng, 365)}
            for s in downloads
        ]
        rows["music_queue"] += [
            {"owner_id": pid, "song_id": s, "position": float(i), "added_at": w.now.isoformat()}
            for i, s in enumerate(rng.sample(library, rng.randint(0, 12)), 1)
        ]
        rows["music_player"].append(
            {
                "owner_id": pid,
                "song_id": history[-1],
                "is_playing": int(rng.random() < 0.3),
                "shuffle": int(rng.random() < 0.3),
                "repeat": rng.choice(("off", "off", "one", "all")),
                "volume": rng.randrange(20, 101, 5),
            }
        )
        rows["music_settings"].append(
            {
                "owner_id": pid,
                "audio_quality": rng.choice(QUALITIES),
                "download_quality": rng.choice(QUALITIES),
                "allow_explicit": int(rng.random() < 0.8),
                "autoplay": int(rng.random() < 0.7),
                "private_session": int(rng.random() < 0.1),
                "crossfade_s": rng.choice((0, 0, 3, 5, 8)),
            }
        )
    _playlists(w, clock, rng, playlists, rows)
    for table in TABLES:
        w.insert(table, rows[table])


def _more_listening(
    rng: random.Random, clock: Clock, plays: list[dict[str, Any]], pool: list[int], song_of: dict[int, dict[str, Any]]
) -> list[dict[str, Any]]:
    """`plays` and 20-60 more from `pool`, oldest first: 60-220 over two years, a light listener's play or two a
    week; and about one play in five skipped in its first half minute, as listeners skip a song that comes up when
    they are not in the mood for it."""
    owner = plays[0]["owner_id"]
    plays = plays + [
        {"owner_id": owner, "song_id": s, "played_at": _stamp(clock, rng), "seconds_played": 0}
        for s in (rng.choice(pool) for _ in range(rng.randint(20, 60)))
    ]
    for p in plays:
        if rng.random() < 0.2:
            p["seconds_played"] = rng.randint(3, 29)
        elif not p["seconds_played"]:
            p["seconds_played"] = int((0.1 + 0.9 * rng.random()) * song_of[p["song_id"]]["duration_s"])
    return sorted(plays, key=lambda p: p["played_at"])


def _playlists(
    w: WorldBuilder,
    clock: Clock,
    rng: random.Random,
    playlists: list[tuple[int, dict[str, Any], list[int]]],
    rows: dict[str, list[dict[str, Any]]],
) -> None:
    """Insert the playlists; queue their songs, collaborators (relations of the owner) and followers."""
    ids = w.insert("music_playlists", [p for _, p, _ in playlists])
    public_by_owner: dict[int, list[int]] = {}
    for playlist_id, (owner, playlist, members) in zip(ids, playlists, strict=True):
        collaborators = []
        if playlist["is_collaborative"]:
            related = w.related(owner, ("friend", "roommate", "family"))
            collaborators = rng.sample(related, min(len(related), rng.randint(1, 3)))
            rows["music_collaborators"] += [
                {"playlist_id": playlist_id, "person_id": c, "added_at": playlist["created_at"]} for c in collaborators
            ]
        adders = [owner, *collaborators]
        rows["music_playlist_songs"] += [
            {
                "playlist_id": playlist_id,
                "song_id": s,
                "added_at": _stamp(clock, rng),
                "position": float(i),
                "added_by": rng.choice(adders),
            }
            for i, s in enumerate(members, 1)
        ]
        if playlist["is_public"]:
            public_by_owner.setdefault(owner, []).append(playlist_id)
    for person in w.people:
        candidates = [p for other in w.related(person.id) for p in public_by_owner.get(other, [])]
        for playlist_id in sorted(rng.sample(candidates, min(len(candidates), rng.randint(5, 20)))):
            rows["music_playlist_follows"].append(
                {"owner_id": person.id, "playlist_id": playlist_id, "followed_at": _stamp(clock, rng)}
            )


TABLES = (
    "music_library",
    "music_likes",
    "music_follows",
    "music_saved_albums",
    "music_playlist_songs",
    "music_collaborators",
    "music_playlist_follows",
    "music_history",
    "music_reviews",
    "music_downloads",
    "music_queue",
    "music_player",
    "music_settings",
)
