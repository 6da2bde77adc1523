"""Civiquest: the application factory."""

import os
import sqlite3

from flask import Flask
from flask_babel import format_decimal
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app import bilingual, cli, errors, routing, security, transactions, wiring
from app.clock import sqlite_city_date
from app.columns import render_migration_item
from app.config import BASE_DIR, INSTANCE_DIR, Config
from app.extensions import api, babel, csrf, db, limiter, login_manager, migrate
from app.i18n import install_template_gettext, select_locale, select_timezone


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


def _sqlite_synchronous(level: str):
    """A connect listener setting SQLite's `synchronous` pragma; only the test suite asks for one."""

    def set_level(dbapi_connection, _record):
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.execute(f"PRAGMA synchronous={level}")

    return set_level


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
    transactions.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    app.add_template_filter(format_decimal, "numberformat")
    # Text a manager or admin wrote, in the reader's language or the other with a note (app.bilingual).
    app.add_template_global(bilingual.render, "localized")
    app.add_template_global(bilingual.pick, "pick_text")
    wiring.init_domains(app)
    cli.init_app(app, app.extensions["civiquest.commands"])
    return app


def _init_extensions(app: Flask) -> None:
    wiring.import_models()
    wiring.connect_receivers_and_jobs()
    db.init_app(app)
    if level := app.config["SQLITE_SYNCHRONOUS"]:
        with app.app_context():
            event.listen(db.engine, "connect", _sqlite_synchronous(level))
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
    install_template_gettext(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    api.init_app(app)


def _register_blueprints(app: Flask) -> None:
    pages, apis = wiring.blueprints()
    for blueprint in pages:
        app.register_blueprint(blueprint)
    for blueprint in apis:
        # The API authenticates by token or session; session writes are CSRF-checked (app.transactions).
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint)
