"""Stack choosers: the hook through which the harness gets each episode's wrapper stack.

The harness asks `choose(episode_key)` for the stack of each episode and tells
`update(record)` each result. `FixedStack` (selector=none, the default) always
answers the configured `wrappers`; `SelectorChooser` lets a bandit
(policies/selection) pick one of its arms per episode:

    train_free_eval.py selector=thompson selector.arms='[[],[summarize],[summarize,correct]]'

Every arm is composed through Hydra (harness/compose.py) and checked for the
env before any episode runs. The selector's calls are journaled in
`<run dir>/selector_journal.jsonl`; on resume, episodes that reached
results.jsonl but not the selector (a kill between the two writes) are fed to
it first, so nothing is lost or counted twice.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from envs.contract import EnvProfile
from harness.blame import AGENT, INFRA, record_error_kind
from harness.compose import CONF_DIR, compose_stack
from harness.results import RESULTS_FILE, read_results
from policies.selection.base import check_reward
from policies.selection.session import SelectorSession
from wrappers.stack import WrapperStack

log = logging.getLogger(__name__)


class StackChooser(Protocol):
    """Picks the wrapper stack of each episode and learns from its result.

    `choose` may be called for several episodes before any `update` (episodes
    run in parallel and finish out of order); both are called from the
    harness's threads, so implementations must be thread-safe. `task` is the
    episode's task as the env lists it before the first step (envs.contract
    `TaskMeta`: split, difficulty, scenario), for choosers that choose per task.
    """

    def choose(self, episode_key: str, task: Mapping[str, Any] | None = None) -> WrapperStack: ...

    def all_stacks(self) -> list[WrapperStack]:
        """Every stack `choose` may return, so a run can build each once before its first episode."""
        ...

    def update(self, record: Mapping[str, Any]) -> None:
        """Learn from a finished episode's record (its `stack`, `reward`, `success`, `error`)."""
        ...

    def state(self) -> dict[str, Any]:
        """What the chooser knows, saved in summary.json (empty when nothing)."""
        ...

    def format_summary(self) -> str:
        """A few lines for the end of the run ("" when there is nothing to say)."""
        ...


class FixedStack:
    """The same configured stack for every episode (no selection)."""

    def __init__(self, stack: WrapperStack) -> None:
        self.stack = stack

    def choose(self, episode_key: str, task: Mapping[str, Any] | None = None) -> WrapperStack:
        return self.stack

    def all_stacks(self) -> list[WrapperStack]:
        return [self.stack]

    def update(self, record: Mapping[str, Any]) -> None:
        return None

    def state(self) -> dict[str, Any]:
        return {}

    def format_summary(self) -> str:
        return ""


class SelectorChooser:
    def __init__(self, session: SelectorSession, stacks: list[WrapperStack]):
        self.session = session
        self.stacks = stacks

    @classmethod
    def from_config(
        cls,
        selector_cfg: Mapping[str, Any],
        run_dir: str | Path,
        profile: EnvProfile,
        conf_dir: str | Path = CONF_DIR,
        searchpath: Sequence[str] = (),
    ) -> SelectorChooser:
        session = SelectorSession.from_config(selector_cfg, run_dir)
        if session is None:
            raise ValueError("selector=none has no chooser: use the configured `wrappers`")
        stacks = [compose_stack(arm, profile, conf_dir, searchpath) for arm in session.arms]
        chooser = cls(session, stacks)
        chooser._catch_up(Path(run_dir))
        return chooser

    def _catch_up(self, run_dir: Path) -> None:
        if not (run_dir / RESULTS_FILE).exists():
            return
        pending = {key for key, record in self.session.episodes.items() if record["status"] == "pending"}
        for record in read_results(run_dir):
            if record.get("key") in pending:
                self.update(record)

    def choose(self, episode_key: str, task: Mapping[str, Any] | None = None) -> WrapperStack:
        """The episode's stack; a contextual selector (selector=linucb) gets the task's features as context."""
        return self.stacks[self.session.start(episode_key, task_context(task)).arm]

    def all_stacks(self) -> list[WrapperStack]:
        return list(self.stacks)

    def update(self, record: Mapping[str, Any]) -> None:
        """Feed a finished episode's reward; a bad record is logged, never fatal to the run.

        An episode the agent's error ended teaches reward 0, like any failure (a stack whose
        episodes crash must not look better than one whose episodes fail); one an infrastructure
        error ended teaches nothing and stays pending until it is run again.
        """
        key = record.get("key")
        kind = record_error_kind(record)
        if kind == INFRA:
            log.info("episode %s ended in an infrastructure error: the selector does not learn from it", key)
            return
        reward = 0.0 if kind == AGENT else record.get("reward")
        reason = None
        try:
            reward = check_reward(reward)
        except ValueError as err:
            reason = f"unusable reward: {err}"
            log.warning("episode %s: %s; the selector counts it as a failed episode", key, reason)
        try:
            self.session.finish(key, None if reason else reward, reason)
        except ValueError as err:
            log.warning("selector could not learn from episode %s: %s", key, err)

    def state(self) -> dict[str, Any]:
        """What the harness saves in summary.json: the summary, the selector's state, the journal's path."""
        return {
            **self.session.summary(),
            "selector_state": self.session.state()["selector"],
            "journal": None if self.session.path is None else str(self.session.path),
        }

    def format_summary(self) -> str:
        return self.session.format_summary()


def make_stack_chooser(
    selector_cfg: Mapping[str, Any] | None,
    stack: WrapperStack,
    run_dir: Path,
    conf_dir: str | Path = CONF_DIR,
    searchpath: Sequence[str] = (),
) -> StackChooser:
    """`selector=none` (the default) keeps the configured `wrappers` for every episode;
    any other selector (conf/selector/) picks one of its `arms` per episode."""
    name = (selector_cfg or {}).get("name", "none")
    if selector_cfg is None or name in (None, "none"):
        return FixedStack(stack)
    if stack:
        raise ValueError(
            f"selector={name} picks each episode's stack among selector.arms; "
            f"leave `wrappers` empty (got wrappers={stack.names})"
        )
    return SelectorChooser.from_config(selector_cfg, run_dir, stack.profile, conf_dir, searchpath)


def task_context(task: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """What a contextual selector may know of a task before it starts: its metadata without the id
    (an id is one task, so it generalizes to nothing)."""
    if task is None:
        return None
    return {key: value for key, value in task.items() if key != "task_id"}
