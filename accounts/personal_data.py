"""The personal data accounts hold about a resident: the profile, access tokens and linked sign-ins at the city's
identity providers; erasing anonymises the account.

One of the domains' `personal_data` modules that privacy/ asks for "download my data" and "delete my
account" (the list and its order: privacy/holders.py).
"""

import secrets
from datetime import UTC, datetime

from sqlalchemy import select

from accounts.models import AccessToken, ExternalIdentity, Role, User, UserSession
from accounts.passwords import unusable_password
from app.extensions import db
from app.personal_data import ExportLinks, as_json, delete_rows


def export(user: User, links: ExportLinks) -> dict[str, str]:
    """The resident's profile, with how they log in and their access tokens (never a secret)."""
    return {"profile.json": as_json(_profile(user))}


def _profile(user: User) -> dict:
    tokens = db.session.scalars(select(AccessToken).where(AccessToken.user_id == user.id).order_by(AccessToken.id))
    identities = list(db.session.scalars(
        select(ExternalIdentity).where(ExternalIdentity.user_id == user.id).order_by(ExternalIdentity.id)
    ))  # fmt: skip
    return {
        "resident_id": f"civiquest-resident-{user.id}",  # as the consent receipts name you
        "email": user.email, "pseudonym": user.pseudonym,
        "role": user.role, "neighbourhood": user.neighbourhood.name if user.neighbourhood else None,
        "household_size": user.household_size, "language": user.language,
        "leaderboard_visible": user.leaderboard_visible,
        "display": {"text_scale": user.text_scale, "line_spacing": user.line_spacing,
                    "letter_spacing": user.letter_spacing, "high_contrast": user.high_contrast},
        "logs_in_with": _logs_in_with(user, identities),
        "login_code_issued_at": user.login_code_issued_at, "created_at": user.created_at,
        "last_login_at": user.last_login_at,
        "access_tokens": [{"name": t.name, "created_at": t.created_at, "last_used_at": t.last_used_at,
                           "revoked_at": t.revoked_at} for t in tokens],
        "linked_sign_ins": [{"provider": i.provider, "subject": i.subject, "email": i.email, "linked_at": i.created_at,
                             "last_login_at": i.last_login_at} for i in identities],
    }  # fmt: skip


def _logs_in_with(user: User, identities: list[ExternalIdentity]) -> str:
    if user.has_password:
        return "password"
    return "identity provider" if identities else "log-in code"


# What an anonymous account says about when it was made: nothing (it predates Civiquest).
NO_DATE = datetime(2000, 1, 1, tzinfo=UTC)


def anonymous_owner() -> User:
    """A fresh account that stands for nobody: what an erased resident leaves for the books moves to it.

    Each domain moves its kept rows (closed enrollments, ledger entries, used vouchers) to an owner of
    its own, so they link neither to the person, nor to their consent receipts (kept with the
    anonymised account, as the law requires), nor to each other through an account.
    """
    owner = User(email=None, pseudonym=f"erased-{secrets.token_hex(8)}", password_hash=unusable_password(),
                 role=Role.RESIDENT, household_size=1, leaderboard_visible=False, active=False, created_at=NO_DATE,
                 record_key=None)  # fmt: skip
    db.session.add(owner)
    db.session.flush()
    return owner


def erase(user: User, now: datetime) -> dict[str, int]:
    """Delete the access tokens and anonymise the account; the row stays, as the anonymous owner of what is kept."""
    tokens = delete_rows(AccessToken, AccessToken.user_id == user.id)
    delete_rows(UserSession, UserSession.user_id == user.id)  # the devices and times of each log-in
    delete_rows(ExternalIdentity, ExternalIdentity.user_id == user.id)  # no provider can sign in to it again
    db.session.expire(user, ["tokens"])
    _anonymise(user)
    return {"access_tokens": tokens}


def _anonymise(user: User) -> None:
    """Nothing left that names or reaches the person; the account can never log in again."""
    user.email = None
    user.pseudonym = f"deleted-{secrets.token_hex(8)}"
    user.password_hash = unusable_password()
    user.login_code_hash = None
    user.login_code_issued_at = None
    user.neighbourhood = None
    user.household_size = 1
    user.language = "en"
    user.text_scale, user.line_spacing, user.letter_spacing, user.high_contrast = 100, "normal", "normal", False
    user.leaderboard_visible = False
    user.active = False
    user.last_login_at = None
    user.created_at = NO_DATE
    user.record_key = None  # the statistics' noise key: nothing is counted for this account any more
    db.session.flush()
