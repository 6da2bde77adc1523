"""Pages of challenges: browsing, joining, submitting, the personal page, and the manager's tools."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from accounts.forms import ConfirmForm
from accounts.models import Role
from app.columns import utcnow
from app.extensions import db
from app.forms import format_number
from app.security import PUBLIC, serves
from app.security import viewer as current_viewer
from app.transactions import refuse
from challenges import (
    activity,
    authoring,
    display,
    errors,
    imports,
    kinds,
    participation,
    submissions,
    totals,
    visibility,
)
from challenges.forms import ChallengeForm, ReviewForm, SubmissionForm, UploadForm, WithdrawForm
from challenges.kinds import Kind
from challenges.models import Challenge, Status, SubmissionStatus
from challenges.pages import challenge_context, route_each_kind, show_refusal, submission_forms
from challenges.scoring import Category

bp = Blueprint("challenges", __name__, url_prefix="/challenges", template_folder="templates")
manager_required = serves(Role.MANAGER)
PER_PAGE = 20
MAX_PAGE = 10_000


bp.context_processor(challenge_context)


def _visible(challenge_id: int) -> Challenge:
    return visibility.get_visible_challenge(challenge_id, current_viewer())


def _to_detail(challenge: Challenge, anchor: str = ""):
    return redirect(url_for("challenges.detail", challenge_id=challenge.id) + anchor)


# Browsing ---------------------------------------------------------------------------------


def _filters(args, viewer) -> dict:
    """The list's filters from the query string; unknown values are ignored."""
    statuses = {s.value for s in Status if s != Status.DRAFT or visibility.sees_drafts(viewer)}
    category, status = args.get("category", ""), args.get("status", "")
    return {
        "category": Category(category) if category in {c.value for c in Category} else None,
        "status": Status(status) if status in statuses else None,
        "open_to_me": viewer is not None and args.get("open") == "1",
    }


@bp.route("")
@serves(PUBLIC)
def index():
    viewer = current_viewer()
    filters = _filters(request.args, viewer)
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    query = visibility.list_challenges(viewer, **filters)
    pagination = db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)
    enrollments = participation.enrollments_by_challenge(viewer, [c.id for c in pagination.items])
    return render_template(
        "challenges/list.html",
        pagination=pagination,
        filters=filters,
        enrollments=enrollments,
        statuses=[s for s in Status if s != Status.DRAFT or visibility.sees_drafts(viewer)],
    )


@bp.route("/<int:challenge_id>")
@serves(PUBLIC)
def detail(challenge_id: int):
    return _render_detail(_visible(challenge_id))


def _render_detail(challenge: Challenge, posted: tuple[Kind, SubmissionForm] | None = None, status: int = 200):
    """The challenge's page; `posted` is a refused submission's kind and form, shown with its errors."""
    viewer = current_viewer()
    enrollment = participation.find_enrollment(challenge, viewer) if viewer else None
    taking_part = enrollment is not None and enrollment.active
    kind = kinds.of_challenge(challenge)
    offered = taking_part and kind.takes_submissions(challenge)
    form, refused = submission_forms(kind, posted, offered)
    return render_template(
        "challenges/detail.html",
        challenge=challenge,
        enrollment=enrollment if taking_part else None,
        left=enrollment is not None and not enrollment.active,
        form=form,
        refused=refused,
        offered=offered,
        confirm_form=ConfirmForm(formdata=None),
        is_manager=visibility.sees_drafts(viewer),
        can_join=challenge.status in (Status.SCHEDULED, Status.ACTIVE) and challenge.ends_at > utcnow(),
        city_progress=totals.progress(challenge),
        top_score=totals.top_score(challenge) if enrollment and not challenge.completion_goal else None,
        flagged_count=len(submissions.flagged_submissions(challenge.id)) if visibility.sees_drafts(viewer) else 0,
    ), status


# Taking part ------------------------------------------------------------------------------


@bp.route("/<int:challenge_id>/join", methods=["POST"])
@serves(Role.RESIDENT)
def join(challenge_id: int):
    challenge = _visible(challenge_id)
    if ConfirmForm().validate_on_submit():
        try:
            participation.join(challenge, current_viewer())
        except errors.ChallengeError as error:
            refuse(error)
        else:
            flash(_("You take part in “%(title)s”. Good luck!", title=challenge.title), "success")
    return _to_detail(challenge, "#take-part")


@bp.route("/<int:challenge_id>/leave", methods=["POST"])
@serves(Role.RESIDENT)
def leave(challenge_id: int):
    challenge = _visible(challenge_id)
    if ConfirmForm().validate_on_submit():
        try:
            participation.leave(challenge, current_viewer())
        except errors.ChallengeError as error:
            refuse(error)
        else:
            flash(_("You left “%(title)s”. You can join again and keep your score.", title=challenge.title), "success")
    return _to_detail(challenge, "#take-part")


