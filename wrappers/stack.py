"""A wrapper stack: parsed and validated once, then built around an env and a policy.

A stack is an ordered list of wrappers with their settings; list order is
wrapping order. Hydra composes `wrappers=[summarize,correct]` into the mapping
{summarize: {...}, correct: {...}} in that order, because every
conf/wrappers/<name>.yaml holds one top-level key, <name>.

`parse_stack(wrappers, profile)` is the only way to get a `WrapperStack`: it
refuses, before any episode runs, a stack that cannot work on that env
(unknown or repeated wrappers, two searches, a search the env cannot serve,
unknown options, a policy wrapper another one would bypass). `apply_stack`
builds a `WrapperStack` without checking it again.

Each wrapper declares its kind: "observation" (a gymnasium.ObservationWrapper:
summarize, truncate), "step" (a gymnasium.Wrapper around `step`, which sees
each action and its result and may act again: correct), "policy" (wraps the
policy: self_consistency, tree_search, ...). A wrapper's settings may name its
own `model` (a policies.llm.registry config); otherwise every role uses the
stack's model.
"""

from __future__ import annotations

import difflib
import inspect
import json
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import gymnasium as gym

from envs.contract import EnvProfile
from policies.base import ChatPolicy, Policy
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

WrapperKind = Literal["observation", "step", "policy"]


@dataclass(frozen=True)
class WrapperSpec:
    kind: WrapperKind
    cls: type  # its keyword-only constructor parameters are the wrapper's options
    exclusive: str | None = None  # at most one wrapper of each exclusive group in a stack
    generates: bool = False  # a policy wrapper that writes every action itself, never calling the wrapped act
    needs_search: bool = False  # only on envs whose profile names a search (EnvProfile.search)
    fill: Callable[[dict[str, Any], Policy, EnvProfile], None] | None = None  # settings that follow the env/policy


def _count_the_agent_prompt(options: dict[str, Any], policy: Policy, profile: EnvProfile) -> None:
    """The summarizer counts the agent's own system prompt in the prompt size."""
    if not options.get("agent_prompt") and isinstance(policy, ChatPolicy):
        options.setdefault("agent_system_prompt", policy.system_prompt)


REGISTRY: dict[str, WrapperSpec] = {
    "summarize": WrapperSpec("observation", Summarize, fill=_count_the_agent_prompt),
    "truncate": WrapperSpec("observation", Truncate),
    "correct": WrapperSpec("step", Correct),
    "self_consistency": WrapperSpec("policy", SelfConsistency, generates=True),
    "self_debug": WrapperSpec("policy", SelfDebug),
    "self_reflection": WrapperSpec("policy", SelfReflection),
    "chaining": WrapperSpec("policy", Chaining, generates=True),
    "tree_search": WrapperSpec("policy", TreeSearch, exclusive="search", generates=True, needs_search=True),
    "tree_of_thoughts": WrapperSpec("policy", TreeOfThoughts, exclusive="search", generates=True),
}


@dataclass(frozen=True)
class WrapperStack:
    """A stack checked for one env profile; made by `parse_stack`, never by hand."""

    items: tuple[tuple[str, Mapping[str, Any]], ...]
    profile: EnvProfile

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.items]

    @property
    def label(self) -> str:
        return stack_label(self.names)

    def __iter__(self) -> Iterator[tuple[str, Mapping[str, Any]]]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def model_users(self) -> list[str]:
        """The wrappers that ask the stack's model: policy wrappers, and env wrappers taking a `model`,
        unless their settings name a model of their own."""
        return [
            name
            for name, settings in self.items
            if not settings.get("model")
            and (REGISTRY[name].kind == "policy" or "model" in inspect.signature(REGISTRY[name].cls).parameters)
        ]

    def to_plain(self) -> list[list[Any]]:
        """[[name, settings], ...]: how run.json records a stack."""
        return [[name, dict(settings)] for name, settings in self.items]


def stack_label(names: Sequence[str]) -> str:
    """A short readable name for a stack: "none" or "summarize+correct"."""
    return "+".join(names) if names else "none"


StackInput = Mapping[str, Any] | Sequence[str | tuple[str, Mapping[str, Any] | None]] | None


