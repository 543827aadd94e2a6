"""Build a wrapper stack around an env and a policy, in list order.

A stack is a list of (name, config) pairs; list order is wrapping order.
Each wrapper is registered in `REGISTRY` with its kind: observation and
action wrappers wrap the env, policy wrappers wrap the policy.
`validate_stack` refuses, before any episode runs, a stack that cannot work:
unknown or repeated wrappers, two searches, a wrapper the env kind does not
support, unknown config keys. A wrapper config may name its own `model`
(a policies.llm.registry config); otherwise every role uses the stack's model.
"""

from __future__ import annotations

import inspect
import json
import threading
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence, Union

import gymnasium as gym

from policies.base import Policy
from policies.llm.accounting import MeteredModel
from policies.llm.base import ChatModel
from wrappers.chaining import Chaining
from wrappers.correct import Correct
from wrappers.self_consistency import SelfConsistency
from wrappers.self_debug import SelfDebug
from wrappers.self_reflection import SelfReflection
from wrappers.summarize import Summarize
from wrappers.tree_of_thoughts import TreeOfThoughts
from wrappers.tree_search import TreeSearch
from wrappers.truncate import Truncate

ALL_ENVS = frozenset({"toolworld", "mle", "appworld"})


@dataclass(frozen=True)
class WrapperSpec:
    kind: str  # "observation" | "action" | "policy"
    build: Callable[..., Any]
    envs: frozenset[str] = ALL_ENVS
    exclusive: str | None = None  # at most one wrapper of each exclusive group in a stack
    generates: bool = False  # a policy wrapper that writes every action itself, never calling the wrapped policy's act
    options: Callable[..., Any] | None = None  # the callable whose keyword-only parameters are the config keys


def _env_wrapper(cls: type) -> Callable[..., gym.Env]:
    def build(*, env: gym.Env, model: ChatModel, env_kind: str, policy: Policy, **cfg: Any) -> gym.Env:
        return cls(env, model, **cfg)

    return build


def _policy_wrapper(cls: type) -> Callable[..., Policy]:
    def build(*, policy: Policy, model: ChatModel, env: gym.Env, env_kind: str, **cfg: Any) -> Policy:
        return cls(policy, model, env, **cfg)

    return build


def _summarize(*, env: gym.Env, model: ChatModel, env_kind: str, policy: Policy, **cfg: Any) -> gym.Env:
    """Counts the agent's own system prompt in the prompt size when the policy has one."""
    text = getattr(policy, "system_prompt", None)
    if not cfg.get("agent_prompt") and isinstance(text, str):
        cfg.setdefault("agent_system_prompt", text)
    return Summarize(env, model, **cfg)


def _tree_search(*, policy: Policy, model: ChatModel, env: gym.Env, env_kind: str, **cfg: Any) -> Policy:
    """AIDE on ML-engineering competitions, snapshot search elsewhere (unless `mode` says)."""
    if cfg.get("mode") is None:
        cfg["mode"] = "aide" if env_kind == "mle" else "snapshot"
    return TreeSearch(policy, model, env, **cfg)


def _spec(kind: str, cls: type, **more: Any) -> WrapperSpec:
    build = more.pop("build", None) or (_policy_wrapper(cls) if kind == "policy" else _env_wrapper(cls))
    return WrapperSpec(kind=kind, build=build, options=cls, **more)


REGISTRY: dict[str, WrapperSpec] = {
    "summarize": _spec("observation", Summarize, build=_summarize),
    "truncate": _spec("observation", Truncate),
    "correct": _spec("action", Correct),
    "self_consistency": _spec("policy", SelfConsistency, generates=True),
    "self_debug": _spec("policy", SelfDebug),
    "self_reflection": _spec("policy", SelfReflection),
    "chaining": _spec("policy", Chaining, generates=True),
    # The real AppWorld has no cheap snapshots to search over.
    "tree_search": _spec(
        "policy",
        TreeSearch,
        build=_tree_search,
        envs=frozenset({"toolworld", "mle"}),
        exclusive="search",
        generates=True,
    ),
    "tree_of_thoughts": _spec("policy", TreeOfThoughts, exclusive="search", generates=True),
}

