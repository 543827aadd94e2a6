"""Evaluate a frozen LLM policy with a wrapper stack on a trainfree environment.

    python train_free_eval.py env=toolworld policy=smollm2 wrappers=[] split=dev limit=20 workers=4
    python train_free_eval.py policy=oracle limit=null           # the ceiling
    python train_free_eval.py -m wrappers='[],[summarize],[summarize,correct]'
    python train_free_eval.py selector=thompson selector.arms='[[],[summarize],[summarize,correct]]'
    python -m harness.report multirun/toolworld/<date>           # compare the stacks of a sweep
    python train_free_eval.py -cn demo -m wrappers='[],[summarize],[summarize,correct]'  # the shipped recording

Config groups (conf/): env, policy, wrappers (a list, in wrapping order),
selector, launcher. Results go to the Hydra run dir; running again with the
same `hydra.run.dir=...` resumes: finished episodes are skipped.

Exit codes: 0 the run's numbers stand; 1 an error (bad config, crash);
2 the model did not answer its health check (nothing was run); 3 no episode
completed; 4 infrastructure errors above `max_infra_error_share`. In a
multirun, the worst job's code.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import hydra
from hydra.conf import HydraConf
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf

from harness.choosers import make_stack_chooser
from harness.cli_checks import UsageError, check_command_line, check_no_missing_values
from harness.compose import CONF_DIR
from harness.demo import register_resolver
from harness.html_report import write_html
from harness.run import EXIT_MODEL_NOT_ANSWERING, EXIT_OK, ModelNotAnswering, RunRequest, run_evaluation

register_resolver()  # conf/policy/demo.yaml finds the shipped recording with ${demo_recording:}

#: Run settings passed only when the config has them (RunRequest holds their defaults).
INFRA_SETTINGS = ("infra_retries", "infra_backoff_s", "max_infra_error_share")


def request_from_config(cfg: DictConfig) -> RunRequest:
    plain: Any = OmegaConf.to_container(cfg, resolve=True)
    return RunRequest(
        env=plain["env"],
        policy=plain["policy"],
        wrappers=plain.get("wrappers"),
        split=str(plain["split"]),
        tasks=plain.get("tasks"),
        limit=plain.get("limit"),
        seeds=(0,) if plain.get("seeds") is None else tuple(plain["seeds"]),
        max_steps=plain.get("max_steps"),
        workers=plain.get("workers", 1),
        workers_backend=plain.get("workers_backend", "auto"),
        episode_timeout_s=plain.get("episode_timeout_s"),
        retry_errors=bool(plain.get("retry_errors")),
        save_trajectories=bool(plain.get("save_trajectories", True)),
        progress=bool(plain.get("progress", True)),
        selector=plain.get("selector"),
        shard=plain.get("shard"),
        **{name: plain[name] for name in INFRA_SETTINGS if name in plain},
    )


#: The worst exit code of the runs of this process (one, or each job of a multirun).
_exit_code = EXIT_OK


# CONF_DIR is package data of harness, so the configs come along when trainfree is installed (`trainfree-eval`).
@hydra.main(version_base="1.3", config_path=str(CONF_DIR), config_name="eval")
def main(cfg: DictConfig) -> dict[str, Any] | None:
    global _exit_code
    try:
        check_no_missing_values(cfg)
    except UsageError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        _exit_code = max(_exit_code, 1)
        return None
    request = request_from_config(cfg)
    hydra_cfg = HydraConfig.get()
    run_dir = job_dir(hydra_cfg)
    chooser = make_stack_chooser(request.selector, request.stack, run_dir, CONF_DIR, list(hydra_cfg.searchpath))
    try:
        summary = run_evaluation(request, run_dir, chooser)
    except ModelNotAnswering as error:
        print(f"ERROR: {error}", file=sys.stderr)
        _exit_code = max(_exit_code, EXIT_MODEL_NOT_ANSWERING)
        return None
    print((run_dir / "summary.md").read_text())
    if chooser.format_summary():
        print(chooser.format_summary())
    for problem in summary["problems"]:
        print(problem, file=sys.stderr)
    print(f"results: {run_dir}")
    print(f"HTML report: {html_report_link(run_dir)}")
    _exit_code = max(_exit_code, summary["exit_code"])
    return summary


def job_dir(hydra_cfg: HydraConf) -> Path:
    """Where this job's results go. A relative run or sweep dir counts from where the command was started
    (hydra.runtime.cwd), also in a worker that starts elsewhere: a Ray worker runs in the directory of the
    cluster's `ray start`, and would otherwise write where the driver's `report` never looks."""
    if hydra_cfg.mode == RunMode.MULTIRUN:
        configured = Path(hydra_cfg.sweep.dir) / str(hydra_cfg.sweep.subdir)
    else:
        configured = Path(hydra_cfg.run.dir)
    return Path(hydra_cfg.runtime.cwd) / configured


def html_report_link(run_dir: Path) -> str:
    """The run's report.html as a file:// link; a report that cannot be made says why, and never fails the
    run (its results are already written)."""
    try:
        return write_html(run_dir).resolve().as_uri()
    except Exception as error:  # noqa: BLE001 - the report is a view of the results, not part of them
        return f"not written ({type(error).__name__}: {error}); retry with: python -m harness.report {run_dir} --html"


def cli() -> None:
    """The `trainfree-eval` command: check the command line, run, then exit with the worst job's code."""
    try:
        check_command_line(sys.argv[1:], CONF_DIR)
    except UsageError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        sys.exit(1)
    main()
    sys.exit(_exit_code)


if __name__ == "__main__":
    cli()
