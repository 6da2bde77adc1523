"""How many SQL statements one submission through the API costs: ingest throughput depends on it, so a
change that adds statements to the hot path fails here instead of only showing in `make bench`."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event

from app.extensions import db
from challenges.scoring import Category, Metric
from tests.challenges.conftest import joined_at_the_start
from tests.challenges.test_api import API, bearer

# Statements of one accepted trip sent with a token (authentication to commit), after the first one: 33 before
# issue 18, now 15 on SQLite and 16 on PostgreSQL (which locks the challenge and the resident one by one), the
# season board's histogram included; one more since a score change asks which teams the resident counts for
# (team rankings, leaderboards.team_totals): 16 and 17.
TRIP_BUDGET = 17
# A meter reading reads the counted readings around it to score and check it (18 statements before issue 18,
# without scoring); this one earns the resident's first points, so the season's head count and the badge move
# too: 17 on SQLite, 18 on PostgreSQL; one more since a typed reading asks whether the utility already delivered
# that day (the meter connector): 18 and 19; and the resident's teams, as for a trip: 19 and 20.
READING_BUDGET = 20


class StatementLog:
    """Every statement the app's engine executes while it listens (BEGIN is not a statement here)."""

    def __init__(self, engine):
        self.engine, self.statements = engine, []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._note)
        return self

    def __exit__(self, *_exc):
        event.remove(self.engine, "before_cursor_execute", self._note)

    def _note(self, _connection, _cursor, statement, *_args):
        self.statements.append(statement)


def _statements(app, send) -> list[str]:
    with app.app_context():
        engine = db.engine
    with StatementLog(engine) as log:
        response = send()
    assert response.status_code == 201, response.get_json()
    return log.statements


@pytest.fixture
def make_challenge(app, make_challenge):
    """The challenge builder, for use outside an app context: returns the challenge detached, loaded."""

    def make(**fields):
        with app.app_context():
            challenge = make_challenge(**fields)
            db.session.refresh(challenge)
            db.session.expunge(challenge)
        return challenge

    return make


@pytest.fixture
def trip_challenge(make_challenge):
    now = datetime.now(UTC)
    return make_challenge(category=Category.MOBILITY, metric=Metric.SUSTAINABLE_TRIPS, now=now)


def _joined(client, make_user, make_token, challenge) -> dict:
    headers = bearer(make_token(make_user()))
    assert client.put(f"{API}/{challenge.id}/enrollment", headers=headers).status_code == 200
    return headers


def test_a_trip_costs_at_most_its_statement_budget(app, client, make_user, make_token, trip_challenge):
    """A second accepted trip of the day (points, ledger, season points, histogram all move) stays in budget."""
    headers = _joined(client, make_user, make_token, trip_challenge)
    today = datetime.now(ZoneInfo(app.config["TIMEZONE"])).date()

    def send(distance):
        body = {"day": today.isoformat(), "mode": "bike", "distance_km": distance, "replaced_car": True}
        return client.post(f"{API}/{trip_challenge.id}/submissions", json=body, headers=headers)

    assert send(3.0).status_code == 201  # the first earns a badge once; the budget is for every one after
    statements = _statements(app, lambda: send(4.0))
    assert len(statements) <= TRIP_BUDGET, "\n".join(statements)


def test_a_reading_costs_at_most_its_statement_budget(app, client, make_user, make_token, make_challenge):
    """A meter reading measured against the one before stays in budget too."""
    now = datetime.now(UTC)
    challenge = make_challenge(now=now)
    headers = _joined(client, make_user, make_token, challenge)
    joined_at_the_start(app, challenge.id)

    def send(at, kwh):
        body = {"read_at": at.isoformat(), "meter_kwh": kwh}
        return client.post(f"{API}/{challenge.id}/submissions", json=body, headers=headers)

    assert send(now - timedelta(days=2), 1000.0).status_code == 201
    statements = _statements(app, lambda: send(now - timedelta(hours=1), 1003.0))
    assert len(statements) <= READING_BUDGET, "\n".join(statements)
