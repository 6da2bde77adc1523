"""Pages of accounts: register, log in and out, profile, display settings, language, tokens."""

from urllib.parse import urlsplit

from authlib.common.errors import AuthlibBaseError
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from requests import RequestException
from werkzeug.exceptions import HTTPException

from accounts import errors, identities, providers, resets, services, sessions
from accounts.forms import (
    CHOOSE_NEIGHBOURHOOD,
    NO_NEIGHBOURHOOD,
    ConfirmForm,
    DisplayForm,
    ForgotPasswordForm,
    LanguageForm,
    LoginCodeForm,
    LoginForm,
    NeighbourhoodLookupForm,
    NonResidentProfileForm,
    PasswordForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
    TokenForm,
)
from accounts.models import Role
from accounts.preferences import COOKIE_NAME, DisplayPrefs
from accounts.session import ID_TOKEN, current_session, log_in, log_out
from app.errors import DomainError
from app.extensions import limiter
from app.forms import attach_error, choices
from app.i18n import LANGUAGE_COOKIE, select_language
from app.security import PUBLIC, SIGNED_IN, serves
from app.transactions import refuse
from neighbourhoods import streets
from neighbourhoods.services import neighbourhood_choices

bp = Blueprint("accounts", __name__, template_folder="templates")
ONE_YEAR = 365 * 24 * 3600
NEW_ACCOUNT = "new_account"  # session key read once by the home page (app.main)


def safe_next(target: str | None, fallback: str) -> str:
    """Only follow local paths to pages, so `next` never sends a visitor to another site or an error."""
    if target:
        parts = urlsplit(target)
        local = not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//")
        if local and _opens_with_get(parts.path):
            return target
    return fallback


def _opens_with_get(path: str) -> bool:
    # A form posted without a session, or a page that answered one, leaves a path only POST
    # accepts; coming back to it would show the 405 page.
    try:
        current_app.create_url_adapter(request).match(path, method="GET")
    except HTTPException:  # no such page, or not one to open
        return False
    return True


def _login_attempt_key() -> str:
    # Per address and account: a typo-prone resident on a shared address is not locked out by
    # others, and one account cannot be hammered from one place.
    return f"{request.remote_addr}|{(request.form.get('email') or '').strip().lower()}"


def _asks_lookup() -> bool:
    return "street" in request.args or "postcode" in request.args


def _look_up_neighbourhood(neighbourhood_field) -> tuple[NeighbourhoodLookupForm, streets.Lookup | None]:
    """The "find my neighbourhood" form and what it found; a single match is chosen in the page's select."""
    lookup_form = NeighbourhoodLookupForm(request.args)
    if not _asks_lookup():
        return lookup_form, None
    try:
        found = streets.lookup(lookup_form.street.data, lookup_form.postcode.data)
    except DomainError as error:
        attach_error(lookup_form, error)
        return lookup_form, None
    if found.neighbourhood is not None and request.method == "GET":
        neighbourhood_field.data = found.neighbourhood.id
    return lookup_form, found


# Looking streets up is open to anyone, so it is limited per client address like the other things anonymous
# visitors can repeat; one budget for the registration page, the profile and the API (the same scope).
lookup_limit = limiter.shared_limit(
    lambda: current_app.config["LOOKUP_RATE_LIMIT"],
    scope=streets.RATE_LIMIT_SCOPE,
    methods=["GET"],
    exempt_when=lambda: not _asks_lookup(),
)


