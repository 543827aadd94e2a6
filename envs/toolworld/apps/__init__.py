"""The apps of the world, discovered from the modules of this package.

Every module here that defines `app = App(...)` is an app; modules whose name
starts with "_" are helpers. Adding an app is adding a module: nothing to register.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from envs.toolworld.api import ApiError, ApiSpec, App


@lru_cache(maxsize=1)
def all_apps() -> dict[str, App]:
    """name -> App for every app module, in a fixed order (supervisor and api_docs first)."""
    found: dict[str, App] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        app = getattr(module, "app", None)
        if not isinstance(app, App):
            raise TypeError(f"{module.__name__} must define `app = App(...)`")
        if app.name in found:
            raise ValueError(f"two modules declare app {app.name!r}")
        found[app.name] = app
    first = [n for n in ("supervisor", "api_docs") if n in found]
    return {n: found[n] for n in first + [n for n in found if n not in first]}


def find_app(app_name: str) -> App:
    apps = all_apps()
    if app_name not in apps:
        raise ApiError(404, f"No app named {app_name!r}. Apps: {list(apps)}.")
    return apps[app_name]


def find_api(app_name: str, api_name: str) -> ApiSpec:
    apis = find_app(app_name).apis
    if api_name not in apis:
        raise ApiError(
            404,
            f"No API named {api_name!r} in app {app_name!r}. See "
            f"apis.api_docs.show_api_descriptions(app_name={app_name!r}).",
        )
    return apis[api_name]
