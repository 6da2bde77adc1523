"""Challenge rules: editing, publishing, the lifecycle, joining, submitting and reviewing."""

import threading
from datetime import date, time, timedelta

import pytest
from flask_babel import force_locale

from app.extensions import db
from challenges import errors, services, submissions
from challenges.models import ChallengeChange, Enrollment, Status, SubmissionStatus
from challenges.scoring import Category, Format, Metric, Mode, reference_daily_kwh
from challenges.signals import challenge_closed
from tests.challenges.conftest import NOW

pytestmark = pytest.mark.usefixtures("ctx")


def attached(obj):
    return db.session.merge(obj)


# Creating and editing ---------------------------------------------------------------------


def test_drafts_may_be_incomplete_but_not_wrong(manager):
    """A draft can lack fields; broken rules are refused with a message per field."""
    author = attached(manager)
    draft = services.create_challenge(
        author, title="Winter savings", category=Category.ENERGY, metric=Metric.KWH_SAVED, format=Format.INDIVIDUAL
    )
    assert draft.status == Status.DRAFT
    with pytest.raises(errors.InvalidChallenge) as caught:
        services.create_challenge(
            author,
            title="x",
            category=Category.ENERGY,
            metric=Metric.SUSTAINABLE_TRIPS,
            format=Format.INDIVIDUAL,
            starts_at=NOW,
            ends_at=NOW - timedelta(days=1),
            daily_point_cap=0,
            placement_points=[10, -1, 0],
        )
    assert set(caught.value.errors) == {"title", "metric", "ends_at", "daily_point_cap", "placement_points"}


def test_publishing_needs_every_field(manager):
    """Publishing a draft with missing fields names them all; a collective challenge needs a target."""
    draft = services.create_challenge(
        attached(manager),
        title="Bike month",
        category=Category.MOBILITY,
        metric=Metric.SUSTAINABLE_TRIPS,
        format=Format.COLLECTIVE,
    )
    with pytest.raises(errors.IncompleteChallenge) as caught:
        services.publish(draft, now=NOW)
    assert set(caught.value.missing) == {"description", "starts_at", "ends_at", "target"}
    assert draft.status == Status.DRAFT


def test_publish_schedules_or_activates(make_challenge):
    """A challenge that starts later is scheduled; one that has started is active at once."""
    later = make_challenge(starts_at=NOW + timedelta(days=1), ends_at=NOW + timedelta(days=8))
    running = make_challenge()
    assert later.status == Status.SCHEDULED and running.status == Status.ACTIVE
    assert later.published_at == NOW


def test_cannot_publish_a_challenge_that_has_ended(make_challenge):
    """An end in the past is refused at publishing."""
    draft = make_challenge(publish=False, starts_at=NOW - timedelta(days=9), ends_at=NOW - timedelta(days=1))
    with pytest.raises(errors.InvalidChallenge) as caught:
        services.publish(draft, now=NOW)
    assert "ends_at" in caught.value.errors


def test_scoring_rules_are_locked_while_active(make_challenge, manager):
    """Once active only the description and end date change; each change is logged."""
    challenge = make_challenge()
    editor = attached(manager)
    with pytest.raises(errors.ScoringLocked) as caught:
        services.update_challenge(challenge, editor, now=NOW, points_per_unit=99.0)
    assert caught.value.field == "points_per_unit"
    new_end = NOW + timedelta(days=30)
    services.update_challenge(challenge, editor, now=NOW, description="Now with tips.", ends_at=new_end)
    log = {change.field: change for change in challenge.changes}
    assert set(log) == {"description", "ends_at"}
    assert log["description"].user_id == manager.id and log["description"].new_value == "Now with tips."
    assert log["ends_at"].old_value == (NOW + timedelta(days=21)).isoformat(timespec="minutes")


def test_running_challenge_cannot_end_in_the_past(make_challenge, manager):
    """Shortening a running challenge to an end already passed is refused."""
    with pytest.raises(errors.InvalidChallenge):
        services.update_challenge(make_challenge(), attached(manager), now=NOW, ends_at=NOW - timedelta(hours=1))


