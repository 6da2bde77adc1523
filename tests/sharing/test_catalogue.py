"""The data catalogue: a change of what an entry says ends the consents in force for it; nothing else does."""

from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.extensions import db
from notifications.display import render
from notifications.models import Notification
from sharing import catalogue, errors, gate, services
from sharing.models import DataCategory, EndReason, Purpose
from tests.rewards.conftest import NOW
from tests.sharing.conftest import category, purpose

STATS = ("energy_readings", "municipal_statistics")
LATER = NOW + timedelta(days=2)


def _notices(user_id: int) -> list[Notification]:
    return db.session.scalars(select(Notification).where(Notification.user_id == user_id)).all()


def test_a_new_wording_ends_the_consents_in_force_and_tells_each_resident(give_consent, make_user):
    """Rewording the statistics purpose ends both residents' consents from that moment and notifies them."""
    first, second, elsewhere = make_user(), make_user(), make_user()
    consents = [give_consent(user, *STATS, "city", now=NOW) for user in (first, second)]
    other = give_consent(elsewhere, "trips", "grid_planning", "city", now=NOW)
    statistics = purpose("municipal_statistics")
    assert catalogue.consents_in_force(statistics, now=LATER) == 2
    ended = catalogue.update_entry(statistics, {"explanation_en": "Now also sold to advertisers."}, now=LATER)
    db.session.commit()
    assert ended == 2
    for consent in consents:
        db.session.refresh(consent)
        assert (consent.ended_at, consent.end_reason) == (LATER, EndReason.PURPOSE_CHANGED)
    assert gate.allowed_ids(*STATS, "city", at=LATER) == set()
    assert gate.is_allowed(first.id, *STATS, "city", at=NOW + timedelta(days=1))  # before the change it held
    db.session.refresh(other)
    assert other.ended_at is None
    [notice] = _notices(first.id)
    assert (notice.kind, notice.message, notice.link) == ("account", "consent_ended_wording", "/me/consents")
    with force_locale("de"):
        subject, body = render(notice.message, notice.params)
    assert subject == "Ihre Einwilligung ist beendet, weil sich ihre Beschreibung geändert hat"
    assert "„Zählerstände (Strom)“ für „Städtische Statistik“" in body and not _notices(elsewhere.id)


def test_switching_an_entry_off_or_saving_the_same_words_ends_nothing(give_consent, make_user):
    """Active on or off, or the same text with spaces around it, leaves every consent in force."""
    resident = make_user()
    consent = give_consent(resident, *STATS, "city", now=NOW)
    statistics = purpose("municipal_statistics")
    same = {"explanation_en": f"  {statistics.explanation_en}  ", "third_party": statistics.third_party}
    assert catalogue.update_entry(statistics, {"active": False, **same}, now=LATER) == 0
    assert catalogue.update_entry(category("energy_readings"), {"active": True}, now=LATER) == 0
    db.session.commit()
    db.session.refresh(consent)
    assert consent.ended_at is None and not _notices(resident.id)


@pytest.mark.parametrize(
    ("model", "code", "changes"),
    [
        (Purpose, "municipal_statistics", {"organisation_en": "An advertising agency"}),
        (Purpose, "municipal_statistics", {"third_party": True}),
        (Purpose, "municipal_statistics", {"name_de": "Etwas anderes"}),
        (DataCategory, "energy_readings", {"description_en": "Every minute of your meter."}),
    ],
    ids=["organisation", "third-party", "german-name", "category-description"],
)
def test_every_part_of_the_wording_counts(give_consent, make_user, model, code, changes):
    """Organisation, third party, names and a category's description are all part of what was agreed."""
    consent = give_consent(make_user(), *STATS, "neighbourhood", now=NOW)
    entry = db.session.scalar(select(model).where(model.code == code))
    assert catalogue.update_entry(entry, changes, now=LATER) == 1
    db.session.commit()
    db.session.refresh(consent)
    assert consent.end_reason == EndReason.PURPOSE_CHANGED


def test_consents_ended_earlier_are_left_as_they_are(give_consent, make_user):
    """A consent already revoked keeps its own end; only those in force are ended by a new wording."""
    consent = give_consent(make_user(), *STATS, "city", now=NOW)
    services.revoke(consent, now=NOW + timedelta(hours=1))
    assert catalogue.update_entry(purpose("municipal_statistics"), {"name_en": "City statistics"}, now=LATER) == 0
    assert consent.end_reason == EndReason.REVOKED


def test_codes_are_unique_and_new_entries_are_added(give_consent):
    """A taken code is an error on the code field; a free one creates the entry."""
    with pytest.raises(errors.InvalidConsent) as caught:
        catalogue.create_entry(DataCategory, code="trips", name_en="Trips", name_de="Wege")
    assert set(caught.value.errors) == {"code"}
    heating = catalogue.create_entry(DataCategory, code="heating", name_en="Heating", name_de="Heizung")
    assert heating.id is not None and category("heating") is heating
