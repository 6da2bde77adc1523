"""The JSON API of rewards as a whole: who may call what, and fuzzing every rewards endpoint with data in place."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from accounts.models import Role, User
from app.extensions import db
from app.routing import MAX_ID
from rewards.badges import services as badges
from rewards.catalogue import redemption, services
from rewards.models import BadgeRule, Partner
from tests.rewards.conftest import API, assert_error, voucher_of

SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4"/></svg>'


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


# Roles ------------------------------------------------------------------------------------

CALLS = {
    "create reward": ("post", "/rewards", {"partner_id": 1, "title": "T", "cost": 5}),
    "edit reward": ("patch", "/rewards/{id}", {"title": "New"}),
    "redeem": ("post", "/rewards/{id}/redeem", None),
    "my vouchers": ("get", "/me/vouchers", None),
    "my voucher": ("get", "/me/vouchers/ABCD-EFGH-JKMN-PQRS", None),
    "cancel": ("post", "/me/vouchers/ABCD-EFGH-JKMN-PQRS/cancel", None),
    "check": ("get", "/vouchers/ABCD-EFGH-JKMN-PQRS", None),
    "validate": ("post", "/vouchers/ABCD-EFGH-JKMN-PQRS/validate", None),
    "ledger": ("get", "/me/ledger", None),
    "badges": ("get", "/me/badges", None),
    "hide badge": ("patch", "/me/badges/abc", {"private": True}),
    "partners": ("get", "/partners", None),
    "add partner": ("post", "/partners", {"name": "Museum"}),
}
MANAGER_ONLY = ["create reward", "edit reward", "partners", "add partner"]
VALIDATORS_ONLY = ["check", "validate"]
RESIDENT_ONLY = ["redeem", "my vouchers", "my voucher", "cancel", "ledger", "badges", "hide badge"]


def call(client, name: str, reward_id: int):
    method, path, body = CALLS[name]
    return getattr(client, method)(API + path.format(id=reward_id), json=body)


@pytest.mark.parametrize("name", CALLS)
def test_anonymous_callers_get_401_on_everything_but_the_catalogue(client, reward, name):
    """Every call but reading the catalogue needs a log-in: 401 with a Bearer challenge."""
    response = call(client, name, reward().id)
    assert_error(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("name", MANAGER_ONLY + VALIDATORS_ONLY)
def test_residents_get_403_on_manager_and_partner_calls(resident_client, reward, name):
    """Managing the catalogue and partners, and validating vouchers, are not for residents."""
    assert_error(call(resident_client, name, reward().id), 403)


@pytest.mark.parametrize("name", RESIDENT_ONLY)
def test_managers_staff_and_partners_get_403_on_resident_calls(
    manager_client, staff_client, partner_client, reward, name
):
    """Redeeming, vouchers, points and badges are a resident's own."""
    reward_id = reward().id
    for client in (manager_client, staff_client, partner_client):
        assert_error(call(client, name, reward_id), 403)


@pytest.mark.parametrize("name", MANAGER_ONLY + VALIDATORS_ONLY)
def test_staff_and_partners_get_403_on_manager_calls(staff_client, partner_client, reward, name):
    """Staff manage nothing here; partner accounts may only check and validate."""
    reward_id = reward().id
    assert_error(call(staff_client, name, reward_id), 403)
    if name in MANAGER_ONLY:
        assert_error(call(partner_client, name, reward_id), 403)


def test_admins_pass_every_role_check_but_never_accept_their_own_voucher(admin_client, manager_client, partner, give):
    """An admin can create a reward and redeem it; its voucher is accepted by someone else, never by the admin."""
    created = admin_client.post(f"{API}/rewards", json={"partner_id": partner().id, "title": "Pool", "cost": 10})
    assert created.status_code == 201, created.get_json()
    give(admin_client.user, 10)
    voucher = voucher_of(admin_client, created.get_json()["id"])
    refused = admin_client.post(f"{API}/vouchers/{voucher['code']}/validate")
    assert_error(refused, 403)
    assert refused.get_json()["rule"] == "own_voucher"
    assert admin_client.get(f"{API}/vouchers/{voucher['code']}").status_code == 403
    assert manager_client.post(f"{API}/vouchers/{voucher['code']}/validate").status_code == 200


