"""Whom each route serves (`serves`, the one role check, failing closed), security headers and caching on
every response, the Secure flag on cookies served over HTTPS, and the refusal of input no person sends
(NUL and control characters, JSON too large or too deep for the parser)."""

import re
from functools import wraps

from flask import abort, current_app, g, has_request_context, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import abort as api_abort
from flask_wtf.csrf import CSRFError
from werkzeug.middleware.proxy_fix import ProxyFix

from app.errors import is_api_request
from app.extensions import api, login_manager

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "geolocation=(), camera=(), microphone=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


# Who a view serves, besides the roles of accounts.models.Role (admins pass every role's check):
PUBLIC = "public"  # anyone, logged in or not
SIGNED_IN = "signed-in"  # any logged-in account, whatever its role
# Routes Flask and flask-smorest add themselves: static files and the OpenAPI description, public.
FRAMEWORK_ENDPOINTS = frozenset({"static", "api-docs.openapi_json"})


def serves(*roles: str, scopes: tuple[str, ...] = ()):
    """Declare whom a page or API handler serves, and let only them through: the one role check.

    `serves(PUBLIC)` lets everyone in; `serves(SIGNED_IN)` any logged-in account; `serves(Role.X, …)`
    accounts holding one of the roles (admins pass every role's check). Anonymous visitors are sent to
    log in (pages) or get 401 (API); a wrong role gets 403. A route without a declaration is refused.

    `scopes` names the OAuth 2.0 scopes with which an organisation client's token may call an API handler
    too (clients.oauth checks the token before the view runs); a handler naming none serves no client.
    """
    if not roles:
        raise ValueError("serves() needs at least one role, PUBLIC or SIGNED_IN")
    declared = frozenset(roles)
    accepted_scopes = frozenset(scopes)

    def decorator(view):
        if accepted_scopes:
            _document_scopes(view, sorted(accepted_scopes))
        if PUBLIC in declared:
            view.served_roles, view.accepted_scopes = declared, accepted_scopes
            return view

        @wraps(view)
        def guarded(*args, **kwargs):
            if api_client() is not None:
                if not accepted_scopes & api_client_scopes():
                    api_abort(403, message=_("This client's token does not allow this."))
                return view(*args, **kwargs)
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if SIGNED_IN not in declared and not current_user.has_role(*declared):
                api_abort(403, message=_("Your role does not allow this."))
            return view(*args, **kwargs)

        guarded.served_roles, guarded.accepted_scopes = declared, accepted_scopes
        return guarded

    return decorator


# The OpenAPI security of an operation that organisation clients may call as well as people.
PERSONAL_SECURITY = [{"bearerAuth": []}, {"cookieAuth": []}]
CLIENT_SCHEME = "clientCredentials"


def _document_scopes(view, scopes: list[str]) -> None:
    """Write into the operation's OpenAPI description (flask-smorest's `_apidoc`) the client scopes it accepts."""
    apidoc = dict(getattr(view, "_apidoc", {}))
    security = [*PERSONAL_SECURITY, {CLIENT_SCHEME: scopes}]
    apidoc["manual_doc"] = {**apidoc.get("manual_doc", {}), "security": security}
    view._apidoc = apidoc


def api_client():
    """The organisation client whose access token authenticated this request (clients.oauth sets it), or None."""
    return g.get("api_client") if has_request_context() else None


def api_client_scopes() -> frozenset[str]:
    """The scopes of this request's client token (empty without one)."""
    return g.get("api_client_scopes", frozenset()) if has_request_context() else frozenset()


def declared_roles(view, method: str) -> frozenset | None:
    """The roles a view function (or, for a class-based view, its handler of `method`) declares it serves."""
    return getattr(_handler(view, method), "served_roles", None)


def declared_scopes(view, method: str) -> frozenset:
    """The client scopes a view function (or a class-based view's handler of `method`) accepts; empty for none."""
    return getattr(_handler(view, method), "accepted_scopes", frozenset())


def _handler(view, method: str):
    if getattr(view, "served_roles", None):
        return view
    view_class = getattr(view, "view_class", None)
    handler = getattr(view_class, method.lower(), None) if view_class else None
    if handler is None and method == "HEAD":
        handler = getattr(view_class, "get", None)
    return handler


def viewer():
    """The logged-in user behind this request (the object, not Flask-Login's proxy), or None."""
    return current_user._get_current_object() if current_user.is_authenticated else None


def bearer_token() -> str | None:
    """The secret of an `Authorization: Bearer …` header, if one was sent."""
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    return secret.strip() if scheme.lower() == "bearer" and secret.strip() else None


def allow_framing(view):
    """Let other sites show this page in an iframe: its CSP names EMBED_FRAME_ANCESTORS instead of 'none'.

    For public, read-only pages meant for embedding only; every other page refuses framing.
    """
    view.allows_framing = True
    return view


