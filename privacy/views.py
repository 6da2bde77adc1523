"""Pages for the resident's rights: download my data, delete my account."""

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from accounts import identities, providers
from accounts.errors import AccountError
from accounts.models import Role
from accounts.session import current_session
from app.extensions import limiter
from app.forms import attach_error
from app.i18n import select_language
from app.security import SIGNED_IN, serves
from privacy import downloads, services
from privacy.forms import DeleteAccountForm

bp = Blueprint("rights", __name__, template_folder="templates")


@bp.route("/me/export")
@serves(SIGNED_IN)
def export():
    """What the download holds, and the button to get it."""
    return render_template("privacy/export.html", files=services.README_FILES)


@bp.route("/me/export.zip")
@serves(SIGNED_IN)
def export_zip():
    """The zip itself."""
    return downloads.my_data(current_user)


@bp.route("/me/delete", methods=["GET", "POST"])
@serves(SIGNED_IN)
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def delete_account():
    """Explain what deleting erases and keeps; on a correct credential and the tick, erase and log out."""
    form = DeleteAccountForm()
    form.require_credential(current_user.has_password, current_user.login_code_hash is not None)
    record = current_session()
    signed_in_at_provider = record.created_at if record is not None and record.provider else None
    if form.validate_on_submit():
        try:
            services.delete_account(current_user, password=form.password.data, code=form.code.data,
                                    provider_sign_in_at=signed_in_at_provider)  # fmt: skip
        except AccountError as error:
            attach_error(form, error)
        else:
            logout_user()
            flash(_("Your account is deleted. Thank you for taking part in Civiquest."), "success")
            return redirect(url_for("main.index"))
    linked = {identity.provider for identity in identities.identities_of(current_user)}
    sign_in_again = [(name, label) for name, label in providers.buttons(select_language()) if name in linked]
    page = render_template("privacy/delete.html", form=form, allowed=current_user.role == Role.RESIDENT,
                           sign_in_again=sign_in_again)  # fmt: skip
    return page, 422 if form.errors else 200
