"""correct: the Three-Roles corrector as a step wrapper (a gymnasium.Wrapper around `step`).

Fires on error output, on `no_code_turns` agent turns in a row without code,
or on a repeated identical action. The corrector sees only the failed code,
its output and the docs of up to `max_api_docs` APIs the code called (never
the history) and answers with category, evidence, diagnosis, fix steps and one
code patch. Calls to the env's finish call (EnvProfile.finish_call, ToolWorld's
complete_task) are stripped from the patch: the corrector never ends the task.
Where the env has snapshots the state goes back to before the failed step and the
patch runs instead of it (no double effects);
otherwise the patch runs after it. At most `max_attempts` patches per step.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

import gymnasium as gym

from envs.contract import ApiDocsEnv, EnvProfile
from policies.llm.base import ChatModel, LLMError
from policies.llm_policy import extract_action
from wrappers.code import called_apis, has_code, normalize_code, strip_calls
from wrappers.info import with_wrapper_info
from wrappers.prompts import load_prompt
from wrappers.role_client import RoleClient
from wrappers.signals import is_error_output
from wrappers.snapshots import restore, snapshot, supports_snapshots
from wrappers.text import truncate_output

# No two runs of the same characters side by side, none spanning lines: a run of blank lines or
# spaces that could be split between them in many ways made one reply cost seconds to minutes
_SECTION = re.compile(
    r"^[ \t]*(?:\*+[ \t]*)?(category|evidence|diagnosis|fix steps|patch)[ \t]*(?:\*+[ \t]*)?:[ \t]*\**",
    re.IGNORECASE | re.MULTILINE,
)


@dataclass
class Correction:
    category: str = ""
    evidence: str = ""
    diagnosis: str = ""
    fix_steps: str = ""
    patch: str = ""


def parse_correction(text: str) -> Correction:
    """Read the corrector's sections; the patch is its code block (or PATCH: text)."""
    parts: dict[str, str] = {}
    matches = list(_SECTION.finditer(text))
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        parts[match.group(1).lower()] = text[match.end() : end].strip()
    fenced = extract_action(text)[0] if "```" in text else ""
    patch = fenced or extract_action(parts.get("patch", ""))[0]
    return Correction(
        category=parts.get("category", "").splitlines()[0].strip() if parts.get("category") else "",
        evidence=parts.get("evidence", ""),
        diagnosis=parts.get("diagnosis", ""),
        fix_steps=parts.get("fix steps", ""),
        patch=patch,
    )


