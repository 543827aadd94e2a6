"""The email app: per-owner copies of conversations, replies in place, forwards with attachments,
and errors that name the problem."""

from __future__ import annotations

import pytest

from envs.toolworld.env import ToolWorldEnv

from .apps_client import World
from .conftest import play_oracle_without_completing


@pytest.fixture()
def world() -> World:
    return World()


def pair(world: World, kind: str = "coworker") -> tuple[int, int]:
    """Two people who email each other (a relation of `kind`)."""
    return world.conn.execute(
        "SELECT person_id, other_id FROM relations WHERE kind = ? ORDER BY id LIMIT 1", (kind,)
    ).fetchone()


def email_of(world: World, person_id: int) -> str:
    return world.value("SELECT email FROM people WHERE id = ?", person_id)


def test_send_puts_a_copy_in_every_mailbox_unread_for_recipients(world: World) -> None:
    me, other = pair(world)
    third = world.value("SELECT MAX(id) FROM people WHERE id NOT IN (?, ?)", me, other)
    sent = world.ok(
        me,
        "email",
        "send_email",
        recipients=[email_of(world, other).upper()],
        cc=[email_of(world, third)],
        subject="Lunch?",
        body="Noon at the usual place.",
        attachments=[{"file_name": "map.txt", "content": "Corner of 5th and Main"}],
    )
    mine = world.ok(me, "email", "show_thread", thread_id=sent["thread_id"])
    assert mine["subject"] == "Lunch?" and mine["unread_count"] == 0 and mine["has_attachments"]
    assert mine["emails"][0]["recipients"] == [email_of(world, other)] and mine["emails"][0]["cc"] == [
        email_of(world, third)
    ]
    for reader in (other, third):
        inbox = world.ok(reader, "email", "show_threads", folder="inbox", unread_only=True, query="lunch usual")
        assert (
            [t["subject"] for t in inbox] == ["Lunch?"]
            and inbox[0]["unread_count"] == 1
            and inbox[0]["thread_id"] != sent["thread_id"]
        )
        (email,) = world.ok(reader, "email", "show_thread", thread_id=inbox[0]["thread_id"])["emails"]
        assert (
            world.ok(reader, "email", "show_attachment", attachment_id=email["attachments"][0]["attachment_id"])[
                "content"
            ]
            == "Corner of 5th and Main"
        )
    assert world.ok(me, "email", "show_threads", folder="sent")[0]["thread_id"] == sent["thread_id"]
    assert sorted(c.table for c in world.changes() if c.table == "email_threads") == ["email_threads"] * 3


def test_reply_stays_in_the_conversation_of_every_participant_and_reply_all_adds_cc(world: World) -> None:
    me, other = pair(world)
    third = world.value("SELECT MAX(id) FROM people WHERE id NOT IN (?, ?)", me, other)
    sent = world.ok(
        me,
        "email",
        "send_email",
        recipients=[email_of(world, other)],
        cc=[email_of(world, third)],
        subject="Plan",
        body="v1",
    )
    their_thread = world.ok(other, "email", "show_threads", query="Plan v1")[0]
    first = world.ok(other, "email", "show_thread", thread_id=their_thread["thread_id"])["emails"][0]
    reply = world.ok(other, "email", "reply_to_email", email_id=first["email_id"], body="v2 please")
    assert reply["thread_id"] == their_thread["thread_id"]
    assert world.ok(me, "email", "show_thread", thread_id=sent["thread_id"])["email_count"] == 2
    assert not world.ok(third, "email", "show_threads", query="v2 please")  # a plain reply skips the cc
    world.ok(other, "email", "reply_to_email", email_id=first["email_id"], body="v3 for all", reply_all=True)
    (copy,) = world.ok(third, "email", "show_threads", query="v3 for all")
    assert copy["email_count"] == 2 and copy["subject"] == "Plan"


