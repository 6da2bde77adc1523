"""The data dividend: weekly points for consents that brought data, never twice for a week.

For each consent in force at the end of a finished week, the resident earns the week's rate for
its level: a base for bringing any data, plus points per record (reading or trip) up to a cap.
A consent whose category brought nothing that week earns nothing.
"""

from collections.abc import Callable
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.clock import city_zone, week_bounds
from app.columns import utcnow
from app.extensions import db
from challenges import kinds
from challenges.models import Submission, SubmissionStatus
from rewards.earnings import credit_data_sharing, hold_accounts
from sharing import gate
from sharing.errors import InvalidConsent
from sharing.models import Consent, CreditRate, DataCategory, Level, Purpose

# Which submissions a category's records are (each kind names its category); the household profile is one
# record while it is filled in.
SUBMISSION_KINDS = {kind.data_category: kind.code for kind in kinds.KINDS}

# Categories whose records live outside the submissions (the route grid's tracks): a domain above registers how to
# count them (app.wiring), so this hub never imports it. counter(user_ids, begin, end) -> {user_id: records}.
RecordCounter = Callable[[list[int], datetime, datetime], dict[int, int]]
RECORD_COUNTERS: dict[str, RecordCounter] = {}


def register_records(category_code: str, counter: RecordCounter) -> None:
    """Let the dividend count a category's records with `counter`; registering again keeps the first."""
    RECORD_COUNTERS.setdefault(category_code, counter)


# Used until admins set rates of their own: more for more detail.
DEFAULT_RATES = {
    Level.INDIVIDUAL: (20, 2, 7),
    Level.NEIGHBOURHOOD: (10, 1, 7),
    Level.CITY: (5, 0, 0),
}


def rate_for(level: Level, week_start: date) -> tuple[int, int, int]:
    """(base points, points per record, records counted at most) for a week."""
    row = db.session.scalar(
        select(CreditRate)
        .where(CreditRate.level == level, CreditRate.effective_from <= week_start)
        .order_by(CreditRate.effective_from.desc())
        .limit(1)
    )
    return (row.base_points, row.points_per_record, row.max_records) if row else DEFAULT_RATES[Level(level)]


def set_rate(level: Level, effective_from: date, base_points: int, points_per_record: int, max_records: int,
             today: date) -> CreditRate:  # fmt: skip
    """Set a level's rate from a future Monday on; weeks already started keep the rate they had."""
    if effective_from <= today or effective_from.weekday() != 0:
        raise InvalidConsent({"effective_from": _l("Rates can only change from a coming Monday on.")})
    if min(base_points, points_per_record, max_records) < 0:
        raise InvalidConsent({"base_points": _l("Points must not be negative.")})
    row = db.session.scalar(
        select(CreditRate).where(CreditRate.level == level, CreditRate.effective_from == effective_from)
    )
    if row is None:
        row = CreditRate(level=level, effective_from=effective_from)
        db.session.add(row)
    row.base_points, row.points_per_record, row.max_records = base_points, points_per_record, max_records
    db.session.flush()
    return row


def _records(category_code: str, user_ids: list[int], begin: datetime, end: datetime) -> dict[int, int]:
    """How many records of a category each resident contributed in [begin, end)."""
    if category_code == "household_profile":
        return {user_id: 1 for user_id in user_ids}
    if category_code in RECORD_COUNTERS:
        return RECORD_COUNTERS[category_code](user_ids, begin, end)
    kind = SUBMISSION_KINDS.get(category_code)
    if kind is None:
        return {}
    rows = db.session.execute(
        select(Submission.user_id, func.count())
        .where(
            Submission.user_id.in_(user_ids), Submission.kind == kind, Submission.status == SubmissionStatus.ACCEPTED
        )
        .where(Submission.created_at >= begin, Submission.created_at < end)
        .group_by(Submission.user_id)
    )
    return dict(rows.all())


def credit_week(week_start: date) -> int:
    """Credit every consent in force at the end of the week starting `week_start`; returns entries made."""
    begin, end = week_bounds(week_start)
    consents = db.session.execute(
        select(Consent, DataCategory.code, Purpose.name_en)
        .join(DataCategory, DataCategory.id == Consent.category_id)
        .join(Purpose, Purpose.id == Consent.purpose_id)
        .where(*gate.in_force_at_end(end))
        .order_by(Consent.id)
    ).all()
    by_category: dict[str, list] = {}
    for consent, code, purpose_name in consents:
        by_category.setdefault(code, []).append((consent, purpose_name))
    due = []
    for code, items in by_category.items():
        records = _records(code, [consent.user_id for consent, _ in items], begin, end)
        for consent, purpose_name in items:
            if amount := _amount(consent.level, week_start, records.get(consent.user_id, 0)):
                due.append((consent, purpose_name, amount))
    hold_accounts(consent.user_id for consent, _name, _amount_due in due)
    period = week_start.isoformat()
    return sum(
        credit_data_sharing(consent.user_id, amount, name, consent.id, period, now=end) is not None
        for consent, name, amount in due
    )


def _amount(level: Level, week_start: date, records: int) -> int:
    if records <= 0:
        return 0
    base, per_record, cap = rate_for(level, week_start)
    return base + per_record * min(records, cap)


def credit_last_week(now: datetime | None = None) -> int:
    """The job's step: credit the week that ended most recently (city calendar)."""
    today = (now or utcnow()).astimezone(city_zone()).date()
    return credit_week(today - timedelta(days=today.weekday() + 7))
