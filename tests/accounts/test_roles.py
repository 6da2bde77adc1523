"""Who may open what, and the protections around it: roles, CSRF, the log-in rate limit,
security headers and cookie flags."""

import re

import pytest
from sqlalchemy import func, select

from accounts.models import Role, User
from app import create_app
from app.config import TestConfig
from app.extensions import db, limiter
from tests.conftest import PASSWORD
from tests.pages import Page

ADMIN_PAGES = ["/admin/users", "/admin/neighbourhoods"]


def build_app(app, **settings):
    """Another app on the session's database, with some settings changed."""
    settings = {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], **settings}
    return create_app(type("VariantTestConfig", (TestConfig,), settings))


@pytest.fixture(scope="module")
def csrf_app(app):
    """The app with CSRF protection on, as in production."""
    variant = build_app(app, WTF_CSRF_ENABLED=True)
    yield variant
    with variant.app_context():
        db.engine.dispose()


@pytest.fixture
def limited_app(app):
    """The app with rate limits on, allowing three log-in attempts a minute."""
    variant = build_app(app, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    yield variant
    with variant.app_context():
        db.engine.dispose()
    # The limiter object is shared by every app; give it back the session app's settings.
    limiter.init_app(app)


# Roles ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_send_visitors_to_log_in(client, path):
    """Visitors are sent to log in, and come back afterwards."""
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] in (f"/login?next={path}", f"/login?next={path.replace('/', '%2F')}")


@pytest.mark.parametrize("path", ADMIN_PAGES)
@pytest.mark.parametrize("role", [Role.RESIDENT, Role.MANAGER, Role.STAFF])
def test_admin_pages_forbidden_to_other_roles(app, make_user, login, path, role):
    """Residents, managers and staff get the 403 page, not the admin page."""
    client = app.test_client()
    login(client, make_user(role=role))
    response = client.get(path)
    assert response.status_code == 403
    assert response.mimetype == "text/html"
    page = Page(response)
    assert page.heading == "Not allowed"
    assert "Your account's role does not allow you to open this page." in page.html


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_open_to_admins(admin_client, path):
    """Admins get the page."""
    assert admin_client.get(path).status_code == 200


def test_admin_forms_refuse_other_roles(app, manager_client, make_user):
    """A non-admin posting to an admin form is refused and nothing changes."""
    target = make_user()
    response = manager_client.post(f"/admin/users/{target.id}", data={"role": "admin", "active": "y"})
    assert response.status_code == 403
    response = manager_client.post("/admin/neighbourhoods", data={"name": "Sneaky", "households": "5"})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(User, target.id).role == Role.RESIDENT


def test_administration_link_only_for_admins(resident_client, admin_client):
    """The Administration link in the header shows only for admins."""
    assert not Page(resident_client.get("/")).all("a", href="/admin/users")
    assert Page(admin_client.get("/")).all("a", href="/admin/users")


def test_api_me_anonymous_gets_401_json(client):
    """The API answers visitors with 401 and a JSON message, never a redirect to a page."""
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.is_json
    assert response.get_json()["message"] == "Log in or send a valid access token."
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_api_me_with_deactivated_session_gets_401(app, resident_client):
    """A session of an account deactivated meanwhile no longer counts."""
    with app.app_context():
        db.session.get(User, resident_client.user.id).active = False
        db.session.commit()
    assert resident_client.get("/api/v1/me").status_code == 401
    assert resident_client.get("/profile").status_code == 302


# CSRF -------------------------------------------------------------------------------


def csrf_log_in(client, user) -> str:
    """Log in through the form with its CSRF token; return the token for later requests."""
    token = Page(client.get("/login")).csrf_token()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return token


def test_forms_work_with_csrf_token(csrf_app, make_user):
    """With CSRF protection on, the forms' own tokens let them through."""
    client = csrf_app.test_client()
    csrf_log_in(client, make_user())
    assert client.get("/profile").status_code == 200


def test_login_without_csrf_token_refused(csrf_app, make_user):
    """A log-in form posted without its token is refused with an explanation, and logs no one in."""
    user = make_user()
    client = csrf_app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "The form has expired. Please submit it again." in Page(response).html
    assert client.get("/profile").status_code == 302


def test_register_without_csrf_token_refused(app, csrf_app, make_neighbourhood):
    """A registration posted without its token is refused with an explanation, and creates nothing."""
    neighbourhood = make_neighbourhood()
    client = csrf_app.test_client()
    response = client.post(
        "/register",
        data={
            "email": "forged@example.org",
            "password": "long enough secret",
            "confirm": "long enough secret",
            "pseudonym": "Forged Fox",
            "neighbourhood_id": str(neighbourhood.id),
            "household_size": "2",
            "language": "en",
        },
    )
    assert response.status_code == 400
    assert "The form has expired. Please submit it again." in Page(response).html
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 0


