"""The harness's `StackChooser` backed by a selector: one wrapper stack per episode.

`train_free_eval.py selector=thompson selector.arms='[[],[summarize],[summarize,correct]]'`
builds one of these. Every arm's stack is loaded (and validated for the env)
before any episode runs. The selector's calls are journaled in
`<run dir>/selector_journal.jsonl`; on resume, episodes that reached
results.jsonl but not the selector (a kill between the two writes) are fed
to it first, so nothing is lost or counted twice.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Mapping

from harness.results import RESULTS_FILE, read_results
from harness.stacks import Stack, load_stack
from policies.selection.base import check_reward
from policies.selection.session import SelectorSession
from wrappers.stack import validate_stack

log = logging.getLogger(__name__)


class SelectorChooser:
    def __init__(self, session: SelectorSession, stacks: list[Stack]):
        self.session = session
        self.stacks = stacks

    @classmethod
    def from_config(
        cls, selector_cfg: Mapping[str, Any], run_dir: str | Path, conf_dir: str | Path, env_kind: str | None = None
    ) -> "SelectorChooser":
        session = SelectorSession.from_config(selector_cfg, run_dir)
        if session is None:
            raise ValueError("selector=none has no chooser: use the configured `wrappers`")
        stacks = [load_stack(names, conf_dir) for names in session.arms]
        if env_kind is not None:
            for stack in stacks:
                validate_stack(list(stack), env_kind)
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

    def choose(self, episode_key: str) -> Stack:
        return self.stacks[self.session.start(episode_key).arm]

    def update(self, record: Mapping[str, Any]) -> None:
        """Feed a finished episode's reward; a bad record is logged, never fatal to the run."""
        key = record.get("key")
        reward = record.get("reward")
        reason = _error_reason(record.get("error"))
        if reason is None:
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


def _error_reason(error: Any) -> str | None:
    if not error:
        return None
    if isinstance(error, Mapping):
        return f"{error.get('type', 'error')}: {error.get('reason', '')}"[:500]
    return str(error)[:500]
