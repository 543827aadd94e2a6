"""Calendar arithmetic that apps with repeating things (bills, events) share."""

from __future__ import annotations

from datetime import date, timedelta


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months; a day past the new month's end becomes its last day (Jan 31 -> Feb 28)."""
    year, index = divmod(day.year * 12 + day.month - 1 + months, 12)
    month = index + 1
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return date(year, month, min(day.day, (following - timedelta(days=1)).day))
