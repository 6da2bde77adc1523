"""Civiquest: the application factory."""

import os
import sqlite3

from flask import Flask, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app import routing, security
from app.columns import render_migration_item
from app.config import BASE_DIR, INSTANCE_DIR, Config
from app.errors import is_api_request
from app.extensions import api, babel, csrf, db, limiter, login_manager, migrate
from app.i18n import select_locale, select_timezone
from app.stats.periods import sqlite_city_date


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    # SQLite needs foreign keys switched on, and WAL so readers never wait for the writer.
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        # Big sorts (the statistics' GROUP BY over millions of submissions) may use helper threads.
        cursor.execute(f"PRAGMA threads={min(4, os.cpu_count() or 1)}")
        cursor.close()
        # Statistics bucket timestamps by the city's calendar; SQLite needs the zone conversion from Python.
        dbapi_connection.create_function("city_date", 2, sqlite_city_date, deterministic=True)


def create_app(config=None) -> Flask:
    """Build the app; `config` is a Config class or a dict of overrides."""
    app = Flask(__name__, static_folder=str(BASE_DIR / "static"), instance_path=str(INSTANCE_DIR))
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["TIMEZONE"]
    routing.init_app(app)  # before any blueprint adds a rule

    _init_extensions(app)
    _register_blueprints(app)
    _register_request_hooks(app)
    security.init_app(app)

    from app import cli, templating

    templating.init_app(app)
    cli.init_app(app)
    return app


def _init_extensions(app: Flask) -> None:
    from app import models  # noqa: F401  (every model registered before migrations look)
    from app.notifications import tasks as notification_tasks  # noqa: F401
    from app.nudges import tasks as nudge_tasks  # noqa: F401
    from app.sharing import tasks as sharing_tasks  # noqa: F401
    from challenges import tasks  # noqa: F401  (registers its scheduled jobs)
    from leaderboards import receivers  # noqa: F401  (keeps season points from challenges' signals)
    from leaderboards import tasks as leaderboard_tasks  # noqa: F401
    from rewards import receivers as reward_receivers  # noqa: F401  (pays points from challenges' signals)
    from rewards import tasks as reward_tasks  # noqa: F401

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(BASE_DIR / "migrations"),
        render_as_batch=True,  # SQLite can only alter tables by copying them
        compare_type=True,
        render_item=render_migration_item,
    )
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    limiter.init_app(app)
    login_manager.init_app(app)
    api.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from app import main
    from app.accounts import api as accounts_api
    from app.accounts import views as accounts_views
    from app.admin import views as admin_views
    from app.neighbourhoods import api as neighbourhoods_api
    from app.notifications import api as notifications_api
    from app.notifications import views as notifications_views
    from app.nudges import views as nudges_views
    from app.sharing import api as sharing_api
    from app.sharing import rights_api, rights_views
    from app.sharing import views as sharing_views
    from app.stats import api as stats_api
    from app.stats import views as stats_views
    from challenges import api as challenges_api
    from challenges import desk
    from challenges import views as challenges_views
    from leaderboards import api as leaderboards_api
    from leaderboards import views as leaderboards_views
    from rewards import api as rewards_api
    from rewards import badge_views, points_api
    from rewards import views as rewards_views

    pages = (main.bp, accounts_views.bp, admin_views.bp, challenges_views.bp, desk.bp, leaderboards_views.bp)
    for blueprint in (*pages, rewards_views.bp, badge_views.bp, sharing_views.bp, rights_views.bp, stats_views.bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(notifications_views.bp)
    app.register_blueprint(nudges_views.bp)
    apis = (
        accounts_api.blp,
        neighbourhoods_api.blp,
        challenges_api.blp,
        leaderboards_api.blp,
        rewards_api.blp,
        points_api.blp,
    )
    for blueprint in (*apis, sharing_api.blp, rights_api.blp, stats_api.blp, notifications_api.blp):
        # The API authenticates by token or session; session writes are CSRF-checked below.
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint)


def _register_request_hooks(app: Flask) -> None:
    from app.accounts import roles, services

    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    login_manager.unauthorized_handler(lambda: roles.unauthorized() or _redirect_to_login())

    @login_manager.user_loader
    def load_user_from_session(user_id: str):
        if _bearer_token():  # a token, when sent, decides alone
            return None
        user = services.get_user(int(user_id)) if user_id.isdigit() else None
        return user if user and user.active else None

    @login_manager.request_loader
    def load_user_from_token(_request):
        secret = _bearer_token()
        return services.user_for_token(secret) if secret else None

    @app.before_request
    def protect_session_api_writes():
        # Cookie-authenticated API writes need the CSRF header; token clients do not.
        if (
            is_api_request()
            and request.method not in ("GET", "HEAD", "OPTIONS")
            and not _bearer_token()
            and current_user.is_authenticated
            and app.config.get("WTF_CSRF_ENABLED", True)
        ):
            csrf.protect()

    @app.after_request
    def commit_unit_of_work(response):
        """One transaction per request: commit what a successful request did; errors roll back."""
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    return secret.strip() if scheme.lower() == "bearer" and secret.strip() else None


def _redirect_to_login():
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
