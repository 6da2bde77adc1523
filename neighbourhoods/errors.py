from flask_babel import lazy_gettext as _l

from app.errors import DomainError


class NeighbourhoodNameTaken(DomainError):
    rule = "name_taken"
    field = "name"
    message = _l("A neighbourhood with this name already exists.")
