"""Compose a wrapper stack through Hydra, exactly as `wrappers=[...]` would.

A selector's arms are stacks too: each arm is composed from conf/wrappers/
with Hydra's own override grammar, so an arm accepts what `wrappers=` does.
An arm is a list of wrapper names, optionally followed by option overrides
relative to `wrappers.`:

    selector.arms='[[],[summarize],[summarize,correct,"correct.max_attempts=3"]]'

composes the third arm as `wrappers=[summarize,correct] wrappers.correct.max_attempts=3`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.errors import HydraException
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from envs.contract import EnvProfile
from wrappers.stack import WrapperStack, check_names, parse_stack

#: The Hydra configs: in a checkout a link to the repository's conf/, in an installed trainfree its package data.
CONF_DIR = Path(__file__).resolve().parent / "conf"


def arm_overrides(arm: Sequence[str]) -> list[str]:
    """The Hydra overrides an arm stands for."""
    names = [item for item in arm if "=" not in item]
    options = [f"wrappers.{item}" for item in arm if "=" in item]
    return ([f"+wrappers=[{','.join(names)}]"] if names else []) + options


def compose_stack(
    arm: Sequence[str], profile: EnvProfile, conf_dir: str | Path = CONF_DIR, searchpath: Sequence[str] = ()
) -> WrapperStack:
    """The arm's stack, composed from `conf_dir` (plus `searchpath`) and checked for `profile`."""
    try:
        check_names([item for item in arm if "=" not in item])
    except ValueError as err:
        raise ValueError(f"selector arm {list(arm)}: {err}") from err
    overrides = arm_overrides(arm)
    if searchpath:
        overrides.append(f"hydra.searchpath=[{','.join(searchpath)}]")
    try:
        with _own_hydra(Path(conf_dir)):
            cfg = compose(overrides=overrides)
    except (HydraException, OmegaConfBaseException) as err:
        raise ValueError(f"selector arm {list(arm)}: cannot compose {overrides}: {err}") from err
    wrappers = OmegaConf.to_container(cfg, resolve=True).get("wrappers")  # type: ignore[union-attr]
    return parse_stack(wrappers if isinstance(wrappers, Mapping) else None, profile)


@contextmanager
def _own_hydra(conf_dir: Path) -> Iterator[None]:
    """A Hydra of our own on `conf_dir`; the running app's (inside @hydra.main) is put back after."""
    global_hydra = GlobalHydra.instance()
    running: Any = global_hydra.hydra
    global_hydra.clear()
    try:
        with initialize_config_dir(config_dir=str(conf_dir.resolve()), version_base="1.3"):
            yield
    finally:
        global_hydra.clear()
        global_hydra.hydra = running
