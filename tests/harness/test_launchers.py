"""Multirun launchers for real: submitit's local executor, a local Ray cluster, and Slurm's config.

The Ray test needs the `ray` extra (ray and hydra-ray-launcher, ~400 MB); it runs where that is
installed (marker `ray`) and is skipped, saying so, elsewhere.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra

from harness.compose import CONF_DIR
from harness.merge import main as merge_main
from harness.ray_check import unmet_resource
from tests.harness.conftest import REPO, eval_command, read_lines, run_eval

pytest.importorskip("hydra_plugins.hydra_submitit_launcher", reason="needs hydra-submitit-launcher (dev extra)")


def composed_hydra(*overrides: str) -> dict:
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
            cfg = compose("eval", overrides=list(overrides), return_hydra_config=True)
            return {"launcher": dict(cfg.hydra.launcher), "callbacks": dict(cfg.hydra.callbacks or {})}
    finally:
        GlobalHydra.instance().clear()


def test_launchers_submitit_slurm_and_local_compose_to_submitit_jobs() -> None:
    launcher = composed_hydra("launcher=submitit_slurm")["launcher"]
    assert launcher["_target_"].endswith("submitit_launcher.SlurmLauncher")
    assert (launcher["timeout_min"], launcher["cpus_per_task"], launcher["nodes"]) == (240, 8, 1)
    assert composed_hydra("launcher=submitit_local")["launcher"]["_target_"].endswith("submitit_launcher.LocalLauncher")


def test_hydra_launcher_submitit_local_runs_shards_that_merge(tmp_path: Path) -> None:
    """Hydra's own spelling, two jobs as separate processes; each job is a shard, and they merge."""
    run_eval(
        "-m",
        "hydra/launcher=submitit_local",
        "env=tiny",
        "policy=oracle",
        "limit=null",
        "shard=0/2,1/2",
        f"hydra.sweep.dir={tmp_path / 'sweep'}",
        timeout=300,
    )
    assert [len(read_lines(tmp_path / "sweep" / job)) for job in ("0", "1")] == [3, 3]
    assert merge_main([str(tmp_path / "merged"), str(tmp_path / "sweep")]) == 0
    assert json.loads((tmp_path / "merged" / "summary.json").read_text())["success"]["mean"] == 1.0


def test_a_ray_job_that_fits_no_node_is_named_not_queued() -> None:
    nodes = [{"CPU": 2.0, "memory": 8e9}, {"CPU": 1.0, "GPU": 1.0}]
    assert unmet_resource({"num_cpus": 2}, nodes) is None
    assert unmet_resource({"num_cpus": 1, "num_gpus": 1}, nodes) is None  # per resource: the check is a floor
    problem = unmet_resource({"num_cpus": 4}, nodes)
    assert (
        problem
        and "asks 4 CPU (hydra.launcher.ray.remote.num_cpus) but the largest of the 2 Ray node(s) has 2" in problem
    )
    assert "resources.vllm_slot" in str(unmet_resource({"resources": {"vllm_slot": 1}}, nodes))


@pytest.fixture
def ray_cluster() -> Iterator[tuple[str, dict[str, str], Path]]:
    """`ray start --head` on 127.0.0.1 with 2 CPUs, started in a directory of its own; stopped by its process
    group. Yields (address, the env to reach it with, the head's working directory)."""
    pytest.importorskip("ray", reason="needs the ray extra: pip install -e '.[ray]'")
    pytest.importorskip("hydra_plugins.hydra_ray_launcher", reason="needs the ray extra: pip install -e '.[ray]'")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    head_dir = Path(tempfile.mkdtemp(prefix="rayhead"))  # short: Ray's socket paths must fit in 107 bytes
    # loopback only (Ray otherwise picks this machine's routable address), no usage report; PYTHONPATH: the
    # workers import tests.harness.tiny_env from the head's directory, which is not the checkout
    env = {
        **os.environ,
        "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
        "RAY_USAGE_STATS_ENABLED": "0",
        "RAY_AUTH_MODE": "disabled",  # a loopback-only cluster of one test: no token to hand to the driver
        "PYTHONPATH": str(REPO),
    }
    ray = Path(sys.executable).with_name("ray")
    start = [str(ray), "start", "--head", f"--port={port}", "--num-cpus=2", "--include-dashboard=false"]
    start += ["--disable-usage-stats", f"--temp-dir={head_dir / 'tmp'}"]
    head = subprocess.Popen(
        start,
        cwd=head_dir,
        env=env,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output, _ = head.communicate(timeout=180)
        assert head.returncode == 0, output
        yield f"127.0.0.1:{port}", env, head_dir
    finally:
        _stop_group(head.pid)
        shutil.rmtree(head_dir, ignore_errors=True)


def _stop_group(pgid: int) -> None:
    """Every process of the cluster (they share the session `ray start` began): TERM, then KILL what is left."""
    for sig, wait_s in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 0.0)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)


@pytest.mark.ray
@pytest.mark.slow
def test_launcher_ray_runs_a_sweep_on_a_local_cluster_into_the_drivers_dir(ray_cluster, tmp_path: Path) -> None:
    address, env, head_dir = ray_cluster
    driver_dir = tmp_path / "driver"
    driver_dir.mkdir()
    sweep = [
        "-m",
        "launcher=ray",
        f"hydra.launcher.ray.init.address={address}",
        "env=tiny",
        "policy=oracle",
        "limit=null",
        "max_steps=1,5",
        "hydra.sweep.dir=relative_sweep",  # relative: it must be the driver's, not the workers'
    ]
    done = subprocess.run(eval_command(*sweep), cwd=driver_dir, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    lines = [read_lines(driver_dir / "relative_sweep" / job) for job in ("0", "1")]
    assert [len(job) for job in lines] == [6, 6]
    assert [sum(r["success"] for r in job) for job in lines] == [2, 6]  # one step solves only the difficulty-1 tasks
    assert not list(head_dir.rglob("results.jsonl"))

    too_big = subprocess.run(
        eval_command(*sweep, "hydra.launcher.ray.remote.num_cpus=4"),
        cwd=driver_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert too_big.returncode == 1
    assert "launcher=ray: each job asks 4 CPU (hydra.launcher.ray.remote.num_cpus) but the largest" in too_big.stderr
