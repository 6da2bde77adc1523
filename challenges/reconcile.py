"""The challenges' totals for `flask scores check` (app.reconciliation): enrollments against their
submissions, each challenge's and neighbourhood's totals against its active enrollments.

An enrollment is compared with its submissions only where every one of them is still there: retention
deletes readings and trips after RETENTION_MONTHS, and erasing an account deletes all of its own
(the enrollment, and what it counted for, stays). So only enrollments that still have submissions,
in challenges that started since the oldest moment retention may have reached, are compared.
"""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, literal, select, true, update

from app.columns import utcnow
from app.extensions import db
from app.reconciliation import Check, Difference, differs, same
from app.upserts import dialect_insert
from challenges.models import Challenge, Enrollment, NeighbourhoodScore, Submission, SubmissionStatus
from challenges.totals import hold_challenges

DAYS_PER_MONTH = 28  # the shortest month, so "kept since" is never earlier than what retention deleted


def kept_since(now: datetime | None = None) -> datetime:
    """From this moment on, every reading and trip is still stored (retention deletes older ones)."""
    return (now or utcnow()) - timedelta(days=DAYS_PER_MONTH * current_app.config["RETENTION_MONTHS"])


def _counted(column):
    return func.sum(column).filter(Submission.status == SubmissionStatus.ACCEPTED)


def _worth():
    """Per enrollment with submissions: what its counted ones add up to, in units and points."""
    return (
        select(
            Submission.enrollment_id,
            func.coalesce(_counted(Submission.units), 0.0).label("units"),
            func.coalesce(_counted(Submission.points), 0).label("points"),
        )
        .group_by(Submission.enrollment_id)
        .subquery()
    )


def _active():
    # `== true()` rather than the bare column: an equality the leaderboard index can seek on.
    return Enrollment.active == true()


# Enrollments --------------------------------------------------------------------------------------


def find_enrollments() -> list[Difference]:
    """Enrollments whose score or points are not what their counted submissions add up to."""
    worth = _worth()
    rows = db.session.execute(
        select(Enrollment.id, Enrollment.challenge_id, Enrollment.user_id, Enrollment.score, Enrollment.points,
               worth.c.units, worth.c.points)
        .join(worth, worth.c.enrollment_id == Enrollment.id)
        .join(Challenge, Challenge.id == Enrollment.challenge_id)
        .where(Challenge.starts_at >= kept_since(),
               differs(Enrollment.score, worth.c.units) | (Enrollment.points != worth.c.points))
        .order_by(Enrollment.challenge_id, Enrollment.id)
    )  # fmt: skip
    found = []
    for ident, challenge_id, user_id, score, points, units, worth_points in rows:
        what = f"enrollment {ident} (challenge {challenge_id}, resident {user_id})"
        for column, kept, recomputed in (("score", score, units), ("points", points, worth_points)):
            if not same(kept, recomputed):
                found.append(Difference(what, column, kept, recomputed, challenge_id, user_id))
    return found


def repair_enrollments(differences: list[Difference]) -> None:
    """Set the enrollments of the challenges found to what their counted submissions add up to."""
    challenge_ids = sorted({d.challenge_id for d in differences})
    hold_challenges(challenge_ids)
    table, submission = Enrollment.__table__, Submission.__table__

    def counted(column, empty):
        return (
            select(func.coalesce(func.sum(column), empty))
            .where(submission.c.enrollment_id == table.c.id, submission.c.status == SubmissionStatus.ACCEPTED)
            .scalar_subquery()
        )

    has_submissions = select(submission.c.id).where(submission.c.enrollment_id == table.c.id).exists()
    db.session.execute(
        update(table)
        .where(table.c.challenge_id.in_(challenge_ids), has_submissions)
        .values(score=counted(submission.c.units, 0.0), points=counted(submission.c.points, 0))
    )


# Challenges and neighbourhoods ------------------------------------------------------------------


def _standing(*group):
    return (
        select(*group, func.sum(Enrollment.score).label("units"), func.count().label("participants"))
        .where(_active())
        .group_by(*group)
        .subquery()
    )


def find_totals() -> list[Difference]:
    """Challenges and neighbourhoods whose totals are not what their active enrollments add up to."""
    return _find_challenges() + _find_neighbourhoods()


