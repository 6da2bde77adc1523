"""The consent gate: nothing by default, levels cover less detail, revocation and expiry act at once."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from accounts.models import User
from app.extensions import db
from sharing import gate, services
from sharing.models import Consent, EndReason
from tests.rewards.conftest import NOW
from tests.sharing.conftest import category, purpose

STATS = ("energy_readings", "municipal_statistics")


def test_nothing_is_shared_by_default(give_consent, make_user):
    """A resident who granted nothing is in no use of any level."""
    make_user()
    for level in ("individual", "neighbourhood", "city"):
        assert gate.allowed_ids(*STATS, level, at=NOW) == set()


@pytest.mark.parametrize(
    ("granted", "asked", "allowed"),
    [
        ("individual", "individual", True), ("individual", "neighbourhood", True), ("individual", "city", True),
        ("neighbourhood", "individual", False), ("neighbourhood", "neighbourhood", True),
        ("neighbourhood", "city", True),
        ("city", "individual", False), ("city", "neighbourhood", False), ("city", "city", True),
    ],
)  # fmt: skip
def test_a_level_covers_every_less_detailed_level(give_consent, make_user, granted, asked, allowed):
    """Consent to more detail allows aggregates too; consent to aggregates never allows more detail."""
    resident = make_user()
    give_consent(resident, *STATS, granted, now=NOW)
    assert gate.is_allowed(resident.id, *STATS, asked, at=NOW) is allowed


def test_the_gate_is_specific_to_category_and_purpose(give_consent, make_user):
    """Consent for readings in statistics says nothing about trips or about grid planning."""
    resident = make_user()
    give_consent(resident, *STATS, "individual", now=NOW)
    assert not gate.is_allowed(resident.id, "trips", "municipal_statistics", "city", at=NOW)
    assert not gate.is_allowed(resident.id, "energy_readings", "grid_planning", "city", at=NOW)


def test_revocation_takes_effect_at_once(give_consent, make_user):
    """After revoking, the resident is out of every use from that moment; before it they were in."""
    resident = make_user()
    consent = give_consent(resident, *STATS, "neighbourhood", now=NOW)
    services.revoke(consent, now=NOW + timedelta(days=3))
    db.session.commit()
    assert gate.is_allowed(resident.id, *STATS, "city", at=NOW + timedelta(days=2))
    assert not gate.is_allowed(resident.id, *STATS, "city", at=NOW + timedelta(days=3))


def test_consents_expire_by_themselves(give_consent, make_user):
    """A 3-month consent lets data through until its end and not after, even before the job marks it."""
    resident = make_user()
    consent = give_consent(resident, *STATS, "city", months=3, now=NOW)
    assert consent.expires_at == NOW.replace(month=6)
    assert gate.is_allowed(resident.id, *STATS, "city", at=consent.expires_at - timedelta(seconds=1))
    assert not gate.is_allowed(resident.id, *STATS, "city", at=consent.expires_at)
    assert services.expire_consents(now=consent.expires_at + timedelta(hours=1)) == 1
    assert services.expire_consents(now=consent.expires_at + timedelta(hours=2)) == 0
    db.session.refresh(consent)
    assert consent.end_reason == EndReason.EXPIRED and consent.ended_at == consent.expires_at


def test_a_change_keeps_the_history(give_consent, make_user):
    """Changing the level ends the old grant and starts a new one; granting the same again changes nothing."""
    resident = make_user()
    first = give_consent(resident, *STATS, "city", now=NOW)
    same = give_consent(resident, *STATS, "city", now=NOW + timedelta(hours=1))
    assert same.id == first.id
    second = give_consent(resident, *STATS, "individual", now=NOW + timedelta(days=1))
    db.session.refresh(first)
    assert first.end_reason == EndReason.CHANGED and first.ended_at == NOW + timedelta(days=1)
    assert db.session.query(Consent).count() == 2
    assert [c.id for c in services.active_consents(resident, now=NOW + timedelta(days=1))] == [second.id]
    assert second.receipt_id != first.receipt_id


def test_refuses_unknown_level_and_duration(catalogue, make_user):
    """Only the three levels and 3, 6 or 12 months are accepted, each with a field message."""
    from sharing.errors import InvalidConsent

    resident = db.session.merge(make_user())
    with pytest.raises(InvalidConsent) as refused:
        services.grant(resident, category("trips"), purpose("research"), "street", 3, now=NOW)
    assert "level" in refused.value.errors
    with pytest.raises(InvalidConsent) as refused:
        services.grant(resident, category("trips"), purpose("research"), "city", 5, now=NOW)
    assert "duration_months" in refused.value.errors


def test_expiry_notice_is_sent_once_a_week_ahead(give_consent, make_user):
    """Six days before the end the resident is told, once, however often the job runs."""
    from notifications.models import Notification

    resident = make_user()
    consent = give_consent(resident, *STATS, "city", months=3, now=NOW)
    assert services.notify_expiring(now=consent.expires_at - timedelta(days=8)) == 0
    assert services.notify_expiring(now=consent.expires_at - timedelta(days=6)) == 1
    assert services.notify_expiring(now=consent.expires_at - timedelta(days=5)) == 0
    db.session.commit()
    notes = db.session.query(Notification).filter_by(user_id=resident.id).all()
    assert [n.message for n in notes] == ["consent_expiring"]


def test_concurrent_grants_leave_one_consent_in_force(app, catalogue, make_user):
    """Two simultaneous clicks on "Share" for the same cell end with exactly one consent in force."""
    resident_id = make_user().id
    barrier = threading.Barrier(2)
    errors = []

    def click(level):
        with app.app_context():
            try:
                user = db.session.get(User, resident_id)
                barrier.wait()
                services.grant(user, category(STATS[0]), purpose(STATS[1]), level, 12, now=NOW)
                db.session.commit()
            except Exception as error:
                errors.append(error)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=click, args=(level,)) for level in ("city", "individual")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    db.session.expire_all()
    in_force = db.session.query(Consent).filter(Consent.user_id == resident_id, Consent.ended_at.is_(None)).count()
    assert in_force == 1


def _boundaries(consent):
    """The moments where a consent's state changes, and one microsecond either side of each."""
    edges = [consent.granted_at, consent.expires_at] + ([consent.ended_at] if consent.ended_at else [])
    return [edge + timedelta(microseconds=step) for edge in edges for step in (-1, 0, 1)]


