"""Texts managers and admins write exist in English and German (app.bilingual): the model rule, the fallback
with its note, forms and API in both languages, and existing rows surviving the migration."""

import os
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import flask_migrate
import pytest
from flask_babel import force_locale
from sqlalchemy import Enum, String, Text, create_engine, make_url, text

from accounts.models import Role
from app import bilingual, create_app
from app.config import TestConfig
from app.extensions import db
from tests.conftest import _postgres_schema, log_in

# Text columns that rightly have no German twin, and why. Every other String/Text column is prose someone
# writes for residents and must come as `x_en` + `x_de`.
ONE_LANGUAGE = {
    # Secrets, hashes, keys and codes: machine values, never read as words.
    "access_token.token_hash", "access_token.token_prefix", "badge_award.salt", "badge_award.uid",
    "consent.receipt_id", "data_category.code", "purpose.code", "ledger_entry.source_key",
    "ledger_entry.source_type", "ledger_entry.reason", "notification.key", "notification.kind",
    "notification_preference.kind", "rate_limit_counter.key_hash", "scheduler_lease.holder", "scheduler_lease.name",
    "submission.flag_rule", "submission.idempotency_key", "submission.source", "voucher.code",
    "voucher.idempotency_key", "user_account.login_code_hash", "user_account.password_hash",
    "user_session.secret_hash", "enrollment.baseline_source", "consent.method", "challenge_change.field",
    # Settings of one user, not prose.
    "user_account.language", "user_account.letter_spacing", "user_account.line_spacing",
    # Names of people, accounts and places, addresses and links: the same in every language.
    "user_account.email", "user_account.pseudonym", "assisted_action.manager_name", "data_use.actor_label",
    "neighbourhood.name", "funding_programme.provider", "funding_programme.link", "notification.link",
    "outbox_email.to_address", "consent.paper_reference", "user_session.user_agent",
    "access_token.name",  # a resident names their own token for themselves
    # Written once for one reader, in that reader's language (a message, not content shown to all).
    "notification.message", "outbox_email.subject", "outbox_email.body_text", "outbox_email.body_html",
    "outbox_email.last_error", "submission.review_reason", "submission.withdrawal_reason",
    # A record of what was, copied as it was: the change log keeps the old and new text of whichever field changed.
    "challenge_change.old_value", "challenge_change.new_value",
    "data_use.description",  # a technical note of the export (format, filters) under the organisation's name
    "badge_class.image_svg",  # an image; its <title> is not shown beside the page's own alt text
    # Organisation clients and sign-ins at an identity provider: machine values and the names of systems.
    "client_token.scope", "client_token.token_hash", "organisation_client.client_id", "organisation_client.scope",
    "organisation_client.secret_hash", "organisation_client.name", "organisation_client.organisation",
    "external_identity.email", "external_identity.provider", "external_identity.subject", "user_session.provider",
    "user_session.provider_sid",
    # Meter and customer numbers at the utility: identifiers.
    "meter_day.meter_number", "meter_link.customer_number", "meter_link.meter_number",
    # A delivery's rejected rows: the meter number as the utility sent it, a machine outcome and a technical reason
    # for the utility's system (English, as the delivery format is).
    "meter_rejection.meter_number", "meter_rejection.outcome", "meter_rejection.reason",
    # Street names and postcodes: the same in every language; name_key is their normalised form for lookup.
    "street.name", "street.name_key", "street.postcode",
    # Teams are named and described by residents, in their own words for their own members; not the city's content.
    "team.name", "team.description", "team.invite_code", "team_report.reason",
    "pledge.idempotency_key",  # a machine value a resident's client sends to make a repeated pledge harmless
    # The route grid: an H3 cell index, codes of mode and hour band, and keyed hashes (tracks.models).
    "route_cell.cell", "route_cell.mode", "route_cell.hour_band", "route_cell.contributor", "route_upload.fingerprint",
}  # fmt: skip


def _text_columns():
    for mapper in db.Model.registry.mappers:
        for column in mapper.local_table.columns:
            if isinstance(column.type, String | Text) and not isinstance(column.type, Enum):
                yield mapper.local_table.name, column.key


def test_every_prose_column_has_its_german_twin(app):
    """A text column is either one of a pair `x_en` / `x_de` or allowed, with a reason, to be one-language."""
    columns = {f"{table}.{name}" for table, name in _text_columns()}
    lonely = sorted(
        column
        for column in columns
        if column not in ONE_LANGUAGE
        and not (column.endswith("_en") and column[:-3] + "_de" in columns)
        and not (column.endswith("_de") and column[:-3] + "_en" in columns)
    )
    assert lonely == [], "give these an x_de twin (app.bilingual) or a reason in ONE_LANGUAGE"
    assert columns >= ONE_LANGUAGE, "ONE_LANGUAGE names columns that no longer exist"


