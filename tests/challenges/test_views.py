"""The challenge pages: browsing, the rules, managing through the forms, taking part, review."""

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Role
from app.extensions import db
from challenges import authoring, participation
from challenges.kinds.trip import submit_trip
from challenges.models import Challenge, Enrollment, Status, Submission, SubmissionStatus
from challenges.scoring import Category, Format, Metric, Mode
from tests.challenges.conftest import joined_at_the_start
from tests.conftest import log_in

CITY = ZoneInfo("Europe/Berlin")
LOCAL = "%Y-%m-%dT%H:%M"


def text_of(response) -> str:
    """The page's text with tags dropped and whitespace collapsed, as a reader sees it."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def local(moment: datetime) -> str:
    """A moment as a datetime-local input sends it, in the city's time zone."""
    return moment.astimezone(CITY).strftime(LOCAL)


@pytest.fixture
def new_challenge(app, make_challenge):
    """Build a challenge around the real clock (pages use it) and return its id."""

    def make(**fields):
        with app.app_context():
            return make_challenge(now=datetime.now(UTC), **fields).id

    return make


@pytest.fixture
def load(app):
    """Read a model by id in a short app context, detached with its columns loaded."""

    def read(model, ident):
        with app.app_context():
            obj = db.session.get(model, ident)
            db.session.expunge(obj)
            return obj

    return read


def enroll(app, challenge_id: int, user):
    with app.app_context():
        challenge = db.session.get(Challenge, challenge_id)
        enrollment = participation.join(challenge, db.session.merge(user))
        db.session.commit()
        return enrollment.id


def challenge_form(**overrides) -> dict:
    now = datetime.now(UTC)
    data = {
        "title_en": "Cycle to work",
        "description_en": "Leave the car.\n\nTake the bike.",
        "category": "mobility",
        "metric": "car_km_avoided",
        "format": "individual",
        "starts_at": local(now + timedelta(days=1)),
        "ends_at": local(now + timedelta(days=29)),
        "points_per_unit": "2",
        "daily_point_cap": "",
        "target": "",
        "completion_goal": "",
        "placement_first": "30",
        "placement_second": "20",
        "placement_third": "10",
        "completion_bonus": "0",
        "max_kwh_per_day": "60",
        "max_km_per_day": "150",
    }
    return {**data, **overrides}


def error_of(response, field: str) -> str:
    match = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', response.get_data(as_text=True), re.S)
    assert match, f"no error on {field}"
    return unescape(match.group(1)).strip()


# Browsing ---------------------------------------------------------------------------------


def test_list_shows_published_challenges_with_filters(app, client, resident_client, new_challenge):
    """The list shows published challenges only and filters by category, status and "open to me"."""
    energy = new_challenge(title="Winter savings")
    new_challenge(category=Category.MOBILITY, title="Bike month")
    new_challenge(title="Secret draft", publish=False)
    new_challenge(title="Next month", starts_at=datetime.now(UTC) + timedelta(days=3))

    page = text_of(client.get("/challenges"))
    assert "Winter savings" in page and "Bike month" in page and "Next month" in page
    assert "Secret draft" not in page
    assert "Open to me" not in page  # only for logged-in users

    page = text_of(client.get("/challenges?category=mobility"))
    assert "Bike month" in page and "Winter savings" not in page
    page = text_of(client.get("/challenges?status=scheduled"))
    assert "Next month" in page and "Winter savings" not in page
    assert client.get("/challenges?status=draft&category=nonsense").status_code == 200

    enroll(app, energy, resident_client.user)
    page = text_of(resident_client.get("/challenges"))
    assert "You take part" in page
    assert "Open to me" in page
    page = text_of(resident_client.get("/challenges?open=1"))
    assert "Bike month" in page and "Next month" in page


def test_managers_see_drafts_in_the_list_and_a_preview(client, manager_client, new_challenge):
    """Managers find drafts in the list and preview them with a banner; residents get 404."""
    draft = new_challenge(title="Secret draft", publish=False)
    assert "Secret draft" in text_of(manager_client.get("/challenges"))
    preview = text_of(manager_client.get(f"/challenges/{draft}"))
    assert "Draft — not public." in preview
    assert "Publish challenge" in preview
    assert client.get(f"/challenges/{draft}").status_code == 404


