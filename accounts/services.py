"""Business rules of accounts. Plain functions: no request, no session; they flush, never commit."""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from accounts import errors, sessions
from accounts.models import AccessToken, Role, User, UserSession
from accounts.passwords import (
    burn_time,
    check_new_password,
    hash_password,
    needs_rehash,
    unusable_password,
    verify_password,
)
from accounts.preferences import DisplayPrefs
from app import signals
from app.columns import utcnow
from app.extensions import db
from app.signals import RegistrationAttempted
from neighbourhoods.models import Neighbourhood

TOKEN_PREFIX = "cq_"
TOKEN_USE_PRECISION = timedelta(minutes=1)  # how exactly a token's "last used" time is kept
# Printed log-in codes: no 0/O or 1/I/L to mix up on paper; 16 of these 31 characters give about
# 79 random bits, shown in groups of four: K7QM-9XDA-2HPF-R4TW.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 16
CODE_GROUP = 4
_CODE_SEPARATORS = "-\u2010\u2011\u2012\u2013\u2014\u2212_."  # dashes as word processors and phones type them
PROFILE_FIELDS = ("pseudonym", "neighbourhood_id", "household_size", "language", "leaderboard_visible")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def _check_unique(email: str | None = None, pseudonym: str | None = None, exclude_id: int | None = None):
    """Raise when the email or pseudonym (case-insensitive) belongs to another account."""
    if email is not None:
        query = select(User.id).where(User.email == normalise_email(email))
        if exclude_id:
            query = query.where(User.id != exclude_id)
        if db.session.scalar(query):
            raise errors.EmailTaken()
    if pseudonym is not None:
        query = select(User.id).where(func.lower(User.pseudonym) == pseudonym.strip().lower())
        if exclude_id:
            query = query.where(User.id != exclude_id)
        if db.session.scalar(query):
            raise errors.PseudonymTaken()


def _find_neighbourhood(neighbourhood_id: int | None, required: bool) -> Neighbourhood | None:
    """The neighbourhood with this id; an unknown id, or none where one is required, is an error."""
    neighbourhood = db.session.get(Neighbourhood, neighbourhood_id) if neighbourhood_id is not None else None
    if neighbourhood is None and (required or neighbourhood_id is not None):
        raise errors.UnknownNeighbourhood()
    return neighbourhood


def create_user(
    *,
    email: str | None,
    password: str,
    pseudonym: str,
    role: Role = Role.RESIDENT,
    neighbourhood_id: int | None = None,
    household_size: int = 1,
    language: str = "en",
    password_hash: str | None = None,
) -> User:
    """Create an account; residents must live in a known neighbourhood. The email may be left out."""
    role = Role(role)
    email = normalise_email(email) if email and email.strip() else None
    _check_unique(email=email, pseudonym=pseudonym)
    neighbourhood = _find_neighbourhood(neighbourhood_id, required=role == Role.RESIDENT)
    user = User(
        email=email,
        password_hash=password_hash or hash_password(password),
        pseudonym=pseudonym.strip(),
        role=role,
        neighbourhood=neighbourhood,
        household_size=household_size,
        language=language,
    )
    db.session.add(user)
    db.session.flush()
    return user


def register(*, email: str, password: str, pseudonym: str, neighbourhood_id: int | None, **fields) -> User | None:
    """Register a resident; None, and nothing created, when the email has an account already.

    Then the owner is told (registration_attempted) instead of the asker, who gets the same answer as for a new
    account, after the same time: registration never tells whether an address has an account.
    """
    _check_unique(pseudonym=pseudonym)  # pseudonyms are public anyway, on every leaderboard
    _find_neighbourhood(neighbourhood_id, required=True)
    check_new_password(password, email, pseudonym)
    owner = find_user_by_email(email)
    if owner is None:
        return create_user(
            email=email, password=password, pseudonym=pseudonym, neighbourhood_id=neighbourhood_id, **fields
        )
    burn_time()  # a new account costs one argon2 hash
    signals.registration_attempted.send(RegistrationAttempted(user_id=owner.id, attempted_at=utcnow()))
    return None


