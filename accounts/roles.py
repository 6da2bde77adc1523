"""The one place roles are enforced, for pages and for the API alike."""

from functools import wraps

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest import abort

from accounts.models import Role
from app.errors import is_api_request
from app.extensions import login_manager

ROLE_LABELS = {
    Role.RESIDENT: _l("Resident"),
    Role.MANAGER: _l("Community manager"),
    Role.STAFF: _l("Municipal staff"),
    Role.ADMIN: _l("Admin"),
    Role.PARTNER: _l("Reward partner"),
}


def role_required(*roles: Role):
    """Let through logged-in users holding one of `roles` (any role when none is given).

    Anonymous visitors are sent to log in (pages) or get 401 (API); a wrong role gets 403.
    Admins pass every check.
    """

    def decorator(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if roles and not current_user.has_role(*roles):
                abort(403, message=_("Your role does not allow this."))
            return view(*args, **kwargs)

        return guarded

    return decorator


login_required = role_required()


def unauthorized():
    """Flask-Login's hook for anonymous visitors: 401 for the API, the log-in page otherwise."""
    if is_api_request():
        abort(401, message=_("Log in or send a valid access token."))
    return None  # Flask-Login then redirects to its login_view
