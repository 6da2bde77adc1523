"""JSON API of accounts: the logged-in user's own profile."""

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort

from accounts import errors, services
from accounts.preferences import DisplayPrefs
from accounts.schemas import MeSchema, MeUpdateSchema
from app.security import SIGNED_IN, serves

blp = Blueprint("api_accounts", __name__, url_prefix="/api/v1", description="The logged-in user")


def serialise_me(user) -> dict:
    return {
        "id": user.id,
        "email": user.email,
        "pseudonym": user.pseudonym,
        "role": user.role,
        "neighbourhood": user.neighbourhood,
        "household_size": user.household_size,
        "language": user.language,
        "leaderboard_visible": user.leaderboard_visible,
        "display": DisplayPrefs.from_user(user).as_dict(),
        "created_at": user.created_at,
    }


@blp.route("/me")
class Me(MethodView):
    decorators = [serves(SIGNED_IN)]

    @blp.response(200, MeSchema)
    def get(self):
        """Your profile, language and display settings."""
        return serialise_me(current_user)

    @blp.arguments(MeUpdateSchema)
    @blp.response(200, MeSchema)
    def patch(self, changes: dict):
        """Change your profile; only the fields sent are changed."""
        display = changes.pop("display", None)
        try:
            if changes:
                services.update_profile(current_user, **changes)
        except errors.AccountError as error:
            status = 409 if isinstance(error, errors.PseudonymTaken) else 422
            abort(status, message=str(error.message), errors={error.field: [str(error.message)]})
        if display:
            merged = {**DisplayPrefs.from_user(current_user).as_dict(), **display}
            services.save_display_prefs(current_user, DisplayPrefs.clean(**merged))
        return serialise_me(current_user)
