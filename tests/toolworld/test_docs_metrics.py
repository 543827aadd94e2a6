"""The README's API table is current, its ToolWorld example runs, and the command line works."""

from __future__ import annotations

import json

import pytest

from envs.toolworld.docs import README, api_table


def test_readme_api_table_is_current() -> None:
    assert api_table() in README.read_text(), (
        "README's ToolWorld API table is stale: run `python -m envs.toolworld docs`"
    )


def test_command_line_lists_shows_and_solves(capsys: pytest.CaptureFixture[str]) -> None:
    from envs.toolworld.__main__ import main

    assert main(["tasks", "--split", "test_challenge", "--variants", "1"]) == 0
    listed = capsys.readouterr().out
    assert "notes_create_list_0" in listed and "_1 " not in listed
    assert main(["show", "phone_count_relationship_0"]) == 0
    shown = capsys.readouterr().out
    assert "How many contacts" in shown and "Oracle solution:" in shown and "complete_task(answer=len(found))" in shown
    assert main(["solve", "phone_text_relation_0"]) == 0
    solved = json.loads(capsys.readouterr().out)
    assert solved["reward"] == 1.0 and solved["tests"] and all(t["passed"] for t in solved["tests"])
    with pytest.raises(SystemExit) as exited:
        main(["show"])
    assert exited.value.code == 2 and "the following arguments are required: task_id" in capsys.readouterr().err


def test_readme_example_loop_runs(capsys: pytest.CaptureFixture[str]) -> None:
    import re

    section = README.read_text().split("## ToolWorld", 1)[1]
    code = re.search(r"```python\n(.+?)```", section, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "README.md ToolWorld example", "exec"), namespace)
    namespace["env"].close()
    printed = capsys.readouterr().out
    assert "search_contacts" in printed  # the example lists the phone app's APIs