StackItem = Union[str, tuple[str, Mapping[str, Any]]]


def validate_stack(stack: Sequence[StackItem], env_kind: str) -> None:
    """Refuse, before any episode runs, a stack that cannot work.

    `stack` holds names, or (name, config) pairs whose config keys are checked too.
    """
    items = [(item, None) if isinstance(item, str) else (item[0], item[1]) for item in stack]
    names = [name for name, _ in items]
    for name, cfg in items:
        if name not in REGISTRY:
            raise ValueError(f"unknown wrapper {name!r}; known wrappers: {sorted(REGISTRY)}")
        spec = REGISTRY[name]
        if env_kind not in spec.envs:
            raise ValueError(f"wrapper {name!r} does not support env {env_kind!r} (only {sorted(spec.envs)})")
        if names.count(name) > 1:
            raise ValueError(f"wrapper {name!r} appears {names.count(name)} times in the stack {names}; use it once")
        if cfg is not None:
            _check_options(name, spec, cfg)
    groups: dict[str, list[str]] = {}
    for name in names:
        if REGISTRY[name].exclusive:
            groups.setdefault(REGISTRY[name].exclusive, []).append(name)
    for group, members in groups.items():
        if len(members) > 1:
            raise ValueError(
                f"a stack can hold one {group} wrapper, got {members}: each would search over the other's steps"
            )
    _check_generators([name for name in names if REGISTRY[name].kind == "policy"])


def _check_generators(policy_names: list[str]) -> None:
    """A wrapper that writes every action itself never calls the policy it wraps,
    so any policy wrapper listed before it would silently do nothing."""
    for position, name in enumerate(policy_names):
        if REGISTRY[name].generates and position > 0:
            bypassed = policy_names[:position]
            raise ValueError(
                f"{name!r} writes every action itself, so {bypassed} listed before it would never act; "
                f"list {name!r} first among the policy wrappers (e.g. {[name, *bypassed]})"
            )


def _check_options(name: str, spec: WrapperSpec, cfg: Mapping[str, Any]) -> None:
    parameters = inspect.signature(spec.options).parameters
    known = {p for p, v in parameters.items() if v.kind is inspect.Parameter.KEYWORD_ONLY} | {"model"}
    unknown = sorted(set(cfg) - known)
    if unknown:
        raise ValueError(f"wrapper {name!r}: unknown option(s) {unknown}; known options: {sorted(known)}")


def apply_stack(
    env: gym.Env,
    policy: Policy,
    model: ChatModel,
    stack: Sequence[tuple[str, Mapping[str, Any]]],
    env_kind: str,
) -> tuple[gym.Env, Policy]:
    validate_stack([(name, cfg) for name, cfg in stack], env_kind)
    for name, cfg in stack:
        spec = REGISTRY[name]
        options = dict(cfg)
        role_model = _role_model(options.pop("model", None), model)
        if spec.kind == "policy":
            policy = spec.build(policy=policy, model=role_model, env=env, env_kind=env_kind, **options)
        else:
            env = spec.build(env=env, model=role_model, env_kind=env_kind, policy=policy, **options)
    return env, policy


_ROLE_MODELS: dict[str, ChatModel] = {}
_ROLE_MODELS_LOCK = threading.Lock()


def _role_model(model_cfg: Mapping[str, Any] | None, stack_model: ChatModel) -> ChatModel:
    """The stack's model, or the one a wrapper config names (built once per process,
    metered into the episode's accountant like the stack's model)."""
    if not model_cfg:
        return stack_model
    from policies.llm.registry import make_chat_model

    key = json.dumps(dict(model_cfg), sort_keys=True, default=str)
    with _ROLE_MODELS_LOCK:
        if key not in _ROLE_MODELS:
            _ROLE_MODELS[key] = make_chat_model(model_cfg)
        own = _ROLE_MODELS[key]
    return MeteredModel(own, stack_model.accountant) if isinstance(stack_model, MeteredModel) else own
