"""Roles on every path: each route's declaration (app.security.serves) is compared with the policy
table below, and every route is requested as each of seven callers; any route missing from the table,
any declaration that differs from it and any caller let through where the table says no fails."""

import re

import pytest
from sqlalchemy import select

from accounts.models import Role
from app.security import FRAMEWORK_ENDPOINTS, declared_roles
from tests.conftest import log_in

# Who a route serves, as callers: anonymous visitors, any logged-in account, or holders of roles
# (admins pass every role's check).
CALLERS = ("anonymous", "resident", "second resident", "manager", "staff", "partner", "admin")
PUBLIC = frozenset(CALLERS)
SIGNED_IN = PUBLIC - {"anonymous"}
RESIDENT = frozenset({"resident", "second resident", "admin"})
MANAGER = frozenset({"manager", "admin"})
STAFF = frozenset({"staff", "admin"})
ADMIN = frozenset({"admin"})
VALIDATOR = frozenset({"manager", "partner", "admin"})  # partners accept their own partner's vouchers
DECLARED = {PUBLIC: {"public"}, SIGNED_IN: {"signed-in"}, RESIDENT: {"resident"}, MANAGER: {"manager"},
            STAFF: {"staff"}, ADMIN: {"admin"}, VALIDATOR: {"manager", "partner"}}  # fmt: skip

