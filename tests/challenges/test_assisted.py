"""Assisted participation at the service desk, tested on the services: every step is marked as
assisted and logged with the manager's name."""

from datetime import timedelta

import pytest

from accounts import errors as account_errors
from accounts import services as accounts
from accounts.models import Role
from app.extensions import db
from challenges import assisted, errors, participation
from challenges.kinds.reading import METER_READING
from challenges.kinds.trip import TRIP
from challenges.models import AssistedAction, AssistedActionKind, Submission
from challenges.scoring import Category, Mode
from tests.challenges.conftest import NOW

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def manager(make_user):
    return db.session.merge(make_user(role=Role.MANAGER, pseudonym="Desk Dora"))


@pytest.fixture
def resident(manager, make_neighbourhood):
    """A resident registered at the desk, without email."""
    user, _code = assisted.register_resident(
        manager, pseudonym="Paper Owl", neighbourhood_id=make_neighbourhood().id, household_size=2, language="en"
    )
    return user


def reading_for(manager, resident, challenge, read_at, meter_kwh, **options):
    """A paper meter reading entered at the desk."""
    values = {"read_at": read_at, "meter_kwh": meter_kwh}
    return assisted.submit_for(manager, resident, challenge, METER_READING, values, **options)


def log(resident) -> list[tuple]:
    return [(a.kind, a.manager_name, a.challenge_id, a.submission_id) for a in reversed(assisted.actions_for(resident))]


def test_registration_is_logged_with_the_manager(manager, resident):
    """Registering at the desk writes the first line of the resident's log."""
    assert log(resident) == [(AssistedActionKind.REGISTERED, "Desk Dora", None, None)]
    assert assisted.actions_for(resident)[0].manager == manager


def test_join_for_marks_the_enrollment_and_logs_once(make_challenge, manager, resident):
    """Joining on a resident's behalf marks the enrollment; joining again changes and logs nothing."""
    challenge = make_challenge(now=NOW)
    enrollment = assisted.join_for(manager, resident, challenge, now=challenge.starts_at)
    assert enrollment.assisted_by_id == manager.id and enrollment.active
    assisted.join_for(manager, resident, challenge, now=challenge.starts_at)
    assert [entry[0] for entry in log(resident)] == [AssistedActionKind.REGISTERED, AssistedActionKind.JOINED]
    assert challenge.participant_count == 1


def test_readings_for_a_resident_are_assisted_and_logged(make_challenge, manager, resident):
    """A paper reading is stored with source "assisted" and the manager, and logged with its submission."""
    challenge = make_challenge(now=NOW)
    assisted.join_for(manager, resident, challenge, now=challenge.starts_at)
    first, _ = reading_for(manager, resident, challenge, NOW - timedelta(days=5), 1000.0, now=NOW)
    second, created = reading_for(manager, resident, challenge, NOW - timedelta(days=1), 1010.0, now=NOW)
    assert created
    assert (second.source, second.assisted_by, second.user) == ("assisted", manager, resident)
    assert second.enrollment.score > 0
    assert log(resident)[-2:] == [
        (AssistedActionKind.READING, "Desk Dora", challenge.id, first.id),
        (AssistedActionKind.READING, "Desk Dora", challenge.id, second.id),
    ]


def test_trips_for_a_resident_are_assisted_and_logged(make_challenge, manager, resident):
    """A trip from a paper log is stored as assisted and logged."""
    challenge = make_challenge(Category.MOBILITY, now=NOW)
    assisted.join_for(manager, resident, challenge, now=challenge.starts_at)
    bike = {"day": NOW.date(), "mode": Mode.BIKE, "distance_km": 8.0, "replaced_car": True}
    trip, created = assisted.submit_for(manager, resident, challenge, TRIP, bike, idempotency_key="paper-1", now=NOW)
    assert created and trip.source == "assisted" and trip.assisted_by_id == manager.id
    again, created = assisted.submit_for(manager, resident, challenge, TRIP, bike, idempotency_key="paper-1", now=NOW)
    assert not created and again.id == trip.id
    assert [entry[0] for entry in log(resident)].count(AssistedActionKind.TRIP) == 1