def test_forward_copies_attachments_into_a_new_thread(world: World) -> None:
    me = world.value(
        "SELECT m.owner_id FROM email_attachments a JOIN email_messages m ON m.id = a.message_id ORDER BY a.id LIMIT 1"
    )
    email = world.all_pages(me, "email", "search_emails", has_attachment=True)[0]
    target = world.value("SELECT MAX(id) FROM people WHERE id != ?", me)
    out = world.ok(
        me, "email", "forward_email", email_id=email["email_id"], recipients=[email_of(world, target)], body="FYI"
    )
    fwd = world.ok(me, "email", "show_email", email_id=out["email_id"])
    assert (
        fwd["subject"] == f"Fwd: {email['subject']}"
        and fwd["body"].startswith("FYI")
        and "Forwarded message" in fwd["body"]
    )
    assert [a["file_name"] for a in fwd["attachments"]] == [a["file_name"] for a in email["attachments"]]
    assert out["thread_id"] != email["thread_id"]


def test_reading_the_mailbox_changes_nothing(world: World) -> None:
    me = world.value("SELECT owner_id FROM email_messages WHERE is_read = 0 LIMIT 1")
    for folder in ("inbox", "sent", "starred", "archived", "trash", "all"):
        for thread in world.all_pages(me, "email", "show_threads", folder=folder):
            world.ok(me, "email", "show_thread", thread_id=thread["thread_id"])
    for email in world.all_pages(me, "email", "search_emails"):
        for attachment in email["attachments"]:
            world.ok(me, "email", "show_attachment", attachment_id=attachment["attachment_id"])
    world.all_pages(me, "email", "show_labels")
    world.all_pages(me, "email", "show_drafts")
    assert world.changes() == []


def test_flags_are_per_mailbox_and_conflicts_are_409(world: World) -> None:
    me, other = pair(world)
    sent = world.ok(me, "email", "send_email", recipients=[email_of(world, other)], subject="Flags", body="x")
    world.ok(me, "email", "star_thread", thread_id=sent["thread_id"])
    assert world.call(me, "email", "star_thread", thread_id=sent["thread_id"])[0] == 409
    assert not world.ok(other, "email", "show_threads", query="Flags")[0]["is_starred"]
    status, body = world.call(me, "email", "delete_thread", thread_id=sent["thread_id"])
    assert status == 409 and "trash it first" in body["message"]
    world.ok(me, "email", "trash_thread", thread_id=sent["thread_id"])
    assert not world.ok(me, "email", "show_threads", folder="all", query="Flags")
    world.ok(me, "email", "delete_thread", thread_id=sent["thread_id"])
    assert world.call(me, "email", "show_thread", thread_id=sent["thread_id"])[0] == 404
    assert world.ok(other, "email", "show_threads", query="Flags")  # their copy stays


def test_labels_and_drafts(world: World) -> None:
    me, other = pair(world, "friend")
    label = world.ok(me, "email", "create_label", name="Zeta")["label_id"]
    assert world.call(me, "email", "create_label", name="Zeta")[0] == 409
    thread = world.all_pages(me, "email", "show_threads", folder="all")[0]
    world.ok(me, "email", "add_label_to_thread", thread_id=thread["thread_id"], label_id=label)
    assert [t["thread_id"] for t in world.all_pages(me, "email", "show_threads", folder="all", label="Zeta")] == [
        thread["thread_id"]
    ]
    assert [(x["name"], x["thread_count"]) for x in world.ok(me, "email", "show_labels", query="zet")] == [("Zeta", 1)]
    assert len(world.all_pages(me, "email", "show_labels")) == world.value(
        "SELECT COUNT(*) FROM email_labels WHERE owner_id = ?", me
    )
    world.ok(me, "email", "delete_label", label_id=label)
    assert "Zeta" not in world.ok(me, "email", "show_thread", thread_id=thread["thread_id"])["labels"]
    draft = world.ok(me, "email", "create_draft", recipients=[], subject="Later", body="draft text")["draft_id"]
    assert world.call(me, "email", "send_draft", draft_id=draft)[0] == 409
    world.ok(me, "email", "update_draft", draft_id=draft, recipients=[email_of(world, other)])
    assert world.ok(me, "email", "show_draft", draft_id=draft)["recipients"] == [email_of(world, other)]
    sent = world.ok(me, "email", "send_draft", draft_id=draft)
    assert world.ok(me, "email", "show_thread", thread_id=sent["thread_id"])["emails"][0]["body"] == "draft text"
    assert world.call(me, "email", "delete_draft", draft_id=draft)[0] == 404
    assert world.call(me, "email", "show_draft", draft_id=draft)[0] == 404


