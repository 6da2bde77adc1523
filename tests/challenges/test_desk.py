"""The service desk pages: who may open them, registering with a printed code, joining and
entering paper readings and trips on a resident's behalf, and the log of it all."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from accounts.models import Role, User
from app.extensions import db
from challenges import assisted
from challenges.models import AssistedAction, AssistedActionKind, Challenge, Enrollment, Status, Submission
from challenges.scoring import Category
from notifications.models import Notification
from tests.challenges.conftest import joined_at_the_start
from tests.challenges.test_views import local, text_of
from tests.conftest import log_in
from tests.pages import Page

CITY = ZoneInfo("Europe/Berlin")


@pytest.fixture
def new_challenge(app, make_challenge):
    """Build a challenge around the real clock (pages use it) and return its id."""

    def make(**fields):
        with app.app_context():
            return make_challenge(now=datetime.now(UTC), **fields).id

    return make


@pytest.fixture
def desk_resident(app, make_user, make_neighbourhood):
    """Register a resident at the desk through the service; returns (id, code)."""

    def make(pseudonym="Paper Owl", language="en", **fields):
        place = make_neighbourhood()
        with app.app_context():
            manager = db.session.merge(make_user(role=Role.MANAGER, pseudonym=f"Registrar of {pseudonym}"))
            user, code = assisted.register_resident(
                manager, pseudonym=pseudonym, neighbourhood_id=place.id, household_size=2, language=language, **fields
            )
            db.session.commit()
            return user.id, code

    return make


def code_on(page: Page) -> str:
    return page.all("strong", class_="login-code")[0].text


def actions(app, user_id: int) -> list[tuple]:
    """(kind, manager name, challenge id) of each logged desk action for a resident, oldest first."""
    with app.app_context():
        rows = db.session.scalars(
            select(AssistedAction).where(AssistedAction.resident_id == user_id).order_by(AssistedAction.id)
        )
        return [(row.kind, row.manager_name, row.challenge_id) for row in rows]


def register_data(place_id: int, **changes) -> dict:
    data = {"pseudonym": "Paper Owl", "neighbourhood_id": str(place_id), "household_size": "2"}
    return {**data, "language": "en", "email": "", **changes}


# Who may use the desk ---------------------------------------------------------------------


def desk_pages(resident_id: int, challenge_id: int) -> list[tuple[str, str]]:
    base = f"/desk/residents/{resident_id}"
    return [
        ("get", "/desk"),
        ("get", "/desk?q=owl"),
        ("get", "/desk/register"),
        ("post", "/desk/register"),
        ("get", base),
        ("post", f"{base}/code"),
        ("post", f"{base}/join"),
        ("get", f"{base}/challenges/{challenge_id}"),
        ("post", f"{base}/challenges/{challenge_id}/readings"),
        ("post", f"{base}/challenges/{challenge_id}/trips"),
    ]


def test_residents_and_staff_get_403_and_visitors_log_in(client, resident_client, staff_client, desk_resident):
    """Every desk page refuses residents and staff with 403 and sends visitors to log in."""
    resident_id, _code = desk_resident()
    for method, url in desk_pages(resident_id, 1):
        assert getattr(resident_client, method)(url).status_code == 403, url
        assert getattr(staff_client, method)(url).status_code == 403, url
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login?next="), url


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMIN])
def test_managers_and_admins_open_the_desk(app, make_user, role):
    """Managers and admins reach the desk, linked from the main navigation."""
    client = app.test_client()
    log_in(client, make_user(role=role))
    page = Page(client.get("/desk"))
    assert page.response.status_code == 200 and page.heading == "Service desk"
    link = page.all("a", href="/desk")[0]
    assert link.text == "Service desk" and link.attrs.get("aria-current") == "page"


def test_residents_see_no_desk_link(resident_client):
    """The main navigation offers the desk only to managers and admins."""
    assert not Page(resident_client.get("/")).all("a", href="/desk")


# Registering and codes --------------------------------------------------------------------


def test_register_without_email_shows_a_printable_code(app, manager_client, make_neighbourhood):
    """Registering without email answers with the code sheet, kept out of caches, and logs it."""
    place = make_neighbourhood()
    page = Page(manager_client.post("/desk/register", data=register_data(place.id)))
    assert page.response.status_code == 200
    assert page.response.headers["Cache-Control"] == "no-store"
    code = code_on(page)
    assert len(code) == 19 and code.count("-") == 3
    assert page.heading == "Your log-in code for Civiquest"
    assert "Paper Owl is registered." in [text for _category, text in page.flashes]
    sheet = page.all("article", class_="code-sheet")[0]
    assert sheet.attrs["lang"] == "en" and "http://localhost/login" in sheet.text
    with app.app_context():
        user = db.session.scalar(select(User).where(User.pseudonym == "Paper Owl"))
        assert user.email is None and not user.has_password and user.neighbourhood_id == place.id
        user_id = user.id
    assert actions(app, user_id) == [(AssistedActionKind.REGISTERED, manager_client.user.pseudonym, None)]


def test_the_printed_code_logs_the_resident_in(app, client, manager_client, make_neighbourhood):
    """The code from the sheet logs the resident in on another device."""
    page = Page(manager_client.post("/desk/register", data=register_data(make_neighbourhood().id)))
    response = client.post("/login/code", data={"code": code_on(page).lower()})
    assert response.status_code == 302
    assert "Logged in as Paper Owl" in client.get("/").get_data(as_text=True)


def test_the_sheet_is_in_the_residents_language(manager_client, make_neighbourhood):
    """A German-speaking resident's sheet is marked as German, while the page around it is not."""
    data = register_data(make_neighbourhood().id, language="de")
    page = Page(manager_client.post("/desk/register", data=data))
    assert page.lang == "en"
    assert page.all("article", class_="code-sheet")[0].attrs["lang"] == "de"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"pseudonym": ""}, "pseudonym", "This field is required."),
        ({"pseudonym": "Taken Name"}, "pseudonym", "This pseudonym is already taken. Please choose another one."),
        ({"email": "not-an-email"}, "email", "Invalid email address."),
        ({"household_size": "0"}, "household_size", "Number must be between 1 and 12."),
        ({"neighbourhood_id": "999999"}, "neighbourhood_id", "Not a valid choice."),
        ({"neighbourhood_id": ""}, "neighbourhood_id", "This field is required."),  # nothing is preselected
        ({"language": "fr"}, "language", "Not a valid choice."),
    ],
)
def test_register_refusals_show_on_the_field(
    app, manager_client, make_user, make_neighbourhood, changes, field, message
):
    """Bad or taken entries answer 422 with the message on their field, and register no one."""
    make_user(pseudonym="Taken Name", email="taken@example.org")
    page = Page(manager_client.post("/desk/register", data=register_data(make_neighbourhood().id, **changes)))
    assert page.response.status_code == 422
    assert page.field_error(field) == message
    with app.app_context():
        assert db.session.scalar(select(User).where(User.pseudonym == "Paper Owl")) is None


