"""The account pages as a visitor or resident uses them: register, log in and out, profile,
password, display settings, language and access tokens."""

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from accounts.models import AccessToken, User
from app.extensions import db
from tests.conftest import PASSWORD, log_in
from tests.pages import Page

NEW_PASSWORD = "a much longer new secret"


def count_users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)))


def reload_user(app, user_id: int) -> User:
    """The user as stored now, detached, for checking what a request changed."""
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def deactivate(app, user) -> None:
    with app.app_context():
        db.session.get(User, user.id).active = False
        db.session.commit()


def register_data(neighbourhood, **changes) -> dict:
    data = {
        "email": "New.Resident@Example.org",
        "password": "long enough secret",
        "confirm": "long enough secret",
        "pseudonym": "Green Heron",
        "neighbourhood_id": str(neighbourhood.id),
        "household_size": "3",
        "language": "en",
    }
    return {**data, **changes}


# Registration -----------------------------------------------------------------------


def test_register_page_offers_every_neighbourhood(client, make_neighbourhood):
    """The registration form lists the city's neighbourhoods to choose from."""
    first, second = make_neighbourhood("Altstadt"), make_neighbourhood("Nordend")
    page = Page(client.get("/register"))
    assert page.response.status_code == 200
    assert page.options("neighbourhood_id") == ["", str(first.id), str(second.id)]


def test_register_creates_account_logs_in_and_redirects(app, client, make_neighbourhood):
    """A valid registration creates the account, logs the visitor in and sends them home."""
    neighbourhood = make_neighbourhood()
    response = client.post("/register", data=register_data(neighbourhood))
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = Page(client.get("/"))
    assert ("success", "Welcome to Civiquest, Green Heron!") in page.flashes
    assert "Logged in as Green Heron" in page.html
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.email, user.neighbourhood_id, user.household_size) == (
            "new.resident@example.org",
            neighbourhood.id,
            3,
        )


def test_register_keeps_visitor_display_settings(app, client, make_neighbourhood):
    """Display settings chosen before registering are kept on the new account."""
    client.post("/display", data={"text_scale": "175", "line_spacing": "loose", "letter_spacing": "wide"})
    client.post("/register", data=register_data(make_neighbourhood()))
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.text_scale, user.line_spacing, user.letter_spacing) == (175, "loose", "wide")


BAD_REGISTRATIONS = {
    "bad email": ({"email": "not-an-email"}, "email", "Invalid email address."),
    "short password": (
        {"password": "too short", "confirm": "too short"},
        "password",
        "Field must be between 10 and 128 characters long.",
    ),
    "mismatched confirmation": ({"confirm": "something else entirely"}, "confirm", "Passwords must match."),
    "pseudonym taken in other case": (
        {"pseudonym": "RIVER otter"},
        "pseudonym",
        "This pseudonym is already taken. Please choose another one.",
    ),
    "household size 0": ({"household_size": "0"}, "household_size", "Number must be between 1 and 12."),
    "household size 13": ({"household_size": "13"}, "household_size", "Number must be between 1 and 12."),
    "household size not a number": ({"household_size": "two"}, "household_size", "Write a whole number, like 10,018"),
    "unknown neighbourhood": ({"neighbourhood_id": "999999"}, "neighbourhood_id", "Not a valid choice."),
}


@pytest.mark.parametrize(("changes", "field", "message"), BAD_REGISTRATIONS.values(), ids=BAD_REGISTRATIONS.keys())
def test_register_rejects_bad_input(app, client, make_user, make_neighbourhood, changes, field, message):
    """Each bad input is refused with its message next to the field; the other entries stay filled in."""
    make_user(email="taken@example.org", pseudonym="River Otter")
    users_before = count_users(app)
    data = register_data(make_neighbourhood(), **changes)

    response = client.post("/register", data=data)

    assert response.status_code == 422
    page = Page(response)
    assert message in page.field_error(field)
    for other in ("email", "pseudonym", "household_size", "neighbourhood_id", "language"):
        if other != field:
            assert page.value(other) == data[other], other
    assert count_users(app) == users_before
    assert client.get("/profile").status_code == 302  # still not logged in


