"""trainfree as an installed package: its commands, its configs, its declared dependencies.

The end-to-end test runs `trainfree-eval` and `trainfree-report` in the session's venv where trainfree is
installed from its wheel (`installed_trainfree`, tests/installed_wheel.py), so a module or config file the
wheel lacks fails it.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
import tomllib

from tests.installed_wheel import PACKAGES, REPO

#: Imported by integrations that are installed apart from this package, as the README says (no extra can hold them).
INSTALLED_APART = {
    "mlebench": "MLE-bench is not on PyPI: its checkout's package, used when installed",
    "appworld": "AppWorld's pins clash with ours: it runs in a worker under its own venv's Python",
}


def _dist(name: str) -> str:
    """A distribution name in PEP 503 normal form (`Hydra_Core` and `hydra-core` are one)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> tuple[set[str], set[str]]:
    """(core dependencies, dependencies of any extra), as normalized distribution names."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]

    def names(requirements: list[str]) -> set[str]:
        return {_dist(re.split(r"[\s\[<>=!~;]", req, maxsplit=1)[0]) for req in requirements}

    extras = set().union(*map(names, project["optional-dependencies"].values()))
    return names(project["dependencies"]), extras


def _third_party_imports() -> list[tuple[str, str, bool]]:
    """(top-level module, where, at module level) of every import of a third-party module in the package."""
    files = [path for package in PACKAGES for path in sorted((REPO / package).rglob("*.py"))]
    files.append(REPO / "train_free_eval.py")
    first_party = {*PACKAGES, "train_free_eval"}
    found = []
    for path in files:
        tree = ast.parse(path.read_text(), filename=str(path))
        top_level = {id(node) for node in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.partition(".")[0]
                if top not in sys.stdlib_module_names and top not in first_party:
                    found.append((top, f"{path.relative_to(REPO)}:{node.lineno}", id(node) in top_level))
    return found


def test_every_imported_third_party_module_is_declared() -> None:
    """A module imported at module level comes from a core dependency (else `import` fails on a plain install);
    one imported lazily, from a core dependency or an extra's."""
    core, extras = _declared()
    providers = packages_distributions()
    problems = []
    for module, where, at_module_level in _third_party_imports():
        if module in INSTALLED_APART:
            continue
        dists = {_dist(d) for d in providers.get(module, [module])}
        allowed = core if at_module_level else core | extras
        if not dists & allowed:
            kind = "dependencies" if at_module_level else "dependencies or an extra"
            problems.append(f"{where}: imports {module} (from {sorted(dists)}), not in pyproject's {kind}")
    assert not problems, "\n".join(problems)


def test_every_console_script_names_a_function_that_exists() -> None:
    """Each [project.scripts] entry resolves to a callable that takes no required argument."""
    import importlib
    import inspect

    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert {"trainfree-eval", "trainfree-report", "trainfree-merge", "trainfree-mle"} <= set(scripts)
    for name, target in scripts.items():
        module, _, function = target.partition(":")
        entry = getattr(importlib.import_module(module), function)
        required = [p for p in inspect.signature(entry).parameters.values() if p.default is inspect.Parameter.empty]
        assert not required, f"{name} = {target} needs arguments {required}: a console script passes none"


@pytest.mark.slow
def test_installed_wheel_runs_an_evaluation_and_its_report_outside_the_checkout(
    installed_trainfree: Path, tmp_path: Path
) -> None:
    bin_dir = installed_trainfree
    elsewhere = tmp_path / "elsewhere"  # not the checkout: nothing may be found through the current directory
    elsewhere.mkdir()

    where = subprocess.run(
        [bin_dir / "python", "-c", "import harness.compose as c, train_free_eval as t; print(c.CONF_DIR, t.__file__)"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert all(Path(path).is_relative_to(bin_dir.parent) for path in where), where
    assert (Path(where[0]) / "eval.yaml").is_file() and (Path(where[0]) / "launcher" / "ray.yaml").is_file()

    run_dir = tmp_path / "run"
    done = subprocess.run(
        [bin_dir / "trainfree-eval", "policy=oracle", "limit=2", "progress=false", f"hydra.run.dir={run_dir}"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"results: {run_dir}" in done.stdout
    records = (run_dir / "results.jsonl").read_text().splitlines()
    assert len(records) == 2 and '"error": null' in records[0], records

    report = subprocess.run(
        [bin_dir / "trainfree-report", str(run_dir)], cwd=elsewhere, capture_output=True, text=True, timeout=120
    )
    assert report.returncode == 0, report.stderr[-3000:]
    assert "2 episodes shared by all stacks" in (run_dir / "report.md").read_text()

    # a user's own config dir joins the packaged ones through Hydra's search path
    mine = tmp_path / "my_conf" / "policy"
    mine.mkdir(parents=True)
    (mine / "my_oracle.yaml").write_text("name: my_oracle\nkind: oracle\n")
    composed = subprocess.run(
        [bin_dir / "trainfree-eval", f"hydra.searchpath=[file://{mine.parent}]", "policy=my_oracle", "--cfg", "job"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert composed.returncode == 0, composed.stderr[-3000:]
    assert "name: my_oracle" in composed.stdout and "name: toolworld" in composed.stdout
