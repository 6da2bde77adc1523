"""Sign-in with the city's identity provider, end to end against a real OpenID provider on loopback
(oidc-provider-mock, Authlib-based): discovery, authorization code with PKCE, the ID token checked against the
provider's JWKS. First sign-ins create a resident or, after the password, link an existing account; refusals
create nothing."""

import threading
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from joserfc import jwt
from joserfc.errors import InvalidClaimError
from joserfc.jwk import RSAKey
from oidc_provider_mock import run_server_in_thread
from sqlalchemy import func, select

from accounts import providers
from accounts.models import ExternalIdentity, User
from app.extensions import db
from tests.accounts.test_roles import build_app
from tests.conftest import PASSWORD, log_in
from tests.rewards.test_concurrency import postgres_only  # noqa: F401  (fixture)

CLIENT_ID, CLIENT_SECRET = "civiquest", "civiquest-secret"


def _provider_settings(issuer: str, client_id: str = CLIENT_ID) -> dict:
    return {"city": {
        "issuer": issuer, "client_id": client_id, "client_secret": CLIENT_SECRET,
        "label": {"en": "City account", "de": "Stadtkonto"}, "email_claim": "email", "name_claim": "preferred_username",
        "language_claim": "locale", "neighbourhood_claim": None, "scope": "openid email profile",
    }}  # fmt: skip


@pytest.fixture(scope="module")
def provider_server():
    """A real OpenID provider on a loopback port for this module's tests."""
    with run_server_in_thread() as server:
        yield server


@pytest.fixture(scope="module")
def provider(provider_server):
    """The provider's issuer URL."""
    return f"http://localhost:{provider_server.server_port}"


@pytest.fixture(scope="module")
def provider_key(provider_server) -> RSAKey:
    """The provider's own signing key (the one its JWKS publishes), to sign its back-channel logout tokens: the
    provider runs in this process, and this one has no logout endpoint of its own to call."""
    from oidc_provider_mock._storage import storage

    with provider_server.app.test_request_context():
        provider_server.app.preprocess_request()
        return RSAKey.import_key(storage.jwk.as_dict(is_private=True))


@pytest.fixture(scope="module")
def expiring_provider():
    """A provider whose ID tokens are expired when issued (their lifetime is negative)."""
    with run_server_in_thread(access_token_max_age=timedelta(minutes=-10)) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def city_app(app, provider):
    return build_app(app, OIDC_PROVIDERS=_provider_settings(provider))


def _at_provider(provider: str, sub: str, **claims) -> None:
    requests.put(f"{provider}/users/{sub}", json=claims, timeout=10).raise_for_status()