def test_draft_edits_are_not_logged(make_challenge, manager):
    """Before publishing, edits are free and leave no change log."""
    draft = make_challenge(publish=False)
    services.update_challenge(draft, attached(manager), now=NOW, points_per_unit=5.0, title="Renamed")
    assert draft.changes == [] and draft.points_per_unit == 5.0


def test_closed_and_cancelled_challenges_are_frozen(make_challenge, manager):
    """No edits after the end; cancelling twice is refused."""
    challenge = make_challenge()
    services.cancel(challenge, now=NOW)
    with pytest.raises(errors.NotEditable):
        services.update_challenge(challenge, attached(manager), description="late")
    with pytest.raises(errors.WrongStatus):
        services.cancel(challenge)


# Lifecycle -------------------------------------------------------------------------------


def test_lifecycle_is_idempotent_and_catches_up(make_challenge):
    """The job starts and closes what is due; running it twice changes nothing more."""
    upcoming = make_challenge(starts_at=NOW + timedelta(hours=1), ends_at=NOW + timedelta(days=3))
    ending = make_challenge(starts_at=NOW - timedelta(days=3), ends_at=NOW + timedelta(hours=2))
    closed_events = []

    def on_closed(challenge):
        closed_events.append(challenge)

    with challenge_closed.connected_to(on_closed):
        # The app was down for two days: both transitions are caught up in one run.
        later = NOW + timedelta(days=2)
        assert services.advance_lifecycle(now=later) == {"started": 1, "closed": 1}
        assert services.advance_lifecycle(now=later) == {"started": 0, "closed": 0}
    assert upcoming.status == Status.ACTIVE and ending.status == Status.CLOSED
    assert closed_events == [ending]


def test_a_scheduled_challenge_whose_whole_period_was_missed_closes(make_challenge):
    """Downtime across a whole challenge still ends with it closed, never left scheduled."""
    challenge = make_challenge(starts_at=NOW + timedelta(hours=1), ends_at=NOW + timedelta(hours=5))
    services.advance_lifecycle(now=NOW + timedelta(days=1))
    assert challenge.status == Status.CLOSED


def test_closing_freezes_competition_ranks(make_challenge, make_user):
    """Final ranks use standard competition ranking: 1, 2, 2, 4."""
    challenge = make_challenge(category=Category.MOBILITY, metric=Metric.SUSTAINABLE_TRIPS)
    scores = [5.0, 3.0, 3.0, 1.0]
    enrollments = []
    for score in scores:
        enrollment = services.join(challenge, attached(make_user()), now=NOW)
        services.add_units(enrollment, score, 0)
        enrollments.append(enrollment)
    assert services.close_challenge(challenge, now=NOW)
    db.session.expire_all()
    assert [e.final_rank for e in enrollments] == [1, 2, 2, 4]
    assert not services.close_challenge(challenge, now=NOW), "closing twice sends nothing"


# Joining ----------------------------------------------------------------------------------


def test_join_and_leave_keep_totals(make_challenge, make_user):
    """Joining counts a participant for the city and their neighbourhood; leaving takes both back."""
    challenge = make_challenge(category=Category.MOBILITY, format=Format.NEIGHBOURHOOD)
    resident = attached(make_user())
    enrollment = services.join(challenge, resident, now=NOW)
    assert services.join(challenge, resident, now=NOW) is enrollment, "joining twice is harmless"
    services.add_units(enrollment, 12.0, 120)
    assert challenge.participant_count == 1 and challenge.total_units == 12.0
    services.leave(challenge, resident)
    assert challenge.participant_count == 0 and challenge.total_units == 0.0
    services.join(challenge, resident, now=NOW)
    assert challenge.total_units == 12.0 and enrollment.active


def test_everyone_can_join_but_not_drafts_or_ended(make_challenge, make_user):
    """Drafts, cancelled and ended challenges cannot be joined."""
    resident = attached(make_user())
    with pytest.raises(errors.NotOpen):
        services.join(make_challenge(publish=False), resident, now=NOW)
    ended = make_challenge(starts_at=NOW - timedelta(days=9), ends_at=NOW + timedelta(hours=1))
    with pytest.raises(errors.NotOpen):
        services.join(ended, resident, now=NOW + timedelta(hours=2))


