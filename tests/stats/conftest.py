"""Fixtures shared with the challenges and data-sharing tests."""

from tests.challenges.conftest import make_challenge  # noqa: F401
from tests.sharing.conftest import catalogue, give_consent  # noqa: F401
