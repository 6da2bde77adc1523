"""Residents registered at a service desk: optional email, no password, a printed log-in code."""

import hashlib
import re

import pytest
from sqlalchemy import select

from accounts import errors, services
from accounts.models import Role, User
from accounts.passwords import has_usable_password, verify_password
from app.extensions import db, limiter
from tests.accounts.test_roles import build_app
from tests.conftest import PASSWORD
from tests.pages import Page

CODE_FORMAT = re.compile(r"^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}(-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}){3}$")


def register(manager, neighbourhood, pseudonym="Paper Owl", language="en", **fields):
    """Register a desk resident in the current context and return (user, code)."""
    return services.register_assisted_resident(
        db.session.merge(manager), pseudonym, neighbourhood.id, household_size=2, language=language, **fields
    )


@pytest.fixture
def desk(make_user, make_neighbourhood):
    """A manager and a neighbourhood, ready for registering at the desk."""
    return make_user(role=Role.MANAGER), make_neighbourhood()


# Services ---------------------------------------------------------------------------


@pytest.mark.usefixtures("ctx")
class TestServices:
    def test_registration_without_email_prints_a_code_in_groups(self, desk):
        """A desk registration needs no email and returns a 16-character code in four groups."""
        user, code = register(*desk, language="de")
        assert user.email is None and user.role == Role.RESIDENT and user.language == "de"
        assert CODE_FORMAT.match(code), code
        assert user.login_code_issued_at is not None

    def test_codes_are_random(self, desk):
        """Two registrations never get the same code."""
        manager, place = desk
        codes = {register(manager, place, pseudonym=f"Owl {n}")[1] for n in range(20)}
        assert len(codes) == 20

    def test_only_the_hash_of_the_code_is_stored(self, desk):
        """The code itself appears nowhere in the account; its SHA-256 does."""
        user, code = register(*desk)
        bare = code.replace("-", "")
        assert user.login_code_hash == hashlib.sha256(bare.encode()).hexdigest()
        row = db.session.execute(select(User.__table__).where(User.id == user.id)).one()
        stored = " ".join(str(value) for value in row)
        assert bare not in stored and code not in stored

    def test_desk_residents_have_no_usable_password(self, desk):
        """No password, not even an empty one, opens a desk resident's account."""
        user, _code = register(*desk, email="paper.owl@example.org")
        assert not user.has_password and not has_usable_password(user.password_hash)
        for attempt in ("", user.password_hash, PASSWORD):
            assert not verify_password(user.password_hash, attempt)
        with pytest.raises(errors.InvalidCredentials):
            services.authenticate("paper.owl@example.org", "")

    @pytest.mark.parametrize(
        "typed",
        [
            lambda code: code,
            lambda code: code.lower(),
            lambda code: code.replace("-", ""),
            lambda code: "  " + code.replace("-", " ") + " ",
            lambda code: code.replace("-", "–").lower(),  # a word processor's dash
        ],
        ids=["as printed", "small letters", "no dashes", "spaces", "en dashes"],
    )
    def test_code_is_normalised_on_input(self, desk, typed):
        """Case, spaces and dashes do not matter when typing the code."""
        user, code = register(*desk)
        assert services.authenticate_code(typed(code)) is user
        assert user.last_login_at is not None

    @pytest.mark.parametrize("typed", ["", "K7QM-9XDA", "0000-0000-0000-0000", "x" * 200, "K7QM-9XDA-2HPF-R4T\x01"])
    def test_wrong_codes_are_refused(self, desk, typed):
        """Unknown, short, long or malformed codes raise InvalidCredentials on the code field."""
        register(*desk)
        with pytest.raises(errors.InvalidCredentials) as caught:
            services.authenticate_code(typed)
        assert caught.value.field == "code"

    def test_reissuing_invalidates_the_old_code(self, desk):
        """A new code replaces the old one, which no longer logs in."""
        user, old = register(*desk)
        new = services.issue_login_code(user)
        assert new != old
        with pytest.raises(errors.InvalidCode):
            services.authenticate_code(old)
        assert services.authenticate_code(new) is user

    def test_deactivated_residents_are_refused(self, desk):
        """A deactivated account's code no longer logs in."""
        user, code = register(*desk)
        services.set_active(user, False)
        with pytest.raises(errors.InvalidCode):
            services.authenticate_code(code)

    def test_accounts_with_a_password_get_no_code(self, make_user):
        """A resident who registered online keeps their password; no code can be issued for them."""
        user = db.session.merge(make_user())
        with pytest.raises(errors.HasPassword):
            services.issue_login_code(user)
        assert user.login_code_hash is None

    def test_only_managers_register_at_the_desk(self, make_user, make_neighbourhood):
        """A resident cannot register others as desk residents."""
        with pytest.raises(errors.NotAllowed):
            register(make_user(), make_neighbourhood())

    def test_email_is_optional_but_unique(self, desk, make_user):
        """Several residents may have no email; a taken one is not given to a second account (nor refused, which
        would tell the desk that the address has an account)."""
        manager, place = desk
        register(manager, place, pseudonym="First Owl")
        register(manager, place, pseudonym="Second Owl")
        owner = make_user(email="taken@example.org")
        third, _code = register(manager, place, pseudonym="Third Owl", email=" Taken@Example.org ")
        assert third.email is None
        assert db.session.get(User, owner.id).email == "taken@example.org"

    def test_search_finds_residents_without_email(self, desk):
        """The admin's user search copes with accounts that have no email."""
        register(*desk)
        assert [user.pseudonym for user in services.list_users("owl").items] == ["Paper Owl"]


