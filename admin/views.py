"""Admin pages: users and their roles, the neighbourhoods and the table of their streets, and organisation clients
(partner systems)."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from accounts import services
from accounts.models import Role
from accounts.roles import ROLE_LABELS
from admin.forms import ClientForm, NeighbourhoodForm, StreetTableForm, UserAdminForm
from app.errors import DomainError
from app.forms import attach_error, format_number
from app.security import serves
from app.transactions import refuse
from clients import services as clients
from clients.scopes import SCOPE_LABELS
from neighbourhoods import services as neighbourhoods
from neighbourhoods import streets
from neighbourhoods.errors import StreetTableRefused
from rewards.catalogue import services as catalogue

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


@bp.route("/clients", methods=["GET", "POST"])
@serves(Role.ADMIN)
def client_list():
    form = ClientForm()
    form.set_partners(catalogue.list_partners())
    if form.validate_on_submit():
        try:
            client, secret = clients.register_client(
                form.name.data, form.organisation.data, form.chosen_scopes, form.chosen_partner
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            current_app.logger.info("Organisation client %s registered by admin %s", client.label, current_user.id)
            return _show_secret(client, secret, 201)
    return _clients_page(form), 422 if form.errors else 200


@bp.route("/clients/<int:client_pk>/rotate", methods=["POST"])
@serves(Role.ADMIN)
def rotate_client_secret(client_pk: int):
    client = clients.get_client(client_pk) or abort(404)
    try:
        secret = clients.rotate_secret(client)
    except DomainError as error:
        refuse(error)
        return redirect(url_for("admin.client_list"))
    current_app.logger.info("Secret of organisation client %s rotated by admin %s", client.label, current_user.id)
    return _show_secret(client, secret, 200)


@bp.route("/clients/<int:client_pk>/revoke", methods=["POST"])
@serves(Role.ADMIN)
def revoke_client(client_pk: int):
    client = clients.get_client(client_pk) or abort(404)
    clients.revoke_client(client)
    current_app.logger.info("Organisation client %s revoked by admin %s", client.label, current_user.id)
    flash(_("%(name)s is revoked: its secret and tokens no longer work.", name=client.name), "success")
    return redirect(url_for("admin.client_list"))


def _clients_page(form: ClientForm):
    partners = {partner.id: partner.name for partner in catalogue.list_partners()}
    return render_template("admin/clients.html", form=form, clients=clients.list_clients(), partners=partners,
                           scope_labels=SCOPE_LABELS)  # fmt: skip


def _show_secret(client, secret: str, status: int):
    return render_template("admin/client_secret.html", client=client, secret=secret), status


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
