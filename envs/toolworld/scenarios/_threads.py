"""A to-do's comment thread as the scenarios on shared todo projects read it: a person's last word on a task,
and whether the person it is handed to said they are on it. Their word is only in show_task_comments, one call per
task, so an agent must read each thread; other people's "Started on it." on the same task is the distractor."""

from __future__ import annotations

from envs.toolworld.scenarios._common import fetch_all
from envs.toolworld.tasks import WorldView

ON_IT = ("Started on it.", "Almost there.")
SAID_ON_IT = "'Started on it.' or 'Almost there.'"  # the rule as an instruction words it


def last_word(view: WorldView, task_id: int, person: int) -> str | None:
    """The text of `person`'s latest comment on the task (the API lists comments in id order), None without one."""
    said = view.rows(
        "SELECT text FROM todo_comments WHERE task_id = ? AND owner_id = ? ORDER BY id DESC LIMIT 1", task_id, person
    )
    return said[0]["text"] if said else None


def on_it(view: WorldView, task_id: int, person: int) -> bool:
    """Whether `person`'s latest comment on the task is in ON_IT."""
    return last_word(view, task_id, person) in ON_IT


def on_it_code(task: str, email: str, target: str, indent: str = "") -> str:
    """Oracle code: `target` = whether the latest comment on `task` by the author with `email` says they are on it."""
    return (
        fetch_all("said", f"apis.todo.show_task_comments(access_token=todo_token, task_id={task}['task_id']", indent)
        + f"{indent}theirs = [c['text'] for c in said if c['author']['email'] == {email}]\n"
        + f"{indent}{target} = bool(theirs) and theirs[-1] in {ON_IT!r}\n"
    )
