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

Orders. A changed text of 2+ distinct non-empty lines gets two mutants that
only reorder them: all its lines reversed, and its lines but the first and
the last reversed (a header and a total line stay). A list answer of 2+
distinct items gets one reordered. Such a mutant must fail where the
instruction asks for that order, and must PASS where it does not (an agent
following the instruction may write any order, so a grader that requires one
fails right work). Which order is asked is read from the wording
(envs/toolworld/asked_order.py, its phrases listed there): the full reversal
must fail if the lines are asked an order ('oldest first', 'in alphabetical
order', ...) or a layout ('a first line', 'then a last line', ...); the
reversal that keeps the ends only if they are asked an order (unchecked
where only a layout is: it may fix a middle line too, 'then a line Total,
then one line per member'), must pass otherwise; the answer's
only if the sentence asking for the answer asks one ('in that order'). A text
copied verbatim from the world (an attachment saved, a note's version
restored) keeps the original's order: it is not reordered. A text edited in
place (its old text had 2+ lines: a line added to a file) keeps its lines
where they were without the wording saying so: it is reordered only where
the wording asks an order, and then must fail. A reordering that leaves every
line's first word in place (only lines of one date swapped) is not made:
'oldest first' leaves such ties in any order. The template declares what it
grades (InOrder or an exact text: in order; InBlocks: blocks in order, lines
within one in any; HasLines: any order); the mutants cross-check that
declaration against the wording.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any, Literal

from envs.toolworld.asked_order import asked_order
from envs.toolworld.env import EPISODE_STORAGE_BYTES, ToolWorldEnv
from envs.toolworld.evaluate import Outcome, TestResult, evaluate
from envs.toolworld.measure import play_oracle
from envs.toolworld.tasks import Task, load_task
from envs.toolworld.world.build import WORLD_NOW, open_copy, template_bytes
from envs.toolworld.world.changes import RowChange, net_changes
from envs.toolworld.world.episode_db import EpisodeDB

COMPLETION = "the task is completed with status"
NUMBER = re.compile(r"\d+")
STAMP = WORLD_NOW.date().isoformat()


@dataclass(frozen=True)
class MutantVerdict:
    mutant: str  # what was changed, in words
    failed: list[TestResult]  # the task's tests that failed on it
    must_fail: bool = True  # False: a reordering the instruction does not rule out, which must pass

    @property
    def caught(self) -> bool:
        """Failed, by a test that names what is wrong (not only the completion status)."""
        named = [t for t in self.failed if t.reason and not t.requirement.startswith(COMPLETION)]
        return bool(named)

    @property
    def holds(self) -> bool:
        """The graders did what the instruction asks: caught a mutant that must fail, passed one that must pass."""
        return self.caught if self.must_fail else not self.failed


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
        asked = asked_order(task.spec.instruction)
        must_fail: dict[Reordering, bool | None] = {  # None: not checked (an edit keeps its order unasked)
            "": True,
            "lines": asked.items or asked.layout,
            "items": True if asked.items else None if asked.layout else False,  # a layout may fix a middle line
            "edited lines": True if asked.items or asked.layout else None,
            "edited items": True if asked.items else None,
            "answer": asked.answer,
        }
        verdicts = [_grade(task, db.start(), {"answer": None, "status": "success"}, "nothing done")]
        world = _world_texts(env.world_seed)
        for change in changes:
            for mutant, mutate, reorders in _row_mutants(change, world):
                if must_fail[reorders] is None:
                    continue
                conn = db.start(state["db_changes"])
                try:
                    mutate(conn)
                except sqlite3.IntegrityError:
                    continue  # a state no API could produce (a unique or required column)
                verdicts.append(_grade(task, conn, completed, mutant, must_fail[reorders] is not False))
        for mutant, answer, reorders in _answer_mutants(completed.get("answer")):
            outcome = {**completed, "answer": answer}
            verdicts.append(_grade(task, db.start(state["db_changes"]), outcome, mutant, bool(must_fail[reorders])))
    finally:
        db.close()
    return verdicts


def _grade(
    task: Task, conn: sqlite3.Connection, completed: dict[str, Any], mutant: str, must_fail: bool = True
) -> MutantVerdict:
    tests = evaluate(task.spec.expectations, Outcome(net_changes(conn), conn, completed), task.spec.expected_status)
    if not must_fail:
        mutant += " (the instruction asks for no order: must pass)"
    return MutantVerdict(mutant, [t for t in tests if not t.passed], must_fail)


Mutation = Callable[[sqlite3.Connection], None]
# what a mutant only reorders ('': it changes more): a text's lines (all, or but the first and last), those of a text
# edited in place (its old text had 2+ lines), or the answer's items
Reordering = Literal["", "lines", "items", "edited lines", "edited items", "answer"]
REORDERINGS: tuple[tuple[Reordering, Reordering, bool], ...] = (
    ("lines", "edited lines", False),  # (kind, kind for an edited text, first and last line kept)
    ("items", "edited items", True),
)
REORDERED = {False: "with its lines reversed", True: "with its lines but the first and last reversed"}


def _row_mutants(change: RowChange, world: frozenset[str]) -> Iterator[tuple[str, Mutation, Reordering]]:
    """Each mutant of one row change: what it does in words, the mutation, and what it only reorders ('' if it
    changes more). A text copied from the world is not reordered: its order is the original's."""
    table, rowid = change.table, change.row_id
    if change.kind == "insert":
        yield f"{table} row {rowid} not inserted", partial(_delete, table=table, rowid=rowid), ""
    elif change.kind == "delete":
        row = change.before or {}
        yield f"{table} row {rowid} not deleted", partial(_insert, table=table, rowid=rowid, row=row), ""
    else:
        reverted = {k: before for k, (before, _) in change.changed_columns().items()}
        yield f"{table} row {rowid} not updated", partial(_set, table=table, rowid=rowid, values=reverted), ""
    altered = (
        change.changed_columns() if change.kind == "update" else {k: (None, v) for k, v in (change.after or {}).items()}
    )
    for column, (old, value) in altered.items():
        if column == "id" or (isinstance(value, str) and value.startswith(STAMP)):
            continue
        for other in (_other_value(value), _number_widened(value)):
            if other is not None:
                yield (
                    f"{table} row {rowid}: {column} {value!r} -> {other!r}",
                    partial(_set, table=table, rowid=rowid, values={column: other}),
                    "",
                )
        if isinstance(value, str) and value in world:
            continue  # a copy: its order is the original's, whatever the wording
        edited = isinstance(old, str) and sum(bool(line.strip()) for line in old.splitlines()) > 1
        for kind, edited_kind, keep_ends in REORDERINGS:
            moved = _reordered(value, keep_ends)
            if moved is not None:
                yield (
                    f"{table} row {rowid}: {column} {REORDERED[keep_ends]} -> {moved!r}",
                    partial(_set, table=table, rowid=rowid, values={column: moved}),
                    edited_kind if edited else kind,
                )


@lru_cache(maxsize=2)
def _world_texts(world_seed: int) -> frozenset[str]:
    """Every text of 2+ lines in the world before any episode: a text an agent copies from it (an attachment saved,
    a note's old version restored) keeps the original's order, which no wording has to ask for."""
    conn = open_copy(template_bytes(world_seed))
    try:
        texts: set[str] = set()
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
            for column in [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]:
                query = f"SELECT {column} FROM {table} WHERE typeof({column}) = 'text' AND instr({column}, char(10))"
                texts.update(value for (value,) in conn.execute(query))
        return frozenset(texts)
    finally:
        conn.close()


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


def _reordered(value: Any, keep_ends: bool) -> str | None:
    """The text with its non-empty lines reversed (all, or all but the first and the last: a header and a total
    stay), blank lines where they were; None unless 2+ distinct lines move, or if every line keeps the first word
    it had there (only lines of one date swapped: 'oldest first' leaves such ties in any order)."""
    if not isinstance(value, str):
        return None
    lines = value.split("\n")
    filled = [i for i, line in enumerate(lines) if line.strip()]
    if keep_ends:
        filled = filled[1:-1]
    if len({lines[i] for i in filled}) < 2:
        return None
    moved = list(lines)
    for i, line in zip(filled, _other_order([lines[i] for i in filled]), strict=True):
        moved[i] = line
    if all(moved[i].split()[0] == lines[i].split()[0] for i in filled):
        return None
    return "\n".join(moved)


def _other_order(items: list[Any]) -> list[Any]:
    """`items` (2+ distinct) in reverse, or rotated by one where reversing gives the same list (a, b, a)."""
    backwards = items[::-1]
    return backwards if backwards != items else items[1:] + items[:1]


def _answer_mutants(answer: Any) -> Iterator[tuple[str, Any, Reordering]]:
    """Each mutant of the answer: in words, the answer, whether it only reorders a list's items."""
    if answer is None:
        return
    if isinstance(answer, list):
        if answer:
            yield "answer without its first item", answer[1:], ""
            yield "answer with its first item replaced", ["someone else", *answer[1:]], ""
        if len({str(item) for item in answer}) > 1:
            yield f"answer's items reordered -> {_other_order(answer)!r}", _other_order(answer), "answer"
        return
    yield f"answer {answer!r} -> {_other_value(answer)!r}", _other_value(answer), ""
