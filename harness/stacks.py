"""Wrapper stacks as the harness sees them, and the hook that picks one per episode.

A stack is an ordered tuple of (wrapper name, settings); list order is
wrapping order. Hydra composes `wrappers=[summarize,correct]` into the
mapping {summarize: {...}, correct: {...}} in that order, because every
conf/wrappers/<name>.yaml holds one top-level key, <name>.

`StackChooser` is where strategy selection plugs in: the harness asks it for
the stack of each episode and tells it each result. `FixedStack` (the
default) always answers the configured `wrappers`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Protocol, Sequence

from omegaconf import OmegaConf

Stack = tuple[tuple[str, dict[str, Any]], ...]


def stack_from_config(wrappers_cfg: Mapping[str, Any] | None) -> Stack:
    """The composed `cfg.wrappers` mapping as a stack, order kept."""
    stack = []
    for name, settings in (wrappers_cfg or {}).items():
        if settings is not None and not isinstance(settings, Mapping):
            raise ValueError(
                f"wrapper {name!r}: settings must be a mapping, got {settings!r}; "
                f"conf/wrappers/{name}.yaml must hold one top-level key {name!r}"
            )
        stack.append((str(name), dict(settings or {})))
    return tuple(stack)


def load_stack(names: Sequence[str], conf_dir: str | Path) -> Stack:
    """A stack from wrapper names, each with its settings from conf/wrappers/<name>.yaml."""
    stack = []
    for name in names:
        path = Path(conf_dir) / "wrappers" / f"{name}.yaml"
        if not path.is_file():
            known = sorted(p.stem for p in path.parent.glob("*.yaml"))
            raise ValueError(f"unknown wrapper {name!r}: no {path}; known wrappers: {known}")
        content = OmegaConf.to_container(OmegaConf.load(path), resolve=True) or {}
        stack.append((name, dict(content.get(name) or {})))
    return tuple(stack)


def stack_names(stack: Stack) -> list[str]:
    return [name for name, _ in stack]


def stack_label(names: Sequence[str]) -> str:
    """A short readable name for a stack: "none" or "summarize+correct"."""
    return "+".join(names) if names else "none"


class StackChooser(Protocol):
    """Picks the wrapper stack of each episode and learns from its result.

    `choose` may be called for several episodes before any `update` (episodes
    run in parallel and finish out of order); both are called from the
    harness's threads, so implementations must be thread-safe.
    """

    def choose(self, episode_key: str) -> Stack: ...

    def update(self, record: Mapping[str, Any]) -> None:
        """Learn from a finished episode's record (its `stack`, `reward`, `success`, `error`)."""
        ...

    def state(self) -> dict[str, Any]:
        """What the chooser knows, saved in the run dir (empty when nothing)."""
        ...


class FixedStack:
    """The same configured stack for every episode (no selection)."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack

    def choose(self, episode_key: str) -> Stack:
        return self.stack

    def update(self, record: Mapping[str, Any]) -> None:
        return None

    def state(self) -> dict[str, Any]:
        return {}
