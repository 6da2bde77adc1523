"""The city impact board: consent gate, small-cell rule, noise, the daily snapshot and its log entry, and the
public page, embed, badge and JSON (headers, framing, schema)."""

from datetime import time, timedelta

from sqlalchemy import func, select

from app.extensions import db
from challenges import participation
from challenges.kinds.trip import submit_trip
from challenges.scoring import Mode
from sharing.models import DataUse
from stats import impact
from stats.models import ImpactSnapshot
from stats.schemas import ImpactSchema
from tests.stats.conftest import DAY, NOW


def _add_trips(user, challenge, trips: int, km: float = 30.0) -> None:
    enrollment = participation.join(challenge, db.session.merge(user), now=NOW - timedelta(days=1))
    for number in range(trips):
        submit_trip(enrollment, DAY, Mode.BIKE, km, True, trip_time=time(9, number), now=NOW)
    db.session.commit()


def test_figures_below_the_minimum_are_withheld(app, city):
    """Two residents consented at city level: with k = 3 every non-zero city figure is null, with k = 2 shown."""
    # Fixed record keys: with random ones, the noise on two residents' 10 car-km could be clamped to 0 now and then.
    for number, resident in enumerate((city["a1"], city["a2"], city["b1"]), start=1):
        db.session.merge(resident).record_key = 1000 * number
    db.session.flush()
    withheld, _used = impact.compute(NOW, k=3)
    assert withheld["so_far"]["co2_kg_avoided"] is None and withheld["so_far"]["active_participants"] is None
    assert withheld["so_far"]["trips_by_mode"]["bike"] is None
    assert withheld["so_far"]["kwh_saved"] == 0.0  # a true zero says nothing about anyone
    shown, _used = impact.compute(NOW, k=2)
    assert shown["so_far"]["co2_kg_avoided"] is not None and shown["so_far"]["car_km_avoided"] > 0
    assert all(row["rank"] is None for row in shown["neighbourhoods"])  # one neighbourhood-level resident only


def test_a_resident_without_the_consent_changes_no_figure(app, city, make_user, give_consent):
    """b1's trips (no consent) and those of a resident who agreed to another purpose leave every figure as it was."""
    before, used = impact.compute(NOW, k=2)
    assert used == {city["a1"].id, city["a2"].id}
    outsider = make_user(neighbourhood_id=city["south"].id)
    give_consent(outsider, "trips", "grid_planning", "city", now=NOW - timedelta(days=30))
    _add_trips(outsider, city["challenge"], 5)
    after, used_after = impact.compute(NOW, k=2)
    assert after == before and used_after == used


def test_head_counts_are_never_exact_and_the_same_residents_get_the_same_noise(app, city, make_user, give_consent):
    """Before and after a third resident's consent the published head count is never the true one (2, then 3),
    so the two boards cannot be subtracted to find that resident; asking again gives the same answer."""
    third = make_user(neighbourhood_id=city["north"].id)
    give_consent(third, "trips", "municipal_statistics", "city", now=NOW - timedelta(days=1))
    _add_trips(third, city["challenge"], 1, km=7.0)
    before, used_before = impact.compute(NOW - timedelta(days=2), k=2)
    after, used_after = impact.compute(NOW, k=2)
    assert len(used_before) == 2 and len(used_after) == 3
    assert before["so_far"]["active_participants"] != 2 and after["so_far"]["active_participants"] != 3
    assert impact.compute(NOW, k=2)[0] == after


def test_the_board_is_computed_once_a_day_and_logged(app, city):
    """The snapshot is kept per city day; its one data use entry names the residents it used."""
    first = impact.board(NOW)
    again = impact.board(NOW + timedelta(hours=1))
    db.session.commit()
    assert first == again
    snapshot = db.session.get(ImpactSnapshot, NOW.date())
    use = db.session.get(DataUse, snapshot.data_use_id)
    assert use.description == impact.DESCRIPTION and use.resident_count == 2
    assert db.session.scalar(select(func.count()).select_from(ImpactSnapshot)) == 1


