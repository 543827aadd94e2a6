"""Hostile inputs to ToolWorld's API layer and to the env's action check.

An agent controls every argument of every API call and the action text
itself. Whatever it sends must end in a clear 4xx answer or a refused action,
never a 500, an exception out of `env.step`, unbounded memory or unbounded
work in one call; and knowing the source must not let it forge a login token.
The API sweeps go through `ApiServer.call`, exactly what the env runs for a
call that arrives from the worker, so every declared API is covered at once.
"""

from __future__ import annotations

import tracemalloc
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from envs.mle.env import MLECompetitionEnv
from envs.mle.prepare import prepare
from envs.toolworld import env as env_module
from envs.toolworld.api import (
    ACCESS_TOKEN,
    MAX_STORED_CHARS,
    MAX_TEXT_CHARS,
    QUERY_MAX_CHARS,
    ApiSpec,
    Param,
    _base_type,
    make_token,
)
from envs.toolworld.apps import all_apps
from envs.toolworld.apps._file_system_text import COMPARE_MAX_LINES
from envs.toolworld.env import EPISODE_REPLY_BYTES, EPISODE_STORAGE_BYTES, ToolWorldEnv
from envs.toolworld.server import ApiServer

TASK = "phone_reply_latest_0"
DEEP = 100_000


def nested(depth: int, leaf: Any = 0, as_dict: bool = False) -> Any:
    value = leaf
    for _ in range(depth):
        value = {"k": value} if as_dict else [value]
    return value


class LyingStr(str):
    """Claims to be short and equal to everything; hashes like a declared parameter name."""

    def __len__(self) -> int:
        return 1

    def __eq__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return hash("page_index")

    def __str__(self) -> str:
        return "x"


class LyingInt(int):
    def __lt__(self, other: object) -> bool:
        return False

    def __gt__(self, other: object) -> bool:
        return False

    def __int__(self) -> int:
        return 1


class LyingFloat(float):
    def __float__(self) -> float:
        return 1.0


class LyingList(list):
    def __len__(self) -> int:
        return 0

    def __iter__(self) -> Iterator[Any]:
        return iter([])


#: Values no declared parameter accepts: each must be a 422 naming the parameter.
REFUSED: dict[str, Any] = {
    "nan": float("nan"),
    "inf": float("inf"),
    "minus_inf": float("-inf"),
    "int_2_80": 2**80,
    "minus_int_2_80": -(2**80),
    "lying_nan_float": LyingFloat("nan"),
    "lying_huge_int": LyingInt(2**80),
    "huge_string": "x" * 1_000_000,
    "lying_huge_string": LyingStr("x" * 1_000_000),
    "lone_surrogate": "a\ud800b",
    "deep_list": nested(DEEP),
    "deep_dict": nested(DEEP, as_dict=True),
    "huge_list": ["x"] * 1_000_000,
    "lying_huge_list": LyingList(["x"] * 1_000_000),
    "object": object(),
    "bytes": b"abc",
    "set": {1, 2},
    "non_string_key": {1: "a"},
}


@pytest.fixture(scope="module")
def env() -> Iterator[ToolWorldEnv]:
    environment = ToolWorldEnv(split="train", step_timeout_s=5.0, max_steps=20, sandbox="rlimit")
    environment.reset(options={"task_id": TASK})
    yield environment
    environment.close()


def server(env: ToolWorldEnv) -> ApiServer:
    assert env.server is not None
    return env.server


def login(env: ToolWorldEnv, app: str) -> str:
    srv = server(env)
    passwords = {a["account_name"]: a["password"] for a in srv.call("supervisor", "show_account_passwords")[1]}
    email = srv.call("supervisor", "show_profile")[1]["email"]
    status, body = srv.call(app, "login", [], {"username": email, "password": passwords[app]})
    assert status == 200, body
    return body["access_token"]


def plausible(param: Param) -> Any:
    """A value that passes the declaration, for the parameters a sweep is not attacking."""
    base, spec = _base_type(param.type), param.spec
    if typing.get_origin(base) is typing.Literal:
        return typing.get_args(base)[0]
    if typing.get_origin(base) is list:
        return ["x"] * (spec.min_length or 0)
    if base in (int, float):
        return base(spec.ge if spec.ge is not None else 1)
    return {str: "x" * (spec.min_length or 1), bool: False, dict: {}}.get(base, "x")