@pytest.mark.parametrize(
    ("api", "kwargs", "needle"),
    [
        ("send_email", {"recipients": ["nobody@nowhere.org"], "subject": "s", "body": "b"}, "'recipients'"),
        ("send_email", {"recipients": [], "subject": "s", "body": "b"}, "'recipients'"),
        (
            "send_email",
            {"recipients": ["{me}"], "subject": "s", "body": "b", "attachments": [{"name": "x"}]},
            "'attachments[0]'",
        ),
        ("search_emails", {"sent_after": "last week"}, "'sent_after'"),
        ("show_threads", {"folder": "outbox"}, "'folder'"),
    ],
)
def test_bad_arguments_are_422_naming_the_argument(world: World, api: str, kwargs: dict, needle: str) -> None:
    me = 1
    kwargs = {
        k: [email_of(world, me) if v == "{me}" else v for v in val]
        if isinstance(val, list) and val and isinstance(val[0], str)
        else val
        for k, val in kwargs.items()
    }
    status, body = world.call(me, "email", api, **kwargs)
    assert status == 422 and needle in body["message"], body


def test_another_persons_thread_is_404(world: World) -> None:
    me, other = pair(world)
    theirs = world.value("SELECT id FROM email_threads WHERE owner_id = ? LIMIT 1", other)
    assert world.call(me, "email", "show_thread", thread_id=theirs)[0] == 404
    assert world.call(me, "email", "archive_thread", thread_id=theirs)[0] == 404


def test_archiving_unread_labelled_threads_too_fails_on_collateral(env: ToolWorldEnv) -> None:
    for variant in range(10):
        env.reset(options={"task_id": f"email_archive_read_labelled_{variant}"})
        play_oracle_without_completing(env, lambda code: code.replace("if t['unread_count'] == 0:", "if True:"))
        obs, reward, terminated, _, info = env.step("apis.supervisor.complete_task(answer=archived)")
        failed = [t["requirement"] for t in info["evaluation"]["tests"] if not t["passed"]]
        if failed:  # this variant's label also holds unread threads: they were to be kept (and marked important)
            assert reward == 0.0 and any("with unread emails" in requirement for requirement in failed), failed
            return
    pytest.fail("no variant of email_archive_read_labelled has an unread thread under its label")


@pytest.mark.parametrize(
    ("on", "off", "column", "folder"),
    [
        ("mark_thread_spam", "mark_thread_not_spam", "is_spam", "spam"),
        ("mark_thread_important", "unmark_thread_important", "is_important", "important"),
        ("mute_thread", "unmute_thread", "is_muted", None),
    ],
)
def test_thread_flags_move_threads_between_folders(
    world: World, on: str, off: str, column: str, folder: str | None
) -> None:
    me, other = pair(world)
    sent = world.ok(other, "email", "send_email", recipients=[email_of(world, me)], subject="Flag me", body="x")
    (thread,) = world.ok(me, "email", "show_threads", query="Flag me")
    world.ok(me, "email", on, thread_id=thread["thread_id"])
    assert world.value(f"SELECT {column} FROM email_threads WHERE id = ?", thread["thread_id"]) == 1
    assert world.call(me, "email", on, thread_id=thread["thread_id"])[0] == 409
    in_inbox = [t["thread_id"] for t in world.ok(me, "email", "show_threads", query="Flag me")]
    assert in_inbox == ([thread["thread_id"]] if column == "is_important" else [])  # spam and muted leave the inbox
    if folder:
        assert [t["thread_id"] for t in world.ok(me, "email", "show_threads", folder=folder, query="Flag me")] == [
            thread["thread_id"]
        ]
    world.ok(me, "email", off, thread_id=thread["thread_id"])
    assert world.value(f"SELECT {column} FROM email_threads WHERE id = ?", thread["thread_id"]) == 0
    assert world.call(me, "email", on, thread_id=sent["thread_id"])[0] == 404  # the sender's copy is not mine


