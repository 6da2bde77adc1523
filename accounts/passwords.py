"""Argon2id password hashing, with its cost taken from the app's configuration, and the rule a new password follows.

Argon2id's cost (ARGON2_TIME_COST, ARGON2_MEMORY_COST, ARGON2_PARALLELISM in app.config) is the library's
recommended profile (RFC 9106, low memory: 3 passes over 64 MiB, 4 lanes); a hash made with other settings is
renewed at the next log-in.
"""

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from accounts import errors

# Accounts without a password (residents registered at a service desk, who log in with a code)
# store this prefix and random text: no argon2 hash starts with it, so nothing ever verifies.
UNUSABLE_PREFIX = "!"


def unusable_password() -> str:
    """A stored value in place of a hash, which no password matches."""
    return UNUSABLE_PREFIX + secrets.token_hex(16)


def has_usable_password(password_hash: str | None) -> bool:
    """True when the account has a password one can log in with."""
    return bool(password_hash) and not password_hash.startswith(UNUSABLE_PREFIX)


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_COST"],
        parallelism=config["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    """Hash a password with argon2id and a fresh salt."""
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when `password` matches; never raises for a wrong or malformed hash."""
    if not has_usable_password(password_hash):
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the stored hash was made with other cost settings than today's."""
    return has_usable_password(password_hash) and _hasher().check_needs_rehash(password_hash)


# Unknown accounts are checked against a hash of this, made once per cost setting, so that a log-in with an
# unknown email costs one argon2 verification, exactly as a known one does, and timing does not tell them apart.
_DUMMY_PASSWORD = "not-a-real-password"
_dummy_hashes: dict[tuple[int, int, int], str] = {}


def _dummy_hash() -> str:
    hasher = _hasher()
    cost = (hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    if cost not in _dummy_hashes:
        _dummy_hashes[cost] = hasher.hash(_DUMMY_PASSWORD)
    return _dummy_hashes[cost]


def burn_time() -> None:
    """Spend the time of one verification (and no more); used when the account does not exist."""
    verify_password(_dummy_hash(), _DUMMY_PASSWORD + "x")


# The rule for a new password: at least PASSWORD_MIN characters (the forms check), none of the 30,000 most
# common passwords that zxcvbn ships (offline), guessable in no fewer than zxcvbn's "somewhat guessable" 10^6
# guesses (so no "aaaaaaaaaa" or "qwertzuiop"), and nothing of the account's email address or pseudonym.
COMMON_PASSWORDS = frozenset(FREQUENCY_LISTS["passwords"])
MIN_SCORE = 2
MIN_PERSONAL_PART = 4  # shorter parts ("ann" of ann@…) are too likely inside any good passphrase


def _compact(text: str) -> str:
    return "".join(text.lower().split())


def _personal_parts(email: str | None, pseudonym: str | None) -> list[str]:
    parts = [email or "", (email or "").partition("@")[0], pseudonym or ""]
    return [part for part in map(_compact, parts) if len(part) >= MIN_PERSONAL_PART]


def check_new_password(password: str, email: str | None = None, pseudonym: str | None = None) -> None:
    """Refuse a new password that is common, easy to guess, or holds the account's email address or pseudonym."""
    if any(part in _compact(password) for part in _personal_parts(email, pseudonym)):
        raise errors.PersonalPassword()
    if (
        password.lower() in COMMON_PASSWORDS
        or zxcvbn(password, user_inputs=[email or "", pseudonym or ""])["score"] < MIN_SCORE
    ):
        raise errors.CommonPassword()
