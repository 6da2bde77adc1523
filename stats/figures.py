"""Participation figures, aggregated in the database and filtered by the consent gate.

Every figure is a table of places (neighbourhoods, or the whole city) × time buckets; each cell
holds its value and the number of distinct residents it rests on, which small-cell suppression
needs. Only residents the gate allows for the purpose "municipal statistics" at the requested
level are counted, by data category:

- readings-based figures (kWh saved, and their part of submissions, CO₂, participants) need
  consent for `energy_readings`; trip-based ones for `trips`;
- joins, registrations and points attribute a resident to a neighbourhood, so they need consent
  for the `household_profile`.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from sqlalchemy import and_, case, distinct, func, literal, or_, select, text

from accounts.models import Role, User
from app.extensions import db
from challenges import kinds
from challenges.models import Challenge, Enrollment, Submission, SubmissionKind, SubmissionStatus
from challenges.scoring import SUSTAINABLE_MODES, Category
from neighbourhoods.models import Neighbourhood
from rewards.models import EARNING_KINDS, EntryKind, LedgerEntry
from sharing import gate
from sharing.models import Consent, Level, Purpose
from stats.periods import Granularity, bucket, bucket_date, buckets, day_bounds, local_date

PURPOSE = "municipal_statistics"
CITY = 0  # the place id of the whole city, when figures are not broken down by neighbourhood
RETENTION_DAYS = 28


@dataclass(frozen=True)
class Filters:
    start: date
    end: date  # inclusive
    granularity: Granularity = Granularity.WEEK
    level: Level = Level.NEIGHBOURHOOD  # neighbourhood: per neighbourhood; city: one row for the city
    challenge_ids: tuple[int, ...] = ()
    category: Category | None = None
    neighbourhood_ids: tuple[int, ...] = ()

    def as_dict(self) -> dict:
        return {
            "from": self.start.isoformat(), "to": self.end.isoformat(), "granularity": self.granularity.value,
            "level": self.level.value, "challenge_ids": list(self.challenge_ids),
            "category": self.category.value if self.category else None,
            "neighbourhood_ids": list(self.neighbourhood_ids),
        }  # fmt: skip


@dataclass
class Cell:
    value: float = 0.0
    residents: int = 0


@dataclass
class Figures:
    """Every measure as {place id: {bucket start: Cell}}, with the places, buckets and who was counted."""

    filters: Filters
    places: dict[int, str]
    buckets: list[date]
    tables: dict[str, dict[int, dict[date, Cell]]]
    retention: dict[int, Cell]  # share (0..1) of joiners still active after 4 weeks, per place
    consents: dict[tuple[str, str], int]  # (purpose code, level) → consents in force at the end
    included: set[int] = field(default_factory=set)  # residents whose data was used
    excluded: int = 0  # residents with activity in the period left out for lack of consent


# What each activity figure adds up, per submission row: what it saved is kept on it (scoring.Impact).
def _activity_columns():
    reading = Submission.kind == SubmissionKind.READING
    trip = Submission.kind == SubmissionKind.TRIP
    sustainable = Submission.mode.in_([mode.value for mode in SUSTAINABLE_MODES])
    return {
        "kwh_saved": Submission.kwh_saved,
        "car_km_avoided": Submission.car_km_avoided,
        "sustainable_trips": case((and_(trip, sustainable), 1), else_=0),
        "co2_kg_avoided": Submission.co2_kg_avoided,
        "readings": case((reading, 1), else_=0),
        "trips": case((trip, 1), else_=0),
    }


# Who each activity figure rests on: every active resident, those who sent readings, those who sent trips.
RESTS_ON = {
    "submissions": "everyone", "kwh_saved": "readers", "car_km_avoided": "travellers",
    "sustainable_trips": "travellers", "co2_kg_avoided": "everyone", "active_participants": "everyone",
}  # fmt: skip


MEASURES = (
    "registrations", "active_participants", "joins", "submissions", "kwh_saved", "car_km_avoided",
    "sustainable_trips", "co2_kg_avoided", "points_earned", "points_redeemed",
)  # fmt: skip


class Aggregator:
    """Builds the figures for one set of filters; one query per source table, grouped in the database."""

    def __init__(self, filters: Filters, at: datetime):
        self.filters = filters
        self.at = at  # the moment consent is judged: when the export runs
        self.dialect = db.session.get_bind().dialect.name
        self.zone = current_app.config["TIMEZONE"]
        self.begin, self.finish = day_bounds(filters.start, filters.end, self.zone)

    def allowed(self, category: str):
        return gate.allowed(category, PURPOSE, self.filters.level, at=self.at)

    def place(self, column):
        return column if self.filters.level == Level.NEIGHBOURHOOD else literal(CITY)

    def _challenge_conditions(self, column=None):
        """Conditions on the challenge a row belongs to, through its challenge id (no join needed)."""
        column = Challenge.id if column is None else column
        conditions = []
        if self.filters.challenge_ids:
            conditions.append(column.in_(self.filters.challenge_ids))
        if self.filters.category:
            of_category = select(Challenge.id).where(Challenge.category == self.filters.category).scalar_subquery()
            conditions.append(column.in_(of_category))
        return conditions

    def _neighbourhood_condition(self, column):
        return [column.in_(self.filters.neighbourhood_ids)] if self.filters.neighbourhood_ids else []

    def _activity_base(self):
        """Counted submissions in the period that the gate lets through, by their kind's category."""
        consented = or_(
            *(and_(Submission.kind == kind.code, Submission.user_id.in_(self.allowed(kind.data_category)))
              for kind in kinds.KINDS)
        )  # fmt: skip
        return self._activity_window(), consented

    def _activity_window(self):
        return [
            Submission.status == SubmissionStatus.ACCEPTED,
            Submission.day >= self.filters.start,
            Submission.day <= self.filters.end,
            *self._challenge_conditions(Submission.challenge_id),
            *self._neighbourhood_condition(Submission.neighbourhood_id),
        ]

    def activity(self, tables) -> None:
        """Activity figures in two steps: per resident, place and period first, then per place and period.

        Grouping per resident first turns "how many distinct residents" into a plain count, which
        both databases aggregate far faster than COUNT(DISTINCT) over millions of rows.
        """
        if self.dialect == "postgresql":
            # The grouping sorts or hashes millions of rows; with the default 4 MB it spills to disk.
            db.session.execute(text("SET LOCAL work_mem = '128MB'"))
        window, consented = self._activity_base()
        columns = _activity_columns()
        time_bucket = bucket(Submission.day, self.filters.granularity, self.dialect).label("bucket")
        place = self.place(Submission.neighbourhood_id).label("place")
        per_resident = (
            select(time_bucket, place, func.count().label("submissions"),
                   *(func.sum(expression).label(name) for name, expression in columns.items()))
            .select_from(Submission)
            .where(*window, consented)
            .group_by(time_bucket, place, Submission.user_id)
            .subquery()
        )  # fmt: skip
        c = per_resident.c
        query = select(
            c.bucket, c.place, func.sum(c.submissions), func.sum(c.kwh_saved), func.sum(c.car_km_avoided),
            func.sum(c.sustainable_trips), func.sum(c.co2_kg_avoided), func.count(),
            func.sum(case((c.readings > 0, 1), else_=0)), func.sum(case((c.trips > 0, 1), else_=0)),
        ).group_by(c.bucket, c.place)  # fmt: skip
        names = ("submissions", "kwh_saved", "car_km_avoided", "sustainable_trips", "co2_kg_avoided")
        for row in db.session.execute(query):
            start, place_id = bucket_date(row[0]), row[1]
            everyone, readers, travellers = row[7], row[8], row[9]
            counted = {"everyone": everyone, "readers": readers, "travellers": travellers}
            for name, value in zip(names, row[2:7], strict=True):
                tables[name][place_id][start] = Cell(float(value or 0), int(counted[RESTS_ON[name]] or 0))
            tables["active_participants"][place_id][start] = Cell(float(everyone), int(everyone))

    def joins(self, tables) -> None:
        day = local_date(Enrollment.joined_at, self.dialect, self.zone)
        time_bucket = bucket(day, self.filters.granularity, self.dialect).label("bucket")
        place = self.place(Enrollment.neighbourhood_id).label("place")
        query = (
            select(time_bucket, place, func.count(), func.count(distinct(Enrollment.user_id)))
            .select_from(Enrollment)
            .join(Challenge, Challenge.id == Enrollment.challenge_id)
            .where(Enrollment.joined_at >= self.begin, Enrollment.joined_at < self.finish)
            .where(*self._challenge_conditions(), *self._neighbourhood_condition(Enrollment.neighbourhood_id))
            .where(Enrollment.user_id.in_(self.allowed("household_profile")))
            .group_by(time_bucket, place)
        )
        for start, place_id, count, residents in db.session.execute(query):
            tables["joins"][place_id][bucket_date(start)] = Cell(float(count), int(residents))

    def registrations(self, tables) -> None:
        day = local_date(User.created_at, self.dialect, self.zone)
        time_bucket = bucket(day, self.filters.granularity, self.dialect).label("bucket")
        place = self.place(User.neighbourhood_id).label("place")
        query = (
            select(time_bucket, place, func.count())
            .where(User.role == Role.RESIDENT, User.created_at >= self.begin, User.created_at < self.finish)
            .where(User.neighbourhood_id.is_not(None), *self._neighbourhood_condition(User.neighbourhood_id))
            .where(User.id.in_(self.allowed("household_profile")))
            .group_by(time_bucket, place)
        )
        for start, place_id, count in db.session.execute(query):
            tables["registrations"][place_id][bucket_date(start)] = Cell(float(count), int(count))

    def points(self, tables) -> None:
        day = local_date(LedgerEntry.created_at, self.dialect, self.zone)
        time_bucket = bucket(day, self.filters.granularity, self.dialect).label("bucket")
        place = self.place(User.neighbourhood_id).label("place")
        earned = LedgerEntry.kind.in_(EARNING_KINDS)
        redeemed = LedgerEntry.kind.in_((EntryKind.REDEMPTION, EntryKind.REFUND))
        query = (
            select(
                time_bucket,
                place,
                func.sum(case((earned, LedgerEntry.amount), else_=0)),
                func.count(distinct(case((earned, LedgerEntry.user_id)))),
                -func.sum(case((redeemed, LedgerEntry.amount), else_=0)),
                func.count(distinct(case((redeemed, LedgerEntry.user_id)))),
            )
            .join(User, User.id == LedgerEntry.user_id)
            .where(LedgerEntry.created_at >= self.begin, LedgerEntry.created_at < self.finish)
            .where(User.neighbourhood_id.is_not(None), *self._neighbourhood_condition(User.neighbourhood_id))
            .where(LedgerEntry.user_id.in_(self.allowed("household_profile")))
            .group_by(time_bucket, place)
        )
        for start, place_id, earned_sum, earners, redeemed_sum, redeemers in db.session.execute(query):
            tables["points_earned"][place_id][bucket_date(start)] = Cell(float(earned_sum or 0), int(earners))
            tables["points_redeemed"][place_id][bucket_date(start)] = Cell(float(redeemed_sum or 0), int(redeemers))

    def retention(self) -> dict[int, Cell]:
        """Per place: of residents who joined in the period, the share with activity 4 weeks or more later.

        "Later" is by the activity's day, so each joiner is one seek on (enrollment, day) in the index.
        """
        joined_day = local_date(Enrollment.joined_at, self.dialect, self.zone)
        later = (
            select(literal(1))
            .where(Submission.enrollment_id == Enrollment.id, Submission.status == SubmissionStatus.ACCEPTED)
            .where(Submission.day >= _days_later(joined_day, RETENTION_DAYS, self.dialect))
            .exists()
        )
        place = self.place(Enrollment.neighbourhood_id).label("place")
        # A joiner's activity is of the kind their challenge takes, so it needs that kind's consent.
        consented = or_(
            *(and_(Challenge.category == kind.category, Enrollment.user_id.in_(self.allowed(kind.data_category)))
              for kind in kinds.KINDS)
        )  # fmt: skip
        query = (
            select(
                place, func.count(distinct(Enrollment.user_id)), func.count(distinct(case((later, Enrollment.user_id))))
            )
            .join(Challenge, Challenge.id == Enrollment.challenge_id)
            .where(Enrollment.joined_at >= self.begin, Enrollment.joined_at < self.finish, consented)
            .where(*self._challenge_conditions(), *self._neighbourhood_condition(Enrollment.neighbourhood_id))
            .group_by(place)
        )
        return {
            place_id: Cell(kept / joined if joined else 0.0, joined)
            for place_id, joined, kept in db.session.execute(query)
        }

    def consents(self) -> dict[tuple[str, str], int]:
        """Consents in force at the end of the period, by purpose and level (the city's own record)."""
        query = (
            select(Purpose.code, Consent.level, func.count())
            .join(Purpose, Purpose.id == Consent.purpose_id)
            .where(*gate.in_force_at_end(self.finish))
            .group_by(Purpose.code, Consent.level)
        )
        return {(code, str(level)): count for code, level, count in db.session.execute(query)}

    def contributors(self) -> tuple[set[int], int]:
        """Residents whose data went into the figures, and how many with activity were left out.

        Asked per resident with EXISTS, so each stops at the first row that answers it (an index
        seek on the submission's resident) instead of grouping every submission of the period.
        """

        window, consented = self._activity_base()

        def has_activity(*conditions):
            query = select(literal(1)).select_from(Submission).where(Submission.user_id == User.id)
            return query.where(*window, *conditions).exists()

        any_consent = or_(User.id.in_(self.allowed("energy_readings")), User.id.in_(self.allowed("trips")))
        # CASE so that residents with no consent at all are not looked at again (SQLite would evaluate an AND whole).
        passed = case((any_consent, has_activity(consented)), else_=False)
        included, excluded = set(), 0
        for user_id, counted in db.session.execute(select(User.id, passed).where(has_activity())):
            if counted:
                included.add(user_id)
            else:
                excluded += 1
        profile = select(Enrollment.user_id).where(
            Enrollment.joined_at >= self.begin, Enrollment.joined_at < self.finish,
            Enrollment.user_id.in_(self.allowed("household_profile")),
        )  # fmt: skip
        included.update(db.session.scalars(profile))
        return included, excluded

    def places(self) -> dict[int, str]:
        if self.filters.level == Level.CITY:
            return {CITY: "city"}
        query = select(Neighbourhood.id, Neighbourhood.name).order_by(Neighbourhood.name)
        if self.filters.neighbourhood_ids:
            query = query.where(Neighbourhood.id.in_(self.filters.neighbourhood_ids))
        return dict(db.session.execute(query).all())


def _days_later(day, days: int, dialect: str):
    """The date `days` days after the date `day`."""
    if dialect == "postgresql":
        return day + days
    return func.date(day, f"+{days} days")


def compute(filters: Filters, at: datetime) -> Figures:
    """All figures for `filters`, counting only residents whose consent was in force at `at`."""
    aggregator = Aggregator(filters, at)
    tables: dict[str, dict[int, dict[date, Cell]]] = {name: defaultdict(dict) for name in MEASURES}
    aggregator.activity(tables)
    aggregator.joins(tables)
    aggregator.registrations(tables)
    aggregator.points(tables)
    included, excluded = aggregator.contributors()
    return Figures(
        filters=filters, places=aggregator.places(), buckets=buckets(filters.start, filters.end, filters.granularity),
        tables={name: dict(rows) for name, rows in tables.items()}, retention=aggregator.retention(),
        consents=aggregator.consents(), included=included, excluded=excluded,
    )  # fmt: skip
