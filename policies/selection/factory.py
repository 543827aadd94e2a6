"""Build selectors from Hydra configs (conf/selector/*.yaml) or saved state."""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from typing import Any

from policies.selection.bandits import UCB1, EpsilonGreedy, ThompsonSampling
from policies.selection.base import Selector
from policies.selection.contextual import LinUCB
from policies.selection.deployment import ABTest, Naive, ValidationBased

#: The six strategies of the model-deployment paper (arXiv 2503.22595): what the simulator compares by default.
PAPER_STRATEGIES: dict[str, type[Selector]] = {
    cls.name: cls for cls in (Naive, ValidationBased, ABTest, EpsilonGreedy, UCB1, ThompsonSampling)
}
#: Every strategy a config can name: the paper's six and the contextual one.
STRATEGIES: dict[str, type[Selector]] = {**PAPER_STRATEGIES, LinUCB.name: LinUCB}
NO_SELECTION = "none"
_SESSION_KEYS = {"name", "arms", "n_arms", "error_reward"}  # used by SelectorSession, not the strategy

Arm = tuple[str, ...]


def to_plain(cfg: Any) -> dict[str, Any]:
    """A plain dict from a DictConfig or any mapping (Hydra configs stay read-only)."""
    try:
        from omegaconf import DictConfig, OmegaConf

        if isinstance(cfg, DictConfig):
            # to_container is typed for any node (dict, list, str, None); a DictConfig gives a dict
            return OmegaConf.to_container(cfg, resolve=True)  # type: ignore[return-value]
    except ImportError:  # pragma: no cover - omegaconf comes with hydra-core
        pass
    if not isinstance(cfg, Mapping):
        raise ValueError(f"selector config must be a mapping, got {type(cfg).__name__}")
    return dict(cfg)


def parse_arms(arms: Any) -> list[Arm]:
    """Arms are wrapper stacks: a list of lists of wrapper names, e.g. [[], [summarize]]."""
    if isinstance(arms, (str, bytes)) or not isinstance(arms, Sequence) or not arms:
        raise ValueError(f"selector arms must be a non-empty list of wrapper-name lists, got {arms!r}")
    parsed = []
    for arm in arms:
        if (
            isinstance(arm, (str, bytes))
            or not isinstance(arm, Sequence)
            or not all(isinstance(name, str) and name for name in arm)
        ):
            raise ValueError(f"each selector arm must be a list of wrapper names, got {arm!r} in {arms!r}")
        parsed.append(tuple(arm))
    if len(set(parsed)) != len(parsed):
        raise ValueError(f"selector arms must be distinct, got {arms!r}")
    return parsed


def make_selector(cfg: Any) -> Selector | None:
    """The selector a config asks for, or None for `name: none` (no selection).

    `n_arms` comes from `arms` (or an explicit `n_arms`); every other key is
    a constructor argument of the strategy (seed, drift, hyperparameters).
    """
    plain = to_plain(cfg)
    name = plain.get("name", NO_SELECTION)
    if name in (None, NO_SELECTION):
        return None
    if name not in STRATEGIES:
        raise ValueError(f"unknown selector {name!r}; known: {[NO_SELECTION, *STRATEGIES]}")
    cls = STRATEGIES[name]
    if plain.get("n_arms") is not None:
        n_arms = plain["n_arms"]
        if "arms" in plain and plain["arms"] is not None and len(parse_arms(plain["arms"])) != n_arms:
            raise ValueError(f"selector n_arms={n_arms} but {len(plain['arms'])} arms are listed")
    elif plain.get("arms") is not None:
        n_arms = len(parse_arms(plain["arms"]))
    else:
        raise ValueError(f"selector {name!r} needs `arms` (a list of wrapper stacks) or `n_arms`")
    kwargs = {k: v for k, v in plain.items() if k not in _SESSION_KEYS}
    accepted = set(inspect.signature(cls.__init__).parameters) - {"self", "n_arms"}
    unknown = set(kwargs) - accepted
    if unknown:
        raise ValueError(f"unknown option(s) {sorted(unknown)} for selector {name!r}; known: {sorted(accepted)}")
    return cls(n_arms, **kwargs)


def selector_from_state(state: Mapping[str, Any]) -> Selector:
    """Rebuild a selector from `state_dict()` output and continue where it stopped."""
    selector = make_selector(state["config"])
    if selector is None:
        raise ValueError("saved selector state has no strategy")
    selector.load_state_dict(state)
    return selector
