"""summarize: the Three-Roles summarizer as an observation wrapper.

When the rendered prompt has at least `min_messages` messages and more than
`max_chars` characters or `max_tokens` tokens (or would not fit the model's
context), the turns before the last `keep_messages` messages are replaced by
a summary in four sections (progress, key facts, failure modes, next
actions), followed by a deterministic ledger of verbatim values. Summaries
are cached by the digest of the history prefix they cover and extended with
new turns only, so no prefix is summarized twice; the summary sits after the
first user message, so system + first user stay a stable prompt prefix.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import gymnasium as gym

from envs.contract import Observation, Turn
from envs.observation import to_space_text
from policies.llm.base import ChatModel
from policies.render import load_prompt as load_agent_prompt
from policies.render import render_messages
from wrappers.info import ReportingObservationWrapper
from wrappers.ledger import Ledger, format_ledger
from wrappers.prompts import load_prompt
from wrappers.role_client import RoleClient
from wrappers.text import truncate_output


@dataclass(frozen=True)
class _Summary:
    covered: int  # turns of the history this summary replaces
    digest: str  # digest of those turns
    text: str  # the LLM summary
    ledger: str  # the formatted ledger of those turns


def _digest(turns: Sequence[Turn]) -> str:
    data = json.dumps([[t["action"], t["output"]] for t in turns], ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


class Summarize(ReportingObservationWrapper):
    name = "summarize"

    def __init__(
        self,
        env: gym.Env,
        model: ChatModel,
        *,
        min_messages: int = 6,
        max_chars: int = 24_000,
        max_tokens: int = 6_000,
        keep_messages: int = 6,
        reply_reserve: int = 512,
        agent_prompt: str | None = None,
        agent_system_prompt: str = "",
        turn_chars: int = 3_000,
        summary_max_tokens: int = 600,
        ledger_max_entries: int = 60,
        temperature: float = 0.0,
    ) -> None:
        super().__init__(env)
        if keep_messages < 2 or keep_messages % 2:
            raise ValueError(f"keep_messages must be an even number >= 2 (assistant/user pairs), got {keep_messages}")
        self.model = model
        self.client = RoleClient(model, "summarizer", temperature=temperature, max_tokens=summary_max_tokens)
        self.min_messages = min_messages
        self.max_chars = max_chars
        self.max_tokens = max_tokens
        self.keep_turns = keep_messages // 2
        self.reply_reserve = reply_reserve
        self.agent_system_prompt = load_agent_prompt(agent_prompt) if agent_prompt else agent_system_prompt
        self.turn_chars = turn_chars
        self.ledger_max_entries = ledger_max_entries
        self.system_prompt = load_prompt("summarizer")
        self._cache: list[_Summary] = []
        self._ledgers: dict[str, Ledger] = {}  # the newest summary's ledger, by its digest, to read on from
        self._report: dict[str, Any] = {}

    # -- gymnasium ----------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        self._cache = []
        self._ledgers = {}
        self.client.reset(seed)
        return super().reset(seed=seed, options=options)

    def observation(self, observation: Observation) -> Observation:
        history = tuple(observation["history"])
        cached = self._cached_for(history)
        view = self._view(observation, history, cached)
        fired = False
        if self._over_budget(view):
            start = cached.covered if cached else 0
            middle = history[start : len(history) - self.keep_turns]
            if middle:
                cached = self._extend(observation, cached, middle, history)
                view = self._view(observation, history, cached)
                fired = True
        self._report = {
            "fired": fired,
            "summarized_turns": cached.covered if cached else 0,
            "kept_turns": len(view["history"]),
            "summary_chars": len(view["summary"]),
            "summaries_made": len(self._cache),
            "cost": self.client.report(),
        }
        return view

    # -- mechanism ------------------------------------------------------------
    def _over_budget(self, view: Observation) -> bool:
        messages = render_messages(view, self.agent_system_prompt)
        tokens = self.model.count_message_tokens(messages)
        if tokens > self.model.context_window - self.reply_reserve:
            return True
        chars = sum(len(m["content"]) for m in messages)
        return len(messages) >= self.min_messages and (chars > self.max_chars or tokens > self.max_tokens)

    def _cached_for(self, history: Sequence[Turn]) -> _Summary | None:
        """The summary covering the longest prefix of `history` (handles rewinds)."""
        for summary in sorted(self._cache, key=lambda s: s.covered, reverse=True):
            if summary.covered <= len(history) and _digest(history[: summary.covered]) == summary.digest:
                return summary
        return None

    def _view(self, observation: Observation, history: Sequence[Turn], cached: _Summary | None) -> Observation:
        if cached is None:
            return observation
        summary = "\n\n".join(part for part in (cached.text.strip(), cached.ledger) if part)
        return {**observation, "history": tuple(history[cached.covered :]), "summary": to_space_text(summary)}

    def _extend(
        self, observation: Observation, cached: _Summary | None, middle: Sequence[Turn], history: Sequence[Turn]
    ) -> _Summary:
        """Fold `middle` into the summary, in chunks that fit the model's context."""
        start = cached.covered if cached else 0
        chunk: list[str] = []
        for i, turn in enumerate(middle):
            step = (
                f"### Step {start + i + 1}\nCode:\n{truncate_output(turn['action'], self.turn_chars)}\n"
                f"Output:\n{truncate_output(turn['output'], self.turn_chars)}"
            )
            if chunk and not self._fits(observation, cached, chunk + [step]):
                cached = self._fold(observation, cached, chunk, start + i, history)
                chunk = []
            chunk.append(step)
        return self._fold(observation, cached, chunk, start + len(middle), history)

    def _prompt(self, observation: Observation, cached: _Summary | None, steps: Sequence[str]) -> list[dict[str, str]]:
        previous = cached.text if cached else "(none yet)"
        user = (
            f"Task:\n{observation['instruction']}\n\n"
            f"Summary so far:\n{previous}\n\n"
            "New steps to fold into the summary:\n" + "\n\n".join(steps)
        )
        return [{"role": "system", "content": self.system_prompt}, {"role": "user", "content": user}]

    def _fits(self, observation: Observation, cached: _Summary | None, steps: Sequence[str]) -> bool:
        tokens = self.model.count_message_tokens(self._prompt(observation, cached, steps))
        return tokens <= self.model.context_window - self.client.max_tokens

    def _fold(
        self,
        observation: Observation,
        cached: _Summary | None,
        steps: Sequence[str],
        covered: int,
        history: Sequence[Turn],
    ) -> _Summary:
        text = self.client.ask_text(self._prompt(observation, cached, steps))
        ledger, start = Ledger(), 0
        if cached is not None and cached.digest in self._ledgers:  # else a rewind went back past it: read all
            ledger, start = self._ledgers[cached.digest], cached.covered
        ledger.read(t["output"] for t in history[start:covered])
        entries = format_ledger(ledger.entries(self.ledger_max_entries))
        summary = _Summary(covered=covered, digest=_digest(history[:covered]), text=text, ledger=entries)
        self._cache.append(summary)
        self._ledgers = {summary.digest: ledger}
        return summary
