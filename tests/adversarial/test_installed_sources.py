"""Agent code cannot read trainfree's own files when trainfree is installed as a regular package.

Installed from its wheel, trainfree's packages sit in the same site-packages as numpy and scikit-learn, which
MLE solution scripts must import; the MLE generators (with their secret seeds) and ToolWorld's scenario oracles
would be readable there. The test runs, in the session's venv with trainfree installed from its wheel (a driver
script outside the checkout), a sandboxed solution script and a ToolWorld step with its Python guards switched
off, each trying to read and import those files from that site-packages: refused by the kernel, while the
scientific stack imports and the stdlib stays readable. Every backend this machine has runs (rlimit + Landlock +
seccomp; bwrap where it works).
"""

from __future__ import annotations

import errno
import json
import subprocess
import sys
from pathlib import Path

import pytest

from envs.sandbox import landlock
from envs.sandbox.read_grants import carve
from tests.adversarial.conftest import DISABLE_PYTHON_GUARDS, TASK

#: read in the sandbox: trainfree's files in the installed site-packages (SITE), and a stdlib file as the control
TARGETS = {
    "generator": "SITE/envs/mle/competitions/digit_recognizer/__init__.py",
    "scenario": "SITE/envs/toolworld/scenarios/bill_splitting.py",
    "metadata": "SITE/trainfree-0.1.0.dist-info/RECORD",
    "stdlib": "STDLIB",
}

#: Landlock refuses (EACCES); bwrap does not even bind them (ENOENT)
REFUSED = {"PermissionError", "FileNotFoundError"}

MLE_SCRIPT = f"""
import importlib, json
import numpy, pandas, scipy, sklearn
found = {{}}
for name, path in {TARGETS!r}.items():
    try:
        with open(path, "rb") as handle:
            handle.read(16)
        found[name] = "read"
    except OSError as err:
        found[name] = type(err).__name__
for module in ("envs.mle.competitions.digit_recognizer", "envs.toolworld.scenarios"):
    try:
        importlib.import_module(module)
        found[module] = "imported"
    except Exception as err:
        found[module] = type(err).__name__
found["numpy"] = float(numpy.ones(3).sum())
print(json.dumps(found))
"""

TOOLWORLD_STEP = (
    DISABLE_PYTHON_GUARDS
    + f"""
for _name, _path in {TARGETS!r}.items():
    try:
        os.read(os.open(_path, 0), 16)
        print(_name, "read")
    except OSError as _err:
        print(_name, type(_err).__name__)
"""
)

#: run by the venv's interpreter, from outside the checkout: the sandboxes of the installed trainfree
DRIVER = """
import json, os, sys, tempfile
from pathlib import Path

import envs
from envs.mle.solution_run import run_script
from envs.sandbox import bwrap
from envs.sandbox.limits import Limits
from envs.toolworld.env import ToolWorldEnv

spec = json.loads(Path(sys.argv[1]).read_text())
site = str(Path(envs.__file__).resolve().parents[1])
fill = lambda code: code.replace("SITE", site).replace("STDLIB", os.__file__)
backends = ["rlimit"] + (["bwrap"] if bwrap.unavailable_reason() is None else [])
report = {"site": site, "mle": {}, "toolworld": {}}
with tempfile.TemporaryDirectory() as tmp:
    (Path(tmp) / "data").mkdir()
    for backend in backends:
        run = run_script(
            fill(spec["script"]), Path(tmp) / backend, Path(tmp) / "data", limits=Limits(), timeout_s=120,
            log_dir=Path(tmp) / "logs", in_bwrap=backend == "bwrap",
        )
        report["mle"][backend] = {"stdout": run.stdout, "stderr": run.stderr}
for backend in backends:
    env = ToolWorldEnv(split="train", sandbox=backend, step_timeout_s=20)
    try:
        env.reset(options={"task_id": spec["task"]})
        observation = env.step(fill(spec["step"]))[0]
        report["toolworld"][backend] = observation["history"][-1]["output"]
    finally:
        env.close()
print(json.dumps(report))
"""