def test_tokens_work_for_writes(client, make_user, make_token, reward, give):
    """A resident's personal access token redeems without a session."""
    resident = make_user()
    give(resident, 100)
    response = client.post(f"{API}/rewards/{reward().id}/redeem", headers=bearer(make_token(resident)))
    assert response.status_code == 201, response.get_json()


# Fuzzing with rewards in place ------------------------------------------------------------

# tests/test_openapi.py fuzzes the whole API with no rewards in the database. Here a few rewards,
# vouchers and a badge exist, and generated ids and codes are folded onto them, so the handlers
# behind the 404 run too.
SEEDED_REWARDS = 3


@pytest.fixture
def rewards_schema(app):
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app).include(
        path_regex="^/api/v1/(rewards|me/vouchers|me/ledger|me/badges|vouchers|partners)"
    )


rewards_api = schemathesis.pytest.from_fixture("rewards_schema")
fuzz_settings = settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture
def fuzz_world(app, make_user, make_token, partner, reward, give):
    """Rewards, a funded resident holding vouchers and a badge, and tokens by role."""
    resident, manager, partner_user = make_user(), make_user(role=Role.MANAGER), make_user(role=Role.PARTNER)
    pool = partner()
    ids = [reward(partner=pool).id, reward(stock=1, per_resident_limit=1).id, reward(active=False).id]
    assert ids == list(range(1, SEEDED_REWARDS + 1))
    give(resident, 10_000)
    with app.app_context():
        member = db.session.get(User, partner_user.id)
        services.add_partner_member(db.session.get(Partner, pool.id), member)
        holder = db.session.get(User, resident.id)
        codes = [redemption.redeem(holder, services.get_reward(ids[0]))[0].code for _ in range(3)]
        badges.create_badge(name="First step", description="D", criteria="C", image_svg=SVG,
                            rule=BadgeRule.FIRST_SUBMISSION)  # fmt: skip
        uid = badges.award(resident.id, BadgeRule.FIRST_SUBMISSION)[0].uid
        db.session.commit()
    tokens = {"resident": make_token(resident), "manager": make_token(manager), "partner": make_token(partner_user)}
    return {"tokens": tokens, "codes": codes, "uids": [uid]}


def _folded(name: str, value, world):
    if isinstance(value, int) and 0 < value <= MAX_ID:
        return value % SEEDED_REWARDS + 1
    known = {"code": world["codes"], "uid": world["uids"]}.get(name)
    if known and isinstance(value, str) and len(value) % 2 == 0:  # half the time: a real one
        return known[len(value) % len(known)]
    return value


def _call_as(case, world, role: str) -> None:
    case.path_parameters = {name: _folded(name, value, world) for name, value in (case.path_parameters or {}).items()}
    headers = {"Authorization": f"Bearer {world['tokens'][role]}"}
    case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])


@rewards_api.parametrize()
@fuzz_settings
def test_fuzzing_as_a_resident(case, fuzz_world):
    """Generated input from a funded resident holding vouchers never gives a 5xx or an answer off the schema."""
    _call_as(case, fuzz_world, "resident")


@rewards_api.parametrize()
@fuzz_settings
def test_fuzzing_as_a_manager(case, fuzz_world):
    """Generated input from a manager, against real rewards and vouchers, stays within the schema."""
    _call_as(case, fuzz_world, "manager")


@rewards_api.parametrize()
@fuzz_settings
def test_fuzzing_as_a_partner(case, fuzz_world):
    """Generated input from a partner account checking and validating real vouchers stays within the schema."""
    _call_as(case, fuzz_world, "partner")


@pytest.mark.parametrize("second", ["Ärztehaus am Markt", "ÄRZTEHAUS AM MARKT", "ärztehaus am markt"])
def test_a_partner_name_taken_in_any_case_is_a_field_error_not_a_500(manager_client, second):
    """SQLite's lower() folds only ASCII: the check must still find "Ärztehaus" before the unique constraint does."""
    assert manager_client.post("/api/v1/partners", json={"name": "Ärztehaus am Markt"}).status_code == 201
    answer = manager_client.post("/api/v1/partners", json={"name": second})
    assert answer.status_code == 422
    assert "name" in str(answer.get_json()["errors"])
