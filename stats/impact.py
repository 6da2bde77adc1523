"""The city impact board: the programme's impact so far and this week, for the city's website.

Only residents the consent gate allows for "municipal statistics" are counted: city-wide figures at
the city level (a neighbourhood-level consent covers it), the neighbourhoods' standings at the
neighbourhood level, since a figure per neighbourhood is that level's detail. Every published figure
is protected as the staff statistics are (stats.services): a figure resting on fewer than
STATS_MIN_RESIDENTS residents is withheld (with secondary suppression inside each table), every other
one carries cell-key noise (stats.cellkey), so a resident who withdraws consent cannot be found by
subtracting yesterday's board from today's.

The board is computed once per city day and kept as a snapshot (`ImpactSnapshot`); each computation
is one entry in the data use log naming the residents whose data it used.
"""

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.exc import IntegrityError

from accounts.models import User
from app.clock import local_date, week_start
from app.columns import utcnow
from app.extensions import db
from challenges import kinds
from challenges.models import Submission, SubmissionKind, SubmissionStatus
from challenges.scoring import Mode
from neighbourhoods.models import Neighbourhood
from sharing import gate
from sharing.models import Level, Purpose
from sharing.uses import record_use
from stats import cellkey, suppression
from stats.figures import PURPOSE, Cell
from stats.models import ImpactSnapshot
from teams.models import MemberState, Team, TeamMember, TeamStatus

# What the board shows, in order; each is a sum over a resident's counted submissions.
MEASURES = ("kwh_saved", "car_km_avoided", "co2_kg_avoided", "trips")
MODES = tuple(Mode)
WHOLE_NUMBERS = {"trips"}
DESCRIPTION = "city impact board"


@dataclass(frozen=True)
class Window:
    """Which counted submissions a column of the board covers: all so far, or those since `since`."""

    name: str
    since: date | None

    def conditions(self) -> list:
        conditions = [Submission.status == SubmissionStatus.ACCEPTED]
        return conditions + ([Submission.day >= self.since] if self.since else [])


def _consented(level: Level, at: datetime):
    """Submissions whose resident the gate allows for that submission kind's data category."""
    return or_(
        *(and_(Submission.kind == kind.code, Submission.user_id.in_(gate.allowed(kind.data_category, PURPOSE, level,
                                                                                  at=at)))
          for kind in kinds.KINDS)
    )  # fmt: skip


def _columns() -> dict:
    trip = Submission.kind == SubmissionKind.TRIP
    columns = {
        "kwh_saved": Submission.kwh_saved,
        "car_km_avoided": Submission.car_km_avoided,
        "co2_kg_avoided": Submission.co2_kg_avoided,
        "trips": case((trip, 1), else_=0),
    }
    columns |= {f"mode:{mode.value}": case((and_(trip, Submission.mode == mode), 1), else_=0) for mode in MODES}
    return columns


def _cells(window: Window, level: Level, at: datetime, place) -> tuple[dict[object, dict[str, Cell]], set[int]]:
    """Per place, each measure's cell (value, residents, cell key, largest contribution), and who was used.

    Summed per resident first, so "residents behind a figure" is a plain count and the largest single
    contribution (which scales the noise) is a MAX.
    """
    columns = _columns()
    place_column = place.label("place")
    per_resident = (
        select(place_column, Submission.user_id.label("user_id"),
               *(func.sum(expression).label(name) for name, expression in columns.items()))
        .where(*window.conditions(), _consented(level, at))
        .group_by(place_column, Submission.user_id)
        .subquery()
    )  # fmt: skip
    c = per_resident.c
    key = func.coalesce(User.record_key, 0)
    selected = []
    for name in columns:
        contributed = c[name] != 0
        selected += [func.sum(c[name]), func.sum(case((contributed, 1), else_=0)),
                     func.sum(case((contributed, key), else_=0)), func.max(func.abs(c[name]))]  # fmt: skip
    query = select(c.place, *selected).join(User, User.id == c.user_id).group_by(c.place)
    cells: dict[object, dict[str, Cell]] = {}
    for row in db.session.execute(query):
        values = iter(row[1:])
        cells[row[0]] = {
            name: Cell(float(next(values) or 0), int(next(values) or 0), int(next(values) or 0),
                       float(next(values) or 0))
            for name in columns
        }  # fmt: skip
    used = set(db.session.scalars(select(c.user_id)))
    participants = select(c.place, func.count(), func.sum(key)).join(User, User.id == c.user_id).group_by(c.place)
    for place_id, count, keys in db.session.execute(participants):
        cells[place_id]["active_participants"] = Cell(float(count), int(count), int(keys or 0), 1.0)
    return cells, used


