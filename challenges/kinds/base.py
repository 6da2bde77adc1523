"""What every kind of submission shares: the steps of submitting, counting and taking back, around
each kind's own rules.

A kind (a meter reading, a trip) is a subclass of `Kind` in its own module of this package, with
one instance registered in `challenges.kinds`. It carries its plausibility checks, its score and
impact, its API input schema, its HTML form, its CSV columns, its labels and the template of its
page pieces. The steps every kind goes through — a replayed key, storing, counting on the running
totals and announcing the change — are here, once.
"""

from datetime import date, datetime, timedelta

import marshmallow as ma
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, select

from accounts.models import User
from app.clock import local_date
from app.columns import utcnow
from app.extensions import db
from app.signals import SubmissionScored, submission_scored
from challenges import errors
from challenges.models import (
    AssistedActionKind,
    Challenge,
    Enrollment,
    Status,
    Submission,
    SubmissionKind,
    SubmissionStatus,
)
from challenges.scoring import Category, Impact
from challenges.totals import add_units, hold_enrollment

CLOCK_SKEW = timedelta(minutes=5)


class Kind:
    """One kind of submission: a subclass sets the attributes and implements what raises NotImplementedError."""

    code: SubmissionKind  # stored on each submission of this kind
    category: Category  # the challenges that take this kind
    path: str  # where its forms post: /challenges/<id>/<path> and the service desk's twin
    data_category: str  # the data catalogue's category of its records: consents, dividend, statistics
    assisted_action: AssistedActionKind  # how the service desk's log names entering one
    not_part_of: str  # the API's answer to a field this kind does not take
    form: type  # its HTML form, with `blank(now_local)` and `values()`
    schema: type[ma.Schema]  # its API input fields (none required there; `optional` says what may be left out)
    optional: frozenset[str] = frozenset()
    date_field: str  # the field that dates it, where a refusal for its date is shown
    before_start = False  # whether it is taken when dated before the start (readings: for the baseline)
    columns: dict[str, set[str]]  # its CSV columns, each with the headings accepted for it
    required_columns: tuple[str, ...]
    template: str  # the macros that show it on pages: form, description, rules, chart table

    # The kind's own rules --------------------------------------------------------------------

    def takes_submissions(self, challenge: Challenge) -> bool:
        """Whether the challenge takes this kind now, so its form is offered: while it runs."""
        return challenge.status == Status.ACTIVE

    def check(self, enrollment: Enrollment, values: dict, now: datetime) -> dict:
        """Refuse implausible values, naming the rule broken; returns the columns a submission stores."""
        raise NotImplementedError

    def dated(self, columns: dict) -> datetime:
        """The latest moment its activity may have happened: what the challenge's start is checked against."""
        raise NotImplementedError

    def assess(self, submission: Submission) -> tuple[float, int]:
        """Score a new submission, holding it for review when it is implausibly large; (units, points)."""
        raise NotImplementedError

    def score(self, submission: Submission) -> tuple[float, int]:
        """What a submission counts for now: (units in the challenge's metric, points)."""
        raise NotImplementedError

    def impact(self, submission: Submission) -> Impact:
        """What a counted submission saved, whatever its challenge scores."""
        raise NotImplementedError

    def recorded_before(self, moment: datetime) -> ColumnElement[bool]:
        """The condition on submissions of this kind whose activity lies before `moment` (retention)."""
        raise NotImplementedError

    def row_values(self, row: dict[str, str]) -> dict:
        """The values of one CSV row, read with `challenges.csv_cells` (RowError when one is unreadable)."""
        raise NotImplementedError

    def chart(self, enrollment: Enrollment) -> dict:
        """The personal page's chart: its SVG, a summary and the rows of its table."""
        raise NotImplementedError

    def joined(self, enrollment: Enrollment) -> None:
        """After a resident first joined a challenge of this kind."""

    def stored(self, submission: Submission) -> None:
        """After a new submission was stored, and counted if it was accepted."""

    def check_approval(self, submission: Submission) -> None:
        """Refuse approving a held submission that no longer fits what counts (raises SubmissionRefused)."""

    def changed(self, submission: Submission) -> None:
        """After a submission started or stopped counting (approved, rejected): what depends on it is scored again."""

    def saved_note(self, submission: Submission) -> str | None:
        """What a resident is told of a stored submission that counts for nothing yet, if anything."""
        return None

    def desk_note(self, submission: Submission, name: str) -> str | None:
        """The same for the service desk, which entered it for the resident called `name`."""
        return None

    def problems(self, data: dict) -> dict:
        """The API's field messages for what a submission of this kind lacks or must not carry."""
        fields = self.schema().fields
        problems = {name: [str(_l("This field is required."))] for name in fields if name not in self.optional}
        for name in data:
            problems.pop(name, None)
            if name not in fields:
                problems[name] = [str(self.not_part_of)]
        return problems

    # What every kind goes through --------------------------------------------------------------

    def submit(
        self, enrollment: Enrollment, values: dict, *, idempotency_key: str | None = None, source: str = "web",
        assisted_by: User | None = None, now: datetime | None = None,
    ) -> tuple[Submission, bool]:  # fmt: skip
        """Store a submission of this kind; returns (submission, created). Refusals raise and store nothing."""
        now = now or utcnow()
        hold_enrollment(enrollment)  # what the checks, the daily cap and the totals read stays true until commit
        if replay := _replayed(enrollment.user, idempotency_key):
            return replay, False
        _check_can_submit(enrollment)
        self._check_fits(enrollment.challenge)
        columns = self.check(enrollment, values, now)
        self._check_started(enrollment.challenge, columns, now)
        submission = Submission(
            challenge=enrollment.challenge, enrollment=enrollment, user=enrollment.user, kind=self.code,
            neighbourhood_id=enrollment.neighbourhood_id, status=SubmissionStatus.ACCEPTED,
            idempotency_key=idempotency_key, source=source, assisted_by=assisted_by, units=0.0, points=0,
            created_at=now, **columns,
        )  # fmt: skip
        units, points = self.assess(submission)
        if submission.status == SubmissionStatus.ACCEPTED:  # stored with its score: no second write of the row
            submission.units, submission.points = units, points
            submission.kwh_saved, submission.car_km_avoided, submission.co2_kg_avoided = self.impact(submission)
        # The resident's lock is held and _replayed read under it: no one else can store this key meanwhile.
        db.session.add(submission)
        db.session.flush()
        if submission.status == SubmissionStatus.ACCEPTED and (units or points):
            self._counted(submission, units, points, new=True)
        self.stored(submission)
        db.session.flush()
        return submission, True

    def _check_fits(self, challenge: Challenge) -> None:
        """Each challenge takes its own kind, whatever path a submission came by (page, API, desk, CSV)."""
        if challenge.category != self.category:
            raise errors.SubmissionRefused(
                _l("This challenge does not take this kind of submission."), rule="wrong_kind"
            )

    def _check_started(self, challenge: Challenge, columns: dict, now: datetime) -> None:
        """Nothing dated before the start counts, and nothing from the start on is taken before it runs."""
        if self.dated(columns) < challenge.starts_at:
            if not self.before_start:
                when = format_datetime(challenge.starts_at)
                message = _l("Only activity from the start on counts (%(when)s).", when=when)
                raise errors.SubmissionRefused(message, self.date_field, "outside")
            return
        if not has_started(challenge, now):
            message = _l(
                "The challenge starts on %(when)s; what you do from then on can be sent once it runs.",
                when=format_datetime(challenge.starts_at),
            )
            raise errors.SubmissionRefused(message, self.date_field, "not_started")

    def count(self, submission: Submission, units: float, points: int) -> None:
        """Record what a submission counts for, on it and on the running totals, and announce any change.

        The caller holds `challenges.totals.hold_enrollment` for its enrollment (submit and review take it),
        so what it read to score the submission is still true and the totals start from current values.
        """
        units_delta, points_delta = units - submission.units, points - submission.points
        submission.units, submission.points = units, points
        impact = self.impact(submission) if submission.status == SubmissionStatus.ACCEPTED else Impact()
        submission.kwh_saved, submission.car_km_avoided, submission.co2_kg_avoided = impact
        db.session.flush()
        self._counted(submission, units_delta, points_delta)

    def _counted(self, submission: Submission, units_delta: float, points_delta: int, new: bool = False) -> None:
        """Add what a submission's score changed by to the running totals, and announce it."""
        enrollment = submission.enrollment
        add_units(enrollment, units_delta, points_delta)
        if units_delta or points_delta:
            first_points = enrollment.points > 0 >= enrollment.points - points_delta
            submission_scored.send(scored(submission, units_delta, points_delta, new=new, first_points=first_points))