def test_detail_shows_rules_and_escapes_the_description(client, new_challenge):
    """The page states the rules in words and shows the description as escaped paragraphs."""
    challenge_id = new_challenge(
        title="Kitchen savings",
        description="First <script>alert(1)</script> part.\n\nSecond part.",
        metric=Metric.CO2_KG_AVOIDED,
        format=Format.NEIGHBOURHOOD,
        daily_point_cap=50,
        placement_points=[30, 20, 10],
        completion_goal=40.0,
        completion_bonus=25,
    )
    response = client.get(f"/challenges/{challenge_id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>" not in html
    assert "<p>First &lt;script&gt;alert(1)&lt;/script&gt; part.</p>" in html
    assert "<p>Second part.</p>" in html
    page = text_of(response)
    assert "10 points for each kg CO₂" in page
    assert "at most 50 points a day" in page
    assert "0.38 kg CO₂" in page and "Umweltbundesamt" in page  # emission factor and its source
    assert "Stromspiegel für Deutschland 2023" in page and "5 or more" in page and "4.38" in page
    assert "divided by the number of participating households" in page
    assert "more than 60 kWh a day" in page
    assert "30 for 1st, 20 for 2nd and 10 for 3rd place" in page
    assert "completion bonus of 25 points" in page
    assert "Log in to take part" in page


def test_collective_challenge_shows_the_city_progress(client, new_challenge):
    """A collective challenge shows a progress bar towards the city's target, with its text."""
    challenge_id = new_challenge(category=Category.MOBILITY, format=Format.COLLECTIVE, target=500.0)
    html = client.get(f"/challenges/{challenge_id}").get_data(as_text=True)
    assert '<progress id="city-progress" max="500.0" value="0.0">' in html
    assert "0 of 500 km (0 %)" in text_of(client.get(f"/challenges/{challenge_id}"))


# Managing ---------------------------------------------------------------------------------


def test_manager_creates_edits_publishes_and_cancels(app, manager_client, load):
    """A manager runs a challenge through the forms: create, edit, publish, change after publishing, cancel."""
    form = challenge_form()
    response = manager_client.post("/challenges/new", data=form)
    assert response.status_code == 302
    challenge_id = int(response.headers["Location"].rsplit("/", 1)[-1])
    challenge = load(Challenge, challenge_id)
    assert challenge.status == Status.DRAFT
    assert challenge.placement_points == [30, 20, 10]
    # The datetime-local value is read in the city's time zone and stored as UTC.
    assert local(challenge.starts_at) == form["starts_at"] and challenge.starts_at.tzinfo == UTC

    edit_page = manager_client.get(f"/challenges/{challenge_id}/edit")
    assert f'value="{form["starts_at"]}"' in edit_page.get_data(as_text=True)
    response = manager_client.post(f"/challenges/{challenge_id}/edit", data={**form, "title_en": "Cycle to school"})
    assert response.status_code == 302
    assert load(Challenge, challenge_id).title == "Cycle to school"

    assert manager_client.post(f"/challenges/{challenge_id}/publish").status_code == 302
    assert load(Challenge, challenge_id).status == Status.SCHEDULED

    response = manager_client.post(f"/challenges/{challenge_id}/edit", data={**form, "title_en": "Cycle to school!"})
    assert response.status_code == 302
    page = text_of(manager_client.get(f"/challenges/{challenge_id}"))
    assert "Changes since publishing" in page
    assert "Cycle to school Cycle to school!" in page  # before and after
    assert manager_client.user.pseudonym in page

    assert manager_client.post(f"/challenges/{challenge_id}/cancel").status_code == 302
    assert load(Challenge, challenge_id).status == Status.CANCELLED
    assert "is cancelled" in text_of(manager_client.get(f"/challenges/{challenge_id}"))


def test_end_before_start_is_refused_on_the_field(manager_client):
    """An end before the start answers 422 with the message on the end field."""
    now = datetime.now(UTC)
    form = challenge_form(starts_at=local(now + timedelta(days=5)), ends_at=local(now + timedelta(days=2)))
    response = manager_client.post("/challenges/new", data=form)
    assert response.status_code == 422
    assert error_of(response, "ends_at") == "The end must be after the start."
    assert 'href="#ends_at"' in response.get_data(as_text=True)


def test_form_errors_are_422_without_500(manager_client):
    """Nonsense numbers and a missing title are field errors, never a server error."""
    form = challenge_form(
        title_en="", points_per_unit="nan", daily_point_cap="99999999999999999999", target="1e999",
        starts_at="0001-01-01T00:00", ends_at="someday",
    )  # fmt: skip
    response = manager_client.post("/challenges/new", data=form)
    assert response.status_code == 422
    for name in ("title_en", "points_per_unit", "daily_point_cap", "target", "starts_at", "ends_at"):
        assert error_of(response, name)


def test_a_german_manager_writes_the_numbers_of_a_challenge_in_german(app, make_user, load):
    """Points, cap, goal and limits are read with a decimal comma and dots between thousands, and shown back so."""
    manager = make_user(role=Role.MANAGER, language="de")
    client = app.test_client()
    log_in(client, manager)
    numbers = {"points_per_unit": "0,5", "daily_point_cap": "1.000", "completion_goal": "1.250,75",
               "placement_first": "2.000", "max_km_per_day": "150,5"}  # fmt: skip
    response = client.post("/challenges/new", data=challenge_form(**numbers))
    assert response.status_code == 302
    challenge_id = int(response.headers["Location"].rsplit("/", 1)[-1])
    challenge = load(Challenge, challenge_id)
    assert (challenge.points_per_unit, challenge.daily_point_cap, challenge.completion_goal) == (0.5, 1000, 1250.75)
    assert (challenge.placement_points[0], challenge.max_km_per_day) == (2000, 150.5)
    edit_page = client.get(f"/challenges/{challenge_id}/edit").get_data(as_text=True)
    for value in numbers.values():
        assert f'value="{value}"' in edit_page

    response = client.post("/challenges/new", data=challenge_form(points_per_unit="0.5", daily_point_cap="2,5"))
    assert response.status_code == 422
    assert error_of(response, "points_per_unit") == "Schreiben Sie die Zahl in der Form 10.018,5 oder 10018,5."
    assert error_of(response, "daily_point_cap") == "Schreiben Sie eine ganze Zahl, etwa 10.018 oder 10018."
    response = client.post("/challenges/new", data=challenge_form(max_km_per_day="-1"))
    assert error_of(response, "max_km_per_day") == "Die Zahl muss zwischen 0 und 1.000.000.000 liegen."


def test_publishing_an_incomplete_draft_lists_the_missing_fields(manager_client, new_challenge, load):
    """Publishing a draft without description, dates or target names each missing field."""
    form = challenge_form(description_en="", starts_at="", ends_at="", format="collective")
    response = manager_client.post("/challenges/new", data=form)
    challenge_id = int(response.headers["Location"].rsplit("/", 1)[-1])

    response = manager_client.post(f"/challenges/{challenge_id}/publish")
    assert response.status_code == 422
    page = text_of(response)
    assert "Missing: Description, Start, End, City-wide target." in page
    for name in ("description_en", "starts_at", "ends_at", "target"):
        assert error_of(response, name) == "Needed before publishing."
    assert load(Challenge, challenge_id).status == Status.DRAFT


def test_scoring_rules_are_locked_while_active(manager_client, new_challenge, load):
    """While active the scoring fields are disabled; changing one anyway is refused, the description may change."""
    challenge_id = new_challenge(category=Category.MOBILITY)
    html = manager_client.get(f"/challenges/{challenge_id}/edit").get_data(as_text=True)
    assert re.search(r'<input[^>]*disabled[^>]*id="points_per_unit"|<input[^>]*id="points_per_unit"[^>]*disabled', html)
    assert "only the description and the end can change" in text_of(
        manager_client.get(f"/challenges/{challenge_id}/edit")
    )

    response = manager_client.post(f"/challenges/{challenge_id}/edit", data={"points_per_unit": "99"})
    assert response.status_code == 422
    assert error_of(response, "points_per_unit").startswith("The challenge is running")
    assert load(Challenge, challenge_id).points_per_unit == 10.0

    # A browser sends only the enabled fields.
    ends_at = load(Challenge, challenge_id).ends_at + timedelta(days=2)
    response = manager_client.post(
        f"/challenges/{challenge_id}/edit", data={"description_en": "New words.", "ends_at": local(ends_at)}
    )
    assert response.status_code == 302
    challenge = load(Challenge, challenge_id)
    assert challenge.description == "New words."
    assert local(challenge.ends_at) == local(ends_at)


def test_residents_cannot_reach_manager_pages(client, resident_client, new_challenge):
    """Residents get 403 on every manager page; anonymous visitors are sent to log in."""
    challenge_id = new_challenge()
    pages = [
        ("get", "/challenges/new"),
        ("get", f"/challenges/{challenge_id}/edit"),
        ("get", f"/challenges/{challenge_id}/review"),
        ("post", f"/challenges/{challenge_id}/publish"),
        ("post", f"/challenges/{challenge_id}/cancel"),
    ]
    for method, url in pages:
        assert getattr(resident_client, method)(url).status_code == 403, url
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    assert "New challenge" not in text_of(resident_client.get("/challenges"))


# Taking part ------------------------------------------------------------------------------


def test_join_and_leave(resident_client, new_challenge, app):
    """A resident joins and leaves through the buttons; the page says which applies."""
    challenge_id = new_challenge()
    assert "Join this challenge" in text_of(resident_client.get(f"/challenges/{challenge_id}"))

    response = resident_client.post(f"/challenges/{challenge_id}/join", follow_redirects=True)
    page = text_of(response)
    assert "Good luck!" in page and "Leave this challenge" in page and "Send a meter reading" in page

    response = resident_client.post(f"/challenges/{challenge_id}/leave", follow_redirects=True)
    page = text_of(response)
    assert "You left" in page and "Join this challenge" in page
    with app.app_context():
        assert db.session.get(Challenge, challenge_id).participant_count == 0


def test_joining_a_closed_challenge_is_refused_with_a_message(app, resident_client, new_challenge):
    """Joining what is not open shows why, and changes nothing."""
    challenge_id = new_challenge()
    with app.app_context():
        authoring.cancel(db.session.get(Challenge, challenge_id))
        db.session.commit()
    response = resident_client.post(f"/challenges/{challenge_id}/join", follow_redirects=True)
    assert "This challenge is not open for joining." in text_of(response)


def test_readings_through_the_form_change_the_score(app, resident_client, new_challenge, load):
    """Two meter readings sent through the form score the saving against the baseline."""
    challenge_id = new_challenge()
    enrollment_id = enroll(app, challenge_id, resident_client.user)
    joined_at_the_start(app, challenge_id)
    now = datetime.now(UTC)
    first = {"read_at": local(now - timedelta(days=6)), "meter_kwh": "1000"}
    response = resident_client.post(f"/challenges/{challenge_id}/readings", data=first)
    assert response.status_code == 302
    response = resident_client.post(
        f"/challenges/{challenge_id}/readings",
        data={"read_at": local(now - timedelta(days=1)), "meter_kwh": "1,010.5"},  # grouped, as English writes it
        follow_redirects=True,
    )
    enrollment = load(Enrollment, enrollment_id)
    assert enrollment.score > 0 and enrollment.points > 0
    assert "Saved. It counts for" in text_of(response)


def test_a_refused_reading_names_the_rule(app, resident_client, new_challenge):
    """A falling meter reading answers 422 with the rule on the meter field; nothing is stored."""
    challenge_id = new_challenge()
    enroll(app, challenge_id, resident_client.user)
    now = datetime.now(UTC)
    resident_client.post(
        f"/challenges/{challenge_id}/readings", data={"read_at": local(now - timedelta(days=2)), "meter_kwh": "500"}
    )
    response = resident_client.post(
        f"/challenges/{challenge_id}/readings", data={"read_at": local(now - timedelta(hours=2)), "meter_kwh": "400"}
    )
    assert response.status_code == 422
    assert "(Rule: meter readings must rise.)" in error_of(response, "meter_kwh")
    response = resident_client.post(
        f"/challenges/{challenge_id}/readings", data={"read_at": local(now + timedelta(days=2)), "meter_kwh": "600"}
    )
    assert response.status_code == 422
    assert "nothing from the future" in error_of(response, "read_at")
    response = resident_client.post(
        f"/challenges/{challenge_id}/readings", data={"read_at": "0001-01-01T00:00", "meter_kwh": "600"}
    )
    assert response.status_code == 422
    assert error_of(response, "read_at") == "Enter a date between the years 2000 and 2200."
    with app.app_context():
        assert db.session.query(Submission).count() == 1


def test_submitting_without_joining_is_refused_on_the_form(new_challenge, resident_client):
    """A reading from someone not taking part is refused above the form, with 422."""
    challenge_id = new_challenge()
    response = resident_client.post(
        f"/challenges/{challenge_id}/readings", data={"read_at": local(datetime.now(UTC)), "meter_kwh": "10"}
    )
    assert response.status_code == 422
    assert "Join the challenge first." in text_of(response)


def test_trips_through_the_form_change_the_score_and_flag_long_days(app, resident_client, new_challenge, load):
    """A trip through the form counts its km; a day beyond the limit is held for review with a notice."""
    challenge_id = new_challenge(category=Category.MOBILITY)
    enrollment_id = enroll(app, challenge_id, resident_client.user)
    today = datetime.now(CITY).date()
    trip = {"day": today.isoformat(), "mode": "bike", "distance_km": "12.5", "replaced_car": "y", "trip_time": ""}
    response = resident_client.post(f"/challenges/{challenge_id}/trips", data=trip, follow_redirects=True)
    assert "Saved. It counts for 12.5 km and 125 points." in text_of(response)
    assert load(Enrollment, enrollment_id).score == 12.5

    long_trip = {**trip, "distance_km": "200", "mode": "public_transport"}
    response = resident_client.post(f"/challenges/{challenge_id}/trips", data=long_trip, follow_redirects=True)
    assert "held for a manager to check" in text_of(response)
    assert load(Enrollment, enrollment_id).score == 12.5

    response = resident_client.post(f"/challenges/{challenge_id}/trips", data=trip)
    assert response.status_code == 422
    assert "(Rule: no duplicates.)" in error_of(response, "day")


def test_a_reading_sent_to_a_mobility_challenge_is_refused(app, resident_client, new_challenge):
    """The page's reading path refuses a mobility challenge, as the API always did; nothing is stored."""
    challenge_id = new_challenge(category=Category.MOBILITY)
    enroll(app, challenge_id, resident_client.user)
    data = {"read_at": local(datetime.now(UTC) - timedelta(hours=1)), "meter_kwh": "1000"}
    response = resident_client.post(f"/challenges/{challenge_id}/readings", data=data)
    assert response.status_code == 422
    assert "This challenge does not take this kind of submission." in text_of(response)
    with app.app_context():
        assert db.session.query(Submission).count() == 0


def test_the_same_form_sent_twice_counts_once(app, resident_client, new_challenge, load):
    """The form's one-time key makes a double click store one trip."""
    challenge_id = new_challenge(category=Category.MOBILITY)
    enrollment_id = enroll(app, challenge_id, resident_client.user)
    trip = {"day": datetime.now(CITY).date().isoformat(), "mode": "walk", "distance_km": "2", "replaced_car": "y"}
    trip["idempotency_key"] = "one-click"
    resident_client.post(f"/challenges/{challenge_id}/trips", data=trip)
    response = resident_client.post(f"/challenges/{challenge_id}/trips", data=trip, follow_redirects=True)
    assert "nothing counts twice" in text_of(response)
    assert load(Enrollment, enrollment_id).score == 2.0


@pytest.fixture
def client_in(app, make_user):
    """client_in(language): a resident who chose that language, logged in."""

    def make(language: str):
        client, user = app.test_client(), make_user(language=language)
        log_in(client, user)
        client.user = user
        return client

    return make


def stored_readings(app) -> list[float]:
    with app.app_context():
        return list(db.session.scalars(db.select(Submission.meter_kwh).order_by(Submission.read_at)))


@pytest.mark.parametrize(
    ("language", "first", "second", "shown"),
    [
        ("de", "10.018,5", "10020,25", ["10.018,5 kWh", "10.020,25 kWh"]),
        ("en", "10,018.5", "10020.25", ["10,018.5 kWh", "10,020.25 kWh"]),
    ],
)
def test_a_reading_is_read_and_confirmed_as_the_residents_language_writes_it(
    app, client_in, new_challenge, language, first, second, shown
):
    """Grouped or not, the meter value is read in the resident's language and said back with every digit."""
    client = client_in(language)
    challenge_id = new_challenge()
    enroll(app, challenge_id, client.user)
    now = datetime.now(UTC)
    url = f"/challenges/{challenge_id}/readings"
    for days_ago, text, confirmation in ((3, first, shown[0]), (1, second, shown[1])):
        response = client.post(url, data={"read_at": local(now - timedelta(days=days_ago)), "meter_kwh": text},
                               follow_redirects=True)  # fmt: skip
        assert response.status_code == 200
        assert confirmation in text_of(response)
    assert stored_readings(app) == [10018.5, 10020.25]


@pytest.mark.parametrize(
    ("language", "text", "hint"),
    [
        ("de", "10018.5", "Schreiben Sie die Zahl in der Form 10.018,5 oder 10018,5."),  # not 100185
        ("de", "10,018.5", "Schreiben Sie die Zahl in der Form 10.018,5 oder 10018,5."),
        ("de", "10.0.1", "Schreiben Sie die Zahl in der Form 10.018,5 oder 10018,5."),
        ("en", "10018,5", "Write the number like 10,018.5 or 10018.5."),
        ("en", "10.018,5", "Write the number like 10,018.5 or 10018.5."),
        ("en", "10.0.1", "Write the number like 10,018.5 or 10018.5."),
        ("en", "1,2,3", "Write the number like 10,018.5 or 10018.5."),
        ("en", "ten", "Write the number like 10,018.5 or 10018.5."),
        ("en", "1e4", "Write the number like 10,018.5 or 10018.5."),
        ("en", "NaN", "Write the number like 10,018.5 or 10018.5."),
        pytest.param("en", "9" * 5_000, "Write the number like 10,018.5 or 10018.5.", id="en-5000-digits"),
    ],
)
def test_a_reading_written_another_way_is_refused_with_an_example(app, client_in, new_challenge, language, text, hint):
    """A number the resident's language does not write that way is refused on the field, never guessed at."""
    client = client_in(language)
    challenge_id = new_challenge()
    enroll(app, challenge_id, client.user)
    data = {"read_at": local(datetime.now(UTC) - timedelta(days=1)), "meter_kwh": text}
    response = client.post(f"/challenges/{challenge_id}/readings", data=data)
    assert response.status_code == 422
    assert error_of(response, "meter_kwh") == hint
    assert stored_readings(app) == []


def test_a_nul_byte_in_the_meter_field_is_refused_up_front(app, client_in, new_challenge):
    """A NUL byte never reaches the field: the request is refused as a bad request, and nothing is stored."""
    client = client_in("de")
    challenge_id = new_challenge()
    enroll(app, challenge_id, client.user)
    data = {"read_at": local(datetime.now(UTC) - timedelta(days=1)), "meter_kwh": "10\x00018,5"}
    assert client.post(f"/challenges/{challenge_id}/readings", data=data).status_code == 400
    assert stored_readings(app) == []


def test_a_trip_distance_is_read_and_confirmed_in_german(app, client_in, new_challenge, load):
    """12,5 km in German is 12.5 km, said back as 12,5 km; 12.5 is refused rather than read as 125."""
    client = client_in("de")
    challenge_id = new_challenge(category=Category.MOBILITY)
    enrollment_id = enroll(app, challenge_id, client.user)
    trip = {"day": datetime.now(CITY).date().isoformat(), "mode": "bike", "distance_km": "12.5", "replaced_car": "y"}
    response = client.post(f"/challenges/{challenge_id}/trips", data=trip)
    assert response.status_code == 422
    assert error_of(response, "distance_km") == "Schreiben Sie die Zahl in der Form 10.018,5 oder 10018,5."
    response = client.post(f"/challenges/{challenge_id}/trips", data={**trip, "distance_km": "12,5"},
                           follow_redirects=True)  # fmt: skip
    assert "12,5 km" in text_of(response)
    assert load(Enrollment, enrollment_id).score == 12.5


def test_personal_page_shows_the_chart_table_and_submissions(app, resident_client, new_challenge):
    """The personal page draws daily use as an accessible SVG with a table, and lists own submissions."""
    challenge_id = new_challenge()
    enroll(app, challenge_id, resident_client.user)
    now = datetime.now(UTC)
    for days_ago, kwh in ((6, 1000), (4, 1007), (1, 1020)):
        resident_client.post(
            f"/challenges/{challenge_id}/readings",
            data={"read_at": local(now - timedelta(days=days_ago)), "meter_kwh": str(kwh)},
        )
    response = resident_client.get(f"/challenges/{challenge_id}/me")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'<svg class="chart"[^>]*role="img"[^>]*aria-labelledby="consumption-chart-title', html)
    assert '<title id="consumption-chart-title">' in html and "<desc" in html
    assert (
        "Your daily use in kWh, with the difference to your baseline</caption>" in html and '<th scope="row">' in html
    )
    page = text_of(response)
    assert re.search(r"On \d+ days you used [\d.]+ kWh a day on average", page)
    assert "reference use for a household of 1" in page
    assert "Meter at 1,020 kWh" in page and "Counted" in page


