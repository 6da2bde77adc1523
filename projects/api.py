"""JSON API of community projects: the list and one project for everybody, pledging for residents, and the
managers' publishing, editing and cancelling. The same services as the pages."""

from flask.views import MethodView
from flask_smorest import abort

from accounts.models import Role
from app.pagination import Blueprint, page_of
from app.security import PUBLIC, serves
from app.security import viewer as current_viewer
from projects import display, services
from projects.models import Pledge, Project
from projects.schemas import (
    IdempotencyHeaderSchema,
    PledgeInSchema,
    PledgeSchema,
    ProjectChangesSchema,
    ProjectCreateSchema,
    ProjectFilterSchema,
    ProjectSchema,
)

blp = Blueprint("api_projects", __name__, url_prefix="/api/v1", description="Community projects")
OPTIONAL_AUTH = [{}, {"bearerAuth": []}, {"cookieAuth": []}]
FIELDS = ("id", "title", "title_en", "title_de", "description", "description_en", "description_de", "neighbourhood",
          "target", "pledged", "still_needed", "deadline", "status")  # fmt: skip


def _shown(project: Project) -> dict:
    """A project as the API shows it, with the named backers and, for residents, their part in `me`."""
    viewer = current_viewer()
    resident = viewer if viewer is not None and viewer.has_role(Role.RESIDENT) else None
    count, names = services.backers(project)
    me = None
    if resident:
        me = {"pledged": services.pledged_by(resident, project),
              "may_pledge": services.is_open(project) and services.may_pledge(resident, project)}  # fmt: skip
    shown = {name: getattr(project, name) for name in FIELDS}
    return shown | {"percent": display.percent(project), "backer_count": count, "backers": names, "me": me}


def _pledge_shown(row: Pledge) -> dict:
    return {"id": row.id, "project_id": row.project_id, "offered": row.offered, "amount": row.amount,
            "kept": row.offered - row.amount, "show_name": row.show_name, "created_at": row.created_at,
            "refunded_at": row.refunded_at, "project_status": row.project.status}  # fmt: skip


@blp.route("/projects")
class Projects(MethodView):
    @serves(PUBLIC)
    @blp.doc(security=OPTIONAL_AUTH)
    @blp.arguments(ProjectFilterSchema, location="query")
    @blp.response(200, ProjectSchema(many=True))
    @blp.paginate()
    def get(self, filters, pagination_parameters):
        """Every community project, open ones first, then by deadline; `status` keeps one status."""
        query = services.projects_query(status=filters.get("status"))
        return [_shown(project) for project in page_of(query, pagination_parameters)]

    @serves(Role.MANAGER)
    @blp.arguments(ProjectCreateSchema)
    @blp.response(201, ProjectSchema)
    def post(self, fields):
        """Publish a community project (managers): open for pledges until `deadline`; `neighbourhood_id` null for
        the whole city. A refused field is a 422 naming it."""
        return _shown(services.create_project(by=current_viewer(), **fields))


@blp.route("/projects/<int:project_id>")
class OneProject(MethodView):
    @serves(PUBLIC)
    @blp.doc(security=OPTIONAL_AUTH)
    @blp.response(200, ProjectSchema)
    @blp.alt_response(404, description="No such project.")
    def get(self, project_id):
        """One project: progress, deadline, neighbourhood and the backers who agreed to be named."""
        return _shown(services.get_project(project_id))

    @serves(Role.MANAGER)
    @blp.arguments(ProjectChangesSchema)
    @blp.response(200, ProjectSchema)
    @blp.alt_response(404, description="No such project.")
    def patch(self, changes, project_id):
        """Change a project (managers); target, deadline and neighbourhood only while it is open."""
        return _shown(services.update_project(services.get_project(project_id), **changes))


@blp.route("/projects/<int:project_id>/cancel")
class Cancel(MethodView):
    @serves(Role.MANAGER)
    @blp.response(200, ProjectSchema)
    @blp.alt_response(404, description="No such project.")
    @blp.alt_response(409, description="The project has ended already (`already_ended`).")
    def post(self, project_id):
        """Cancel an open or funded project (managers): every pledge is returned to its backer at once."""
        return _shown(services.cancel_project(services.get_project(project_id)))


@blp.route("/projects/<int:project_id>/pledges")
class Pledges(MethodView):
    @serves(Role.RESIDENT)
    @blp.arguments(PledgeInSchema)
    @blp.arguments(IdempotencyHeaderSchema, location="headers")
    @blp.response(201, PledgeSchema)
    @blp.alt_response(200, schema=PledgeSchema, description="A repeated Idempotency-Key: the first pledge.")
    @blp.alt_response(403, description="The project is for another neighbourhood (`other_neighbourhood`).")
    @blp.alt_response(404, description="No such project.")
    @blp.alt_response(409, description="Funded, ended or cancelled (`not_open`), or `insufficient_points`.")
    def post(self, data, headers, project_id):
        """Pledge points to a project (residents of its neighbourhood, or of the city for a city-wide one).

        The project takes only what it still needs: `amount` is what was taken, `kept` what you keep. The
        pledge that reaches the target funds the project; later ones are refused with `not_open`. Points
        come back automatically if the project fails or is cancelled.
        """
        project = services.get_project(project_id)
        row, created = services.pledge(current_viewer(), project, data["points"], data["show_name"],
                                       headers.get("idempotency_key"))  # fmt: skip
        if not created and row.project_id != project.id:
            message = "This key was already used to pledge to another project."
            abort(422, message=message, errors={"Idempotency-Key": [message]})
        return _pledge_shown(row), 201 if created else 200


@blp.route("/me/pledges")
class MyPledges(MethodView):
    @serves(Role.RESIDENT)
    @blp.response(200, PledgeSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """Your pledges, newest first, with what each project took and whether it was returned."""
        return [_pledge_shown(row) for row in page_of(services.pledges_of(current_viewer()), pagination_parameters)]