def every_parameter() -> list[tuple[ApiSpec, Param]]:
    return [(spec, p) for app in all_apps().values() for spec in app.apis.values() for p in spec.all_params()]


def arguments(env: ToolWorldEnv, spec: ApiSpec, target: Param, value: Any, tokens: dict[str, str]) -> dict[str, Any]:
    """Every required parameter filled (with a real token), and `target` set to `value`."""
    out: dict[str, Any] = {}
    for p in spec.all_params():
        if p is target:
            out[p.name] = value
        elif p is ACCESS_TOKEN:
            out[p.name] = tokens.setdefault(spec.app, login(env, spec.app))
        elif p.required:
            out[p.name] = plausible(p)
    return out


# --- 1. login tokens ----------------------------------------------------------------------------------------


def test_a_token_for_another_user_cannot_be_computed_from_the_source(env: ToolWorldEnv) -> None:
    """The agent knows make_token and every constant in the source; another user's token still fails."""
    srv = server(env)
    mine = login(env, "phone")
    me = int(mine[28:], 16)
    victim = me + 1
    public_keys = ["", "toolworld", f"toolworld:{env.world_seed}", str(env.world_seed), "secret", "trainfree"]
    for key in public_keys:
        forged = make_token(key, "phone", victim)
        status, body = srv.call("phone", "show_account", [], {"access_token": forged})
        assert status == 401, (key, body)
    assert srv.call("phone", "show_account", [], {"access_token": mine})[0] == 200


def test_each_env_signs_with_its_own_key(env: ToolWorldEnv) -> None:
    """Two envs on the same world: a token from one is refused by the other (no shared constant key)."""
    other = ToolWorldEnv(split="train", max_steps=3, spare_worker=False, sandbox="rlimit")
    try:
        other.reset(options={"task_id": TASK})
        token = login(env, "phone")
        assert server(other).call("phone", "show_account", [], {"access_token": token})[0] == 401
        assert server(env).call("phone", "show_account", [], {"access_token": token})[0] == 200
    finally:
        other.close()


# --- 2, 5. hostile values for every declared parameter ---------------------------------------------------------


@pytest.mark.parametrize("name", list(REFUSED))
def test_every_parameter_of_every_api_refuses_a_hostile_value_with_a_422(env: ToolWorldEnv, name: str) -> None:
    srv, tokens, failures = server(env), {}, []
    for spec, param in every_parameter():
        if spec.name == "complete_task":
            continue  # would end the episode for the other sweeps; its answer is tested below
        status, body = srv.call(spec.app, spec.name, [], arguments(env, spec, param, REFUSED[name], tokens))
        if status != 422 or f"'{param.name}" not in body["message"] or len(body["message"]) > 1_000:
            failures.append(f"{spec.app}.{spec.name}({param.name}): {status} {str(body)[:200]}")
    assert not failures, f"{len(failures)} parameters let {name} through, e.g. {failures[:5]}"


@pytest.mark.parametrize("name", list(REFUSED))
def test_a_hostile_answer_is_refused_and_the_task_stays_open(name: str) -> None:
    environment = ToolWorldEnv(split="train", max_steps=3, spare_worker=False, sandbox="rlimit")
    try:
        environment.reset(options={"task_id": TASK})
        status, body = server(environment).call("supervisor", "complete_task", [], {"answer": REFUSED[name]})
        assert status == 422 and "'answer" in body["message"], body
        assert environment.session["completed"] is None
    finally:
        environment.close()


# Days and times at the ends of Python's date range: arithmetic on them overflows.
DATE_EDGES = ["0001-01-01", "9999-12-31", "0001-01-01T00:00", "9999-12-31T23:59"]


def test_values_within_the_declaration_never_make_a_server_error(env: ToolWorldEnv) -> None:
    """The edges of every declared type (64-bit ints, extreme floats, longest strings, odd text) reach the
    implementations; whatever they do with them, the answer is never a 500."""
    edges: dict[Any, list[Any]] = {
        int: [2**63 - 1, -(2**63), 0, -1],
        float: [1e308, -1e308, 5e-324, -0.0],
        str: ["", "\x00", "..", "/", "%_'\"", "x" * MAX_TEXT_CHARS, "1e400", *DATE_EDGES],
        bool: [True],
        dict: [{"a": 1e308}, {"": [[["x"]]]}],
    }
    srv, tokens, failures = server(env), {}, []
    for spec, param in every_parameter():
        if spec.name == "complete_task" or param is ACCESS_TOKEN:
            continue
        base = _base_type(param.type)
        values = edges.get(base, [[""] * 50] if typing.get_origin(base) is list else [])
        for value in values:
            status, body = srv.call(spec.app, spec.name, [], arguments(env, spec, param, value, tokens))
            if status >= 500:
                failures.append(f"{spec.app}.{spec.name}({param.name}={str(value)[:20]!r}): {body}")
    assert not failures, f"{len(failures)} server errors, e.g. {failures[:5]}"


def test_a_deep_answer_cannot_break_the_episode_end(env: ToolWorldEnv) -> None:
    """A nested answer (a deep one is refused at the call) is judged and reported without recursion trouble."""
    environment = ToolWorldEnv(split="train", max_steps=3, spare_worker=False, sandbox="rlimit")
    try:
        environment.reset(options={"task_id": TASK})
        assert server(environment).call("supervisor", "complete_task", [], {"answer": nested(DEEP)})[0] == 422
        answer = "[" * 7 + "'x' * 1000" + "]" * 7
        _, _, terminated, _, info = environment.step(f"apis.supervisor.complete_task(answer={answer})")
        assert terminated and info["success"] is False and len(str(info["evaluation"])) < 20_000
    finally:
        environment.close()


def test_malformed_calls_from_the_pipe_are_answered(env: ToolWorldEnv) -> None:
    """What the worker can put on the pipe besides well-formed calls: odd paths, odd argument containers."""
    for path in ([], ["a"] * 100_000, [1, 2], [nested(50), "x"], ["x" * 1_000_000, "login"]):
        ok, _, error = env._serve(path, [], {})
        assert not ok and "404" in error and len(error) < 1_000
    srv = server(env)
    for args, kwargs in (({"a": 1}, {}), ([], [1]), ([], {1: 2}), ([], {LyingStr("page_index"): 1})):
        status, body = srv.call("phone", "show_account", args, kwargs)
        assert status in (401, 422) and len(body["message"]) < 1_000, body


# --- 3, 4. bounded size and cost per call, bounded storage per episode --------------------------------------


def test_one_call_cannot_carry_more_than_the_declared_size(env: ToolWorldEnv) -> None:
    """Many strings each within the per-string bound still add up past the per-call bound: refused."""
    token = login(env, "email")
    attachments = [{"file_name": f"f{i}.txt", "content": "x" * (MAX_TEXT_CHARS - 10)} for i in range(100)]
    status, body = server(env).call(
        "email",
        "send_email",
        [],
        {"access_token": token, "recipients": ["a@b.c"], "subject": "s", "body": "b", "attachments": attachments},
    )
    assert status == 422 and "too large" in body["message"], body


def test_every_search_query_is_bounded(env: ToolWorldEnv) -> None:
    """Search words are matched against every row: a query's length is bounded in every declaration."""
    queries = [(spec, p) for spec, p in every_parameter() if p.name == "query"]
    assert len(queries) >= 10
    tokens: dict[str, str] = {}
    for spec, param in queries:
        long_query = "e " * QUERY_MAX_CHARS
        status, body = server(env).call(spec.app, spec.name, [], arguments(env, spec, param, long_query, tokens))
        assert status == 422 and "'query'" in body["message"], (spec.name, body)


def test_an_episode_cannot_grow_the_world_past_its_storage_bound() -> None:
    environment = ToolWorldEnv(split="train", max_steps=3, spare_worker=False, sandbox="rlimit")
    try:
        environment.reset(options={"task_id": TASK})
        token, srv, conn = login(environment, "file_system"), server(environment), environment.conn
        assert conn is not None
        start = conn.execute("PRAGMA page_count").fetchone()[0] * 4096
        status, body = 200, {}
        for i in range(4 * EPISODE_STORAGE_BYTES // MAX_TEXT_CHARS):
            kwargs = {"access_token": token, "path": f"/documents/f{i}.txt", "content": "x" * MAX_TEXT_CHARS}
            status, body = srv.call("file_system", "create_file", [], kwargs)
            if status != 200:
                break
        assert status == 507 and "storage" in body["message"], body
        grown = conn.execute("PRAGMA page_count").fetchone()[0] * 4096 - start
        assert grown <= EPISODE_STORAGE_BYTES
        # reading and deleting still work, so the agent can recover
        deleted = srv.call("file_system", "delete_file", [], {"access_token": token, "path": "/documents/f0.txt"})
        assert deleted[0] == 200
    finally:
        environment.close()


def test_no_stored_text_outgrows_its_bound_however_it_is_built(env: ToolWorldEnv) -> None:
    """Appends and archives build texts from many small arguments; the write itself is bounded."""
    token, srv = login(env, "file_system"), server(env)
    path, chunk = "/documents/grown.txt", "y" * (MAX_TEXT_CHARS - 1)
    assert srv.call("file_system", "create_file", [], {"access_token": token, "path": path, "content": chunk})[0] == 200
    status, body = 200, {}
    for _ in range(MAX_STORED_CHARS // len(chunk) + 1):
        status, body = srv.call(
            "file_system", "append_to_file", [], {"access_token": token, "path": path, "content": chunk}
        )
        if status != 200:
            break
    assert status == 413 and f"{MAX_STORED_CHARS:,}" in body["message"], body
    shown = srv.call("file_system", "show_file", [], {"access_token": token, "path": path})[1]
    assert len(shown["content"]) <= MAX_STORED_CHARS
    srv.call("file_system", "delete_file", [], {"access_token": token, "path": path})


def test_reading_a_big_page_in_a_loop_cannot_fill_the_env_with_recorded_replies() -> None:
    """Every reply is kept for replays: past the episode's reply budget the calls get a 429."""
    environment = ToolWorldEnv(split="train", max_steps=3, spare_worker=False, sandbox="rlimit")
    try:
        environment.reset(options={"task_id": TASK})
        token, path = login(environment, "file_system"), "/documents/big.txt"
        server(environment).call(
            "file_system", "create_file", [], {"access_token": token, "path": path, "content": "z" * 90_000}
        )
        environment._recording = recorded = []  # as during a step
        error = ""
        for _ in range(2 * EPISODE_REPLY_BYTES // 90_000):
            ok, _, error = environment._serve(["file_system", "show_file"], [], {"access_token": token, "path": path})
            if not ok:
                break
        assert "429" in error and "replies passed" in error, error
        assert sum(len(str(call["reply"])) for call in recorded) <= EPISODE_REPLY_BYTES * 1.1
    finally:
        environment._recording = None
        environment.close()


def test_recorded_replies_hold_about_their_budget_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reply budget counts JSON characters, so records keep that text: pages of many small items, kept
    decoded, held ~6x their JSON in Python objects (64 MB of them grew the env by 380 MB, and get_state took
    2.95 s to copy them); a restore still replays them exactly."""
    budget = 4 * 2**20
    monkeypatch.setattr(env_module, "EPISODE_REPLY_BYTES", budget)
    environment = ToolWorldEnv(split="train", max_steps=3, spare_worker=False, sandbox="rlimit")
    try:
        environment.reset(options={"task_id": TASK})
        token, path = login(environment, "file_system"), "/documents/short_lines.txt"
        server(environment).call(
            "file_system", "create_file", [], {"access_token": token, "path": path, "content": "\n".join("a" * 300)}
        )
        lines = {"access_token": token, "path": path, "line_count": 200}
        environment._recording = recorded = []  # as during a step
        tracemalloc.start()
        try:
            while environment._serve(["file_system", "show_file_lines"], [], lines)[0]:
                pass
            held = tracemalloc.get_traced_memory()[0]
        finally:
            tracemalloc.stop()
        assert held < 1.5 * budget, f"{held / 2**20:.0f} MB held for {budget / 2**20:.0f} MB of replies"
        environment._recording = None
        replayed = f"for _ in range({len(recorded) - 1}):\n    r = apis.file_system.show_file_lines()\n"
        environment.steps.append(env_module.StepRecord(replayed + "apis.file_system.show_file_lines()", "", recorded))
        environment.set_state(environment.get_state())
        assert environment.step("print(r['lines'][-1])")[0]["history"][-1]["output"] == (
            "{'line_number': 200, 'line': 'a'}\n"
        )
    finally:
        environment._recording = None
        environment.close()


T = TypeVar("T")


def with_peak_memory(call: Callable[[], T]) -> tuple[T, int]:
    """What `call` returns, and the peak of Python memory it traced (bytes)."""
    tracemalloc.start()
    try:
        return call(), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_double_bookings_are_counted_not_built() -> None:
    """n overlapping occurrences make n(n-1)/2 pairs: 60 daily events of 28 days each (a step makes 1,000 calls)
    made show_conflicts build ~1.7M pairs for a page of 20 (1.4 s and 320 MB in the env; 120 events: 5.4 s and
    1.3 GB). Only the page is built, the rest counted."""
    environment = ToolWorldEnv(split="train", max_steps=3, spare_worker=False, sandbox="rlimit")
    try:
        environment.reset(options={"task_id": TASK})
        token, srv = login(environment, "calendar"), server(environment)
        month = {"start": "2026-06-01T00:00:00", "end": "2026-06-29T00:00:00", "recurrence": "daily"}
        for _ in range(60):
            assert srv.call("calendar", "create_event", [], {"access_token": token, "title": "x", **month})[0] == 200
        window = {"access_token": token, "date_from": "2026-06-01", "date_to": "2026-06-30", "page_limit": 20}
        (status, body), peak = with_peak_memory(lambda: srv.call("calendar", "show_conflicts", [], window))
        assert status == 200 and len(body) == 20, (status, str(body)[:200])
        assert srv.last_page is not None and srv.last_page.total > 1_000_000
        assert peak < 32 * 2**20, f"{peak / 2**20:.0f} MB for a page of 20 pairs"
    finally:
        environment.close()


def test_a_content_search_builds_only_its_page() -> None:
    """Each stored line can be a match: 33 files of 50,000 one-letter lines (within the storage bound) made
    search_file_contents build 1.65M matches for a page of 20, +380 MB of env RSS in one call."""
    environment = ToolWorldEnv(split="train", max_steps=3, spare_worker=False, sandbox="rlimit")
    try:
        environment.reset(options={"task_id": TASK})
        token, srv = login(environment, "file_system"), server(environment)
        for i in range(10):
            created = {"access_token": token, "path": f"/documents/lines_{i}.txt", "content": "\u0101\r" * 50_000}
            assert srv.call("file_system", "create_file", [], created)[0] == 200
        search = {
            "access_token": token,
            "text": "\u0101",
            "directory": "/documents",
            "extension": "txt",
            "page_index": 3,
        }
        (status, body), peak = with_peak_memory(lambda: srv.call("file_system", "search_file_contents", [], search))
        assert status == 200 and [hit["line_number"] for hit in body] == list(range(16, 21)), str(body)[:200]
        assert srv.last_page is not None and srv.last_page.total >= 500_000
        assert peak < 32 * 2**20, f"{peak / 2**20:.0f} MB for a page of 5 matches"
    finally:
        environment.close()


def test_a_deeply_nested_archive_file_is_refused_not_a_crash(env: ToolWorldEnv) -> None:
    token, srv = login(env, "file_system"), server(env)
    path = "/documents/deep.zip"
    for content in ("[" * 15_000, '{"a": [1]}'):
        created = srv.call("file_system", "create_file", [], {"access_token": token, "path": path, "content": content})
        assert created[0] == 200
        listing = {"access_token": token, "archive_path": path}
        status, body = srv.call("file_system", "show_archive_contents", [], listing)
        assert status == 422 and "not a valid archive" in body["message"], body
        srv.call("file_system", "delete_file", [], {"access_token": token, "path": path})


@pytest.mark.parametrize("separator", ["\n", "\r", "\x0b", "\x1e", "\x85", "\u2028"])
def test_files_too_long_to_compare_are_refused_whatever_ends_their_lines(env: ToolWorldEnv, separator: str) -> None:
    """The diff splits on every line boundary Python knows: counting only newlines let two files of 50,000
    "\\r"-ended lines through, a diff of 5.6 s in the env for one call (past any step time limit)."""
    token, srv = login(env, "file_system"), server(env)
    paths = ["/documents/many_lines_a.txt", "/documents/many_lines_b.txt"]
    for path in paths:
        content = separator.join(chr(0x100 + i % 120) for i in range(COMPARE_MAX_LINES + 1))
        srv.call("file_system", "create_file", [], {"access_token": token, "path": path, "content": content})
    try:
        status, body = srv.call(
            "file_system", "compare_files", [], {"access_token": token, "path": paths[0], "other_path": paths[1]}
        )
        assert status == 422 and "too many to compare" in body["message"], (status, str(body)[:200])
    finally:
        for path in paths:
            srv.call("file_system", "delete_file", [], {"access_token": token, "path": path})


# --- 6. an action that lies about its length -----------------------------------------------------------------


class LyingAction(str):
    """A huge action whose methods all describe a tiny harmless one."""

    def __len__(self) -> int:
        return 8

    def __str__(self) -> str:
        return "print(1)"

    def __getitem__(self, key: Any) -> str:
        return "print(1)"

    def __iter__(self) -> Iterator[str]:
        return iter("print(1)")

    def strip(self, chars: str | None = None) -> str:
        return "print(1)"

    def encode(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        return b"print(1)"


HUGE_ACTION = "#" * 10_000_000


def test_toolworld_measures_the_real_length_of_a_str_subclass(env: ToolWorldEnv) -> None:
    obs, _, _, _, _ = env.step(LyingAction(HUGE_ACTION))
    turn = obs["history"][-1]
    assert turn["output"].startswith("Invalid action:") and "10000000 characters" in turn["output"]
    assert type(turn["action"]) is str and len(turn["action"]) <= env.max_action_chars


def test_toolworld_runs_the_characters_of_a_str_subclass_not_its_methods(env: ToolWorldEnv) -> None:
    class Shown(str):
        def __str__(self) -> str:
            return "print('from __str__')"

    obs, _, _, _, _ = env.step(Shown("print('from the characters')"))
    assert "from the characters" in obs["history"][-1]["output"]


def test_a_deep_non_string_action_is_refused_by_type() -> None:
    environment = ToolWorldEnv(split="train", max_steps=3, spare_worker=False, sandbox="rlimit")
    try:
        environment.reset(options={"task_id": TASK})
        obs, _, _, _, _ = environment.step(nested(DEEP))
        assert "expected a string of Python code, got list" in obs["history"][-1]["output"]
    finally:
        environment.close()


def test_mle_measures_a_str_subclass_and_names_a_deep_non_string(tmp_path: Path) -> None:
    prepare("diabetes-progression", tmp_path / "cache")
    mle = MLECompetitionEnv(
        "diabetes-progression", cache_dir=tmp_path / "cache", work_root=tmp_path / "work", max_steps=3
    )
    try:
        mle.reset()
        obs, _, terminated, _, _ = mle.step(LyingAction(HUGE_ACTION))
        assert "over the 200,000 limit" in obs["history"][-1]["output"] and not terminated
        obs, _, terminated, _, _ = mle.step(nested(DEEP))
        assert "expected a Python script as a string, got list" in obs["history"][-1]["output"] and not terminated
    finally:
        mle.close()


@pytest.mark.timeout(60)  # a hang guard, not a speed target: the quadratic scan took hours on this input
def test_the_pagination_rule_stays_linear_in_the_pages_an_agent_reads() -> None:
    """Agent code decides how many pages it reads (up to the call budget on every step); the end-of-episode
    diagnosis must not blow up with them."""
    from envs.toolworld.pages import PageRead, missed_apis

    reads = [PageRead.of_call("phone.search_contacts", {"q": i % 50}, 0, 5, 12) for i in range(300_000)]
    assert missed_apis(reads) == {"phone.search_contacts"}
    reads.append(PageRead.of_call("phone.search_contacts", {"q": 0}, 2, 5, 12))
    assert missed_apis(reads) == {"phone.search_contacts"}  # 49 other lists are still left after page 0
