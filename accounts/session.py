"""Who is asking: the user behind a session cookie or a personal access token, for Flask-Login.

A session cookie counts only while the server-side session it names runs (accounts.sessions): a copy
of the cookie stops working when that session ends, whoever ends it and wherever.
"""

from flask import g, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from accounts import roles, services, sessions
from accounts.models import User, UserSession
from app.extensions import login_manager
from app.security import bearer_token

SESSION_SECRET = "session_secret"  # the key in the signed cookie holding the secret of the user's session row
ID_TOKEN = "provider_id_token"  # the ID token of a sign-in at a provider, sent back as id_token_hint at logout


def init_app(app) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    login_manager.unauthorized_handler(lambda: roles.unauthorized() or _redirect_to_login())
    login_manager.user_loader(load_user_from_session)
    login_manager.request_loader(load_user_from_token)


def log_in(user: User, provider: str | None = None, provider_sid: str | None = None) -> None:
    """Log `user` in on this device: a new server-side session, named in the cookie (ending the one it replaces);
    `provider` and `provider_sid` name the identity provider's session it was opened through, if any."""
    if (replaced := current_session()) is not None and replaced.ended_at is None:
        sessions.end(replaced.user, replaced.id)
    login_user(user)
    session[SESSION_SECRET] = sessions.start(user, request.user_agent.string or "", provider=provider,
                                             provider_sid=provider_sid)  # fmt: skip


def log_out() -> None:
    """End this device's session on the server too, so a copy of the cookie no longer works."""
    if (record := current_session()) is not None and record.ended_at is None:
        sessions.end(record.user, record.id)
    logout_user()
    session.pop(SESSION_SECRET, None)


def current_session() -> UserSession | None:
    """The server-side session of this request, when a session cookie logged it in."""
    return g.get("user_session") if current_user.is_authenticated else None  # asking loads the user and session


def load_user_from_session(user_id: str):
    """The active user whose running session the cookie names; none when a bearer token is sent, since a token
    decides alone."""
    if bearer_token() or not user_id.isdigit():
        return None
    record = sessions.find(int(user_id), session.get(SESSION_SECRET))
    if record is None or not record.user.active:
        return None
    g.user_session = record
    return record.user


def load_user_from_token(_request):
    """The user a bearer token belongs to, if it is valid."""
    secret = bearer_token()
    return services.user_for_token(secret) if secret else None


def _redirect_to_login():
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