POLICY = {
    **dict.fromkeys(
        [
            "GET /",
            "GET /api/v1/challenges",
            "GET /api/v1/challenges/<int:challenge_id>",
            "GET /api/v1/challenges/<int:challenge_id>/changes",
            "GET /api/v1/challenges/<int:challenge_id>/leaderboard",
            "GET /api/v1/challenges/<int:challenge_id>/leaderboard/neighbourhoods",
            "GET /api/v1/challenges/<int:challenge_id>/leaderboard/teams",
            "GET /api/v1/challenges/<int:challenge_id>/leaderboard/teams/<int:team_id>",
            "GET /challenges/<int:challenge_id>/leaderboard/teams",
            "GET /challenges/<int:challenge_id>/leaderboard/teams/<int:team_id>",
            "GET /api/v1/data/catalogue",
            "GET /api/v1/leaderboards/season",
            "GET /api/v1/neighbourhoods",
            "GET /api/v1/neighbourhoods/lookup",
            "GET /api/v1/rewards",
            "GET /api/v1/rewards/<int:reward_id>",
            "GET /badges/assertions/<uid>",
            "GET /badges/classes/<int:badge_id>",
            "GET /badges/classes/<int:badge_id>/criteria",
            "GET /badges/classes/<int:badge_id>/image.svg",
            "GET /badges/issuer",
            "GET /challenges",
            "GET /challenges/<int:challenge_id>",
            "GET /challenges/<int:challenge_id>/leaderboard",
            "GET /display",
            "POST /display",
            "GET /embed/challenges/<int:challenge_id>/neighbourhoods",
            "GET /embed/impact",
            "GET /impact",
            "GET /impact/badge.svg",
            "GET /api/v1/public/impact",
            "GET /healthz",
            "POST /language",
            "GET /leaderboards",
            "GET /leaderboards/season",
            "GET /login",
            "POST /login",
            "POST /oauth/token",
            "GET /login/with/<provider>",
            "GET /login/with/<provider>/callback",
            "POST /login/with/<provider>/backchannel-logout",
            "GET /login/with/complete",
            "POST /login/with/complete",
            "GET /login/with/link",
            "POST /login/with/link",
            "POST /login/code",
            "POST /logout",
            "GET /password/forgot",
            "POST /password/forgot",
            "GET /password/reset/<token>",
            "POST /password/reset/<token>",
            "GET /privacy",
            "GET /privacy-notice",
            "GET /imprint",
            "GET /accessibility",
            "POST /accessibility",
            "GET /api-documentation",
            "GET /register",
            "POST /register",
            "GET /rewards",
            "GET /rewards/<int:reward_id>",
            "GET /teams",
            "GET /api/v1/teams",
            "GET /projects",
            "GET /projects/<int:project_id>",
            "GET /api/v1/projects",
            "GET /api/v1/projects/<int:project_id>",
            "GET /api/v1/teams/<int:team_id>",
            "GET /teams/<int:team_id>",
        ],
        PUBLIC,
    ),
    **dict.fromkeys(
        [
            "GET /admin/legal",
            "POST /api/v1/connectors/meter-readings",
            "GET /api/v1/connectors/meters",
            "GET /api/v1/connectors/deliveries/<int:delivery_id>/rejected",
            "GET /admin/legal/<kind>",
            "POST /admin/legal/<kind>",
            "GET /admin/badges",
            "GET /admin/badges/<int:badge_id>/edit",
            "POST /admin/badges/<int:badge_id>/edit",
            "GET /admin/badges/new",
            "POST /admin/badges/new",
            "GET /admin/data",
            "POST /admin/data/categories",
            "GET /admin/data/categories/<int:category_id>",
            "POST /admin/data/categories/<int:category_id>",
            "POST /admin/data/purposes",
            "GET /admin/data/purposes/<int:purpose_id>",
            "POST /admin/data/purposes/<int:purpose_id>",
            "POST /admin/data/rates",
            "GET /admin/funding",
            "GET /admin/funding/<int:programme_id>/edit",
            "POST /admin/funding/<int:programme_id>/edit",
            "GET /admin/funding/new",
            "POST /admin/funding/new",
            "GET /admin/neighbourhoods",
            "POST /admin/neighbourhoods",
            "GET /admin/neighbourhoods/<int:neighbourhood_id>",
            "POST /admin/neighbourhoods/<int:neighbourhood_id>",
            "GET /admin/clients",
            "POST /admin/clients",
            "POST /admin/clients/<int:client_pk>/rotate",
            "POST /admin/clients/<int:client_pk>/revoke",
            "GET /admin/streets",
            "POST /admin/streets",
            "GET /admin/users",
            "GET /admin/users/<int:user_id>",
            "POST /admin/users/<int:user_id>",
        ],
        ADMIN,
    ),
    **dict.fromkeys(
        [
            "POST /api/v1/challenges",
            "GET /desk/residents/<int:user_id>/consents",
            "POST /desk/residents/<int:user_id>/consents",
            "PATCH /api/v1/challenges/<int:challenge_id>",
            "POST /api/v1/challenges/<int:challenge_id>/cancel",
            "POST /api/v1/challenges/<int:challenge_id>/publish",
            "GET /api/v1/challenges/<int:challenge_id>/review",
            "POST /api/v1/challenges/<int:challenge_id>/submissions/<int:submission_id>/review",
            "GET /api/v1/partners",
            "POST /api/v1/partners",
            "POST /api/v1/rewards",
            "PATCH /api/v1/rewards/<int:reward_id>",
            "POST /challenges/<int:challenge_id>/cancel",
            "GET /challenges/<int:challenge_id>/edit",
            "POST /challenges/<int:challenge_id>/edit",
            "POST /challenges/<int:challenge_id>/publish",
            "GET /challenges/<int:challenge_id>/review",
            "POST /challenges/<int:challenge_id>/review/<int:submission_id>/<any(approve, reject):decision>",
            "GET /challenges/new",
            "POST /challenges/new",
            "GET /desk",
            "GET /desk/register",
            "POST /desk/register",
            "GET /desk/residents/<int:user_id>",
            "GET /desk/residents/<int:user_id>/challenges/<int:challenge_id>",
            "POST /desk/residents/<int:user_id>/challenges/<int:challenge_id>/readings",
            "POST /desk/residents/<int:user_id>/challenges/<int:challenge_id>/trips",
            "POST /desk/residents/<int:user_id>/code",
            "POST /desk/residents/<int:user_id>/join",
            "GET /manage/partners",
            "POST /manage/partners",
            "POST /manage/partners/members",
            "GET /manage/rewards",
            "GET /manage/rewards/<int:reward_id>/edit",
            "POST /manage/rewards/<int:reward_id>/edit",
            "GET /manage/rewards/new",
            "POST /manage/rewards/new",
            "GET /manage/teams",
            "GET /manage/teams/<int:team_id>",
            "POST /manage/teams/<int:team_id>",
            "PATCH /api/v1/teams/<int:team_id>",
            "GET /manage/projects",
            "GET /manage/projects/new",
            "POST /manage/projects/new",
            "GET /manage/projects/<int:project_id>/edit",
            "POST /manage/projects/<int:project_id>/edit",
            "POST /manage/projects/<int:project_id>/cancel",
            "POST /api/v1/projects",
            "PATCH /api/v1/projects/<int:project_id>",
            "POST /api/v1/projects/<int:project_id>/cancel",
        ],
        MANAGER,
    ),
    **dict.fromkeys(
        [
            "DELETE /api/v1/challenges/<int:challenge_id>/enrollment",
            "PUT /api/v1/challenges/<int:challenge_id>/enrollment",
            "GET /api/v1/challenges/<int:challenge_id>/submissions",
            "POST /api/v1/challenges/<int:challenge_id>/submissions",
            "GET /api/v1/me/badges",
            "PATCH /api/v1/me/badges/<uid>",
            "GET /api/v1/me/ledger",
            "GET /api/v1/me/vouchers",
            "GET /api/v1/me/vouchers/<code>",
            "POST /api/v1/me/vouchers/<code>/cancel",
            "POST /api/v1/rewards/<int:reward_id>/redeem",
            "POST /challenges/<int:challenge_id>/join",
            "POST /challenges/<int:challenge_id>/leave",
            "GET /challenges/<int:challenge_id>/me",
            "POST /challenges/<int:challenge_id>/readings",
            "POST /challenges/<int:challenge_id>/trips",
            "GET /challenges/<int:challenge_id>/upload",
            "POST /challenges/<int:challenge_id>/upload",
            "GET /challenges/<int:challenge_id>/submissions/<int:submission_id>/withdraw",
            "POST /challenges/<int:challenge_id>/submissions/<int:submission_id>/withdraw",
            "POST /api/v1/challenges/<int:challenge_id>/submissions/<int:submission_id>/withdraw",
            "POST /rewards/<int:reward_id>/redeem",
            "GET /teams/new",
            "POST /teams/new",
            "GET /teams/join",
            "POST /teams/join",
            "POST /teams/<int:team_id>/ask",
            "POST /teams/<int:team_id>/leave",
            "POST /teams/<int:team_id>/members/<int:user_id>/<any(accept, decline, remove, captain):action>",
            "POST /teams/<int:team_id>/report",
            "POST /api/v1/teams",
            "POST /api/v1/teams/join",
            "POST /api/v1/teams/<int:team_id>/requests",
            "POST /api/v1/teams/<int:team_id>/leave",
            "POST /api/v1/teams/<int:team_id>/members/<int:user_id>/<any(accept, decline, remove, captain):action>",
            "POST /api/v1/teams/<int:team_id>/reports",
            "POST /projects/<int:project_id>/pledge",
            "POST /api/v1/projects/<int:project_id>/pledges",
            "GET /api/v1/me/pledges",
            "GET /me/tracks",
            "POST /me/tracks",
            "POST /api/v1/me/tracks",
            "GET /teams/<int:team_id>/sub-teams/new",
            "POST /teams/<int:team_id>/sub-teams/new",
            "POST /teams/<int:team_id>/contribution",
            "GET /teams/<int:team_id>/scores",
            "POST /api/v1/teams/<int:team_id>/sub-teams",
            "PUT /api/v1/teams/<int:team_id>/contribution",
        ],
        RESIDENT,
    ),
    **dict.fromkeys(
        [
            "GET /api/v1/me",
            "PATCH /api/v1/me",
            "GET /api/v1/me/consents",
            "POST /api/v1/me/consents",
            "DELETE /api/v1/me/consents/<int:consent_id>",
            "GET /api/v1/me/consents/<int:consent_id>/receipt",
            "GET /api/v1/me/data-uses",
            "GET /api/v1/me/export",
            "GET /api/v1/me/meter",
            "PUT /api/v1/me/meter",
            "DELETE /api/v1/me/meter",
            "GET /me/meter",
            "POST /me/meter",
            "POST /me/meter/unlink",
            "GET /api/v1/me/notification-preferences",
            "PUT /api/v1/me/notification-preferences",
            "GET /api/v1/me/notifications",
            "POST /api/v1/me/notifications/<int:notification_id>/read",
            "POST /api/v1/me/notifications/read-all",
            "GET /me/badges",
            "POST /me/badges/<uid>/privacy",
            "GET /me/consents",
            "POST /me/consents",
            "GET /me/consents/<int:consent_id>/receipt",
            "GET /me/consents/<int:consent_id>/receipt.html",
            "POST /me/consents/<int:consent_id>/revoke",
            "GET /me/data",
            "GET /me/delete",
            "POST /me/delete",
            "GET /me/export",
            "GET /me/export.zip",
            "GET /me/funding",
            "GET /me/notifications",
            "GET /me/notifications/<int:notification_id>/open",
            "POST /me/notifications/<int:notification_id>/read",
            "GET /me/notifications/preferences",
            "POST /me/notifications/preferences",
            "POST /me/notifications/read-all",
            "GET /me/points",
            "GET /me/points.csv",
            "GET /me/vouchers",
            "GET /me/vouchers/<code>",
            "POST /me/vouchers/<code>/cancel",
            "GET /profile",
            "POST /profile",
            "POST /profile/password",
            "POST /profile/sessions/<int:session_id>/end",
            "POST /profile/sessions/end-all",
            "POST /profile/sign-ins/<int:identity_id>/remove",
            "GET /tokens",
            "POST /tokens",
            "POST /tokens/<int:token_id>/revoke",
        ],
        SIGNED_IN,
    ),
    **dict.fromkeys(
        [
            "GET /api/v1/stats/exports",
            "POST /api/v1/stats/open-data",
            "GET /api/v1/stats/open-data/budget",
            "GET /api/v1/stats/participation",
            "GET /data-uses",
            "GET /stats",
            "GET /stats/export",
            "GET /stats/exports",
            "GET /stats/measures/<measure>",
            "POST /stats/open-data",
            "GET /stats/<any(participation, comparison, savings, retention, consents, definitions):section>",
            "GET /tracks/grid",
            "GET /tracks/grid/export",
        ],
        STAFF,
    ),
    **dict.fromkeys(
        [
            "GET /api/v1/vouchers/<code>",
            "POST /api/v1/vouchers/<code>/validate",
            "GET /vouchers/validate",
            "POST /vouchers/validate",
        ],
        VALIDATOR,
    ),
}