def _published(name: str, cell: Cell, hidden: bool) -> float | None:
    """None when withheld; else the value with its cell-key noise (whole numbers for counts), 0 for nobody."""
    if hidden:
        return None
    if cell.residents == 0:
        return 0.0
    if name == "active_participants":
        return float(cellkey.perturb_count(cell.value, cell.key, f"impact:{name}"))
    ndigits = None if name in WHOLE_NUMBERS or name.startswith("mode:") else 1
    return float(cellkey.perturb_magnitude(cell.value, cell.key, f"impact:{name}", cell.largest, ndigits))


def _city_figures(cells: dict[str, Cell], k: int) -> dict[str, float | None]:
    """The city-wide figures of one window: each withheld below k residents, else perturbed."""
    names = (*MEASURES, "active_participants")
    return {name: _published(name, cells.get(name, Cell()), 0 < cells.get(name, Cell()).residents < k)
            for name in names}  # fmt: skip


def _modes(cells: dict[str, Cell], k: int) -> dict[str, float | None]:
    """Trips by mode: a series with the trips as its total, suppressed as one table, then perturbed."""
    series = [cells.get(f"mode:{mode.value}", Cell()) for mode in MODES]
    total = cells.get("trips", Cell())
    if not any(cell.residents for cell in series):
        return {mode.value: 0.0 for mode in MODES}
    result = suppression.suppress_series([_suppression_cell(c) for c in series], k,
                                         total=_suppression_cell(total))  # fmt: skip
    return {mode.value: _published(f"mode:{mode.value}", cell, index in result.reasons) for index, (mode, cell) in
            enumerate(zip(MODES, series, strict=True))}  # fmt: skip


def _suppression_cell(cell: Cell) -> suppression.Cell:
    return suppression.Cell(cell.value, cell.residents) if cell.residents else suppression.Cell(0.0, 0)


def _standings(at: datetime, k: int) -> tuple[list[dict], set[int]]:
    """Each neighbourhood's CO₂ avoided so far and active participants, ranked by CO₂ per active participant.

    A neighbourhood resting on fewer than k residents is listed without figures and unranked; the
    ranking uses the published (perturbed) values, so it reveals nothing the table does not.
    """
    cells, used = _cells(Window("so_far", None), Level.NEIGHBOURHOOD, at, Submission.neighbourhood_id)
    places = db.session.execute(select(Neighbourhood.id, Neighbourhood.name).order_by(Neighbourhood.name))
    return _ranked(cells, places, k, listed_when_hidden=True), used


def _team_standings(at: datetime, k: int) -> tuple[list[dict], set[int]]:
    """The approved teams' CO₂ avoided so far, by their members now (a sub-team's counted in its parent), ranked
    per active participant as the neighbourhoods are, with the same consent level (a team is a group as a
    neighbourhood is) and the same protection. Only teams resting on at least k consenting residents are
    listed: a team's name alone, with nothing to show, is no standing (and thousands of them would bury the board)."""
    # The public team (a sub-team's parent) the submission's resident is a member of now, else NULL.
    team_of_submitter = (
        select(func.coalesce(Team.parent_id, Team.id))
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(TeamMember.user_id == Submission.user_id, TeamMember.state == MemberState.MEMBER)
        .scalar_subquery()
    )
    cells, used = _cells(Window("so_far", None), Level.NEIGHBOURHOOD, at, team_of_submitter)
    public = select(Team.id, Team.name).where(Team.status == TeamStatus.APPROVED, Team.parent_id.is_(None),
                                              Team.id.in_([place for place in cells if place is not None]))  # fmt: skip
    rows = _ranked(cells, db.session.execute(public.order_by(Team.name)), k, listed_when_hidden=False)
    return rows, (used if rows else set())