# Pages ------------------------------------------------------------------------------


def desk_resident(app, manager, neighbourhood, **fields):
    """Register a desk resident, committed; returns (user id, code)."""
    with app.app_context():
        user, code = register(manager, neighbourhood, **fields)
        db.session.commit()
        return user.id, code


def test_login_page_offers_the_code_form(client):
    """The log-in page has a second, separate form for the code from the service desk."""
    page = Page(client.get("/login"))
    assert [h.text for h in page.all("h2")] == [
        "Log in with your email address",
        "Log in with your code from the service desk",
    ]
    forms = page.all("form", action="/login/code")
    assert len(forms) == 1 and forms[0].attrs["method"] == "post"
    assert page.by_id("code").attrs["aria-describedby"] == "code-help"
    assert page.all("label", for_="code")[0].text.startswith("Your log-in code")


def test_code_logs_in_and_follows_next(app, client, desk):
    """The printed code, typed loosely, logs the resident in and returns them to where they were going."""
    _user_id, code = desk_resident(app, *desk)
    response = client.post("/login/code", data={"code": code.lower().replace("-", " "), "next": "/profile"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/profile"
    page = Page(client.get("/profile"))
    assert "Logged in as Paper Owl" in page.html
    assert "You log in with the code on the sheet from the service desk." in page.html
    assert page.by_id("pw-current_password") is None  # no password to change
    assert "none" in [element.text for element in page.all("dd")]


@pytest.mark.parametrize("active", [True, False], ids=["wrong code", "deactivated account"])
def test_wrong_code_is_refused_on_the_field(app, client, desk, active):
    """A wrong code, or one of a deactivated account, shows a clear error on the code field with 422."""
    user_id, code = desk_resident(app, *desk)
    if not active:
        with app.app_context():
            db.session.get(User, user_id).active = False
            db.session.commit()
    typed = code if not active else "ABCD-EFGH-JKMN-PQRS"
    page = Page(client.post("/login/code", data={"code": typed, "next": "/profile"}))
    assert page.response.status_code == 422
    assert page.field_error("code").startswith("This log-in code is not correct.")
    assert page.by_id("code").attrs["aria-invalid"] == "true"
    code_form = page.all("form", action="/login/code")[0]
    assert [e.attrs["value"] for e in code_form.iter() if e.attrs.get("name") == "next"] == ["/profile"]
    assert client.get("/profile").status_code == 302


def test_empty_code_names_the_field(client):
    """An empty code form says the code is required, without touching the email form."""
    page = Page(client.post("/login/code", data={}))
    assert page.response.status_code == 422
    assert page.field_error("code") == "This field is required."
    assert page.field_error("email") is None


def test_code_login_is_rate_limited(app, desk):
    """Guessing codes from one address is cut off like password guessing."""
    limited = build_app(app, RATELIMIT_ENABLED=True, LOGIN_ADDRESS_RATE_LIMIT="3 per minute")
    try:
        client = limited.test_client()
        statuses = [client.post("/login/code", data={"code": "ABCD-EFGH-JKMN-PQRS"}).status_code for _ in range(4)]
        assert statuses == [422, 422, 422, 429]
    finally:
        with limited.app_context():
            db.engine.dispose()
        limiter.init_app(app)


def test_me_api_allows_a_null_email(app, client, desk):
    """/api/v1/me answers for a resident without email, with email null as the schema says."""
    _user_id, code = desk_resident(app, *desk)
    client.post("/login/code", data={"code": code})
    body = client.get("/api/v1/me").get_json()
    assert body["email"] is None and body["pseudonym"] == "Paper Owl"
    spec = client.get("/api/openapi.json").get_json()
    assert spec["components"]["schemas"]["Me"]["properties"]["email"].get("nullable") is True


def test_admin_pages_cope_without_email(app, admin_client, desk):
    """The admin's user list and user page show a dash or a note where there is no email."""
    user_id, _code = desk_resident(app, *desk)
    assert admin_client.get("/admin/users").status_code == 200
    page = Page(admin_client.get(f"/admin/users/{user_id}"))
    assert "none (logs in with a code from the service desk)" in page.html
