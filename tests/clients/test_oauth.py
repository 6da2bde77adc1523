"""Organisation clients through OAuth 2.0 client credentials: /oauth/token issues short-lived tokens to a client's
id and secret, and a token reaches only the API operations that name its scope."""

import logging
from datetime import timedelta

from sqlalchemy import select, update

from app.columns import utcnow
from app.extensions import db
from clients import services
from clients.models import ClientToken
from rewards.models import Voucher, VoucherStatus
from sharing import defaults
from sharing.models import DataUse
from tests.accounts.test_roles import build_app
from tests.clients.conftest import basic, bearer
from tests.rewards.conftest import API, assert_error, voucher_of

VALIDATE_OPERATIONS = {("get", "/api/v1/vouchers/{code}"), ("post", "/api/v1/vouchers/{code}/validate")}


def _a_voucher(resident_client, reward, give, partner):
    give(resident_client.user, 100)
    return voucher_of(resident_client, reward(partner=partner).id)["code"]


def test_a_client_gets_a_short_lived_token_for_its_scopes(client, register, token_for, partner):
    """The token answer is a Bearer token with the client's scopes, living CLIENT_TOKEN_LIFETIME seconds, never
    cached; only its hash is stored."""
    client_id, _pk, secret = register(partner_id=partner().id)
    response = client.post("/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(client_id, secret))
    answer = response.get_json()
    assert response.status_code == 200, answer
    assert answer["token_type"].lower() == "bearer" and answer["expires_in"] == 900
    assert answer["scope"] == "vouchers:validate" and answer["access_token"].startswith("cqo_")
    assert "no-store" in response.headers["Cache-Control"]
    with client.application.app_context():
        stored = db.session.scalars(select(ClientToken.token_hash)).all()
    assert stored and answer["access_token"] not in stored


def test_the_secret_may_come_in_the_form_too(client, register, partner):
    """client_secret_post works as well as the Basic header."""
    client_id, _pk, secret = register(partner_id=partner().id)
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    assert client.post("/oauth/token", data=form).status_code == 200


def test_a_wrong_secret_and_an_unknown_client_are_refused_alike(client, register, partner):
    """401 invalid_client, with the same answer whether the id or the secret was wrong: a guesser learns nothing."""
    client_id, _pk, secret = register(partner_id=partner().id)
    answers = []
    for sent_id, sent_secret in [(client_id, secret + "x"), ("cqc_nobody", secret), (client_id, "")]:
        response = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                               headers=basic(sent_id, sent_secret))  # fmt: skip
        assert response.status_code == 401, response.get_json()
        answers.append(response.get_json())
    assert answers[0] == answers[1] == answers[2] and answers[0]["error"] == "invalid_client"
    no_credentials = client.post("/oauth/token", data={"grant_type": "client_credentials"})
    assert no_credentials.status_code == 401 and no_credentials.get_json() == answers[0]


def test_a_scope_the_client_does_not_hold_is_refused(client, register, partner):
    """Asking for more than the client holds is invalid_scope, and issues nothing; other grants are unsupported."""
    client_id, _pk, secret = register(partner_id=partner().id)
    asked = client.post("/oauth/token", data={"grant_type": "client_credentials", "scope": "stats:read"},
                        headers=basic(client_id, secret))  # fmt: skip
    assert asked.status_code == 400 and asked.get_json()["error"] == "invalid_scope"
    password = client.post("/oauth/token", data={"grant_type": "password", "username": "a", "password": "b"},
                           headers=basic(client_id, secret))  # fmt: skip
    assert password.status_code == 400 and password.get_json()["error"] == "unsupported_grant_type"
    with client.application.app_context():
        assert db.session.scalars(select(ClientToken)).all() == []