def test_baseline_from_household_reference(make_challenge, make_user):
    """Without earlier readings the baseline is the reference for the household size."""
    resident = attached(make_user(household_size=3))
    enrollment = services.join(make_challenge(), resident, now=NOW)
    assert enrollment.baseline_source == "reference"
    assert enrollment.baseline_kwh_per_day == reference_daily_kwh(3)


# Meter readings ---------------------------------------------------------------------------


def test_readings_before_the_start_set_the_baseline_and_savings_score(make_challenge, make_user):
    """Readings before the start give the baseline; saving against it earns units and points."""
    challenge = make_challenge(starts_at=NOW - timedelta(days=7), points_per_unit=2.0)
    enrollment = services.join(challenge, attached(make_user()), now=NOW)
    start = challenge.starts_at
    submissions.submit_reading(enrollment, start - timedelta(days=10), 1000.0, now=NOW)
    submissions.submit_reading(enrollment, start - timedelta(days=1), 1090.0, now=NOW)
    assert enrollment.baseline_source == "readings" and enrollment.baseline_kwh_per_day == pytest.approx(10.0)
    # Six days later (five inside the challenge): 48 kWh used where the baseline expects 60.
    reading, created = submissions.submit_reading(enrollment, start + timedelta(days=5), 1138.0, now=NOW)
    assert created and reading.status == SubmissionStatus.ACCEPTED
    assert reading.consumed_kwh == pytest.approx(48.0)
    # 5/6 of the interval is inside: baseline 50 kWh, used 40 kWh, saved 10 kWh.
    assert reading.units == pytest.approx(10.0)
    assert reading.points == 20 and enrollment.score == pytest.approx(10.0) and enrollment.points == 20


@pytest.mark.parametrize(
    ("offset", "kwh", "rule"),
    [
        (timedelta(days=1), 1500.0, "future"),
        (timedelta(days=-1), 1000.0, "duplicate"),
        (timedelta(days=-2), 1200.0, "order"),
        (timedelta(hours=-1), 900.0, "falling"),
        (timedelta(days=-500), 100.0, "outside"),
    ],
)
def test_implausible_readings_are_refused_naming_the_rule(make_challenge, make_user, offset, kwh, rule):
    """Future, duplicate, out-of-order, falling and far-too-early readings are refused and not stored."""
    enrollment = services.join(make_challenge(), attached(make_user()), now=NOW)
    submissions.submit_reading(enrollment, NOW - timedelta(days=1), 1000.0, now=NOW)
    with pytest.raises(errors.SubmissionRefused) as caught:
        submissions.submit_reading(enrollment, NOW + offset, kwh, now=NOW)
    assert caught.value.rule == rule


def test_implausible_consumption_is_flagged_not_counted(make_challenge, make_user):
    """More than the daily limit is flagged for review and scores nothing until approved."""
    challenge = make_challenge(max_kwh_per_day=30.0)
    enrollment = services.join(challenge, attached(make_user()), now=NOW)
    submissions.submit_reading(enrollment, NOW - timedelta(days=3), 1000.0, now=NOW)
    reading, _ = submissions.submit_reading(enrollment, NOW - timedelta(days=2), 1100.0, now=NOW)
    assert reading.status == SubmissionStatus.FLAGGED and "100.0 kWh" in reading.flag_reason
    assert enrollment.score == 0
    assert submissions.flagged_submissions(challenge.id) == [reading]


