"""Badge pages: the public Open Badges documents, a resident's badges, and the admins' badge definitions."""

from flask import Blueprint

bp = Blueprint("badges", __name__, template_folder="templates")
