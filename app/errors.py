"""One error path: the domain errors every package raises, and one handler that answers them as JSON under
`/api/` (code, status, message, errors, and rule where a rule refused) and as the error page elsewhere."""

import marshmallow as ma
from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_smorest import Api
from flask_smorest.error_handler import ErrorSchema
from werkzeug.exceptions import HTTPException, default_exceptions
from werkzeug.http import HTTP_STATUS_CODES


class DomainError(Exception):
    """A business rule refused a request. Services raise it; the one handler below answers it.

    `status` is the HTTP status it answers with, `rule` the short name of the rule broken (for
    programs), `field` the input it concerns (for forms and the API's `errors`).
    """

    status = 422
    rule: str | None = None
    field: str | None = None
    message = _l("The request could not be completed.")

    def __init__(self, message=None, field: str | None = None, rule: str | None = None):
        self.message = message or self.message
        self.field = field or self.field
        self.rule = rule or self.rule
        super().__init__(str(self.message))

    def field_errors(self) -> dict[str, list[str]]:
        """Messages per input field, as the API's `errors` shows them."""
        return {self.field: [str(self.message)]} if self.field else {}


class FieldErrors:
    """Mixed into a domain's error for "one or more fields break a rule"; `errors` maps each field to its message."""

    message = _l("Please correct the marked fields.")

    def __init__(self, errors: dict):
        self.errors = errors
        super().__init__(field=next(iter(errors)))

    def field_errors(self) -> dict[str, list[str]]:
        return {field: [str(text)] for field, text in self.errors.items()}


class NotFound(DomainError):
    """What was asked for does not exist, or the asker may not know that it does."""

    status = 404
    rule = "not_found"
    message = _l("Not found.")


class Forbidden(DomainError):
    """The asker's role or relation does not allow this."""

    status = 403
    rule = "not_allowed"
    message = _l("You are not allowed to do this.")


class Conflict(DomainError):
    """The thing is in a state that does not allow this now."""

    status = 409
    rule = "conflict"


def is_api_request() -> bool:
    """True for requests to the JSON API and the OAuth token endpoint, which never get an HTML answer."""
    return request.path.startswith(("/api/", "/oauth/"))


def flatten_field_errors(errors: dict | None) -> dict:
    """Turn webargs' {location: {field: [...]}} into {field: [...]}, the API's one shape."""
    if not errors:
        return {}
    flat: dict = {}
    for location, fields in errors.items():
        if isinstance(fields, dict):
            flat.update(fields)
        else:
            flat[location] = fields
    return flat


def json_error(code: int, status: str, message: str, errors: dict | None = None, headers=None, rule=None):
    """Build the API's error body: code, status, message and, when useful, messages per field and the rule broken."""
    payload = {"code": code, "status": status, "message": message, "errors": errors or {}}
    if rule:
        payload["rule"] = rule
    return payload, code, headers or {}


def domain_error_answer(error: DomainError):
    """The one answer to a refused request: JSON under /api/, the error page (with the reason) elsewhere."""
    status = HTTP_STATUS_CODES.get(error.status, "Error")
    if is_api_request():
        return json_error(error.status, status, str(error.message), error.field_errors(), rule=error.rule)
    page_error = default_exceptions.get(error.status, HTTPException)()
    return render_template("errors/error.html", error=page_error, message=str(error.message)), error.status


def init_app(app) -> None:
    app.register_error_handler(DomainError, domain_error_answer)


def _generic_message(error: HTTPException) -> str:
    """A message in the caller's language for an HTTP error that brought none of its own."""
    messages = {
        400: _l("The request is not valid."),
        403: _l("You are not allowed to do this."),
        404: _l("Not found."),
        405: _l("This method is not allowed here."),
        413: _l("The request is too large."),
        415: _l("This type of content is not accepted here."),
        429: _l("Too many requests. Please wait a minute and try again."),
    }
    return str(messages.get(error.code, _l("The request could not be completed.")))


class ApiErrorSchema(ErrorSchema):
    """The error body as documented in the OpenAPI description."""

    rule = ma.fields.String(metadata={"description": "Short name of the rule a refused request broke"})


class CiviquestApi(Api):
    """flask-smorest's Api, with errors on HTML pages rendered as pages instead of JSON."""

    ERROR_SCHEMA = ApiErrorSchema

    def handle_http_exception(self, error: HTTPException):
        # Keep the headers the error carries, such as Allow on 405 and Retry-After on 429.
        own_headers = {name: value for name, value in error.get_headers() if name.lower() != "content-type"}
        if not is_api_request():
            return render_template("errors/error.html", error=error), error.code, own_headers
        data = getattr(error, "data", {}) or {}
        errors = flatten_field_errors(data.get("messages") or data.get("errors"))
        message = data.get("message")
        if not message:
            message = _("The input is not valid.") if errors else _generic_message(error)
        headers = {**own_headers, **(data.get("headers") or {})}
        if error.code == 401:
            headers.setdefault("WWW-Authenticate", 'Bearer realm="civiquest"')
        return json_error(error.code, error.name, message, errors, headers, rule=data.get("rule"))
