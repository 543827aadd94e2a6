"""trainfree installed from its wheel into a venv outside the checkout, as a user's `pip install .` leaves it.

The wheel is built from a copy of the sources (no build isolation: this venv's setuptools builds it, so no
package index is needed) and installed with `--no-deps`; the venv finds the dependencies in this interpreter's
site-packages through a .pth line (fast, no index). `tests/conftest.py` builds one per test session.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("envs", "policies", "wrappers", "harness")
#: What the wheel is built from: everything else in the checkout is not the package's.
SOURCES = (*PACKAGES, "conf", "train_free_eval.py", "pyproject.toml", "README.md")


def build_wheel(folder: Path) -> Path:
    source = folder / "source"
    source.mkdir()
    for name in SOURCES:
        origin = REPO / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(origin, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(folder), "."],
        cwd=source,
        check=True,
        timeout=300,
    )
    (wheel,) = folder.glob("trainfree-*.whl")
    return wheel


def fresh_venv(path: Path, wheel: Path) -> Path:
    """A venv with only trainfree installed; the rest is found in this interpreter's site-packages. Returns its
    bin folder."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True, timeout=120)
    python = path / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # appended after the venv's own site-packages: the installed trainfree wins over the checkout's editable one,
    # whose finder (a .pth of that directory) is not run from here
    (Path(purelib) / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        timeout=300,
    )
    return path / "bin"
