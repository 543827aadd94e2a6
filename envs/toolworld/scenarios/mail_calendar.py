"""Mail and documents: events announced by email put on the calendar, invitations answered by who emails me,
reminders emailed to an event's guests (held out in test_challenge)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from envs.toolworld.evaluate import Answer, Expectation, Inserted, NewRow, Updated
from envs.toolworld.scenarios._common import Solution, fetch_all, full_name, login, other_branch, pick
from envs.toolworld.scenarios._rows import new_event
from envs.toolworld.scenarios.email import sent_email
from envs.toolworld.tasks import TaskSpec, WorldView, scenario
from envs.toolworld.world.build import WORLD_NOW

NOW = WORLD_NOW.isoformat(timespec="seconds")
TODAY = WORLD_NOW.date().isoformat()
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
KEPT = "t.is_trashed = 0 AND t.is_spam = 0"
REMIND_DAYS = 56  # the reminder window: from today through eight weeks ahead
REMIND_END = (WORLD_NOW.date() + timedelta(days=REMIND_DAYS)).isoformat()


def next_weekday(sent_at: str, day_name: str) -> str:
    """The first `day_name` strictly after the day `sent_at` falls on."""
    sent = date.fromisoformat(sent_at[:10])
    return (sent + timedelta(days=(WEEKDAYS.index(day_name) - sent.weekday() - 1) % 7 + 1)).isoformat()


@scenario("mail_offsite_event", apps=("email", "calendar"))
def offsite_event(view: WorldView, rng: random.Random) -> TaskSpec:
    """The offsite named in one coworker's latest 'Offsite logistics' email (their earlier ones and other people's
    are distractors) goes on the 'Work' calendar (not 'Old work') with everyone else on that email invited."""
    rows = view.rows(
        "SELECT m.id, m.owner_id, m.sender_id, m.recipients, m.cc, m.body, m.sent_at, t.conversation_id "
        f"FROM email_messages m JOIN email_threads t ON t.id = m.thread_id WHERE {KEPT} "
        "AND t.subject = 'Offsite logistics' AND m.body LIKE 'The offsite is on %' AND m.sender_id != m.owner_id "
        "ORDER BY m.owner_id, m.sent_at DESC, m.id DESC"
    )
    latest: dict[tuple[int, int], dict] = {}
    for r in rows:
        latest.setdefault((r["owner_id"], r["sender_id"]), r)
    mailboxes = {r["owner_id"] for r in rows}
    candidates = [
        r
        for (owner, _), r in sorted(latest.items())
        if sum(x["owner_id"] == owner for x in rows) >= 2 and owner in mailboxes
    ]
    c = pick(rng, candidates, "offsite email in a mailbox with another one", distinct=True)
    owner, sender = c["owner_id"], c["sender_id"]
    day = next_weekday(c["sent_at"], c["body"].split("on ")[1].split(";")[0])
    addresses = [a for a in (c["recipients"] + ", " + c["cc"]).split(", ") if a]
    guests = sorted({sender} | {view.value("SELECT id FROM people WHERE email = ?", a) for a in addresses} - {owner})
    calendar = view.value("SELECT id FROM calendar_calendars WHERE owner_id = ? AND name = 'Work'", owner)
    name = full_name(view, sender)
    event = new_event(owner, calendar, "Offsite", f"{day}T08:00:00", f"{day}T17:00:00", location="Bus departure")
    expectations: list[Expectation] = [
        Inserted(
            "calendar_events", event, f"an 'Offsite' event on {day} 08:00-17:00 on my Work calendar", what="events"
        ),
        *(
            Inserted(
                "calendar_attendees",
                {
                    "event_id": NewRow("calendar_events", {"title": "Offsite", "organizer_id": owner}),
                    "person_id": guest,
                    "response": "pending",
                    "comment": "",
                    "responded_at": None,
                },
                f"{full_name(view, guest)} is invited to the offsite",
                what=f"invitations of {full_name(view, guest)}",
            )
            for guest in guests
        ),
        *sent_email(
            view,
            owner,
            [sender],
            "Added to the calendar.",
            f"{name}'s email is answered",
            conversation=c["conversation_id"],
        ),
    ]
    oracle = (
        Solution()
        .step(login("email", "calendar"))
        .step(
            fetch_all("emails", "apis.email.search_emails(access_token=email_token, query='offsite'")
            + f"theirs = [e for e in emails if e['subject'] == 'Offsite logistics' and e['sender']['name'] == {name!r}"
            " and e['body'].startswith('The offsite is on ')]\n"
            "latest = max(theirs, key=lambda e: (e['sent_at'], e['email_id']))\n"
            "print(latest)\n"
        )
        .step(
            "from datetime import date, timedelta\n"
            "days = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']\n"
            "wanted = days.index(latest['body'].split('on ')[1].split(';')[0])\n"
            "sent = date.fromisoformat(latest['sent_at'][:10])\n"
            "day = (sent + timedelta(days=(wanted - sent.weekday() - 1) % 7 + 1)).isoformat()\n"
            "guests = sorted({latest['sender']['email'], *latest['recipients'], *latest['cc']} - {me['email']})\n"
            "print(day, guests)\n"
        )
        .step(
            fetch_all("calendars", "apis.calendar.show_calendars(access_token=calendar_token, query='work'")
            + "work = next(c for c in calendars if c['name'] == 'Work')\n"
            "event = apis.calendar.create_event(access_token=calendar_token, title='Offsite', start=day + 'T08:00', "
            "end=day + 'T17:00', calendar_id=work['calendar_id'], location='Bus departure', attendee_emails=guests)\n"
            "apis.email.reply_to_email(access_token=email_token, email_id=latest['email_id'], "
            "body='Added to the calendar.')\n"
        )
        .step(
            "print(apis.calendar.show_event(access_token=calendar_token, event_id=event['event_id']))\n"
            "print(apis.calendar.show_event_attendees(access_token=calendar_token, event_id=event['event_id']))\n"
            "apis.supervisor.complete_task()\n"
        )
        .steps()
    )
    return TaskSpec(
        owner,
        f"{name} sent me an email about the offsite ('Offsite logistics'); take their most recent one. Put the "
        "offsite on my 'Work' calendar: title 'Offsite', location 'Bus departure', from 08:00 to 17:00 on the weekday "
        "the email names (the first such day after it was sent), inviting everyone else on that email (sender, "
        "recipients and cc, except me). Then reply 'Added to the calendar.' to that email (to the sender only).",
        oracle,
        expectations,
    )


@scenario("mail_invitations_by_sender", apps=("email", "calendar", "phone"))
def invitations_by_sender(view: WorldView, rng: random.Random) -> TaskSpec:
    """Each pending upcoming invitation is accepted (with an email reminder a day before) when its organizer has
    emailed me, answered 'tentative' when they have not but are a coworker in my phone contacts, else declined
    with a comment; the answer counts the accepted ones. Deep because whether someone emailed me is a mailbox
    search per organizer (trashed emails do not count) and who is a coworker is in another app: 8-13 invitations
    from several organizers, each answered three ways, the accepted ones also given a reminder."""
    since = rng.choice(["2026-03-01", "2026-04-01", "2026-04-15"])
    known = (
        "EXISTS (SELECT 1 FROM email_messages m JOIN email_threads t ON t.id = m.thread_id WHERE m.owner_id = "
        f"a.person_id AND m.sender_id = e.organizer_id AND m.sent_at >= '{since}' AND {KEPT})"
    )
    coworker = (
        "EXISTS (SELECT 1 FROM phone_contacts c JOIN people f ON f.email = c.email WHERE c.owner_id = a.person_id "
        "AND f.id = e.organizer_id AND c.relationship = 'coworker')"
    )
    owners = view.rows(
        f"SELECT a.person_id AS owner_id, COUNT(*) AS n, SUM({known}) AS known "
        "FROM calendar_attendees a JOIN calendar_events e ON e.id = a.event_id "
        f"WHERE a.response = 'pending' AND e.status = 'confirmed' AND e.start >= '{TODAY}' "
        "GROUP BY a.person_id HAVING n BETWEEN 8 AND 13 AND known > 0 AND known < n ORDER BY a.person_id"
    )
    owner = pick(rng, owners, "person with 8-13 pending invitations from known and unknown organizers", distinct=True)[
        "owner_id"
    ]
    invitations = view.rows(
        f"SELECT a.id, a.event_id, e.title, e.start, e.organizer_id, {known} AS known, {coworker} AS coworker "
        "FROM calendar_attendees a JOIN calendar_events e ON e.id = a.event_id "
        f"WHERE a.person_id = ? AND a.response = 'pending' AND e.status = 'confirmed' AND e.start >= '{TODAY}' "
        "ORDER BY e.start",
        owner,
    )
    decline, later = "Sorry, I can't make it.", "I will confirm soon."
    expectations: list[Expectation] = []
    for i in invitations:
        what = f"'{i['title']}' on {i['start'][:10]} by {full_name(view, i['organizer_id'])} is "
        if i["known"]:
            change = {"response": "accepted", "comment": ""}
            what += f"accepted (they emailed me since {since})"
        elif i["coworker"]:
            change = {"response": "tentative", "comment": later}
            what += "tentative with the comment (a coworker who has not emailed me)"
        else:
            change = {"response": "declined", "comment": decline}
            what += "declined with the comment"
        expectations.append(Updated("calendar_attendees", i["id"], {**change, "responded_at": NOW}, what))
    expectations += [
        Inserted(
            "calendar_reminders",
            {"event_id": i["event_id"], "person_id": owner, "minutes_before": 1440, "method": "email"},
            f"the accepted '{i['title']}' on {i['start'][:10]} has an email reminder a day before",
            what=f"reminders of '{i['title']}' on {i['start'][:10]}",
        )
        for i in invitations
        if i["known"]
    ]
    accepted = sum(i["known"] for i in invitations)
    expectations.append(
        Answer(
            accepted,
            f"the answer is the number of accepted invitations ({accepted})",
            traps={str(len(invitations)): "that counts every pending invitation"},
        )
    )
    oracle = (
        Solution()
        .step(login("email", "calendar", "phone"))
        .step(
            fetch_all(
                "invitations",
                f"apis.calendar.show_invitations(access_token=calendar_token, response='pending', date_from='{TODAY}'",
            )
            + "print([(i['event_id'], i['title'], i['start'], i['organizer']['email']) for i in invitations])\n"
        )
        .step(
            "emailed = {}\n"
            "for i in invitations:\n"
            "    sender = i['organizer']['email']\n"
            "    if sender not in emailed:\n"
            "        found = apis.email.search_emails(access_token=email_token, sender_email=sender, "
            f"sent_after='{since}', page_limit=1)\n"
            "        emailed[sender] = bool(found)\n"
            + fetch_all("contacts", "apis.phone.search_contacts(access_token=phone_token, relationship='coworker'")
            + "coworkers = {c['email'] for c in contacts if c['email']}\n"
            "print(emailed, coworkers)\n"
        )
        .step(
            "accepted = 0\n"
            "for i in invitations:\n"
            "    sender = i['organizer']['email']\n"
            "    if emailed[sender]:\n"
            "        apis.calendar.respond_to_invitation(access_token=calendar_token, event_id=i['event_id'], "
            "response='accepted')\n"
            "        apis.calendar.add_event_reminder(access_token=calendar_token, event_id=i['event_id'], "
            "minutes_before=1440, method='email')\n"
            "        accepted += 1\n"
            "    elif sender in coworkers:\n"
            "        apis.calendar.respond_to_invitation(access_token=calendar_token, event_id=i['event_id'], "
            f"response='tentative', comment={later!r})\n"
            "    else:\n"
            "        apis.calendar.respond_to_invitation(access_token=calendar_token, event_id=i['event_id'], "
            f"response='declined', comment={decline!r})\n"
        )
        .step(
            fetch_all(
                "left",
                f"apis.calendar.show_invitations(access_token=calendar_token, response='pending', date_from='{TODAY}'",
            )
            + "print(len(left), 'still pending')\n"
            "apis.supervisor.complete_task(answer=accepted)\n"
        )
        .steps()
    )
    return TaskSpec(
        owner,
        "Go through my pending calendar invitations for events from today on. Accept each one whose organizer has "
        f"emailed me since {since} (check my mailbox, not the trash), and give each one I accept an email "
        f"reminder a day (1440 minutes) before. If the organizer has not emailed me since then but is a coworker in "
        f"my phone contacts, answer 'tentative' with the comment '{later}'; decline the others with the comment "
        f"'{decline}'. Tell me how many I accepted.",
        oracle,
        expectations,
    )


@scenario("mail_event_guest_reminder", apps=("email", "calendar"))
def event_guest_reminder(view: WorldView, rng: random.Random) -> TaskSpec:
    """Reminders for every one-off event I organize over eight weeks: guests who accepted or are tentative get a
    reminder, those who have not answered a 'Please reply', declined ones nothing, and each emailed event a note.
    Deep because the answers are only in each event's detail (show_event): 7-10 events, 1-2 emails each; repeating
    events, invitations of others' events and events past the window are distractors."""
    answered = "(SELECT COUNT(*) FROM calendar_attendees a WHERE a.event_id = e.id AND a.response {})"
    events = view.rows(
        f"SELECT e.id, e.organizer_id, e.title, e.start, e.location, {answered.format('IN (?, ?)')} AS coming, "
        f"{answered.format('= ?')} AS pending FROM calendar_events e WHERE e.status = 'confirmed' "
        f"AND e.recurrence = 'none' AND e.start >= '{TODAY}' AND e.start < ? ORDER BY e.organizer_id, e.start, e.id",
        "accepted",
        "tentative",
        "pending",
        (date.fromisoformat(REMIND_END) + timedelta(days=1)).isoformat(),
    )
    mine: dict[int, list[dict]] = {}
    for e in events:
        if e["coming"] or e["pending"]:
            mine.setdefault(e["organizer_id"], []).append(e)
    owners = [
        owner
        for owner, evs in sorted(mine.items())
        if 7 <= len(evs) <= 10 and sum(e["pending"] for e in evs) and sum(e["coming"] for e in evs)
    ]
    owner = pick(
        rng,
        owners,
        "person organizing 7-10 events with guests over the next eight weeks",
        distinct=True,
        unusable=(
            lambda o: len({(e["title"], e["start"][:10]) for e in mine[o]}) < len(mine[o]),
            "two events of one title on one day would share a reminder's subject",
        ),
    )
    reminded = mine[owner]
    expectations: list[Expectation] = []
    for e in reminded:
        when, at = e["start"][:10], e["start"][11:16]
        body = f"{e['title']} on {when} at {at}" + (f", {e['location']}" if e["location"] else "") + "."
        for prefix, responses in (("Reminder", ("accepted", "tentative")), ("Please reply", ("pending",))):
            guests = [
                r["person_id"]
                for r in view.rows(
                    "SELECT person_id FROM calendar_attendees WHERE event_id = ? AND response IN (?, ?) "
                    "ORDER BY person_id",
                    e["id"],
                    responses[0],
                    responses[-1],
                )
            ]
            if guests:
                subject = f"{prefix}: {e['title']} on {when}"
                expectations += sent_email(
                    view, owner, guests, body, f"'{subject}' goes to its {len(guests)} guests", subject=subject
                )
        expectations.append(
            Inserted(
                "calendar_notes",
                {"event_id": e["id"], "author_id": owner, "text": "Reminder sent", "created_at": NOW},
                f"'{e['title']}' on {when} has the note 'Reminder sent'",
                what=f"notes on '{e['title']}' of {when}",
            )
        )
    pending = sum(e["pending"] for e in reminded)
    expectations.append(
        Answer(
            pending,
            f"the answer is the number of guests who have not answered ({pending})",
            traps={str(pending + sum(e["coming"] for e in reminded)): "that counts every guest not declining"},
        )
    )
    oracle = (
        Solution()
        .step(login("calendar", "email"))
        .step(
            fetch_all(
                "events",
                f"apis.calendar.show_events(access_token=calendar_token, role='organizer', date_from='{TODAY}', "
                f"date_to='{REMIND_END}'",
            )
            + f"one_off = [x for x in events if x['recurrence'] == 'none' and x['start'] >= '{TODAY}' "
            "and x['attendee_count']]\n"
            "print([(x['event_id'], x['title'], x['start'], x['attendee_count']) for x in one_off])\n"
        )
        .step(
            "guests = {}\n"
            "for x in one_off:\n"
            "    guests[x['event_id']] = apis.calendar.show_event(access_token=calendar_token, "
            "event_id=x['event_id'])['attendees']\n"
            "print(guests)\n"
        )
        .step(
            "pending, noted = 0, []\n"
            "for x in one_off:\n"
            "    day, at = x['start'][:10], x['start'][11:16]\n"
            "    text = f\"{x['title']} on {day} at {at}\" + (f\", {x['location']}\" if x['location'] else '') + '.'\n"
            "    coming = [a['email'] for a in guests[x['event_id']] if a['response'] in ('accepted', 'tentative')]\n"
            "    waiting = [a['email'] for a in guests[x['event_id']] if a['response'] == 'pending']\n"
            "    pending += len(waiting)\n"
            "    if coming:\n"
            "        apis.email.send_email(access_token=email_token, recipients=coming, "
            "subject=f\"Reminder: {x['title']} on {day}\", body=text)\n"
            "    if waiting:\n"
            "        apis.email.send_email(access_token=email_token, recipients=waiting, "
            "subject=f\"Please reply: {x['title']} on {day}\", body=text)\n"
            "    if coming or waiting:\n"
            "        apis.calendar.add_event_note(access_token=calendar_token, event_id=x['event_id'], "
            "text='Reminder sent')\n"
            "        noted.append(x['event_id'])\n"
            "print(len(noted), 'events reminded,', pending, 'guests pending')\n"
        )
        .step(
            "sent = apis.email.show_threads(access_token=email_token, folder='sent', page_limit=20)\n"
            "print([t['subject'] for t in sent])\n"
            "apis.supervisor.complete_task(answer=pending)\n"
        )
        .steps()
    )
    return TaskSpec(
        owner,
        f"Send reminders for the one-off events I organize from today through {REMIND_END} (leave repeating events "
        "out). For each of them, email the guests who accepted or are tentative together, subject 'Reminder: <title> "
        "on <YYYY-MM-DD>', and the guests who have not answered yet together, subject 'Please reply: <title> on "
        "<YYYY-MM-DD>'; both with the text '<title> on <YYYY-MM-DD> at <HH:MM>, <location>.' (like 'Design review on "
        "2026-01-31 at 09:30, Room 4.'; no ', <location>' when it has none). Guests who declined get nothing. Add the "
        "note 'Reminder sent' to each event that got an email. Then tell me how many guests of those events have not "
        "answered yet.",
        oracle,
        expectations,
    )


