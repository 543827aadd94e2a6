"""Fast helpers for populators that make tens of thousands of rows: integers and timestamps.

rng.randint and datetime arithmetic per row were most of a populator's time; these give the same
kind of values from one rng.random() call and cached date and time strings.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta


def between(rng: random.Random, low: int, high: int) -> int:
    """A number in [low, high], like rng.randint at a fifth of its cost."""
    return low + int(rng.random() * (high - low + 1))


class Clock:
    """ISO dates and timestamps some time before a fixed `now`, from cached strings."""

    def __init__(self, now: datetime):
        self.now = now
        self.minute_now = now.hour * 60 + now.minute
        self.dates: dict[int, str] = {}
        self.times = [f"{m // 60:02d}:{m % 60:02d}:{now.second:02d}" for m in range(1440)]

    def day(self, days_ago: int) -> str:
        """The date `days_ago` days before now's date (negative: after it)."""
        if days_ago not in self.dates:
            self.dates[days_ago] = (self.now.date() - timedelta(days=days_ago)).isoformat()
        return self.dates[days_ago]

    def at(self, minutes_ago: int) -> str:
        """The timestamp `minutes_ago` minutes before now (to the second, like ctx.timestamp())."""
        minute = self.minute_now - minutes_ago
        return f"{self.day(-(minute // 1440))}T{self.times[minute % 1440]}"

    def stamp(self, rng: random.Random, days_ago: int) -> str:
        """A timestamp at a random minute about `days_ago` days before now."""
        return self.at(days_ago * 1440 + int(rng.random() * 1440))
