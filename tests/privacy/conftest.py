"""Fixtures shared with the data-sharing, challenges' and rewards' tests: the resident's rights touch every domain."""

from tests.rewards.conftest import make_partner, make_reward  # noqa: F401
from tests.sharing.conftest import catalogue, give_consent, make_challenge  # noqa: F401
