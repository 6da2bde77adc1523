"""Security headers on every response, the Secure flag on cookies served over HTTPS, and the
refusal of input no person sends."""

from flask import abort, current_app, has_request_context, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.middleware.proxy_fix import ProxyFix

from app.errors import is_api_request
from app.extensions import api

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


def _frameable_headers() -> dict:
    """The security headers with framing allowed for EMBED_FRAME_ANCESTORS; X-Frame-Options cannot say
    "these sites", so it is left out and the CSP (which browsers prefer anyway) decides alone."""
    ancestors = current_app.config["EMBED_FRAME_ANCESTORS"]
    policy = CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", f"frame-ancestors {ancestors}")
    headers = {name: value for name, value in SECURITY_HEADERS.items() if name != "X-Frame-Options"}
    return {**headers, "Content-Security-Policy": policy}


def _input_has_nul() -> bool:
    """True when a query argument or form field, name or value, holds a NUL character."""
    fields = [*request.args.lists(), *request.form.lists()]
    return any("\x00" in name or any("\x00" in value for value in values) for name, values in fields)


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
    def refuse_nul_characters():
        # No person types a NUL, and PostgreSQL cannot store or even compare one: refuse it up front.
        # (JSON bodies are checked field by field by the API's schemas.)
        if _input_has_nul():
            abort(400)

    @app.errorhandler(CSRFError)
    def form_expired(error):
        # Mostly a form left open until its session ended: say so instead of a bare "bad request".
        if is_api_request():
            return api.handle_http_exception(error)
        return render_template("errors/error.html", error=error, form_expired=True), error.code

    @app.after_request
    def add_security_headers(response):
        headers = _frameable_headers() if _framing_allowed(response) else SECURITY_HEADERS
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response
