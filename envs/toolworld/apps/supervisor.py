"""The supervisor: the person the agent works for, their credentials, and the task itself."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from envs.toolworld.api import ApiError, App, CallContext, P

app = App(
    "supervisor", "Your supervisor's profile, addresses, cards, app passwords, and the active task.", has_accounts=False
)


def _me(ctx: CallContext) -> int:
    return ctx.session["supervisor_id"]


@app.api(
    "GET",
    "/profile",
    {
        "first_name": "string",
        "last_name": "string",
        "email": "string",
        "phone_number": "string",
        "birthday": "string",
        "sex": "string",
    },
    auth=False,
)
def show_profile(ctx: CallContext) -> dict[str, Any]:
    """Show the supervisor's profile: name, email, phone number, birthday."""
    return ctx.existing_row(
        "SELECT first_name, last_name, email, phone_number, birthday, sex FROM people WHERE id = ?", _me(ctx)
    )


@app.api(
    "GET",
    "/addresses",
    [{"name": "string", "street_address": "string", "city": "string", "state": "string", "zip_code": "string"}],
    auth=False,
)
def show_addresses(ctx: CallContext) -> list[dict[str, Any]]:
    """Show the supervisor's saved addresses."""
    return ctx.rows(
        "SELECT name, street_address, city, state, zip_code FROM addresses WHERE person_id = ? ORDER BY id", _me(ctx)
    )


@app.api(
    "GET",
    "/payment_cards",
    [
        {
            "card_name": "string",
            "owner_name": "string",
            "card_number": "string",
            "expiry_year": 1,
            "expiry_month": 1,
            "cvv_number": "string",
        }
    ],
    auth=False,
)
def show_payment_cards(ctx: CallContext) -> list[dict[str, Any]]:
    """Show the supervisor's payment cards."""
    return ctx.rows(
        "SELECT card_name, owner_name, card_number, expiry_year, expiry_month, cvv_number FROM payment_cards "
        "WHERE person_id = ? ORDER BY id",
        _me(ctx),
    )


@app.api("GET", "/account_passwords", [{"account_name": "string", "password": "string"}], auth=False)
def show_account_passwords(ctx: CallContext) -> list[dict[str, Any]]:
    """Show the supervisor's password for every app account."""
    return ctx.rows("SELECT app AS account_name, password FROM app_accounts WHERE person_id = ? ORDER BY app", _me(ctx))


@app.api(
    "GET",
    "/task",
    {
        "task_id": "string",
        "instruction": "string",
        "supervisor": {"name": "string", "email": "string", "phone_number": "string"},
    },
    auth=False,
)
def show_active_task(ctx: CallContext) -> dict[str, Any]:
    """Show the task you are working on, as the supervisor gave it."""
    person = ctx.row(
        "SELECT first_name || ' ' || last_name AS name, email, phone_number FROM people WHERE id = ?", _me(ctx)
    )
    return {"task_id": ctx.session["task_id"], "instruction": ctx.session["instruction"], "supervisor": person}


@app.api("POST", "/task/complete", {"message": "string"}, auth=False)
def complete_task(
    ctx: CallContext,
    answer: Annotated[Any, P("The answer, for tasks that ask a question; leave null otherwise.")] = None,
    status: Annotated[
        Literal["success", "fail"], P("'success' when the task is done, 'fail' when it cannot be done.")
    ] = "success",
) -> dict[str, str]:
    """Mark the active task as completed (or failed), giving the answer if the task asked a question.
    Ends the episode.
    """
    if ctx.session.get("completed") is not None:
        raise ApiError(409, "The task is already completed.")
    ctx.session["completed"] = {"answer": answer, "status": status}
    return {"message": "Task marked as completed." if status == "success" else "Task marked as failed."}
