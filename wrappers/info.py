"""Where wrappers report: `info["wrappers"][name]` for env wrappers and the
same shape in `policy.step_info()` for policy wrappers, so a stack's reports
sit side by side without clobbering each other or the env's own keys."""

from __future__ import annotations

from typing import Any, Mapping


def with_wrapper_info(info: Mapping[str, Any], name: str, report: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(info)
    merged["wrappers"] = {**dict(info.get("wrappers", {})), name: dict(report)}
    return merged
