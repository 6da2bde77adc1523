"""Participation figures, aggregated in the database and filtered by the consent gate.

Every figure is a table of places (neighbourhoods, or the whole city) × time buckets; each cell
holds its value and the number of distinct residents it rests on, which small-cell suppression
needs. Only residents the gate allows for the purpose "municipal statistics" at the requested
level are counted, by data category:

- readings-based figures (kWh saved, and their part of submissions, CO₂, participants) need
  consent for `energy_readings`; trip-based ones for `trips`;
- joins, registrations and points attribute a resident to a neighbourhood, so they need consent
  for the `household_profile`.

Each cell also carries what the cell key method (stats/cellkey.py) needs: the sum of its
contributors' record keys and its largest single contribution. `contributors()` names, per
measure, the residents behind it (for the data use log), asking only residents inside the gate;
nobody outside it is read, so "left out" is counted from the consent records alone.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from sqlalchemy import String, and_, case, cast, distinct, func, literal, literal_column, or_, select, text

from accounts.models import Role, User
from app.extensions import db
from challenges import kinds
from challenges.models import Challenge, Enrollment, Submission, SubmissionKind, SubmissionStatus
from challenges.scoring import SUSTAINABLE_MODES, Category
from neighbourhoods.models import Neighbourhood
from rewards.models import EARNING_KINDS, EntryKind, LedgerEntry
from sharing import gate
from sharing.models import Consent, DataCategory, Level, Purpose
from stats.periods import Granularity, bucket, bucket_date, buckets, day_bounds, local_date

PURPOSE = "municipal_statistics"
CATEGORIES = ("energy_readings", "trips", "household_profile")
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
    key: int = 0  # the cell key: sum of the contributors' record keys (stats.cellkey reduces it)
    largest: float = 0.0  # the largest single resident's contribution, which scales magnitude noise


@dataclass
class Figures:
    """Every measure as {place id: {bucket start: Cell}}, with the places, buckets and who was counted."""

    filters: Filters
    places: dict[int, str]
    buckets: list[date]
    tables: dict[str, dict[int, dict[date, Cell]]]
    retention: dict[int, tuple[Cell, Cell]]  # per place: joiners, and those still active after 4 weeks
    consents: dict[tuple[str, str], int]  # (purpose code, level) → consents in force at the end
    contributors: dict[str, set[int]] = field(default_factory=dict)  # measure → residents whose data it used
    # Residents without any consent to this purpose at this level: from the consent records alone, never from
    # their activity (which the gate forbids reading); the release publishes it only from k residents up.
    without_consent: Cell = field(default_factory=Cell)

    @property
    def included(self) -> set[int]:
        """Every resident whose data went into any figure."""
        return set().union(*self.contributors.values())

    def by_category(self, profile_measures: tuple[str, ...] = ()) -> dict[str, set[int]]:
        """Per data category, the residents whose data of that category went into the figures.

        Readings (kWh and their share of every activity figure) and trips likewise, with retention by
        its challenges' kind; the household profile for the profile figures named (all by default).
        """
        of = self.contributors
        profile = profile_measures or PROFILE_MEASURES
        return {
            "energy_readings": of.get("kwh_saved", set()) | of.get("retention:energy_readings", set()),
            "trips": of.get("car_km_avoided", set()) | of.get("retention:trips", set()),
            "household_profile": set().union(*(of.get(name, set()) for name in profile)),
        }


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


# Figures that attribute a resident to a neighbourhood through their household profile.
PROFILE_MEASURES = ("joins", "registrations", "points_earned", "points_redeemed")

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
        # Residents each pass counted, by measure or group ("readers", "travellers"), for the data use log.
        self.seen: dict[str, set[int]] = {}

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
            select(time_bucket, place, Submission.user_id.label("user_id"), func.count().label("submissions"),
                   *(func.sum(expression).label(name) for name, expression in columns.items()))
            .select_from(Submission)
            .where(*window, consented)
            .group_by(time_bucket, place, Submission.user_id)
            .subquery()
        )  # fmt: skip
        c = per_resident.c
        key = func.coalesce(User.record_key, 0)
        names = ("submissions", "kwh_saved", "car_km_avoided", "sustainable_trips", "co2_kg_avoided")
        query = (
            select(
                c.bucket, c.place, *(func.sum(c[name]) for name in names), func.count(),
                func.sum(case((c.readings > 0, 1), else_=0)), func.sum(case((c.trips > 0, 1), else_=0)),
                func.sum(key), func.sum(case((c.readings > 0, key), else_=0)),
                func.sum(case((c.trips > 0, key), else_=0)), *(func.max(func.abs(c[name])) for name in names),
                self._id_list(case((c.readings > 0, c.user_id))), self._id_list(case((c.trips > 0, c.user_id))),
            )
            .join(User, User.id == c.user_id)
            .group_by(c.bucket, c.place)
        )  # fmt: skip
        # Who sent readings and who sent trips come out of the same pass, for the data use log (`contributors`).
        readers, travellers = self.seen["readers"], self.seen["travellers"] = set(), set()
        for row in db.session.execute(query):
            start, place_id = bucket_date(row[0]), row[1]
            readers.update(_ids(row[18]))
            travellers.update(_ids(row[19]))
            counted = {"everyone": row[7], "readers": row[8], "travellers": row[9]}
            keys = {"everyone": row[10], "readers": row[11], "travellers": row[12]}
            for name, value, largest in zip(names, row[2:7], row[13:18], strict=True):
                group = RESTS_ON[name]
                tables[name][place_id][start] = Cell(float(value or 0), int(counted[group] or 0), int(keys[group] or 0),
                                                     float(largest or 0))  # fmt: skip
            everyone = int(row[7])
            tables["active_participants"][place_id][start] = Cell(float(everyone), everyone, int(row[10] or 0), 1.0)

    def _id_list(self, column):
        """The group's non-null ids as one comma-separated text (read back by `_ids`)."""
        if self.dialect == "postgresql":
            return func.string_agg(cast(column, String), literal_column("','"))
        return func.group_concat(column, literal_column("','"))

    def _join_conditions(self) -> list:
        return [
            Enrollment.joined_at >= self.begin, Enrollment.joined_at < self.finish,
            *self._challenge_conditions(), *self._neighbourhood_condition(Enrollment.neighbourhood_id),
            Enrollment.user_id.in_(self.allowed("household_profile")),
        ]  # fmt: skip

    def _registration_conditions(self) -> list:
        return [
            User.role == Role.RESIDENT, User.created_at >= self.begin, User.created_at < self.finish,
            User.neighbourhood_id.is_not(None), *self._neighbourhood_condition(User.neighbourhood_id),
            User.id.in_(self.allowed("household_profile")),
        ]  # fmt: skip

    def _retention_conditions(self) -> list:
        # A joiner's activity is of the kind their challenge takes, so it needs that kind's consent.
        consented = or_(
            *(and_(Challenge.category == kind.category, Enrollment.user_id.in_(self.allowed(kind.data_category)))
              for kind in kinds.KINDS)
        )  # fmt: skip
        return [
            Enrollment.joined_at >= self.begin, Enrollment.joined_at < self.finish, consented,
            *self._challenge_conditions(), *self._neighbourhood_condition(Enrollment.neighbourhood_id),
        ]  # fmt: skip

    def joins(self, tables) -> None:
        day = local_date(Enrollment.joined_at, self.dialect, self.zone)
        time_bucket = bucket(day, self.filters.granularity, self.dialect).label("bucket")
        place = self.place(Enrollment.neighbourhood_id).label("place")
        per_resident = (
            select(time_bucket, place, Enrollment.user_id.label("user_id"), func.count().label("joins"))
            .select_from(Enrollment)
            .join(Challenge, Challenge.id == Enrollment.challenge_id)
            .where(*self._join_conditions())
            .group_by(time_bucket, place, Enrollment.user_id)
            .subquery()
        )
        c = per_resident.c
        query = (
            select(c.bucket, c.place, func.sum(c.joins), func.count(), func.sum(func.coalesce(User.record_key, 0)),
                   func.max(c.joins), self._id_list(c.user_id))
            .join(User, User.id == c.user_id)
            .group_by(c.bucket, c.place)
        )  # fmt: skip
        joiners = self.seen["joins"] = set()
        for start, place_id, count, residents, key, largest, ids in db.session.execute(query):
            tables["joins"][place_id][bucket_date(start)] = Cell(float(count), int(residents), int(key), float(largest))
            joiners.update(_ids(ids))

    def registrations(self, tables) -> None:
        day = local_date(User.created_at, self.dialect, self.zone)
        time_bucket = bucket(day, self.filters.granularity, self.dialect).label("bucket")
        place = self.place(User.neighbourhood_id).label("place")
        query = (
            select(time_bucket, place, func.count(), func.sum(func.coalesce(User.record_key, 0)),
                   self._id_list(User.id))
            .where(*self._registration_conditions())
            .group_by(time_bucket, place)
        )  # fmt: skip
        registered = self.seen["registrations"] = set()
        for start, place_id, count, key, ids in db.session.execute(query):
            tables["registrations"][place_id][bucket_date(start)] = Cell(float(count), int(count), int(key), 1.0)
            registered.update(_ids(ids))

    def _points_per_resident(self):
        """Per period, place and resident: points earned and redeemed (less refunds)."""
        day = local_date(LedgerEntry.created_at, self.dialect, self.zone)
        time_bucket = bucket(day, self.filters.granularity, self.dialect).label("bucket")
        earned = LedgerEntry.kind.in_(EARNING_KINDS)
        redeemed = LedgerEntry.kind.in_((EntryKind.REDEMPTION, EntryKind.REFUND))
        return (
            select(
                time_bucket, self.place(User.neighbourhood_id).label("place"), LedgerEntry.user_id.label("user_id"),
                User.record_key.label("record_key"),
                func.sum(case((earned, LedgerEntry.amount), else_=0)).label("earned"),
                func.sum(case((earned, 1), else_=0)).label("earnings"),
                (-func.sum(case((redeemed, LedgerEntry.amount), else_=0))).label("redeemed"),
                func.sum(case((redeemed, 1), else_=0)).label("redemptions"),
            )
            .join(User, User.id == LedgerEntry.user_id)
            .where(LedgerEntry.created_at >= self.begin, LedgerEntry.created_at < self.finish)
            .where(User.neighbourhood_id.is_not(None), *self._neighbourhood_condition(User.neighbourhood_id))
            .where(LedgerEntry.user_id.in_(self.allowed("household_profile")))
            .group_by(time_bucket, "place", LedgerEntry.user_id, User.record_key)
            .subquery()
        )  # fmt: skip

    def points(self, tables) -> None:
        c = self._points_per_resident().c
        key = func.coalesce(c.record_key, 0)
        columns = []
        for name, entries in (("earned", c.earnings), ("redeemed", c.redemptions)):
            columns += [func.sum(c[name]), func.sum(case((entries > 0, 1), else_=0)),
                        func.sum(case((entries > 0, key), else_=0)), func.max(func.abs(c[name]))]  # fmt: skip
        ids = (self._id_list(case((c.earnings > 0, c.user_id))), self._id_list(case((c.redemptions > 0, c.user_id))))
        query = select(c.bucket, c.place, *columns, *ids).group_by(c.bucket, c.place)
        earners, spenders = self.seen["points_earned"], self.seen["points_redeemed"] = set(), set()
        for row in db.session.execute(query):
            start, place_id = bucket_date(row[0]), row[1]
            earners.update(_ids(row[10]))
            spenders.update(_ids(row[11]))
            for name, (total, residents, cell_key, largest) in (("points_earned", row[2:6]),
                                                                ("points_redeemed", row[6:10])):  # fmt: skip
                tables[name][place_id][start] = Cell(float(total or 0), int(residents or 0), int(cell_key or 0),
                                                     float(largest or 0))  # fmt: skip

    def retention(self) -> dict[int, tuple[Cell, Cell]]:
        """Per place: residents who joined in the period, and those of them with activity 4 weeks or more later.

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
        per_resident = (
            select(place, Enrollment.user_id.label("user_id"), func.max(case((later, 1), else_=0)).label("kept"))
            .join(Challenge, Challenge.id == Enrollment.challenge_id)
            .where(*self._retention_conditions())
            .group_by(place, Enrollment.user_id)
            .subquery()
        )
        c = per_resident.c
        key = func.coalesce(User.record_key, 0)
        query = (
            select(c.place, func.count(), func.sum(c.kept), func.sum(key), func.sum(case((c.kept > 0, key), else_=0)))
            .join(User, User.id == c.user_id)
            .group_by(c.place)
        )
        return {
            place_id: (Cell(float(joined), int(joined), int(joined_key or 0), 1.0),
                       Cell(float(kept or 0), int(kept or 0), int(kept_key or 0), 1.0))
            for place_id, joined, kept, joined_key, kept_key in db.session.execute(query)
        }  # fmt: skip

    def consents(self) -> dict[tuple[str, str], Cell]:
        """Consents in force at the end of the period, by purpose and level (the city's own record)."""
        query = (
            select(Purpose.code, Consent.level, func.count(), func.count(distinct(Consent.user_id)),
                   func.sum(func.coalesce(User.record_key, 0)))
            .join(Purpose, Purpose.id == Consent.purpose_id)
            .join(User, User.id == Consent.user_id)
            .where(*gate.in_force_at_end(self.finish))
            .group_by(Purpose.code, Consent.level)
        )  # fmt: skip
        # A resident holds at most one consent per category for a purpose and level: the largest contribution.
        per_resident = float(db.session.scalar(select(func.count()).select_from(DataCategory)) or 1)
        return {(code, str(level)): Cell(float(count), int(residents), int(key or 0), per_resident)
                for code, level, count, residents, key in db.session.execute(query)}  # fmt: skip

    def contributors(self) -> dict[str, set[int]]:
        """Per measure, the residents whose data went into it, asked only of those the gate lets through.

        The residents of activity, joins, registrations and points come from those figures' own passes
        when they ran (`seen`); else activity is asked per consented resident and kind with EXISTS, and
        the others by their passes' conditions. Nobody outside the gate is looked at, so nobody is
        counted as "left out" either.
        """
        seen = self.seen
        if "readers" in seen:
            groups = {name: seen[name] for name in ("readers", "travellers")}
        else:
            groups = self._active_residents()
        groups["everyone"] = groups["readers"] | groups["travellers"]
        result = {name: set(groups[RESTS_ON[name]]) for name in RESTS_ON}
        if "joins" not in seen:
            seen["joins"] = set(db.session.scalars(select(Enrollment.user_id).distinct().join(
                Challenge, Challenge.id == Enrollment.challenge_id).where(*self._join_conditions())))  # fmt: skip
        if "registrations" not in seen:
            seen["registrations"] = set(db.session.scalars(select(User.id).where(*self._registration_conditions())))
        if "points_earned" not in seen:
            points = self._points_per_resident().c
            seen["points_earned"] = set(db.session.scalars(select(points.user_id).where(points.earnings > 0)))
            seen["points_redeemed"] = set(db.session.scalars(select(points.user_id).where(points.redemptions > 0)))
        for name in ("joins", "registrations", "points_earned", "points_redeemed"):
            result[name] = set(seen[name])
        for kind in kinds.KINDS:  # retention reads joiners' activity of their challenge's kind
            of_kind = (select(Enrollment.user_id).distinct().join(Challenge, Challenge.id == Enrollment.challenge_id)
                       .where(*self._retention_conditions(), Challenge.category == kind.category))  # fmt: skip
            result[f"retention:{kind.data_category}"] = set(db.session.scalars(of_kind))
        result["retention"] = set().union(*(result[f"retention:{kind.data_category}"] for kind in kinds.KINDS))
        return result

    def _active_residents(self) -> dict[str, set[int]]:
        """Consented residents with activity in the window, by kind: an EXISTS per resident and kind, which
        stops at the first row (for callers that need the residents without the figures)."""
        window = self._activity_window()
        groups: dict[str, set[int]] = {"readers": set(), "travellers": set()}
        for kind in kinds.KINDS:
            group = "readers" if kind.code == SubmissionKind.READING else "travellers"
            sent = (
                select(literal(1))
                .select_from(Submission)
                .where(Submission.user_id == User.id, Submission.kind == kind.code, *window)
                .exists()
            )
            query = select(User.id).where(User.id.in_(self.allowed(kind.data_category)), sent)
            groups[group].update(db.session.scalars(query))
        return groups

    def without_consent(self) -> Cell:
        """Active residents with no consent in force to this purpose at this level, for any category.

        From the accounts and the consent records alone; erased and deactivated accounts are nobody's.
        """
        consenting = or_(*(User.id.in_(self.allowed(code)) for code in CATEGORIES))
        query = select(func.count(), func.sum(func.coalesce(User.record_key, 0))).where(
            User.role == Role.RESIDENT, User.active.is_(True), ~consenting
        )
        count, key = db.session.execute(query).one()
        return Cell(float(count), int(count), int(key or 0), 1.0)

    def places(self) -> dict[int, str]:
        if self.filters.level == Level.CITY:
            return {CITY: "city"}
        query = select(Neighbourhood.id, Neighbourhood.name).order_by(Neighbourhood.name)
        if self.filters.neighbourhood_ids:
            query = query.where(Neighbourhood.id.in_(self.filters.neighbourhood_ids))
        return dict(db.session.execute(query).all())


def _ids(text_list: str | None) -> list[int]:
    return [int(part) for part in text_list.split(",")] if text_list else []


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
    return Figures(
        filters=filters, places=aggregator.places(), buckets=buckets(filters.start, filters.end, filters.granularity),
        tables={name: dict(rows) for name, rows in tables.items()}, retention=aggregator.retention(),
        consents=aggregator.consents(), contributors=aggregator.contributors(),
        without_consent=aggregator.without_consent(),
    )  # fmt: skip