def test_the_page_and_embed_are_public_cacheable_and_only_the_embed_may_be_framed(client, city):
    """No log-in; public for a minute with an ETag; framing allowed for the embed only."""
    for path in ("/impact", "/embed/impact", "/api/v1/public/impact", "/impact/badge.svg"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] in ("public, max-age=60", "max-age=60, public"), path
        assert client.get(path, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    embed = client.get("/embed/impact")
    assert "frame-ancestors *" in embed.headers["Content-Security-Policy"] and "X-Frame-Options" not in embed.headers
    page = client.get("/impact")
    assert page.headers["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in page.headers[
        "Content-Security-Policy"]  # fmt: skip
    assert "<form" not in embed.get_data(as_text=True) and "municipal statistics" in page.get_data(as_text=True)


def test_the_json_follows_its_schema(client, city):
    """GET /api/v1/public/impact answers what ImpactSchema documents, nothing more."""
    body = client.get("/api/v1/public/impact").get_json()
    assert ImpactSchema().validate(body) == {}
    assert set(body) == set(ImpactSchema().fields)
    assert set(body["so_far"]["trips_by_mode"]) == {mode.value for mode in Mode}


def test_the_badge_is_an_svg_in_the_asked_language(app, client, city, monkeypatch):
    """The badge names the tonnes of CO₂ with the language's decimal mark, or a neutral line when withheld."""
    monkeypatch.setitem(app.config, "STATS_MIN_RESIDENTS", 2)
    response = client.get("/impact/badge.svg?lang=de")
    assert response.mimetype == "image/svg+xml"
    text = response.get_data(as_text=True)
    assert "<svg" in text and " t CO₂" in text and "Unsere Stadt hat " in text and "Our city" not in text
    english = client.get("/impact/badge.svg?lang=en").get_data(as_text=True)
    assert "Our city has avoided " in english and " t CO₂" in english
    monkeypatch.setitem(app.config, "STATS_MIN_RESIDENTS", 50)
    db.session.query(ImpactSnapshot).delete()
    db.session.commit()
    assert "Our city is saving CO₂ with Civiquest" in client.get("/impact/badge.svg").get_data(as_text=True)


def test_the_nightly_job_stores_the_board_once(app, city):
    """Run twice, the job leaves one snapshot and one log entry for the day."""
    from app import scheduler

    assert scheduler.JOBS["impact-board"].trigger_args == {"hour": 0, "minute": 10}
    assert scheduler.run_job(app, "impact-board") and scheduler.run_job(app, "impact-board")
    entries = select(func.count()).select_from(DataUse).where(DataUse.description == impact.DESCRIPTION)
    assert db.session.scalar(select(func.count()).select_from(ImpactSnapshot)) == 1 and db.session.scalar(entries) == 1


def test_the_page_is_not_shared_when_it_names_a_logged_in_reader(client, city):
    """A logged-in reader's page carries their header, so no cache may keep it; the embed stays public."""
    from tests.conftest import log_in

    log_in(client, city["b1"])
    assert "public" not in client.get("/impact").headers.get("Cache-Control", "")
    assert "public" in client.get("/embed/impact").headers["Cache-Control"]


def test_teams_are_listed_only_on_enough_consenting_members_and_others_change_nothing(app, city, make_user,
                                                                                        give_consent):  # fmt: skip
    """A team appears once k members agreed to statistics per neighbourhood (a sub-team's counted in its parent);
    a member without that consent changes none of its figures; a team not approved is never listed."""
    from accounts.models import User
    from teams import services as teams
    from teams.models import TeamStatus

    def member(user, team):
        teams.join_by_code(db.session.get(User, user.id), team.invite_code)

    captain = make_user(neighbourhood_id=city["north"].id)
    school = teams.found_team(db.session.get(User, captain.id), "Schule Nord", "school", None, False)
    klasse = teams.found_sub_team(db.session.get(User, captain.id), school, "Klasse 3", None, False)
    member(city["a1"], klasse)
    member(city["b1"], school)  # no consent: changes nothing
    db.session.commit()
    assert impact.compute(NOW, k=2)[0]["teams"] == []  # pending
    teams.moderate(school, TeamStatus.APPROVED)
    db.session.commit()
    assert impact.compute(NOW, k=2)[0]["teams"] == []  # one consenting member
    second = make_user(neighbourhood_id=city["south"].id)
    give_consent(second, "trips", "municipal_statistics", "neighbourhood", now=NOW - timedelta(days=30))
    _add_trips(second, city["challenge"], 1, km=4.0)
    member(second, school)
    db.session.commit()
    shown = impact.compute(NOW, k=2)[0]["teams"]
    assert [row["name"] for row in shown] == ["Schule Nord"] and shown[0]["co2_kg_avoided"] is not None
    teams.leave(db.session.get(User, city["b1"].id), school)
    db.session.commit()
    assert impact.compute(NOW, k=2)[0]["teams"] == shown
