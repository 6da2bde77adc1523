"""The one error path: every domain's errors answer in the one JSON shape under /api/ and as the error page
elsewhere, and a refused request keeps nothing it wrote (the unit-of-work rule, on SQLite and PostgreSQL)."""

import importlib
import pkgutil

import pytest
from flask import Blueprint, redirect
from sqlalchemy import func, select

from app import create_app
from app.errors import DomainError, FieldErrors
from app.extensions import db
from app.security import PUBLIC, serves
from app.transactions import refuse
from neighbourhoods import services as neighbourhoods
from neighbourhoods.models import Neighbourhood

DOMAINS = (
    "accounts",
    "neighbourhoods",
    "notifications",
    "challenges",
    "leaderboards",
    "rewards",
    "sharing",
    "stats",
    "nudges",
    "admin",
    "privacy",
)


def _import_every_module() -> None:
    for name in DOMAINS:
        try:
            package = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        for module in pkgutil.walk_packages(package.__path__, f"{name}."):
            importlib.import_module(module.name)


def _every_error_class() -> list[type[DomainError]]:
    _import_every_module()
    found, todo = [], [DomainError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted(set(found), key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def _instance(cls: type[DomainError]) -> DomainError:
    """An instance of any domain error, whatever its constructor asks for."""
    if issubclass(cls, FieldErrors):
        return cls({"title": "Give a title."})
    for args in ((), (["title"],), ("Refused.",), ("Refused.", "code")):
        try:
            return cls(*args)
        except TypeError:
            continue
    raise AssertionError(f"cannot build {cls}")


ERRORS = _every_error_class()


@pytest.fixture(scope="module")
def raising_app(app):
    """A second app on the test database whose routes raise any domain error, as page and as API."""
    other = create_app({**app.config})
    blueprint = Blueprint("raising", __name__)

    @blueprint.route("/api/v1/raise/<int:index>")
    @blueprint.route("/raise/<int:index>")
    @serves(PUBLIC)
    def raise_error(index: int):
        raise _instance(ERRORS[index])

    @blueprint.route("/write-then-raise", methods=["POST"])
    @serves(PUBLIC)
    def write_then_raise():
        neighbourhoods.create_neighbourhood("Written before refusing", 10)
        raise DomainError("Refused after writing.")

    @blueprint.route("/write-then-refuse", methods=["POST"])
    @serves(PUBLIC)
    def write_then_refuse():
        neighbourhoods.create_neighbourhood("Written before refusing", 10)
        refuse(DomainError("Refused after writing."))
        return redirect("/")

    @blueprint.route("/write-then-crash", methods=["POST"])
    @serves(PUBLIC)
    def write_then_crash():
        neighbourhoods.create_neighbourhood("Written before refusing", 10)
        raise RuntimeError("a bug")

    @blueprint.route("/write", methods=["POST"])
    @serves(PUBLIC)
    def write():
        neighbourhoods.create_neighbourhood("Written and kept", 10)
        return redirect("/")

    other.register_blueprint(blueprint)
    other.config["PROPAGATE_EXCEPTIONS"] = False
    return other


def test_every_domain_defines_its_errors_on_the_one_base():
    """Each domain's errors module derives from app.errors.DomainError (no second hierarchy)."""
    modules = {cls.__module__ for cls in ERRORS}
    for name in ("accounts", "challenges", "leaderboards", "neighbourhoods", "notifications", "rewards"):
        assert f"{name}.errors" in modules
    assert len(ERRORS) > 40


@pytest.mark.parametrize("index", range(len(ERRORS)), ids=[f"{c.__module__}.{c.__qualname__}" for c in ERRORS])
def test_every_domain_error_answers_in_the_one_json_shape(raising_app, index):
    """code, status, message and errors always; rule whenever the error names one; the status it declares."""
    error = _instance(ERRORS[index])
    response = raising_app.test_client().get(f"/api/v1/raise/{index}")
    body = response.get_json()
    assert response.status_code == error.status
    assert 400 <= response.status_code < 500
    assert set(body) - {"rule"} == {"code", "status", "message", "errors"}
    assert body["code"] == error.status
    assert isinstance(body["status"], str) and body["status"]
    assert body["message"] == str(error.message)
    assert isinstance(body["errors"], dict)
    assert all(isinstance(messages, list) and messages for messages in body["errors"].values())
    assert body.get("rule") == error.rule


@pytest.mark.parametrize("index", range(len(ERRORS)), ids=[f"{c.__module__}.{c.__qualname__}" for c in ERRORS])
def test_every_domain_error_on_a_page_is_the_error_page(raising_app, index):
    """Outside /api/ the same error renders the error page with its status, never JSON and never a 500."""
    error = _instance(ERRORS[index])
    response = raising_app.test_client().get(f"/raise/{index}")
    assert response.status_code == error.status
    assert response.mimetype == "text/html"


def test_real_api_refusals_share_the_shape(client, make_user, make_token):
    """Answers of real endpoints (not found, invalid input, unauthenticated) have the same keys."""
    token = make_token(make_user())
    headers = {"Authorization": f"Bearer {token}"}
    for path, method, payload, status in (
        ("/api/v1/challenges/999999", "get", None, 404),
        ("/api/v1/challenges/999999/enrollment", "put", None, 404),
        ("/api/v1/me", "patch", {"household_size": "many"}, 422),
        ("/api/v1/rewards/999999", "get", None, 404),
    ):
        response = getattr(client, method)(path, json=payload, headers=headers)
        body = response.get_json()
        assert response.status_code == status, (path, body)
        assert {"code", "status", "message", "errors"} <= set(body), (path, body)
        assert body["code"] == status
    body = client.get("/api/v1/me").get_json()
    assert {"code", "status", "message", "errors"} <= set(body)


def _written(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Neighbourhood.id)).where(Neighbourhood.name.like("Written%")))


@pytest.mark.parametrize("path", ["/write-then-raise", "/write-then-refuse", "/write-then-crash"])
def test_a_refused_request_keeps_nothing_it_wrote(raising_app, path):
    """A service wrote, then the request was refused (error answer, refusal with a redirect, or a bug): rolled back."""
    response = raising_app.test_client().post(path)
    assert response.status_code in (302, 422, 500)
    assert _written(raising_app) == 0


def test_a_successful_request_commits_once(raising_app):
    """The counterpart, so the test above cannot pass by never committing."""
    assert raising_app.test_client().post("/write").status_code == 302
    assert _written(raising_app) == 1
