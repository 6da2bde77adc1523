"""Notices about the account itself, sent on accounts' announcements (accounts cannot call the hub, which sits
above it): someone tried to register with the owner's email address; a password reset link."""

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.signals import PasswordResetRequested, RegistrationAttempted
from notifications import email, services
from notifications.display import Message, register_messages

register_messages(
    {
        # Accounts (kind account): params attempted_at (ISO). In-app and, where possible, by email.
        "registration_attempted": Message(
            _l("Someone tried to register with your email address"),
            _l(
                "On %(attempted_at)s someone tried to create a new Civiquest account with your email address. "
                "Your account is unchanged. If it was you, simply log in. If it was not, you need not do anything; "
                "if you use the same password elsewhere, consider changing it."
            ),
        )
    }
)


def warn_of_registration(payload: RegistrationAttempted, **_extra) -> None:
    """Tell the owner of an address that someone tried to register with it (once a day at most)."""
    key = f"registration-attempt:{payload.user_id}:{payload.attempted_at:%Y-%m-%d}"
    params = {"attempted_at": payload.attempted_at.isoformat()}
    services.warn(payload.user_id, "registration_attempted", key, params, now=payload.attempted_at)


def send_password_reset(payload: PasswordResetRequested, **_extra) -> None:
    """Queue the reset link by email (only email: an in-app notice would not reach someone locked out)."""
    if not email.configured():
        # The asker was told a link is on its way; whoever runs the site must learn that none can be.
        current_app.logger.warning("A password reset link was asked for, but SMTP_HOST is not set: nothing sent.")
        return
    context = {"name": payload.pseudonym, "link": email.absolute(payload.link), "minutes": payload.valid_minutes}
    subject = _l("Set a new password for Civiquest")
    email.enqueue_service(
        payload.email,
        payload.language,
        subject,
        "notifications/password_reset",
        context,
        payload.requested_at,
        payload.user_id,
    )