@pytest.mark.parametrize("taken", ["taken@example.org", " TAKEN@Example.org "])
def test_an_address_with_an_account_gets_the_same_answer_as_a_free_one(app, manager_client, make_user,
                                                                       make_neighbourhood, taken):  # fmt: skip
    """As in public registration: the desk sees the code sheet, not "taken"; the address's owner is told, and
    the new account is made without the address, so no address has two accounts."""
    owner = make_user(role=Role.ADMIN, email="taken@example.org")
    place = make_neighbourhood().id
    free = Page(manager_client.post("/desk/register", data=register_data(place, pseudonym="Free Owl",
                                                                          email="free@example.org")))  # fmt: skip
    page = Page(manager_client.post("/desk/register", data=register_data(place, email=taken)))
    assert (page.response.status_code, page.flashes) == (200, [("success", "Paper Owl is registered.")])
    assert free.response.status_code == 200 and len(code_on(page)) == len(code_on(free))
    assert "already" not in page.html
    with app.app_context():
        assert db.session.scalar(select(User.email).where(User.pseudonym == "Paper Owl")) is None
        notices = select(Notification).where(
            Notification.user_id == owner.id, Notification.message == "registration_attempted"
        )
        assert len(db.session.scalars(notices).all()) == 1


def test_register_with_email_keeps_it(app, manager_client, make_neighbourhood):
    """An email given at the desk is stored, normalised."""
    data = register_data(make_neighbourhood().id, email=" Owl@Example.org ")
    assert manager_client.post("/desk/register", data=data).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(User.email).where(User.pseudonym == "Paper Owl")) == "owl@example.org"


def test_reissuing_a_code_invalidates_the_old_one(app, client, manager_client, desk_resident):
    """A new code from the resident's page works; the old one no longer does; the reissue is logged."""
    resident_id, old = desk_resident()
    page = Page(manager_client.post(f"/desk/residents/{resident_id}/code"))
    assert page.response.status_code == 200 and page.response.headers["Cache-Control"] == "no-store"
    new = code_on(page)
    assert client.post("/login/code", data={"code": old}).status_code == 422
    assert client.post("/login/code", data={"code": new}).status_code == 302
    assert actions(app, resident_id)[-1] == (AssistedActionKind.CODE_REISSUED, manager_client.user.pseudonym, None)


