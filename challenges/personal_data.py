"""The personal data challenges hold about a resident: enrollments, readings and trips, service-desk help.

One of the domains' `personal_data` modules that privacy/ asks for "download my data" and "delete my
account" (the list and its order: privacy/holders.py). Other people's names (the manager who
reviewed a reading or helped at the service desk) are left out: only the fact and its time stay.
"""

from datetime import datetime

from sqlalchemy import select, update

from accounts.models import User
from accounts.personal_data import anonymous_owner
from app.extensions import db
from app.personal_data import ExportLinks, as_csv, as_json, delete_rows
from challenges import participation
from challenges.models import AssistedAction, Challenge, Enrollment, Status, Submission
from challenges.totals import hold_challenges

RUNNING = (Status.SCHEDULED, Status.ACTIVE)
SUBMISSION_FIELDS = (
    "id", "challenge_id", "challenge", "kind", "status", "read_at", "meter_kwh", "day", "trip_time", "mode",
    "distance_km", "replaced_car", "consumed_kwh", "units", "points", "flag_reason", "review_reason", "reviewed_at",
    "withdrawn_at", "withdrawal_reason", "source", "created_at",
)  # fmt: skip
ENROLLMENT_FIELDS = (
    "id", "challenge_id", "challenge", "joined_at", "left_at", "active", "neighbourhood", "household_size",
    "baseline_kwh_per_day", "baseline_source", "score", "points", "final_rank", "joined_at_service_desk",
)  # fmt: skip


def export(user: User, links: ExportLinks) -> dict[str, str]:
    """Enrollments (CSV; leaderboards write the JSON with the rank history), readings and trips, service-desk help."""
    submissions = _submissions(user)
    return {
        "enrollments.csv": as_csv(ENROLLMENT_FIELDS, enrollments(user)),
        "submissions.json": as_json(submissions),
        "submissions.csv": as_csv(SUBMISSION_FIELDS, submissions),
        "service_desk.json": as_json(_service_desk(user)),
    }


def enrollments(user: User) -> list[dict]:
    """The resident's enrollments as plain rows (ENROLLMENT_FIELDS), oldest first."""
    rows = db.session.scalars(select(Enrollment).where(Enrollment.user_id == user.id).order_by(Enrollment.id))
    return [
        {"id": e.id, "challenge_id": e.challenge_id, "challenge": e.challenge.title, "joined_at": e.joined_at,
         "left_at": e.left_at, "active": e.active, "neighbourhood": e.neighbourhood.name if e.neighbourhood else None,
         "household_size": e.household_size, "baseline_kwh_per_day": e.baseline_kwh_per_day,
         "baseline_source": e.baseline_source, "score": e.score, "points": e.points, "final_rank": e.final_rank,
         "joined_at_service_desk": e.assisted_by_id is not None}
        for e in rows
    ]  # fmt: skip


def _submissions(user: User) -> list[dict]:
    query = select(Submission).where(Submission.user_id == user.id).order_by(Submission.challenge_id, Submission.id)
    return [
        {name: getattr(s, name) for name in SUBMISSION_FIELDS if name != "challenge"} | {"challenge": s.challenge.title}
        for s in db.session.scalars(query)
    ]


def _service_desk(user: User) -> list[dict]:
    query = select(AssistedAction).where(AssistedAction.resident_id == user.id).order_by(AssistedAction.created_at)
    return [{"kind": a.kind, "challenge_id": a.challenge_id, "created_at": a.created_at}
            for a in db.session.scalars(query)]  # fmt: skip


def erase(user: User, now: datetime) -> dict[str, int]:
    """Leave every running challenge, delete the raw readings and trips, detach the enrollments from the person.

    The enrollments stay only as anonymous contributions to closed challenges' totals and ranks.
    """
    left = _leave_running_challenges(user, now)
    deleted = _delete_submissions(user)
    return {"challenges_left": left, "submissions": deleted, "enrollments_detached": _detach_enrollments(user)}


def _detach_enrollments(user: User) -> int:
    """Move the enrollments and the service-desk log to an anonymous owner, without household, baseline or times.

    Score, points and final rank stay: they are part of the totals and of the other participants' ranks.
    Joining is dated to the challenge's start, which says nothing about the person.
    """
    owner = anonymous_owner()
    starts = select(Challenge.starts_at).where(Challenge.id == Enrollment.challenge_id).scalar_subquery()
    detached = db.session.execute(
        update(Enrollment).where(Enrollment.user_id == user.id)
        .values(user_id=owner.id, household_size=1, baseline_kwh_per_day=None, baseline_source=None,
                neighbourhood_id=None, joined_at=starts, left_at=None, assisted_by_id=None)
        .execution_options(synchronize_session=False)
    ).rowcount  # fmt: skip
    db.session.execute(
        update(AssistedAction).where(AssistedAction.resident_id == user.id).values(resident_id=owner.id)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    db.session.expire_all()
    return detached


def _leave_running_challenges(user: User, now: datetime) -> int:
    """Leave every running challenge as leaving does: out of its ranking, its totals and its count of participants.

    Closed challenges are not touched: their totals and final ranks are past statistics. There the
    anonymised account stays a "hidden participant" so that the others' ranks stay what they were.
    """
    running = _running_enrollments(user)
    hold_challenges(enrollment.challenge_id for enrollment in running)  # all of them before the resident (app.locks)
    for enrollment in running:
        participation.leave(enrollment.challenge, user, now=now)
    return len(running)


def _running_enrollments(user: User) -> list[Enrollment]:
    query = (
        select(Enrollment)
        .join(Challenge, Challenge.id == Enrollment.challenge_id)
        .where(Enrollment.user_id == user.id, Enrollment.active, Challenge.status.in_(RUNNING))
    )
    return list(db.session.scalars(query))


def _delete_submissions(user: User) -> int:
    """Delete the raw readings and trips; what they counted for is in the totals and the ledger already.

    The service-desk log keeps that a manager entered something, but no longer points at what.
    """
    mine = select(Submission.id).where(Submission.user_id == user.id)
    db.session.execute(
        update(AssistedAction).where(AssistedAction.submission_id.in_(mine)).values(submission_id=None)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    return delete_rows(Submission, Submission.user_id == user.id)
