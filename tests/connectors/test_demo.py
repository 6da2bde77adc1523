"""The demo utility: its token works against the connector API, and push-demo delivers a day once."""

from sqlalchemy import func, select

from app.extensions import db
from connectors.models import MeterDay
from tests.clients.conftest import bearer


def test_push_demo_delivers_a_day_once_and_the_demo_token_reads_the_meters(app, runner, client, make_user):
    residents = [make_user() for _ in range(3)]
    first = runner.invoke(args=["connectors", "push-demo", "--day", "2026-12-01"])
    assert first.exit_code == 0, first.output
    assert "3 meters newly linked" in first.output and "accepted 9" in first.output, first.output
    again = runner.invoke(args=["connectors", "push-demo", "--day", "2026-12-01"])
    assert "duplicate 9" in again.output and "accepted 0" in again.output, again.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MeterDay)) == len(residents)
    token = runner.invoke(args=["connectors", "demo-token"]).output.strip()
    assert token.startswith("cqo_")
    meters = client.get("/api/v1/connectors/meters", headers=bearer(token)).get_json()["meters"]
    assert len(meters) == len(residents)
