"""The email app: per-owner copies of conversations, replies in place, forwards with attachments,
and errors that name the problem."""

from __future__ import annotations

import pytest

from envs.toolworld.env import ToolWorldEnv

from .apps_client import World


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
    world.ok(me, "email", "delete_label", label_id=label)
    assert "Zeta" not in world.ok(me, "email", "show_thread", thread_id=thread["thread_id"])["labels"]
    draft = world.ok(me, "email", "create_draft", recipients=[], subject="Later", body="draft text")["draft_id"]
    assert world.call(me, "email", "send_draft", draft_id=draft)[0] == 409
    world.ok(me, "email", "update_draft", draft_id=draft, recipients=[email_of(world, other)])
    sent = world.ok(me, "email", "send_draft", draft_id=draft)
    assert world.ok(me, "email", "show_thread", thread_id=sent["thread_id"])["emails"][0]["body"] == "draft text"
    assert world.call(me, "email", "delete_draft", draft_id=draft)[0] == 404


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
        greedy = env.oracle_actions()[0].replace("if t['unread_count'] == 0:", "if True:")
        obs, reward, terminated, _, info = env.step(greedy)
        failed = [t["requirement"] for t in info["evaluation"]["tests"] if not t["passed"]]
        if failed:  # this variant's label also holds unread threads: the trap caught the extra archive
            assert reward == 0.0 and failed == ["nothing else in the world is changed"]
            return
    pytest.fail("no variant of email_archive_read_labelled has an unread thread under its label")
