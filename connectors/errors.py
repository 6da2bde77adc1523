"""What the connectors refuse."""

from app.errors import DomainError, FieldErrors


class ConnectorError(DomainError):
    """Any refusal of the connectors."""


class InvalidMeterLink(FieldErrors, ConnectorError):
    """A meter link that cannot be stored, with a message per field."""
