"""api_docs: the agent's way to discover apps and APIs, generated from the declarations."""

from __future__ import annotations

import re
from typing import Annotated, Any

from envs.toolworld.api import QUERY_MAX_CHARS, App, CallContext, P
from envs.toolworld.apps import all_apps, find_api, find_app

app = App("api_docs", "Documentation of every app and API of this world.", has_accounts=False)

APP_NAME = Annotated[str, P("Name of the app, as listed by show_app_descriptions.")]


@app.api("GET", "/app_descriptions", [{"name": "string", "description": "string"}], auth=False)
def show_app_descriptions(ctx: CallContext) -> list[dict[str, str]]:
    """List every app with a one-line description."""
    return [{"name": a.name, "description": a.description} for a in all_apps().values()]


@app.api("GET", "/api_descriptions/{app_name}", [{"name": "string", "description": "string"}], auth=False)
def show_api_descriptions(ctx: CallContext, app_name: APP_NAME) -> list[dict[str, str]]:
    """List the APIs of one app with a one-line description each."""
    return [{"name": s.name, "description": s.description} for s in find_app(app_name).apis.values()]


@app.api(
    "GET",
    "/api_doc/{app_name}/{api_name}",
    {
        "app_name": "string",
        "api_name": "string",
        "path": "string",
        "method": "string",
        "description": "string",
        "parameters": [
            {
                "name": "string",
                "type": "string",
                "required": True,
                "description": "string",
                "default": "any",
                "constraints": ["string"],
            }
        ],
        "response_schemas": {"success": "any", "failure": "any"},
    },
    auth=False,
)
def show_api_doc(
    ctx: CallContext, app_name: APP_NAME, api_name: Annotated[str, P("Name of the API.")]
) -> dict[str, Any]:
    """Show the full doc of one API: path, method, parameters with types, defaults and constraints, responses."""
    return find_api(app_name, api_name).doc()


@app.api(
    "GET",
    "/search",
    [{"app_name": "string", "api_name": "string", "description": "string"}],
    auth=False,
    paginated=True,
)
def search_api_docs(
    ctx: CallContext,
    query: Annotated[
        str, P("Words to look for in API names and descriptions.", min_length=1, max_length=QUERY_MAX_CHARS)
    ],
    app_name: Annotated[str | None, P("Only search this app.")] = None,
) -> list[dict[str, str]]:
    """Search the APIs of all apps (or one) by keywords, best matches first."""
    words = set(re.findall(r"[a-z0-9]+", query.lower()))
    scored = []
    for a in all_apps().values():
        if app_name is not None and a.name != app_name:
            continue
        for s in a.apis.values():
            text = set(re.findall(r"[a-z0-9]+", f"{a.name} {s.name.replace('_', ' ')} {s.description}".lower()))
            score = len(words & text)
            if score:
                scored.append((-score, a.name, s.name, s.description))
    return [{"app_name": a, "api_name": n, "description": d} for _, a, n, d in sorted(scored)]
