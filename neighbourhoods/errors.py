from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from app.errors import DomainError


class NeighbourhoodNameTaken(DomainError):
    rule = "name_taken"
    field = "name"
    message = _l("A neighbourhood with this name already exists.")


class LookupNeedsInput(DomainError):
    status = 422
    rule = "street_or_postcode_required"
    field = "street"
    message = _l("Type your street, your postcode or both.")


class NotAPostcode(DomainError):
    status = 422
    rule = "not_a_postcode"
    field = "postcode"
    message = _l("A postcode has five digits, for example 79098.")


class StreetTableRefused(DomainError):
    """The uploaded street table has rows that cannot be read; nothing was changed. `problems` are (line, message)."""

    status = 422
    rule = "street_table_invalid"
    field = "file"

    def __init__(self, problems: list[tuple[int, str]]):
        self.problems = problems
        super().__init__(
            lazy_ngettext(
                "The street table was not changed: %(num)d row needs correcting (listed below).",
                "The street table was not changed: %(num)d rows need correcting (listed below).",
                len(problems),
            )
        )
