"""The music app: catalog searches filtered in SQL, the library toggles, playlists (reorder, collaborators,
followers), the player and queue writing history, reviews, settings; errors that name the problem."""

from __future__ import annotations

from statistics import median
from typing import Any

import pytest

from .apps_client import World

ME = 1


@pytest.fixture()
def world() -> World:
    return World()


def public(world: World, api: str, **kwargs: Any) -> Any:
    status, body = world.server(ME).call("music", api, kwargs=kwargs)
    assert status == 200, body
    return body


def not_in(world: World, table: str, column: str, pool_sql: str) -> Any:
    """A value from `pool_sql` that ME has no row of in `table`."""
    return world.value(
        f"{pool_sql} AND id NOT IN (SELECT {column} FROM {table} WHERE owner_id = ?) ORDER BY id LIMIT 1", ME
    )


TOGGLES = [  # add API, remove API, table, column, argument name, pool of values
    ("like_song", "unlike_song", "music_likes", "song_id", "song_id", "SELECT id FROM music_songs WHERE 1"),
    ("add_song_to_library", "remove_song_from_library", "music_library", "song_id", "song_id",
     "SELECT id FROM music_songs WHERE 1"),
    ("save_album", "unsave_album", "music_saved_albums", "album_id", "album_id", "SELECT id FROM music_albums WHERE 1"),
    ("download_song", "remove_download", "music_downloads", "song_id", "song_id", "SELECT id FROM music_songs WHERE 1"),
    ("follow_playlist", "unfollow_playlist", "music_playlist_follows", "playlist_id", "playlist_id",
     f"SELECT id FROM music_playlists WHERE is_public = 1 AND owner_id != {ME}"),
]  # fmt: skip


@pytest.mark.parametrize(("add", "remove", "table", "column", "arg", "pool"), TOGGLES, ids=[t[0] for t in TOGGLES])
def test_add_and_remove_write_one_row_and_repeat_is_a_conflict_or_not_found(
    world: World, add: str, remove: str, table: str, column: str, arg: str, pool: str
) -> None:
    target = not_in(world, table, column, pool.replace(" WHERE ", " WHERE id > 0 AND ", 1))
    count = f"SELECT COUNT(*) FROM {table} WHERE owner_id = ? AND {column} = ?"
    world.ok(ME, "music", add, **{arg: target})
    assert world.value(count, ME, target) == 1
    assert world.call(ME, "music", add, **{arg: target})[0] == 409
    world.ok(ME, "music", remove, **{arg: target})
    assert world.value(count, ME, target) == 0
    status, body = world.call(ME, "music", remove, **{arg: target})
    assert status == 404 and str(target) in body["message"]


def test_follow_artist_needs_the_exact_name_and_counts_a_follower(world: World) -> None:
    artist = world.value(
        "SELECT name FROM music_artists WHERE name NOT IN (SELECT artist FROM music_follows WHERE owner_id = ?) "
        "ORDER BY id LIMIT 1",
        ME,
    )
    artist_id = world.value("SELECT id FROM music_artists WHERE name = ?", artist)
    before = public(world, "show_artist", artist_id=artist_id)["followers"]
    assert world.call(ME, "music", "follow_artist", artist=artist.upper())[0] == 404
    world.ok(ME, "music", "follow_artist", artist=artist)
    assert public(world, "show_artist", artist_id=artist_id)["followers"] == before + 1
    assert artist in [a["artist"] for a in world.all_pages(ME, "music", "show_followed_artists")]


NOT_FOUND = [
    ("show_playlist", {"playlist_id": "private_of_other"}),
    ("show_playlist_songs", {"playlist_id": "private_of_other"}),
    ("update_playlist", {"playlist_id": "public_of_other", "title": "Mine now"}),
    ("delete_playlist", {"playlist_id": "public_of_other"}),
    ("delete_history_entry", {"history_id": "history_of_other"}),
    ("update_song_review", {"review_id": "review_of_other", "rating": 1}),
    ("play_album", {"album_id": 10**9}),
    ("like_song", {"song_id": 10**9}),
    ("add_song_to_playlist", {"playlist_id": 10**9, "song_id": 1}),
]


