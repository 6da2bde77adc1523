from flask_babel import lazy_gettext as _l

from app.accounts.errors import AccountError


class NeighbourhoodNameTaken(AccountError):
    field = "name"
    message = _l("A neighbourhood with this name already exists.")
