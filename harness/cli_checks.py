"""Check train_free_eval.py's command line before Hydra composes it, and the composed config after.

Hydra's own errors on these mistakes name no fix: an unknown wrapper fails with
"Could not load 'wrappers/x'", a repeated one is silently merged into one, a
misspelt setting is refused with a suggestion to add it with `+`, and that
`+limt=2` then runs with the default limit. A mandatory value left unset (`???`)
fails later, deep in the code that reads it.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hydra._internal.utils import get_args_parser
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import ChoiceSweep, Override
from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf

from wrappers.stack import check_names


class UsageError(ValueError):
    """A command line or config the run cannot start from; the message says what to change."""


def check_command_line(argv: Sequence[str], conf_dir: Path) -> None:
    """Refuse unknown top-level settings (also added with `+`) and unknown or repeated wrappers."""
    parsed, rest = get_args_parser().parse_known_args(list(argv))
    texts = [*parsed.overrides, *(arg for arg in rest if not arg.startswith("-"))]
    try:
        overrides = OverridesParser.create().parse_overrides(texts)
    except HydraException:
        return  # Hydra reports its own syntax errors, with the position
    known = known_settings(conf_dir)
    for override in overrides:
        top = override.key_or_group.replace("/", ".").split(".")[0]
        if top not in known:
            close = difflib.get_close_matches(top, sorted(known), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise UsageError(
                f"unknown setting {top!r} in {override.input_line!r}; {hint}known settings: {', '.join(sorted(known))}"
            )
        if override.key_or_group == "wrappers":
            for stack in _stacks(override):
                try:
                    check_names(stack)
                except ValueError as error:
                    raise UsageError(f"{override.input_line!r}: {error}") from error


def known_settings(conf_dir: Path) -> set[str]:
    """The top-level keys of eval.yaml, its config groups, and `hydra`."""
    primary = OmegaConf.load(conf_dir / "eval.yaml")
    assert isinstance(primary, DictConfig)
    groups = {str(next(iter(entry))) for entry in primary.get("defaults", []) if isinstance(entry, DictConfig)}
    return {str(key) for key in primary if key != "defaults"} | {g.split("/")[0] for g in groups} | {"hydra"}


def _stacks(override: Override) -> list[list[str]]:
    """Each stack `wrappers=` names: one list, or a sweep's lists."""
    value: Any = override.value()
    choices = value.list if isinstance(value, ChoiceSweep) else [value]
    stacks = [choice if isinstance(choice, list) else [choice] for choice in choices if choice]
    return [[str(name) for name in stack] for stack in stacks]


def check_no_missing_values(cfg: DictConfig) -> None:
    """Name every mandatory value (`???`) the config leaves unset, e.g. policy=replay's recording."""
    missing = sorted(OmegaConf.missing_keys(cfg))
    if missing:
        raise UsageError(
            f"the config leaves {', '.join(missing)} unset; set it on the command line, e.g. `{missing[0]}=...`"
        )
