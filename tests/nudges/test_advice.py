"""Energy advice: only for residents the consent gate allows, once a week, logged in the data use log."""

from datetime import timedelta

from flask_babel import force_locale
from sqlalchemy import select

from app.extensions import db
from notifications import display
from notifications.models import Notification
from nudges import advice, funding
from sharing import services as sharing
from sharing.models import DataUse, DataUseResident
from tests.challenges.conftest import NOW

RISING = [50.0 * (1 + 0.03 * week) for week in range(10)]
FLAT = [50.0] * 10


def advice_for(user_id: int) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user_id,
                                                              Notification.kind == "advice")))  # fmt: skip


def logged_residents() -> set[int]:
    return set(db.session.scalars(select(DataUseResident.user_id)))


def consent(give_consent, user, now=NOW - timedelta(weeks=20)):
    return give_consent(user, "energy_readings", "personal_advice", "individual", now=now)


def test_a_consenting_resident_with_rising_use_gets_advice(ctx, make_user, energy_challenge, with_readings,
                                                           give_consent):  # fmt: skip
    """Forecast above baseline: advice with the rise, household tips and the programmes the resident may use."""
    user = make_user(household_size=4)
    consent(give_consent, user)
    with_readings(user, energy_challenge, RISING)
    programme = funding.create_programme(name_en="Fridge bonus", name_de="Kühlschrankbonus", provider="City",
                                         funds_en="a fridge", funds_de="einen Kühlschrank",
                                         link="https://example.org")  # fmt: skip
    assert advice.send_advice(NOW) == 1
    [note] = advice_for(user.id)
    assert note.message == "energy_advice_detail" and note.params["percent"] > 10
    assert note.params["tips"] == ["line_dry", "shower", "second_fridge"]
    assert note.params["programmes"] == [programme.id]
    with force_locale("en"):
        _subject, body = display.render(note.message, note.params)
    assert "Tips for a household of 4 people: Dry laundry on a line" in body
    assert "Funding you may be eligible for: Fridge bonus (City)." in body
    with force_locale("de"):
        _subject, body = display.render(note.message, note.params)
    assert "Kühlschrankbonus (City)" in body


def test_without_consent_nothing_is_read_or_sent(ctx, make_user, energy_challenge, with_readings, give_consent):
    """A resident without the consent gets no advice and is in no data use entry; the consenting one is."""
    without, with_ = make_user(), make_user()
    consent(give_consent, with_)
    with_readings(without, energy_challenge, RISING)
    with_readings(with_, energy_challenge, RISING)
    advice.send_advice(NOW)
    assert advice_for(without.id) == []
    assert logged_residents() == {with_.id}
    use = db.session.scalar(select(DataUse))
    assert use.purpose.code == "personal_advice" and use.categories == ["energy_readings"]
    assert use.level == "individual" and use.resident_count == 1


def test_consent_for_another_purpose_or_level_is_not_enough(ctx, make_user, energy_challenge, with_readings,
                                                           give_consent):  # fmt: skip
    """Statistics consent or a neighbourhood-level advice consent do not open the gate for individual advice."""
    user = make_user()
    give_consent(user, "energy_readings", "municipal_statistics", "individual", now=NOW - timedelta(weeks=20))
    give_consent(user, "energy_readings", "personal_advice", "neighbourhood", now=NOW - timedelta(weeks=20))
    with_readings(user, energy_challenge, RISING)
    assert advice.send_advice(NOW) == 0
    assert advice_for(user.id) == [] and logged_residents() == set()


def test_a_revoked_consent_stops_the_advice(ctx, make_user, energy_challenge, with_readings, give_consent):
    """Once revoked, the next run neither reads the readings nor advises."""
    user = make_user()
    granted = consent(give_consent, user)
    with_readings(user, energy_challenge, RISING)
    sharing.revoke(db.session.merge(granted), now=NOW - timedelta(days=1))
    db.session.commit()
    assert advice.send_advice(NOW) == 0
    assert advice_for(user.id) == [] and logged_residents() == set()


def test_flat_use_is_read_but_not_advised(ctx, make_user, energy_challenge, with_readings, give_consent):
    """A forecast at baseline sends nothing; the run still records that it read the readings."""
    user = make_user()
    consent(give_consent, user)
    with_readings(user, energy_challenge, FLAT)
    assert advice.send_advice(NOW) == 0
    assert advice_for(user.id) == [] and logged_residents() == {user.id}


def test_too_few_weeks_give_no_advice(ctx, make_user, energy_challenge, with_readings, give_consent):
    """Three weeks of readings, however steep, make no forecast."""
    user = make_user()
    consent(give_consent, user)
    with_readings(user, energy_challenge, [50.0, 80.0, 120.0])
    assert advice.send_advice(NOW) == 0


def test_advice_goes_out_once_a_week(ctx, make_user, energy_challenge, with_readings, give_consent):
    """Running twice in a week sends one advice; the next week may advise again."""
    user = make_user()
    consent(give_consent, user)
    with_readings(user, energy_challenge, RISING)
    assert advice.send_advice(NOW) == 1
    assert advice.send_advice(NOW + timedelta(hours=3)) == 0
    db.session.commit()
    assert len(advice_for(user.id)) == 1
    assert advice.send_advice(NOW + timedelta(days=7)) == 1


def test_the_baseline_falls_back_to_the_household_reference(ctx, make_user, energy_challenge, with_readings):
    """Without an enrollment baseline, the reference use of the household size counts."""
    user = make_user(household_size=2)
    enrollment = with_readings(user, energy_challenge, FLAT)
    enrollment.baseline_kwh_per_day = None
    assert advice.baseline_per_day(db.session.merge(user)) == 6.85