def test_a_flag_is_worded_in_each_readers_language(make_challenge, make_user):
    """A flag keeps its rule and numbers; English and German readers each see their own words and decimals."""
    challenge = make_challenge(max_kwh_per_day=30.0)
    enrollment = services.join(challenge, attached(make_user(language="de")), now=NOW)
    submissions.submit_reading(enrollment, NOW - timedelta(days=3), 1000.0, now=NOW)
    reading, _ = submissions.submit_reading(enrollment, NOW - timedelta(days=2), 1100.25, now=NOW)
    assert (reading.flag_rule, reading.flag_values) == ("kwh_per_day", {"value": 100.25, "limit": 30.0})
    with force_locale("en"):
        assert reading.flag_reason.startswith("100.2 kWh per day is more than the 30 kWh this challenge expects")
    with force_locale("de"):
        assert reading.flag_reason.startswith("100,2 kWh pro Tag sind mehr als die 30 kWh")
    trip_challenge = make_challenge(Category.MOBILITY, metric=Metric.SUSTAINABLE_TRIPS, max_km_per_day=50.0)
    traveller = services.join(trip_challenge, attached(make_user()), now=NOW)
    trip, _ = submissions.submit_trip(traveller, date(2026, 3, 1), Mode.BIKE, 1234.0 / 2, True, now=NOW)
    with force_locale("de"):
        assert trip.flag_reason.startswith("617 km an einem Tag sind mehr als die 50 km")
    accepted, _ = submissions.submit_trip(traveller, date(2026, 3, 2), Mode.BIKE, 5.0, True, now=NOW)
    assert accepted.flag_reason is None


def test_idempotency_key_returns_the_first_result(make_challenge, make_user):
    """The same key twice stores one submission and returns the first."""
    enrollment = services.join(make_challenge(), attached(make_user()), now=NOW)
    first, created = submissions.submit_reading(
        enrollment, NOW - timedelta(days=1), 1000.0, idempotency_key="k1", now=NOW
    )
    again, created_again = submissions.submit_reading(enrollment, NOW, 2000.0, idempotency_key="k1", now=NOW)
    assert created and not created_again and again.id == first.id and again.meter_kwh == 1000.0


# Trips ------------------------------------------------------------------------------------


def test_trips_score_with_daily_cap(make_challenge, make_user):
    """Car-free km count; the daily cap stops points, not the km counted."""
    challenge = make_challenge(
        category=Category.MOBILITY, metric=Metric.CAR_KM_AVOIDED, points_per_unit=10.0, daily_point_cap=100
    )
    enrollment = services.join(challenge, attached(make_user()), now=NOW)
    day = date(2026, 3, 3)
    first, _ = submissions.submit_trip(enrollment, day, Mode.BIKE, 6.0, True, now=NOW)
    second, _ = submissions.submit_trip(enrollment, day, Mode.PUBLIC_TRANSPORT, 8.0, True, now=NOW)
    car, _ = submissions.submit_trip(enrollment, day, Mode.CAR, 5.0, False, now=NOW)
    assert (first.points, second.points, car.points) == (60, 40, 0)
    assert enrollment.score == pytest.approx(14.0) and enrollment.points == 100


def test_identical_trips_need_a_time(make_challenge, make_user):
    """An exact duplicate is refused; the same trip with a departure time is a second trip."""
    challenge = make_challenge(category=Category.MOBILITY, metric=Metric.SUSTAINABLE_TRIPS)
    enrollment = services.join(challenge, attached(make_user()), now=NOW)
    day = date(2026, 3, 2)
    submissions.submit_trip(enrollment, day, Mode.BIKE, 4.0, True, now=NOW)
    with pytest.raises(errors.SubmissionRefused) as caught:
        submissions.submit_trip(enrollment, day, Mode.BIKE, 4.0, True, now=NOW)
    assert caught.value.rule == "duplicate"
    submissions.submit_trip(enrollment, day, Mode.BIKE, 4.0, True, trip_time=time(17, 30), now=NOW)
    assert enrollment.score == 2.0


@pytest.mark.parametrize(
    ("day", "km", "rule"),
    [
        (date(2026, 3, 5), 3.0, "future"),
        (date(2026, 2, 20), 3.0, "outside"),
        (date(2026, 3, 2), 0.0, "range"),
        (date(2026, 3, 2), 5000.0, "range"),
    ],
)
def test_implausible_trips_are_refused(make_challenge, make_user, day, km, rule):
    """Trips in the future, outside the challenge or with impossible distances are refused."""
    challenge = make_challenge(category=Category.MOBILITY)
    enrollment = services.join(challenge, attached(make_user()), now=NOW)
    with pytest.raises(errors.SubmissionRefused) as caught:
        submissions.submit_trip(enrollment, day, Mode.BIKE, km, True, now=NOW)
    assert caught.value.rule == rule


