"""Leisure scenarios around live music on the calendar: concerts and listening parties (calendar is held out:
these are test_challenge tasks)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from envs.toolworld.evaluate import Answer, Expectation, Inserted, NewRow, OneOf, Updated, normalize_answer
from envs.toolworld.scenarios._common import Solution, fetch_all, login, pick
from envs.toolworld.tasks import TaskSpec, WorldView, scenario
from envs.toolworld.world.build import WORLD_NOW

NOW = WORLD_NOW.isoformat(timespec="seconds")
DONE = "apis.supervisor.complete_task()\n"
LOOK_ALIKE_ARTISTS = ("Copper Fox", "Juno Vale", "Kestrel", "Ruby Marsh", "The Night Ferries")  # each has a twin
PENDING = {"response": "pending", "comment": "", "responded_at": None}  # a fresh invitation
VENUES = ("City Arena", "Harbor Hall", "Riverside Amphitheater", "The Velvet Room")


def roommates(view: WorldView, owner: int) -> list[dict[str, object]]:
    """The owner's phone contacts marked roommate who are people of the world (so they can be invited)."""
    return view.rows(
        "SELECT f.id, f.email, c.phone_number FROM phone_contacts c JOIN people f ON f.email = c.email "
        "WHERE c.owner_id = ? AND c.relationship = 'roommate' ORDER BY f.id",
        owner,
    )


def primary_calendar(view: WorldView, owner: int) -> int:
    return int(view.value("SELECT id FROM calendar_calendars WHERE owner_id = ? AND is_primary = 1", owner))


def most_played(view: WorldView, artist: str, count: int) -> list[int] | None:
    """The ids of `artist`'s `count` most played songs, most played first; None when the cut is a tie."""
    rows = view.rows(
        "SELECT id, play_count FROM music_songs WHERE artist = ? ORDER BY play_count DESC, id LIMIT ?",
        artist,
        count + 1,
    )
    if len(rows) <= count or rows[count - 1]["play_count"] == rows[count]["play_count"]:
        return None
    plays = [r["play_count"] for r in rows[:count]]
    return [r["id"] for r in rows[:count]] if len(set(plays)) == count else None


