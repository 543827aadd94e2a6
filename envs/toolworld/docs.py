"""The README's table of apps and API counts, generated from the declarations."""

from __future__ import annotations

import re
from pathlib import Path

from envs.toolworld.apps import all_apps

README = Path(__file__).resolve().parents[2] / "README.md"
START, END = "<!-- toolworld-apis:start -->", "<!-- toolworld-apis:end -->"


def api_table() -> str:
    apps = all_apps()
    lines = ["| app | APIs | parameters | description |", "| --- | ---: | ---: | --- |"]
    for app in apps.values():
        params = sum(len(spec.all_params()) for spec in app.apis.values())
        lines.append(f"| `{app.name}` | {len(app.apis)} | {params} | {app.description} |")
    total_apis = sum(len(a.apis) for a in apps.values())
    total_params = sum(len(s.all_params()) for a in apps.values() for s in a.apis.values())
    lines.append(f"| **total** | **{total_apis}** | **{total_params}** | {len(apps)} apps |")
    return "\n".join(lines)


def rewrite_readme(path: Path = README) -> bool:
    """Replace the table between the markers; returns whether the file changed."""
    text = path.read_text()
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise ValueError(f"{path} has no {START} ... {END} block")
    new = pattern.sub(lambda _: f"{START}\n{api_table()}\n{END}", text)
    if new != text:
        path.write_text(new)
    return new != text
