"""The account APIs every app with user accounts shares: login, logout, account, password."""

from __future__ import annotations

from typing import Annotated, Any

from envs.toolworld.api import ApiError, App, CallContext, P, make_token


def add_account_apis(app: App) -> None:
    """Register login / logout / show_account / change_password on `app`."""

    @app.api("POST", "/auth/token", {"access_token": "string", "token_type": "string"}, auth=False)
    def login(
        ctx: CallContext,
        username: Annotated[str, P("Your email address or phone number.", min_length=1)],
        password: Annotated[
            str, P("Your password for this app (see apis.supervisor.show_account_passwords).", min_length=1)
        ],
    ) -> dict[str, str]:
        """Log in to get the access token that the other APIs of this app need."""
        person = ctx.row("SELECT id FROM people WHERE email = ? OR phone_number = ?", username, username)
        stored = person and ctx.value(
            "SELECT password FROM app_accounts WHERE app = ? AND person_id = ?", app.name, person["id"]
        )
        if not person or stored is None:
            raise ApiError(401, f"No {app.name} account with username {username!r}.")
        if stored != password:
            raise ApiError(401, f"Wrong password for {username!r} on {app.name}.")
        return {"access_token": make_token(ctx.secret, app.name, person["id"]), "token_type": "Bearer"}

    @app.api("DELETE", "/auth/token", {"message": "string"})
    def logout(ctx: CallContext) -> dict[str, str]:
        """Log out of this app."""
        return {"message": "Logged out."}

    @app.api(
        "GET", "/account", {"first_name": "string", "last_name": "string", "email": "string", "phone_number": "string"}
    )
    def show_account(ctx: CallContext) -> dict[str, Any]:
        """Show the account you are logged in with."""
        return ctx.existing_row(
            "SELECT first_name, last_name, email, phone_number FROM people WHERE id = ?", ctx.user_id
        )

    @app.api("PATCH", "/account/password", {"message": "string"})
    def change_password(
        ctx: CallContext,
        old_password: Annotated[str, P("Your current password.")],
        new_password: Annotated[str, P("The new password.", min_length=8)],
    ) -> dict[str, str]:
        """Change your password for this app."""
        current = ctx.value("SELECT password FROM app_accounts WHERE app = ? AND person_id = ?", app.name, ctx.user_id)
        if current != old_password:
            raise ApiError(401, "old_password is wrong.")
        ctx.execute(
            "UPDATE app_accounts SET password = ? WHERE app = ? AND person_id = ?", new_password, app.name, ctx.user_id
        )
        return {"message": "Password changed."}
