"""The service desk: managers register residents without a smartphone, email or internet, print
their log-in codes, sign them up for challenges and enter their paper readings and trips."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from accounts.forms import CHOOSE_NEIGHBOURHOOD, LANGUAGE_CHOICES, AssistedRegisterForm, ConfirmForm
from accounts.models import Role, User
from app.columns import utcnow
from app.errors import DomainError
from app.forms import attach_error, choices
from app.i18n import locale_for
from app.security import serves
from app.transactions import refuse
from challenges import activity, assisted, display, kinds, participation, visibility
from challenges.forms import JoinForResidentForm, SubmissionForm
from challenges.models import Challenge, SubmissionStatus
from challenges.pages import challenge_context, route_each_kind, show_refusal, submission_forms
from neighbourhoods.services import neighbourhood_choices

bp = Blueprint("desk", __name__, url_prefix="/desk", template_folder="templates")
bp.context_processor(challenge_context)
MAX_PAGE = 10_000
LANGUAGE_NAMES = {choice.value: choice.label for choice in LANGUAGE_CHOICES}


# Every desk page is for managers (and admins): residents get 403, visitors the log-in page.
desk_staff = serves(Role.MANAGER)


def _manager() -> User:
    return current_user._get_current_object()


def _resident(user_id: int) -> User:
    return assisted.get_resident(user_id)


def _challenge(challenge_id: int) -> Challenge:
    return visibility.get_challenge(challenge_id)


# Finding and registering residents -------------------------------------------------------


@bp.route("")
@desk_staff
def index():
    search = request.args.get("q", "").strip()[:100]
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    results = assisted.find_residents(search, page=page) if search else None
    return render_template("challenges/desk/index.html", search=search, results=results)


@bp.route("/register", methods=["GET", "POST"])
@desk_staff
def register():
    form = AssistedRegisterForm()
    form.neighbourhood_id.choices = choices([("", CHOOSE_NEIGHBOURHOOD), *neighbourhood_choices()])
    if form.validate_on_submit():
        try:
            resident, code = assisted.register_resident(
                _manager(), pseudonym=form.pseudonym.data, neighbourhood_id=form.neighbourhood_id.data,
                household_size=form.household_size.data, language=form.language.data, email=form.email.data or None,
            )  # fmt: skip
        except DomainError as error:
            refuse()
            attach_error(form, error)
        else:
            flash(_("%(name)s is registered.", name=resident.pseudonym), "success")
            return _code_sheet(resident, code)
    return render_template("challenges/desk/register.html", form=form), 422 if form.errors else 200


@bp.route("/residents/<int:user_id>/code", methods=["POST"])
@desk_staff
def reissue_code(user_id: int):
    resident = _resident(user_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("desk.resident", user_id=resident.id))
    try:
        code = assisted.reissue_code(_manager(), resident)
    except DomainError as error:
        refuse(error)
        return redirect(url_for("desk.resident", user_id=resident.id))
    flash(_("A new code is issued for %(name)s; the old one no longer works.", name=resident.pseudonym), "success")
    return _code_sheet(resident, code)


def _code_sheet(resident: User, code: str):
    """The printable sheet, in the resident's language; shown once and kept out of every cache."""
    language = resident.language if resident.language in current_app.config["LANGUAGES"] else None
    language = language or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale_for(language)):
        sheet = render_template(
            "challenges/desk/_code_sheet.html", resident=resident, code=code, manager=_manager(), issued_at=utcnow()
        )
    page = render_template("challenges/desk/code.html", resident=resident, sheet=Markup(sheet), sheet_lang=language)
    return page, 200, {"Cache-Control": "no-store"}


# A resident's desk page -------------------------------------------------------------------


@bp.route("/residents/<int:user_id>")
@desk_staff
def resident(user_id: int):
    return _render_resident(_resident(user_id))


