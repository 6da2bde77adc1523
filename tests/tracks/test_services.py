"""Track uploads through the services: distance from the track, one trip per track through the trip kind, speed
checked against the mode, the route grid only with consent, minimised, and erased with the resident."""

from datetime import timedelta

import h3
import pytest
from sqlalchemy import func, select

from app.columns import utcnow
from app.extensions import db
from challenges.flags import FlagRule
from challenges.models import Submission, SubmissionStatus
from sharing import services as sharing_services
from sharing.models import Consent
from tests.tracks.conftest import START, east, gpx_bytes, north, yesterday_at
from tracks import gpx, services
from tracks.errors import TrackRefused
from tracks.models import RouteCell, RouteUpload, RouteWeek


def _trips(user):
    return db.session.scalars(select(Submission).where(Submission.user_id == user.id).order_by(Submission.id)).all()


def _rows(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_known_route_measures_its_length_within_one_percent(ctx):
    """5 km due north, made with gpxpy: gpxpy's length is within ±1 %, and the day is the city day of its start."""
    tracks = gpx.parse(gpx_bytes(north(5.0, 20, yesterday_at(8))))
    assert len(tracks) == 1
    assert tracks[0].distance_km == pytest.approx(5.0, rel=0.01)
    assert tracks[0].day == (utcnow() - timedelta(days=1)).astimezone(gpx.city_zone()).date()
    assert tracks[0].sustained_kmh == pytest.approx(15.0, rel=0.02)


def test_each_track_of_a_file_becomes_one_trip_through_the_trip_kind(ctx, mobility):
    """Three tracks in one file: three trips (day, mode, distance, replaced car), source "track", scored as trips."""
    anna = db.session.merge(mobility())
    content = gpx_bytes(north(5.0, 20, yesterday_at(8)), east(3.0, 12, yesterday_at(12)),
                        north(2.0, 25, yesterday_at(17)))  # fmt: skip
    result = services.upload(anna, content, "bike", True)
    db.session.commit()
    trips = _trips(anna)
    assert [round(t.distance_km) for t in trips] == [5, 3, 2]
    assert {(t.kind, t.mode, t.replaced_car, t.source, t.trip_time) for t in trips} == {
        ("trip", "bike", True, "track", None)
    }
    assert all(t.status == SubmissionStatus.ACCEPTED and t.points > 0 for t in trips)
    assert [o.status for track in result.tracks for o in track.outcomes] == ["accepted"] * 3
    assert not result.shared  # no consent: nothing on the grid


def test_a_bike_track_at_car_speed_is_held_with_its_reason(ctx, mobility):
    """Ten minutes at 60 km/h on a "bike" is held for review, naming the speed and the limit; 20 km/h is not."""
    anna = db.session.merge(mobility())
    result = services.upload(anna, gpx_bytes(north(10.0, 10, yesterday_at(9))), "bike", False)
    trip = _trips(anna)[0]
    assert trip.status == SubmissionStatus.FLAGGED and trip.flag_rule == FlagRule.SPEED
    assert trip.flag_values == {"value": pytest.approx(60.0, rel=0.02), "limit": 45.0}
    assert "60 km/h" in trip.flag_reason and "45 km/h" in trip.flag_reason
    assert result.tracks[0].outcomes[0].status == "flagged"


def test_walking_at_cycling_speed_is_held_but_a_short_sprint_is_not(ctx, mobility):
    """ "Walking" 5 km in 15 minutes (20 km/h) is held; a one-minute dash inside a slow walk is not sustained."""
    anna = db.session.merge(mobility())
    services.upload(anna, gpx_bytes(north(5.0, 15, yesterday_at(7))), "walk", False)
    slow = north(0.5, 10, yesterday_at(18), points=20)
    dash = north(0.4, 1, slow[-1][2] + timedelta(seconds=5), origin=slow[-1][:2], points=5)
    rest = north(0.5, 10, dash[-1][2] + timedelta(seconds=5), origin=dash[-1][:2], points=20)
    services.upload(anna, gpx_bytes(slow + dash + rest), "walk", False)
    assert [t.status for t in _trips(anna)] == [SubmissionStatus.FLAGGED, SubmissionStatus.ACCEPTED]


def test_without_consent_nothing_reaches_the_grid(ctx, mobility, give_consent):
    """No consent, or consent to another purpose: no grid row, no week, no upload mark."""
    anna = mobility()
    give_consent(anna, "trips", "traffic_planning", "city")
    services.upload(db.session.merge(anna), gpx_bytes(north(5.0, 20, yesterday_at(8))), "bike", False)
    db.session.commit()
    assert (_rows(RouteCell), _rows(RouteWeek), _rows(RouteUpload)) == (0, 0, 0)


def test_with_consent_cell_counts_appear_and_no_track_is_stored_anywhere(ctx, mobility, give_consent):
    """The grid holds cell counts without the start and end cells (and their neighbours); no coordinate, no
    time of day and no resident id next to a cell is in any table."""
    anna = mobility()
    give_consent(anna, "routes", "network_planning", "city")
    route = north(5.0, 20, yesterday_at(8, 3))
    result = services.upload(db.session.merge(anna), gpx_bytes(route), "bike", False)
    db.session.commit()
    assert result.shared and result.tracks[0].on_grid
    cells = db.session.scalars(select(RouteCell)).all()
    assert len(cells) >= 10 and {c.mode for c in cells} == {"bike"} and {c.hour_band for c in cells} == {"morning"}
    assert all(c.tracks == 1 for c in cells)
    passed = {h3.latlng_to_cell(lat, lon, 9) for lat, lon, _ in route}
    start_zone = set(h3.grid_disk(h3.latlng_to_cell(*START, 9), 1))
    end_zone = set(h3.grid_disk(h3.latlng_to_cell(*route[-1][:2], 9), 1))
    stored = {c.cell for c in cells}
    assert stored <= passed and not stored & (start_zone | end_zone)
    assert {c.contributor for c in cells} != {str(anna.id)} and len({c.contributor for c in cells}) == len(cells)
    assert [c.name for c in RouteCell.__table__.columns] == ["cell", "week", "mode", "hour_band", "contributor",
                                                             "tracks"]  # fmt: skip
    _assert_no_track_anywhere(route)


def _assert_no_track_anywhere(route) -> None:
    """Read every table, every row: no coordinate of the route (to 4 decimals) and no time of its points."""
    texts = {f"{lat:.4f}" for lat, _lon, _t in route} | {f"{route[0][1]:.4f}"}
    times = {moment.strftime("%H:%M:%S") for _lat, _lon, moment in route[1:-1]}
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            text = repr(tuple(row))
            assert not [t for t in texts if t in text], table.name
            assert not [t for t in times if t in text], table.name


def test_a_file_sent_twice_counts_once_on_the_grid(ctx, mobility, give_consent):
    """The second upload of the same file is refused as the same trip and adds nothing to the grid."""
    anna = mobility()
    give_consent(anna, "routes", "network_planning", "city")
    content = gpx_bytes(north(5.0, 20, yesterday_at(8)))
    services.upload(db.session.merge(anna), content, "bike", False)
    again = services.upload(db.session.merge(anna), content, "bike", False)
    assert again.tracks[0].outcomes[0].status == "refused" and not again.tracks[0].on_grid
    assert set(db.session.scalars(select(RouteCell.tracks))) == {1}
    assert db.session.scalar(select(RouteWeek.tracks)) == 1


def test_public_transport_tracks_do_not_reach_the_walking_and_cycling_grid(ctx, mobility, give_consent):
    anna = mobility()
    give_consent(anna, "routes", "network_planning", "city")
    result = services.upload(db.session.merge(anna), gpx_bytes(north(5.0, 10, yesterday_at(8))), "public_transport",
                             False)  # fmt: skip
    assert not result.shared and _rows(RouteCell) == 0


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "not a GPX"),
        (b"<gpx><trk><trkseg><trkpt lat='x' lon='1'/></trkseg></trk></gpx>", "not a GPX"),
        (b"<html><body>hello</body></html>", "no track"),
        (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><gpx>&lol2;</gpx>',
            "not a GPX",
        ),
        (b"<gpx version='1.1'><rte><rtept lat='52.5' lon='13.4'/></rte></gpx>", "no track"),
    ],
)
def test_unusable_files_are_refused_with_a_clear_message(ctx, mobility, content, words):
    """Empty, binary, broken XML, not GPX, an entity bomb, a planned route: a refusal on `file`, nothing stored."""
    anna = db.session.merge(mobility())
    with pytest.raises(TrackRefused) as refusal:
        services.upload(anna, content, "bike", False)
    assert refusal.value.field == "file" and words in str(refusal.value.message)
    assert _trips(anna) == []


