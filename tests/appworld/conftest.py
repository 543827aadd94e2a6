"""The real AppWorld for these tests: its interpreter and a small dataset built with its own code.

`appworld_python`: the interpreter with the appworld package and its apps
(`appworld install`): $TRAINFREE_APPWORLD_PYTHON, else .venv/appworld/ beside
the project's venv, where the test command installs it. Without it every test
here is skipped, naming the install line.
`appworld_root`: an APPWORLD_ROOT whose data/ build_dataset.py wrote (base
databases, api docs, three tasks in two scenarios), once per test session.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILDER = Path(__file__).with_name("build_dataset.py")
INSTALL_LINE = (
    "python3.11 -m venv .venv/appworld && .venv/appworld/bin/pip install -q appworld==0.1.3.post1 "
    "&& .venv/appworld/bin/appworld install"
)


@pytest.fixture(scope="session")
def appworld_python() -> str:
    python = os.environ.get("TRAINFREE_APPWORLD_PYTHON") or str(REPO / ".venv" / "appworld" / "bin" / "python")
    if not Path(python).exists():
        pytest.skip(f"no AppWorld interpreter at {python}: install it with `{INSTALL_LINE}`")
    probe = subprocess.run(
        [python, "-I", "-c", "import appworld.apps.simple_note.apis"], capture_output=True, text=True, timeout=120
    )
    if probe.returncode != 0:
        pytest.skip(f"{python} cannot load AppWorld's apps ({probe.stderr.strip()[-300:]}): `{INSTALL_LINE}`")
    return python


@pytest.fixture(scope="session")
def appworld_root(appworld_python: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("appworld_root")
    built = subprocess.run(
        [appworld_python, "-I", str(BUILDER), str(root)], cwd=root, capture_output=True, text=True, timeout=600
    )
    assert built.returncode == 0, f"build_dataset.py failed:\n{built.stdout[-2000:]}\n{built.stderr[-4000:]}"
    return root