def _enrollment(challenge: Challenge):
    enrollment = participation.find_enrollment(challenge, current_viewer())
    if enrollment is None:
        raise errors.NotEnrolled()
    return enrollment


def _flash_result(submission, created: bool, form: SubmissionForm) -> None:
    """Tell the resident what their submission counted for, or why it does not count yet, and what was stored."""
    challenge, category = submission.challenge, "success"
    if not created:
        message = _("We had already received this; nothing counts twice.")
    elif submission.status == SubmissionStatus.FLAGGED:
        message = _("Saved, but held for a manager to check: %(reason)s", reason=submission.flag_reason)
        category = "warning"
    elif note := kinds.of_submission(submission).saved_note(submission):
        message = note
    else:
        message = ngettext(
            "Saved. It counts for %(quantity)s and %(points)s point.",
            "Saved. It counts for %(quantity)s and %(points)s points.",
            submission.points,
            quantity=display.quantity(submission.units, challenge.metric),
            points=format_number(submission.points),
        )
    flash(f"{message} {form.recorded(submission)}", category)


@serves(Role.RESIDENT)
def submit(challenge_id: int, kind_code: str):
    """A reading, a trip or any other kind of submission from its form, on the path its kind names."""
    challenge, kind = _visible(challenge_id), kinds.by_code(kind_code)
    form = kind.form()
    if form.validate_on_submit():
        try:
            submission, created = kind.submit(_enrollment(challenge), form.values(), idempotency_key=form.key())
        except errors.ChallengeError as error:
            show_refusal(form, error)
        else:
            _flash_result(submission, created, form)
            return _to_detail(challenge, "#take-part")
    return _render_detail(challenge, posted=(kind, form), status=422)


route_each_kind(bp, "/<int:challenge_id>", submit)  # /challenges/<id>/readings, …/trips


@bp.route("/<int:challenge_id>/upload", methods=["GET", "POST"])
@serves(Role.RESIDENT)
def upload(challenge_id: int):
    """Many readings or trips at once from a CSV file, with a report on every row."""
    challenge = _visible(challenge_id)
    form, report = UploadForm(), None
    if form.validate_on_submit():
        try:
            report = imports.import_csv(_enrollment(challenge), form.file.data.read(imports.MAX_BYTES + 1))
        except errors.ChallengeError as error:
            show_refusal(form, error)
    status = 422 if form.errors else 200
    return render_template("challenges/upload.html", challenge=challenge, form=form, report=report), status


@bp.route("/<int:challenge_id>/me")
@serves(Role.RESIDENT)
def me(challenge_id: int):
    challenge = _visible(challenge_id)
    enrollment = participation.find_enrollment(challenge, current_viewer())
    if enrollment is None:
        flash(_("Join the challenge to get your own page for it."), "error")
        return _to_detail(challenge, "#take-part")
    sent = activity.own_submissions(enrollment)
    return render_template(
        "challenges/me.html",
        challenge=challenge,
        enrollment=enrollment,
        chart=kinds.of_challenge(challenge).chart(enrollment),
        pending=[item for item in sent if item.status == SubmissionStatus.FLAGGED],
        submissions=sent,
        withdrawable={item.id for item in sent if submissions.withdrawable(item)},
    )


@bp.route("/<int:challenge_id>/submissions/<int:submission_id>/withdraw", methods=["GET", "POST"])
@serves(Role.RESIDENT)
def withdraw(challenge_id: int, submission_id: int):
    """Withdraw one's own submission: the page shows it and asks why (the confirmation), the post withdraws it."""
    challenge = _visible(challenge_id)
    submission = activity.get_submission(challenge.id, submission_id)
    if submission is None or submission.user_id != current_viewer().id:
        raise errors.NoSuchSubmission()
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            submissions.withdraw(submission, current_viewer(), form.reason.data)
        except errors.ChallengeError as error:
            show_refusal(form, error)
        else:
            flash(_("Withdrawn. It counts for nothing now, and what it earned is taken back."), "success")
            return redirect(url_for("challenges.me", challenge_id=challenge.id))
    return render_template(
        "challenges/withdraw.html",
        challenge=challenge,
        item=submission,
        form=form,
        withdrawable=submissions.withdrawable(submission),
    ), 422 if form.errors else 200


# Managing ---------------------------------------------------------------------------------


def _locked_fields(challenge: Challenge) -> tuple[str, ...]:
    if challenge.status in (Status.CLOSED, Status.CANCELLED):
        return authoring.EDITABLE_FIELDS
    if challenge.status == Status.ACTIVE:
        return tuple(name for name in authoring.EDITABLE_FIELDS if name not in authoring.EDITABLE_WHILE_ACTIVE)
    return ()


