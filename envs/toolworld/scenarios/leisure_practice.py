"""Leisure scenarios that plan music practice as to-dos (todo is held out: these are test_challenge tasks)."""

from __future__ import annotations

import random
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
