"""Cutting the page of a paginated list in SQL (shop, payments, the phone's call log, email threads; music has the
same in _music_app and the two could move to api.py beside Page)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from envs.toolworld.api import CallContext, Page


def sql_page(ctx: CallContext, query: str, order: str, *args: Any, shape: Callable[[Any], Any] = dict) -> Page:
    """The page asked for of `query` (a SELECT without ORDER BY), cut with LIMIT/OFFSET, and the whole list's
    length: a list of hundreds of rows is not built and serialized on every call for the five it shows."""
    limit, offset = ctx.page_window()
    rows = ctx.rows(f"{query} ORDER BY {order} LIMIT ? OFFSET ?", *args, limit, offset)
    short_page = 0 < len(rows) < limit or (offset == 0 and not rows)  # the list ends on this page: no count needed
    total = offset + len(rows) if short_page else ctx.value(f"SELECT COUNT(*) FROM ({query})", *args)
    return Page([shape(r) for r in rows], total)