def test_a_track_without_timestamps_or_from_the_future_is_refused(ctx, mobility):
    anna = db.session.merge(mobility())
    with pytest.raises(TrackRefused) as untimed:
        services.upload(anna, gpx_bytes(north(5.0, 20, yesterday_at(8)), timed=False), "bike", False)
    assert "without a time" in str(untimed.value.message)
    with pytest.raises(TrackRefused) as future:
        services.upload(anna, gpx_bytes(north(5.0, 20, utcnow() + timedelta(hours=2))), "bike", False)
    assert "future" in str(future.value.message)
    assert _trips(anna) == []


def test_points_and_tracks_are_bounded(ctx, mobility, monkeypatch):
    anna = db.session.merge(mobility())
    monkeypatch.setattr(gpx, "MAX_POINTS", 100)
    with pytest.raises(TrackRefused) as refusal:
        services.upload(anna, gpx_bytes(north(5.0, 20, yesterday_at(8))), "bike", False)
    assert "50,000" in str(refusal.value.message) or "points" in str(refusal.value.message)
    with pytest.raises(TrackRefused):
        services.upload(anna, gpx_bytes(*[north(1.0, 10, yesterday_at(6, i)) for i in range(21)]), "bike", False)


def test_a_car_alone_cannot_replace_a_car_and_an_unknown_mode_is_refused(ctx, mobility):
    anna = db.session.merge(mobility())
    with pytest.raises(TrackRefused) as car:
        services.upload(anna, gpx_bytes(north(5.0, 10, yesterday_at(8))), "car", True)
    assert car.value.field == "replaced_car"
    with pytest.raises(TrackRefused) as mode:
        services.upload(anna, gpx_bytes(north(5.0, 10, yesterday_at(8))), "rocket", False)
    assert mode.value.field == "mode"


