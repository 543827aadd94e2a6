"""Finding MLE-bench (openai/mle-bench): its registry, its lite split, its grader names and its data.

MLE-bench is not on PyPI; it is installed from its checkout (`INSTALL`), and only
imported here, lazily. When the package is absent the MLE env grades external
folders with its own metrics; when it is installed but cannot be imported (a
module its registry needs is missing) the error says so, instead of silently
grading another way.
"""

from __future__ import annotations

import importlib.util
import shlex
from pathlib import Path
from typing import Any

#: MLE-bench's own dependency list pulls in tensorflow, docker, kaggle, ...; its registry and graders import only these
INSTALL = "pip install --no-deps -e <mle-bench checkout> && pip install appdirs py7zr"

#: MLE-bench grader names (config.yaml `grader.name`) of the lite competitions -> the metric of ours with
#: the same meaning and direction (used for the direction and the journal's wording; MLE-bench's grader scores)
GRADER_METRICS = {
    "auc-roc": "auc-roc",
    "column-wise ROC AUC": "auc-roc",
    "mean-column-wise-roc-auc": "auc-roc",
    "quadratic-weighted-kappa": "qwk",
    "root_mean_squared_error": "rmse",
    "root-mean-squared-error": "rmse",
    "mean-column-wise-rmsle": "rmsle",
    "multi-class-log-loss": "log-loss",
    "log-loss": "log-loss",
    "accuracy": "accuracy",
    "multi-class-classification-accuracy": "accuracy",
}


def registry(data_dir: Path | None = None) -> Any | None:
    """MLE-bench's registry over `data_dir` (its default data dir when None); None when it is not installed."""
    if importlib.util.find_spec("mlebench") is None:
        return None
    try:
        from mlebench.registry import registry as default
    except ImportError as exc:
        raise ImportError(f"mlebench is installed but cannot be imported ({exc}); install it with: {INSTALL}") from exc
    return default if data_dir is None else default.set_data_dir(Path(data_dir))


def require_registry(data_dir: Path | None = None) -> Any:
    found = registry(data_dir)
    if found is None:
        raise ModuleNotFoundError(f"MLE-bench (the `mlebench` package) is not installed; install it with: {INSTALL}")
    return found


def known_competition(competition_id: str, data_dir: Path) -> Any | None:
    """MLE-bench's Competition for the id with its data under `data_dir`; None when mlebench is absent
    or has no such competition."""
    found = registry(data_dir)
    if found is None or competition_id not in found.list_competition_ids():
        return None
    return found.get_competition(competition_id)


def lite_competition_ids() -> list[str]:
    """The 22 ids of MLE-bench lite, read from MLE-bench's split file (experiments/splits/low.txt)."""
    found = require_registry()
    split = found.get_splits_dir() / "low.txt"
    if not split.is_file():
        raise FileNotFoundError(
            f"MLE-bench's split file {split} is missing: its package was installed without its checkout; "
            f"install it in editable mode from the checkout ({INSTALL})"
        )
    return list(found.get_lite_competition_ids())


def default_data_dir() -> Path:
    """Where `mlebench prepare` puts data when given no --data-dir."""
    return Path(require_registry().get_data_dir())


def prepare_command(competition_id: str, data_dir: Path) -> str:
    """The command that downloads (Kaggle credentials needed) and prepares one competition's data."""
    return f"mlebench prepare -c {shlex.quote(competition_id)} --data-dir {shlex.quote(str(data_dir))}"


def missing_data(bench: Any) -> list[Path]:
    """The files and folders an episode of this MLE-bench competition needs that are not there."""
    needed = (bench.public_dir, bench.private_dir, bench.answers, bench.sample_submission)
    return [Path(path) for path in needed if not Path(path).exists()]


def is_lfs_pointer(path: Path) -> bool:
    """True for a Git LFS pointer file (what a checkout without `git lfs pull` holds instead of the table)."""
    with open(path, "rb") as handle:
        return handle.read(40).startswith(b"version https://git-lfs.github.com/spec/")
