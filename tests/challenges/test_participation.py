"""Taking part: joining, leaving, and a resident's enrollments."""

import threading
from datetime import timedelta

import pytest

from app.extensions import db
from challenges import errors, participation, totals, visibility
from challenges.models import Enrollment
from challenges.scoring import Category, Format
from tests.challenges.conftest import NOW

pytestmark = pytest.mark.usefixtures("ctx")


def attached(obj):
    return db.session.merge(obj)


def test_join_and_leave_keep_totals(make_challenge, make_user):
    """Joining counts a participant for the city and their neighbourhood; leaving takes both back."""
    challenge = make_challenge(category=Category.MOBILITY, format=Format.NEIGHBOURHOOD)
    resident = attached(make_user())
    enrollment = participation.join(challenge, resident, now=NOW)
    assert participation.join(challenge, resident, now=NOW) is enrollment, "joining twice is harmless"
    totals.add_units(enrollment, 12.0, 120)
    assert challenge.participant_count == 1 and challenge.total_units == 12.0
    participation.leave(challenge, resident)
    assert challenge.participant_count == 0 and challenge.total_units == 0.0
    participation.join(challenge, resident, now=NOW)
    assert challenge.total_units == 12.0 and enrollment.active


def test_everyone_can_join_but_not_drafts_or_ended(make_challenge, make_user):
    """Drafts, cancelled and ended challenges cannot be joined."""
    resident = attached(make_user())
    with pytest.raises(errors.NotOpen):
        participation.join(make_challenge(publish=False), resident, now=NOW)
    ended = make_challenge(starts_at=NOW - timedelta(days=9), ends_at=NOW + timedelta(hours=1))
    with pytest.raises(errors.NotOpen):
        participation.join(ended, resident, now=NOW + timedelta(hours=2))


def test_enrollments_by_challenge_in_one_lookup(make_challenge, make_user):
    """The viewer's own enrollments, left ones included, keyed by challenge id."""
    first, second = make_challenge(), make_challenge()
    resident = attached(make_user())
    participation.join(first, resident, now=NOW)
    participation.join(second, resident, now=NOW)
    participation.leave(second, resident, now=NOW)
    mine = participation.enrollments_by_challenge(resident, [first.id, second.id])
    assert mine[first.id].active and not mine[second.id].active
    assert participation.enrollments_by_challenge(None, [first.id]) == {}


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
                participation.join(target, person, now=NOW)
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
    refreshed = visibility.get_challenge(challenge_id)
    assert outcomes == ["ok", "ok"], outcomes
    assert db.session.query(Enrollment).filter_by(challenge_id=challenge_id).count() == 1
    assert refreshed.participant_count == 1