def test_register_page_redirects_logged_in_users(resident_client):
    """Someone already logged in is sent home instead of registering again."""
    response = resident_client.get("/register")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


# Log in and out ---------------------------------------------------------------------


def test_log_in_with_correct_password(app, client, make_user):
    """The right password logs in, whatever the case and spacing of the email address."""
    user = make_user(email="ana@example.org", pseudonym="Swift Fox")
    response = client.post("/login", data={"email": "  ANA@Example.org ", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Logged in as Swift Fox" in client.get("/").get_data(as_text=True)
    assert reload_user(app, user.id).last_login_at is not None


@pytest.mark.parametrize(
    ("email", "password", "active"),
    [
        ("ana@example.org", "wrong password!", True),
        ("nobody@example.org", PASSWORD, True),
        ("ana@example.org", PASSWORD, False),
    ],
    ids=["wrong password", "unknown email", "deactivated account"],
)
def test_log_in_refused(app, client, make_user, email, password, active):
    """Wrong password, unknown email and deactivated account all get the same message and no log-in."""
    user = make_user(email="ana@example.org")
    if not active:
        deactivate(app, user)
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 422
    page = Page(response)
    assert page.field_error("password") == "The email address or password is not correct."
    assert page.value("email") == email
    assert client.get("/profile").status_code == 302


def test_log_in_with_empty_fields_shows_required(client):
    """Submitting the empty form names both missing fields."""
    page = Page(client.post("/login", data={}))
    assert page.response.status_code == 422
    assert page.field_error("email") == "This field is required."
    assert page.field_error("password") == "This field is required."


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/profile", "/profile"),
        ("/admin/users?q=ana&role=staff", "/admin/users?q=ana&role=staff"),
        ("//evil.example", "/"),
        ("//evil.example/profile", "/"),
        ("https://evil.example", "/"),
        ("http://localhost/profile", "/"),
        ("javascript:alert(1)", "/"),
        ("/\t/evil.example", "/"),
        ("profile", "/"),
        ("", "/"),
    ],
)
def test_log_in_follows_next_only_to_local_paths(client, make_user, target, expected):
    """After log-in, `next` is followed only when it is a path on this site."""
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_log_in_never_redirects_off_site_with_backslashes(client, make_user):
    """A `next` that browsers might read as another host never leaves the site."""
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "next": "/\\evil.example"})
    location = response.headers["Location"]
    assert location.startswith("/")
    assert not location.startswith("//")
    assert "\\" not in location


def test_login_required_page_comes_back_after_log_in(client, make_user):
    """A visitor sent to log in from a protected page returns to it afterwards."""
    user = make_user()
    response = client.get("/profile")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert (location.path, parse_qs(location.query)) == ("/login", {"next": ["/profile"]})

    page = Page(client.get(response.headers["Location"]))
    login_form = page.all("form", action="/login")[0]
    assert [e.attrs["value"] for e in login_form.iter() if e.attrs.get("name") == "next"] == ["/profile"]

    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "next": "/profile"})
    assert response.headers["Location"] == "/profile"


def test_log_in_keeps_next_after_a_failed_attempt(client, make_user):
    """A wrong password does not lose where the visitor was going."""
    user = make_user()
    page = Page(client.post("/login", data={"email": user.email, "password": "wrong password", "next": "/tokens"}))
    login_form = page.all("form", action="/login")[0]
    assert [e.attrs["value"] for e in login_form.iter() if e.attrs.get("name") == "next"] == ["/tokens"]


def test_log_in_page_escapes_next(client):
    """Markup in `next` is shown as text, never run."""
    html = client.get('/login?next="><script>alert(1)</script>').get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html