@pytest.mark.parametrize(("api", "kwargs"), NOT_FOUND, ids=[f"{a}-{next(iter(k.values()))}" for a, k in NOT_FOUND])
def test_what_is_not_yours_or_does_not_exist_is_not_found(world: World, api: str, kwargs: dict[str, Any]) -> None:
    others = {
        "private_of_other": "SELECT id FROM music_playlists WHERE owner_id != ? AND is_public = 0 AND id NOT IN "
        "(SELECT playlist_id FROM music_collaborators WHERE person_id = ?) LIMIT 1",
        "public_of_other": "SELECT id FROM music_playlists WHERE owner_id != ? AND is_public = 1 AND ? > 0 LIMIT 1",
        "history_of_other": "SELECT id FROM music_history WHERE owner_id != ? AND ? > 0 LIMIT 1",
        "review_of_other": "SELECT id FROM music_reviews WHERE owner_id != ? AND ? > 0 LIMIT 1",
    }
    args = {k: world.value(others[v], ME, ME) if v in others else v for k, v in kwargs.items()}
    before = world.changes()
    status, body = world.call(ME, "music", api, **args)
    assert status == 404, body
    assert "No " in body["message"] and world.changes() == before


def test_catalog_search_filters_and_sorts_in_the_database(world: World) -> None:
    found = public(world, "search_songs", genre="jazz", release_year_from=2005, release_year_to=2015,
                   sort_by="-play_count", page_limit=20)  # fmt: skip
    assert found and all(s["genre"] == "jazz" and 2005 <= s["release_year"] <= 2015 for s in found)
    assert [s["play_count"] for s in found] == sorted((s["play_count"] for s in found), reverse=True)
    word = found[0]["title"].split()[0]
    hits = public(world, "search_songs", query=word.lower(), page_limit=20)
    assert hits and all(word.lower() in f"{s['title']} {s['artist']} {s['album']}".lower() for s in hits)
    album = public(world, "search_albums", query="deluxe")[0]
    assert album["album"].endswith("(Deluxe)")
    tracks = public(world, "show_album", album_id=album["album_id"])["tracks"]
    assert [t["track_number"] for t in tracks] == list(range(1, len(tracks) + 1)) == list(range(1, album["songs"] + 1))
    assert public(world, "search_songs", page_index=1000) == []