def parse_stack(wrappers: StackInput, profile: EnvProfile) -> WrapperStack:
    """The stack `wrappers` describes, checked for envs of `profile`.

    `wrappers` is the composed Hydra mapping {name: settings} (order kept), or
    a list of names or (name, settings) pairs; settings default to none.
    """
    items = tuple(_items(wrappers))
    names = [name for name, _ in items]
    check_names(names)
    for name, settings in items:
        spec = REGISTRY[name]
        if spec.needs_search and profile.search is None:
            raise ValueError(
                f"wrapper {name!r} does not support env {profile.name!r}: it has no search "
                "(no cheap snapshots to branch from)"
            )
        _check_options(name, spec, settings)
    groups: dict[str, list[str]] = {}
    for name in names:
        group = REGISTRY[name].exclusive
        if group:
            groups.setdefault(group, []).append(name)
    for group, members in groups.items():
        if len(members) > 1:
            raise ValueError(
                f"a stack can hold one {group} wrapper, got {members}: each would search over the other's steps"
            )
    _check_generators([name for name in names if REGISTRY[name].kind == "policy"])
    return WrapperStack(items=items, profile=profile)


def check_names(names: Sequence[str]) -> None:
    """Refuse unknown and repeated wrapper names. Called on the names as typed too, before Hydra composes
    them: composing `wrappers=[correct,correct]` keeps one `correct`, and an unknown name fails there
    with no list of the valid ones."""
    for name in names:
        if name not in REGISTRY:
            close = difflib.get_close_matches(name, REGISTRY, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ValueError(f"unknown wrapper {name!r}; {hint}known wrappers: {', '.join(sorted(REGISTRY))}")
        if names.count(name) > 1:
            raise ValueError(
                f"wrapper {name!r} appears {names.count(name)} times in the stack {list(names)}; "
                "a stack uses each wrapper once: list it once and set its options instead"
            )


def _items(wrappers: StackInput) -> Iterator[tuple[str, Mapping[str, Any]]]:
    pairs: Sequence[Any]
    if wrappers is None:
        return
    if isinstance(wrappers, Mapping):
        pairs = list(wrappers.items())
    elif isinstance(wrappers, str):
        raise ValueError(f"a wrapper stack is a list of wrapper names, got the string {wrappers!r}")
    else:
        pairs = [(item, None) if isinstance(item, str) else item for item in wrappers]
    for pair in pairs:
        if not (isinstance(pair, Sequence) and len(pair) == 2 and isinstance(pair[0], str)):
            raise ValueError(f"a stack entry is a wrapper name or (name, settings), got {pair!r}")
        name, settings = pair
        if settings is not None and not isinstance(settings, Mapping):
            raise ValueError(
                f"wrapper {name!r}: settings must be a mapping, got {settings!r}; "
                f"conf/wrappers/{name}.yaml must hold one top-level key {name!r}"
            )
        yield name, dict(settings or {})


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


def _check_options(name: str, spec: WrapperSpec, settings: Mapping[str, Any]) -> None:
    parameters = inspect.signature(spec.cls).parameters
    known = {p for p, v in parameters.items() if v.kind is inspect.Parameter.KEYWORD_ONLY} | {"model"}
    unknown = sorted(set(settings) - known)
    if unknown:
        raise ValueError(f"wrapper {name!r}: unknown option(s) {unknown}; known options: {sorted(known)}")


def apply_stack(env: gym.Env, policy: Policy, model: ChatModel | None, stack: WrapperStack) -> tuple[gym.Env, Policy]:
    """Wrap `env` and `policy` in list order; every role asks `model` unless its settings name another."""
    for name, settings in stack:
        spec = REGISTRY[name]
        options = dict(settings)
        role_model = _role_model(options.pop("model", None), model)
        if spec.fill is not None:
            spec.fill(options, policy, stack.profile)
        takes = inspect.signature(spec.cls).parameters
        try:
            if spec.kind == "policy":  # a policy wrapper takes the env only when it branches on it
                policy = spec.cls(policy, role_model, **({"env": env} if "env" in takes else {}), **options)
            else:  # an env wrapper takes a model only when it asks one
                env = spec.cls(env, **({"model": role_model} if "model" in takes else {}), **options)
        except (TypeError, ValueError) as error:  # a setting of the wrong type or value: name whose it is
            raise ValueError(f"wrapper {name!r}: {error}") from error
    return env, policy


_ROLE_MODELS: dict[str, ChatModel] = {}
_ROLE_MODELS_LOCK = threading.Lock()


def _role_model(model_cfg: Mapping[str, Any] | None, stack_model: ChatModel | None) -> ChatModel | None:
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
