"""Pages of data sharing: the consent grid, receipts, my data, and the admins' data catalogue."""

from flask import Blueprint

bp = Blueprint("sharing", __name__, template_folder="templates")
