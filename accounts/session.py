"""Who is asking: the user behind a session cookie or a personal access token, for Flask-Login."""

from flask import redirect, request, url_for

from accounts import roles, services
from app.extensions import login_manager
from app.security import bearer_token


def init_app(app) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    login_manager.unauthorized_handler(lambda: roles.unauthorized() or _redirect_to_login())
    login_manager.user_loader(load_user_from_session)
    login_manager.request_loader(load_user_from_token)


def load_user_from_session(user_id: str):
    """The active user a session names; none when a bearer token is sent, since a token decides alone."""
    if bearer_token():
        return None
    user = services.get_user(int(user_id)) if user_id.isdigit() else None
    return user if user and user.active else None


def load_user_from_token(_request):
    """The user a bearer token belongs to, if it is valid."""
    secret = bearer_token()
    return services.user_for_token(secret) if secret else None


def _redirect_to_login():
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