# Review -----------------------------------------------------------------------------------


def test_review_approve_and_reject(make_challenge, make_user, manager):
    """Approving a flagged trip counts it; rejecting needs a reason and reverses what counted."""
    challenge = make_challenge(category=Category.MOBILITY, max_km_per_day=50.0)
    enrollment = services.join(challenge, attached(make_user()), now=NOW)
    long_trip, _ = submissions.submit_trip(enrollment, date(2026, 3, 1), Mode.PUBLIC_TRANSPORT, 80.0, True, now=NOW)
    normal, _ = submissions.submit_trip(enrollment, date(2026, 3, 2), Mode.BIKE, 5.0, True, now=NOW)
    reviewer = attached(manager)
    assert long_trip.status == SubmissionStatus.FLAGGED and enrollment.score == 5.0
    submissions.review(long_trip, reviewer, approve=True)
    assert enrollment.score == 85.0 and long_trip.reviewed_by_id == manager.id
    with pytest.raises(errors.SubmissionRefused):
        submissions.review(normal, reviewer, approve=False, reason="  ")
    submissions.review(normal, reviewer, approve=False, reason="Same trip entered by your partner.")
    assert normal.status == SubmissionStatus.REJECTED and enrollment.score == 80.0
    assert challenge.total_units == 80.0
    with pytest.raises(errors.WrongStatus):
        submissions.review(normal, reviewer, approve=True)


def test_rejecting_a_reading_rescores_the_next(make_challenge, make_user, manager):
    """When a reading is rejected, the next reading's consumption is measured from the one before."""
    challenge = make_challenge(points_per_unit=1.0)
    enrollment = services.join(challenge, attached(make_user(household_size=1)), now=NOW)
    baseline = enrollment.baseline_kwh_per_day
    start = challenge.starts_at
    submissions.submit_reading(enrollment, start + timedelta(days=1), 1000.0, now=NOW)
    wrong, _ = submissions.submit_reading(enrollment, start + timedelta(days=2), 1001.0, now=NOW)
    last, _ = submissions.submit_reading(enrollment, start + timedelta(days=3), 1004.0, now=NOW)
    submissions.review(wrong, attached(manager), approve=False, reason="Typo")
    assert last.consumed_kwh == pytest.approx(4.0)
    assert enrollment.score == pytest.approx(max(0.0, 2 * baseline - 4.0))


def test_submissions_keep_what_they_saved_while_they_count(make_challenge, make_user, manager):
    """Each counted trip keeps its car-km and CO2 saved and its neighbourhood; flagged or rejected ones keep none."""
    challenge = make_challenge(category=Category.MOBILITY, metric=Metric.SUSTAINABLE_TRIPS, max_km_per_day=50.0)
    enrollment = services.join(challenge, attached(make_user()), now=NOW)
    bike, _ = submissions.submit_trip(enrollment, date(2026, 3, 1), Mode.BIKE, 5.0, True, now=NOW)
    bus, _ = submissions.submit_trip(enrollment, date(2026, 3, 1), Mode.PUBLIC_TRANSPORT, 10.0, True, now=NOW)
    walk, _ = submissions.submit_trip(enrollment, date(2026, 3, 2), Mode.WALK, 2.0, False, now=NOW)
    car, _ = submissions.submit_trip(enrollment, date(2026, 3, 2), Mode.CAR, 7.0, True, now=NOW)
    long_trip, _ = submissions.submit_trip(enrollment, date(2026, 3, 3), Mode.BIKE, 60.0, True, now=NOW)
    saved = lambda s: (s.car_km_avoided, s.co2_kg_avoided, s.kwh_saved)  # noqa: E731
    assert saved(bike) == pytest.approx((5.0, 5.0 * 0.166, 0.0))
    assert saved(bus) == pytest.approx((10.0, 10.0 * (0.166 - 0.070), 0.0))
    assert saved(walk) == saved(car) == saved(long_trip) == (0.0, 0.0, 0.0)  # not replacing a car; a car; flagged
    assert {s.neighbourhood_id for s in (bike, bus, walk, car, long_trip)} == {enrollment.neighbourhood_id}
    submissions.review(long_trip, attached(manager), approve=True)
    assert saved(long_trip) == pytest.approx((60.0, 60.0 * 0.166, 0.0))
    submissions.review(bike, attached(manager), approve=False, reason="Twice.")
    assert saved(bike) == (0.0, 0.0, 0.0)