def test_the_twins_manager_forms_write_are_the_model_twins(app):
    """The texts managers and admins edit (challenges, rewards, partners, badges, catalogue, funding) all pair up."""
    columns = {f"{table}.{name}" for table, name in _text_columns()}
    for field in (
        "challenge.title", "challenge.description", "reward.title", "reward.description", "partner.name",
        "badge_class.name", "badge_class.description", "badge_class.criteria", "purpose.organisation",
        "purpose.name", "purpose.explanation", "data_category.name", "data_category.description",
        "funding_programme.name", "funding_programme.funds", "funding_programme.description", "legal_page.body",
        "community_project.title", "community_project.description",
    ):  # fmt: skip
        assert {f"{field}_en", f"{field}_de"} <= columns, field


# The fallback and its note ------------------------------------------------------------------


def test_a_text_in_the_readers_language_has_no_note(app):
    """Each reader gets their own language when it is written, without any note."""
    entry = SimpleNamespace(title_en="Bike month", title_de="Fahrradmonat")
    with app.test_request_context():
        assert bilingual.pick(entry, "title", "de") == bilingual.Localized("Fahrradmonat", "de", False)
        assert bilingual.pick(entry, "title", "en") == bilingual.Localized("Bike month", "en", False)
        with force_locale("de"):
            assert bilingual.render(entry, "title") == "Fahrradmonat"


def test_a_missing_language_falls_back_with_a_visible_note_in_its_lang(app):
    """German readers of an English-only text get it inside lang="en" with "(nur auf Englisch)", and back."""
    english_only = SimpleNamespace(title_en="Bike <month>", title_de="")
    german_only = SimpleNamespace(title_en="", title_de="Fahrradmonat")
    with app.test_request_context():
        with force_locale("de"):
            assert bilingual.render(english_only, "title") == (
                '<span lang="en">Bike &lt;month&gt;</span> <span class="language-note">(nur auf Englisch)</span>'
            )
            assert bilingual.text(english_only, "title") == "Bike <month>"
        with force_locale("en"):
            shown = bilingual.render(german_only, "title")
            assert '<span lang="de">Fahrradmonat</span>' in shown and "(only in German)" in shown
        assert bilingual.pick(SimpleNamespace(title_en="", title_de=""), "title", "de").text == ""


def test_a_setting_has_a_german_twin_that_falls_back(app):
    """SHARING_CONTROLLER_NAME_DE is used for German readers; an empty one falls back to the main value."""
    config = {"X": "City hall", "X_DE": "Rathaus", "Y": "Town office", "Y_DE": " "}
    assert bilingual.setting(config, "X", "de") == "Rathaus" and bilingual.setting(config, "X", "en") == "City hall"
    assert bilingual.setting(config, "Y", "de") == "Town office"


# Challenges: form, page and API in both languages ------------------------------------------

API = "/api/v1/challenges"
SOON = datetime.now(UTC) + timedelta(days=1)


def _draft(**texts) -> dict:
    return {"category": "mobility", "metric": "car_km_avoided", "format": "individual", **texts}


def test_the_api_round_trips_both_languages(app, make_user):
    """Both twins go in and come out; `title` is the caller's language, and in it a German client writes German."""
    manager = app.test_client()
    log_in(manager, make_user(role=Role.MANAGER))
    body = _draft(title_en="Bike month", title_de="Fahrradmonat", description_en="Ride.", description_de="Fahren.")
    created = manager.post(API, json=body)
    assert created.status_code == 201, created.get_json()
    shown = created.get_json()
    assert (shown["title"], shown["title_en"], shown["title_de"]) == ("Bike month", "Bike month", "Fahrradmonat")
    assert (shown["description_en"], shown["description_de"]) == ("Ride.", "Fahren.")

    german = app.test_client()
    log_in(german, make_user(role=Role.MANAGER, language="de"))
    path = f"{API}/{shown['id']}"
    assert german.get(path).get_json()["title"] == "Fahrradmonat"
    changed = german.patch(path, json={"title": "Radmonat"}).get_json()
    assert (changed["title_en"], changed["title_de"]) == ("Bike month", "Radmonat")
    cleared = manager.patch(path, json={"title_de": ""}).get_json()
    assert cleared["title_de"] == "" and german.get(path).get_json()["title"] == "Bike month"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_draft(), "title"),  # no title in any language
        (_draft(title_en="", title_de="  "), "title"),
        (_draft(title_de="x" * 121), "title_de"),
        (_draft(title_en="Bike month", title_de="ab"), "title_de"),
        (_draft(title_en="Bike\x00month"), "title_en"),
    ],
)
def test_the_api_names_the_field_of_a_missing_or_bad_text(manager_client, body, field):
    """Neither language, or a twin too short, too long or with control characters, is a 422 naming the field."""
    response = manager_client.post(API, json=body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"], response.get_json()
    assert manager_client.get(API).get_json() == []


def _form(**overrides) -> dict:
    local = SOON.astimezone().strftime("%Y-%m-%dT%H:%M")
    data = {
        "title_en": "", "title_de": "", "description_en": "", "description_de": "", "category": "mobility",
        "metric": "car_km_avoided", "format": "individual", "starts_at": local, "ends_at": "", "points_per_unit": "2",
        "placement_first": "0", "placement_second": "0", "placement_third": "0", "completion_bonus": "0",
        "max_kwh_per_day": "60", "max_km_per_day": "150",
    }  # fmt: skip
    return {**data, **overrides}


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({}, "title_en", "Give the title in English, in German or in both."),
        ({"title_en": "Bike month", "title_de": "x" * 121}, "title_de", "120"),
        ({"title_de": "ab"}, "title_de", "at least 3 characters"),
    ],
)
def test_the_form_asks_for_one_language_at_least(manager_client, overrides, field, message):
    """The page says under the field what is missing or wrong, with 422; nothing is stored."""
    response = manager_client.post("/challenges/new", data=_form(**overrides))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page
    assert manager_client.get(API).get_json() == []


