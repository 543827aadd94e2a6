"""Sweep templates over variants: what goes wrong with a task the splits do not list.

The splits list variants 0-2, but any variant can be listed or reset to, so each must either build into a task
its oracle solves, that doing nothing does not pass and whose graders catch every mutant, or refuse to build
naming why. A refusal is reported, not counted as a failure: it is the promised behaviour.
"""

from __future__ import annotations

from collections.abc import Iterable

from envs.toolworld.env import ToolWorldEnv
from envs.toolworld.grader_check import check_task
from envs.toolworld.measure import oracle_failure, play_oracle
from envs.toolworld.tasks import load_task

FAILURE_KINDS = ("build crashed", "oracle", "nothing done passes", "mutant passes")


def sweep(env: ToolWorldEnv, task_ids: Iterable[str], graders: bool = True) -> dict[str, list[tuple[str, str]]]:
    """Each task id -> its problems as (kind, why): kinds FAILURE_KINDS, or 'refused' for a variant that raised
    LookupError when built (why: its message); any other error while building is 'build crashed'."""
    found: dict[str, list[tuple[str, str]]] = {}
    for task_id in task_ids:
        try:
            load_task(task_id, env.world_seed)
        except LookupError as refused:
            found[task_id] = [("refused", str(refused))]
            continue
        except Exception as crash:  # a template that cannot even refuse: reported, the sweep goes on
            found[task_id] = [("build crashed", f"{type(crash).__name__}: {crash}")]
            continue
        problems = []
        _, info = play_oracle(env, task_id)
        failure = oracle_failure(env, info)
        if failure is not None:
            problems.append(("oracle", failure))
        env.reset(options={"task_id": task_id})
        *_, info = env.step("apis.supervisor.complete_task()")
        if info.get("success"):
            problems.append(("nothing done passes", "complete_task() at once passed"))
        if graders and not problems:
            missed = [v.mutant for v in check_task(env, task_id) if not v.holds]
            if missed:
                problems.append(("mutant passes", str(missed[:5])))
        found[task_id] = problems
    return found