def test_readings_keep_the_kwh_they_saved_whatever_the_metric(make_challenge, make_user, manager):
    """A CO2 challenge scores kg, but its readings keep the kWh saved (and the CO2), also after a rescoring."""
    challenge = make_challenge(metric=Metric.CO2_KG_AVOIDED, points_per_unit=1.0)
    enrollment = services.join(challenge, attached(make_user(household_size=1)), now=NOW)
    baseline = enrollment.baseline_kwh_per_day
    start = challenge.starts_at
    submissions.submit_reading(enrollment, start + timedelta(days=1), 1000.0, now=NOW)
    wrong, _ = submissions.submit_reading(enrollment, start + timedelta(days=2), 1000.5, now=NOW)
    last, _ = submissions.submit_reading(enrollment, start + timedelta(days=3), 1001.0, now=NOW)
    assert last.kwh_saved == pytest.approx(baseline - 0.5)
    assert last.co2_kg_avoided == pytest.approx(last.units) == pytest.approx((baseline - 0.5) * 0.38)
    submissions.review(wrong, attached(manager), approve=False, reason="Typo")
    assert wrong.kwh_saved == wrong.co2_kg_avoided == 0.0
    assert last.kwh_saved == pytest.approx(2 * baseline - 1.0)


def test_all_changes_are_in_the_change_log_table(make_challenge, manager):
    """The change log is a table of its own, in order."""
    challenge = make_challenge()
    services.update_challenge(challenge, attached(manager), now=NOW, description="One")
    services.update_challenge(challenge, attached(manager), now=NOW + timedelta(minutes=1), description="Two")
    assert [c.new_value for c in challenge.changes] == ["Two", "One"]
    assert db.session.query(ChallengeChange).count() == 2


# Browsing and visibility -------------------------------------------------------------------


def listed(viewer, **filters) -> list[str]:
    return [c.title for c in db.session.scalars(services.list_challenges(viewer, now=NOW, **filters))]


def test_residents_see_published_challenges_managers_drafts_too(make_challenge, make_user, manager):
    """Drafts (and drafts cancelled unpublished) are for managers; once published, everyone sees them."""
    make_challenge(title="Running")
    draft = make_challenge(title="Draft", publish=False)
    services.cancel(make_challenge(title="Scrapped", publish=False), now=NOW)
    services.cancel(make_challenge(title="Called off"), now=NOW)
    resident = attached(make_user())
    assert sorted(listed(resident)) == sorted(listed(None)) == ["Called off", "Running"]
    assert sorted(listed(attached(manager))) == ["Called off", "Draft", "Running", "Scrapped"]
    with pytest.raises(errors.NotFound):
        services.get_visible_challenge(draft.id, resident)
    assert services.get_visible_challenge(draft.id, attached(manager)) is draft


def test_list_is_filtered_and_running_challenges_come_first(make_challenge, make_user):
    """Category and status filter; running challenges come first, the soonest to end leading."""
    make_challenge(title="Upcoming", starts_at=NOW + timedelta(days=2), ends_at=NOW + timedelta(days=9))
    make_challenge(title="Power")
    make_challenge(title="Bikes", category=Category.MOBILITY, ends_at=NOW + timedelta(days=10))
    resident = attached(make_user())
    assert listed(resident) == ["Bikes", "Power", "Upcoming"]
    assert listed(resident, category=Category.MOBILITY) == ["Bikes"]
    assert listed(resident, status=Status.SCHEDULED) == ["Upcoming"]


