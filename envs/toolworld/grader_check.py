"""Do a task's graders check every clause? Mutate the oracle's end state one effect at a time.

After the oracle has played, every row it changed is one expected effect, and
its answer is one more. A mutant undoes one effect (the row as it was: an
insert removed, a delete restored, an update reverted), alters one (a changed
column given another value; a changed text's first number given a leading 1,
which a grader looking for the number inside the text lets through) or alters the answer (a number moved, a text
changed, one list item dropped or replaced). Each mutant is written into the
world's DB for real and graded by the task's own expectations: a grader that
passes a mutant does not check that part of the instruction. Doing nothing
(completing without an answer) is one more mutant, which must fail on every
task: a no-op-pass task, whose right answer is to change nothing, still asks
for an answer that only reading the world gives (when it did not, 35 of the
786 listed tasks passed with nothing but complete_task()).

Columns the server stamps with the frozen clock (creation and update times)
are not altered: no agent can set them otherwise.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from envs.toolworld.env import EPISODE_STORAGE_BYTES, ToolWorldEnv
from envs.toolworld.evaluate import Outcome, TestResult, evaluate
from envs.toolworld.measure import play_oracle
from envs.toolworld.tasks import Task, load_task
from envs.toolworld.world.build import WORLD_NOW, template_bytes
from envs.toolworld.world.changes import RowChange, net_changes
from envs.toolworld.world.episode_db import EpisodeDB

COMPLETION = "the task is completed with status"
NUMBER = re.compile(r"\d+")
STAMP = WORLD_NOW.date().isoformat()


@dataclass(frozen=True)
class MutantVerdict:
    mutant: str  # what was changed, in words
    failed: list[TestResult]  # the task's tests that failed on it

    @property
    def caught(self) -> bool:
        """Failed, by a test that names what is wrong (not only the completion status)."""
        named = [t for t in self.failed if t.reason and not t.requirement.startswith(COMPLETION)]
        return bool(named)


def check_task(env: ToolWorldEnv, task_id: str) -> list[MutantVerdict]:
    """Play the oracle of `task_id` in `env`, then grade every mutant of its end state."""
    _, info = play_oracle(env, task_id)
    if not info.get("success"):
        raise ValueError(f"the oracle of {task_id} does not succeed: {info.get('evaluation', info)}")
    state = env.get_state()
    task = load_task(task_id, env.world_seed)
    completed = state["session"]["completed"]
    db = EpisodeDB(template_bytes(env.world_seed), EPISODE_STORAGE_BYTES)
    try:
        changes = net_changes(db.start(state["db_changes"]))
        verdicts = [_grade(task, db.start(), {"answer": None, "status": "success"}, "nothing done")]
        for change in changes:
            for mutant, mutate in _row_mutants(change):
                conn = db.start(state["db_changes"])
                try:
                    mutate(conn)
                except sqlite3.IntegrityError:
                    continue  # a state no API could produce (a unique or required column)
                verdicts.append(_grade(task, conn, completed, mutant))
        for mutant, answer in _answer_mutants(completed.get("answer")):
            verdicts.append(_grade(task, db.start(state["db_changes"]), {**completed, "answer": answer}, mutant))
    finally:
        db.close()
    return verdicts


def _grade(task: Task, conn: sqlite3.Connection, completed: dict[str, Any], mutant: str) -> MutantVerdict:
    tests = evaluate(task.spec.expectations, Outcome(net_changes(conn), conn, completed), task.spec.expected_status)
    return MutantVerdict(mutant, [t for t in tests if not t.passed])


Mutation = Callable[[sqlite3.Connection], None]


def _row_mutants(change: RowChange) -> Iterator[tuple[str, Mutation]]:
    table, rowid = change.table, change.row_id
    if change.kind == "insert":
        yield f"{table} row {rowid} not inserted", partial(_delete, table=table, rowid=rowid)
    elif change.kind == "delete":
        yield f"{table} row {rowid} not deleted", partial(_insert, table=table, rowid=rowid, row=change.before or {})
    else:
        reverted = {k: before for k, (before, _) in change.changed_columns().items()}
        yield f"{table} row {rowid} not updated", partial(_set, table=table, rowid=rowid, values=reverted)
    altered = (
        change.changed_columns() if change.kind == "update" else {k: (None, v) for k, v in (change.after or {}).items()}
    )
    for column, (_, value) in altered.items():
        if column == "id" or (isinstance(value, str) and value.startswith(STAMP)):
            continue
        other = _other_value(value)
        yield (
            f"{table} row {rowid}: {column} {value!r} -> {other!r}",
            partial(_set, table=table, rowid=rowid, values={column: other}),
        )
        near = _number_widened(value)
        if near is not None:
            yield (
                f"{table} row {rowid}: {column} {value!r} -> {near!r}",
                partial(_set, table=table, rowid=rowid, values={column: near}),
            )


def _delete(conn: sqlite3.Connection, table: str, rowid: int) -> None:
    conn.execute(f"DELETE FROM {table} WHERE rowid = ?", (rowid,))


def _insert(conn: sqlite3.Connection, table: str, rowid: int, row: dict[str, Any]) -> None:
    columns = ", ".join(["rowid", *row])
    conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * (len(row) + 1))})", (rowid, *row.values()))


def _set(conn: sqlite3.Connection, table: str, rowid: int, values: dict[str, Any]) -> None:
    assignments = ", ".join(f"{k} = ?" for k in values)
    conn.execute(f"UPDATE {table} SET {assignments} WHERE rowid = ?", (*values.values(), rowid))


def _other_value(value: Any) -> Any:
    """A plausible different value of the same type."""
    if isinstance(value, bool) or value in (0, 1) and isinstance(value, int):
        return 1 - int(value)
    if isinstance(value, (int, float)):
        return round(value * 2 + 3, 2)
    if isinstance(value, str):
        return "" if value.strip() else "changed"
    return "changed"


def _number_widened(value: Any) -> str | None:
    """The text with its first number given a leading 1 (5 -> 15, $12.50 -> $112.50), None for a text without
    one: the wrong number still holds the right one, so a grader that looks for the number inside the text (rather
    than the text the instruction dictates) lets it through."""
    if not isinstance(value, str) or not NUMBER.search(value):
        return None
    return NUMBER.sub(lambda m: "1" + m.group(), value, count=1)


def _answer_mutants(answer: Any) -> Iterator[tuple[str, Any]]:
    if answer is None:
        return
    if isinstance(answer, list):
        if answer:
            yield "answer without its first item", answer[1:]
            yield "answer with its first item replaced", ["someone else", *answer[1:]]
        return
    yield f"answer {answer!r} -> {_other_value(answer)!r}", _other_value(answer)