def _challenge_form(challenge: Challenge, **kwargs) -> tuple[ChallengeForm, dict]:
    """The edit form for a challenge and the values it showed, with what may not change disabled."""
    shown = ChallengeForm.initial(challenge)
    form = ChallengeForm(data=shown, **kwargs)
    form.lock(_locked_fields(challenge))
    return form, ChallengeForm(formdata=None, data=shown).values()


def _render_edit(form: ChallengeForm, challenge: Challenge | None):
    locked = _locked_fields(challenge) if challenge else ()
    return render_template(
        "challenges/edit.html", form=form, challenge=challenge, locked=locked, confirm_form=ConfirmForm(formdata=None)
    ), 422 if form.errors else 200


@bp.route("/new", methods=["GET", "POST"])
@manager_required
def new():
    form = ChallengeForm()
    if form.validate_on_submit():
        try:
            challenge = authoring.create_challenge(current_viewer(), **form.values())
        except errors.InvalidChallenge as error:
            refuse()
            form.show_errors(error.errors)
        else:
            flash(_("Draft saved. Check the preview, then publish it."), "success")
            return _to_detail(challenge)
    return _render_edit(form, None)


@bp.route("/<int:challenge_id>/edit", methods=["GET", "POST"])
@manager_required
def edit(challenge_id: int):
    challenge = _managed(challenge_id)
    form, shown = _challenge_form(challenge)
    if form.validate_on_submit():
        changes = {name: value for name, value in form.values().items() if value != shown[name]}
        try:
            authoring.update_challenge(challenge, current_viewer(), **changes)
        except errors.InvalidChallenge as error:
            refuse()
            form.show_errors(error.errors)
        except errors.ChallengeError as error:
            refuse()
            form.show_errors({error.field or "": error.message})
        else:
            flash(_("Changes saved."), "success")
            return _to_detail(challenge)
    return _render_edit(form, challenge)


def _managed(challenge_id: int) -> Challenge:
    return visibility.get_challenge(challenge_id)


@bp.route("/<int:challenge_id>/publish", methods=["POST"])
@manager_required
def publish(challenge_id: int):
    challenge = _managed(challenge_id)
    if not ConfirmForm().validate_on_submit():
        return _to_detail(challenge)
    try:
        authoring.publish(challenge)
    except (errors.IncompleteChallenge, errors.InvalidChallenge) as error:
        refuse()
        form, _shown = _challenge_form(challenge, formdata=None)
        _show_publish_problems(form, error)
        return _render_edit(form, challenge)
    except errors.ChallengeError as error:
        refuse(error)
    else:
        flash(_("“%(title)s” is published.", title=challenge.title), "success")
    return _to_detail(challenge)


def _show_publish_problems(form: ChallengeForm, error) -> None:
    if isinstance(error, errors.IncompleteChallenge):
        names = ", ".join(str(display.FIELD_LABELS.get(name, name)) for name in error.missing)
        form.form_errors.append(_("Fill in every field before publishing. Missing: %(fields)s.", fields=names))
        form.show_errors({name: _("Needed before publishing.") for name in error.missing})
    else:
        form.show_errors(error.errors)


@bp.route("/<int:challenge_id>/cancel", methods=["POST"])
@manager_required
def cancel(challenge_id: int):
    challenge = _managed(challenge_id)
    if ConfirmForm().validate_on_submit():
        try:
            authoring.cancel(challenge)
        except errors.ChallengeError as error:
            refuse(error)
        else:
            flash(_("“%(title)s” is cancelled.", title=challenge.title), "success")
    return _to_detail(challenge)


@bp.route("/<int:challenge_id>/review")
@manager_required
def review(challenge_id: int):
    return _render_review(_managed(challenge_id))


def _render_review(challenge: Challenge, failed_id: int | None = None, failed_form=None):
    queue = submissions.flagged_submissions(challenge.id)
    forms = {item.id: failed_form if item.id == failed_id else ReviewForm(formdata=None) for item in queue}
    return render_template(
        "challenges/review.html", challenge=challenge, queue=queue, forms=forms, confirm_form=ConfirmForm(formdata=None)
    ), 422 if failed_form is not None else 200


@bp.route("/<int:challenge_id>/review/<int:submission_id>/<any(approve, reject):decision>", methods=["POST"])
@manager_required
def decide(challenge_id: int, submission_id: int, decision: str):
    challenge = _managed(challenge_id)
    submission = activity.get_submission(challenge.id, submission_id) or abort(404)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            submissions.review(submission, current_viewer(), approve=decision == "approve", reason=form.reason.data)
        except errors.SubmissionRefused as error:
            show_refusal(form, error)
            return _render_review(challenge, submission.id, form)
        except errors.ChallengeError as error:
            refuse(error)
        else:
            done = _("Approved: it counts now.") if decision == "approve" else _("Rejected; the resident sees why.")
            flash(done, "success")
    return redirect(url_for("challenges.review", challenge_id=challenge.id))