@scenario("leisure_concert_with_roommates", apps=("calendar", "music", "phone"))
def concert_with_roommates(view: WorldView, rng: random.Random) -> TaskSpec:
    owners = view.rows(
        "SELECT c.owner_id FROM phone_contacts c JOIN people f ON f.email = c.email WHERE c.relationship = 'roommate' "
        "GROUP BY c.owner_id ORDER BY c.owner_id"
    )
    owner = pick(rng, owners, "owner with roommates", distinct=True)["owner_id"]
    artists = [a for a in LOOK_ALIKE_ARTISTS if most_played(view, a, 10)]
    artist = pick(rng, artists, "look-alike artist with a clear top 10", distinct=True)
    songs = most_played(view, artist, 10) or []
    venue = rng.choice(VENUES)
    day = f"2026-06-{rng.randint(10, 27):02d}"
    mates = roommates(view, owner)
    follows = bool(view.rows("SELECT 1 FROM music_follows WHERE owner_id = ? AND artist = ?", owner, artist))
    title, playlist_title = f"{artist} live", f"{artist} warm-up"
    text = f"{artist} live on {day} at 8pm, warm-up playlist: {playlist_title}"
    look = (
        login("phone", "calendar", "music")
        + fetch_all("mates", "apis.phone.search_contacts(access_token=phone_token, relationship='roommate'")
        + "print([(m['first_name'], m['email'], m['phone_number']) for m in mates])\n"
        + fetch_all("songs", f"apis.music.search_songs(artist={artist!r}, sort_by='-play_count'")
        + "print(len(songs), [(s['title'], s['artist'], s['play_count']) for s in songs[:11]])\n"
        + fetch_all("followed", "apis.music.show_followed_artists(access_token=music_token")
    )
    plan = (
        f"top = [s for s in songs if s['artist'] == {artist!r}][:10]\n"
        "emails = [m['email'] for m in mates if m['email']]\n"
        f"already_following = any(a['artist'] == {artist!r} for a in followed)\n"
        "print(len(top), emails, already_following)\n"
    )
    act = (
        f"event = apis.calendar.create_event(access_token=calendar_token, title={title!r}, start='{day}T20:00', "
        f"end='{day}T23:00', location={venue!r}, attendee_emails=emails, reminder_minutes=180)['event_id']\n"
        f"playlist = apis.music.create_playlist(access_token=music_token, title={playlist_title!r}, "
        "is_public=False)['playlist_id']\n"
        "for s in top:\n"
        "    apis.music.add_song_to_playlist(access_token=music_token, playlist_id=playlist, song_id=s['song_id'])\n"
        "for m in mates:\n"
        "    apis.phone.send_text_message(access_token=phone_token, phone_number=m['phone_number'], "
        f"message={text!r})\n"
        "if not already_following:\n"
        f"    apis.music.follow_artist(access_token=music_token, artist={artist!r})\n"
    )
    check = (
        "print(apis.calendar.show_event(access_token=calendar_token, event_id=event))\n"
        "print(apis.calendar.show_event_attendees(access_token=calendar_token, event_id=event))\n"
        "print([s['title'] for s in apis.music.show_playlist_songs(access_token=music_token, playlist_id=playlist, "
        "page_limit=20)])\n" + DONE
    )
    event = {
        "calendar_id": primary_calendar(view, owner),
        "title": title,
        "location": venue,
        "start": f"{day}T20:00:00",
        "end": f"{day}T23:00:00",
        "organizer_id": owner,
        "description": "",
        "all_day": 0,
        "recurrence": "none",
        "recurrence_until": None,
        "status": "confirmed",
        "busy": 1,
        "created_at": NOW,
    }
    new_event = NewRow("calendar_events", event)
    playlist = {"owner_id": owner, "title": playlist_title, "is_public": 0, "description": "", "is_collaborative": 0}
    entry = {"playlist_id": NewRow("music_playlists", playlist), "added_by": owner, "added_at": NOW}
    expectations: list[Expectation] = [
        Inserted("calendar_events", event, f"an event '{title}' on {day} 20:00-23:00 at {venue}", what="events"),
        Inserted(
            "calendar_reminders",
            {"event_id": new_event, "person_id": owner, "minutes_before": 180, "method": "popup"},
            "the event reminds me 3 hours before",
            what="reminders",
        ),
        *(
            Inserted(
                "calendar_attendees",
                {"event_id": new_event, "person_id": m["id"], **PENDING},
                f"roommate {m['email']} is invited",
                what=f"invitations of {m['email']}",
            )
            for m in mates
        ),
        Inserted("music_playlists", playlist, f"a private playlist '{playlist_title}'", what="playlists"),
        *(
            Inserted(
                "music_playlist_songs",
                {**entry, "song_id": song_id, "position": float(i)},
                f"{artist}'s number {i} most played song (id {song_id}) is number {i} in the playlist",
                what=f"song {song_id} at position {i}",
            )
            for i, song_id in enumerate(songs, 1)
        ),
        *(
            Inserted(
                "phone_messages",
                {"sender_id": owner, "receiver_id": m["id"], "message": text, "sent_at": NOW, "is_read": 0},
                f"roommate {m['email']} gets the text {text!r}",
                what=f"texts to {m['phone_number']}",
            )
            for m in mates
        ),
    ]
    if not follows:
        expectations.append(
            Inserted(
                "music_follows",
                {"owner_id": owner, "artist": artist, "followed_at": NOW},
                f"{artist} is followed",
                what="follows",
            )
        )
    return TaskSpec(
        owner,
        f"I got tickets to see {artist} (exactly that artist) at {venue} on {day}, 8pm to 11pm. Put it on my calendar "
        f"as '{title}' at {venue} with a reminder 3 hours before, inviting my roommates (their emails are in my phone "
        f"contacts). Make me a private music playlist '{playlist_title}' with {artist}'s 10 most played songs, most "
        f"played first. Text each roommate: '{text}'. And follow {artist} in the music app if I don't already.",
        Solution().step(look).step(plan).step(act).step(check).steps(),
        expectations,
    )