# Values for the path's variables: ids and codes that exist nowhere, so an admitted caller gets 404 at most.
SAMPLE_VALUES = {"int": "999999", "default": "nothing-here", "path": "nothing-here"}
LOGS_OUT = {"POST /logout", "POST /profile/sessions/end-all"}
ROLE_OF = {"resident": Role.RESIDENT, "second resident": Role.RESIDENT, "manager": Role.MANAGER,
           "staff": Role.STAFF, "partner": Role.PARTNER, "admin": Role.ADMIN}  # fmt: skip


def _routes(app) -> dict[str, object]:
    """Every route of the app but Flask's and flask-smorest's own, as "METHOD /rule" → rule."""
    routes = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in FRAMEWORK_ENDPOINTS:
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routes[f"{method} {rule.rule}"] = rule
    return routes


def _url(rule) -> str:
    """The rule's path with each variable filled by a sample value (the first choice of an `any`)."""

    def fill(match):
        converter, _, rest = match[1].partition("(")
        if converter == "any":
            return rest.split(",")[0].strip()
        return SAMPLE_VALUES.get(converter if rest or ":" in match[0] else "default", SAMPLE_VALUES["default"])

    return re.sub(
        r"<(?:([a-z]+(?:\([^)]*\))?):)?[a-z_]+>", lambda m: fill(m) if m[1] else SAMPLE_VALUES["default"], rule.rule
    )


