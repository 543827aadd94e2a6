"""Evaluate a frozen LLM policy with a wrapper stack on a trainfree environment.

    python train_free_eval.py env=toolworld policy=smollm2 wrappers=[] split=dev limit=20 workers=4
    python train_free_eval.py policy=oracle limit=null           # the ceiling
    python train_free_eval.py -m wrappers='[],[summarize],[summarize,correct]'
    python -m harness.report multirun/toolworld/<date>       # compare the stacks of a sweep

Config groups (conf/): env, policy, wrappers (a list, in wrapping order),
selector, launcher. Results go to the Hydra run dir; running again with the
same `hydra.run.dir=...` resumes: finished episodes are skipped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from harness.run import RunRequest, run_evaluation
from harness.stacks import FixedStack, Stack, StackChooser, stack_from_config


def make_stack_chooser(
    selector_cfg: Mapping[str, Any] | None, stack: Stack, run_dir: Path, env_kind: str | None = None
) -> StackChooser:
    """Where strategy selection plugs in: picks the wrapper stack of each episode.

    `selector=none` (the default) keeps the configured `wrappers` for every episode;
    any other selector (conf/selector/) picks one of its `arms` per episode.
    """
    name = (selector_cfg or {}).get("name", "none")
    if name in (None, "none"):
        return FixedStack(stack)
    if stack:
        raise ValueError(
            f"selector={name} picks each episode's stack among selector.arms; "
            f"leave `wrappers` empty (got wrappers={[wrapper for wrapper, _ in stack]})"
        )
    from harness.choosers import SelectorChooser

    return SelectorChooser.from_config(selector_cfg, run_dir, Path(__file__).resolve().parent / "conf", env_kind)


def request_from_config(cfg: DictConfig) -> RunRequest:
    plain = OmegaConf.to_container(cfg, resolve=True)
    return RunRequest(
        env=plain["env"],
        policy=plain["policy"],
        stack=stack_from_config(plain.get("wrappers")),
        split=str(plain["split"]),
        tasks=plain.get("tasks"),
        limit=plain.get("limit"),
        seeds=tuple(plain.get("seeds") or (0,)),
        max_steps=plain.get("max_steps"),
        workers=plain.get("workers", 1),
        episode_timeout_s=plain.get("episode_timeout_s"),
        retry_errors=bool(plain.get("retry_errors")),
        save_trajectories=bool(plain.get("save_trajectories", True)),
        progress=bool(plain.get("progress", True)),
        selector=plain.get("selector"),
    )


@hydra.main(version_base="1.3", config_path="conf", config_name="eval")
def main(cfg: DictConfig) -> dict[str, Any]:
    request = request_from_config(cfg)
    run_dir = Path(HydraConfig.get().runtime.output_dir)
    chooser = make_stack_chooser(request.selector, request.stack, run_dir, request.env_kind)
    summary = run_evaluation(request, run_dir, chooser)
    print((run_dir / "summary.md").read_text())
    if hasattr(chooser, "format_summary"):
        print(chooser.format_summary())
    print(f"results: {run_dir}")
    return summary


if __name__ == "__main__":
    main()