@bp.route("/register", methods=["GET", "POST"])
@serves(PUBLIC)
@lookup_limit
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    form.neighbourhood_id.choices = choices([("", CHOOSE_NEIGHBOURHOOD), *neighbourhood_choices()])
    if request.method == "GET":
        form.language.data = select_language()
    if form.validate_on_submit():
        try:
            user = services.register(
                email=form.email.data,
                password=form.password.data,
                pseudonym=form.pseudonym.data,
                neighbourhood_id=form.neighbourhood_id.data,
                household_size=form.household_size.data,
                language=form.language.data,
            )
        except errors.AccountError as error:
            attach_error(form, error)
        else:
            # An address with an account gets the same answer (its owner is told by email), so that
            # registering never reveals who has an account.
            if user is not None:
                services.save_display_prefs(user, DisplayPrefs.from_cookie(request.cookies.get(COOKIE_NAME)))
                log_in(user)
                session[NEW_ACCOUNT] = True  # the home page then shows the first steps, not "welcome back"
            flash(_("Welcome to Civiquest, %(name)s!", name=form.pseudonym.data.strip()), "success")
            return redirect(url_for("main.index"))
    lookup_form, found = _look_up_neighbourhood(form.neighbourhood_id)
    return render_template(
        "accounts/register.html", form=form, lookup_form=lookup_form, found=found
    ), 422 if form.errors or lookup_form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@serves(PUBLIC)
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], key_func=_login_attempt_key)
# Spraying many accounts from one address hits this looser, address-wide limit.
@limiter.limit(lambda: current_app.config["LOGIN_ADDRESS_RATE_LIMIT"], methods=["POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except errors.AccountError as error:
            attach_error(form, error)
        else:
            log_in(user)
            return redirect(safe_next(form.next.data, url_for("main.index")))
    code_form = LoginCodeForm(formdata=None, data={"next": form.next.data})
    return _render_login(form, code_form)


# A code is its own account name, so each guess tries another account: only the address-wide
# limit applies. With 79 random bits per code, guessing one is hopeless within it.
@bp.route("/login/code", methods=["POST"])
@serves(PUBLIC)
@limiter.limit(lambda: current_app.config["LOGIN_ADDRESS_RATE_LIMIT"], methods=["POST"])
def login_code():
    """Log in with the printed code a resident got at a service desk."""
    code_form = LoginCodeForm()
    if code_form.validate_on_submit():
        try:
            user = services.authenticate_code(code_form.code.data)
        except errors.AccountError as error:
            attach_error(code_form, error)
        else:
            log_in(user)
            return redirect(safe_next(code_form.next.data, url_for("main.index")))
    return _render_login(LoginForm(formdata=None, data={"next": code_form.next.data}), code_form)


def _render_login(form: LoginForm, code_form: LoginCodeForm):
    buttons = providers.buttons(select_language())
    page = render_template("accounts/login.html", form=form, code_form=code_form, sign_in_buttons=buttons)
    return page, 422 if form.errors or code_form.errors else 200


def _reset_request_key() -> str:
    # Per account: however many places ask, one address gets a few links an hour, never a flood.
    return "password-reset|" + (request.form.get("email") or "").strip().lower()


@bp.route("/password/forgot", methods=["GET", "POST"])
@serves(PUBLIC)
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_RATE_LIMIT"], methods=["POST"], key_func=_reset_request_key)
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_ADDRESS_RATE_LIMIT"], methods=["POST"])
def forgot_password():
    """Ask for a reset link by email; the answer is the same whether or not an account has the address."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        resets.request_reset(form.email.data, lambda token: url_for("accounts.reset_password", token=token))
        flash(
            _(
                "If an account has this email address, we have sent it a link to set a new password. "
                "The link works once, within %(minutes)d minutes.",
                minutes=current_app.config["PASSWORD_RESET_MINUTES"],
            ),
            "success",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form), 422 if form.errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@serves(PUBLIC)
def reset_password(token: str):
    """Set a new password with the link from the email; every session of the account ends."""
    # The address holds a secret: no cache keeps the page, and no link from it sends the address on.
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    try:
        resets.user_for_token(token)
    except errors.InvalidResetToken as error:
        return render_template("accounts/reset_password.html", form=None, problem=error.message), 400, headers
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            resets.reset_password(token, form.password.data)
        except errors.AccountError as error:
            attach_error(form, error)
        else:
            log_out()
            flash(_("Your new password is set. Please log in with it."), "success")
            return redirect(url_for("accounts.login"))
    page = render_template("accounts/reset_password.html", form=form, problem=None)
    return page, 422 if form.errors else 200, headers


@bp.route("/logout", methods=["POST"])
@serves(PUBLIC)
def logout():
    form = ConfirmForm()
    if form.validate_on_submit():
        record, id_token = current_session(), session.pop(ID_TOKEN, None)
        log_out()
        flash(_("You are logged out."), "success")
        # Signed in at the city's provider: log out there too, when it offers that.
        if record is not None and record.provider:
            home = url_for("main.index", _external=True)
            if at_provider := _provider_logout(record.provider, id_token, home):
                return redirect(at_provider)
    return redirect(url_for("main.index"))


def _provider_logout(provider: str, id_token: str | None, home: str) -> str | None:
    try:
        return providers.logout_url(provider, id_token, home)
    except (AuthlibBaseError, RequestException, ValueError) as error:  # the provider is unreachable: local only
        current_app.logger.warning("No logout at %s: %s", provider, error)
        return None


@bp.route("/profile", methods=["GET", "POST"])
@serves(SIGNED_IN)
@lookup_limit
def profile():
    form = _profile_form()
    if form.validate_on_submit():
        try:
            services.update_profile(
                current_user,
                pseudonym=form.pseudonym.data,
                neighbourhood_id=form.neighbourhood_id.data,
                household_size=form.household_size.data,
                language=form.language.data,
                leaderboard_visible=form.leaderboard_visible.data,
            )
        except errors.AccountError as error:
            attach_error(form, error)
        else:
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("accounts.profile"))
    lookup_form, found = _look_up_neighbourhood(form.neighbourhood_id)
    return _render_profile(
        form, PasswordForm(formdata=None), lookup_form=lookup_form, found=found
    ), 422 if form.errors or lookup_form.errors else 200


def _render_profile(form, password_form: PasswordForm, lookup_form=None, found=None) -> str:
    """The profile page, with the display settings and the devices logged in to the account."""
    return render_template(
        "accounts/profile.html",
        form=form,
        password_form=password_form,
        display_form=DisplayForm(obj=current_user, formdata=None),
        user_sessions=[(record, _device_label(record.user_agent)) for record in sessions.running(current_user)],
        this_session=current_session(),
        end_form=ConfirmForm(formdata=None),
        linked_sign_ins=[
            (identity, _provider_label(identity.provider)) for identity in identities.identities_of(current_user)
        ],
        lookup_form=lookup_form or NeighbourhoodLookupForm(formdata=None),
        found=found,
    )


def _provider_label(name: str) -> str:
    """A provider's button label in the reader's language; its bare name once it is no longer configured."""
    return dict(providers.buttons(select_language())).get(name, name)


def _profile_form(**kwargs) -> ProfileForm:
    """The profile form for the current user; only residents must pick a neighbourhood."""
    if current_user.role == Role.RESIDENT:
        form = ProfileForm(obj=current_user, **kwargs)
        form.neighbourhood_id.choices = choices(neighbourhood_choices())
    else:
        form = NonResidentProfileForm(obj=current_user, **kwargs)
        form.neighbourhood_id.choices = choices([("", NO_NEIGHBOURHOOD), *neighbourhood_choices()])
    return form


@bp.route("/profile/password", methods=["POST"])
@serves(SIGNED_IN)
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user, form.current_password.data, form.password.data, keep=current_session()
            )
        except errors.AccountError as error:
            attach_error(form, error)
        else:
            flash(_("Your password is changed."), "success")
            return redirect(url_for("accounts.profile"))
    return _render_profile(_profile_form(formdata=None), form), 422


def _device_label(user_agent: str) -> str:
    browser, system = sessions.device(user_agent)
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or _("Unknown device")


@bp.route("/profile/sessions/<int:session_id>/end", methods=["POST"])
@serves(SIGNED_IN)
def end_session(session_id: int):
    """Log one device out; ending this device's own session logs out here too."""
    if ConfirmForm().validate_on_submit():
        this = current_session()
        if this is not None and this.id == session_id:
            log_out()
            flash(_("You are logged out."), "success")
            return redirect(url_for("main.index"))
        try:
            sessions.end(current_user, session_id)
        except errors.NotFound:
            flash(_("That session has already ended."), "error")
        else:
            flash(_("That device is logged out."), "success")
    return redirect(url_for("accounts.profile", _anchor="sessions-title"))


@bp.route("/profile/sign-ins/<int:identity_id>/remove", methods=["POST"])
@serves(SIGNED_IN)
def remove_sign_in(identity_id: int):
    """Unlink a provider's sign-in from the account (never the last way in)."""
    if ConfirmForm().validate_on_submit():
        try:
            removed = identities.unlink(current_user, identity_id)
        except errors.AccountError as error:
            refuse(error)
        else:
            flash(_("%(provider)s is no longer linked to your account.", provider=_provider_label(removed.provider)),
                  "success")  # fmt: skip
    return redirect(url_for("accounts.profile", _anchor="sign-ins-title"))


@bp.route("/profile/sessions/end-all", methods=["POST"])
@serves(SIGNED_IN)
def end_all_sessions():
    """Log out everywhere: every session of the account ends, this one too."""
    if ConfirmForm().validate_on_submit():
        sessions.end_all(current_user)
        log_out()
        flash(_("You are logged out on every device."), "success")
        return redirect(url_for("main.index"))
    return redirect(url_for("accounts.profile"))


@bp.route("/display", methods=["GET", "POST"])
@serves(PUBLIC)
def display():
    """Text size, spacing and contrast: works for visitors (cookie) and users (profile)."""
    form = DisplayForm()
    if request.method == "GET":
        prefs = _current_display_prefs()
        form.process(data={**prefs.as_dict(), "next": request.args.get("next", "")})
        return render_template("accounts/display.html", form=form)
    if not form.validate_on_submit():
        return render_template("accounts/display.html", form=form), 422
    prefs = DisplayPrefs.clean(
        form.text_scale.data, form.line_spacing.data, form.letter_spacing.data, form.high_contrast.data
    )
    if current_user.is_authenticated:
        services.save_display_prefs(current_user, prefs)
    flash(_("Display settings saved."), "success")
    response = redirect(safe_next(form.next.data, url_for("main.index")))
    response.set_cookie(COOKIE_NAME, prefs.to_cookie(), max_age=ONE_YEAR, samesite="Lax", httponly=True)
    return response


def _current_display_prefs() -> DisplayPrefs:
    if current_user.is_authenticated:
        return DisplayPrefs.from_user(current_user)
    return DisplayPrefs.from_cookie(request.cookies.get(COOKIE_NAME))


@bp.route("/language", methods=["POST"])
@serves(PUBLIC)
def language():
    form = LanguageForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            services.update_profile(current_user, language=form.language.data)
        response = redirect(safe_next(form.next.data, url_for("main.index")))
        response.set_cookie(LANGUAGE_COOKIE, form.language.data, max_age=ONE_YEAR, samesite="Lax", httponly=True)
        return response
    return redirect(safe_next(form.next.data, url_for("main.index")))


@bp.route("/tokens", methods=["GET", "POST"])
@serves(SIGNED_IN)
def tokens():
    """Personal access tokens: the new secret is shown once, on the page that created it."""
    form = TokenForm()
    new_secret = None
    if form.validate_on_submit():
        _token, new_secret = services.create_token(current_user, form.name.data)
        form = TokenForm(formdata=None)
    status = 422 if form.errors else 200
    page = render_template("accounts/tokens.html", form=form, new_secret=new_secret, revoke_form=ConfirmForm())
    # Keep the secret out of every cache, so "Back" cannot bring it up again.
    return page, status, {"Cache-Control": "no-store"} if new_secret else {}


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@serves(SIGNED_IN)
def revoke_token(token_id: int):
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.revoke_token(current_user, token_id)
        except errors.NotFound:
            flash(_("That token does not exist."), "error")
        else:
            flash(_("The token is revoked; scripts using it are refused from now on."), "success")
    return redirect(url_for("accounts.tokens"))