def test_every_route_is_in_the_policy_table(app):
    """A new route fails here until it is added to POLICY; a removed one until it is taken out."""
    routes = set(_routes(app))
    assert sorted(routes - POLICY.keys()) == [], "routes without a policy"
    assert sorted(POLICY.keys() - routes) == [], "policies of routes that no longer exist"


def test_every_route_declares_the_roles_of_the_table(app):
    """Each view declares (with app.security.serves) exactly the roles its policy names."""
    wrong = {}
    for key, rule in _routes(app).items():
        declared = declared_roles(app.view_functions[rule.endpoint], key.split()[0])
        if {str(role) for role in declared or ()} != DECLARED[POLICY[key]]:
            wrong[key] = sorted(map(str, declared or ()))
    assert wrong == {}


@pytest.fixture
def callers(app, make_user):
    """A test client per caller, logged in through the log-in form (anonymous: not logged in)."""
    clients = {"anonymous": app.test_client()}
    for name, role in ROLE_OF.items():
        clients[name] = app.test_client()
        log_in(clients[name], make_user(role=role))
    return clients


def _send(client, method: str, url: str):
    body = {"json": {}} if url.startswith("/api/") else {"data": {}}
    response = client.open(url, method=method, **({} if method == "GET" else body))
    response.get_data()
    response.close()  # a streamed answer (a CSV) holds its app context until it is closed
    return response


