"""Funding programme pages: the admins' catalogue, and the programmes a resident may apply for."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from accounts.models import Role
from app.security import SIGNED_IN, serves
from app.transactions import refuse
from nudges import errors, funding
from nudges.forms import FundingProgrammeForm
from nudges.models import FundingProgramme

bp = Blueprint("nudges", __name__, template_folder="templates")
admin_required = serves(Role.ADMIN)


def _language() -> str:
    return "de" if str(get_locale() or "en").startswith("de") else "en"


@bp.route("/me/funding")
@serves(SIGNED_IN)
def my_funding():
    resident = current_user._get_current_object()
    programmes, matched = funding.eligible(resident), funding.may_use_profile(resident)
    return render_template("nudges/mine.html", programmes=programmes, matched=matched, language=_language())


# Admin: the catalogue ---------------------------------------------------------------------------


@bp.route("/admin/funding")
@admin_required
def admin_list():
    return render_template("nudges/admin_list.html", programmes=funding.list_programmes())


def _save(form: FundingProgrammeForm, programme: FundingProgramme | None) -> FundingProgramme | None:
    """Create or update from the form; None when the service refused, with its reasons on the form."""
    values = form.values()
    try:
        if programme is None:
            return funding.create_programme(**values)
        return funding.update_programme(programme, **values)
    except errors.InvalidFields as error:
        refuse()
        form.show_errors(error.errors)
    return None


def _render_edit(form: FundingProgrammeForm, programme: FundingProgramme | None):
    return render_template("nudges/admin_edit.html", form=form, programme=programme), 422 if form.errors else 200


@bp.route("/admin/funding/new", methods=["GET", "POST"])
@admin_required
def admin_new():
    form = FundingProgrammeForm.for_programme(None)
    if form.validate_on_submit() and (programme := _save(form, None)):
        flash(_("Funding programme “%(name)s” added.", name=programme.name_en), "success")
        return redirect(url_for("nudges.admin_list"))
    return _render_edit(form, None)


@bp.route("/admin/funding/<int:programme_id>/edit", methods=["GET", "POST"])
@admin_required
def admin_edit(programme_id: int):
    programme = funding.get_programme(programme_id)
    form = FundingProgrammeForm.for_programme(programme)
    if form.validate_on_submit() and _save(form, programme):
        flash(_("Funding programme “%(name)s” saved.", name=programme.name_en), "success")
        return redirect(url_for("nudges.admin_list"))
    return _render_edit(form, programme)