def test_no_code_for_residents_with_a_password(app, manager_client, make_user):
    """A resident who registered online gets no code: the desk says so and nothing is logged."""
    online = make_user()
    page = Page(manager_client.post(f"/desk/residents/{online.id}/code", follow_redirects=True))
    assert page.response.status_code == 200
    assert ("error", "This account logs in with a password, so it gets no log-in code.") in page.flashes
    assert not page.all("strong", class_="login-code")
    assert actions(app, online.id) == []


# Finding residents ------------------------------------------------------------------------


def test_search_finds_residents_by_pseudonym_or_whole_email(manager_client, make_user, desk_resident):
    """The search finds residents by pseudonym or their whole email address, and never lists managers or staff."""
    desk_resident()
    make_user(pseudonym="Owl Online", email="hoot@example.org")
    make_user(role=Role.STAFF, pseudonym="Owl Staff")
    page = Page(manager_client.get("/desk?q=OWL"))
    assert [a.text for a in page.all("a") if a.attrs.get("href", "").startswith("/desk/residents/")] == [
        "Owl Online",
        "Paper Owl",
    ]
    assert "hoot@example.org" not in page.html  # addresses are shown on a resident's own record only
    page = Page(manager_client.get("/desk?q=Hoot@Example.org"))
    assert "Owl Online" in page.html and "Paper Owl" not in page.html
    assert "0 residents found." in text_of(manager_client.get("/desk?q=%25"))


@pytest.mark.parametrize("query", ["%40", "@", "hoot@", "@example.org", "example.org", "hoot"])
def test_residents_emails_cannot_be_listed(manager_client, make_user, query):
    """Part of an address finds no one (once, /desk?q=%40 paged through every resident's address)."""
    make_user(pseudonym="Owl Online", email="hoot@example.org")
    page = text_of(manager_client.get(f"/desk?q={query}"))
    assert "0 residents found." in page and "hoot@example.org" not in page


@pytest.mark.parametrize("query", ["?page=abc", "?q=owl&page=-3", "?q=owl&page=99999999999", "?q=" + "x" * 500])
def test_odd_search_input_never_fails(manager_client, query):
    """Odd page numbers and overlong searches give a page, not an error."""
    assert manager_client.get(f"/desk{query}").status_code == 200


@pytest.mark.parametrize("role", [Role.MANAGER, Role.STAFF])
def test_only_residents_have_a_desk_page(manager_client, make_user, role):
    """Managers and staff are no residents: their desk page does not exist; nor does an unknown one."""
    assert manager_client.get(f"/desk/residents/{make_user(role=role).id}").status_code == 404
    assert manager_client.get("/desk/residents/999999").status_code == 404


# Joining and entering on a resident's behalf -----------------------------------------------


def test_join_on_behalf_marks_the_enrollment_and_logs_it(app, manager_client, desk_resident, new_challenge):
    """Signing a resident up marks their enrollment as assisted by the manager and shows in the log."""
    resident_id, _code = desk_resident()
    challenge_id = new_challenge(title="Winter savings")
    page = Page(manager_client.get(f"/desk/residents/{resident_id}"))
    assert page.options("challenge_id") == [str(challenge_id)]

    response = manager_client.post(f"/desk/residents/{resident_id}/join", data={"challenge_id": str(challenge_id)})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/desk/residents/{resident_id}/challenges/{challenge_id}"
    with app.app_context():
        enrollment = db.session.scalar(select(Enrollment).where(Enrollment.user_id == resident_id))
        assert enrollment.assisted_by_id == manager_client.user.id and enrollment.challenge_id == challenge_id
    manager = manager_client.user.pseudonym
    assert actions(app, resident_id)[-1] == (AssistedActionKind.JOINED, manager, challenge_id)

    page = text_of(manager_client.get(f"/desk/residents/{resident_id}"))
    assert "Signed up for a challenge Winter savings " + manager in page
    assert "There is no open challenge the resident does not already take part in." in page