def test_log_in_after_a_form_sent_without_session_lands_on_a_page(client, make_user):
    """A form posted after the session ended leads, after log-in, to a page rather than an error."""
    user = make_user()
    response = client.post("/profile/password", data={"current_password": PASSWORD})
    target = parse_qs(urlsplit(response.headers["Location"]).query)["next"][0]

    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "next": target})

    assert response.status_code == 302
    assert client.get(response.headers["Location"]).status_code == 200


def test_log_out_needs_post(resident_client):
    """Opening /logout does nothing; only the form's POST logs out."""
    assert resident_client.get("/logout").status_code == 405
    assert resident_client.get("/profile").status_code == 200


def test_log_out(resident_client):
    """Logging out ends the session and says so."""
    response = resident_client.post("/logout")
    assert response.status_code == 302
    page = Page(resident_client.get("/"))
    assert ("success", "You are logged out.") in page.flashes
    assert resident_client.get("/profile").status_code == 302


# Profile ----------------------------------------------------------------------------


def profile_data(user, **changes) -> dict:
    data = {
        "pseudonym": user.pseudonym,
        "neighbourhood_id": str(user.neighbourhood_id),
        "household_size": str(user.household_size),
        "language": user.language,
        "leaderboard_visible": "y",
    }
    return {key: value for key, value in {**data, **changes}.items() if value is not None}


def test_profile_shows_current_values(resident_client):
    """The profile form starts with what is stored."""
    user = resident_client.user
    page = Page(resident_client.get("/profile"))
    assert page.value("pseudonym") == user.pseudonym
    assert page.value("neighbourhood_id") == str(user.neighbourhood_id)
    assert page.value("household_size") == str(user.household_size)
    assert page.value("leaderboard_visible") == "checked"


def test_profile_edit_saves_changes(app, resident_client, make_neighbourhood):
    """Valid changes are saved and confirmed."""
    user = resident_client.user
    other_place = make_neighbourhood("Hafenviertel")
    data = profile_data(
        user,
        pseudonym="Quiet Lynx",
        neighbourhood_id=str(other_place.id),
        household_size="4",
        language="de",
        leaderboard_visible=None,
    )

    response = resident_client.post("/profile", data=data)

    assert response.status_code == 302
    assert response.headers["Location"] == "/profile"
    stored = reload_user(app, user.id)
    assert (stored.pseudonym, stored.neighbourhood_id, stored.household_size, stored.language) == (
        "Quiet Lynx",
        other_place.id,
        4,
        "de",
    )
    assert stored.leaderboard_visible is False
    page = Page(resident_client.get("/profile"))
    assert len(page.flashes) == 1
    assert page.value("pseudonym") == "Quiet Lynx"


def test_profile_keeps_own_pseudonym_in_other_case(app, resident_client):
    """Changing only the case of one's own pseudonym is not a clash with oneself."""
    user = resident_client.user
    response = resident_client.post("/profile", data=profile_data(user, pseudonym=user.pseudonym.upper()))
    assert response.status_code == 302
    assert reload_user(app, user.id).pseudonym == user.pseudonym.upper()


BAD_PROFILES = {
    "pseudonym taken": ({"pseudonym": "bold FOX"}, "pseudonym", "This pseudonym is already taken."),
    "pseudonym too short": ({"pseudonym": "ab"}, "pseudonym", "Field must be between 3 and 40 characters long."),
    "pseudonym with markup": (
        {"pseudonym": "<b>Fox</b>"},
        "pseudonym",
        "Use letters, digits, spaces, dots, dashes or underscores.",
    ),
    "household size 0": ({"household_size": "0"}, "household_size", "Number must be between 1 and 12."),
    "household size empty": ({"household_size": ""}, "household_size", "This field is required."),
    "unknown neighbourhood": ({"neighbourhood_id": "999999"}, "neighbourhood_id", "Not a valid choice."),
    "unknown language": ({"language": "fr"}, "language", "Not a valid choice."),
}