def test_a_till_validates_its_partners_voucher_and_nothing_else(
    client, resident_client, register, token_for, partner, reward, give
):
    """A vouchers:validate token looks a voucher up and marks it used (recorded as the client's doing); another
    partner's voucher is 403; it cannot redeem or read the resident's data."""
    pool, museum = partner(), partner()
    client_id, pk, secret = register(partner_id=pool.id)
    token = token_for(client_id, secret)["access_token"]
    ours = _a_voucher(resident_client, reward, give, pool)
    theirs = _a_voucher(resident_client, reward, give, museum)
    assert client.get(f"{API}/vouchers/{ours}", headers=bearer(token)).get_json()["usable"] is True
    used = client.post(f"{API}/vouchers/{ours}/validate", headers=bearer(token))
    assert used.status_code == 200 and used.get_json()["status"] == "used"
    assert_error(client.post(f"{API}/vouchers/{ours}/validate", headers=bearer(token)), 409, rule="used")
    assert_error(client.post(f"{API}/vouchers/{theirs}/validate", headers=bearer(token)), 403, rule="other_partner")
    with client.application.app_context():
        voucher = db.session.scalar(select(Voucher).where(Voucher.code == ours))
        assert voucher.validated_by_client_id == pk and voucher.validated_by_id is None
        other = db.session.scalar(select(Voucher).where(Voucher.code == theirs))
        assert other.status == VoucherStatus.ISSUED


def _operations(client):
    """Every operation of the OpenAPI description: (method, path template, path with its parameters filled)."""
    spec = client.get("/api/openapi.json").get_json()
    for template, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            url = template
            for parameter in operation.get("parameters", []) + item.get("parameters", []):
                if parameter["in"] == "path":
                    schema = parameter["schema"]
                    filler = "1" if schema.get("type") == "integer" else "ABCD-EFGH-JKMN-PQRS"
                    filler = schema["enum"][0] if schema.get("enum") else filler  # e.g. a team captain's {action}
                    url = url.replace("{" + parameter["name"] + "}", filler)
            yield method, template, url, operation


def test_walking_every_operation_a_validate_token_gets_403_everywhere_else(client, register, token_for, partner):
    """Every API operation but the two voucher ones answers 403 to a vouchers:validate token (reads, public ones and
    writes alike), and the description names that scope on exactly those two."""
    client_id, _pk, secret = register(partner_id=partner().id)
    token = token_for(client_id, secret)["access_token"]
    allowed, wrong = set(), []
    for method, template, url, operation in _operations(client):
        schemes = [scheme for requirement in operation.get("security", []) for scheme in requirement.items()]
        if ("clientCredentials", ["vouchers:validate"]) in schemes:
            allowed.add((method, template))
            continue
        response = client.open(url, method=method.upper(), json={}, headers=bearer(token))
        if response.status_code != 403:
            wrong.append(f"{method.upper()} {template}: {response.status_code}")
    assert wrong == []
    assert allowed == VALIDATE_OPERATIONS


def test_an_expired_token_is_refused(client, register, token_for, partner):
    """Once its lifetime has passed, a token is 401 on the operation it was good for."""
    client_id, _pk, secret = register(partner_id=partner().id)
    token = token_for(client_id, secret)["access_token"]
    assert client.get(f"{API}/vouchers/ABCD", headers=bearer(token)).status_code == 404  # live: the code is unknown
    with client.application.app_context():
        db.session.execute(update(ClientToken).values(issued_at=utcnow() - timedelta(seconds=901)))
        db.session.commit()
    assert_error(client.get(f"{API}/vouchers/ABCD", headers=bearer(token)), 401)


