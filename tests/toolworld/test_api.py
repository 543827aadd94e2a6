"""Auth, argument validation, pagination and docs behave as a web API would."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import envs.toolworld.apps
from envs.toolworld.api import PAGE_LIMIT_MAX
from envs.toolworld.apps import all_apps
from envs.toolworld.env import ToolWorldEnv

from .conftest import LOGIN_PHONE, run


@pytest.fixture()
def fresh(env: ToolWorldEnv) -> ToolWorldEnv:
    env.reset(options={"task_id": "phone_text_all_of_kind_0"})
    return env


def test_missing_or_wrong_token_is_401(fresh: ToolWorldEnv) -> None:
    out = run(fresh, "apis.phone.show_alarms()")
    assert "Execution failed." in out and "Response status code is 401" in out and "access_token" in out
    out = run(fresh, "apis.phone.show_alarms(access_token='nonsense')")
    assert "Response status code is 401" in out and "login" in out
    out = run(fresh, LOGIN_PHONE + "apis.phone.login(username=me['email'], password='wrong-password')")
    assert "Response status code is 401" in out and "Wrong password" in out
    out = run(fresh, "apis.phone.login(username='nobody@nowhere.org', password='x')")
    assert "Response status code is 401" in out and "No phone account" in out


def test_token_of_one_app_does_not_open_another(fresh: ToolWorldEnv) -> None:
    apps_with_accounts = [a.name for a in all_apps().values() if a.has_accounts and a.name != "phone"]
    if not apps_with_accounts:
        pytest.skip("needs a second app with accounts")
    other = apps_with_accounts[0]
    out = run(fresh, LOGIN_PHONE + f"apis.{other}.show_account(access_token=token)")
    assert "Response status code is 401" in out


def test_bad_arguments_are_422_naming_the_argument(fresh: ToolWorldEnv) -> None:
    run(fresh, LOGIN_PHONE)
    out = run(fresh, "apis.phone.create_alarm(access_token=token, time='7am')")
    assert "Response status code is 422" in out and "'time'" in out
    out = run(fresh, "apis.phone.show_contact(access_token=token, contact_id='seven')")
    assert "422" in out and "'contact_id'" in out and "expected integer" in out
    out = run(fresh, "apis.phone.show_contact(access_token=token, contact_id=0)")
    assert "422" in out and "must be >= 1" in out
    out = run(fresh, "apis.phone.search_contacts(access_token=token, relationship='enemy')")
    assert "422" in out and "'relationship'" in out and "expected one of" in out
    out = run(fresh, "apis.phone.search_contacts(access_token=token, colour='red')")
    assert "422" in out and "Unexpected argument 'colour'" in out
    out = run(fresh, "apis.phone.send_text_message(access_token=token)")
    assert "422" in out and "Missing required argument 'phone_number'" in out


def test_pagination_defaults_and_limits(fresh: ToolWorldEnv) -> None:
    run(
        fresh,
        LOGIN_PHONE
        + (
            "everyone = []\n"
            "page = 0\n"
            "while True:\n"
            "    b = apis.phone.search_contacts(access_token=token, page_index=page, page_limit=20)\n"
            "    everyone += b\n"
            "    if len(b) < 20: break\n"
            "    page += 1"
        ),
    )
    assert run(fresh, "print(len(apis.phone.search_contacts(access_token=token)))").strip() == "5"
    total = int(run(fresh, "print(len(everyone))"))
    assert total > 5
    assert (
        run(fresh, "print(apis.phone.search_contacts(access_token=token, page_index=1) == everyone[5:10])").strip()
        == "True"
    )
    out = run(fresh, f"apis.phone.search_contacts(access_token=token, page_limit={PAGE_LIMIT_MAX + 1})")
    assert "422" in out and "'page_limit'" in out and f"<= {PAGE_LIMIT_MAX}" in out
    assert run(fresh, "print(apis.phone.search_contacts(access_token=token, page_index=999))").strip() == "[]"


def test_unknown_app_or_api_is_404_with_a_pointer(fresh: ToolWorldEnv) -> None:
    out = run(fresh, "apis.nope.do()")
    assert "404" in out and "No app named 'nope'" in out
    out = run(fresh, "apis.phone.fly()")
    assert "404" in out and "No API named 'fly'" in out and "show_api_descriptions" in out


def test_docs_come_from_the_declarations(fresh: ToolWorldEnv) -> None:
    out = run(
        fresh,
        "d = apis.api_docs.show_api_doc(app_name='phone', api_name='search_contacts')\n"
        "print(d['method'], d['path'])\n"
        "print([(p['name'], p['type'], p['required'], p['default'], p['constraints']) for p in d['parameters']])",
    )
    assert out.startswith("GET /phone/contacts")
    assert "('access_token', 'string', True, None, [])" in out
    assert "('page_limit', 'integer', False, 5, ['value >= 1', 'value <= 20'])" in out
    assert "'relationship', 'string', False, None, [\"value in ['friend', 'family', 'coworker', 'roommate']\"]" in out
    names = run(fresh, "print([a['name'] for a in apis.api_docs.show_app_descriptions()])")
    assert names.strip() == str(list(all_apps()))
    hits = run(fresh, "print([h['api_name'] for h in apis.api_docs.search_api_docs(query='send text message')][:1])")
    assert "send_text_message" in hits


def test_a_failed_call_leaves_no_partial_change(fresh: ToolWorldEnv) -> None:
    run(fresh, LOGIN_PHONE + "c = apis.phone.search_contacts(access_token=token)[0]")
    out = run(
        fresh,
        "apis.phone.update_contact("
        "access_token=token, contact_id=c['contact_id'], first_name='Zed', phone_number='12')",
    )
    assert "422" in out
    assert (
        run(
            fresh,
            "print(apis.phone.show_contact(access_token=token, contact_id=c['contact_id'])['first_name']"
            " == c['first_name'])",
        ).strip()
        == "True"
    )


def test_world_has_enough_apis_each_documented() -> None:
    apps = all_apps()
    assert {"supervisor", "api_docs"} <= set(apps)
    for app in apps.values():
        for spec in app.apis.values():
            doc = spec.doc()
            assert doc["description"] and doc["path"].startswith(f"/{app.name}")
            assert all(p["description"] for p in doc["parameters"]), spec.name


def test_blocking_numbers(fresh: ToolWorldEnv) -> None:
    run(fresh, LOGIN_PHONE + "other = apis.phone.search_contacts(access_token=token)[0]['phone_number']")
    assert "blocked" in run(fresh, "print(apis.phone.block_number(access_token=token, phone_number=other)['message'])")
    assert "409" in run(fresh, "apis.phone.block_number(access_token=token, phone_number=other)")
    assert (
        run(
            fresh,
            "print([b['phone_number'] for b in apis.phone.show_blocked_numbers(access_token=token, page_limit=20)]"
            "[-1:] == [other])",  # the newest block comes last, after the ones the world started with
        )
        == "True\n"
    )
    run(fresh, "apis.phone.unblock_number(access_token=token, phone_number=other)")
    assert "404" in run(fresh, "apis.phone.unblock_number(access_token=token, phone_number=other)")


def test_notes_tags_and_duplicates(fresh: ToolWorldEnv) -> None:
    run(fresh, LOGIN_PHONE.replace("phone", "notes") + "n = apis.notes.search_notes(access_token=token)[0]")
    run(fresh, "apis.notes.add_tag_to_note(access_token=token, note_id=n['note_id'], tag='zzz')")
    assert "409" in run(fresh, "apis.notes.add_tag_to_note(access_token=token, note_id=n['note_id'], tag='zzz')")
    assert (
        run(fresh, "print('zzz' in apis.notes.show_note(access_token=token, note_id=n['note_id'])['tags'])") == "True\n"
    )
    run(fresh, "apis.notes.remove_tag_from_note(access_token=token, note_id=n['note_id'], tag='zzz')")
    assert (
        run(fresh, "print(apis.notes.show_note(access_token=token, note_id=n['note_id'])['tags'] == n['tags'])")
        == "True\n"
    )
    out = run(
        fresh,
        "c = apis.notes.duplicate_note(access_token=token, note_id=n['note_id'])['note_id']\n"
        "d = apis.notes.show_note(access_token=token, note_id=c)\n"
        "print(d['title'] == 'Copy of ' + n['title'], d['content'] == n['content'], d['pinned'])",
    )
    assert out == "True True False\n"


def test_a_blocked_sender_cannot_text(fresh: ToolWorldEnv) -> None:
    from envs.toolworld.api import make_token

    server, secret = fresh.server, fresh.server.context.secret
    me = fresh.session["supervisor_id"]
    my_number, other_number = (
        fresh.conn.execute("SELECT phone_number FROM people WHERE id = ?", (pid,)).fetchone()[0] for pid in (me, me + 1)
    )
    assert (
        server.call(
            "phone",
            "block_number",
            kwargs={"access_token": make_token(secret, "phone", me + 1), "phone_number": my_number},
        )[0]
        == 200
    )
    status, body = server.call(
        "phone",
        "send_text_message",
        kwargs={"access_token": make_token(secret, "phone", me), "phone_number": other_number, "message": "hi"},
    )
    assert status == 403 and "has blocked your number" in body["message"]


def test_no_api_writes_the_people_table() -> None:
    """The env reads the observation's context line (the supervisor's name, email, phone) once per episode:
    that holds only while no API changes `people`. Every write in the apps is SQL text or a CallContext
    helper naming its table: of the tables written so (many), none is `people`."""
    writes = re.compile(
        r"(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|UPDATE|DELETE\s+FROM)\s+(\w+)"
        r"|\.(?:insert_unique|delete_existing|update)\(\s*[\"'](\w+)[\"']"
    )
    apps_dir = Path(envs.toolworld.apps.__file__).parent
    written = {sql or helper for path in apps_dir.glob("*.py") for sql, helper in writes.findall(path.read_text())}
    assert len(written) >= 10, f"the scan found too few written tables to be trusted: {written}"
    assert "people" not in written