def test_refused_readings_store_and_log_nothing(make_challenge, manager, resident):
    """A falling meter reading is refused as for anyone, and leaves no trace in the log."""
    challenge = make_challenge(now=NOW)
    assisted.join_for(manager, resident, challenge, now=challenge.starts_at)
    reading_for(manager, resident, challenge, NOW - timedelta(days=2), 500.0, now=NOW)
    with pytest.raises(errors.SubmissionRefused) as caught:
        reading_for(manager, resident, challenge, NOW - timedelta(days=1), 400.0, now=NOW)
    assert caught.value.rule == "falling"
    assert db.session.query(Submission).count() == 1
    assert [entry[0] for entry in log(resident)].count(AssistedActionKind.READING) == 1


def test_entering_needs_the_resident_to_take_part(make_challenge, manager, resident):
    """Readings for a challenge the resident has not joined are refused."""
    with pytest.raises(errors.NotEnrolled):
        reading_for(manager, resident, make_challenge(now=NOW), NOW, 1.0, now=NOW)


def test_reissued_code_replaces_the_old_one_and_is_logged(manager, make_neighbourhood):
    """A new code works, the old one no longer does, and the reissue is logged."""
    resident, old = assisted.register_resident(
        manager, pseudonym="Lost Sheet", neighbourhood_id=make_neighbourhood().id, household_size=1, language="de"
    )
    new = assisted.reissue_code(manager, resident)
    with pytest.raises(account_errors.InvalidCredentials):
        accounts.authenticate_code(old)
    assert accounts.authenticate_code(new) is resident
    assert log(resident)[-1][:2] == (AssistedActionKind.CODE_REISSUED, "Desk Dora")


def test_only_managers_act_and_only_for_active_residents(make_challenge, make_user, manager, resident):
    """Residents cannot act at the desk; staff are no residents; deactivated accounts are refused."""
    other = db.session.merge(make_user())
    challenge = make_challenge(now=NOW)
    with pytest.raises(account_errors.NotAllowed):
        assisted.join_for(other, resident, challenge, now=NOW)
    with pytest.raises(errors.NoSuchResident):
        assisted.join_for(manager, db.session.merge(make_user(role=Role.STAFF)), challenge, now=NOW)
    with pytest.raises(errors.NoSuchResident):
        assisted.get_resident(manager.id)
    accounts.set_active(resident, False)
    with pytest.raises(errors.ResidentDeactivated):
        assisted.reissue_code(manager, resident)
    assert db.session.query(AssistedAction).count() == 1  # only the registration


def test_log_keeps_the_managers_name_after_a_rename(manager, resident):
    """The log says who acted even after the manager changes their pseudonym."""
    accounts.update_profile(manager, pseudonym="Dora Renamed")
    assert log(resident)[0][1] == "Desk Dora"


def test_joinable_challenges_leave_out_joined_and_ended_ones(make_challenge, manager, resident):
    """The desk offers published, unfinished challenges the resident does not take part in."""
    joined = make_challenge(now=NOW, title="Joined one")
    open_one = make_challenge(Category.MOBILITY, now=NOW, title="Open one")
    make_challenge(now=NOW, title="A draft", publish=False)
    assisted.join_for(manager, resident, joined, now=NOW)
    assert assisted.joinable_challenges(resident, now=NOW) == [open_one]
    assert assisted.joinable_challenges(resident, now=NOW + timedelta(days=60)) == []
    assert [e.challenge for e in assisted.enrollments_of(resident)] == [joined]
    participation.leave(joined, resident, now=NOW)
    assert joined in assisted.joinable_challenges(resident, now=NOW)
