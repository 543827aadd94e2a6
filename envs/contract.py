"""What the harness, policies and wrappers may rely on from every trainfree env.

- `env.unwrapped.list_tasks(split) -> list[TaskMeta]`: the tasks of a split.
- `env.reset(seed=..., options={"task_id": ...})` starts that task; without
  a task_id the seed picks one from the env's split. `info` of reset holds
  the task's `TaskMeta` fields.
- The terminal step's `info` holds `success` (bool), `evaluation` (detailed,
  JSON-serializable) and `metrics` (flat dict of numbers the harness
  aggregates, e.g. tgc inputs or made/valid/medal flags).
- `env.unwrapped.get_state()` / `set_state(state)` snapshot and restore the
  episode; `env.unwrapped.oracle_actions()` returns actions that solve the
  current task (for `OraclePolicy`), or raises if there is none.
"""

from __future__ import annotations

from typing import TypedDict


class TaskMeta(TypedDict):
    task_id: str
    split: str
    difficulty: int
    scenario: str
