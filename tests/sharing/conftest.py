"""Builders for data-sharing tests: the default catalogue and a helper to grant consents."""

import pytest

from app.extensions import db
from sharing import defaults, services
from sharing.models import DataCategory, Purpose
from tests.challenges.conftest import make_challenge  # noqa: F401  (a fixture shared with challenges' tests)


@pytest.fixture
def catalogue(ctx):
    """The default categories and purposes, installed in the test's app context."""
    defaults.install_defaults()
    db.session.commit()


def category(code: str) -> DataCategory:
    return db.session.query(DataCategory).filter_by(code=code).one()


def purpose(code: str) -> Purpose:
    return db.session.query(Purpose).filter_by(code=code).one()


@pytest.fixture
def give_consent(catalogue):
    """grant(user, "energy_readings", "municipal_statistics", "neighbourhood", months=12, now=...)."""

    def give(user, category_code, purpose_code, level, months=12, now=None):
        consent = services.grant(db.session.merge(user), category(category_code), purpose(purpose_code), level, months,
                                 now=now)  # fmt: skip
        db.session.commit()
        return consent

    return give