@scenario("mail_invoice_due_days", apps=("email", "calendar"))
def invoice_due_days(view: WorldView, rng: random.Random) -> TaskSpec:
    """Conditional: each invoice of a year over a bound gets an all-day 'Pay invoice' day 30 days after its email on
    the Personal calendar; in variant 1 no invoice is over the bound (no-op-pass). Other years' are distractors."""
    owners = view.rows(
        "SELECT m.owner_id, substr(m.sent_at, 1, 4) AS year, COUNT(*) AS n FROM email_messages m "
        f"JOIN email_threads t ON t.id = m.thread_id WHERE {KEPT} AND m.sender_id != m.owner_id "
        "AND t.subject LIKE 'Invoice %' AND m.body LIKE 'Please find invoice%' GROUP BY m.owner_id, year "
        "HAVING n BETWEEN 2 AND 6 ORDER BY m.owner_id, year"
    )
    c = pick(rng, owners, "mailbox with a few invoices of a year", distinct=True)
    owner, year = c["owner_id"], c["year"]
    invoices = view.rows(
        "SELECT m.sender_id, m.body, m.sent_at, t.subject, t.conversation_id FROM email_messages m "
        "JOIN email_threads t ON t.id = m.thread_id "
        f"WHERE {KEPT} AND m.owner_id = ? AND m.sender_id != m.owner_id AND t.subject LIKE 'Invoice %' "
        "AND m.body LIKE 'Please find invoice%' AND substr(m.sent_at, 1, 4) = ? ORDER BY m.sent_at",
        owner,
        year,
    )
    amounts = sorted(float(i["body"].rsplit("$", 1)[1].rstrip(".")) for i in invoices)
    quiet = other_branch(rng)
    bound = int(amounts[-1]) + rng.randint(1, 50) if quiet else int((amounts[0] + amounts[-1]) / 2)
    calendar = view.value("SELECT id FROM calendar_calendars WHERE owner_id = ? AND name = 'Personal'", owner)
    expectations: list[Expectation] = []
    for i in invoices:
        amount = float(i["body"].rsplit("$", 1)[1].rstrip("."))
        if amount <= bound:
            continue
        day = date.fromisoformat(i["sent_at"][:10]) + timedelta(days=30)
        title = f"Pay invoice {i['subject'].removeprefix('Invoice ')}"
        expectations.append(
            Inserted(
                "calendar_events",
                new_event(
                    owner,
                    calendar,
                    title,
                    f"{day.isoformat()}T00:00:00",
                    f"{(day + timedelta(days=1)).isoformat()}T00:00:00",
                    description=f"${amount:.2f}",
                    all_day=1,
                    busy=0,
                ),
                f"an all-day, free '{title}' on {day} says ${amount:.2f}",
                what=f"events '{title}'",
            )
        )
        expectations += sent_email(
            view,
            owner,
            [i["sender_id"]],
            f"Scheduled for {day.isoformat()}.",
            f"the sender of {i['subject']} is told the payment day",
            conversation=i["conversation_id"],
        )
    oracle = (
        Solution()
        .step(login("email", "calendar"))
        .step(
            fetch_all(
                "emails", "apis.email.search_emails(access_token=email_token, query='invoice', has_attachment=True"
            )
            + "invoices = [e for e in emails if e['subject'].startswith('Invoice ') and "
            f"e['sent_at'].startswith('{year}') and e['sender']['email'] != me['email']]\n"
            "print([(e['subject'], e['sent_at']) for e in invoices])\n"
        )
        .step(
            "due, totals = [], []\n"
            "for e in invoices:\n"
            "    file = next(a for a in e['attachments'] if a['file_name'].startswith('invoice_'))\n"
            "    text = apis.email.show_attachment(access_token=email_token, attachment_id=file['attachment_id'])"
            "['content']\n"
            "    amount = float(text.split('Total due: $')[1].split()[0])\n"
            "    totals.append(amount)\n"
            f"    if amount > {bound}:\n"
            "        due.append((e, amount))\n"
            "print([(e['subject'], amount) for e, amount in due])\n"
        )
        .step(
            "from datetime import date, timedelta\n"
            + fetch_all("calendars", "apis.calendar.show_calendars(access_token=calendar_token, query='personal'")
            + "personal = next(c for c in calendars if c['name'] == 'Personal')\n"
            "for e, amount in due:\n"
            "    day = (date.fromisoformat(e['sent_at'][:10]) + timedelta(days=30)).isoformat()\n"
            "    apis.calendar.create_event(access_token=calendar_token, title='Pay invoice ' + "
            "e['subject'].removeprefix('Invoice '), start=day, all_day=True, busy=False, "
            "calendar_id=personal['calendar_id'], description=f'${amount:.2f}')\n"
            "    apis.email.reply_to_email(access_token=email_token, email_id=e['email_id'], "
            "body=f'Scheduled for {day}.')\n"
        )
        .step("apis.supervisor.complete_task(answer=round(sum(totals), 2))\n")
        .steps()
    )
    total = round(sum(amounts), 2)
    expectations.append(Answer(total, f"the answer is the ${total:.2f} the {len(amounts)} invoices add up to"))
    return TaskSpec(
        owner,
        f"For each invoice emailed to me in {year} whose total due (in the attached invoice file) is over ${bound}, "
        "put an all-day event 'Pay invoice <number>' on my 'Personal' calendar 30 days after the invoice email's "
        "date, shown as free (not busy), with the amount as its description (like $12.50), and reply "
        f"'Scheduled for <YYYY-MM-DD>.' (that day) to the invoice email. Invoices up to ${bound} need nothing. Then "
        f"tell me how much all the invoices emailed to me in {year} add up to.",
        oracle,
        expectations,
        noop_pass=quiet,
    )
