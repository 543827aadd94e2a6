"""Leisure scenarios that plan music practice as to-dos (todo is held out: these are test_challenge tasks)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

from envs.toolworld.evaluate import Expectation, Inserted, NewRow
from envs.toolworld.scenarios._common import Solution, fetch_all, login, pick
from envs.toolworld.tasks import TaskSpec, WorldView, scenario
from envs.toolworld.world.build import WORLD_NOW

NOW = WORLD_NOW.isoformat(timespec="seconds")
OPEN_TASK = {  # what create_task leaves in the columns a plain new to-do does not choose
    "completed": 0,
    "completed_at": None,
    "created_at": NOW,
    "section_id": None,
    "parent_id": None,
    "recurrence": None,
    "assignee_id": None,
}


@scenario("leisure_practice_plan", apps=("music", "todo"))
def practice_plan(view: WorldView, rng: random.Random) -> TaskSpec:
    albums = view.rows(
        "SELECT a.id, a.title, a.artist FROM music_albums a WHERE a.kind = 'album' "
        "AND (SELECT COUNT(*) FROM music_albums b WHERE b.title = a.title) > 1 "
        "AND (SELECT COUNT(*) FROM music_songs s WHERE s.album_id = a.id) BETWEEN 7 AND 12 "
        "AND (SELECT COUNT(DISTINCT title) - COUNT(*) FROM music_songs s WHERE s.album_id = a.id) = 0 ORDER BY a.id"
    )
    album = pick(rng, albums, "album whose title another album shares", distinct=True)
    tracks = view.rows(
        "SELECT id, title, duration_s FROM music_songs WHERE album_id = ? ORDER BY track_number", album["id"]
    )
    owners = view.rows(
        "SELECT owner_id FROM music_likes WHERE song_id IN (SELECT id FROM music_songs WHERE album_id = ?) "
        "GROUP BY owner_id HAVING COUNT(*) < ? ORDER BY owner_id",
        album["id"],
        len(tracks) - 3,
    )
    owner = pick(rng, owners, "listener who liked a few of the album's tracks")["owner_id"]
    liked = {r["song_id"] for r in view.rows("SELECT song_id FROM music_likes WHERE owner_id = ?", owner)}
    todo = [t for t in tracks if t["id"] not in liked]
    has_label = bool(view.rows("SELECT 1 FROM todo_labels WHERE owner_id = ? AND name = 'focus'", owner))
    start = date(2026, 5, rng.randint(19, 25))
    project_name = f"Practice: {album['title']}"
    look = (
        login("music", "todo")
        + fetch_all("found", f"apis.music.search_albums(query={album['title']!r}")
        + "print([(a['album_id'], a['album'], a['artist']) for a in found])\n"
        + f"target = next(a for a in found if a['album'] == {album['title']!r} "
        f"and a['artist'] == {album['artist']!r})\n"
        + "tracks = apis.music.show_album(album_id=target['album_id'])['tracks']\n"
        + fetch_all("liked", f"apis.music.show_liked_songs(access_token=music_token, artist={album['artist']!r}")
        + "labels = [l['label'] for l in apis.todo.show_labels(access_token=todo_token)]\n"
    )
    plan = (
        "known = {s['song_id'] for s in liked}\n"
        "to_learn = [t for t in tracks if t['song_id'] not in known]\n"
        "print(len(tracks), [t['title'] for t in to_learn], labels)\n"
    )
    act = (
        "if 'focus' not in labels:\n"
        "    apis.todo.create_label(access_token=todo_token, name='focus')\n"
        f"project = apis.todo.create_project(access_token=todo_token, name={project_name!r}, "
        "color='orange')['project_id']\n"
        "from datetime import date, timedelta\n"
        f"day = date.fromisoformat({start.isoformat()!r})\n"
        "for t in to_learn:\n"
        "    priority = 2 if t['duration_s'] > 240 else 3\n"
        "    length = f\"{t['duration_s'] // 60}:{t['duration_s'] % 60:02d}\"\n"
        "    task = apis.todo.create_task(access_token=todo_token, project_id=project, title='Learn ' + t['title'], "
        "due_date=day.isoformat(), priority=priority, labels=['focus'], description=length)['task_id']\n"
        "    apis.todo.add_reminder(access_token=todo_token, task_id=task, remind_at=day.isoformat() + 'T18:00')\n"
        "    day += timedelta(days=1)\n"
    )
    check = (
        fetch_all("made", "apis.todo.search_tasks(access_token=todo_token, project_id=project")
        + "print([(t['title'], t['due_date'], t['priority']) for t in made])\n"
        + "apis.supervisor.complete_task()\n"
    )
    project = {"owner_id": owner, "name": project_name, "color": "orange", "is_favorite": 0, "archived": 0}
    expectations: list[Expectation] = [
        Inserted(
            "todo_projects", {**project, "created_at": NOW}, f"an orange project '{project_name}'", what="projects"
        )
    ]
    if not has_label:
        expectations.append(
            Inserted(
                "todo_labels",
                {"owner_id": owner, "name": "focus", "color": "gray", "is_favorite": 0},
                "a 'focus' label is created",
                what="labels",
            )
        )
    for i, t in enumerate(todo):
        due = (start + timedelta(days=i)).isoformat()
        task = {
            "owner_id": owner,
            "project_id": NewRow("todo_projects", project),
            "title": f"Learn {t['title']}",
            "due_date": due,
            "priority": 2 if t["duration_s"] > 240 else 3,
            "labels": "focus",
            "description": f"{t['duration_s'] // 60}:{t['duration_s'] % 60:02d}",
        }
        expectations += [
            Inserted("todo_tasks", {**task, **OPEN_TASK}, f"a to-do 'Learn {t['title']}' due {due}", what="to-dos"),
            Inserted(
                "todo_reminders",
                {"task_id": NewRow("todo_tasks", task), "owner_id": owner, "remind_at": f"{due}T18:00:00"},
                f"'Learn {t['title']}' reminds me at 18:00 on {due}",
                what=f"reminders of 'Learn {t['title']}'",
            ),
        ]
    return TaskSpec(
        owner,
        f"I want to learn to play the album '{album['title']}' by {album['artist']} (not the other album of that "
        f"name). Create an orange todo project '{project_name}' with one to-do per track I have not liked in the "
        "music app (I know those already), in track order: titled 'Learn <track title>', the first due on "
        f"{start.isoformat()} and each next one a day later, priority 2 for tracks longer than 4 minutes and 3 for "
        "the others, labelled 'focus' (create the label if I have none), with the track's length as 'm:ss' for "
        "description, and a reminder at 18:00 on its due date.",
        Solution().step(look).step(plan).step(act).step(check).steps(),
        expectations,
    )


@scenario("leisure_playlist_party_tasks", apps=("music", "todo"))
def playlist_party_tasks(view: WorldView, rng: random.Random) -> TaskSpec:
    """A party project for a collaborative playlist: a to-do per collaborator, and one to replace each song reviewers
    rate under 3. Deep because a song's average rating is only in its own show_song: the playlist's 11-26 songs are
    read one by one (1-3 of them rated under 3, several unrated)."""
    rating = "(SELECT ROUND(AVG(v.rating), 2) FROM music_reviews v WHERE v.song_id = s.song_id)"
    playlists = view.rows(
        "SELECT p.id, p.owner_id, p.title, (SELECT COUNT(*) FROM music_playlist_songs s WHERE s.playlist_id = p.id) "
        "AS songs FROM music_playlists p WHERE EXISTS (SELECT 1 FROM music_collaborators c WHERE c.playlist_id = p.id) "
        "AND EXISTS (SELECT 1 FROM music_playlists q WHERE q.owner_id = p.owner_id AND q.title LIKE p.title || ' %') "
        "AND (SELECT COUNT(*) FROM music_playlists q WHERE q.owner_id = p.owner_id AND q.title = p.title) = 1 "
        "AND (SELECT COUNT(*) FROM music_playlist_songs s WHERE s.playlist_id = p.id) >= 11 "
        f"AND EXISTS (SELECT 1 FROM music_playlist_songs s WHERE s.playlist_id = p.id AND {rating} < 3) ORDER BY p.id"
    )
    p = pick(
        rng,
        playlists,
        "collaborative playlist of 11+ songs, some rated under 3, whose title has a look-alike",
        distinct=True,
    )
    weak = Counter(
        f"Replace {r['title']} by {r['artist']}"
        for r in view.rows(
            "SELECT m.title, m.artist FROM music_playlist_songs s JOIN music_songs m ON m.id = s.song_id "
            f"WHERE s.playlist_id = ? AND {rating} < 3",
            p["id"],
        )
    )
    owner = p["owner_id"]
    mates = view.rows(
        "SELECT f.id, f.email FROM music_collaborators c JOIN people f ON f.id = c.person_id WHERE c.playlist_id = ? "
        "ORDER BY f.id",
        p["id"],
    )
    due = f"2026-06-{rng.randint(1, 20):02d}"
    name = f"Party: {p['title']}"
    look = (
        login("music", "todo")
        + fetch_all("lists", f"apis.music.show_playlists(access_token=music_token, query={p['title']!r}")
        + "print([(x['playlist_id'], x['title']) for x in lists])\n"
        + f"target = next(x for x in lists if x['title'] == {p['title']!r})\n"
        + "info = apis.music.show_playlist(access_token=music_token, playlist_id=target['playlist_id'])\n"
        + fetch_all(
            "songs", "apis.music.show_playlist_songs(access_token=music_token, playlist_id=target['playlist_id']"
        )
        + "print(info['collaborators'], len(songs))\n"
    )
    rate = """
        weak = []
        for song in songs:
            seen = apis.music.show_song(song_id=song['song_id'])
            if seen['average_rating'] is not None and seen['average_rating'] < 3:
                weak.append('Replace ' + song['title'] + ' by ' + song['artist'])
        print(weak)
        """
    act = (
        f"project = apis.todo.create_project(access_token=todo_token, name={name!r}, color='purple')['project_id']\n"
        "for email in info['collaborators']:\n"
        "    apis.todo.share_project(access_token=todo_token, project_id=project, email=email)\n"
        f"    task = apis.todo.create_task(access_token=todo_token, project_id=project, title='Add 3 songs to "
        f"{p['title']}', due_date={due!r}, priority=3)['task_id']\n"
        "    apis.todo.assign_task(access_token=todo_token, task_id=task, email=email)\n"
        "if len(songs) < 20:\n"
        "    apis.todo.create_task(access_token=todo_token, project_id=project, title='Find more songs', "
        f"due_date={due!r}, priority=2)\n"
        "for title in weak:\n"
        f"    apis.todo.create_task(access_token=todo_token, project_id=project, title=title, due_date={due!r}, "
        "priority=4)\n"
    )
    check = (
        "print(apis.todo.show_collaborators(access_token=todo_token, project_id=project))\n"
        + fetch_all("made", "apis.todo.search_tasks(access_token=todo_token, project_id=project")
        + "print([(t['title'], t['due_date'], t['priority']) for t in made])\n"
        + "apis.supervisor.complete_task()\n"
    )
    project = {"owner_id": owner, "name": name, "color": "purple", "is_favorite": 0, "archived": 0}
    new_project = NewRow("todo_projects", project)
    task = {"owner_id": owner, "project_id": new_project, "due_date": due, "labels": "", "description": ""}
    loose = {k: v for k, v in OPEN_TASK.items() if k != "assignee_id"}
    expectations: list[Expectation] = [
        Inserted("todo_projects", {**project, "created_at": NOW}, f"a purple project '{name}'", what="projects"),
    ]
    for m in mates:
        expectations += [
            Inserted(
                "todo_collaborators",
                {"project_id": new_project, "person_id": m["id"], "added_at": NOW},
                f"the project is shared with {m['email']}",
                what=f"shares with {m['email']}",
            ),
            Inserted(
                "todo_tasks",
                {**task, **loose, "title": f"Add 3 songs to {p['title']}", "priority": 3, "assignee_id": m["id"]},
                f"a priority-3 to-do 'Add 3 songs to {p['title']}' due {due} is assigned to {m['email']}",
                what=f"to-dos assigned to {m['email']}",
            ),
        ]
    if p["songs"] < 20:
        expectations.append(
            Inserted(
                "todo_tasks",
                {**task, **OPEN_TASK, "title": "Find more songs", "priority": 2},
                f"the playlist has {p['songs']} songs (under 20): an unassigned priority-2 to-do 'Find more songs'",
                what="'Find more songs' to-dos",
            )
        )
    expectations += [
        Inserted(
            "todo_tasks",
            {**task, **OPEN_TASK, "title": title, "priority": 4},
            f"an unassigned priority-4 to-do '{title}' (its song is rated under 3 on average)",
            count=n,
            what=f"to-dos '{title}'",
        )
        for title, n in sorted(weak.items())
    ]
    return TaskSpec(
        owner,
        f"We're building my collaborative music playlist titled exactly '{p['title']}' for a party. Create a purple "
        f"todo project '{name}', share it with every collaborator of the playlist, and give each of them a to-do "
        f"'Add 3 songs to {p['title']}' due {due}, priority 3, assigned to them. If the playlist has fewer than 20 "
        f"songs, also add an unassigned to-do 'Find more songs' due {due}, priority 2. And for each song of the "
        "playlist whose average review rating in the music app is under 3 (songs nobody reviewed do not count), add "
        f"an unassigned to-do 'Replace <song title> by <artist>' due {due}, priority 4.",
        Solution().step(look).step(rate).step(act).step(check).steps(),
        expectations,
    )