def _ranked(cells: dict, places, k: int, listed_when_hidden: bool) -> list[dict]:
    """Rows of places (id, name) with their protected figures, ranked by CO₂ per active participant (1, 2, 2, 4)."""
    rows = []
    for place_id, name in places:
        of_place = cells.get(place_id, {})
        participants = of_place.get("active_participants", Cell())
        shown = participants.residents >= k
        co2 = _published("co2_kg_avoided", of_place.get("co2_kg_avoided", Cell()), not shown)
        people = _published("active_participants", participants, not shown)
        per_participant = round(co2 / people, 1) if shown and people else None
        if not shown and not listed_when_hidden:
            continue
        rows.append({"name": name, "co2_kg_avoided": co2, "active_participants": people,
                     "co2_kg_per_participant": per_participant, "rank": None})  # fmt: skip
    ranked = sorted((row for row in rows if row["co2_kg_per_participant"] is not None),
                    key=lambda row: -row["co2_kg_per_participant"])  # fmt: skip
    for position, row in enumerate(ranked):
        same = position and ranked[position - 1]["co2_kg_per_participant"] == row["co2_kg_per_participant"]
        row["rank"] = ranked[position - 1]["rank"] if same else position + 1
    return sorted(rows, key=lambda row: (row["rank"] is None, row["rank"] or 0, row["name"]))


def compute(at: datetime | None = None, k: int | None = None) -> tuple[dict, set[int]]:
    """The board's protected figures at `at`, and the residents whose data they used."""
    at = at or utcnow()
    k = k or current_app.config["STATS_MIN_RESIDENTS"]
    cellkey.ensure_record_keys()
    day = local_date(at)
    figures: dict = {"as_of": day.isoformat(), "week_from": week_start(day).isoformat(), "min_residents": k}
    used: set[int] = set()
    for window in (Window("so_far", None), Window("this_week", week_start(day))):
        cells, residents = _cells(window, Level.CITY, at, literal(0))
        city = cells.get(0, {})
        figures[window.name] = _city_figures(city, k) | {"trips_by_mode": _modes(city, k)}
        used |= residents
    figures["neighbourhoods"], residents = _standings(at, k)
    figures["teams"], team_residents = _team_standings(at, k)
    return figures, used | residents | team_residents


def _log(used: set[int], at: datetime) -> int | None:
    """One data use log entry for a computation of the board, naming every resident whose data it used."""
    purpose = db.session.scalar(select(Purpose).where(Purpose.code == PURPOSE))
    if purpose is None or not used:
        return None
    filters = {"board": "impact", "as_of": local_date(at).isoformat()}
    use = record_use(None, purpose, ["energy_readings", "trips"], Level.CITY, filters, used, description=DESCRIPTION)
    return use.id


def board(at: datetime | None = None) -> dict:
    """Today's board: the stored snapshot, or computed, logged and stored now (once per city day).

    Two first visitors at once compute it both; the second insert fails on the day's key and its
    work (the log entry too) is rolled back to the savepoint, so the day keeps one snapshot and one entry.
    """
    at = at or utcnow()
    day = local_date(at)
    if (stored := db.session.get(ImpactSnapshot, day)) is not None:
        return stored.figures
    savepoint = db.session.begin_nested()
    figures, used = compute(at)
    try:
        db.session.add(ImpactSnapshot(day=day, figures=figures, data_use_id=_log(used, at)))
        db.session.flush()
    except IntegrityError:
        savepoint.rollback()
        return db.session.get(ImpactSnapshot, day).figures
    savepoint.commit()
    return figures
