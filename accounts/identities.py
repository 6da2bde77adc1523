"""Sign-ins at the city's identity providers (OpenID Connect) linked to accounts: finding the account of a
provider's subject, creating a resident on a first sign-in, linking an existing account once its password is
proven, and removing a link (never the last way in)."""

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accounts import errors
from accounts.models import ExternalIdentity, Role, User
from accounts.passwords import unusable_password
from accounts.services import create_user, set_role
from app.columns import utcnow
from app.extensions import db


def find_identity(provider: str, subject: str) -> ExternalIdentity | None:
    return db.session.scalar(
        select(ExternalIdentity).where(ExternalIdentity.provider == provider, ExternalIdentity.subject == subject)
    )


def identities_of(user: User) -> list[ExternalIdentity]:
    query = select(ExternalIdentity).where(ExternalIdentity.user_id == user.id).order_by(ExternalIdentity.created_at)
    return list(db.session.scalars(query))


def signed_in(identity: ExternalIdentity, email: str | None) -> User:
    """Record a sign-in through a linked identity; the account must be active."""
    if not identity.user.active:
        raise errors.InvalidCredentials()
    identity.last_login_at = identity.user.last_login_at = utcnow()
    identity.email = email or identity.email
    db.session.flush()
    return identity.user


def link(user: User, provider: str, subject: str, email: str | None) -> ExternalIdentity:
    """Link a provider's subject to an account (whose owner has just proven it is theirs)."""
    if find_identity(provider, subject) is not None:
        raise errors.IdentityLinked()
    identity = ExternalIdentity(user=user, provider=provider, subject=subject, email=email, last_login_at=utcnow())
    try:
        with db.session.begin_nested():  # the same first sign-in completed twice at once: one of them links
            db.session.add(identity)
    except IntegrityError:
        raise errors.IdentityLinked() from None
    user.last_login_at = utcnow()
    db.session.flush()
    return identity


def create_resident(provider: str, subject: str, email: str | None, **profile) -> User:
    """A resident's first sign-in: a new account without a password, linked to the provider's subject.

    `email` is the provider's verified address (or None): it counts as verified, as the provider checked it.
    """
    try:
        with db.session.begin_nested():  # the same first sign-in completed twice at once: one account, not two
            user = create_user(email=email, password="", password_hash=unusable_password(), **profile)
    except IntegrityError:
        raise errors.IdentityLinked() if find_identity(provider, subject) else errors.PseudonymTaken() from None
    link(user, provider, subject, email)
    return user


def unlink(user: User, identity_id: int) -> ExternalIdentity:
    """Remove a linked sign-in of `user`; refused when it is the only way left to log in."""
    identity = db.session.get(ExternalIdentity, identity_id)
    if identity is None or identity.user_id != user.id:
        raise errors.UnknownIdentity()
    others = [other for other in identities_of(user) if other.id != identity.id]
    if not others and not user.has_password and user.login_code_hash is None:
        raise errors.LastWayIn()
    db.session.delete(identity)
    db.session.flush()
    return identity


# When a resident belongs to several mapped groups, the role that may do most wins.
ROLE_RANK = [Role.RESIDENT, Role.PARTNER, Role.STAFF, Role.MANAGER, Role.ADMIN]


def apply_role_claim(user: User, provider: str, groups, role_map: dict[str, Role]) -> Role | None:
    """Give `user` the role their provider groups map to (an admin's optional mapping), logging the change.

    Without a mapped group the role stays as Civiquest set it: a claim never takes a role away by its absence.
    Returns the new role when it changed.
    """
    if isinstance(groups, str):
        groups = [groups]
    mapped = [role_map[group] for group in groups or () if isinstance(group, str) and group in role_map]
    if not mapped:
        return None
    role = max(mapped, key=ROLE_RANK.index)
    if role == user.role:
        return None
    before = user.role
    set_role(user, role)
    current_app.logger.warning(
        "Role of account %s changed from %s to %s by the group claim of provider %s", user.id, before, role, provider
    )
    return role