def _replayed(user: User, key: str | None) -> Submission | None:
    if not key:
        return None
    return db.session.scalar(select(Submission).where(Submission.user_id == user.id, Submission.idempotency_key == key))


def has_started(challenge: Challenge, now: datetime) -> bool:
    """Whether the challenge runs, so activity from its start on is taken: active, and its start has come."""
    return challenge.status == Status.ACTIVE and now >= challenge.starts_at


def _check_can_submit(enrollment: Enrollment) -> None:
    if not enrollment.active:
        raise errors.NotEnrolled()
    if enrollment.challenge.status not in (Status.SCHEDULED, Status.ACTIVE):
        raise errors.SubmissionRefused(_l("This challenge does not take submissions now."), rule="not_running")


def scored(
    submission: Submission, units_delta: float = 0.0, points_delta: int = 0, new: bool = False,
    first_points: bool = False,
) -> SubmissionScored:  # fmt: skip
    """What `submission_scored` says of a submission: what it counts for now, and by how much that changed."""
    challenge = submission.challenge
    return SubmissionScored(
        submission_id=submission.id, user_id=submission.user_id, challenge_id=challenge.id,
        challenge_title=challenge.title, day=activity_day(submission), units=submission.units,
        points=submission.points, units_delta=units_delta, points_delta=points_delta,
        counted=submission.status == SubmissionStatus.ACCEPTED, new=new, first_points=first_points,
    )  # fmt: skip


def activity_day(submission: Submission) -> date:
    """The city-calendar day a submission's activity happened: the trip's day, the reading's local date."""
    if submission.day is not None:
        return submission.day
    return local_date(submission.read_at or submission.created_at or utcnow())
