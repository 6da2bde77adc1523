"""One error format: JSON for the API, a friendly page for everything else."""

import marshmallow as ma
from flask import render_template, request
from flask_smorest import Api
from flask_smorest.error_handler import ErrorSchema
from werkzeug.exceptions import HTTPException


def is_api_request() -> bool:
    """True for requests to the JSON API, which never get an HTML answer."""
    return request.path.startswith("/api/")


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
    payload = {"code": code, "status": status, "message": message}
    if rule:
        payload["rule"] = rule
    if errors:
        payload["errors"] = errors
    return payload, code, headers or {}


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
            message = "The input is not valid." if errors else error.description
        headers = {**own_headers, **(data.get("headers") or {})}
        if error.code == 401:
            headers.setdefault("WWW-Authenticate", 'Bearer realm="civiquest"')
        return json_error(error.code, error.name, message, errors, headers, rule=data.get("rule"))
