"""Log-in sessions kept on the server: the signed session cookie carries a random secret naming one
row, so a session ends when its row does: on log-out, on a password change (the others), a role change,
deactivation, "log out everywhere", or after SESSION_IDLE_DAYS unused or SESSION_MAX_DAYS in all."""

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from accounts import errors
from accounts.models import User, UserSession
from app.columns import utcnow
from app.extensions import db

SEEN_EVERY = timedelta(minutes=5)  # last_seen_at is written at most this often, not on every request


# What a user agent names, most specific first (Edge and Chrome say Safari too, Chrome on iOS says CriOS).
BROWSERS = (("Edg", "Edge"), ("Firefox", "Firefox"), ("FxiOS", "Firefox"), ("CriOS", "Chrome"), ("Chrome", "Chrome"),
            ("Safari", "Safari"), ("curl", "curl"), ("python", "Python"))  # fmt: skip
SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
           ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))  # fmt: skip


def device(user_agent: str) -> tuple[str | None, str | None]:
    """The browser and the system a user agent string names, as far as it tells (None where it does not)."""
    browser = next((name for token, name in BROWSERS if token in user_agent), None)
    system = next((name for token, name in SYSTEMS if token in user_agent), None)
    return browser, system


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def start(
    user: User,
    user_agent: str,
    now: datetime | None = None,
    provider: str | None = None,
    provider_sid: str | None = None,
) -> str:
    """Open a session for a user who just logged in (at `provider`, in its session `provider_sid`, when signing in
    with one); returns the secret for the session cookie."""
    now = now or utcnow()
    secret = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            user=user, secret_hash=_digest(secret), user_agent=user_agent[:255], created_at=now, last_seen_at=now,
            provider=provider, provider_sid=(provider_sid or None) and provider_sid[:255],
        )
    )  # fmt: skip
    db.session.flush()
    return secret


def _live(now: datetime):
    """The conditions of a session still running at `now`."""
    config = current_app.config
    return (
        UserSession.ended_at.is_(None),
        UserSession.last_seen_at > now - timedelta(days=config["SESSION_IDLE_DAYS"]),
        UserSession.created_at > now - timedelta(days=config["SESSION_MAX_DAYS"]),
    )


def find(user_id: int, secret: str | None, now: datetime | None = None) -> UserSession | None:
    """The running session of this user that `secret` names, noting that it was seen; None if it ended."""
    if not secret:
        return None
    now = now or utcnow()
    record = db.session.scalar(
        select(UserSession).where(
            UserSession.secret_hash == _digest(secret), UserSession.user_id == user_id, *_live(now)
        )
    )
    if record is not None and record.last_seen_at < now - SEEN_EVERY:
        record.last_seen_at = now
    return record


def running(user: User, now: datetime | None = None) -> list[UserSession]:
    """The user's running sessions, the most recently used first."""
    query = select(UserSession).where(UserSession.user_id == user.id, *_live(now or utcnow()))
    return list(db.session.scalars(query.order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())))


def end(user: User, session_id: int, now: datetime | None = None) -> None:
    """End one of the user's own sessions; another's, or one already ended, is NotFound."""
    record = db.session.get(UserSession, session_id)
    if record is None or record.user_id != user.id or record.ended_at is not None:
        raise errors.NotFound()
    record.ended_at = now or utcnow()
    db.session.flush()


def end_all(user: User, keep: UserSession | None = None, now: datetime | None = None) -> None:
    """End every session of the user, but `keep` (the one asking, when it should stay logged in)."""
    query = update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    db.session.execute(query.values(ended_at=now or utcnow()).execution_options(synchronize_session="fetch"))
    db.session.flush()


def end_at_provider(provider: str, user_id: int | None, provider_sid: str | None, now: datetime | None = None) -> int:
    """End the sessions a provider's back-channel logout names: those opened in its session `provider_sid`, or
    (without one) every session the user opened through that provider. Returns how many ended."""
    query = update(UserSession).where(UserSession.provider == provider, UserSession.ended_at.is_(None))
    if provider_sid:
        query = query.where(UserSession.provider_sid == provider_sid)
    elif user_id is not None:
        query = query.where(UserSession.user_id == user_id)
    else:
        return 0
    ended = db.session.execute(query.values(ended_at=now or utcnow()).execution_options(synchronize_session="fetch"))
    db.session.flush()
    return ended.rowcount
