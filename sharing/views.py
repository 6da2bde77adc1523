"""Pages of data sharing: the consent grid, receipts, my data, the privacy page, the use log and the catalogue."""

import json
from collections import defaultdict
from datetime import date, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from werkzeug.routing import BuildError

from accounts.forms import ConfirmForm
from accounts.models import Role
from app.charts import bar_chart
from app.clock import city_zone, next_monday
from app.columns import utcnow
from app.extensions import db
from app.forms import format_number
from app.security import PUBLIC, SIGNED_IN, serves, viewer
from app.transactions import refuse
from challenges.assisted import get_resident
from rewards.models import EntryKind, LedgerEntry
from sharing import catalogue as catalogue_entries
from sharing import credits, display, errors, receipts, services, uses
from sharing.forms import CategoryForm, ConsentForm, PaperConsentForm, PurposeForm, RateForm
from sharing.models import DURATIONS, Consent, CreditRate, DataCategory, Level, Purpose

bp = Blueprint("sharing", __name__, template_folder="templates")
staff_required = serves(Role.STAFF)
admin_required = serves(Role.ADMIN)
PER_PAGE = 20
MAX_PAGE = 10_000


@bp.context_processor
def sharing_context():
    return {"labels": display, "name": display.name, "when": display.when, "day": display.day, "Level": Level}


def _page() -> int:
    return min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)


def _own(consent_id: int) -> Consent:
    return services.own_consent(viewer(), consent_id)


# Consents ---------------------------------------------------------------------------------


@bp.route("/me/consents")
@serves(SIGNED_IN)
def consents():
    return _render_consents()


def _cell_form(cell, week_start: date) -> ConsentForm:
    consent = cell.consent
    data = {"category_id": cell.category.id, "purpose_id": cell.purpose.id}
    if consent is not None:
        data.update(level=consent.level.value, duration_months=str(consent.duration_months))
    return ConsentForm(week_start, formdata=None, data=data)


def _render_consents(failed: ConsentForm | None = None):
    now = utcnow()
    week_start = display.this_week(now)
    rows = services.grid(viewer(), now)
    failed_cell = (failed.category_id.data, failed.purpose_id.data) if failed is not None else None
    forms = {
        (cell.category.id, cell.purpose.id): failed
        if failed_cell == (str(cell.category.id), str(cell.purpose.id))
        else _cell_form(cell, week_start)
        for row in rows
        for cell in row
    }
    return render_template(
        "sharing/consents.html", rows=rows, purposes=services.purposes(), forms=forms,
        failed=failed, history=services.consent_history(viewer()), confirm_form=ConfirmForm(formdata=None),
        earns={level: display.earns(level, week_start) for level in Level}, now=now,
    ), 422 if failed is not None else 200  # fmt: skip


@bp.route("/me/consents", methods=["POST"])
@serves(SIGNED_IN)
def grant():
    form = ConsentForm(display.this_week(utcnow()))
    if form.validate_on_submit():
        try:
            category = services.get_category(int(form.category_id.data))
            purpose = services.get_purpose(int(form.purpose_id.data))
            services.grant(viewer(), category, purpose, form.level.data, int(form.duration_months.data),
                           method="web")  # fmt: skip
        except errors.InvalidConsent as error:
            refuse()
            _show_errors(form, error.errors)
        else:
            flash(_("Saved: %(purpose)s may now use your %(category)s at the level “%(level)s”.",
                    purpose=display.name(purpose), category=display.name(category),
                    level=display.LEVEL_LABELS[Level(form.level.data)]), "success")  # fmt: skip
            return redirect(url_for("sharing.consents"))
    if form.category_id.errors or form.purpose_id.errors:
        form.form_errors.append(_("This choice is not on the page any more. Please choose again."))
    return _render_consents(failed=form)


def _show_errors(form, problems: dict, on_fields=("level", "duration_months")) -> None:
    """A refusal's messages on the visible fields they concern; any other (a hidden choice) above the form."""
    for field, message in problems.items():
        if field in on_fields:
            form[field].errors = [*form[field].errors, message]
        else:
            form.form_errors.append(message)


@bp.route("/me/consents/<int:consent_id>/revoke", methods=["POST"])
@serves(SIGNED_IN)
def revoke(consent_id: int):
    consent = _own(consent_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.revoke(consent)
        except errors.NotActive as error:
            refuse(error)
        else:
            names = {"purpose": display.name(consent.purpose), "category": display.name(consent.category)}
            flash(_("Stopped: %(purpose)s may no longer use your %(category)s.", **names), "success")
    return redirect(url_for("sharing.consents"))


def _receipt(consent: Consent) -> dict:
    policy_url = url_for("sharing.privacy", _external=True)
    return receipts.receipt(consent, policy_url, url_for("sharing.consents", _external=True))


@bp.route("/me/consents/<int:consent_id>/receipt")
@serves(SIGNED_IN)
def receipt(consent_id: int):
    document = _receipt(_own(consent_id))
    filename = f"consent-receipt-{document['consentReceiptID']}.json"
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2), mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )  # fmt: skip


