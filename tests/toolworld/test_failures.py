"""The failure-category guess picks the evident cause of a failed episode."""

from __future__ import annotations

import pytest

from envs.toolworld.env import ToolWorldEnv
from envs.toolworld.evaluate import TestResult
from envs.toolworld.failures import CATEGORIES, guess_failure
from envs.toolworld.pages import PageRead, missed_apis, paged_apis

from .conftest import LOGIN_PHONE

FAILED = [
    TestResult("the task is completed with status 'success'", True),
    TestResult("a text is sent", False, "expected 1 new texts, found 0"),
]


def turn(output: str, action: str = "x") -> dict[str, str]:
    return {"action": action, "output": output}


@pytest.mark.parametrize(
    ("outputs", "expected"),
    [
        (
            [
                "Execution failed. Traceback:\n"
                'Exception: Response status code is 401:\n{"message": "Invalid access_token"}'
            ],
            "auth",
        ),
        (
            [
                "Execution failed. Traceback:\n"
                "Exception: Response status code is 404:\n"
                "{\"message\": \"No API named 'fly' in app 'phone'\"}"
            ],
            "missing/wrong API",
        ),
        (
            [
                "Execution failed. Traceback:\n"
                "Exception: Response status code is 422:\n"
                '{"message": "Invalid argument \'time\'"}'
            ],
            "wrong arguments",
        ),
        (["Execution failed. TimeoutError: the code ran longer than 10 s and was stopped."], "loop"),
        (['Execution failed. Traceback:\n  File "<step 1>", line 1\nSyntaxError: invalid syntax'], "formatting"),
        (["Execution failed. Traceback:\nKeyError: 'email'"], "runtime error"),
        (["42\n"], "reasoning"),
    ],
)
def test_last_error_decides(outputs: list[str], expected: str) -> None:
    assert guess_failure([turn(o, action=str(i)) for i, o in enumerate(outputs)], FAILED, completed=True) == expected


def test_a_missed_page_is_pagination_whatever_else_went_wrong_and_repeats_are_a_loop() -> None:
    error = [turn("Execution failed. Traceback:\nKeyError: 'x'")]
    assert guess_failure(error, FAILED, completed=True, missed_pages={"phone.search_contacts"}) == "pagination"
    assert guess_failure(error, FAILED, completed=True) == "runtime error"
    assert guess_failure([turn("ok", "same")] * 3, FAILED, completed=False) == "loop"
    assert set(CATEGORIES) >= {"pagination", "auth", "context length", "other"}


def test_env_reports_auth_failure_category() -> None:
    env = ToolWorldEnv(split="train", max_steps=2)
    try:
        env.reset(options={"task_id": "phone_text_all_of_kind_0"})
        env.step("apis.phone.show_alarms(access_token='stale')")
        _, _, _, truncated, info = env.step("print('giving up')")
        assert truncated and info["evaluation"]["failure_category"] == "auth"
    finally:
        env.close()


def test_link_rows_conflict_and_missing(env: ToolWorldEnv) -> None:
    env.reset(options={"task_id": "music_follow_most_played_0"})
    login = LOGIN_PHONE.replace("phone", "music")
    env.step(login)
    out = env.step(
        "liked = {x['song_id'] for x in apis.music.show_liked_songs(access_token=token, page_limit=20)}\n"
        "s = next(x['song_id'] for x in apis.music.search_songs(page_limit=20) if x['song_id'] not in liked)\n"
        "print(apis.music.like_song(access_token=token, song_id=s))\n"
        "apis.music.like_song(access_token=token, song_id=s)"
    )[0]["history"][-1]["output"]
    assert "Song liked." in out and "Response status code is 409" in out and "already like" in out
    out = env.step(
        "apis.music.unlike_song(access_token=token, song_id=s)\napis.music.unlike_song(access_token=token, song_id=s)"
    )[0]["history"][-1]["output"]
    assert "Response status code is 404" in out and "do not like" in out


def test_a_list_counts_as_read_only_when_a_page_reaching_its_end_was_read() -> None:
    def read(api: str, args: dict, page: int, total: int, limit: int = 5) -> PageRead:
        return PageRead.of_call(api, args, page, limit, total)

    short, long_first, long_last = (
        read("music.show_playlist_songs", {"playlist_id": 1}, 0, 3),
        read("music.show_playlist_songs", {"playlist_id": 2}, 0, 12),
        read("music.show_playlist_songs", {"playlist_id": 2}, 2, 12),
    )
    assert missed_apis([short, long_first]) == {"music.show_playlist_songs"}  # one playlist's songs left unread
    assert missed_apis([short, long_first, long_last]) == set()
    assert missed_apis([long_first, read("music.show_playlist_songs", {"playlist_id": 2}, 0, 3)]) == {
        "music.show_playlist_songs"
    }  # reading the first page again after deleting from the list is not reading on
    assert paged_apis([short, long_first, long_last]) == {"music.show_playlist_songs"}  # 12 > one default page
    assert paged_apis([short]) == set()
    assert read("a.b", {"x": 1}, 0, 9).key != read("a.b", {"x": 2}, 0, 9).key
