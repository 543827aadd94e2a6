"""Find the doc of an API the agent called, for the corrector's prompt.

An env may offer `api_doc(app, api)` itself; ToolWorld's docs come from its
API declarations (`envs.toolworld.apps.find_api(app, api).doc()`, the same
text `apis.api_docs.show_api_doc` returns). Envs without APIs (MLE) have none.
"""

from __future__ import annotations

from typing import Any, Callable

import gymnasium as gym

DocLookup = Callable[[str, str], Any]


def api_doc_lookup(env: gym.Env) -> DocLookup | None:
    base = env.unwrapped
    own = getattr(base, "api_doc", None)
    if callable(own):
        return own
    if type(base).__module__.startswith("envs.toolworld."):
        from envs.toolworld.apps import find_api

        return lambda app, api: find_api(app, api).doc()
    return None