def test_erasure_and_a_withdrawn_consent_take_the_residents_counts_off_the_grid(ctx, mobility, give_consent):
    """Erasing finds the resident's cells again through the keyed hash; a revoked consent is purged before use."""
    anna, ben = mobility(), mobility()
    for user in (anna, ben):
        give_consent(user, "routes", "network_planning", "city")
    services.upload(db.session.merge(anna), gpx_bytes(north(5.0, 20, yesterday_at(8))), "bike", False)
    services.upload(db.session.merge(ben), gpx_bytes(east(4.0, 20, yesterday_at(9))), "walk", False)
    db.session.commit()
    anna_rows = db.session.scalar(select(func.count()).where(RouteCell.mode == "bike"))
    assert anna_rows and db.session.scalar(select(func.count()).where(RouteCell.mode == "walk"))
    assert services.erase_contributions(anna.id) == anna_rows
    assert db.session.scalar(select(func.count()).where(RouteCell.mode == "bike")) == 0
    consent = db.session.scalar(select(Consent).where(Consent.user_id == ben.id))
    sharing_services.revoke(consent)
    assert services.purge_withdrawn() == 1
    assert (_rows(RouteCell), _rows(RouteWeek), _rows(RouteUpload)) == (0, 0, 0)


def test_a_fit_file_from_a_bike_computer_is_read_like_gpx(ctx, mobility):
    """FIT (fitdecode) becomes the same trip: its length measured by gpxpy within ±1 %; a broken FIT is refused."""
    from tests.tracks.conftest import fit_bytes

    content = fit_bytes(north(5.0, 20, yesterday_at(8)))
    tracks = gpx.parse(content)
    assert len(tracks) == 1 and tracks[0].distance_km == pytest.approx(5.0, rel=0.01)
    anna = db.session.merge(mobility())
    services.upload(anna, content, "bike", False)
    assert [round(t.distance_km, 1) for t in _trips(anna)] == [5.0]
    with pytest.raises(TrackRefused) as broken:
        services.upload(anna, content[:-40], "bike", False)
    assert "FIT" in str(broken.value.message)


def test_counts_past_the_retention_period_leave_the_grid_before_any_use(app, ctx, mobility, give_consent,
                                                                         monkeypatch):  # fmt: skip
    """A week older than RETENTION_MONTHS is deleted (cells and the resident's week) when the grid is next used."""
    from tracks import grid

    anna = mobility()
    give_consent(anna, "routes", "network_planning", "city")
    services.upload(db.session.merge(anna), gpx_bytes(north(5.0, 20, yesterday_at(8))), "bike", False)
    db.session.commit()
    monkeypatch.setitem(app.config, "RETENTION_MONTHS", 1)
    week = db.session.scalar(select(RouteWeek.week))
    grid.build(grid.Query(week, week), now=utcnow() + timedelta(days=20), k=1)
    assert _rows(RouteCell) and _rows(RouteWeek)  # within a month: kept (and the consent is in force)
    grid.build(grid.Query(week, week), now=utcnow() + timedelta(days=45), k=1)
    assert (_rows(RouteCell), _rows(RouteWeek)) == (0, 0)
