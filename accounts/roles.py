"""Roles' names as people read them, and the answer to anonymous visitors (pages and views declare the roles
they serve with app.security.serves, the one role check)."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_smorest import abort

from accounts.models import Role
from app.errors import is_api_request

ROLE_LABELS = {
    Role.RESIDENT: _l("Resident"),
    Role.MANAGER: _l("Community manager"),
    Role.STAFF: _l("Municipal staff"),
    Role.ADMIN: _l("Admin"),
    Role.PARTNER: _l("Reward partner"),
}


def unauthorized():
    """Flask-Login's hook for anonymous visitors: 401 for the API, the log-in page otherwise."""
    if is_api_request():
        abort(401, message=_("Log in or send a valid access token."))
    return None  # Flask-Login then redirects to its login_view
