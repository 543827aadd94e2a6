"""The contract between trainfree envs and the layers above them (policies, wrappers, harness).

Everything the harness and the wrappers need from an env is typed here, so no
code above the envs probes attributes or switches on an env's name:

- `TrainfreeEnv`: what every env offers on `env.unwrapped`: its `profile`,
  `list_tasks(split)` and `oracle_actions()` (raises when a task has none).
  `reset(seed=..., options={"task_id": ...})` starts that task; without a
  task_id the seed picks one from the env's split; reset's `info` holds the
  task's `TaskMeta` fields. The terminal step's `info` holds `success` (bool),
  `evaluation` (detailed, JSON-serializable) and `metrics` (a flat dict of
  numbers the harness aggregates).
- `SnapshotEnv`: `get_state()` / `set_state(state)`, for envs that can branch.
- `ApiDocsEnv`: `api_doc(app, api)`, for envs whose actions call documented APIs.
- `Observation` / `Turn`: the observation dict every env returns.
- `EnvProfile`: what an env kind means for the layers above (prompt, code rule,
  search, headline numbers), declared by the env class.
- `exact_text` / `type_name`: how an env reads a text action before measuring it, and names what it refuses.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Literal, NotRequired, Protocol, TypedDict, runtime_checkable

import gymnasium as gym
from gymnasium.envs.registration import load_env_creator

CodeBlocks = Literal["join", "longest"]
SearchMode = Literal["snapshot", "aide"]


class TaskMeta(TypedDict):
    task_id: str
    split: str
    difficulty: int
    scenario: str
    apps: NotRequired[list[str]]  # the apps a ToolWorld task uses (a contextual selector's feature)


class Turn(TypedDict):
    """One step of the episode: the action the env received and what it answered."""

    action: str
    output: str


class Observation(TypedDict):
    """The observation of every trainfree env (see envs/observation.py for the space)."""

    task_id: str
    instruction: str
    context: str
    history: tuple[Turn, ...]
    summary: str
    steps_left: int


@dataclass(frozen=True)
class EnvProfile:
    """How the layers above treat an env kind, declared once by the env class.

    - `name`: the kind, as summaries and run directories show it.
    - `system_prompt`: the agent's prompt template (policies/prompts/<name>.txt).
    - `code_blocks`: which fenced blocks of a reply make the action: "join"
      (all, in order: step-by-step code) or "longest" (one whole script).
    - `search`: the tree search that fits ("snapshot": best-first over env
      snapshots; "aide": AIDE's draft/debug/improve over scripts); None when
      the env has no cheap snapshots to search over.
    - `headlines`: the summary's headline rows, (label, source) where source is
      a record field ("success", "sgc") or "metrics.<key>" of the env's metrics.
    - `finish_call`: the function whose call ends the task ("complete_task"), which
      helpers such as the corrector must never call; None when no call ends it.
    """

    name: str
    system_prompt: str
    code_blocks: CodeBlocks
    search: SearchMode | None
    headlines: tuple[tuple[str, str], ...] = (("success", "success"),)
    finish_call: str | None = None


@runtime_checkable
class TrainfreeEnv(Protocol):
    profile: EnvProfile

    def list_tasks(self, split: str | None = None) -> list[TaskMeta]: ...

    def oracle_actions(self) -> list[str]: ...


@runtime_checkable
class SnapshotEnv(Protocol):
    def get_state(self) -> Any: ...

    def set_state(self, state: Any) -> None: ...


@runtime_checkable
class ApiDocsEnv(Protocol):
    def api_doc(self, app: str, api: str) -> str: ...


def exact_text(action: Any) -> Any:
    """A `str` action (or str subclass) as an exact `str`; anything else unchanged, for the env to refuse.

    Limits must measure what will run: a subclass can override `__len__`, `__str__`, `encode`,
    `strip`, `__iter__`, `__getitem__`..., so none of its methods is asked. `type()` rather than
    `isinstance`, which a fake `__class__` fools; `str.__str__` copies the characters themselves.
    """
    kind = type(action)
    if kind is not str and issubclass(kind, str):
        return str.__str__(action)
    return action


def type_name(value: object) -> str:
    """The name of `value`'s type for an error message, read from the type itself
    (a metaclass can fake `__name__`), cut short."""
    name: str = type.__dict__["__name__"].__get__(type(value))
    return name[:80]


def trainfree_env(env: gym.Env) -> TrainfreeEnv:
    """The base env behind any wrappers, checked against the contract."""
    base = env.unwrapped
    if not isinstance(base, TrainfreeEnv) or not isinstance(getattr(type(base), "profile", None), EnvProfile):
        raise TypeError(
            f"{type(base).__name__} does not follow envs/contract.py: it needs a class attribute "
            "`profile: EnvProfile`, and methods list_tasks(split) and oracle_actions()"
        )
    return base


def profile_of(env: gym.Env) -> EnvProfile:
    return trainfree_env(env).profile


def registered_profile(env_id: str) -> EnvProfile:
    """The profile of a registered env id, without making the env.

    Ids may carry a module to import first ("pkg.module:ns/Name-v0"), as in
    `gymnasium.make`.
    """
    module, _, name = env_id.rpartition(":")
    if module:
        importlib.import_module(module)
    try:
        spec = gym.spec(name)
    except gym.error.Error as err:
        raise ValueError(f"cannot find env {env_id!r}: {err}") from err
    env_class = load_env_creator(spec.entry_point) if isinstance(spec.entry_point, str) else spec.entry_point
    profile = getattr(env_class, "profile", None)
    if not isinstance(profile, EnvProfile):
        raise TypeError(f"env {env_id!r} ({spec.entry_point}) declares no `profile: EnvProfile` (envs/contract.py)")
    return profile