def test_catalog_pages_are_cut_in_sql_and_the_server_still_knows_the_whole_length(world: World) -> None:
    server = world.server(ME)
    everything = [
        r[0] for r in world.conn.execute("SELECT id FROM music_songs WHERE genre = 'jazz' ORDER BY title, id")
    ]
    for index in (0, 1, len(everything) // 20):
        status, page = server.call(
            "music", "search_songs", kwargs={"genre": "jazz", "page_index": index, "page_limit": 20}
        )
        assert status == 200 and [s["song_id"] for s in page] == everything[index * 20 : index * 20 + 20]
        assert server.last_page is not None and server.last_page.total == len(everything)
    assert server.last_page.reached_end  # the last index asked for is the list's last page


def test_library_pages_and_filters_by_genre(world: World) -> None:
    library = world.all_pages(ME, "music", "show_song_library")
    assert len(library) == world.value("SELECT COUNT(*) FROM music_library WHERE owner_id = ?", ME) > 20
    genre = library[0]["genre"]
    only = world.all_pages(ME, "music", "show_song_library", genre=genre)
    assert {s["song_id"] for s in only} == {s["song_id"] for s in library if s["genre"] == genre}


def test_move_song_in_playlist_reorders_by_changing_one_row(world: World) -> None:
    playlist = world.value(
        "SELECT playlist_id FROM music_playlist_songs JOIN music_playlists p ON p.id = playlist_id "
        "WHERE p.owner_id = ? GROUP BY playlist_id HAVING COUNT(*) >= 5 LIMIT 1",
        ME,
    )
    order = [s["song_id"] for s in world.all_pages(ME, "music", "show_playlist_songs", playlist_id=playlist)]
    world.ok(ME, "music", "move_song_in_playlist", playlist_id=playlist, song_id=order[-1], position=2)
    world.ok(ME, "music", "move_song_in_playlist", playlist_id=playlist, song_id=order[0], position=len(order))
    after = [s["song_id"] for s in world.all_pages(ME, "music", "show_playlist_songs", playlist_id=playlist)]
    assert after == [order[-1], *order[1:-1], order[0]]
    assert len([c for c in world.changes() if c.table == "music_playlist_songs"]) == 2
    status, body = world.call(ME, "music", "move_song_in_playlist", playlist_id=playlist, song_id=order[0], position=99)
    assert status == 422 and "position" in body["message"]


def test_collaborators_may_change_songs_of_a_collaborative_playlist_only(world: World) -> None:
    friend = world.value("SELECT other_id FROM relations WHERE person_id = ? ORDER BY id LIMIT 1", ME)
    stranger = world.value(
        "SELECT id FROM people WHERE id != ? AND id NOT IN (SELECT other_id FROM relations WHERE person_id = ?) "
        "LIMIT 1",
        ME,
        ME,
    )
    email = world.value("SELECT email FROM people WHERE id = ?", friend)
    playlist = world.ok(ME, "music", "create_playlist", title="Road Trip 2026")["playlist_id"]
    assert world.call(ME, "music", "add_playlist_collaborator", playlist_id=playlist, email=email)[0] == 409
    world.ok(ME, "music", "update_playlist", playlist_id=playlist, is_collaborative=True)
    world.ok(ME, "music", "add_playlist_collaborator", playlist_id=playlist, email=email.upper())
    assert world.ok(ME, "music", "show_playlist", playlist_id=playlist)["collaborators"] == [email]
    world.ok(friend, "music", "add_song_to_playlist", playlist_id=playlist, song_id=7)
    assert world.value("SELECT added_by FROM music_playlist_songs WHERE playlist_id = ?", playlist) == friend
    assert [p["playlist_id"] for p in world.all_pages(friend, "music", "show_playlists", role="collaborator")].count(
        playlist
    ) == 1
    assert world.call(stranger, "music", "add_song_to_playlist", playlist_id=playlist, song_id=8)[0] == 404
    world.ok(ME, "music", "update_playlist", playlist_id=playlist, is_public=True)
    assert world.call(stranger, "music", "add_song_to_playlist", playlist_id=playlist, song_id=8)[0] == 403
    world.ok(ME, "music", "delete_playlist", playlist_id=playlist)
    assert world.value("SELECT COUNT(*) FROM music_collaborators WHERE playlist_id = ?", playlist) == 0


def test_player_plays_an_album_then_the_queue_and_writes_history(world: World) -> None:
    album = world.value("SELECT album_id FROM music_songs GROUP BY album_id HAVING COUNT(*) >= 4 LIMIT 1")
    tracks = [t["song_id"] for t in public(world, "show_album", album_id=album)["tracks"]]
    plays = world.value("SELECT play_count FROM music_songs WHERE id = ?", tracks[1])
    history = world.value("SELECT COUNT(*) FROM music_history WHERE owner_id = ?", ME)
    world.ok(ME, "music", "update_player_settings", repeat="off", shuffle=False)
    world.ok(ME, "music", "play_album", album_id=album)
    assert [s["song_id"] for s in world.all_pages(ME, "music", "show_queue")] == tracks[1:]
    assert world.ok(ME, "music", "skip_to_next_song")["song_id"] == tracks[1]
    player = world.ok(ME, "music", "show_player")
    assert player["song"]["song_id"] == tracks[1] and player["is_playing"] and player["queue_length"] == len(tracks) - 2
    assert world.value("SELECT play_count FROM music_songs WHERE id = ?", tracks[1]) == plays + 1
    assert world.value("SELECT COUNT(*) FROM music_history WHERE owner_id = ?", ME) == history + 2
    assert world.ok(ME, "music", "show_listening_history")[0]["song_id"] == tracks[1]
    world.ok(ME, "music", "pause_player")
    assert world.call(ME, "music", "pause_player")[0] == 409
    world.ok(ME, "music", "update_player_settings", repeat="one")
    assert world.ok(ME, "music", "skip_to_next_song")["song_id"] == tracks[1]
    world.ok(ME, "music", "add_song_to_queue", song_id=tracks[0], play_next=True)
    assert world.ok(ME, "music", "show_queue")[0]["song_id"] == tracks[0]
    world.ok(ME, "music", "remove_song_from_queue", queue_position=1)
    assert world.ok(ME, "music", "clear_queue")["removed"] == len(tracks) - 2
    assert world.call(ME, "music", "remove_song_from_queue", queue_position=1)[0] == 404
    world.ok(ME, "music", "update_player_settings", repeat="off")
    assert world.call(ME, "music", "skip_to_next_song")[0] == 409


def test_listening_stats_count_the_history(world: World) -> None:
    stats = world.all_pages(ME, "music", "show_listening_stats", group_by="genre", since="2025-06-01")
    expected = dict(
        world.conn.execute(
            "SELECT s.genre, COUNT(*) FROM music_history h JOIN music_songs s ON s.id = h.song_id "
            "WHERE h.owner_id = ? AND h.played_at >= '2025-06-01' GROUP BY s.genre",
            (ME,),
        ).fetchall()
    )
    assert {s["genre"]: s["plays"] for s in stats} == expected
    assert [s["plays"] for s in stats] == sorted(expected.values(), reverse=True)
    removed = world.ok(ME, "music", "clear_listening_history", before="2025-06-01")["removed"]
    assert (
        removed > 0
        and world.value("SELECT COUNT(*) FROM music_history WHERE owner_id = ? AND played_at < '2025-06-01'", ME) == 0
    )


def test_a_review_per_song_moves_the_average(world: World) -> None:
    song = not_in(world, "music_reviews", "song_id", "SELECT id FROM music_songs WHERE id > 0")
    review = world.ok(ME, "music", "review_song", song_id=song, rating=5, text="Great")["review_id"]
    assert world.call(ME, "music", "review_song", song_id=song, rating=1)[0] == 409
    world.ok(ME, "music", "update_song_review", review_id=review, rating=2)
    shown = public(world, "show_song", song_id=song)
    ratings = [r["rating"] for r in public(world, "show_song_reviews", song_id=song, page_limit=20)]
    assert 2 in ratings and shown["average_rating"] == round(sum(ratings) / len(ratings), 2)
    assert world.call(ME, "music", "review_song", song_id=song, rating=6)[0] == 422
    world.ok(ME, "music", "delete_song_review", review_id=review)
    assert world.value("SELECT COUNT(*) FROM music_reviews WHERE id = ?", review) == 0


def test_recommendations_leave_out_your_library(world: World) -> None:
    found = world.all_pages(ME, "music", "show_recommendations", genre="rock")
    library = {r[0] for r in world.conn.execute("SELECT song_id FROM music_library WHERE owner_id = ?", (ME,))}
    assert found and all(s["genre"] == "rock" and s["song_id"] not in library for s in found)


def test_settings_change_only_what_is_given(world: World) -> None:
    before = world.ok(ME, "music", "show_music_settings")
    world.ok(ME, "music", "update_music_settings", crossfade_s=8, private_session=True)
    assert world.ok(ME, "music", "show_music_settings") == {**before, "crossfade_s": 8, "private_session": True}
    assert world.call(ME, "music", "update_music_settings")[0] == 422
    assert world.call(ME, "music", "update_music_settings", crossfade_s=13)[0] == 422


def test_every_person_has_lists_long_enough_to_page(world: World) -> None:
    for table in ("music_library", "music_history", "music_playlist_songs"):
        owner = (
            "owner_id"
            if table != "music_playlist_songs"
            else "(SELECT owner_id FROM music_playlists p WHERE p.id = playlist_id)"
        )
        sizes = [r[0] for r in world.conn.execute(f"SELECT COUNT(*) FROM {table} GROUP BY {owner}")]
        assert len(sizes) == world.value("SELECT COUNT(*) FROM people") and median(sizes) > 20, table
    near = world.value(
        "SELECT COUNT(*) FROM music_playlists a JOIN music_playlists b ON a.owner_id = b.owner_id "
        "AND b.title = a.title || ' 2019'"
    )
    assert near > 0  # 'Road Trip' next to 'Road Trip 2019'


def test_listening_history_has_a_play_or_two_a_week_and_skips() -> None:
    """60-220 plays a person over two years, about one in five skipped within its first 30 seconds."""
    world = World()
    fewest, most = world.conn.execute(
        "SELECT MIN(n), MAX(n) FROM (SELECT COUNT(*) AS n FROM music_history GROUP BY owner_id)"
    ).fetchone()
    assert 60 <= fewest and most <= 220
    skipped = world.value("SELECT AVG(seconds_played < 30) FROM music_history")
    assert 0.15 < skipped < 0.3