def test_spam_is_out_of_search_and_empty_trash_deletes_only_my_trash(world: World) -> None:
    me = world.value("SELECT owner_id FROM email_threads WHERE is_trashed = 1 GROUP BY owner_id ORDER BY COUNT(*) DESC")
    spam = world.value("SELECT id FROM email_threads WHERE owner_id = ? AND is_trashed = 0 LIMIT 1", me)
    world.ok(me, "email", "mark_thread_spam", thread_id=spam)
    assert spam not in {e["thread_id"] for e in world.all_pages(me, "email", "search_emails")}
    trashed = world.value("SELECT COUNT(*) FROM email_threads WHERE owner_id = ? AND is_trashed = 1", me)
    others = world.value("SELECT COUNT(*) FROM email_threads WHERE owner_id != ?", me)
    assert world.ok(me, "email", "empty_trash")["deleted_threads"] == trashed > 0
    assert not world.all_pages(me, "email", "show_threads", folder="trash")
    assert world.value("SELECT COUNT(*) FROM email_threads WHERE owner_id != ?", me) == others
    orphans = (
        "SELECT COUNT(*) FROM email_messages m "
        "WHERE NOT EXISTS (SELECT 1 FROM email_threads t WHERE t.id = m.thread_id)"
    )
    assert world.value(orphans) == 0


def test_mark_one_email_read(world: World) -> None:
    email_id, me = world.conn.execute("SELECT id, owner_id FROM email_messages WHERE is_read = 0 LIMIT 1").fetchone()
    world.ok(me, "email", "mark_email_read", email_id=email_id)
    assert world.ok(me, "email", "show_email", email_id=email_id)["is_read"]
    assert world.call(me, "email", "mark_email_read", email_id=email_id)[0] == 409
    world.ok(me, "email", "mark_email_read", email_id=email_id, is_read=False)
    assert world.value("SELECT is_read FROM email_messages WHERE id = ?", email_id) == 0


def test_search_and_thread_filters_agree_with_the_db(world: World) -> None:
    me, other = pair(world)
    sender = email_of(world, other)
    from_them = world.all_pages(me, "email", "search_emails", sender_email=sender.upper(), sort_by="sent_at")
    expected = world.value(
        "SELECT COUNT(*) FROM email_messages m JOIN email_threads t ON t.id = m.thread_id "
        "WHERE m.owner_id = ? AND m.sender_id = ? AND t.is_trashed = 0 AND t.is_spam = 0",
        me,
        other,
    )
    assert len(from_them) == expected > 0 and [e["sent_at"] for e in from_them] == sorted(
        e["sent_at"] for e in from_them
    )
    to_them = world.all_pages(me, "email", "search_emails", recipient_email=sender)
    assert to_them and all(sender in e["recipients"] + e["cc"] for e in to_them)
    unread = world.all_pages(me, "email", "search_emails", unread_only=True, sent_after="2026-04-01")
    assert all(not e["is_read"] and e["sent_at"] >= "2026-04-01" for e in unread)
    label = world.value("SELECT name FROM email_labels WHERE owner_id = ? ORDER BY id LIMIT 1", me)
    labelled = world.all_pages(me, "email", "search_emails", label=label)
    threads = {t["thread_id"] for t in world.all_pages(me, "email", "show_threads", folder="all", label=label)}
    assert {e["thread_id"] for e in labelled} == threads
    with_files = world.all_pages(me, "email", "show_threads", folder="all", has_attachment=True, sender_email=sender)
    assert all(t["has_attachments"] and sender in t["participants"] for t in with_files)
    oldest = world.all_pages(me, "email", "show_threads", folder="all", sort_by="last_sent_at")
    assert [t["last_sent_at"] for t in oldest] == sorted(t["last_sent_at"] for t in oldest)


def test_address_book(world: World) -> None:
    me, other = pair(world)
    made = world.ok(me, "email", "add_email_contact", name="Pat Quill", email="pat@quill.org", notes="printer guy")
    assert world.call(me, "email", "add_email_contact", name="Pat again", email="PAT@quill.org")[0] == 409
    assert world.call(me, "email", "add_email_contact", name="Nobody", email="not-an-address")[0] == 422
    (found,) = world.ok(me, "email", "show_email_contacts", query="printer")
    assert found["email_contact_id"] == made["email_contact_id"] and not found["is_favorite"]
    world.ok(me, "email", "update_email_contact", email_contact_id=made["email_contact_id"], is_favorite=True)
    favourites = world.all_pages(me, "email", "show_email_contacts", favorites_only=True)
    assert made["email_contact_id"] in [c["email_contact_id"] for c in favourites]
    world.ok(me, "email", "delete_email_contact", email_contact_id=made["email_contact_id"])
    assert world.call(me, "email", "show_email_contact", email_contact_id=made["email_contact_id"])[0] == 404
    theirs = world.value("SELECT id FROM email_contacts WHERE owner_id = ? LIMIT 1", other)
    assert world.call(me, "email", "delete_email_contact", email_contact_id=theirs)[0] == 404


