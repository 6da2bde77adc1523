"""Password reset by email: a signed link that works once, for PASSWORD_RESET_MINUTES.

The token is signed with SECRET_KEY (itsdangerous) and carries the account's id and a fingerprint of its
current password hash: setting a new password changes the hash, so a used link (and every other link sent
before) is refused from then on. Nothing is stored; the answer to "send me a link" is the same whether or
not an account has the address.
"""

import hashlib
from collections.abc import Callable
from datetime import datetime

from flask import current_app
from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer

from accounts import errors, sessions
from accounts.models import User
from accounts.passwords import check_new_password, hash_password
from accounts.services import find_user_by_email, get_user
from app import signals
from app.columns import utcnow
from app.signals import PasswordResetRequested

SALT = "civiquest.password-reset"


class _ClockSigner(TimestampSigner):
    """A timestamp signer that reads the time given, so tests (and the service) control the clock."""

    def __init__(self, *args, now: datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now

    def get_timestamp(self) -> int:
        return int(self.now.timestamp())


def _serializer(now: datetime) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt=SALT, signer=_ClockSigner, signer_kwargs={"now": now}
    )


def _fingerprint(user: User) -> str:
    # Changes with every new password (argon2 salts each hash), which is what makes a link single-use.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:24]


def make_token(user: User, now: datetime | None = None) -> str:
    """A reset token for the user, valid from `now` for PASSWORD_RESET_MINUTES and until the password changes."""
    return _serializer(now or utcnow()).dumps([user.id, _fingerprint(user)])


def user_for_token(token: str, now: datetime | None = None) -> User:
    """The active user a live reset token belongs to; InvalidResetToken when expired, used, forged or unknown."""
    max_age = current_app.config["PASSWORD_RESET_MINUTES"] * 60
    try:
        user_id, fingerprint = _serializer(now or utcnow()).loads(token, max_age=max_age)
    except (BadData, TypeError, ValueError) as error:
        raise errors.InvalidResetToken() from error
    user = get_user(user_id) if isinstance(user_id, int) else None
    if user is None or not user.active or not user.email or fingerprint != _fingerprint(user):
        raise errors.InvalidResetToken()
    return user


def request_reset(email: str, link_for: Callable[[str], str], now: datetime | None = None) -> None:
    """Announce a reset link for the account with this address, if there is one; otherwise do nothing.

    `link_for(token)` gives the reset page's address. The caller answers the same either way.
    """
    now = now or utcnow()
    user = find_user_by_email(email)
    if user is None or not user.active or not user.email:
        return
    payload = PasswordResetRequested(
        user_id=user.id, email=user.email, pseudonym=user.pseudonym, language=user.language,
        link=link_for(make_token(user, now)), valid_minutes=current_app.config["PASSWORD_RESET_MINUTES"],
        requested_at=now,
    )  # fmt: skip
    signals.password_reset_requested.send(payload)


def reset_password(token: str, new_password: str, now: datetime | None = None) -> User:
    """Set a new password with a live reset token (the password rules apply); every session of the account ends."""
    user = user_for_token(token, now)
    check_new_password(new_password, user.email, user.pseudonym)
    user.password_hash = hash_password(new_password)
    sessions.end_all(user, now=now)
    return user