def test_join_refusals_show_on_the_form(app, manager_client, desk_resident, new_challenge):
    """A challenge not on offer (here cancelled meanwhile) is refused on the field with 422."""
    resident_id, _code = desk_resident()
    other = new_challenge(title="Still open")
    cancelled = new_challenge(title="Called off")
    with app.app_context():
        db.session.get(Challenge, cancelled).status = Status.CANCELLED
        db.session.commit()
    page = Page(manager_client.post(f"/desk/residents/{resident_id}/join", data={"challenge_id": str(cancelled)}))
    assert page.response.status_code == 422
    assert page.field_error("challenge_id") == "Not a valid choice."
    assert page.options("challenge_id") == [str(other)]
    page = Page(manager_client.post(f"/desk/residents/{resident_id}/join", data={"challenge_id": "nonsense"}))
    assert page.response.status_code == 422
    assert actions(app, resident_id) == [actions(app, resident_id)[0]]  # only the registration


def join(manager_client, resident_id: int, challenge_id: int) -> None:
    response = manager_client.post(f"/desk/residents/{resident_id}/join", data={"challenge_id": str(challenge_id)})
    assert response.status_code == 302


def test_paper_readings_are_entered_as_assisted(app, manager_client, desk_resident, new_challenge):
    """Readings entered at the desk count, are marked as assisted by the manager, and are logged."""
    resident_id, code = desk_resident()
    challenge_id = new_challenge()
    join(manager_client, resident_id, challenge_id)
    joined_at_the_start(app, challenge_id)
    url = f"/desk/residents/{resident_id}/challenges/{challenge_id}/readings"
    now = datetime.now(UTC)
    manager_client.post(url, data={"read_at": local(now - timedelta(days=6)), "meter_kwh": "1000"})
    response = manager_client.post(
        url, data={"read_at": local(now - timedelta(days=1)), "meter_kwh": "1,010.5"}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "Saved for Paper Owl. Their score is now" in text_of(response)
    assert "Reading: 1,010.5 kWh at" in text_of(response)  # as the manager writes numbers, so a slip shows
    with app.app_context():
        stored = db.session.scalars(select(Submission).order_by(Submission.read_at)).all()
        assert [(s.source, s.assisted_by_id, s.user_id) for s in stored] == [
            ("assisted", manager_client.user.id, resident_id)
        ] * 2
        assert stored[1].enrollment.score > 0
    kinds = [kind for kind, _name, _challenge in actions(app, resident_id)]
    assert kinds.count(AssistedActionKind.READING) == 2

    # The resident sees, on their own page, that the desk entered it and who did.
    client = app.test_client()
    assert client.post("/login/code", data={"code": code}).status_code == 302
    page = text_of(client.get(f"/challenges/{challenge_id}/me"))
    assert f"Entered for you at the service desk by {manager_client.user.pseudonym}." in page
    assert "You were signed up at the service desk." in page


def test_a_falling_reading_is_refused_on_the_form(app, manager_client, desk_resident, new_challenge):
    """A meter reading below the last one answers 422 with the rule on the meter field, storing nothing."""
    resident_id, _code = desk_resident()
    challenge_id = new_challenge()
    join(manager_client, resident_id, challenge_id)
    url = f"/desk/residents/{resident_id}/challenges/{challenge_id}/readings"
    now = datetime.now(UTC)
    manager_client.post(url, data={"read_at": local(now - timedelta(days=2)), "meter_kwh": "500"})
    page = Page(manager_client.post(url, data={"read_at": local(now - timedelta(hours=2)), "meter_kwh": "400"}))
    assert page.response.status_code == 422
    assert "(Rule: meter readings must rise.)" in page.field_error("meter_kwh")
    page = Page(manager_client.post(url, data={"read_at": "not a date", "meter_kwh": ""}))
    assert page.response.status_code == 422 and page.field_error("meter_kwh") == "This field is required."
    with app.app_context():
        assert db.session.query(Submission).count() == 1
    assert [kind for kind, _n, _c in actions(app, resident_id)].count(AssistedActionKind.READING) == 1


def test_paper_trips_are_entered_as_assisted(app, manager_client, desk_resident, new_challenge):
    """A trip entered at the desk counts and is assisted; the same form sent twice stores one."""
    resident_id, _code = desk_resident()
    challenge_id = new_challenge(category=Category.MOBILITY)
    join(manager_client, resident_id, challenge_id)
    page = Page(manager_client.get(f"/desk/residents/{resident_id}/challenges/{challenge_id}"))
    assert page.by_id("distance_km") is not None and page.by_id("meter_kwh") is None
    url = f"/desk/residents/{resident_id}/challenges/{challenge_id}/trips"
    trip = {"day": datetime.now(CITY).date().isoformat(), "mode": "bike", "distance_km": "12.5", "replaced_car": "y"}
    trip["idempotency_key"] = "paper-line-1"
    assert manager_client.post(url, data=trip).status_code == 302
    response = manager_client.post(url, data=trip, follow_redirects=True)
    assert "This was already entered; nothing counts twice." in text_of(response)
    with app.app_context():
        (stored,) = db.session.scalars(select(Submission)).all()
        assert (stored.source, stored.assisted_by_id, stored.units) == ("assisted", manager_client.user.id, 12.5)
    assert [kind for kind, _n, _c in actions(app, resident_id)].count(AssistedActionKind.TRIP) == 1
    page = text_of(manager_client.get(f"/desk/residents/{resident_id}/challenges/{challenge_id}"))
    assert f"at a service desk ({manager_client.user.pseudonym})" in page

    trip["idempotency_key"], trip["distance_km"] = "paper-line-2", "-3"
    page = Page(manager_client.post(url, data=trip))
    assert page.response.status_code == 422
    assert "(Rule: plausible values only.)" in page.field_error("distance_km")


def test_a_trip_on_the_start_day_is_refused_at_the_desk_while_scheduled(
    app, manager_client, desk_resident, new_challenge
):
    """The desk meets the same dates as the API: a posted trip dated on the start day waits for the start."""
    resident_id, _code = desk_resident()
    now = datetime.now(UTC)
    today = now.astimezone(CITY).date()
    midnight = datetime.combine(today + timedelta(days=1), datetime.min.time(), CITY)
    start = min(now + timedelta(hours=1), midnight - timedelta(seconds=30))
    if start < now + timedelta(seconds=20):
        pytest.skip("too close to midnight for a start later today")
    with app.app_context():
        challenge_id = new_challenge(category=Category.MOBILITY, starts_at=start)
        assert db.session.get(Challenge, challenge_id).status == Status.SCHEDULED
    join(manager_client, resident_id, challenge_id)
    url = f"/desk/residents/{resident_id}/challenges/{challenge_id}/trips"
    trip = {"day": today.isoformat(), "mode": "bike", "distance_km": "4", "replaced_car": "y"}
    page = Page(manager_client.post(url, data=trip))
    assert page.response.status_code == 422
    assert "(Rule: activity counts once the challenge has started.)" in text_of(page.response)
    with app.app_context():
        assert db.session.query(Submission).count() == 0


def test_a_reading_is_refused_for_a_mobility_challenge_at_the_desk(app, manager_client, desk_resident, new_challenge):
    """Posting a reading to a mobility challenge's desk page is refused, not stored as a trip-less reading."""
    resident_id, _code = desk_resident()
    challenge_id = new_challenge(category=Category.MOBILITY)
    join(manager_client, resident_id, challenge_id)
    url = f"/desk/residents/{resident_id}/challenges/{challenge_id}/readings"
    data = {"read_at": local(datetime.now(UTC) - timedelta(hours=1)), "meter_kwh": "1000"}
    page = Page(manager_client.post(url, data=data))
    assert page.response.status_code == 422
    assert "This challenge does not take this kind of submission." in text_of(page.response)
    with app.app_context():
        assert db.session.query(Submission).count() == 0


def test_entering_without_joining_is_refused_without_a_500(manager_client, desk_resident, new_challenge):
    """The entry page of a challenge the resident has not joined is 404; a post to it is refused, not a 500."""
    resident_id, _code = desk_resident()
    challenge_id = new_challenge()
    base = f"/desk/residents/{resident_id}/challenges/{challenge_id}"
    assert manager_client.get(base).status_code == 404
    response = manager_client.post(f"{base}/readings", data={"read_at": local(datetime.now(UTC)), "meter_kwh": "5"})
    assert response.status_code == 404
    assert manager_client.get(f"/desk/residents/{resident_id}/challenges/999999").status_code == 404


def test_deactivated_residents_are_refused_at_the_desk(app, manager_client, desk_resident, new_challenge):
    """Nothing can be done for a deactivated account: joining is refused with a message, 422."""
    resident_id, _code = desk_resident()
    challenge_id = new_challenge()
    with app.app_context():
        db.session.get(User, resident_id).active = False
        db.session.commit()
    page = Page(manager_client.get(f"/desk/residents/{resident_id}"))
    assert "Deactivated." in page.html and not page.all("form", action=f"/desk/residents/{resident_id}/code")
    page = Page(manager_client.post(f"/desk/residents/{resident_id}/join", data={"challenge_id": str(challenge_id)}))
    assert page.response.status_code == 422
    response = manager_client.post(f"/desk/residents/{resident_id}/code", follow_redirects=True)
    assert ("error", "This account is deactivated, so nothing can be done for it at the service desk.") in Page(
        response
    ).flashes
    assert len(actions(app, resident_id)) == 1