def test_filters_apply_their_action_to_matching_threads_only(world: World) -> None:
    me, other = pair(world)
    label = world.ok(me, "email", "create_label", name="From them")["label_id"]
    made = world.ok(me, "email", "create_filter", from_address=email_of(world, other), action="label", label_id=label)
    changed = world.ok(me, "email", "apply_filter", filter_id=made["filter_id"])["changed_threads"]
    mine = world.all_pages(me, "email", "show_threads", folder="all", sender_email=email_of(world, other))
    labelled = world.all_pages(me, "email", "show_threads", folder="all", label="From them")
    assert changed == len(mine) == len(labelled) > 0
    assert world.ok(me, "email", "apply_filter", filter_id=made["filter_id"])["changed_threads"] == 0
    assert world.call(me, "email", "create_filter", action="archive")[0] == 422  # no criterion
    assert world.call(me, "email", "create_filter", action="star", subject_contains="x", label_id=label)[0] == 422
    world.ok(me, "email", "delete_label", label_id=label)
    assert world.call(me, "email", "apply_filter", filter_id=made["filter_id"])[0] == 409
    world.ok(me, "email", "delete_filter", filter_id=made["filter_id"])
    assert made["filter_id"] not in [f["filter_id"] for f in world.all_pages(me, "email", "show_filters")]


def test_signature_and_vacation_reply(world: World) -> None:
    me, other = pair(world)
    world.ok(me, "email", "update_email_settings", signature="Yours, Me")
    sent = world.ok(
        me, "email", "send_email", recipients=[email_of(world, other)], subject="Sig", body="Hi", include_signature=True
    )
    assert world.ok(me, "email", "show_email", email_id=sent["email_id"])["body"] == "Hi\n\n-- \nYours, Me"
    status, body = world.call(
        other, "email", "update_email_settings", vacation_start="2026-05-20", vacation_end="2026-05-01"
    )
    assert status == 422 and "'vacation_end'" in body["message"]
    world.ok(
        other,
        "email",
        "update_email_settings",
        vacation_enabled=True,
        vacation_message="Back on Monday.",
        vacation_start="2026-05-10",
        vacation_end="2026-05-25",
    )
    assert world.ok(other, "email", "show_email_settings")["vacation_running_now"]
    asked = world.ok(
        me, "email", "send_email", recipients=[email_of(world, other)], subject="Away?", body="Are you there?"
    )
    thread = world.ok(me, "email", "show_thread", thread_id=asked["thread_id"])
    assert [e["sender"]["email"] for e in thread["emails"]] == [email_of(world, me), email_of(world, other)]
    assert "Back on Monday." in thread["emails"][1]["body"] and thread["unread_count"] == 1


def test_no_generated_vacation_reply_runs_so_sending_never_answers_itself(world: World) -> None:
    """Generated vacations have ended or are yet to come: a task that sends mail gets no auto-reply unasked."""
    running = "vacation_enabled = 1 AND vacation_start <= '2026-05-18' AND vacation_end >= '2026-05-18'"
    assert world.value(f"SELECT COUNT(*) FROM email_settings WHERE {running}") == 0
    away = world.value("SELECT owner_id FROM email_settings WHERE vacation_enabled = 1 ORDER BY owner_id LIMIT 1")
    me = world.value("SELECT MIN(id) FROM people WHERE id != ?", away)
    assert not world.ok(away, "email", "show_email_settings")["vacation_running_now"]
    sent = world.ok(me, "email", "send_email", recipients=[email_of(world, away)], subject="Hello", body="Hi")
    assert world.ok(me, "email", "show_thread", thread_id=sent["thread_id"])["email_count"] == 1