def _framing_allowed(response) -> bool:
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return getattr(view, "allows_framing", False) and response.status_code < 400


HSTS = "max-age=31536000; includeSubDomains"


def _personal(response) -> bool:
    """True for answers no cache may keep: every API answer and every page shown to a logged-in user, unless
    the view chose its own caching (public documents); static files are the same for everyone."""
    if "Cache-Control" in response.headers or request.endpoint == "static":
        return False
    return is_api_request() or current_user.is_authenticated


def _frameable_headers() -> dict:
    """The security headers with framing allowed for EMBED_FRAME_ANCESTORS; X-Frame-Options cannot say
    "these sites", so it is left out and the CSP (which browsers prefer anyway) decides alone."""
    ancestors = current_app.config["EMBED_FRAME_ANCESTORS"]
    policy = CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", f"frame-ancestors {ancestors}")
    headers = {name: value for name, value in SECURITY_HEADERS.items() if name != "X-Frame-Options"}
    return {**headers, "Content-Security-Policy": policy}


# What decides nesting in a JSON text: an escaped character (skipped), a quote, a bracket. One linear pass.
_JSON_TOKEN = re.compile(rb'\\.|["\[\]{}]', re.DOTALL)
# Characters no URL path of this site holds: C0 controls (NUL among them) and DEL.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def json_too_deep(body: bytes, limit: int) -> bool:
    """True when a JSON text nests arrays and objects deeper than `limit`, found without parsing it."""
    depth, in_string = 0, False
    for match in _JSON_TOKEN.finditer(body):
        token = match[0]
        if token == b'"':
            in_string = not in_string
        elif not in_string and len(token) == 1:
            depth += 1 if token in b"[{" else -1
            if depth > limit:
                return True
    return False


def _check_json_body() -> None:
    """Refuse an API body too large or too deeply nested for the parser, before anything parses it."""
    config = current_app.config
    if request.content_length is not None and request.content_length > config["MAX_JSON_BYTES"]:
        api_abort(413, message=_("The request is too large."))
    body = request.get_data(cache=True)
    if len(body) > config["MAX_JSON_BYTES"]:
        api_abort(413, message=_("The request is too large."))
    if json_too_deep(body, config["MAX_JSON_DEPTH"]):
        api_abort(400, message=_("The JSON is nested too deeply."))


# What no one types into a field: C0 controls and DEL, except the tab and the line breaks of a text area.
_TYPED_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _input_has_control_characters() -> bool:
    """True when a query argument's name or value, or a form field's name, holds a control character, or a form
    value one that no one types (tabs and line breaks are text)."""
    if any(_CONTROL.search(name) or any(_CONTROL.search(value) for value in values) for name, values in
           request.args.lists()):  # fmt: skip
        return True
    return any(_CONTROL.search(name) or any(_TYPED_CONTROL.search(value) for value in values) for name, values in
               request.form.lists())  # fmt: skip


class SessionInterface(SecureCookieSessionInterface):
    """Mark the session cookie Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app) -> bool:
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)


def init_app(app) -> None:
    app.session_interface = SessionInterface()
    if proxies := app.config.get("TRUSTED_PROXIES"):
        # Behind a reverse proxy, trust its X-Forwarded-* headers to know the scheme and client.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    @app.before_request
    def refuse_control_characters():
        # No person types a NUL or an escape, and PostgreSQL cannot store or even compare a NUL: refuse them up
        # front. (JSON bodies are checked field by field by the API's schemas.)
        if _input_has_control_characters():
            abort(400)
        if _CONTROL.search(request.path):
            abort(404)  # no page's address holds a control character

    @app.before_request
    def bound_json_bodies():
        if request.is_json and is_api_request():
            _check_json_body()

    @app.before_request
    def refuse_undeclared_routes():
        # Fail closed: a route that forgot to say whom it serves serves no one.
        endpoint = request.endpoint
        if endpoint is None or endpoint in FRAMEWORK_ENDPOINTS or request.method == "OPTIONS":
            return
        if not declared_roles(current_app.view_functions[endpoint], request.method):
            abort(403)

    @app.errorhandler(CSRFError)
    def form_expired(error):
        # Mostly a form left open until its session ended: say so instead of a bare "bad request".
        if is_api_request():
            error.data = {"message": _("The CSRF token is missing or invalid: send it in the X-CSRFToken header.")}
            return api.handle_http_exception(error)
        return render_template("errors/error.html", error=error, form_expired=True), error.code

    @app.after_request
    def add_security_headers(response):
        headers = _frameable_headers() if _framing_allowed(response) else SECURITY_HEADERS
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        if request.is_secure:  # over HTTPS (as the proxies named by TRUSTED_PROXIES say): stay on HTTPS
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if _personal(response):
            response.headers["Cache-Control"] = "no-store"
        return response
