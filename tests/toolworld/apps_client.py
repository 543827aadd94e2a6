"""Call ToolWorld APIs in-process on a private copy of the world, as one user, without a worker."""

from __future__ import annotations

from typing import Any

from envs.toolworld.api import CallContext
from envs.toolworld.server import ApiServer
from envs.toolworld.world.build import WORLD_NOW, open_copy, template_bytes
from envs.toolworld.world.changes import RowChange, net_changes

SECRET = "toolworld:test"


class World:
    """A fresh copy of world 0 and a way to call its APIs as any person."""

    def __init__(self) -> None:
        self.conn = open_copy(template_bytes(0))
        self._tokens: dict[tuple[str, int], str] = {}

    def server(self, person_id: int) -> ApiServer:
        return ApiServer(
            self.conn,
            CallContext(
                self.conn, WORLD_NOW, SECRET, session={"supervisor_id": person_id, "task_id": "t", "instruction": ""}
            ),
        )

    def call(self, person_id: int, app: str, api: str, **kwargs: Any) -> tuple[int, Any]:
        """(status, body) of `app.api(**kwargs)` called by `person_id`, logged in if the API needs it."""
        server = self.server(person_id)
        if (app, person_id) not in self._tokens:
            email, password = self.conn.execute(
                "SELECT p.email, a.password FROM people p JOIN app_accounts a ON a.person_id = p.id "
                "WHERE p.id = ? AND a.app = ?",
                (person_id, app),
            ).fetchone()
            status, body = server.call(app, "login", kwargs={"username": email, "password": password})
            assert status == 200, body
            self._tokens[(app, person_id)] = body["access_token"]
        return server.call(app, api, kwargs={"access_token": self._tokens[(app, person_id)], **kwargs})

    def ok(self, person_id: int, app: str, api: str, **kwargs: Any) -> Any:
        status, body = self.call(person_id, app, api, **kwargs)
        assert status == 200, (status, body)
        return body

    def all_pages(self, person_id: int, app: str, api: str, **kwargs: Any) -> list[Any]:
        out, page = [], 0
        while batch := self.ok(person_id, app, api, page_index=page, page_limit=20, **kwargs):
            out += batch
            page += 1
        return out

    def value(self, sql: str, *args: Any) -> Any:
        return self.conn.execute(sql, args).fetchone()[0]

    def changes(self) -> list[RowChange]:
        return net_changes(self.conn)
