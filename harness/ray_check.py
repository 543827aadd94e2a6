"""`launcher=ray`: join or start the Ray cluster and check a job fits on a node, before any job is submitted.

A Hydra callback (conf/launcher/ray.yaml), run by the driver when the multirun starts. Without it, a
job asking more than any node has (`hydra.launcher.ray.remote.num_cpus: 4` on a 2-CPU machine) waits
forever in Ray's queue with no word; with it, the run stops at once naming the resource, what a job
asks and what the largest node has. It initializes Ray with the launcher's own `init` settings, so the
launcher finds Ray running and uses the same cluster.
"""

from __future__ import annotations

from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

#: ray.remote() options -> the names Ray gives those resources on a node.
REMOTE_RESOURCES = {"num_cpus": "CPU", "num_gpus": "GPU", "memory": "memory"}


class RayJobsFit(Callback):
    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        import ray

        settings: Any = OmegaConf.to_container(config.hydra.launcher.ray, resolve=True)
        if not ray.is_initialized():
            ray.init(**{key: value for key, value in settings["init"].items()})
        nodes = [node["Resources"] for node in ray.nodes() if node.get("Alive")]
        problem = unmet_resource(settings.get("remote") or {}, nodes)
        if problem:
            ray.shutdown()
            # SystemExit: Hydra turns a callback's exceptions into warnings and would go on to submit the jobs
            raise SystemExit(f"launcher=ray: {problem}")


def unmet_resource(remote: dict[str, Any], nodes: list[dict[str, float]]) -> str | None:
    """Why no node can run a job asking `remote` (ray.remote options), or None when one can."""
    asked = {ray_name: remote[option] for option, ray_name in REMOTE_RESOURCES.items() if remote.get(option)}
    asked.update(remote.get("resources") or {})
    for name, amount in asked.items():
        largest = max((node.get(name, 0) for node in nodes), default=0)
        if largest < amount:
            option = next((o for o, n in REMOTE_RESOURCES.items() if n == name), f"resources.{name}")
            return (
                f"each job asks {amount:g} {name} (hydra.launcher.ray.remote.{option}) but the largest of the "
                f"{len(nodes)} Ray node(s) has {largest:g}; ask less or add a node that has it"
            )
    return None
