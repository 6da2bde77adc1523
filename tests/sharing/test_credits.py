"""The data dividend: weekly, by level and by data brought, never twice; and the consent receipts."""

from datetime import date, time, timedelta

from app.extensions import db
from challenges import participation
from challenges.kinds.trip import submit_trip
from challenges.scoring import Category, Mode
from rewards.models import EntryKind, LedgerEntry
from sharing import credits, receipts
from sharing.models import Level
from tests.challenges.conftest import NOW

WEEK = date(2026, 2, 23)  # the Monday of the week before NOW's week (NOW is Wednesday 2026-03-04)


def _trips(user, challenge, count, day):
    enrollment = participation.join(challenge, db.session.merge(user), now=NOW - timedelta(days=10))
    for number in range(count):
        submit_trip(
            enrollment, day, Mode.BIKE, 3.0, True, trip_time=time(8, number), now=NOW - timedelta(days=5)
        )  # fmt: skip  (Friday of WEEK)
    db.session.commit()


def _data_credits(user_id):
    return db.session.query(LedgerEntry).filter_by(user_id=user_id, kind=EntryKind.DATA_CREDIT).all()


def test_credit_by_level_and_records_and_never_twice(give_consent, make_user, make_challenge):
    """Individual level with 3 trips earns base + 3 × per record; a second run of the week pays nothing."""
    resident = make_user()
    challenge = make_challenge(Category.MOBILITY, now=NOW - timedelta(days=10))
    give_consent(resident, "trips", "traffic_planning", "individual", now=NOW - timedelta(days=30))
    _trips(resident, challenge, 3, WEEK + timedelta(days=2))
    assert credits.credit_week(WEEK) == 1
    credits.credit_week(WEEK)
    db.session.commit()
    base, per_record, _cap = credits.DEFAULT_RATES[Level.INDIVIDUAL]
    assert [e.amount for e in _data_credits(resident.id)] == [base + 3 * per_record]


def test_no_data_no_credit(give_consent, make_user):
    """A consent that brought no readings that week earns nothing."""
    resident = make_user()
    give_consent(resident, "energy_readings", "grid_planning", "individual", now=NOW - timedelta(days=30))
    assert credits.credit_week(WEEK) == 0
    assert _data_credits(resident.id) == []


def test_the_household_profile_counts_as_data(give_consent, make_user):
    """Sharing the household profile brings data every week, at the city level's rate."""
    resident = make_user()
    give_consent(resident, "household_profile", "municipal_statistics", "city", now=NOW - timedelta(days=30))
    credits.credit_week(WEEK)
    base, per_record, _cap = credits.DEFAULT_RATES[Level.CITY]
    assert [e.amount for e in _data_credits(resident.id)] == [base + per_record]


def test_revoked_consent_earns_nothing_for_the_week(give_consent, make_user):
    """A consent withdrawn before the week ended is not credited for it."""
    from sharing import services

    resident = make_user()
    consent = give_consent(resident, "household_profile", "research", "city", now=NOW - timedelta(days=30))
    services.revoke(consent, now=NOW - timedelta(days=6))
    db.session.commit()
    assert credits.credit_week(WEEK) == 0


def test_admins_change_rates_for_coming_weeks_only(ctx):
    """A new rate starts on a coming Monday; earlier weeks keep the rate they had."""
    import pytest

    from sharing.errors import InvalidConsent

    today = date(2026, 3, 4)
    with pytest.raises(InvalidConsent):
        credits.set_rate(Level.CITY, date(2026, 3, 2), 9, 0, 0, today)  # already started
    with pytest.raises(InvalidConsent):
        credits.set_rate(Level.CITY, date(2026, 3, 10), 9, 0, 0, today)  # not a Monday
    credits.set_rate(Level.CITY, date(2026, 3, 9), 9, 1, 2, today)
    assert credits.rate_for(Level.CITY, date(2026, 3, 2)) == credits.DEFAULT_RATES[Level.CITY]
    assert credits.rate_for(Level.CITY, date(2026, 3, 16)) == (9, 1, 2)


def test_receipt_has_the_kantara_fields(app, give_consent, make_user):
    """The receipt carries the Consent Receipt v1.1 fields a resident and an auditor need."""
    resident = make_user()
    consent = give_consent(resident, "trips", "research", "neighbourhood", months=6, now=NOW)
    document = receipts.receipt(consent, "https://city.example/privacy", "https://city.example/me/consents")
    for field in ("version", "jurisdiction", "consentTimestamp", "collectionMethod", "consentReceiptID",
                  "piiPrincipalId", "piiControllers", "policyUrl", "services", "sensitive", "spiCat"):  # fmt: skip
        assert field in document, field
    assert document["consentReceiptID"] == consent.receipt_id
    assert document["consentTimestamp"] == int(NOW.timestamp())
    assert resident.email not in str(document) and resident.pseudonym not in str(document)
    purpose = document["services"][0]["purposes"][0]
    assert purpose["thirdPartyDisclosure"] is True and purpose["piiCategory"] == ["Trips"]
    assert "2026-09-04" in purpose["termination"]
    assert document["language"] == "en" and set(document["piiControllers"][0]["address"]) == {
        "streetAddress", "addressCountry"}  # fmt: skip


def test_receipt_is_in_the_residents_language(app, give_consent, make_user):
    """A German-speaking resident's receipt says "de" and names purpose and category in German."""
    resident = make_user(language="de")
    consent = give_consent(resident, "trips", "research", "neighbourhood", months=6, now=NOW)
    document = receipts.receipt(consent, "https://city.example/privacy", "https://city.example/me/consents")
    purpose = document["services"][0]["purposes"][0]
    assert document["language"] == "de"
    assert purpose["purpose"] == consent.purpose.name_de and purpose["piiCategory"] == [consent.category.name_de]
