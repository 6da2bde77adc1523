"""Pages of challenges: browsing, joining, submitting, and the manager's tools."""

from flask import Blueprint

bp = Blueprint("challenges", __name__, url_prefix="/challenges", template_folder="templates")