def test_personal_page_marks_a_held_reading_pending_outside_the_chart(app, resident_client, new_challenge):
    """A reading held for review is listed as waiting, and the chart's days come from the counted readings only."""
    challenge_id = new_challenge()
    enroll(app, challenge_id, resident_client.user)
    now = datetime.now(UTC)
    for days_ago, kwh in ((6, 1000), (4, 1000.5), (2, 1014)):  # the middle one implies near-zero use: held
        resident_client.post(
            f"/challenges/{challenge_id}/readings",
            data={"read_at": local(now - timedelta(days=days_ago)), "meter_kwh": str(kwh)},
        )
    page = text_of(resident_client.get(f"/challenges/{challenge_id}/me"))
    assert "Waiting for review These count for nothing yet" in page
    assert "Waiting for review Meter at 1,000.5 kWh" in page
    assert re.search(r"On \d+ days you used 3\.5 kWh a day on average", page)


def test_withdrawing_through_the_page_asks_why_then_takes_it_back(app, resident_client, new_challenge):
    """The personal page links each withdrawable submission to a confirmation page; without a reason it is refused."""
    challenge_id = new_challenge(category=Category.MOBILITY, metric=Metric.CAR_KM_AVOIDED)
    enroll(app, challenge_id, resident_client.user)
    today = datetime.now(CITY).date()
    data = {"day": today.isoformat(), "mode": "bike", "distance_km": "7", "replaced_car": "y"}
    assert resident_client.post(f"/challenges/{challenge_id}/trips", data=data).status_code == 302
    with app.app_context():
        (trip,) = db.session.query(Submission).all()
        trip_id = trip.id
    page = resident_client.get(f"/challenges/{challenge_id}/me").get_data(as_text=True)
    url = f"/challenges/{challenge_id}/submissions/{trip_id}/withdraw"
    assert f'href="{url}"' in page
    confirm = resident_client.get(url)
    assert confirm.status_code == 200 and "Withdraw what you sent" in text_of(confirm)
    assert 'name="reason"' in confirm.get_data(as_text=True)
    refused = resident_client.post(url, data={"reason": ""})
    assert refused.status_code == 422 and "Say why you withdraw it." in text_of(refused)
    done = resident_client.post(url, data={"reason": "Wrong day."}, follow_redirects=True)
    assert "Withdrawn. It counts for nothing now" in text_of(done)
    assert "You withdrew it: Wrong day." in text_of(done) and f'href="{url}"' not in done.get_data(as_text=True)
    with app.app_context():
        trip = db.session.get(Submission, trip_id)
        assert trip.status == SubmissionStatus.WITHDRAWN and trip.enrollment.points == 0
    gone = resident_client.get(url)
    assert gone.status_code == 200 and "Only a submission waiting for review" in text_of(gone)


