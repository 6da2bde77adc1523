"""Admin pages: users and their roles, the list of neighbourhoods and the table of their streets."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from accounts import services
from accounts.models import Role
from accounts.roles import ROLE_LABELS
from admin.forms import NeighbourhoodForm, StreetTableForm, UserAdminForm
from app.errors import DomainError
from app.forms import attach_error, format_number
from app.security import serves
from neighbourhoods import services as neighbourhoods
from neighbourhoods import streets
from neighbourhoods.errors import StreetTableRefused

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")
MAX_PAGE = 1_000_000  # far past any real list; larger page numbers would overflow the database's offset


@bp.route("/users")
@serves(Role.ADMIN)
def users():
    search = request.args.get("q", "").strip()
    role = request.args.get("role", "")
    if role not in {r.value for r in Role}:
        role = ""
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    pagination = services.list_users(search=search or None, role=role or None, page=page)
    return render_template("admin/users.html", pagination=pagination, search=search, role=role, role_labels=ROLE_LABELS)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@serves(Role.ADMIN)
def edit_user(user_id: int):
    user = services.get_user(user_id) or abort(404)
    form = UserAdminForm(obj=user, data={"role": user.role.value})
    if form.validate_on_submit():
        try:
            services.set_role(user, form.role.data)
            services.set_active(user, form.active.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_("Changes to %(name)s saved.", name=user.pseudonym), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_edit.html", user=user, form=form), 422 if form.errors else 200


@bp.route("/neighbourhoods", methods=["GET", "POST"])
@serves(Role.ADMIN)
def neighbourhood_list():
    form = NeighbourhoodForm()
    if form.validate_on_submit():
        try:
            neighbourhood = neighbourhoods.create_neighbourhood(form.name.data, form.households.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_("Neighbourhood %(name)s added.", name=neighbourhood.name), "success")
            return redirect(url_for("admin.neighbourhood_list"))
    return render_template(
        "admin/neighbourhoods.html",
        form=form,
        neighbourhoods=neighbourhoods.list_neighbourhoods(),
        resident_counts=services.resident_counts(),
    ), 422 if form.errors else 200


@bp.route("/neighbourhoods/<int:neighbourhood_id>", methods=["GET", "POST"])
@serves(Role.ADMIN)
def edit_neighbourhood(neighbourhood_id: int):
    neighbourhood = neighbourhoods.get_neighbourhood(neighbourhood_id) or abort(404)
    form = NeighbourhoodForm(obj=neighbourhood)
    if form.validate_on_submit():
        try:
            neighbourhoods.update_neighbourhood(neighbourhood, form.name.data, form.households.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_("Neighbourhood %(name)s saved.", name=neighbourhood.name), "success")
            return redirect(url_for("admin.neighbourhood_list"))
    return render_template(
        "admin/neighbourhood_edit.html", neighbourhood=neighbourhood, form=form
    ), 422 if form.errors else 200


MAX_PROBLEMS_SHOWN = 200  # a file wrong in every row is not fixed from a list of 50,000 lines


@bp.route("/streets", methods=["GET", "POST"])
@serves(Role.ADMIN)
def street_table():
    form, problems = StreetTableForm(), []
    if form.validate_on_submit():
        try:
            count = streets.replace_streets(form.file.data.read())
        except StreetTableRefused as refused:
            attach_error(form, refused)
            problems = refused.problems
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(
                ngettext("The street table now holds %(rows)s row.", "The street table now holds %(rows)s rows.", count,
                         rows=format_number(count)),
                "success",
            )  # fmt: skip
            return redirect(url_for("admin.street_table"))
    return render_template(
        "admin/streets.html",
        form=form,
        problems=problems[:MAX_PROBLEMS_SHOWN],
        more_problems=max(len(problems) - MAX_PROBLEMS_SHOWN, 0),
        street_count=streets.street_count(),
    ), 422 if form.errors else 200
