"""OAuth 2.0 for organisation clients, through Authlib: the client-credentials grant at /oauth/token, and the check
of a client's access token on every API request that carries one.

A client token reaches only the API operations that name one of its scopes in `serves(…, scopes=…)`; any other
operation, public ones included, answers 403, so a pool's till with `vouchers:validate` can do nothing else. An
unknown, expired or revoked token is a 401. Every call a client makes is logged with the client's name.
"""

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.errors import InvalidScopeError
from authlib.oauth2.rfc6749.util import scope_to_list
from authlib.oauth2.rfc6750 import BearerTokenValidator
from flask import Blueprint, current_app, g, request
from flask_babel import gettext as _
from flask_smorest import abort

from app.errors import is_api_request
from app.extensions import csrf, limiter
from app.security import PUBLIC, bearer_token, declared_scopes, serves
from clients import services
from clients.scopes import SCOPE_LABELS

bp = Blueprint("oauth", __name__, url_prefix="/oauth")


class ClientCredentialsGrant(grants.ClientCredentialsGrant):
    """The client-credentials grant, with the secret in a Basic header or the form, and no scope beyond the client's."""

    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def validate_requested_scope(self):
        super().validate_requested_scope()
        held = set(self.request.client.scopes)
        if not set(scope_to_list(self.request.payload.scope) or []) <= held:
            raise InvalidScopeError()


class ClientTokenValidator(BearerTokenValidator):
    def authenticate_token(self, token_string):
        return services.token_for(token_string)


server = AuthorizationServer(query_client=services.query_client, save_token=services.save_token)
server.register_grant(ClientCredentialsGrant)
protector = ResourceProtector()
protector.register_token_validator(ClientTokenValidator())


def init_app(app) -> None:
    """Bind the server to the app: Authlib reads the token generator and lifetime from the config."""
    app.config.setdefault("OAUTH2_ACCESS_TOKEN_GENERATOR", services.new_access_token)
    app.config.setdefault("OAUTH2_TOKEN_EXPIRES_IN", {"client_credentials": app.config["CLIENT_TOKEN_LIFETIME"]})
    app.config.setdefault("OAUTH2_SCOPES_SUPPORTED", list(SCOPE_LABELS))
    server.init_app(app)
    app.before_request(authenticate_client_token)
    app.after_request(log_client_call)


@bp.route("/token", methods=["POST"])
@serves(PUBLIC)
@csrf.exempt
@limiter.limit(lambda: current_app.config["OAUTH_TOKEN_RATE_LIMIT"])
def token():
    """The token endpoint (RFC 6749 §4.4): a short-lived access token for a client's id and secret."""
    response = server.create_token_response()
    if response.status_code >= 400:
        current_app.logger.warning("OAuth token refused (%s) from %s", response.status_code, request.remote_addr)
    return response


def authenticate_client_token():
    """Before an API request with a client's token: 401 unless it is live, 403 unless the operation takes its scope."""
    secret = bearer_token()
    if not is_api_request() or not secret or not secret.startswith(services.ACCESS_TOKEN_PREFIX):
        return
    try:
        token = protector.acquire_token()
    except OAuth2Error:
        abort(401, message=_("This access token is unknown, expired or revoked."))
    g.api_client, g.api_client_scopes = token.client, frozenset(token.get_scope().split())
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    if view is not None and not declared_scopes(view, request.method) & g.api_client_scopes:
        abort(403, message=_("This client's token does not allow this."))


def log_client_call(response):
    """Attribute every call of a client in the logs (its name, organisation and client id)."""
    if (client := g.get("api_client")) is not None:
        current_app.logger.info(
            "API call by client %s: %s %s -> %s", client.label, request.method, request.path, response.status_code
        )
    return response