@pytest.mark.parametrize("ended", [False, True])
def test_a_loaded_consent_and_the_query_agree_at_every_boundary(give_consent, make_user, ended):
    """is_in_force (in memory) and in_force (in SQL) give the same answer at and around each boundary."""
    resident = make_user()
    consent = give_consent(resident, *STATS, "city", months=3, now=NOW)
    if ended:
        services.revoke(consent, now=NOW + timedelta(days=10))
        db.session.commit()
    for moment in _boundaries(consent):
        in_sql = db.session.scalar(select(Consent.id).where(Consent.id == consent.id, *gate.in_force(moment)))
        assert gate.is_in_force(consent, moment) is (in_sql is not None), moment
    assert gate.is_in_force(consent, NOW) and not gate.is_in_force(consent, NOW - timedelta(microseconds=1))


def test_at_the_end_of_a_period_what_happens_at_its_end_belongs_to_the_next(give_consent, make_user):
    """A consent granted exactly at a period's end is not in force at its end; one expiring exactly then is."""
    end = NOW.replace(month=6)  # three months after NOW
    expiring, granted = make_user(), make_user()
    ends_then = give_consent(expiring, *STATS, "city", months=3, now=NOW)
    assert ends_then.expires_at == end
    give_consent(granted, *STATS, "city", now=end)
    at_end = select(Consent.user_id).where(*gate.in_force_at_end(end))
    assert set(db.session.scalars(at_end)) == {expiring.id}
    assert gate.allowed_ids(*STATS, "city", at=end) == {granted.id}  # at the moment `end` itself: the reverse
