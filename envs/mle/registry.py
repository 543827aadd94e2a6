"""The built-in competitions, by id, and the lite/all splits."""

from __future__ import annotations

import importlib
import pkgutil

from envs.mle.builtin import BuiltinSpec


def _competition_modules() -> tuple[str, ...]:
    """Every package under envs/mle/competitions is a competition: adding one is adding its folder."""
    from envs.mle import competitions

    return tuple(sorted(info.name for info in pkgutil.iter_modules(competitions.__path__) if info.ispkg))


MODULES = _competition_modules()
SPLITS = ("lite", "all")


def builtin_specs() -> dict[str, BuiltinSpec]:
    specs = (importlib.import_module(f"envs.mle.competitions.{name}").SPEC for name in MODULES)
    return {spec.config.id: spec for spec in specs}


def competition_ids(split: str = "all") -> list[str]:
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; known splits: {list(SPLITS)}")
    return [cid for cid, spec in builtin_specs().items() if split == "all" or spec.config.lite]


def get_spec(competition_id: str) -> BuiltinSpec:
    module = competition_id.replace("-", "_")
    if module not in MODULES:
        known = sorted(name.replace("_", "-") for name in MODULES)
        raise KeyError(f"unknown competition {competition_id!r}; built-in competitions: {known}")
    return importlib.import_module(f"envs.mle.competitions.{module}").SPEC