@pytest.mark.skipif(not landlock.supported(), reason="needs Landlock (without it, rlimit runs read everything)")
def test_installed_trainfree_files_are_unreadable_from_scripts_and_steps(
    installed_trainfree: Path, tmp_path: Path
) -> None:
    (tmp_path / "driver.py").write_text(DRIVER)
    (tmp_path / "spec.json").write_text(json.dumps({"script": MLE_SCRIPT, "step": TOOLWORLD_STEP, "task": TASK}))
    done = subprocess.run(
        [installed_trainfree / "python", "driver.py", "spec.json"],
        cwd=tmp_path,  # not the checkout: trainfree comes from the venv
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.splitlines()[-1])
    assert Path(report["site"]).is_relative_to(installed_trainfree.parent), report["site"]
    assert report["mle"] and report["mle"].keys() == report["toolworld"].keys(), report

    for backend, output in report["mle"].items():
        last = (output["stdout"].strip().splitlines() or [""])[-1]
        assert last.startswith("{"), f"{backend}: the script did not finish: {output}"
        found = json.loads(last)
        assert found["stdlib"] == "read" and found["numpy"] == 3.0, (backend, found)
        assert {found[name] for name in ("generator", "scenario", "metadata")} <= REFUSED, (backend, found)
        for module in ("envs.mle.competitions.digit_recognizer", "envs.toolworld.scenarios"):
            assert found[module] in (*REFUSED, "ModuleNotFoundError"), (backend, module, found)

    for backend, output in report["toolworld"].items():
        outcome = dict(line.split(" ", 1) for line in output.splitlines() if line.split(" ")[0] in TARGETS)
        assert outcome.pop("stdlib") == "read", (backend, output)  # the guards are off: only the kernel refuses
        assert outcome.keys() == TARGETS.keys() - {"stdlib"} and set(outcome.values()) <= REFUSED, (backend, output)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """site/pkg/{secret.py, ok.py, sub/}, site/other.py, links to the secret and to its folder."""
    site = tmp_path / "site"
    (site / "pkg" / "sub").mkdir(parents=True)
    for name in ("pkg/secret.py", "pkg/ok.py", "pkg/sub/x.py", "other.py"):
        (site / name).write_text(f"# {name}\n")
    (site / "to_secret.py").symlink_to(site / "pkg" / "secret.py")
    (site / "to_pkg").symlink_to(site / "pkg")
    return site


def test_carve_grants_every_entry_but_the_hidden_ones(tree: Path) -> None:
    grants = carve([str(tree)], [str(tree / "pkg" / "secret.py")])
    assert set(grants.listable) == {str(tree), str(tree / "pkg")}
    assert set(grants.readable) == {str(tree / p) for p in ("pkg/ok.py", "pkg/sub", "other.py")}
    assert carve([str(tree)], []).readable == (str(tree),)  # nothing hidden: one rule, as before
    assert carve([str(tree / "pkg")], [str(tree / "pkg")]).readable == ()


#: applies a carved Landlock policy (argv[1]: JSON of folder, readable, listable), then reads what the test names
LANDLOCK_PROBE = """
import json, os, sys
sys.path.insert(0, os.environ["SANDBOX_DIR"])
import landlock
folder, readable, listable = json.loads(sys.argv[1])
policy = landlock.FsPolicy(tuple(readable), (), landlock.abi_version(), list_only=tuple(listable))
policy.apply()
found = {"listing": sorted(os.listdir(os.path.join(folder, "pkg")))}
names = ("pkg/ok.py", "pkg/sub/x.py", "other.py", "to_pkg/ok.py", "pkg/secret.py", "to_secret.py", "to_pkg/secret.py")
for name in names:
    try:
        open(os.path.join(folder, name)).read()
        found[name] = "read"
    except OSError as err:
        found[name] = err.errno
print(json.dumps(found))
"""


@pytest.mark.skipif(not landlock.supported(), reason="needs Landlock")
def test_landlock_with_carved_grants_lists_folders_and_refuses_hidden_files(tree: Path) -> None:
    grants = carve([str(tree)], [str(tree / "pkg" / "secret.py")])
    done = subprocess.run(
        [sys.executable, "-S", "-c", LANDLOCK_PROBE, json.dumps([str(tree), grants.readable, grants.listable])],
        env={"SANDBOX_DIR": str(Path(landlock.__file__).parent)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout)
    assert found.pop("listing") == ["ok.py", "secret.py", "sub"]  # names stay visible
    refused = {"pkg/secret.py", "to_secret.py", "to_pkg/secret.py"}
    assert {name: found[name] for name in refused} == dict.fromkeys(refused, errno.EACCES), found
    assert {found[name] for name in found.keys() - refused} == {"read"}, found
