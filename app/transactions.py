"""One transaction per request (indico's rule): commit what a request did when it succeeded, roll back otherwise.

A request "did not succeed" when its answer is an error (status 400 or above) or when a view
refused the action it was asked for (`refuse()`), even if it answers with a redirect or a page.
Views therefore never call `db.session.rollback()` themselves.
"""

from flask import current_app, flash, g, request
from flask_login import current_user

from app.errors import is_api_request
from app.extensions import csrf, db
from app.security import bearer_token


def refuse(error=None, category: str = "error") -> None:
    """Mark this request's unit of work as refused (nothing it wrote is kept) and, if given, flash why."""
    g.unit_of_work_refused = True
    if error is not None:
        flash(str(getattr(error, "message", error)), category)


def refused() -> bool:
    """True when a view refused this request's action."""
    return g.get("unit_of_work_refused", False)


def init_app(app) -> None:
    @app.before_request
    def protect_session_api_writes():
        # Cookie-authenticated API writes need the CSRF header; token clients do not.
        if (
            is_api_request()
            and request.method not in ("GET", "HEAD", "OPTIONS")
            and not bearer_token()
            and current_user.is_authenticated
            and current_app.config.get("WTF_CSRF_ENABLED", True)
        ):
            csrf.protect()

    @app.after_request
    def commit_unit_of_work(response):
        """Commit what a successful request did; an error answer or a refused action rolls back."""
        if response.status_code < 400 and not refused():
            db.session.commit()
        else:
            db.session.rollback()
        return response
