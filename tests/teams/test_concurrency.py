"""Teams under requests at the same moment (tests.races): one resident joining several teams at once ends in one
team, and residents founding teams of one name at once found one team; the others get a clear refusal."""

import pytest

from accounts.models import User
from app.extensions import db
from teams import services
from teams.models import TeamMember
from tests.races import one_race_at_a_time, outcomes, race, race_app

THREADS = 10


@pytest.fixture(scope="module")
def racing(database_url):
    with one_race_at_a_time(database_url):
        app = race_app(database_url, THREADS)
        yield app
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def threads(database_url) -> int:
    """10 requests at once on PostgreSQL; a few on SQLite, which lets one writer in at a time."""
    return THREADS if database_url.startswith("postgresql") else 3


def test_joining_several_teams_at_once_ends_in_one(racing, make_user, threads):
    """The same resident sends the codes of several teams at once: one join succeeds, the rest are AlreadyInTeam."""
    captains = [make_user() for _ in range(threads)]
    joiner = make_user()
    with racing.app_context():
        codes = [services.found_team(db.session.get(User, c.id), f"Team {i}", "friends", None, False).invite_code
                 for i, c in enumerate(captains)]  # fmt: skip
        db.session.commit()
    results = race(racing, threads, lambda i: services.join_by_code(db.session.get(User, joiner.id), codes[i]).id)
    assert outcomes(results) == {"ok": 1, "AlreadyInTeam": threads - 1}
    with racing.app_context():
        assert db.session.query(TeamMember).filter_by(user_id=joiner.id).count() == 1


def test_founding_one_name_at_once_founds_one_team(racing, make_user, threads):
    """Residents found "Die Füchse" at the same moment: one team, the others TeamNameTaken, nobody left half-in."""
    founders = [make_user() for _ in range(threads)]
    results = race(racing, threads, lambda i: services.found_team(
        db.session.get(User, founders[i].id), "Die Füchse", "club", None, False).id)  # fmt: skip
    assert outcomes(results) == {"ok": 1, "TeamNameTaken": threads - 1}
    with racing.app_context():
        assert db.session.query(TeamMember).count() == 1