class Correct(gym.Wrapper):
    name = "correct"

    def __init__(
        self,
        env: gym.Env,
        model: ChatModel,
        *,
        max_attempts: int = 2,
        no_code_turns: int = 2,
        use_snapshots: bool = True,
        max_api_docs: int = 5,
        output_chars: int = 4_000,
        temperature: float = 0.0,
        max_tokens: int = 768,
    ) -> None:
        super().__init__(env)
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be >= 1, got {max_attempts}")
        self.client = RoleClient(model, "corrector", temperature=temperature, max_tokens=max_tokens)
        self.max_attempts = max_attempts
        self.no_code_turns = no_code_turns
        self.use_snapshots = use_snapshots and supports_snapshots(env)
        self.max_api_docs = max_api_docs
        self.output_chars = output_chars
        profile = getattr(env.unwrapped, "profile", None)
        self.finish_call = profile.finish_call if isinstance(profile, EnvProfile) else None
        finish_rule = f": never call {self.finish_call}" if self.finish_call else ""
        self.system_prompt = load_prompt("corrector").replace("{finish_rule}", finish_rule)
        self._previous_action: str | None = None
        self._no_code_streak = 0
        self._totals = {"fired": 0, "fixed": 0, "attempts": 0}

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        self._previous_action = None
        self._no_code_streak = 0
        self._totals = {"fired": 0, "fixed": 0, "attempts": 0}
        self.client.reset(seed)
        obs, info = self.env.reset(seed=seed, options=options)
        return obs, with_wrapper_info(info, self.name, self._report({"fired": False}))

    def step(self, action: Any):
        before = snapshot(self.env) if self.use_snapshots else None
        result = self.env.step(action)
        trigger = self._trigger(action, result[0])
        report: dict[str, Any] = {"fired": False}
        if trigger and not (result[2] or result[3]):
            result, report = self._correct(str(action), result, before, trigger)
        self._previous_action = result[0]["history"][-1]["action"] if result[0]["history"] else None
        obs, reward, terminated, truncated, info = result
        return obs, reward, terminated, truncated, with_wrapper_info(info, self.name, self._report(report))

    # -- triggers -------------------------------------------------------------
    def _trigger(self, action: Any, obs: dict[str, Any]) -> str | None:
        code = action if isinstance(action, str) else ""
        self._no_code_streak = 0 if has_code(code) else self._no_code_streak + 1
        output = obs["history"][-1]["output"] if obs["history"] else ""
        if is_error_output(output):
            return "error"
        if self._no_code_streak >= self.no_code_turns:
            return "no_code"
        if self._previous_action is not None and normalize_code(code) == normalize_code(self._previous_action):
            return "repeat"
        return None

    # -- correction -------------------------------------------------------------
    def _correct(self, action: str, result: tuple, before: Any, trigger: str) -> tuple[tuple, dict[str, Any]]:
        failed_code, failed_output = action, result[0]["history"][-1]["output"]
        attempts: list[dict[str, Any]] = []
        fixed = False
        for _ in range(self.max_attempts):
            attempt: dict[str, Any] = {}
            attempts.append(attempt)
            try:
                correction = parse_correction(self.client.ask_text(self._prompt(failed_code, failed_output, trigger)))
            except LLMError as error:
                attempt["error"] = f"corrector call failed: {error}"
                break
            patch = correction.patch
            if patch and self.finish_call:
                patch = strip_calls(patch, self.finish_call)
            attempt.update(asdict(correction), patch=patch, stripped_complete_task=patch != correction.patch)
            if not has_code(patch):
                stripped = f" ({self.finish_call} calls are stripped)" if self.finish_call else ""
                attempt["error"] = f"refused: the patch has no code to run{stripped}"
                continue
            if before is not None:
                restore(self.env, before)
            result = self.env.step(patch)
            output = result[0]["history"][-1]["output"]
            attempt["output"] = truncate_output(output, 500)
            fixed = not is_error_output(output)
            if fixed or result[2] or result[3]:
                break
            failed_code, failed_output = patch, output
        self._no_code_streak = 0
        self._totals["fired"] += 1
        self._totals["fixed"] += int(fixed)
        self._totals["attempts"] += len(attempts)
        report = {
            "fired": True,
            "trigger": trigger,
            "fixed": fixed,
            "restored": before is not None and any("output" in a for a in attempts),
            "attempts": attempts,
        }
        return result, report

    def _prompt(self, code: str, output: str, trigger: str) -> list[dict[str, str]]:
        why = {
            "error": "The code failed.",
            "no_code": "The agent wrote no runnable code for several turns.",
            "repeat": "The agent repeated the same action as before.",
        }[trigger]
        user = (
            f"{why}\n\nCode:\n```python\n{code}\n```\n\n"
            f"Output:\n{truncate_output(output, self.output_chars)}\n\n"
            f"Docs of the APIs it called:\n{self._api_docs(code)}"
        )
        return [{"role": "system", "content": self.system_prompt}, {"role": "user", "content": user}]

    def _api_docs(self, code: str) -> str:
        base = self.env.unwrapped
        if not isinstance(base, ApiDocsEnv):
            return "(none: this environment runs whole scripts)"
        docs = []
        for app, api in called_apis(code)[: self.max_api_docs]:
            try:
                doc = base.api_doc(app, api)
            except Exception as error:  # noqa: BLE001 - an unknown API is itself evidence
                doc = f"no such API: {error}"
            docs.append(f"{app}.{api}: {doc}")
        return "\n".join(docs) or "(the code called no APIs)"

    def _report(self, step_report: dict[str, Any]) -> dict[str, Any]:
        return {
            **step_report,
            "episode": dict(self._totals),
            "snapshots": self.use_snapshots,
            "cost": self.client.report(),
        }
