"""Builders for community project tests: a project (open a week, target 1,000 points by default) and points."""

from datetime import timedelta

import pytest

from app.columns import utcnow
from app.extensions import db
from projects import services
from tests.rewards.conftest import grant


@pytest.fixture
def make_project(app):
    """Publish a project in the current app context and commit; fields override the defaults."""

    def make(**fields):
        values = {"title_en": "A tree for the school yard", "title_de": "Ein Baum für den Schulhof",
                  "description_en": "A linden tree.", "target": 1_000, "deadline": utcnow() + timedelta(days=7),
                  **fields}  # fmt: skip
        project = services.create_project(**values)
        db.session.commit()
        return project

    return make


@pytest.fixture
def points():
    """Give a resident points through the ledger (a committed bonus)."""
    return lambda user, amount: grant(user.id, amount)