@scenario("leisure_listening_party", apps=("calendar", "music"))
def listening_party(view: WorldView, rng: random.Random) -> TaskSpec:
    playlists = view.rows(
        "SELECT p.id, p.owner_id, p.title, p.is_public FROM music_playlists p "
        "WHERE EXISTS (SELECT 1 FROM music_collaborators c WHERE c.playlist_id = p.id) "
        "AND (SELECT COUNT(*) FROM music_playlist_songs s WHERE s.playlist_id = p.id) >= 6 "
        "AND EXISTS (SELECT 1 FROM music_playlists q WHERE q.owner_id = p.owner_id AND q.title LIKE p.title || ' %') "
        "AND (SELECT COUNT(*) FROM music_playlists q WHERE q.owner_id = p.owner_id AND q.title = p.title) = 1 "
        "ORDER BY p.id"
    )
    p = pick(rng, playlists, "collaborative playlist whose title has a look-alike", distinct=True)
    owner = p["owner_id"]
    guests = view.rows(
        "SELECT f.id, f.email FROM music_collaborators c JOIN people f ON f.id = c.person_id WHERE c.playlist_id = ? "
        "ORDER BY f.id",
        p["id"],
    )
    songs = view.rows(
        "SELECT s.id, s.title, s.artist, s.duration_s FROM music_playlist_songs ps "
        "JOIN music_songs s ON s.id = ps.song_id WHERE ps.playlist_id = ? ORDER BY ps.position, ps.id",
        p["id"],
    )
    downloaded = {r["song_id"] for r in view.rows("SELECT song_id FROM music_downloads WHERE owner_id = ?", owner)}
    missing = sorted({s["id"] for s in songs} - downloaded)
    tracklist = "\n".join(f"{i}. {s['title']} - {s['artist']}" for i, s in enumerate(songs, 1))
    minutes = -(-sum(s["duration_s"] for s in songs) // 60)
    day = f"2026-06-{rng.randint(1, 28):02d}"
    hour = rng.choice([18, 19, 20])
    end_minutes = hour * 60 + minutes
    end = f"{day}T{end_minutes // 60:02d}:{end_minutes % 60:02d}:00"
    title = f"Listening party: {p['title']}"
    description = f"{len(songs)} songs, {minutes} minutes"
    look = (
        login("music", "calendar")
        + fetch_all("lists", f"apis.music.show_playlists(access_token=music_token, query={p['title']!r}")
        + "print([(x['playlist_id'], x['title']) for x in lists])\n"
        + f"target = next(x for x in lists if x['title'] == {p['title']!r})\n"
        + "info = apis.music.show_playlist(access_token=music_token, playlist_id=target['playlist_id'])\n"
        + "print(info)\n"
        + fetch_all(
            "songs", "apis.music.show_playlist_songs(access_token=music_token, playlist_id=target['playlist_id']"
        )
        + fetch_all("downloads", "apis.music.show_downloads(access_token=music_token")
    )
    compute = (
        "total = sum(s['duration_s'] for s in songs)\n"
        "minutes = -(-total // 60)\n"
        f"end = {hour} * 60 + minutes\n"
        f"end_text = f'{{end // 60:02d}}:{{end % 60:02d}}'\n"
        "guests = list(info['collaborators'])\n"
        "have = {d['song_id'] for d in downloads}\n"
        "missing = [s['song_id'] for s in songs if s['song_id'] not in have]\n"
        "tracklist = '\\n'.join(f\"{i}. {s['title']} - {s['artist']}\" for i, s in enumerate(songs, 1))\n"
        "print(len(songs), total, minutes, end_text, guests, missing)\n"
    )
    act = (
        f"event = apis.calendar.create_event(access_token=calendar_token, title={title!r}, start='{day}T{hour}:00', "
        f"end='{day}T' + end_text, location='Home', description=f'{{len(songs)}} songs, {{minutes}} minutes', "
        "attendee_emails=guests)['event_id']\n"
        "apis.calendar.add_event_note(access_token=calendar_token, event_id=event, text=tracklist)\n"
        "for song_id in missing:\n"
        "    apis.music.download_song(access_token=music_token, song_id=song_id, quality='high')\n"
        "if not info['is_public']:\n"
        "    apis.music.update_playlist(access_token=music_token, playlist_id=target['playlist_id'], is_public=True)\n"
    )
    check = (
        "print(apis.calendar.show_event(access_token=calendar_token, event_id=event))\n"
        "print(apis.music.show_playlist(access_token=music_token, playlist_id=target['playlist_id'])['is_public'])\n"
        "apis.supervisor.complete_task(answer=end_text)\n"
    )
    event = {
        "calendar_id": primary_calendar(view, owner),
        "organizer_id": owner,
        "title": title,
        "description": description,
        "location": "Home",
        "start": f"{day}T{hour}:00:00",
        "end": end,
        "all_day": 0,
        "recurrence": "none",
        "recurrence_until": None,
        "status": "confirmed",
        "busy": 1,
        "created_at": NOW,
    }
    expectations: list[Expectation] = [
        Inserted(
            "calendar_events",
            event,
            f"an event '{title}' at Home from {hour}:00 to {end[11:16]} ({minutes} minutes), described {description!r}",
            what="events",
        ),
        *(
            Inserted(
                "calendar_attendees",
                {"event_id": NewRow("calendar_events", event), "person_id": g["id"], **PENDING},
                f"collaborator {g['email']} is invited",
                what=f"invitations of {g['email']}",
            )
            for g in guests
        ),
        Inserted(
            "calendar_notes",
            {"event_id": NewRow("calendar_events", event), "author_id": owner, "text": tracklist, "created_at": NOW},
            "the event has a note with the tracklist, one 'N. Title - Artist' line per song in playlist order",
            what="event notes",
        ),
        Inserted(
            "music_downloads",
            {"owner_id": owner, "song_id": OneOf(missing), "quality": "high", "downloaded_at": NOW},
            f"the {len(missing)} songs of the playlist not downloaded yet are downloaded in high quality",
            count=len(missing),
            what="new downloads",
        ),
        Answer(
            end[11:16],
            f"the answer is the party's end time {end[11:16]}",
            traps={normalize_answer(f"{hour}:00"): "that is the start, not the end"},
        ),
    ]
    if not p["is_public"]:
        expectations.append(
            Updated("music_playlists", p["id"], {"is_public": 1}, f"the playlist '{p['title']}' is made public")
        )
    return TaskSpec(
        owner,
        f"I'm hosting a listening party for my music playlist titled exactly '{p['title']}' on {day}, at Home, "
        f"starting at {hour}:00. Put it on my calendar as '{title}', ending when the playlist ends (its total length "
        "rounded up to a whole minute), with the description '<N> songs, <M> minutes' (N songs, M the rounded "
        "minutes), and invite the playlist's collaborators. Add a note to the event with the tracklist, one line per "
        "song in playlist order written as '1. Title - Artist'. Download in high quality every song of the playlist I "
        "have not downloaded yet, so we can play it offline. If the playlist is private, make it public so they can "
        "open it. Tell me the end time as HH:MM.",
        Solution().step(look).step(compute).step(act).step(check).steps(),
        expectations,
    )


OUTINGS = ("Concert", "Movie night")
WINDOW = ("2026-05-18", "2026-07-31")  # from the world's today to the end of July
PAST = ("2025-01-01", "2026-05-17")  # the outings before it, which the agent reports
DUE_TODAY_UNTIL = (WORLD_NOW.date() + timedelta(days=3)).isoformat()  # an outing up to it: to-do due today


def outings(view: WorldView, owner: int, since: str, until: str) -> list[dict[str, object]]:
    """Confirmed concerts and movie nights the owner organizes on their own calendars, between the two days."""
    return view.rows(
        "SELECT e.id, e.title, e.start FROM calendar_events e JOIN calendar_calendars c ON c.id = e.calendar_id "
        "WHERE c.owner_id = ? AND e.organizer_id = c.owner_id AND e.title IN (?, ?) AND e.status = 'confirmed' "
        "AND substr(e.start, 1, 10) BETWEEN ? AND ? ORDER BY e.start, e.id",
        owner,
        *OUTINGS,
        since,
        until,
    )


@scenario("leisure_outing_tickets", apps=("calendar", "todo"))
def outing_tickets(view: WorldView, rng: random.Random) -> TaskSpec:
    nothing_planned = getattr(rng, "variant", 0) % 3 == 2  # one variant in three: no outing in the window
    owners = [
        p
        for p in view.people_ids()
        if (len(outings(view, p, *WINDOW)) == 0 if nothing_planned else len(outings(view, p, *WINDOW)) >= 2)
        and outings(view, p, "2025-01-01", WINDOW[1])  # past outings are there to tell apart
    ]
    owner = pick(
        rng,
        owners,
        "owner with (or without) outings ahead",
        distinct=True,
        unusable=(
            lambda p: any(str(e["start"])[:10] <= DUE_TODAY_UNTIL for e in outings(view, p, *WINDOW)),
            "an outing within 3 days is due today, and its to-do's reminder at 9:00 today would be in the past",
        ),
    )
    events = outings(view, owner, *WINDOW)
    has_label = bool(view.rows("SELECT 1 FROM todo_labels WHERE owner_id = ? AND name = 'errand'", owner))
    look = (
        login("calendar", "todo")
        + "found = []\n"
        + "for kind in ('Concert', 'Movie night'):\n"
        + fetch_all(
            "batch_all",
            f"apis.calendar.show_events(access_token=calendar_token, query=kind, date_from={WINDOW[0]!r}, "
            f"date_to={WINDOW[1]!r}, role='organizer'",
            indent="    ",
        )
        + "    found += [e for e in batch_all if e['title'] == kind]\n"
        + "found.sort(key=lambda e: (e['start'], e['event_id']))\n"
        + "print([(e['event_id'], e['title'], e['start'], e['calendar_name']) for e in found])\n"
        + "labels = [l['label'] for l in apis.todo.show_labels(access_token=todo_token)]\n"
    )
    act = (
        "from datetime import date, timedelta\n"
        "if found:\n"
        "    if 'errand' not in labels:\n"
        "        apis.todo.create_label(access_token=todo_token, name='errand')\n"
        "    project = apis.todo.create_project(access_token=todo_token, name='Outings', color='green')['project_id']\n"
        "    for e in found:\n"
        "        day = date.fromisoformat(e['start'][:10])\n"
        "        due = max(day - timedelta(days=3), date(2026, 5, 18)).isoformat()\n"
        "        task = apis.todo.create_task(access_token=todo_token, project_id=project, "
        "title=f\"Get tickets: {e['title']} on {day.isoformat()}\", due_date=due, priority=2, "
        "labels=['errand'])['task_id']\n"
        "        apis.todo.add_reminder(access_token=todo_token, task_id=task, remind_at=due + 'T09:00')\n"
        "        apis.calendar.add_event_note(access_token=calendar_token, event_id=e['event_id'], "
        "text=f'Tickets to-do due {due}')\n"
        "        apis.calendar.add_event_reminder(access_token=calendar_token, event_id=e['event_id'], "
        "minutes_before=120)\n"
    )
    check = (
        "if found:\n"
        + fetch_all("made", "apis.todo.search_tasks(access_token=todo_token, project_id=project", indent="    ")
        + "    print([(t['title'], t['due_date']) for t in made])\n"
        + "past = []\n"
        + "for kind in ('Concert', 'Movie night'):\n"
        + fetch_all(
            "batch_all",
            f"apis.calendar.show_events(access_token=calendar_token, query=kind, date_from={PAST[0]!r}, "
            f"date_to={PAST[1]!r}, role='organizer'",
            indent="    ",
        )
        + "    past += [e['start'][:10] for e in batch_all if e['title'] == kind]\n"
        + "apis.supervisor.complete_task(answer=past)\n"
    )
    days = [str(e["start"])[:10] for e in outings(view, owner, *PAST)]
    expectations: list[Expectation] = [Answer(days, f"the answer lists the days of my {len(days)} past outings")]
    if events:
        project = {"owner_id": owner, "name": "Outings", "color": "green", "is_favorite": 0, "archived": 0}
        expectations.append(
            Inserted("todo_projects", {**project, "created_at": NOW}, "a green project 'Outings'", what="projects")
        )
        if not has_label:
            expectations.append(
                Inserted(
                    "todo_labels",
                    {"owner_id": owner, "name": "errand", "color": "gray", "is_favorite": 0},
                    "an 'errand' label is created",
                    what="labels",
                )
            )
    for e in events:
        day = date.fromisoformat(str(e["start"])[:10])
        due = max(day - timedelta(days=3), WORLD_NOW.date()).isoformat()
        task = {
            "owner_id": owner,
            "project_id": NewRow("todo_projects", {"owner_id": owner, "name": "Outings"}),
            "title": f"Get tickets: {e['title']} on {day.isoformat()}",
            "due_date": due,
            "priority": 2,
            "labels": "errand",
        }
        open_task = {"completed": 0, "completed_at": None, "description": "", "section_id": None, "parent_id": None}
        expectations += [
            Inserted(
                "todo_tasks",
                {**task, **open_task, "recurrence": None, "assignee_id": None, "created_at": NOW},
                f"a to-do '{task['title']}' due {due}, priority 2, labelled errand",
                what=f"to-dos for the {e['title']} of {day}",
            ),
            Inserted(
                "todo_reminders",
                {"task_id": NewRow("todo_tasks", task), "owner_id": owner, "remind_at": f"{due}T09:00:00"},
                f"the to-do for the {e['title']} of {day} reminds me at 9:00 on {due}",
                what=f"reminders for the {e['title']} of {day}",
            ),
            Inserted(
                "calendar_notes",
                {"event_id": e["id"], "author_id": owner, "text": f"Tickets to-do due {due}", "created_at": NOW},
                f"the {e['title']} event of {day} gets the note 'Tickets to-do due {due}'",
                what=f"notes on the {e['title']} of {day}",
            ),
            Inserted(
                "calendar_reminders",
                {"event_id": e["id"], "person_id": owner, "minutes_before": 120, "method": "popup"},
                f"the {e['title']} of {day} reminds me 2 hours before",
                what=f"reminders on the {e['title']} of {day}",
            ),
        ]
    return TaskSpec(
        owner,
        f"Check the concerts and movie nights (events titled exactly 'Concert' or 'Movie night') that I organize, "
        f"between {WINDOW[0]} and {WINDOW[1]}. If there are any, create a green todo project 'Outings' and, for each "
        "one, a to-do 'Get tickets: <title> on <YYYY-MM-DD>' (the event's day) due 3 days before it (today, "
        f"{WORLD_NOW.date()}, if that is already past), priority 2, labelled 'errand' (create the label if I have "
        "none), with a reminder at 9:00 on its due date; and add the note 'Tickets to-do due <due date>' and a "
        "reminder 2 hours before to the event. If there are none, change nothing. Either way, tell me the day "
        f"(YYYY-MM-DD) of each concert and movie night I organized from {PAST[0]} to {PAST[1]}.",
        Solution().step(look).step(act).step(check).steps(),
        expectations,
        noop_pass=not events,
    )
