"""JSON API of challenges under /api/v1/challenges: browse, run, join, submit and review."""

from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_smorest import abort
from flask_smorest.pagination import Page

from accounts.models import Role
from app.pagination import Blueprint, page_of
from app.security import PUBLIC, serves
from app.security import viewer as current_viewer
from challenges import activity, authoring, errors, kinds, participation, submissions, totals, visibility
from challenges.kinds import SubmissionCreateSchema
from challenges.models import Challenge
from challenges.schemas import (
    ChallengeCreateSchema,
    ChallengeFilterSchema,
    ChallengeSchema,
    ChallengeUpdateSchema,
    ChangeSchema,
    EnrollmentSchema,
    IdempotencyHeaderSchema,
    ReviewDecisionSchema,
    ReviewItemSchema,
    SubmissionSchema,
    WithdrawalSchema,
)

blp = Blueprint("api_challenges", __name__, url_prefix="/api/v1/challenges", description="Challenges")

manager_required = serves(Role.MANAGER)
resident_required = serves(Role.RESIDENT)
# Public reads: anonymous visitors are welcome; logged-in ones also see their own part.
OPTIONAL_AUTH = [{}, {"bearerAuth": []}, {"cookieAuth": []}]
# The columns, and the texts in the request's language under their older one-language names (app.bilingual).
CHALLENGE_COLUMNS = (*(column.key for column in Challenge.__table__.columns), "title", "description")
# 409s that concern the challenge's state rather than a field sent name `status` as the field.


def _shown(challenge: Challenge, enrollment=None) -> dict:
    """A challenge as the API shows it, with the viewer's own part (`me`) once they joined."""
    shown = {name: getattr(challenge, name) for name in CHALLENGE_COLUMNS}
    shown.update(progress=totals.progress(challenge), me=enrollment)
    return shown


def _shown_to_viewer(challenge: Challenge) -> dict:
    viewer = current_viewer()
    return _shown(challenge, participation.find_enrollment(challenge, viewer) if viewer else None)


def _enrollment_of_viewer(challenge_id: int):
    """The caller's enrollment in a challenge they can see; NotEnrolled if they never joined."""
    viewer = current_viewer()
    challenge = visibility.get_visible_challenge(challenge_id, viewer)
    enrollment = participation.find_enrollment(challenge, viewer)
    if enrollment is None:
        raise errors.NotEnrolled()
    return enrollment


# Challenges -------------------------------------------------------------------------------


@blp.route("")
class Challenges(MethodView):
    @serves(PUBLIC)
    @blp.doc(security=OPTIONAL_AUTH)
    @blp.arguments(ChallengeFilterSchema, location="query")
    @blp.response(200, ChallengeSchema(many=True))
    @blp.paginate()
    def get(self, filters, pagination_parameters):
        """Browse challenges: published ones, and drafts too for managers; running ones first.

        `open_to_me=true` keeps what you can join now or have joined and still runs: challenges
        that are scheduled or active and not yet ended. Residents and admins can join every one of
        them (anonymous visitors could, after logging in); managers and staff join none, so for them
        it keeps only challenges they joined earlier as residents.
        """
        viewer = current_viewer()
        challenges = page_of(visibility.list_challenges(viewer, **filters), pagination_parameters)
        mine = participation.enrollments_by_challenge(viewer, [challenge.id for challenge in challenges])
        return [_shown(challenge, mine.get(challenge.id)) for challenge in challenges]

    @manager_required
    @blp.arguments(ChallengeCreateSchema)
    @blp.response(201, ChallengeSchema)
    def post(self, fields):
        """Create a draft (managers). Only title, category, metric and format are needed now."""
        return _shown(authoring.create_challenge(current_viewer(), **fields))


@blp.route("/<int:challenge_id>")
class ChallengeItem(MethodView):
    @serves(PUBLIC)
    @blp.doc(security=OPTIONAL_AUTH)
    @blp.response(200, ChallengeSchema)
    def get(self, challenge_id):
        """A challenge with its rules, status, totals and, once you joined, your part (`me`)."""
        return _shown_to_viewer(visibility.get_visible_challenge(challenge_id, current_viewer()))

    @manager_required
    @blp.arguments(ChallengeUpdateSchema)
    @blp.response(200, ChallengeSchema)
    def patch(self, changes, challenge_id):
        """Edit a challenge (managers): anything while a draft, only description and end once running.

        Edits after publishing are logged publicly (see /changes); closed and cancelled ones are frozen.
        """
        challenge = authoring.update_challenge(visibility.get_challenge(challenge_id), current_viewer(), **changes)
        return _shown_to_viewer(challenge)


@blp.route("/<int:challenge_id>/publish")
class Publish(MethodView):
    @manager_required
    @blp.response(200, ChallengeSchema)
    def post(self, challenge_id):
        """Publish a complete draft (managers): scheduled until it starts, active from then on.

        Missing fields are a 422 listing each of them in `errors`; a challenge no longer a draft is a 409.
        """
        return _shown_to_viewer(authoring.publish(visibility.get_challenge(challenge_id)))


