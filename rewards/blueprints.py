"""The blueprints rewards' sub-packages share, so every endpoint keeps the name it had before the split.

- `pages` ("rewards"): the catalogue's pages (rewards.catalogue.views) and a resident's points pages
  (rewards.points.views), with what their templates share;
- `my_api` ("api_points", tag "Points and badges"): a resident's ledger (rewards.points.api) and
  badges (rewards.badges.api).

Each of those modules adds its routes when it is imported; app.wiring imports them all before it
registers these blueprints.
"""

from flask import Blueprint

from app.pagination import Blueprint as ApiBlueprint
from rewards import display

pages = Blueprint("rewards", __name__, template_folder="templates")
my_api = ApiBlueprint("api_points", __name__, url_prefix="/api/v1", description="Points and badges")


@pages.context_processor
def rewards_context():
    return {"labels": display, "when": display.when, "day": display.day}
