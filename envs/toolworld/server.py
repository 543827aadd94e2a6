"""Answer API calls against an episode's DB: look up, authenticate, validate, run, paginate.

Each call runs inside a SAVEPOINT, so an API that fails half-way leaves no
trace in the DB. The answer is `(status, body)`: 200 and the JSON result, or
an error status and `{"message": ...}` as a web API would send. A write past
the episode's storage bound (see `open_copy`) is the caller's error (507),
not a crash; an API declared with method DELETE runs inside `deleting`, which
lets it use the deletes' reserve past the bound (see world/episode_db.py).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from envs.contract import type_name
from envs.toolworld.api import ApiError, CallContext, Page, paginate, read_token, shorten, to_json
from envs.toolworld.apps import find_api
from envs.toolworld.pages import PageRead

log = logging.getLogger(__name__)
MAX_NAME_CHARS = 100  # an app or API name; longer is not a name


class ApiServer:
    def __init__(
        self,
        conn: sqlite3.Connection,
        context: CallContext,
        deleting: Callable[[], AbstractContextManager[None]] = nullcontext,
    ):
        self.conn = conn
        self.context = context
        self.deleting = deleting  # what a DELETE API runs inside: EpisodeDB.deleting
        self.last_page: PageRead | None = None  # the page the last call served, if it was of a paginated list
        self.last_body_json: str | None = None  # the JSON text of the last call's body, if it succeeded

    def call(
        self, app: str, api: str, args: list[Any] | None = None, kwargs: dict[str, Any] | None = None
    ) -> tuple[int, Any]:
        self.last_page = None
        self.last_body_json = None
        try:
            _check_call_shape(app, api, args, kwargs)
            spec = find_api(app, api)
            bound = spec.bind(list(args or []), dict(kwargs or {}))
            user_id = read_token(self.context.secret, app, bound.pop("access_token")) if spec.auth else None
            page = (bound.pop("page_index"), bound.pop("page_limit")) if spec.paginated else None
            ctx = CallContext(self.conn, self.context.now, self.context.secret, user_id, self.context.session, page)
            room = self.deleting() if spec.method == "DELETE" else nullcontext()
            self.conn.execute("SAVEPOINT api_call")
            try:
                with room:
                    result = spec.fn(ctx, **bound)
            except BaseException:
                self.conn.execute("ROLLBACK TO api_call")
                raise
            finally:
                self.conn.execute("RELEASE api_call")
            if page is not None:
                if isinstance(result, Page):  # the API cut the page itself, in SQL
                    total, result = result.total, result.items
                else:
                    items = list(result)
                    total, result = len(items), paginate(items, *page)
                self.last_page = PageRead.of_call(f"{app}.{api}", {**bound, "user": user_id}, *page, total)
            body, self.last_body_json = to_json(result)
            return 200, body
        except ApiError as err:
            return err.status, {"message": err.message}
        except Exception as err:  # a bug in an app must not end the episode
            if isinstance(err, sqlite3.OperationalError) and err.sqlite_errorcode == sqlite3.SQLITE_FULL:
                return 507, {"message": f"{app}.{api} would exceed this episode's storage; delete something first."}
            log.exception("ToolWorld API %s.%s crashed", app, api)
            return 500, {"message": f"Internal error in {app}.{api}: {type(err).__name__}: {err}"}


def _check_call_shape(app: Any, api: Any, args: Any, kwargs: Any) -> None:
    """The call names an app and an API with short strings and passes a list and a dict: else 404/422."""
    for what, name in (("app", app), ("API", api)):
        if type(name) is not str or len(name) > MAX_NAME_CHARS:
            shown = shorten(name) if type(name) is str else type_name(name)
            raise ApiError(404, f"No {what} named {shown}.")
    if args is not None and type(args) not in (list, tuple):
        raise ApiError(422, f"Positional arguments must be a list, got {type_name(args)}.")
    if kwargs is not None and type(kwargs) is not dict:
        raise ApiError(422, f"Keyword arguments must be an object, got {type_name(kwargs)}.")