@pytest.mark.parametrize(("changes", "field", "message"), BAD_PROFILES.values(), ids=BAD_PROFILES.keys())
def test_profile_rejects_bad_input(app, resident_client, make_user, changes, field, message):
    """Bad profile input is refused with the message next to the field, and nothing changes."""
    make_user(pseudonym="Bold Fox")
    user = resident_client.user

    data = profile_data(user, **changes)

    response = resident_client.post("/profile", data=data)

    assert response.status_code == 422
    page = Page(response)
    assert message in page.field_error(field)
    for other in ("pseudonym", "household_size", "neighbourhood_id", "language"):
        if other != field:
            assert page.value(other) == data[other], other
    stored = reload_user(app, user.id)
    assert (stored.pseudonym, stored.household_size, stored.language) == (
        user.pseudonym,
        user.household_size,
        user.language,
    )


def test_profile_needs_log_in(client):
    """Visitors are sent to log in first."""
    response = client.post("/profile", data={"pseudonym": "Sneaky"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_staff_profile_needs_no_neighbourhood(app, staff_client, make_neighbourhood):
    """Staff do not live in the programme's neighbourhoods, so they can save their profile without one."""
    make_neighbourhood("Altstadt")
    user = staff_client.user
    page = Page(staff_client.get("/profile"))
    assert page.value("neighbourhood_id") == ""
    assert page.options("neighbourhood_id")[0] == ""

    response = staff_client.post(
        "/profile", data=profile_data(user, neighbourhood_id="", pseudonym="Statistics Office")
    )

    assert response.status_code == 302
    stored = reload_user(app, user.id)
    assert (stored.pseudonym, stored.neighbourhood_id) == ("Statistics Office", None)


def test_resident_profile_needs_a_neighbourhood(app, resident_client):
    """Residents cannot drop their neighbourhood."""
    user = resident_client.user
    response = resident_client.post("/profile", data=profile_data(user, neighbourhood_id=""))
    assert response.status_code == 422
    assert Page(response).field_error("neighbourhood_id")
    assert reload_user(app, user.id).neighbourhood_id == user.neighbourhood_id


# Password ---------------------------------------------------------------------------


def test_change_password(app, resident_client):
    """With the right current password the new one replaces it for logging in."""
    user = resident_client.user
    response = resident_client.post(
        "/profile/password",
        data={"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert ("success", "Your password is changed.") in Page(resident_client.get("/profile")).flashes

    assert app.test_client().post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 422
    log_in(app.test_client(), user, NEW_PASSWORD)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"current_password": "not my password", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
            "pw-current_password",
            "The email address or password is not correct.",
        ),
        (
            {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": "different new secret"},
            "pw-confirm",
            "Passwords must match.",
        ),
        (
            {"current_password": PASSWORD, "password": "short", "confirm": "short"},
            "pw-password",
            "Field must be between 10 and 128 characters long.",
        ),
    ],
    ids=["wrong current password", "mismatched confirmation", "too short"],
)
def test_change_password_rejected(app, resident_client, data, field, message):
    """A wrong current password or a bad new one is refused on the page; the old password still works."""
    user = resident_client.user
    response = resident_client.post("/profile/password", data=data)
    assert response.status_code == 422
    page = Page(response)
    assert page.field_error(field) == message
    assert page.value("pseudonym") == user.pseudonym  # the profile form is still there
    log_in(app.test_client(), user, PASSWORD)


def test_error_summary_links_point_at_fields(resident_client):
    """Each entry of an error summary links to the field it is about."""
    response = resident_client.post(
        "/profile/password", data={"current_password": "wrong", "password": "x", "confirm": "y"}
    )
    page = Page(response)
    links = [a.attrs["href"] for a in page.all("a") if a.attrs.get("href", "").startswith("#")]
    field_links = [href for href in links if href != "#main"]
    assert len(field_links) == 2
    for href in field_links:
        assert page.by_id(href[1:]) is not None, href


# Display settings -------------------------------------------------------------------

DISPLAY = {"text_scale": "150", "line_spacing": "relaxed", "letter_spacing": "wide", "high_contrast": "y"}


def test_visitor_display_settings_go_in_a_cookie(client):
    """A visitor's display settings are kept in the `display` cookie and applied to every page."""
    response = client.post("/display", data={**DISPLAY, "next": "/register"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/register"
    assert client.get_cookie("display").value == "150.relaxed.wide.1"

    page = Page(client.get("/register"))
    assert {"ts-150", "lh-relaxed", "ls-wide", "hc"} <= page.html_classes
    assert ("success", "Display settings saved.") in page.flashes


def test_display_page_shows_current_settings(client):
    """The display page starts with the settings in use."""
    client.post("/display", data=DISPLAY)
    page = Page(client.get("/display"))
    assert page.value("page-text_scale") == "150"
    assert page.value("page-line_spacing") == "relaxed"
    assert page.value("page-letter_spacing") == "wide"
    assert page.value("page-high_contrast") == "checked"


@pytest.mark.parametrize("cookie", ["999.huge.x.0", "garbage", "150.relaxed", "abc.x.y.0", ""])
def test_damaged_display_cookie_falls_back_to_defaults(client, cookie):
    """A damaged or tampered display cookie gives the default display, never an error."""
    client.set_cookie("display", cookie)
    response = client.get("/")
    assert response.status_code == 200
    classes = Page(response).html_classes
    assert {"ts-100", "lh-normal", "ls-normal"} <= classes
    assert "hc" not in classes


def test_display_cookie_keeps_valid_parts(client):
    """Of a partly valid cookie, the valid settings are kept and the others fall back."""
    client.set_cookie("display", "125.huge.wider.1")
    assert {"ts-125", "lh-normal", "ls-wider", "hc"} <= Page(client.get("/")).html_classes


@pytest.mark.parametrize(
    ("changes", "label"),
    [
        ({"text_scale": "999"}, "Text size"),
        ({"text_scale": "big"}, "Text size"),
        ({"line_spacing": "x"}, "Line spacing"),
    ],
)
def test_invalid_display_settings_refused(client, changes, label):
    """Unknown display values are refused with an error and nothing is stored."""
    response = client.post("/display", data={**DISPLAY, **changes})
    assert response.status_code == 422
    assert any(line.startswith(f"{label}:") for line in Page(response).error_summary)
    assert client.get_cookie("display") is None
    page = Page(response)
    field_id = f"page-{next(iter(changes))}"
    assert page.all("a", href=f"#{field_id}")  # the summary links to the field…
    assert page.by_id(field_id) is not None  # …which is on the page


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "/logout", "/no-such-page"])
def test_display_settings_return_only_to_pages_of_this_site(client, target):
    """The display form's `next` is only followed to pages of this site that can be opened."""
    response = client.post("/display", data={**DISPLAY, "next": target})
    assert response.headers["Location"] == "/"


def test_display_settings_on_a_page_shown_after_a_post(resident_client):
    """Switching the display on a page that answered a form leads to a page, not an error."""
    page = Page(resident_client.post("/profile/password", data={"current_password": "x"}))
    header_form = page.all("form", action="/display")[0]
    data = {e.attrs["name"]: e.attrs.get("value", "") for e in header_form.iter() if e.tag == "input"}
    response = resident_client.post("/display", data={**data, **DISPLAY})
    assert response.status_code == 302
    assert resident_client.get(response.headers["Location"]).status_code == 200


def test_user_display_settings_saved_on_profile(app, resident_client):
    """A user's display settings are stored on the account and follow them to a new device."""
    user = resident_client.user
    resident_client.post("/display", data=DISPLAY)
    stored = reload_user(app, user.id)
    assert (stored.text_scale, stored.line_spacing, stored.letter_spacing, stored.high_contrast) == (
        150,
        "relaxed",
        "wide",
        True,
    )

    other_device = app.test_client()
    log_in(other_device, user)
    assert {"ts-150", "lh-relaxed", "ls-wide", "hc"} <= Page(other_device.get("/")).html_classes


# Language ---------------------------------------------------------------------------


def test_visitor_language_goes_in_a_cookie(client):
    """A visitor's language choice is kept in a cookie and used on the next page."""
    response = client.post("/language", data={"language": "de", "next": "/login"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert client.get_cookie("language").value == "de"
    assert Page(client.get("/login")).lang == "de"


def test_user_language_saved_on_profile(app, resident_client):
    """A user's language choice is saved on the account and used on another device."""
    user = resident_client.user
    resident_client.post("/language", data={"language": "de"})
    assert reload_user(app, user.id).language == "de"

    other_device = app.test_client()
    log_in(other_device, user)
    assert Page(other_device.get("/")).lang == "de"


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example/", "/logout"])
def test_language_switch_returns_only_to_pages_of_this_site(client, target):
    """The language form's `next` is only followed to pages of this site that can be opened."""
    response = client.post("/language", data={"language": "de", "next": target})
    assert response.headers["Location"] == "/"


def test_unknown_language_is_ignored(client):
    """An unknown language changes nothing."""
    response = client.post("/language", data={"language": "xx", "next": "/login"})
    assert response.status_code == 302
    assert client.get_cookie("language") is None
    assert Page(client.get("/")).lang == "en"


# Access tokens ----------------------------------------------------------------------


def test_token_secret_shown_once(resident_client):
    """A new token's secret is shown on the page that made it, later only its first characters."""
    response = resident_client.post("/tokens", data={"name": "energy import"})
    assert response.status_code == 200
    secret = Page(response).value("new-token")
    assert secret.startswith("cq_")
    assert response.headers["Cache-Control"] == "no-store"

    me = resident_client.application.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200
    assert me.get_json()["email"] == resident_client.user.email

    page = Page(resident_client.get("/tokens"))
    assert secret not in page.html
    assert page.by_id("new-token") is None
    assert [code.text for code in page.all("code")] == [f"{secret[:10]}…"]
    assert "energy import" in page.html


def test_token_needs_a_name(app, resident_client):
    """A token without a name is refused on the page and none is made."""
    response = resident_client.post("/tokens", data={"name": ""})
    assert response.status_code == 422
    assert Page(response).field_error("name") == "This field is required."
    with app.app_context():
        assert db.session.scalar(select(func.count(AccessToken.id))) == 0


def token_id(app, user) -> int:
    with app.app_context():
        return db.session.scalar(select(AccessToken.id).where(AccessToken.user_id == user.id))


def test_revoke_token(app, resident_client, make_token):
    """A revoked token is marked so and refused by the API."""
    secret = make_token(resident_client.user)
    response = resident_client.post(f"/tokens/{token_id(app, resident_client.user)}/revoke")
    assert response.status_code == 302
    page = Page(resident_client.get("/tokens"))
    assert ("success", "The token is revoked; scripts using it are refused from now on.") in page.flashes
    assert "revoked" in page.all("tbody")[0].text
    api = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 401


def test_revoke_another_users_token_is_refused(app, resident_client, make_user, make_token):
    """Someone else's token id gives an error and the token keeps working."""
    other = make_user()
    secret = make_token(other)

    response = resident_client.post(f"/tokens/{token_id(app, other)}/revoke")

    assert response.status_code == 302
    assert ("error", "That token does not exist.") in Page(resident_client.get("/tokens")).flashes
    api = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 200


@pytest.mark.parametrize("token", ["999999", "99999999999999999999"])
def test_revoke_unknown_token(resident_client, token):
    """An unknown token id gives a clear answer, never a server error."""
    response = resident_client.post(f"/tokens/{token}/revoke")
    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert ("error", "That token does not exist.") in Page(resident_client.get("/tokens")).flashes