def authenticate(email: str, password: str) -> User:
    """Return the user for these credentials, upgrading an outdated hash; raise otherwise."""
    user = find_user_by_email(email)
    if user is None or not user.has_password:
        burn_time()
        raise errors.InvalidCredentials()
    if not verify_password(user.password_hash, password) or not user.active:
        raise errors.InvalidCredentials()
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def update_profile(user: User, **changes) -> User:
    """Change the public profile fields given; unknown keys are a programming error."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"not profile fields: {sorted(unknown)}")
    if "pseudonym" in changes:
        _check_unique(pseudonym=changes["pseudonym"], exclude_id=user.id)
        changes["pseudonym"] = changes["pseudonym"].strip()
    if "neighbourhood_id" in changes:
        # Set the relationship, not just the key, so the loaded user reflects the move at once.
        user.neighbourhood = _find_neighbourhood(changes.pop("neighbourhood_id"), required=user.role == Role.RESIDENT)
    for name, value in changes.items():
        setattr(user, name, value)
    db.session.flush()
    return user


def change_password(user: User, current_password: str, new_password: str, keep: UserSession | None = None) -> None:
    """Replace the password after checking the current one; every session but `keep` (the asker's) ends."""
    if not verify_password(user.password_hash, current_password):
        raise errors.InvalidCredentials(field="current_password")
    check_new_password(new_password, user.email, user.pseudonym)
    user.password_hash = hash_password(new_password)
    sessions.end_all(user, keep=keep)


def save_display_prefs(user: User, prefs: DisplayPrefs) -> None:
    """Remember display preferences on the user's profile."""
    user.text_scale = prefs.text_scale
    user.line_spacing = prefs.line_spacing
    user.letter_spacing = prefs.letter_spacing
    user.high_contrast = prefs.high_contrast
    db.session.flush()


def _count_active_admins() -> int:
    return db.session.scalar(select(func.count(User.id)).where(User.role == Role.ADMIN, User.active.is_(True)))


def set_role(user: User, role: Role | str) -> None:
    """Give the user another role, keeping at least one active admin; their sessions end, to log in afresh."""
    role = Role(role)
    if user.role == Role.ADMIN and role != Role.ADMIN and user.active and _count_active_admins() <= 1:
        raise errors.LastAdmin()
    if role != user.role:
        sessions.end_all(user)
    user.role = role
    db.session.flush()


def set_active(user: User, active: bool) -> None:
    """Deactivate (or reactivate) an account; a deactivated account cannot log in, and its sessions end."""
    if not active and user.role == Role.ADMIN and user.active and _count_active_admins() <= 1:
        raise errors.LastAdmin(field="active")
    if not active:
        sessions.end_all(user)
    user.active = active
    db.session.flush()


def list_users(search: str | None = None, role: Role | str | None = None, page: int = 1, per_page: int = 50):
    """Users matching a search term and role, newest first, for the admin's list."""
    query = select(User).order_by(User.created_at.desc(), User.id.desc())
    if search:
        # Escape LIKE's wildcards so a search for "_" or "%" finds those characters, not everyone.
        term = search.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{term}%"
        query = query.where(
            func.lower(User.email).like(like, escape="\\") | func.lower(User.pseudonym).like(like, escape="\\")
        )
    if role:
        query = query.where(User.role == Role(role))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def search_residents(search: str, page: int = 1, per_page: int = 20):
    """Residents by part of their pseudonym, or by their whole email address: never by part of an address, so
    that the desk cannot page through residents' addresses."""
    query = select(User).where(User.role == Role.RESIDENT).order_by(User.created_at.desc(), User.id.desc())
    if "@" in search:
        query = query.where(User.email == normalise_email(search))
    else:
        term = search.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(func.lower(User.pseudonym).like(f"%{term}%", escape="\\"))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


# Residents registered at a service desk, and their printed log-in codes ---------------------


def register_assisted_resident(
    manager: User, pseudonym: str, neighbourhood_id: int | None, household_size: int, language: str,
    email: str | None = None,
) -> tuple[User, str]:  # fmt: skip
    """Register a resident at a service desk, without a password; returns them and their new log-in code.

    An email address that has an account already is answered as public registration answers it: the desk sees
    the same success as for a free address, the address's owner is told (registration_attempted), and the new
    account is made without it — so the desk form never tells whether an address has an account.
    """
    if not manager.has_role(Role.MANAGER):
        raise errors.NotAllowed()
    owner = find_user_by_email(email) if email else None
    user = create_user(
        email=None if owner else email, password="", password_hash=unusable_password(), pseudonym=pseudonym,
        role=Role.RESIDENT, neighbourhood_id=neighbourhood_id, household_size=household_size, language=language,
    )  # fmt: skip
    if owner is not None:
        signals.registration_attempted.send(RegistrationAttempted(user_id=owner.id, attempted_at=utcnow()))
    return user, issue_login_code(user)


def normalise_code(code: str) -> str:
    """A code as typed (any case, spaces, dashes) in its bare stored form."""
    return "".join(char for char in code.upper() if not char.isspace() and char not in _CODE_SEPARATORS)


def format_code(code: str) -> str:
    """A bare code in groups of four, as printed: K7QM-9XDA-2HPF-R4TW."""
    bare = normalise_code(code)
    return "-".join(bare[i : i + CODE_GROUP] for i in range(0, len(bare), CODE_GROUP))


def issue_login_code(user: User) -> str:
    """Give a password-less account a new log-in code, which replaces the old one; returns it formatted."""
    if user.has_password:
        raise errors.HasPassword()
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    user.login_code_hash = _digest(code)
    user.login_code_issued_at = utcnow()
    db.session.flush()
    return format_code(code)


def authenticate_code(code: str) -> User:
    """The active user whose log-in code this is; raise InvalidCode otherwise."""
    bare = normalise_code(code)
    user = None
    if len(bare) == CODE_LENGTH and set(bare) <= set(CODE_ALPHABET):
        user = db.session.scalar(select(User).where(User.login_code_hash == _digest(bare)))
    if user is None or not user.active:
        raise errors.InvalidCode()
    user.last_login_at = utcnow()
    db.session.flush()
    return user


# Personal access tokens -------------------------------------------------------------


def _digest(secret: str) -> str:
    # Tokens (256 bits) and log-in codes (79 bits, and guesses are rate-limited) are random
    # secrets, so a plain SHA-256 is enough; no salt or stretching needed.
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user: User, name: str) -> tuple[AccessToken, str]:
    """Create a token and return it with its secret, which is never stored and shown only once."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = AccessToken(user=user, name=name.strip(), token_hash=_digest(secret), token_prefix=secret[:10])
    db.session.add(token)
    db.session.flush()
    return token, secret


def revoke_token(user: User, token_id: int) -> AccessToken:
    """Revoke one of the user's own tokens; revoking twice changes nothing."""
    token = db.session.get(AccessToken, token_id)
    if token is None or token.user_id != user.id:
        raise errors.NotFound()
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
    return token


def user_for_token(secret: str) -> User | None:
    """The active user a live token belongs to, or None."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = db.session.scalar(
        select(AccessToken).options(joinedload(AccessToken.user, innerjoin=True))
        .where(AccessToken.token_hash == _digest(secret))
    )  # fmt: skip
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    now = utcnow()
    # A script sending many requests would write the token's row on each: the time is kept to the minute.
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_USE_PRECISION:
        token.last_used_at = now
    return token.user


def resident_counts() -> dict[int, int]:
    """How many accounts live in each neighbourhood, for the admin overview."""
    rows = db.session.execute(
        select(User.neighbourhood_id, func.count(User.id))
        .where(User.neighbourhood_id.is_not(None))
        .group_by(User.neighbourhood_id)
    )
    return dict(rows.all())