def test_open_to_me_is_what_can_be_joined_or_is_joined_and_running(make_challenge, make_user):
    """Open to a resident: scheduled or active and not ended, joined or not; staff join nothing."""
    joined = make_challenge(title="Joined")
    make_challenge(title="Upcoming", starts_at=NOW + timedelta(days=2), ends_at=NOW + timedelta(days=9))
    make_challenge(title="Draft", publish=False)
    services.close_challenge(make_challenge(title="Over"), now=NOW)
    resident = attached(make_user())
    services.join(joined, resident, now=NOW)
    assert sorted(listed(resident, open_to_me=True)) == ["Joined", "Upcoming"]
    assert sorted(listed(None, open_to_me=True)) == ["Joined", "Upcoming"]
    assert listed(attached(make_user(role="staff")), open_to_me=True) == []
    later = NOW + timedelta(days=30)
    assert [c.title for c in db.session.scalars(services.list_challenges(resident, open_to_me=True, now=later))] == []


def test_enrollments_by_challenge_in_one_lookup(make_challenge, make_user):
    """The viewer's own enrollments, left ones included, keyed by challenge id."""
    first, second = make_challenge(), make_challenge()
    resident = attached(make_user())
    services.join(first, resident, now=NOW)
    services.join(second, resident, now=NOW)
    services.leave(second, resident, now=NOW)
    mine = services.enrollments_by_challenge(resident, [first.id, second.id])
    assert mine[first.id].active and not mine[second.id].active
    assert services.enrollments_by_challenge(None, [first.id]) == {}


def test_progress_is_the_share_of_a_collective_target(make_challenge):
    """Collective challenges report their share of the target; other formats have none."""
    collective = make_challenge(format=Format.COLLECTIVE, target=200.0)
    collective.total_units = 50.0
    assert services.progress(collective) == 0.25
    assert services.progress(make_challenge()) is None


def test_published_challenges_keep_their_required_fields(make_challenge, manager):
    """Blanking a field that publishing needs is refused once published; drafts may blank them."""
    upcoming = make_challenge(starts_at=NOW + timedelta(days=2), ends_at=NOW + timedelta(days=9))
    with pytest.raises(errors.InvalidChallenge) as caught:
        services.update_challenge(upcoming, attached(manager), now=NOW, starts_at=None, description="")
    assert set(caught.value.errors) == {"starts_at", "description"}
    with pytest.raises(errors.InvalidChallenge) as caught:
        services.update_challenge(upcoming, attached(manager), now=NOW, format=Format.COLLECTIVE)
    assert set(caught.value.errors) == {"target"}
    draft = make_challenge(publish=False)
    services.update_challenge(draft, attached(manager), now=NOW, starts_at=None)
    assert draft.starts_at is None


# What a resident sees of their own activity -----------------------------------------------


def test_concurrent_first_joins_count_once(app, make_challenge, make_user):
    """Two requests joining at the same moment give one enrollment and one participant, never an error."""
    challenge = make_challenge(format=Format.NEIGHBOURHOOD)
    resident = make_user()
    db.session.commit()
    challenge_id, user_id = challenge.id, resident.id
    barrier = threading.Barrier(2)
    outcomes = []

    def join_once():
        with app.app_context():
            from accounts.models import User
            from challenges.models import Challenge

            target, person = db.session.get(Challenge, challenge_id), db.session.get(User, user_id)
            barrier.wait()
            try:
                services.join(target, person, now=NOW)
                db.session.commit()
                outcomes.append("ok")
            except Exception as error:  # recorded so the assertion shows what went wrong
                db.session.rollback()
                outcomes.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=join_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.expire_all()
    refreshed = services.get_challenge(challenge_id)
    assert outcomes == ["ok", "ok"], outcomes
    assert db.session.query(Enrollment).filter_by(challenge_id=challenge_id).count() == 1
    assert refreshed.participant_count == 1
