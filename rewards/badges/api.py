"""JSON API of a resident's badges: each with its public Open Badges assertion, and making one private.

The routes belong to the `api_points` blueprint (tag "Points and badges"), shared with the ledger.
"""

import re

from flask import url_for
from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_smorest.pagination import Page
from werkzeug.routing import BuildError

from accounts.models import Role
from app.security import serves, viewer
from rewards import errors
from rewards.badges import services
from rewards.badges.schemas import BadgeAwardSchema, BadgeUpdateSchema
from rewards.blueprints import my_api as blp

resident_required = serves(Role.RESIDENT)
BADGE_UID = re.compile(r"[0-9a-f]{1,32}")


def _url(endpoint: str, **values) -> str | None:
    """The public URL of a badge document, or None while its page does not exist."""
    try:
        return url_for(endpoint, _external=True, **values)
    except BuildError:
        return None


def _award(item) -> dict:
    badge = item.badge
    texts = {twin: getattr(badge, twin) for twin in ("name_en", "name_de", "description_en", "description_de")}
    shown_badge = {"id": badge.id, "name": badge.name, "description": badge.description, **texts,
                   "image_url": _url("badges.image", badge_id=badge.id)}  # fmt: skip
    return {"uid": item.uid, "badge": shown_badge, "awarded_at": item.awarded_at, "private": item.private,
            "assertion_url": _url("badges.assertion", uid=item.uid)}  # fmt: skip


@blp.route("/me/badges")
class MyBadges(MethodView):
    @resident_required
    @blp.response(200, BadgeAwardSchema(many=True))
    @blp.paginate(Page)
    def get(self):
        """Your badges (residents), newest first, each with its public Open Badges assertion URL."""
        return [_award(item) for item in services.awards_of(viewer())]


@blp.route("/me/badges/<uid>")
class MyBadge(MethodView):
    @resident_required
    @blp.arguments(BadgeUpdateSchema)
    @blp.response(200, BadgeAwardSchema)
    def patch(self, changes, uid):
        """Make one of your badges private (its public assertion then answers as revoked) or public again."""
        item = services.published_award(uid) if BADGE_UID.fullmatch(uid) else None
        if item is None:
            raise errors.NotFound(_l("No such badge."))
        return _award(services.set_private(item, viewer(), changes["private"]))
