"""todo settings (start of the week, daily and weekly goals) and the productivity figures they drive."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from envs.toolworld.api import CallContext, P
from envs.toolworld.apps._todo_base import MESSAGE, app

DEFAULTS = {"start_of_week": "monday", "daily_goal": 5, "weekly_goal": 25}
SETTINGS = {"start_of_week": "string", "daily_goal": 1, "weekly_goal": 1}


@app.api("GET", "/settings", SETTINGS)
def show_settings(ctx: CallContext) -> dict[str, Any]:
    """Show your todo settings: the day your week starts and your daily and weekly goals of completed tasks."""
    found = ctx.row("SELECT start_of_week, daily_goal, weekly_goal FROM todo_settings WHERE owner_id = ?", ctx.caller)
    return found or dict(DEFAULTS)


@app.api("PATCH", "/settings", MESSAGE)
def update_settings(
    ctx: CallContext,
    start_of_week: Annotated[Literal["monday", "sunday"] | None, P("The day your week starts.")] = None,
    daily_goal: Annotated[int | None, P("Tasks to complete per day.", ge=1, le=100)] = None,
    weekly_goal: Annotated[int | None, P("Tasks to complete per week.", ge=1, le=500)] = None,
) -> dict[str, str]:
    """Change your todo settings (only the ones you give)."""
    current = show_settings(ctx)
    ctx.execute(
        "INSERT INTO todo_settings (owner_id, start_of_week, daily_goal, weekly_goal) VALUES (?,?,?,?) "
        "ON CONFLICT(owner_id) DO UPDATE SET start_of_week = excluded.start_of_week, "
        "daily_goal = excluded.daily_goal, weekly_goal = excluded.weekly_goal",
        ctx.caller,
        start_of_week or current["start_of_week"],
        daily_goal or current["daily_goal"],
        weekly_goal or current["weekly_goal"],
    )
    return {"message": "Settings updated."}


@app.api(
    "GET",
    "/productivity",
    {
        "completed_today": 1,
        "completed_this_week": 1,
        "daily_goal": 1,
        "weekly_goal": 1,
        "daily_streak": 1,
        "last_7_days": [{"date": "string", "completed": 1}],
    },
)
def show_productivity(ctx: CallContext) -> dict[str, Any]:
    """Show how many tasks you completed today, this week and on each of the last 7 days, against your goals,
    and your streak of days (up to yesterday) that met the daily goal."""
    settings = show_settings(ctx)
    today = ctx.now.date()
    since = today - timedelta(days=365)
    per_day = {
        r["day"]: r["n"]
        for r in ctx.rows(
            "SELECT substr(completed_at, 1, 10) AS day, COUNT(*) AS n FROM todo_tasks "
            "WHERE owner_id = ? AND completed = 1 AND completed_at >= ? GROUP BY day",
            ctx.caller,
            since.isoformat(),
        )
    }
    week_start = today - timedelta(days=(today.weekday() + (1 if settings["start_of_week"] == "sunday" else 0)) % 7)
    streak, day = 0, today - timedelta(days=1)
    while day >= since and per_day.get(day.isoformat(), 0) >= settings["daily_goal"]:
        streak, day = streak + 1, day - timedelta(days=1)
    return {
        "completed_today": per_day.get(today.isoformat(), 0),
        "completed_this_week": sum(n for d, n in per_day.items() if week_start.isoformat() <= d <= today.isoformat()),
        "daily_goal": settings["daily_goal"],
        "weekly_goal": settings["weekly_goal"],
        "daily_streak": streak,
        "last_7_days": [
            {
                "date": (today - timedelta(days=i)).isoformat(),
                "completed": per_day.get((today - timedelta(days=i)).isoformat(), 0),
            }
            for i in range(7)
        ],
    }