def test_a_german_only_challenge_is_created_from_the_form(manager_client, app):
    """A manager may write only German; English readers then see it with the note, in lang="de"."""
    response = manager_client.post("/challenges/new", data=_form(title_de="Fahrradmonat", description_de="Fahren."))
    assert response.status_code == 302
    challenge_id = int(response.headers["Location"].rsplit("/", 1)[-1])
    page = manager_client.get(f"/challenges/{challenge_id}").get_data(as_text=True)
    assert '<span lang="de">Fahrradmonat</span> <span class="language-note">(only in German)</span>' in page
    assert '<div lang="de"><p>Fahren.</p></div>' in page


# Rewards and badges: the page in the reader's language --------------------------------------


def test_rewards_are_shown_in_the_residents_language(app, make_user):
    """A German resident sees the German title, and an English-only description with its note."""
    from rewards.catalogue import services

    with app.app_context():
        partner = services.create_partner("Stadtbad", name_de="Stadtbad Mitte")
        services.create_reward(partner_id=partner.id, title_en="Pool ticket", title_de="Badkarte",
                               description_en="One day.", cost=10)  # fmt: skip
        db.session.commit()
    german = app.test_client()
    log_in(german, make_user(language="de"))
    page = german.get("/rewards").get_data(as_text=True)
    assert "Badkarte" in page and "Pool ticket" not in page and "Stadtbad Mitte" in page
    assert '<span lang="en">One day.</span> <span class="language-note">(nur auf Englisch)</span>' in page


def test_the_default_badges_ship_in_both_languages(app):
    """Every default badge has its name, description and criteria in English and in German."""
    from rewards.badges.defaults import DEFAULT_BADGES

    for badge in DEFAULT_BADGES:
        for field in ("name", "description", "criteria"):
            assert badge[field].strip() and badge[f"{field}_de"].strip()
            assert badge[f"{field}_de"] != badge[field] or field == "name"


# The migration keeps the texts already written ---------------------------------------------


@pytest.fixture
def scratch_database(tmp_path):
    """A database of its own, for running the migrations from an older revision."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'migrate.db'}"
        return
    schema = f"migrate_{os.getpid()}"
    _postgres_schema(url, schema, create=True)
    yield make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(False)
    _postgres_schema(url, schema, create=False)


def test_the_migration_keeps_existing_texts_as_english(scratch_database):
    """Rows written before keep their text, now as `x_en`, with an empty German twin; the default
    catalogue's organisations get their German names."""
    app = create_app(type("MigrationConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": scratch_database}))
    with app.app_context():
        flask_migrate.upgrade(revision="b8d4f6a2c0e3")
        engine = create_engine(scratch_database)
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO partner (id, name, kind, created_at) VALUES (1, 'Pool', 'municipal', '2026-01-01')")
            )
            connection.execute(
                text(
                    "INSERT INTO reward (id, partner_id, title, description, cost, redeemed_count, active, created_at,"
                    " updated_at) VALUES (1, 1, 'Day ticket', 'One day.', 10, 0, true, '2026-01-01', '2026-01-01')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO purpose (id, code, name_en, name_de, explanation_en, explanation_de, organisation,"
                    " third_party, active) VALUES (1, 'stats', 'Stats', 'Statistik', 'Counts.', 'Zählt.',"
                    " 'City statistics office', false, true)"
                )
            )
        flask_migrate.upgrade()
        with engine.connect() as connection:
            assert connection.execute(text("SELECT name_en, name_de FROM partner")).one() == ("Pool", "")
            assert connection.execute(
                text("SELECT title_en, title_de, description_en, description_de FROM reward")
            ).one() == ("Day ticket", "", "One day.", "")
            assert connection.execute(text("SELECT organisation_en, organisation_de FROM purpose")).one() == (
                "City statistics office",
                "Statistikamt der Stadt",
            )
        engine.dispose()
        db.engine.dispose()