@bp.route("/me/consents/<int:consent_id>/receipt.html")
@serves(SIGNED_IN)
def receipt_page(consent_id: int):
    consent = _own(consent_id)
    return render_template("sharing/receipt.html", consent=consent, receipt=_receipt(consent), now=utcnow())


# The privacy page -------------------------------------------------------------------------


def _optional_url(endpoint: str) -> str | None:
    """The URL of a page that may not exist in this version."""
    try:
        return url_for(endpoint)
    except BuildError:
        return None


@bp.route("/privacy")
@serves(PUBLIC)
def privacy():
    week_start = display.this_week(utcnow())
    return render_template(
        "sharing/privacy.html", categories=services.categories(), purposes=services.purposes(), durations=DURATIONS,
        earns={level: display.earns(level, week_start) for level in Level},
        export_url=_optional_url("rights.export"), delete_url=_optional_url("rights.delete_account"),
    )  # fmt: skip


# My data ----------------------------------------------------------------------------------


def _earnings(user_id: int) -> tuple[int, list[tuple[date, int]], dict[int, int]]:
    """Data dividend in all, per month (gaps filled with 0) and per consent; a resident has a few hundred at most."""
    rows = db.session.execute(
        select(LedgerEntry.created_at, LedgerEntry.amount, LedgerEntry.source_id)
        .where(LedgerEntry.user_id == user_id, LedgerEntry.kind == EntryKind.DATA_CREDIT)
        .order_by(LedgerEntry.created_at)
    ).all()
    by_month: dict[date, int] = defaultdict(int)
    by_consent: dict[int, int] = defaultdict(int)
    for created_at, amount, source_id in rows:
        by_month[created_at.astimezone(city_zone()).date().replace(day=1)] += amount
        by_consent[source_id] += amount
    months = []
    if by_month:
        first, last = min(by_month), max(by_month)
        while first <= last:
            months.append((first, by_month.get(first, 0)))
            first = (first + timedelta(days=32)).replace(day=1)
    return sum(by_month.values()), months, by_consent


def _earnings_chart(months: list[tuple[date, int]], total: int) -> dict:
    summary = ngettext("Sharing data has earned you %(total)s point in all, over %(months)s.",
                       "Sharing data has earned you %(total)s points in all, over %(months)s.", total,
                       total=format_number(total), months=display.months(len(months)))  # fmt: skip
    svg = bar_chart(
        [(display.month(first), points) for first, points in months], chart_id="earnings-chart",
        title=_("Points earned by sharing data, per month"), unit=_("points"),
        desc=summary + " " + _("The table below lists every month."),
    ) if months else None  # fmt: skip
    return {"summary": summary, "svg": svg}


@bp.route("/me/data")
@serves(SIGNED_IN)
def my_data():
    user = viewer()
    total, months, by_consent = _earnings(user.id)
    pagination = db.paginate(uses.uses_of(user), page=_page(), per_page=PER_PAGE, error_out=False)
    return render_template(
        "sharing/my_data.html", consents=services.active_consents(user), total=total, months=months,
        by_consent=by_consent, chart=_earnings_chart(months, total), pagination=pagination,
        category_names=_category_names(),
    )  # fmt: skip


def _category_names() -> dict[str, str]:
    return {category.code: display.name(category) for category in services.categories(active_only=False)}


# The data use log, for staff ---------------------------------------------------------------


@bp.route("/data-uses")
@staff_required
def data_uses():
    pagination = db.paginate(uses.all_uses(), page=_page(), per_page=PER_PAGE, error_out=False)
    return render_template("sharing/data_uses.html", pagination=pagination, category_names=_category_names())


# The data catalogue, for admins -----------------------------------------------------------


def _today() -> date:
    return utcnow().astimezone(city_zone()).date()


def _render_catalogue(category_form=None, purpose_form=None, rate_form=None):
    week_start = display.this_week(utcnow())
    scheduled = db.session.scalars(
        select(CreditRate).where(CreditRate.effective_from > week_start).order_by(CreditRate.effective_from)
    ).all()
    failed = any(form is not None and form.errors for form in (category_form, purpose_form, rate_form))
    return render_template(
        "sharing/admin_catalogue.html", categories=services.categories(active_only=False),
        purposes=services.purposes(active_only=False),
        category_form=category_form or CategoryForm(formdata=None),
        purpose_form=purpose_form or PurposeForm(formdata=None),
        rate_form=rate_form or RateForm(formdata=None, data={"effective_from": next_monday(_today())}),
        rates={level: credits.rate_for(level, week_start) for level in Level}, scheduled=scheduled,
    ), 422 if failed else 200  # fmt: skip


