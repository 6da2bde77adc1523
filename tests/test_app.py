"""The app factory, configuration, health check, error pages and migrations."""

import importlib
import sys

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app import create_app, scheduler
from app.config import TestConfig
from app.extensions import db


def test_config_from_environment(monkeypatch):
    """DATABASE_URL, REDIS_URL and TIMEZONE come from the environment; postgres:// is normalised."""
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example:5432/civiquest")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("TIMEZONE", "Europe/Vienna")
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    import app.config as config_module

    reloaded = importlib.reload(config_module)
    try:
        assert reloaded.Config.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://u:p@db.example:5432/civiquest"
        assert reloaded.Config.RATELIMIT_STORAGE_URI == "redis://127.0.0.1:6379/0"
        assert reloaded.Config.TIMEZONE == "Europe/Vienna"
        assert reloaded.Config.SECRET_KEY == "s3cret"
    finally:
        monkeypatch.undo()
        importlib.reload(config_module)


def test_embedded_defaults(monkeypatch):
    """Without environment the app uses SQLite in instance/, rate limits counted in it, and Berlin time."""
    for name in ("DATABASE_URL", "REDIS_URL", "TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    import app.config as config_module

    reloaded = importlib.reload(config_module)
    try:
        assert reloaded.Config.SQLALCHEMY_DATABASE_URI.endswith("/instance/civiquest.db")
        assert reloaded.Config.RATELIMIT_STORAGE_URI == "civiquest+db://"
        assert reloaded.Config.TIMEZONE == "Europe/Berlin"
        assert reloaded.Config.SESSION_COOKIE_HTTPONLY and reloaded.Config.SESSION_COOKIE_SAMESITE == "Lax"
    finally:
        monkeypatch.undo()
        importlib.reload(config_module)


def test_create_app_accepts_overrides():
    """create_app takes a config class or a dict of overrides."""
    assert create_app(TestConfig).testing
    assert create_app({"TIMEZONE": "UTC"}).config["BABEL_DEFAULT_TIMEZONE"] == "UTC"


def test_wsgi_exposes_app(monkeypatch):
    """gunicorn wsgi:app finds a Flask app, and the web process asks for the in-app scheduler."""
    started = []
    monkeypatch.setattr(scheduler, "start_in_app", started.append)  # no real scheduler thread in tests
    sys.modules.pop("wsgi", None)
    wsgi = importlib.import_module("wsgi")
    assert wsgi.app.name == "app"
    assert started == [wsgi.app]


def test_healthz(client):
    """The health check answers 200 when the database answers."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_a_dead_database(tmp_path):
    """With the database unreachable the health check answers 503, not 500."""
    broken = create_app(
        {
            **{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
        }
    )
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_html_errors_are_pages(client):
    """Errors outside the API are friendly HTML pages."""
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Page not found" in response.get_data(as_text=True)


def test_migrations_match_the_models(app):
    """The migrations build exactly the schema the models describe (nothing left to migrate)."""
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []
