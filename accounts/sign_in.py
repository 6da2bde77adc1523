"""Sign-in with the city's identity providers (OpenID Connect, through Authlib): the button's redirect, the
provider's callback, and the two steps a first sign-in may need — completing a new resident's profile, or proving
the password of the existing account with the same verified email address before the two are linked.

Anything wrong on the way back (a tampered or replayed answer, a token for another audience, an expired one, the
provider refusing) shows the refusal page and creates nothing.
"""

import time

from authlib.common.errors import AuthlibBaseError
from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)  # fmt: skip
from joserfc.errors import JoseError
from requests import RequestException

from accounts import errors, identities, providers, services, sessions
from accounts.forms import CHOOSE_NEIGHBOURHOOD, FirstSignInForm, LinkAccountForm
from accounts.session import ID_TOKEN, log_in
from app.extensions import csrf, limiter
from app.forms import attach_error, choices
from app.i18n import select_language
from app.security import PUBLIC, serves
from app.transactions import refuse
from neighbourhoods.services import neighbourhood_choices

bp = Blueprint("sign_in", __name__, url_prefix="/login/with", template_folder="templates")
PENDING = "pending_sign_in"  # session key: the provider's answer while a first sign-in asks for more
PENDING_SECONDS = 900


@bp.route("/<provider>")
@serves(PUBLIC)
def start(provider: str):
    client = providers.client_for(provider) or abort(404)
    try:
        return client.authorize_redirect(url_for(".callback", provider=provider, _external=True))
    except (AuthlibBaseError, RequestException, ValueError) as error:  # discovery failed: the provider is down
        return _refused(provider, error)


@bp.route("/<provider>/callback")
@serves(PUBLIC)
def callback(provider: str):
    client = providers.client_for(provider) or abort(404)
    settings = providers.settings_of(provider)
    if "error" in request.args:
        return _refused(provider, request.args.get("error"))
    try:
        token = client.authorize_access_token(claims_options=providers.claims_options(provider))
    except (AuthlibBaseError, JoseError, RequestException, ValueError, KeyError) as error:
        return _refused(provider, error)
    claims = token.get("userinfo") or {}
    if not claims.get("sub"):
        return _refused(provider, "no subject")
    email = claims.get(settings["email_claim"]) if claims.get("email_verified") is True else None
    groups = claims.get(settings["role_claim"]) if settings.get("role_claim") else None
    if (identity := identities.find_identity(provider, str(claims["sub"]))) is not None:
        try:
            user = identities.signed_in(identity, email)
            identities.apply_role_claim(user, provider, groups, settings["role_map"])
        except errors.AccountError as error:
            return _refused(provider, error)
        _log_in(user, provider, claims.get("sid"), token.get("id_token"))
        return redirect(url_for("main.index"))
    session[PENDING] = {
        "provider": provider, "subject": str(claims["sub"]), "email": email, "at": time.time(),
        "name": claims.get(settings["name_claim"]), "language": claims.get(settings["language_claim"]),
        "sid": claims.get("sid"), "id_token": token.get("id_token"), "groups": groups,
        "neighbourhood": claims.get(settings["neighbourhood_claim"]) if settings.get("neighbourhood_claim") else None,
    }  # fmt: skip
    owner = services.find_user_by_email(email) if email else None
    return redirect(url_for(".link" if owner is not None else ".complete"))


def _neighbourhood_named(name) -> int | None:
    """The id of the neighbourhood the provider's claim names (any case), to preselect; None when none matches."""
    if not isinstance(name, str) or not name.strip():
        return None
    return next((nid for nid, label in neighbourhood_choices() if label.casefold() == name.strip().casefold()), None)


def _pending() -> dict | None:
    pending = session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    return pending