def test_session_api_write_needs_csrf_header(app, csrf_app, make_user, make_token):
    """A cookie-authenticated API write needs X-CSRFToken; a Bearer token needs none."""
    user = make_user(pseudonym="Calm Owl")
    client = csrf_app.test_client()
    token = csrf_log_in(client, user)

    refused = client.patch("/api/v1/me", json={"pseudonym": "Forged Name"})
    assert refused.status_code == 400
    assert refused.is_json
    assert "CSRF" in refused.get_json()["message"]
    with app.app_context():
        assert db.session.get(User, user.id).pseudonym == "Calm Owl"

    with_header = client.patch("/api/v1/me", json={"pseudonym": "Header Owl"}, headers={"X-CSRFToken": token})
    assert with_header.status_code == 200

    secret = make_token(user)
    with_bearer = client.patch(
        "/api/v1/me", json={"pseudonym": "Bearer Owl"}, headers={"Authorization": f"Bearer {secret}"}
    )
    assert with_bearer.status_code == 200
    assert with_bearer.get_json()["pseudonym"] == "Bearer Owl"


# Log-in rate limit ------------------------------------------------------------------


def test_login_rate_limit(limited_app, make_user):
    """After the allowed number of failed log-ins, the next attempt gets a friendly 429 page."""
    user = make_user()
    client = limited_app.test_client()
    for _ in range(3):
        assert client.post("/login", data={"email": user.email, "password": "wrong password"}).status_code == 422

    response = client.post("/login", data={"email": user.email, "password": PASSWORD})

    assert response.status_code == 429
    assert response.mimetype == "text/html"
    page = Page(response)
    assert page.heading == "Too many attempts"
    assert "Please wait a minute before you try again." in page.html
    assert int(response.headers["Retry-After"]) > 0
    assert client.get("/profile").status_code == 302
    assert client.get("/login").status_code == 200  # the page itself stays open


# Input no person sends -------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/login", {"email": "ana\x00@example.org", "password": "whatever it is"}),
        ("/tokens", {"name": "import\x00script"}),
        ("/admin/neighbourhoods", {"name": "Null\x00stadt", "households": "5"}),
        ("/profile", {"pseudonym\x00": "x"}),
        ("/admin/users?q=%00", {}),
    ],
)
def test_nul_characters_refused(app, admin_client, path, data):
    """Input holding a NUL character is refused with the error page, never a server error."""
    response = admin_client.post(path, data=data)
    assert response.status_code == 400
    assert_secure_html(response)
    assert Page(response).heading == "The request could not be handled"


def test_nul_in_api_query_refused_as_json(client):
    """The API refuses NUL characters in its query with its JSON error."""
    response = client.get("/api/v1/neighbourhoods?q=%00")
    assert response.status_code == 400
    assert response.is_json
    assert response.get_json()["code"] == 400


# Security headers and cookies -------------------------------------------------------

SECURITY_HEADERS = ["Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options"]


def assert_secure_html(response) -> None:
    assert response.mimetype == "text/html"
    for name in SECURITY_HEADERS:
        assert response.headers.get(name), name
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert re.search(r"(^|;)\s*script-src 'self'\s*(;|$)", policy)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    # The policy forbids inline styles and scripts, so the page must not rely on them.
    page = Page(response)
    assert not [element.tag for element in page.root.iter() if "style" in element.attrs]
    assert not [script for script in page.all("script") if "src" not in script.attrs]
    assert not page.all("style")


@pytest.mark.parametrize(
    ("path", "status"),
    [("/", 200), ("/login", 200), ("/register", 200), ("/display", 200), ("/no-such-page", 404), ("/logout", 405)],
)
def test_security_headers_for_visitors(client, path, status):
    """Every page, error pages included, carries the security headers and needs no inline code."""
    response = client.get(path)
    assert response.status_code == status
    assert_secure_html(response)


@pytest.mark.parametrize(("path", "status"), [("/profile", 200), ("/tokens", 200), ("/admin/users", 403)])
def test_security_headers_for_residents(resident_client, path, status):
    """Pages for logged-in users carry the security headers too."""
    response = resident_client.get(path)
    assert response.status_code == status
    assert_secure_html(response)


@pytest.mark.parametrize("path", ["/admin/users", "/admin/neighbourhoods"])
def test_security_headers_for_admins(admin_client, path):
    """Admin pages carry the security headers."""
    assert_secure_html(admin_client.get(path))


def test_form_error_page_has_security_headers(client):
    """A 422 form page carries the security headers."""
    response = client.post("/login", data={})
    assert response.status_code == 422
    assert_secure_html(response)


def session_cookie(response) -> str:
    cookies = [value for value in response.headers.getlist("Set-Cookie") if value.startswith("session=")]
    assert cookies, response.headers
    return cookies[-1]


def test_session_cookie_flags_over_http(client, make_user):
    """The session cookie is HttpOnly and SameSite=Lax; over plain HTTP it cannot be Secure."""
    user = make_user()
    cookie = session_cookie(client.post("/login", data={"email": user.email, "password": PASSWORD}))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_secure_over_https(client, make_user):
    """Over HTTPS the session cookie is also Secure."""
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD}, base_url="https://localhost")
    cookie = session_cookie(response)
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert client.get("/profile", base_url="https://localhost").status_code == 200


def test_visitor_session_cookie_secure_over_https(app):
    """A visitor's session cookie, set by opening a form over HTTPS, is Secure as well."""
    cookie = session_cookie(app.test_client().get("/login", base_url="https://localhost"))
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
