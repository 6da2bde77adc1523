"""What the connectors refuse."""

from flask_babel import lazy_gettext as _l

from app.errors import DomainError, FieldErrors, NotFound


class ConnectorError(DomainError):
    """Any refusal of the connectors."""


class InvalidMeterLink(FieldErrors, ConnectorError):
    """A meter link that cannot be stored, with a message per field."""


class DeliveryNotFound(NotFound, ConnectorError):
    """No delivery report of this caller under this id (never delivered by them, or past its time)."""

    message = _l("No report of yours is kept under this delivery id; reports are kept for 14 days.")
