"""Answer API calls against an episode's DB: look up, authenticate, validate, run, paginate.

Each call runs inside a SAVEPOINT, so an API that fails half-way leaves no
trace in the DB. The answer is `(status, body)`: 200 and the JSON result, or
an error status and `{"message": ...}` as a web API would send.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from envs.toolworld.api import ApiError, CallContext, paginate, read_token, to_json
from envs.toolworld.apps import find_api

log = logging.getLogger(__name__)


class ApiServer:
    def __init__(self, conn: sqlite3.Connection, context: CallContext):
        self.conn = conn
        self.context = context

    def call(
        self, app: str, api: str, args: list[Any] | None = None, kwargs: dict[str, Any] | None = None
    ) -> tuple[int, Any]:
        try:
            spec = find_api(app, api)
            bound = spec.bind(list(args or []), dict(kwargs or {}))
            user_id = read_token(self.context.secret, app, bound.pop("access_token")) if spec.auth else None
            page = (bound.pop("page_index"), bound.pop("page_limit")) if spec.paginated else None
            ctx = CallContext(self.conn, self.context.now, self.context.secret, user_id, self.context.session)
            self.conn.execute("SAVEPOINT api_call")
            try:
                result = spec.fn(ctx, **bound)
            except BaseException:
                self.conn.execute("ROLLBACK TO api_call")
                raise
            finally:
                self.conn.execute("RELEASE api_call")
            if page is not None:
                result = paginate(list(result), *page)
            return 200, to_json(result)
        except ApiError as err:
            return err.status, {"message": err.message}
        except Exception as err:  # a bug in an app must not end the episode
            log.exception("ToolWorld API %s.%s crashed", app, api)
            return 500, {"message": f"Internal error in {app}.{api}: {type(err).__name__}: {err}"}