@blp.route("/<int:challenge_id>/cancel")
class Cancel(MethodView):
    @manager_required
    @blp.response(200, ChallengeSchema)
    def post(self, challenge_id):
        """Call a challenge off (managers); closed and cancelled challenges stay as they are (409)."""
        return _shown_to_viewer(authoring.cancel(visibility.get_challenge(challenge_id)))


@blp.route("/<int:challenge_id>/changes")
class Changes(MethodView):
    @serves(PUBLIC)
    @blp.doc(security=OPTIONAL_AUTH)
    @blp.response(200, ChangeSchema(many=True))
    @blp.paginate(Page)
    def get(self, challenge_id):
        """The public change log: every edit made after publishing, newest first, by pseudonym."""
        return visibility.get_visible_challenge(challenge_id, current_viewer()).changes


# Taking part -------------------------------------------------------------------------------


@blp.route("/<int:challenge_id>/enrollment")
class EnrollmentItem(MethodView):
    @resident_required
    @blp.response(200, EnrollmentSchema)
    def put(self, challenge_id):
        """Join a published challenge that has not ended (residents); joining again changes nothing."""
        return participation.join(visibility.get_visible_challenge(challenge_id, current_viewer()), current_viewer())

    @resident_required
    @blp.response(204)
    def delete(self, challenge_id):
        """Leave a challenge (residents); your score stops counting until you join again."""
        participation.leave(visibility.get_visible_challenge(challenge_id, current_viewer()), current_viewer())


@blp.route("/<int:challenge_id>/submissions")
class Submissions(MethodView):
    @resident_required
    @blp.response(200, SubmissionSchema(many=True))
    @blp.paginate(Page)
    def get(self, challenge_id):
        """Your own submissions to a challenge, newest first, with status, points and reasons."""
        return activity.own_submissions(_enrollment_of_viewer(challenge_id))

    @resident_required
    @blp.arguments(IdempotencyHeaderSchema, location="headers")
    @blp.arguments(SubmissionCreateSchema)
    @blp.response(201, SubmissionSchema)
    @blp.alt_response(200, schema=SubmissionSchema, description="A repeated Idempotency-Key: the first result.")
    def post(self, headers, data, challenge_id):
        """Submit a meter reading to an energy challenge or a trip to a mobility one.

        A reading is `read_at` and `meter_kwh`; a trip is `day`, `mode`, `distance_km`, `replaced_car`
        and, optionally, `trip_time`. With an `Idempotency-Key` header a repeated request stores
        nothing new and answers 200 with the first result (the key is yours across all challenges).
        A refusal is a 422 naming the field and the `rule` broken; implausible amounts are accepted
        as `flagged` for review.
        """
        enrollment = participation.enrollment_to_submit_to(challenge_id, current_viewer())
        kind = kinds.of_challenge(enrollment.challenge)
        if problems := kind.problems(data):
            abort(422, errors=problems)
        submission, created = kind.submit(
            enrollment, data, idempotency_key=headers.get("idempotency_key"), source="api"
        )
        return submission, 201 if created else 200


@blp.route("/<int:challenge_id>/submissions/<int:submission_id>/withdraw")
class Withdrawal(MethodView):
    @resident_required
    @blp.arguments(WithdrawalSchema)
    @blp.response(200, SubmissionSchema)
    def post(self, withdrawal, challenge_id, submission_id):
        """Withdraw your own submission, saying why (residents): while it waits for review, or on the day you sent it.

        It becomes `withdrawn` and counts for nothing: the ledger takes back the points it earned with a
        reversal, your score and rank follow, and a reading sent after it is measured anew. The reason is kept.
        Someone else's submission, or one of another challenge, is a 404; one that can no longer be
        withdrawn (counted and sent on an earlier day, already rejected or withdrawn, or the challenge no
        longer takes submissions) a 409 with rule `not_withdrawable`.
        """
        enrollment = _enrollment_of_viewer(challenge_id)
        submission = activity.get_submission(enrollment.challenge_id, submission_id)
        if submission is None:
            raise errors.NoSuchSubmission()
        return submissions.withdraw(submission, current_viewer(), withdrawal["reason"])


# Review ----------------------------------------------------------------------------------


@blp.route("/<int:challenge_id>/review")
class ReviewQueue(MethodView):
    @manager_required
    @blp.response(200, ReviewItemSchema(many=True))
    @blp.paginate(Page)
    def get(self, challenge_id):
        """The review queue (managers): flagged submissions, oldest first, residents by pseudonym."""
        return submissions.flagged_submissions(visibility.get_challenge(challenge_id).id)


@blp.route("/<int:challenge_id>/submissions/<int:submission_id>/review")
class ReviewDecision(MethodView):
    @manager_required
    @blp.arguments(ReviewDecisionSchema)
    @blp.response(200, SubmissionSchema)
    def post(self, decision, challenge_id, submission_id):
        """Approve a flagged submission or reject one with a reason the resident sees (managers)."""
        submission = activity.get_submission(challenge_id, submission_id)
        if submission is None:
            abort(404, message=str(_l("No such submission in this challenge.")))
        approve = decision["decision"] == "approve"
        return submissions.review(submission, current_viewer(), approve=approve, reason=decision["reason"])