def test_nobody_else_reaches_a_withdrawal_page(app, client, make_user, resident_client, new_challenge):
    """Another resident's submission, or one of another challenge, is a 404."""
    challenge_id = new_challenge(category=Category.MOBILITY)
    with app.app_context():
        enrollment = participation.join(db.session.get(Challenge, challenge_id), db.session.merge(resident_client.user))
        trip, _ = submit_trip(enrollment, datetime.now(CITY).date(), Mode.BIKE, 3.0, True)
        db.session.commit()
        trip_id = trip.id
    other = make_user()
    log_in(client, other)
    url = f"/challenges/{challenge_id}/submissions/{trip_id}/withdraw"
    assert client.get(url).status_code == 404
    assert client.post(url, data={"reason": "x"}).status_code == 404
    assert resident_client.get(f"/challenges/{new_challenge()}/submissions/{trip_id}/withdraw").status_code == 404


def test_personal_page_of_a_mobility_challenge_counts_trips_per_week(app, resident_client, new_challenge):
    """For trips, the chart shows trips per week, with a table of the same numbers."""
    challenge_id = new_challenge(category=Category.MOBILITY, metric=Metric.SUSTAINABLE_TRIPS)
    enrollment_id = enroll(app, challenge_id, resident_client.user)
    with app.app_context():
        enrollment = db.session.get(Enrollment, enrollment_id)
        submit_trip(enrollment, datetime.now(CITY).date(), Mode.BIKE, 3.0, False)
        db.session.commit()
    response = resident_client.get(f"/challenges/{challenge_id}/me")
    html = response.get_data(as_text=True)
    assert 'aria-labelledby="trips-chart-title trips-chart-desc"' in html
    assert "Your counted trips per week</caption>" in html
    assert "You logged 1 counted trip in" in text_of(response)


