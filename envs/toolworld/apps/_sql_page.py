"""Cutting the page of a paginated list in SQL (shop, payments, the phone's call log and alarms, email threads,
calendar events, todo's tasks, notes, bill splitting's expenses and activity, the file system's listings; music has
the same in _music_app and the two could move to api.py beside Page)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from envs.toolworld.api import CallContext, Page


def sql_page(
    ctx: CallContext,
    query: str,
    order: str,
    *args: Any,
    shape: Callable[[Any], Any] = dict,
    named: dict[str, Any] | None = None,
) -> Page:
    """The page asked for of `query` (a SELECT without ORDER BY), cut with LIMIT/OFFSET, and the whole list's
    length: a list of hundreds of rows is not built and serialized on every call for the five it shows. The
    query takes its parameters by position (`args`) or by name (`named`, as the calendar's queries do)."""
    limit, offset = ctx.page_window()
    whole: tuple[Any, ...] | dict[str, Any] = args if named is None else named
    window: tuple[Any, ...] | dict[str, Any] = (
        (*args, limit, offset) if named is None else {**named, "page_limit": limit, "page_offset": offset}
    )
    cut = "LIMIT ? OFFSET ?" if named is None else "LIMIT :page_limit OFFSET :page_offset"
    cursor = ctx.conn.execute(f"{query} ORDER BY {order} {cut}", window)
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    short_page = 0 < len(rows) < limit or (offset == 0 and not rows)  # the list ends on this page: no count needed
    total = (
        offset + len(rows) if short_page else ctx.conn.execute(f"SELECT COUNT(*) FROM ({query})", whole).fetchone()[0]
    )
    return Page([shape(r) for r in rows], total)