def _authorize(client, sub: str) -> str:
    """Click the button and sign in at the provider as `sub`; the callback path (with code and state) it sends back."""
    start = client.get("/login/with/city")
    assert start.status_code == 302, start.get_data(as_text=True)
    asked = parse_qs(urlsplit(start.headers["Location"]).query)
    assert asked["code_challenge_method"] == ["S256"] and asked["nonce"] and asked["state"]
    answer = requests.post(start.headers["Location"], data={"sub": sub}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    return f"{back.path}?{back.query}"


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_without_configuration_no_button_shows(client):
    """No OIDC_PROVIDERS: the log-in page has no provider button and the sign-in paths are 404."""
    assert "Sign in with" not in client.get("/login").get_data(as_text=True)
    assert client.get("/login/with/city").status_code == 404


def test_the_button_shows_in_english_and_german(city_app):
    """The configured label, in the visitor's language."""
    client = city_app.test_client()
    assert "Sign in with City account" in client.get("/login").get_data(as_text=True)
    german = client.get("/login", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Stadtkonto" in german


def test_a_first_sign_in_creates_a_resident_asking_only_what_is_missing(city_app, provider, make_neighbourhood):
    """The provider's verified email and name are taken; the resident adds pseudonym, neighbourhood and household,
    and is signed in; the next sign-in goes straight in."""
    quarter = make_neighbourhood("Altstadt")
    _at_provider(provider, "alice-1", email="alice@city.example", email_verified=True, preferred_username="Alice",
                 locale="de")  # fmt: skip
    client = city_app.test_client()
    answer = client.get(_authorize(client, "alice-1"))
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/login/with/complete")
    form = client.get("/login/with/complete").get_data(as_text=True)
    assert 'value="Alice"' in form and "alice@city.example" in form
    done = client.post("/login/with/complete", data={"pseudonym": "Alice", "neighbourhood_id": quarter.id,
                                                      "household_size": "2", "language": "de"})  # fmt: skip
    assert done.status_code == 302, done.get_data(as_text=True)
    with city_app.app_context():
        user = db.session.scalar(select(User).where(User.email == "alice@city.example"))
        assert user.pseudonym == "Alice" and not user.has_password and user.language == "de"
        identity = db.session.scalar(select(ExternalIdentity))
        assert (identity.provider, identity.subject, identity.user_id) == ("city", "alice-1", user.id)
    assert client.get("/api/v1/me").status_code == 200
    again = city_app.test_client()
    assert again.get(_authorize(again, "alice-1")).headers["Location"].endswith("/")
    assert again.get("/api/v1/me").get_json()["pseudonym"] == "Alice"


def test_an_existing_email_links_only_after_the_password(city_app, provider, make_user):
    """Same verified email as an account: a wrong password links nothing; the right one links and signs in."""
    owner = make_user(email="bob@city.example")
    _at_provider(provider, "bob-1", email="bob@city.example", email_verified=True)
    client = city_app.test_client()
    assert client.get(_authorize(client, "bob-1")).headers["Location"].endswith("/login/with/link")
    wrong = client.post("/login/with/link", data={"password": "not the password"})
    assert wrong.status_code == 422 and _count(city_app, ExternalIdentity) == 0
    assert client.get("/api/v1/me").status_code == 401
    right = client.post("/login/with/link", data={"password": PASSWORD})
    assert right.status_code == 302
    assert client.get("/api/v1/me").get_json()["id"] == owner.id
    with city_app.app_context():
        assert db.session.scalar(select(ExternalIdentity.user_id)) == owner.id


def test_an_unverified_email_never_links(city_app, provider, make_user):
    """An address the provider did not verify is not used: the visitor completes a new account without it."""
    make_user(email="carol@city.example")
    _at_provider(provider, "carol-1", email="carol@city.example", email_verified=False)
    client = city_app.test_client()
    assert client.get(_authorize(client, "carol-1")).headers["Location"].endswith("/login/with/complete")
    assert client.get("/login/with/link").status_code == 404


def test_a_replayed_answer_is_refused_and_creates_nothing(city_app, provider):
    """The provider's answer used twice (its state and nonce are spent): the second is refused with a clear page."""
    _at_provider(provider, "dora-1", email="dora@city.example", email_verified=True)
    client = city_app.test_client()
    callback = _authorize(client, "dora-1")
    assert client.get(callback).status_code == 302
    replayed = client.get(callback)
    assert replayed.status_code == 400 and "Sign-in did not work" in replayed.get_data(as_text=True)
    attacker = city_app.test_client()  # a stolen answer in another browser: no state there at all
    assert attacker.get(callback).status_code == 400


def test_a_tampered_answer_or_a_refusal_at_the_provider_is_refused(city_app, provider):
    """A changed state, a changed code, or the provider's access_denied: the refusal page, nothing created."""
    _at_provider(provider, "erik-1", email="erik@city.example", email_verified=True)
    client = city_app.test_client()
    callback = _authorize(client, "erik-1")
    assert client.get(callback.replace("state=", "state=x")).status_code == 400
    client = city_app.test_client()
    callback = _authorize(client, "erik-1")
    assert client.get(callback.replace("code=", "code=x")).status_code == 400
    denied = client.get("/login/with/city/callback?error=access_denied&state=whatever")
    assert denied.status_code == 400 and "No account was created" in denied.get_data(as_text=True)
    assert _count(city_app, ExternalIdentity) == 0 and client.get("/login/with/complete").status_code == 404


def test_an_expired_id_token_is_refused(app, expiring_provider):
    """An ID token past its expiry is refused, whatever else is right."""
    expired_app = build_app(app, OIDC_PROVIDERS=_provider_settings(expiring_provider))
    _at_provider(expiring_provider, "finn-1", email="finn@city.example", email_verified=True)
    client = expired_app.test_client()
    answer = client.get(_authorize(client, "finn-1"))
    assert answer.status_code == 400 and "Sign-in did not work" in answer.get_data(as_text=True)


def test_an_answer_meant_for_another_client_is_refused(app, provider):
    """The provider's answer to Civiquest carried to a site configured with another client id: refused."""
    ours = build_app(app, OIDC_PROVIDERS=_provider_settings(provider, client_id="civiquest"))
    _at_provider(provider, "gina-1", email="gina@city.example", email_verified=True)
    client = ours.test_client()
    callback = _authorize(client, "gina-1")
    other = build_app(app, OIDC_PROVIDERS=_provider_settings(provider, client_id="someone-else"))
    with client.session_transaction() as session:
        state = dict(session)
    thief = other.test_client()
    with thief.session_transaction() as session:
        session.update(state)
    assert thief.get(callback).status_code == 400
    assert _count(app, ExternalIdentity) == 0


def test_an_id_token_for_another_audience_fails_the_check(app, provider):
    """A real ID token issued to client "civiquest" passes the check of a site configured as "civiquest" and fails
    (aud) at one configured as another client; the same check the callback makes."""
    issued_for = build_app(app, OIDC_PROVIDERS=_provider_settings(provider, client_id="civiquest"))
    _at_provider(provider, "hana-1", email="hana@city.example", email_verified=True)
    client = issued_for.test_client()
    back = parse_qs(urlsplit(_authorize(client, "hana-1")).query)
    with client.session_transaction() as session:
        sent = session[f"_state_city_{back['state'][0]}"]["data"]
    metadata = requests.get(f"{provider}/.well-known/openid-configuration", timeout=10).json()
    token = requests.post(metadata["token_endpoint"], auth=(CLIENT_ID, CLIENT_SECRET), timeout=10, data={
        "grant_type": "authorization_code", "code": back["code"][0], "redirect_uri": sent["redirect_uri"],
        "code_verifier": sent["code_verifier"],
    }).json()  # fmt: skip

    def check(site, nonce):
        with site.test_request_context():
            return providers.client_for("city").parse_id_token(token, nonce, providers.claims_options("city"))

    assert check(issued_for, sent["nonce"])["sub"] == "hana-1"
    elsewhere = build_app(app, OIDC_PROVIDERS=_provider_settings(provider, client_id="someone-else"))
    with pytest.raises(InvalidClaimError, match="aud"):
        check(elsewhere, sent["nonce"])
    with pytest.raises(InvalidClaimError, match="nonce"):
        check(issued_for, "another nonce")


def _first_sign_in(site, provider, sub: str, quarter) -> object:
    """A new resident created through the provider; the signed-in test client."""
    _at_provider(provider, sub, email=f"{sub}@city.example", email_verified=True)
    client = site.test_client()
    client.get(_authorize(client, sub))
    done = client.post("/login/with/complete", data={"pseudonym": sub.title(), "neighbourhood_id": quarter.id,
                                                      "household_size": "1", "language": "en"})  # fmt: skip
    assert done.status_code == 302
    return client


def _identity_ids(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(ExternalIdentity.id)))


def test_the_profile_lists_linked_sign_ins_and_never_removes_the_last_way_in(city_app, provider, make_neighbourhood):
    """A resident created by the provider has no password: its one linked sign-in shows and cannot be removed;
    another resident cannot remove it either."""
    quarter = make_neighbourhood("Neustadt")
    client = _first_sign_in(city_app, provider, "jona-1", quarter)
    [identity_id] = _identity_ids(city_app)
    profile = client.get("/profile").get_data(as_text=True)
    assert "Linked sign-ins" in profile and "City account" in profile and "jona-1@city.example" in profile
    refused = client.post(f"/profile/sign-ins/{identity_id}/remove", follow_redirects=True)
    assert "This is the only way you can log in" in refused.get_data(as_text=True)
    other = _first_sign_in(city_app, provider, "kai-1", quarter)
    other.post(f"/profile/sign-ins/{identity_id}/remove")
    assert identity_id in _identity_ids(city_app)


def test_a_linked_account_with_a_password_can_remove_the_link(city_app, provider, make_user):
    """With a password left to log in, the link goes; the provider's next sign-in asks to link again."""
    make_user(email="lena@city.example")
    _at_provider(provider, "lena-1", email="lena@city.example", email_verified=True)
    client = city_app.test_client()
    client.get(_authorize(client, "lena-1"))
    assert client.post("/login/with/link", data={"password": PASSWORD}).status_code == 302
    [identity_id] = _identity_ids(city_app)
    removed = client.post(f"/profile/sign-ins/{identity_id}/remove", follow_redirects=True)
    assert "City account is no longer linked to your account." in removed.get_data(as_text=True)
    assert _identity_ids(city_app) == []
    again = city_app.test_client()
    assert again.get(_authorize(again, "lena-1")).headers["Location"].endswith("/login/with/link")


def test_logging_out_also_logs_out_at_the_provider(city_app, provider, make_neighbourhood):
    """Signed in through the provider: logging out ends the session here and sends the browser to the provider's
    end-session endpoint, with the ID token as hint and the home page to come back to."""
    client = _first_sign_in(city_app, provider, "mia-1", make_neighbourhood())
    answer = client.post("/logout")
    at = urlsplit(answer.headers["Location"])
    assert answer.status_code == 302 and at.path == "/oauth2/end_session", answer.headers["Location"]
    asked = parse_qs(at.query)
    assert asked["post_logout_redirect_uri"] == ["http://localhost/"] and asked["id_token_hint"][0].count(".") == 2
    assert client.get("/api/v1/me").status_code == 401


def test_logging_out_of_a_password_session_stays_here(city_app, make_user):
    """A session opened with a password logs out here only."""
    client = city_app.test_client()
    log_in(client, make_user())
    answer = client.post("/logout")
    assert answer.status_code == 302 and answer.headers["Location"] == "/"


def _logout_token(key: RSAKey, provider: str, **changes) -> str:
    claims = {"iss": provider, "aud": CLIENT_ID, "iat": int(time.time()), "jti": f"jti-{time.time()}",
              "events": {"http://schemas.openid.net/event/backchannel-logout": {}}, **changes}  # fmt: skip
    return jwt.encode({"alg": "RS256", "kid": key.kid}, {k: v for k, v in claims.items() if v is not None}, key)


def test_back_channel_logout_ends_the_sessions_opened_through_the_provider(
    city_app, provider, provider_key, make_neighbourhood
):
    """The provider's logout token for a subject ends that resident's sessions opened through it; refused tokens
    (another key, another audience, another issuer, no logout event, a nonce, naming nobody) end nothing."""
    client = _first_sign_in(city_app, provider, "noah-1", make_neighbourhood())
    refused = [
        _logout_token(RSAKey.generate_key(2048, {"kid": provider_key.kid}, private=True), provider, sub="noah-1"),
        _logout_token(provider_key, provider, sub="noah-1", aud="someone-else"),
        _logout_token(provider_key, "http://localhost:1", sub="noah-1"),
        _logout_token(provider_key, provider, sub="noah-1", events={}),
        _logout_token(provider_key, provider, sub="noah-1", nonce="n"),
        _logout_token(provider_key, provider),
        "not-a-token",
    ]
    backchannel = city_app.test_client()
    for token in refused:
        answer = backchannel.post("/login/with/city/backchannel-logout", data={"logout_token": token})
        assert answer.status_code == 400 and answer.get_json() == {"error": "invalid_request"}
    assert client.get("/api/v1/me").status_code == 200
    answer = backchannel.post("/login/with/city/backchannel-logout",
                              data={"logout_token": _logout_token(provider_key, provider, sub="noah-1")})  # fmt: skip
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/me").status_code == 401


def test_a_mapped_group_claim_gives_its_role_and_the_change_is_logged(app, provider, make_neighbourhood, caplog):
    """With OIDC_<NAME>_ROLE_CLAIM and _ROLE_MAP, a member of a mapped group gets its role (the highest, if in
    several), logged; without a mapped group the role stays; an unknown role in the map stops the app starting."""
    settings = _provider_settings(provider)
    settings["city"] |= {"role_claim": "groups", "role_map": {"city-staff": "staff", "city-admins": "admin"}}
    site = build_app(app, OIDC_PROVIDERS=settings)
    _at_provider(provider, "olga-1", email="olga@city.example", email_verified=True, groups=["city-staff", "choir"])
    client = site.test_client()
    client.get(_authorize(client, "olga-1"))
    with caplog.at_level("WARNING"):
        client.post("/login/with/complete", data={"pseudonym": "Olga", "neighbourhood_id": make_neighbourhood().id,
                                                  "household_size": "1", "language": "en"})  # fmt: skip
    assert client.get("/api/v1/me").get_json()["role"] == "staff"
    assert any("changed from resident to staff by the group claim of provider city" in r.getMessage()
               for r in caplog.records)  # fmt: skip
    _at_provider(provider, "olga-1", email="olga@city.example", email_verified=True, groups=["choir"])
    again = site.test_client()
    again.get(_authorize(again, "olga-1"))
    assert again.get("/api/v1/me").get_json()["role"] == "staff"
    wrong = _provider_settings(provider)
    wrong["city"] |= {"role_claim": "groups", "role_map": {"city-staff": "mayor"}}
    with pytest.raises(ValueError):
        build_app(app, OIDC_PROVIDERS=wrong)


def test_the_neighbourhood_claim_preselects_and_german_pseudonyms_are_welcome(app, provider, make_neighbourhood):
    """A neighbourhood named in the claim (any case) is preselected; a pseudonym with umlauts and ß is taken."""
    make_neighbourhood("Altstadt")
    südstadt = make_neighbourhood("Südstadt")
    settings = _provider_settings(provider)
    settings["city"]["neighbourhood_claim"] = "district"
    site = build_app(app, OIDC_PROVIDERS=settings)
    _at_provider(provider, "paul-1", email="paul@city.example", email_verified=True, district="SÜDSTADT")
    client = site.test_client()
    client.get(_authorize(client, "paul-1"))
    form = client.get("/login/with/complete").get_data(as_text=True)
    assert f'<option selected value="{südstadt.id}">Südstadt</option>' in form
    done = client.post("/login/with/complete", data={"pseudonym": "Jürgen Weiß", "neighbourhood_id": südstadt.id,
                                                      "household_size": "3", "language": "de"})  # fmt: skip
    assert done.status_code == 302, done.get_data(as_text=True)
    assert client.get("/api/v1/me").get_json()["pseudonym"] == "Jürgen Weiß"


def test_bad_input_on_the_completion_form_is_shown_and_creates_nothing(city_app, provider, make_neighbourhood):
    """No neighbourhood, a household of 0, a taken pseudonym: 422 with the reasons, no account, still pending."""
    quarter = make_neighbourhood()
    _first_sign_in(city_app, provider, "rosa-1", quarter)
    _at_provider(provider, "sven-1", email="sven@city.example", email_verified=True)
    client = city_app.test_client()
    client.get(_authorize(client, "sven-1"))
    valid = {"pseudonym": "Sven", "neighbourhood_id": quarter.id, "household_size": "1", "language": "en"}
    for change in [{"neighbourhood_id": ""}, {"household_size": "0"}, {"pseudonym": "Rosa-1"}]:
        data = valid | change
        answer = client.post("/login/with/complete", data=data)
        assert answer.status_code == 422 and "Please correct the following" in answer.get_data(as_text=True), data
    assert _count(city_app, ExternalIdentity) == 1 and client.get("/login/with/complete").status_code == 200


def test_a_provider_that_cannot_be_reached_shows_the_refusal_page(app):
    """Discovery fails (nothing listens there): the refusal page, not an error."""
    site = build_app(app, OIDC_PROVIDERS=_provider_settings("http://127.0.0.1:9"))
    answer = site.test_client().get("/login/with/city")
    assert answer.status_code == 400 and "Sign-in did not work" in answer.get_data(as_text=True)


@pytest.mark.usefixtures("postgres_only")  # SQLite lets one writer in at a time: no race to be had
def test_the_same_first_sign_in_completed_twice_at_once_makes_one_account(app, provider, make_neighbourhood):
    """Two tabs completing the same first sign-in at the same moment: one account and one link; the other tab is
    told the sign-in is already linked (422), never an error."""
    quarter = make_neighbourhood()
    site = build_app(app, OIDC_PROVIDERS=_provider_settings(provider),
                     SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 4})  # fmt: skip
    _at_provider(provider, "tara-1", email="tara@city.example", email_verified=True)
    tabs = [site.test_client(), site.test_client()]
    for tab in tabs:
        tab.get(_authorize(tab, "tara-1"))
    barrier, statuses = threading.Barrier(2), []

    def complete(tab, pseudonym):
        barrier.wait()
        data = {"pseudonym": pseudonym, "neighbourhood_id": quarter.id, "household_size": "1", "language": "en"}
        statuses.append(tab.post("/login/with/complete", data=data).status_code)

    threads = [threading.Thread(target=complete, args=(tab, f"Tara {n}")) for n, tab in enumerate(tabs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [302, 422]
    assert _count(app, ExternalIdentity) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(User.email == "tara@city.example")) == 1


def test_the_data_export_names_linked_sign_ins_and_erasure_removes_them(city_app, provider, make_neighbourhood):
    """ "Download my data" lists each linked sign-in (provider, subject, email, dates); "delete my account" removes
    them, so the provider can never sign in to the erased account again."""
    import io
    import json
    import zipfile

    from accounts import personal_data
    from privacy import services as privacy
    from tests.challenges.conftest import NOW

    _first_sign_in(city_app, provider, "uwe-1", make_neighbourhood())
    with city_app.app_context():
        user = db.session.scalar(select(User).where(User.email == "uwe-1@city.example"))
        data = privacy.export_bytes(user, "https://city.example/privacy", "https://city.example/me/consents", NOW)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            profile = json.loads(archive.read("profile.json"))
        assert profile["logs_in_with"] == "identity provider"
        assert [(s["provider"], s["subject"], s["email"]) for s in profile["linked_sign_ins"]] == [
            ("city", "uwe-1", "uwe-1@city.example")
        ]
        personal_data.erase(user, NOW)  # accounts' part of "delete my account" (privacy.holders asks each domain)
        db.session.commit()
    assert _count(city_app, ExternalIdentity) == 0
    again = city_app.test_client()
    assert again.get(_authorize(again, "uwe-1")).headers["Location"].endswith("/login/with/complete")


def test_an_account_made_at_the_provider_can_be_deleted_after_a_recent_sign_in(city_app, provider, make_neighbourhood):
    """No password, no code: "delete my account" asks for a sign-in at the provider in the last 15 minutes; an
    older session is refused with that request, nothing erased; a fresh one erases."""
    from sqlalchemy import update

    from accounts.models import UserSession
    from app.columns import utcnow

    client = _first_sign_in(city_app, provider, "vera-1", make_neighbourhood())
    page = client.get("/me/delete").get_data(as_text=True)
    assert "Sign in with City account" in page
    with city_app.app_context():
        db.session.execute(update(UserSession).values(created_at=utcnow() - timedelta(minutes=16)))
        db.session.commit()
    stale = client.post("/me/delete", data={"understood": "y"})
    assert stale.status_code == 422 and "Please sign in again" in stale.get_data(as_text=True)
    assert _count(city_app, ExternalIdentity) == 1
    client.get(_authorize(client, "vera-1"))  # signing in again opens a fresh session
    deleted = client.post("/me/delete", data={"understood": "y"})
    assert deleted.status_code == 302, deleted.get_data(as_text=True)
    assert _count(city_app, ExternalIdentity) == 0
