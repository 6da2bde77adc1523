"""Argon2id password hashing, with its cost taken from the app's configuration."""

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

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
