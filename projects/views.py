"""The community project pages: the list, a project's page with the pledge form, and the managers' pages.
Thin: each handler parses the form, calls projects.services, and renders or redirects."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from accounts.models import Role
from app.columns import utcnow
from app.extensions import db
from app.pagination import requested_page
from app.security import PUBLIC, serves
from app.security import viewer as current_viewer
from app.transactions import refuse
from neighbourhoods.services import neighbourhood_choices
from projects import display, errors, services
from projects.forms import CancelForm, PledgeForm, ProjectForm
from projects.models import Project, ProjectStatus
from rewards import ledger

bp = Blueprint("projects", __name__, template_folder="templates")
PER_PAGE = 20


@bp.context_processor
def project_context():
    return {"status_labels": display.STATUS_LABELS, "progress_text": display.progress_text,
            "progress_bar": display.progress_bar, "points": display.points, "day": display.day,
            "ProjectStatus": ProjectStatus}  # fmt: skip


@bp.route("/projects")
@serves(PUBLIC)
def index():
    """Every community project, open ones first, each with its progress."""
    pagination = db.paginate(services.projects_query(), page=requested_page(), per_page=PER_PAGE, error_out=False)
    return render_template("projects/index.html", pagination=pagination)


@bp.route("/projects/<int:project_id>")
@serves(PUBLIC)
def detail(project_id: int):
    return _render_detail(services.get_project(project_id), PledgeForm(formdata=None))


def _render_detail(project: Project, form: PledgeForm, status: int = 200):
    viewer = current_viewer()
    resident = viewer if viewer is not None and viewer.has_role(Role.RESIDENT) else None
    count, shown = services.backers(project)
    return render_template(
        "projects/detail.html", project=project, form=form, backer_count=count, backers=shown,
        open=services.is_open(project), resident=resident,
        may_pledge=resident is not None and services.may_pledge(resident, project),
        balance=ledger.balance(resident.id) if resident else None,
        mine=services.pledged_by(resident, project) if resident else 0,
    ), status  # fmt: skip


@bp.route("/projects/<int:project_id>/pledge", methods=["POST"])
@serves(Role.RESIDENT)
def pledge(project_id: int):
    project = services.get_project(project_id)
    form = PledgeForm()
    if form.validate_on_submit():
        try:
            row, created = services.pledge(current_viewer(), project, form.points.data, form.show_name.data,
                                           form.key())  # fmt: skip
        except errors.ProjectError as error:
            refuse()
            if error.field == "points":
                form.points.errors = [*form.points.errors, error.message]
            else:
                form.form_errors.append(error.message)
        else:
            _flash_pledge(row, created)
            return redirect(url_for("projects.detail", project_id=project.id))
    return _render_detail(services.get_project(project_id), form, 422)


def _flash_pledge(row, created: bool) -> None:
    if not created:
        flash(_("This pledge was already booked; nothing was taken twice."), "success")
    elif row.amount < row.offered:
        flash(_("Thank you! The project needed only %(taken)s points, so %(taken)s of your %(offered)s were taken "
                "and it is now funded. You keep the rest.", taken=display.points(row.amount),
                offered=display.points(row.offered)), "success")  # fmt: skip
    else:
        flash(_("Thank you! %(taken)s points were pledged.", taken=display.points(row.amount)), "success")


# Managers ----------------------------------------------------------------------------------------


@bp.route("/manage/projects")
@serves(Role.MANAGER)
def manage():
    pagination = db.paginate(services.projects_query(), page=requested_page(), per_page=50, error_out=False)
    return render_template("projects/manage.html", pagination=pagination, cancel_form=CancelForm())


def _render_edit(form: ProjectForm, project: Project | None):
    page = render_template("projects/edit.html", form=form, project=project, now=utcnow())
    return page, 422 if form.errors else 200


def _save(form: ProjectForm, project: Project | None) -> Project | None:
    """Create or update from the form; None when the service refused, with its reasons on the form."""
    try:
        if project is None:
            return services.create_project(by=current_viewer(), **form.values())
        return services.update_project(project, **form.values())
    except errors.InvalidFields as error:
        refuse()
        form.show_errors(error.errors)
        return None


@bp.route("/manage/projects/new", methods=["GET", "POST"])
@serves(Role.MANAGER)
def new():
    form = ProjectForm(neighbourhood_choices())
    if form.validate_on_submit() and (project := _save(form, None)):
        flash(_("“%(title)s” is published and open for pledges.", title=project.title), "success")
        return redirect(url_for("projects.manage"))
    return _render_edit(form, None)


@bp.route("/manage/projects/<int:project_id>/edit", methods=["GET", "POST"])
@serves(Role.MANAGER)
def edit(project_id: int):
    project = services.get_project(project_id)
    data = ProjectForm.initial(project) if request.method == "GET" else None
    form = ProjectForm(neighbourhood_choices(), data=data)
    if form.validate_on_submit() and _save(form, project):
        flash(_("Changes to “%(title)s” saved.", title=project.title), "success")
        return redirect(url_for("projects.manage"))
    return _render_edit(form, project)


@bp.route("/manage/projects/<int:project_id>/cancel", methods=["POST"])
@serves(Role.MANAGER)
def cancel(project_id: int):
    """Cancel a project; every pledge is given back at once."""
    project = services.get_project(project_id)
    if CancelForm().validate_on_submit():
        try:
            services.cancel_project(project)
        except errors.ProjectError as error:
            refuse(error)
        else:
            flash(_("“%(title)s” is cancelled; every pledge was returned.", title=project.title), "success")
    return redirect(url_for("projects.manage"))
