"""Where wrappers report: `info["wrappers"][name]` for env wrappers and the
same shape in `policy.step_info()` for policy wrappers, so a stack's reports
sit side by side without clobbering each other or the env's own keys."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import gymnasium as gym


def with_wrapper_info(info: Mapping[str, Any], name: str, report: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(info)
    merged["wrappers"] = {**dict(info.get("wrappers", {})), name: dict(report)}
    return merged


class ReportingObservationWrapper(gym.ObservationWrapper):
    """An observation wrapper whose `observation()` leaves a report in `self._report`,
    attached to the info of every reset and step under the wrapper's name."""

    name = "observation_wrapper"
    _report: dict[str, Any]

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        obs, info = self.env.reset(seed=seed, options=options)
        obs = self.observation(obs)
        return obs, with_wrapper_info(info, self.name, self._report)

    def step(self, action: Any):
        obs, reward, terminated, truncated, info = self.env.step(action)
        obs = self.observation(obs)
        return obs, reward, terminated, truncated, with_wrapper_info(info, self.name, self._report)