@bp.route("/admin/data")
@admin_required
def catalogue():
    return _render_catalogue()


def _entry_fields(form) -> dict:
    return {name: field.data for name, field in form._fields.items() if name not in ("csrf_token", "submit")}


def _add_field_errors(form, error: errors.InvalidConsent) -> None:
    for name, message in error.errors.items():
        form[name].errors = [*form[name].errors, message]


def _create(form_class, model, form_name: str):
    form = form_class()
    if form.validate_on_submit():
        try:
            entry = catalogue_entries.create_entry(model, **_entry_fields(form))
        except errors.InvalidConsent as error:
            refuse()
            _add_field_errors(form, error)
        else:
            flash(_("“%(name)s” added.", name=display.name(entry)), "success")
            return redirect(url_for("sharing.catalogue"))
    return _render_catalogue(**{form_name: form})


@bp.route("/admin/data/categories", methods=["POST"])
@admin_required
def new_category():
    return _create(CategoryForm, DataCategory, "category_form")


@bp.route("/admin/data/purposes", methods=["POST"])
@admin_required
def new_purpose():
    return _create(PurposeForm, Purpose, "purpose_form")


def _edit(form_class, entry, kind: str):
    form = form_class(obj=entry, editing=entry)
    if form.validate_on_submit():
        ended = catalogue_entries.update_entry(entry, _entry_fields(form))
        flash(_("“%(name)s” saved.", name=display.name(entry)), "success")
        if ended:
            flash(ngettext("Its wording changed, so %(num)d consent ended; the resident was told.",
                           "Its wording changed, so %(num)d consents ended; the residents were told.", ended),
                  "warning")  # fmt: skip
        return redirect(url_for("sharing.catalogue"))
    in_force = catalogue_entries.consents_in_force(entry)
    return render_template(
        "sharing/admin_entry.html", form=form, entry=entry, kind=kind, in_force=in_force
    ), 422 if form.errors else 200


@bp.route("/admin/data/categories/<int:category_id>", methods=["GET", "POST"])
@admin_required
def edit_category(category_id: int):
    return _edit(CategoryForm, db.session.get(DataCategory, category_id) or abort(404), "category")


@bp.route("/admin/data/purposes/<int:purpose_id>", methods=["GET", "POST"])
@admin_required
def edit_purpose(purpose_id: int):
    return _edit(PurposeForm, db.session.get(Purpose, purpose_id) or abort(404), "purpose")


@bp.route("/admin/data/rates", methods=["POST"])
@admin_required
def set_rate():
    form = RateForm()
    if form.validate_on_submit():
        try:
            credits.set_rate(Level(form.level.data), form.effective_from.data, form.base_points.data,
                             form.points_per_record.data, form.max_records.data, today=_today())  # fmt: skip
        except errors.InvalidConsent as error:
            refuse()
            _add_field_errors(form, error)
        else:
            flash(
                _("The new rate applies from %(day)s.", day=display.calendar_day(form.effective_from.data)), "success"
            )
            return redirect(url_for("sharing.catalogue"))
    return _render_catalogue(rate_form=form)


# The service desk: consents given on paper ---------------------------------------------------------------


def _paper_form() -> PaperConsentForm:
    return PaperConsentForm(services.categories(), services.purposes(), display.this_week(utcnow()))


@bp.route("/desk/residents/<int:user_id>/consents", methods=["GET", "POST"])
@serves(Role.MANAGER)
def desk_consents(user_id: int):
    """Enter a consent the resident signed on paper; the page lists what is in force for them."""
    resident = get_resident(user_id)
    form = _paper_form()
    if form.validate_on_submit():
        try:
            services.record_paper_consent(
                resident, viewer(), services.get_category(int(form.category_id.data)),
                services.get_purpose(int(form.purpose_id.data)), form.level.data, int(form.duration_months.data),
                form.paper_reference.data,
            )  # fmt: skip
        except errors.InvalidConsent as error:
            refuse()
            _show_errors(form, error.errors, on_fields=("level", "duration_months", "paper_reference"))
        else:
            flash(_("Saved: the consent signed on paper is in force for %(name)s.", name=resident.pseudonym), "success")
            return redirect(url_for("sharing.desk_consents", user_id=resident.id))
    return render_template(
        "sharing/desk_consents.html", resident=resident, form=form, consents=services.active_consents(resident)
    )
