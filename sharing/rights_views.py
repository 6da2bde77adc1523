"""Pages for the resident's rights: download my data, delete my account."""

import io

from flask import Blueprint, current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from accounts.errors import AccountError
from accounts.models import Role
from accounts.roles import login_required
from app.extensions import limiter
from app.forms import attach_error
from sharing import rights
from sharing.display import receipt_urls

bp = Blueprint("rights", __name__, template_folder="templates")


class DeleteAccountForm(FlaskForm):
    """Deleting needs the resident's own credential and an explicit tick; it cannot be undone."""

    password = PasswordField(_l("Your password"), validators=[Length(max=128)])
    code = StringField(
        _l("Your log-in code"),
        validators=[Length(max=40)],
        description=_l("The code on your sheet from the service desk, for example K7QM-9XDA-2HPF-R4TW."),
    )
    understood = BooleanField(
        _l("I understand that deleting my account is final and cannot be undone."),
        validators=[DataRequired(message=_l("Please confirm that you understand this is final."))],
    )


@bp.route("/me/export")
@login_required
def export():
    """What the download holds, and the button to get it."""
    return render_template("rights/export.html", files=rights.README_FILES)


@bp.route("/me/export.zip")
@login_required
def export_zip():
    data = rights.export_bytes(current_user, *receipt_urls())
    response = send_file(
        io.BytesIO(data), mimetype="application/zip", as_attachment=True, download_name=rights.export_filename()
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/me/delete", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def delete_account():
    """Explain what deleting erases and keeps; on a correct credential and the tick, erase and log out."""
    form = DeleteAccountForm()
    if current_user.has_password:
        form.password.validators = [DataRequired(), Length(max=128)]
    else:
        form.code.validators = [DataRequired(), Length(max=40)]
    if form.validate_on_submit():
        try:
            rights.delete_account(current_user, password=form.password.data, code=form.code.data)
        except AccountError as error:
            attach_error(form, error)
        else:
            logout_user()
            flash(_("Your account is deleted. Thank you for taking part in Civiquest."), "success")
            return redirect(url_for("main.index"))
    page = render_template("rights/delete.html", form=form, allowed=current_user.role == Role.RESIDENT)
    return page, 422 if form.errors else 200