def test_revoking_a_client_ends_its_tokens_and_its_secret(client, register, token_for, partner):
    """After revocation the token is 401 and the secret gets no new one; revoking twice changes nothing."""
    client_id, pk, secret = register(partner_id=partner().id)
    token = token_for(client_id, secret)["access_token"]
    with client.application.app_context():
        services.revoke_client(services.get_client(pk))
        services.revoke_client(services.get_client(pk))
        db.session.commit()
    assert_error(client.get(f"{API}/vouchers/ABCD", headers=bearer(token)), 401)
    response = client.post("/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(client_id, secret))
    assert response.status_code == 401


def test_rotating_the_secret_ends_the_old_secret_and_its_tokens(client, register, token_for, partner):
    """A new secret works at once; the old secret and the tokens issued with it are refused."""
    client_id, pk, old_secret = register(partner_id=partner().id)
    old_token = token_for(client_id, old_secret)["access_token"]
    with client.application.app_context():
        new_secret = services.rotate_secret(services.get_client(pk))
        db.session.commit()
    assert_error(client.get(f"{API}/vouchers/ABCD", headers=bearer(old_token)), 401)
    refused = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                          headers=basic(client_id, old_secret))  # fmt: skip
    assert refused.status_code == 401
    new_token = token_for(client_id, new_secret)["access_token"]
    assert client.get(f"{API}/vouchers/ABCD", headers=bearer(new_token)).status_code == 404


def test_a_made_up_client_token_is_401(client):
    """A token with the clients' prefix that was never issued is 401, not a personal-token lookup."""
    assert_error(client.get(f"{API}/vouchers/ABCD", headers=bearer("cqo_made-up")), 401)
    assert_error(client.get(f"{API}/rewards", headers=bearer("cqo_made-up")), 401)


def test_stats_read_reads_statistics_and_the_data_use_log_names_the_client(client, register, token_for):
    """A stats:read token reads the protected statistics; any data use it causes is logged under the client's
    name; it cannot publish open data (a write)."""
    client_id, _pk, secret = register(scopes=("stats:read",), name="Statistics office feed", organisation="City")
    token = token_for(client_id, secret)["access_token"]
    with client.application.app_context():
        defaults.install_defaults()  # the purpose "municipal statistics", which every export is logged under
        db.session.commit()
    response = client.get(f"{API}/stats/participation?group_by=city", headers=bearer(token))
    assert response.status_code == 200, response.get_json()
    assert client.get(f"{API}/stats/exports", headers=bearer(token)).status_code == 200
    assert client.post(f"{API}/stats/open-data", headers=bearer(token)).status_code == 403
    assert client.get(f"{API}/vouchers/ABCD", headers=bearer(token)).status_code == 403

    with client.application.app_context():
        labels = db.session.scalars(select(DataUse.actor_label)).all()
    assert labels == [f"Statistics office feed (City, client {client_id})"]


def test_every_client_call_is_logged_with_the_client(client, register, token_for, partner, caplog):
    """The log names the client (name, organisation, client id) for each call, refused ones included."""
    client_id, _pk, secret = register(partner_id=partner().id)
    token = token_for(client_id, secret)["access_token"]
    with caplog.at_level(logging.INFO):
        client.get(f"{API}/vouchers/ABCD", headers=bearer(token))
        client.get(f"{API}/rewards", headers=bearer(token))
    calls = [record.getMessage() for record in caplog.records if "API call by client" in record.getMessage()]
    assert len(calls) == 2
    assert all(f"Till at the Stadtbad (Stadtbad, client {client_id})" in line for line in calls)
    assert calls[1].endswith("GET /api/v1/rewards -> 403")


def test_the_token_endpoint_is_rate_limited(app, register, partner):
    """Guessing secrets costs: past OAUTH_TOKEN_RATE_LIMIT per address, 429 in JSON, even with the right secret."""
    client_id, _pk, secret = register(partner_id=partner().id)
    limited = build_app(app, RATELIMIT_ENABLED=True, OAUTH_TOKEN_RATE_LIMIT="3 per minute")
    client = limited.test_client()
    form = {"grant_type": "client_credentials"}
    wrong = [client.post("/oauth/token", data=form, headers=basic(client_id, secret + "x")) for _ in range(3)]
    blocked = client.post("/oauth/token", data=form, headers=basic(client_id, secret))
    assert [response.status_code for response in wrong] == [401, 401, 401]
    assert blocked.status_code == 429 and blocked.is_json, blocked.get_data(as_text=True)[:200]
