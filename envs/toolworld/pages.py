"""Which paginated lists an episode read to the end: the one signal behind every "pagination" failure.

The server notes each page it serves (which list, which slice, of how many
items). A list is identified by its API and its other arguments (a hash), so
`show_orders(status='delivered')` and `show_orders()` are different lists
(and so are the songs of two playlists). An API counts as missed when a page
of one of its lists had more after it and no later read went on from there;
the failure taxonomy calls a failed
episode "pagination" when such an API is one the task's oracle had to page
through.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from envs.toolworld.api import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX


@dataclass(frozen=True)
class PageRead:
    api: str  # "app.api_name"
    key: str  # hash of the call's other arguments: which list of that API
    start: int
    stop: int  # one past the last item served
    total: int  # items in the whole list

    @classmethod
    def of_call(cls, api: str, arguments: dict[str, Any], page_index: int, page_limit: int, total: int) -> PageRead:
        canonical = json.dumps(arguments, sort_keys=True, default=str)
        key = hashlib.sha256(canonical.encode("utf-8", "replace")).hexdigest()[:16]
        start = page_index * page_limit
        return cls(api, key, start, min(start + page_limit, total), total)

    @property
    def reached_end(self) -> bool:
        return self.stop >= self.total

    def as_record(self) -> list[Any]:
        return [self.api, self.key, self.start, self.stop, self.total]

    @classmethod
    def from_record(cls, record: list[Any]) -> PageRead:
        api, key, start, stop, total = record
        return cls(str(api), str(key), int(start), int(stop), int(total))


def missed_apis(reads: Iterable[PageRead]) -> set[str]:
    """APIs with a page that had more items after it and was never followed by a later read of
    the same list from there on (re-reading its first page after changing it does not count).

    One pass from the last read back, keeping the furthest start read later of each list: linear
    in the reads, which agent code controls (up to the step's call budget, every step)."""
    furthest_later: dict[tuple[str, str], int] = {}
    missed = set()
    for read in reversed(list(reads)):
        key = (read.api, read.key)
        if not read.reached_end and furthest_later.get(key, -1) < read.stop:
            missed.add(read.api)
        furthest_later[key] = max(furthest_later.get(key, -1), read.start)
    return missed


def paged_apis(reads: Iterable[PageRead]) -> set[str]:
    """APIs of which a list longer than one default page was read to its end (the oracle's figure)."""
    return {r.api for r in reads if r.reached_end and r.total > PAGE_LIMIT_DEFAULT}


def hint(apis: Iterable[str]) -> str:
    names = ", ".join(f"apis.{name}" for name in sorted(apis))
    return (
        f"{names} returned a page with more results after it that were never read: lists are paginated "
        f"(page_limit default {PAGE_LIMIT_DEFAULT}, max {PAGE_LIMIT_MAX}); fetch every page with page_index"
    )