@bp.route("/complete", methods=["GET", "POST"])
@serves(PUBLIC)
def complete():
    pending = _pending() or abort(404)
    form = FirstSignInForm()
    form.neighbourhood_id.choices = choices([("", CHOOSE_NEIGHBOURHOOD), *neighbourhood_choices()])
    if request.method == "GET":
        form.pseudonym.data = (pending.get("name") or "")[:40]
        language = str(pending.get("language") or "")[:2].lower()
        form.language.data = language if language in ("en", "de") else select_language()
        form.neighbourhood_id.data = _neighbourhood_named(pending.get("neighbourhood"))
    if form.validate_on_submit():
        try:
            user = identities.create_resident(
                pending["provider"], pending["subject"], pending["email"], pseudonym=form.pseudonym.data,
                neighbourhood_id=form.neighbourhood_id.data, household_size=form.household_size.data,
                language=form.language.data,
            )  # fmt: skip
            _apply_roles(user, pending)
        except errors.AccountError as error:
            attach_error(form, error)
        else:
            session.pop(PENDING, None)
            _log_in(user, pending["provider"], pending.get("sid"), pending.get("id_token"))
            return redirect(url_for("main.index"))
    label = dict(providers.buttons(select_language())).get(pending["provider"])
    page = render_template("accounts/sign_in_complete.html", form=form, pending=pending, provider_label=label)
    return page, 422 if form.errors else 200


@bp.route("/link", methods=["GET", "POST"])
@serves(PUBLIC)
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def link():
    pending = _pending() or abort(404)
    if not pending.get("email"):
        abort(404)
    form = LinkAccountForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(pending["email"], form.password.data)
            identities.link(user, pending["provider"], pending["subject"], pending["email"])
            _apply_roles(user, pending)
        except errors.AccountError as error:
            attach_error(form, error)
        else:
            session.pop(PENDING, None)
            _log_in(user, pending["provider"], pending.get("sid"), pending.get("id_token"))
            return redirect(url_for("main.index"))
    label = dict(providers.buttons(select_language())).get(pending["provider"])
    return render_template("accounts/sign_in_link.html", form=form, pending=pending,
                           provider_label=label), 422 if form.errors else 200  # fmt: skip


def _apply_roles(user, pending: dict) -> None:
    role_map = providers.settings_of(pending["provider"])["role_map"]
    identities.apply_role_claim(user, pending["provider"], pending.get("groups"), role_map)


def _log_in(user, provider: str, sid, id_token: str | None) -> None:
    """Log in with a session tied to the provider's; keep its ID token to name the session when logging out there."""
    log_in(user, provider, str(sid) if sid else None)
    session[ID_TOKEN] = id_token


@bp.route("/<provider>/backchannel-logout", methods=["POST"])
@serves(PUBLIC)
@csrf.exempt
def backchannel_logout(provider: str):
    """OpenID Connect Back-Channel Logout: the provider says one of its sessions ended; the matching ones end here."""
    providers.client_for(provider) or abort(404)
    try:
        claims = providers.logout_claims(provider, request.form.get("logout_token", ""))
    except (AuthlibBaseError, JoseError, RequestException, ValueError) as error:
        current_app.logger.warning("Back-channel logout from %s refused: %s", provider, error)
        return _no_store(jsonify(error="invalid_request"), 400)
    identity = identities.find_identity(provider, str(claims["sub"])) if claims.get("sub") else None
    ended = sessions.end_at_provider(provider, identity.user_id if identity else None, claims.get("sid"))
    current_app.logger.info("Back-channel logout from %s ended %d session(s)", provider, ended)
    return _no_store(make_response("", 200), 200)


def _no_store(response, status: int):
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def _refused(provider: str, reason):
    """The refusal page; the reason goes to the log only (it may say more than a visitor should read)."""
    current_app.logger.warning("Sign-in with %s refused: %s", provider, reason)
    label = dict(providers.buttons(select_language())).get(provider, provider)
    refuse()
    return render_template("accounts/sign_in_refused.html", provider_label=label), 400