def _refused(response, url: str, caller: str) -> bool:
    """True when the answer is the refusal the caller should get: log in (visitors) or 403 (other roles)."""
    if caller != "anonymous":
        return response.status_code == 403
    if url.startswith("/api/"):
        return response.status_code == 401
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_each_caller_gets_through_exactly_where_the_policy_says(app, callers):
    """Every route × every caller: admitted callers are never refused (nor answered 500), the others always are."""
    routes = _routes(app)
    # Logging out ends the caller's session: do it last.
    order = sorted(routes, key=lambda key: (key in LOGS_OUT, key))
    wrong = []
    for key in order:
        method, url = key.split()[0], _url(routes[key])
        for caller, client in callers.items():
            response = _send(client, method, url)
            refused = _refused(response, url, caller)
            admitted = caller in POLICY[key]
            if response.status_code >= 500 or refused == admitted or (admitted and response.status_code in (401, 403)):
                wrong.append(f"{key} as {caller}: {response.status_code}")
    assert wrong == []


@pytest.fixture
def owned(app, make_user):
    """What the first resident owns: an access token, a notification and the session of a second device."""
    from accounts import services as accounts
    from accounts import sessions
    from app.extensions import db
    from notifications import services as notifications
    from notifications.models import Notification

    owner = make_user()
    with app.app_context():
        user = db.session.get(type(owner), owner.id)
        token, _secret = accounts.create_token(user, "script")
        notifications.notify(user.id, "account", "registration_attempted", "owned-1", {"attempted_at": "2026-01-01"})
        device = sessions.start(user, "Firefox on Linux")
        db.session.commit()
        notification_id = db.session.scalar(select(Notification.id).where(Notification.user_id == user.id))
        ids = {"token": token.id, "notification": notification_id, "session": sessions.find(user.id, device).id}
        db.session.commit()
    return owner, ids


def _state(app, ids: dict) -> tuple:
    from accounts.models import AccessToken, UserSession
    from app.extensions import db
    from notifications.models import Notification

    with app.app_context():
        return (
            db.session.get(AccessToken, ids["token"]).revoked_at is None,
            db.session.get(Notification, ids["notification"]).read_at is None,
            db.session.get(UserSession, ids["session"]).ended_at is None,
        )


def test_a_second_resident_cannot_touch_what_the_first_owns(app, make_user, owned):
    """The second resident's role passes every check the first's does; ownership still keeps them out:
    another's token, notification or session is "not found" to them, and stays as it was."""
    owner, ids = owned
    other = app.test_client()
    log_in(other, make_user())
    attempts = [
        ("POST", f"/tokens/{ids['token']}/revoke"),
        ("POST", f"/me/notifications/{ids['notification']}/read"),
        ("GET", f"/me/notifications/{ids['notification']}/open"),
        ("POST", f"/api/v1/me/notifications/{ids['notification']}/read"),
        ("POST", f"/profile/sessions/{ids['session']}/end"),
    ]
    for method, url in attempts:
        response = _send(other, method, url)
        assert response.status_code in (302, 404), (url, response.status_code)
    assert _state(app, ids) == (True, True, True)
    mine = app.test_client()
    log_in(mine, owner)
    for method, url in attempts:
        _send(mine, method, url)
    assert _state(app, ids) == (False, False, False)  # the owner could do each of them


def test_a_route_without_a_declaration_serves_no_one(app):
    """Fail closed: a view that forgot app.security.serves answers 403, even to an admin."""
    from flask import Blueprint

    from app import create_app
    from app.config import TestConfig
    from app.extensions import db

    blueprint = Blueprint("forgetful", __name__)
    blueprint.add_url_rule("/forgot-to-declare", "forgot", lambda: "served")
    variant = create_app(
        type("Variant", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    )
    variant.register_blueprint(blueprint)
    try:
        assert variant.test_client().get("/forgot-to-declare").status_code == 403
    finally:
        with variant.app_context():
            db.engine.dispose()