def _render_resident(resident: User, join_form: JoinForResidentForm | None = None):
    join_form = join_form or JoinForResidentForm(formdata=None)
    join_form.challenge_id.choices = _joinable(resident)
    return render_template(
        "challenges/desk/resident.html",
        resident=resident,
        enrollments=assisted.enrollments_of(resident),
        actions=assisted.actions_for(resident),
        join_form=join_form,
        confirm_form=ConfirmForm(formdata=None),
        language=LANGUAGE_NAMES.get(resident.language, resident.language),
    ), 422 if join_form.errors else 200


def _joinable(resident: User):
    return choices((c.id, c.title) for c in assisted.joinable_challenges(resident))


@bp.route("/residents/<int:user_id>/join", methods=["POST"])
@desk_staff
def join(user_id: int):
    resident = _resident(user_id)
    form = JoinForResidentForm()
    form.challenge_id.choices = _joinable(resident)
    if form.validate_on_submit():
        challenge = _challenge(form.challenge_id.data)
        try:
            assisted.join_for(_manager(), resident, challenge)
        except DomainError as error:
            show_refusal(form, error)
        else:
            flash(_("%(name)s takes part in “%(title)s”.", name=resident.pseudonym, title=challenge.title), "success")
            return redirect(url_for("desk.entry", user_id=resident.id, challenge_id=challenge.id))
    return _render_resident(resident, join_form=form)


# Entering paper readings and trips -------------------------------------------------------


@bp.route("/residents/<int:user_id>/challenges/<int:challenge_id>")
@desk_staff
def entry(user_id: int, challenge_id: int):
    return _render_entry(_resident(user_id), _challenge(challenge_id))


def _render_entry(resident: User, challenge: Challenge, posted=None, status: int = 200):
    """The resident's page for one challenge; `posted` is a refused entry's kind and form, shown with its errors."""
    enrollment = participation.find_enrollment(challenge, resident)
    if enrollment is None:
        abort(404)
    kind = kinds.of_challenge(challenge)
    offered = enrollment.active and kind.takes_submissions(challenge)
    form, refused = submission_forms(kind, posted, offered)
    return render_template(
        "challenges/desk/entry.html",
        resident=resident,
        challenge=challenge,
        enrollment=enrollment,
        form=form,
        refused=refused,
        offered=offered,
        submissions=activity.own_submissions(enrollment),
    ), status


@desk_staff
def submit(user_id: int, challenge_id: int, kind_code: str):
    """A reading or trip from the resident's paper form, on the path its kind names."""
    resident, challenge, kind = _resident(user_id), _challenge(challenge_id), kinds.by_code(kind_code)
    form = kind.form()
    if form.validate_on_submit():
        try:
            submission, created = assisted.submit_for(
                _manager(), resident, challenge, kind, form.values(), idempotency_key=form.key()
            )
        except DomainError as error:
            show_refusal(form, error)
        else:
            return _saved(resident, submission, created, form)
    return _render_entry(resident, challenge, posted=(kind, form), status=422)


route_each_kind(bp, "/residents/<int:user_id>/challenges/<int:challenge_id>", submit)  # …/readings, …/trips


def _saved(resident: User, submission, created: bool, form: SubmissionForm):
    """Say what became of the entry and what was stored, then show the form again for the paper form's next line."""
    category = "success"
    if not created:
        message = _("This was already entered; nothing counts twice.")
    elif submission.status == SubmissionStatus.FLAGGED:
        message = _("Saved, but held for a manager to check: %(reason)s", reason=submission.flag_reason)
        category = "warning"
    elif note := kinds.of_submission(submission).desk_note(submission, resident.pseudonym):
        message = note
    else:
        enrollment, unit = submission.enrollment, display.METRIC_UNITS[submission.challenge.metric]
        message = _(
            "Saved for %(name)s. Their score is now %(score)s %(unit)s.",
            name=resident.pseudonym,
            score=display.amount(enrollment.score),
            unit=unit,
        )
    flash(f"{message} {form.recorded(submission)}", category)
    return redirect(url_for("desk.entry", user_id=resident.id, challenge_id=submission.challenge_id, _anchor="enter"))
