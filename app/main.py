"""The landing page and the health check."""

from flask import Blueprint, jsonify, render_template, session
from sqlalchemy import text

from app.extensions import db, limiter
from app.security import PUBLIC, serves

bp = Blueprint("main", __name__)


@bp.route("/")
@serves(PUBLIC)
def index():
    # Set by registration: a new resident is shown their first steps once, instead of "welcome back".
    return render_template("index.html", new_account=session.pop("new_account", False))


@bp.route("/api-documentation")
@serves(PUBLIC)
def api_documentation():
    """How to use the JSON API, with a link to its OpenAPI description."""
    return render_template("api_documentation.html")


@bp.route("/healthz")
@serves(PUBLIC)
@limiter.exempt
def healthz():
    """Liveness and readiness: answers 200 only when the database answers."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not ready", whatever the driver raises
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