def test_personal_page_needs_joining(resident_client, new_challenge):
    """Without taking part, the personal page sends the resident to the challenge."""
    challenge_id = new_challenge()
    response = resident_client.get(f"/challenges/{challenge_id}/me")
    assert response.status_code == 302


# Review -----------------------------------------------------------------------------------


def flagged_trip(app, challenge_id: int, user, km: float = 200.0) -> int:
    with app.app_context():
        challenge = db.session.get(Challenge, challenge_id)
        enrollment = participation.find_enrollment(challenge, db.session.merge(user))
        submission, _created = submit_trip(enrollment, datetime.now(CITY).date(), Mode.BIKE, km, True)
        db.session.commit()
        assert submission.status == SubmissionStatus.FLAGGED
        return submission.id


def test_review_approve_and_reject(app, manager_client, make_user, new_challenge, load):
    """A manager approves one flagged trip and rejects another, which needs a reason the resident sees."""
    challenge_id = new_challenge(category=Category.MOBILITY)
    resident = make_user(role=Role.RESIDENT)
    enroll(app, challenge_id, resident)
    first = flagged_trip(app, challenge_id, resident)
    second = flagged_trip(app, challenge_id, resident, km=180.0)

    page = text_of(manager_client.get(f"/challenges/{challenge_id}/review"))
    assert "2 submissions wait for review." in page and f"Trip by {resident.pseudonym}" in page

    response = manager_client.post(f"/challenges/{challenge_id}/review/{first}/approve", follow_redirects=True)
    assert "Approved" in text_of(response)
    assert load(Submission, first).status == SubmissionStatus.ACCEPTED

    response = manager_client.post(f"/challenges/{challenge_id}/review/{second}/reject", data={"reason": ""})
    assert response.status_code == 422
    assert "Tell the resident why" in error_of(response, f"s{second}-reason")
    response = manager_client.post(
        f"/challenges/{challenge_id}/review/{second}/reject", data={"reason": "No bike ride is that long."}
    )
    assert response.status_code == 302
    rejected = load(Submission, second)
    assert rejected.status == SubmissionStatus.REJECTED and rejected.review_reason == "No bike ride is that long."
    assert manager_client.post(f"/challenges/{challenge_id}/review/{second}/approve").status_code == 302
    assert load(Submission, second).status == SubmissionStatus.REJECTED  # already decided: refused with a message

    client = app.test_client()
    log_in(client, resident)
    assert "Reason from the community manager: No bike ride is that long." in text_of(
        client.get(f"/challenges/{challenge_id}/me")
    )


def test_review_of_another_challenges_submission_is_404(app, manager_client, make_user, new_challenge):
    """A submission id from another challenge is not found under this one."""
    mobility = new_challenge(category=Category.MOBILITY)
    other = new_challenge(category=Category.MOBILITY, title="Other")
    resident = make_user(role=Role.RESIDENT)
    enroll(app, mobility, resident)
    submission_id = flagged_trip(app, mobility, resident)
    assert manager_client.post(f"/challenges/{other}/review/{submission_id}/approve").status_code == 404


def test_unknown_challenge_is_404(client):
    """An id that does not exist, however large, is a plain 404."""
    assert client.get("/challenges/12345").status_code == 404
    assert client.get("/challenges/99999999999999999999").status_code == 404


def test_nav_links_to_challenges(client):
    """The main navigation leads to the challenges."""
    html = client.get("/challenges").get_data(as_text=True)
    assert re.search(r'<a href="/challenges" aria-current="page">Challenges</a>', html)


def test_units_read_in_the_right_number(app):
    """One trip is "1 trip", several are "trips"; other units follow the number."""
    from challenges.display import quantity
    from challenges.scoring import Metric

    with app.test_request_context():
        assert quantity(1.0, Metric.SUSTAINABLE_TRIPS) == "1 trip"
        assert quantity(3.0, Metric.SUSTAINABLE_TRIPS) == "3 trips"
        assert quantity(12.5, Metric.KWH_SAVED) == "12.5 kWh"


@pytest.mark.parametrize("role", [Role.MANAGER, Role.STAFF, Role.PARTNER])
def test_other_roles_are_offered_no_way_to_take_part(app, make_user, new_challenge, role):
    """Managers, staff and partners see no join button, only why; a POST to join is 403 for them."""
    challenge_id = new_challenge()
    client = app.test_client()
    log_in(client, make_user(role=role))
    page = client.get(f"/challenges/{challenge_id}").get_data(as_text=True)
    assert "Join this challenge" not in page and "yours is for another role" in page
    assert client.post(f"/challenges/{challenge_id}/join").status_code == 403
    with app.app_context():
        assert db.session.query(Enrollment).count() == 0