def _find_challenges() -> list[Difference]:
    standing = _standing(Enrollment.challenge_id)
    units, participants = func.coalesce(standing.c.units, 0.0), func.coalesce(standing.c.participants, 0)
    rows = db.session.execute(
        select(Challenge.id, Challenge.title, Challenge.total_units, Challenge.participant_count, units, participants)
        .outerjoin(standing, standing.c.challenge_id == Challenge.id)
        .where(differs(Challenge.total_units, units) | (Challenge.participant_count != participants))
        .order_by(Challenge.id)
    )
    found = []
    for ident, title, total, count, recomputed_total, recomputed_count in rows:
        what = f'challenge {ident} "{title}"'
        for column, kept, recomputed in (("total_units", total, recomputed_total),
                                         ("participant_count", count, recomputed_count)):  # fmt: skip
            if not same(kept, recomputed):
                found.append(Difference(what, column, kept, recomputed, ident))
    return found


def _find_neighbourhoods() -> list[Difference]:
    standing = _standing(Enrollment.challenge_id, Enrollment.neighbourhood_id)
    row = NeighbourhoodScore
    matching = and_(standing.c.challenge_id == row.challenge_id, standing.c.neighbourhood_id == row.neighbourhood_id)
    units, participants = func.coalesce(standing.c.units, 0.0), func.coalesce(standing.c.participants, 0)
    kept = db.session.execute(
        select(row.challenge_id, row.neighbourhood_id, row.total_units, row.participants, units, participants)
        .outerjoin(standing, matching)
        .where(differs(row.total_units, units) | (row.participants != participants))
    ).all()
    missing = db.session.execute(
        select(standing.c.challenge_id, standing.c.neighbourhood_id, literal(0.0), literal(0), standing.c.units,
               standing.c.participants)
        .outerjoin(row, matching)
        .where(standing.c.neighbourhood_id.is_not(None), row.id.is_(None))
    ).all()  # fmt: skip
    found = []
    for challenge_id, place, total, count, recomputed_total, recomputed_count in sorted(kept + missing):
        what = f"neighbourhood {place} in challenge {challenge_id}"
        for column, was, recomputed in (("total_units", total, recomputed_total),
                                        ("participants", count, recomputed_count)):  # fmt: skip
            if not same(was, recomputed):
                found.append(Difference(what, column, was, recomputed, challenge_id))
    return found


def repair_totals(differences: list[Difference]) -> None:
    """Set the challenges' and their neighbourhoods' totals found to what their active enrollments add up to."""
    challenge_ids = sorted({d.challenge_id for d in differences})
    hold_challenges(challenge_ids)
    for challenge_id in challenge_ids:
        _recount_challenge(challenge_id)
        _recount_neighbourhoods(challenge_id)


def _recount_challenge(challenge_id: int) -> None:
    active = (Enrollment.challenge_id == challenge_id, _active())
    units = db.session.scalar(select(func.coalesce(func.sum(Enrollment.score), 0.0)).where(*active))
    participants = db.session.scalar(select(func.count()).select_from(Enrollment).where(*active))
    db.session.execute(
        update(Challenge.__table__)
        .where(Challenge.__table__.c.id == challenge_id)
        .values(total_units=units, participant_count=participants)
    )


def _recount_neighbourhoods(challenge_id: int) -> None:
    table = NeighbourhoodScore.__table__
    places = db.session.execute(
        select(Enrollment.neighbourhood_id, func.sum(Enrollment.score), func.count())
        .where(Enrollment.challenge_id == challenge_id, _active(), Enrollment.neighbourhood_id.is_not(None))
        .group_by(Enrollment.neighbourhood_id)
    ).all()
    db.session.execute(
        update(table)
        .where(table.c.challenge_id == challenge_id, table.c.neighbourhood_id.not_in([p for p, _u, _n in places]))
        .values(total_units=0.0, participants=0)
    )
    if places:
        rows = [{"challenge_id": challenge_id, "neighbourhood_id": place, "total_units": units, "participants": count}
                for place, units, count in places]  # fmt: skip
        statement = dialect_insert(table).values(rows)
        db.session.execute(
            statement.on_conflict_do_update(
                index_elements=[table.c.challenge_id, table.c.neighbourhood_id],
                set_={name: statement.excluded[name] for name in ("total_units", "participants")},
            )
        )


CHECKS = (
    Check("enrollments", find_enrollments, repair_enrollments),
    Check("challenge totals", find_totals, repair_totals),
)
