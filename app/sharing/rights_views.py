"""Pages for the resident's rights: download my data, delete my account."""

from flask import Blueprint

bp = Blueprint("rights", __name__, template_folder="templates")
