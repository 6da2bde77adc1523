"""Authoring challenges: a manager creates, edits, publishes and cancels them.

Plain functions over models and values; they flush and never commit (the request does).
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l

from accounts.models import User
from app.bilingual import as_twins, missing_both
from app.columns import utcnow
from app.extensions import db
from app.locks import lock_challenges
from challenges import errors
from challenges.models import Challenge, ChallengeChange, Status
from challenges.scoring import METRICS_BY_CATEGORY, Category, Format, Metric

EDITABLE_FIELDS = (
    "title_en", "title_de", "description_en", "description_de",
    "category", "metric", "format", "starts_at", "ends_at", "points_per_unit",
    "daily_point_cap", "target", "completion_goal", "completion_bonus", "placement_points",
    "max_kwh_per_day", "max_km_per_day", "late_entry_days", "ranks_teams",
)  # fmt: skip
MAX_LATE_ENTRY_DAYS = 14
# Once a challenge runs, changing the rules would be unfair to those already taking part; the German title
# may still be added, as translating changes nothing for anyone.
# Ranking teams changes no one's score (team totals are kept for every challenge), so it may be switched any time.
EDITABLE_WHILE_ACTIVE = ("title_de", "description_en", "description_de", "ends_at", "ranks_teams")
REQUIRED_TO_PUBLISH = ("category", "metric", "format", "starts_at", "ends_at")
# Written in English, German or both (app.bilingual); the one-language names callers used before mean English.
BILINGUAL = ("title", "description")
MAX_TITLE = 120


def _title_errors(values: dict) -> dict:
    """A title in at least one language, 3 to 120 characters in each language it is given in."""
    if ("title_en" in values or "title_de" in values) and missing_both(values, "title"):
        return {"title": _l("Give the title in English, in German or in both.")}
    return {
        name: _l("The title needs 3 to 120 characters.")
        for name in ("title_en", "title_de")
        if values.get(name) and not 3 <= len(values[name].strip()) <= MAX_TITLE
    }


def _field_errors(values: dict) -> dict:
    """Check the rules every challenge must keep, published or not; returns {field: message}."""
    problems = _title_errors(values)
    category, metric = values.get("category"), values.get("metric")
    if category and metric and Metric(metric) not in METRICS_BY_CATEGORY[Category(category)]:
        problems["metric"] = _l("This metric does not fit the category.")
    elif metric and (problem := _unfair_metric(category, metric, values.get("format"))):
        problems["metric"] = problem
    starts_at, ends_at = values.get("starts_at"), values.get("ends_at")
    if starts_at and ends_at and ends_at <= starts_at:
        problems["ends_at"] = _l("The end must be after the start.")
    if values.get("points_per_unit") is not None and not 0 <= values["points_per_unit"] <= 10_000:
        problems["points_per_unit"] = _l("Points per unit must be between 0 and 10,000.")
    if values.get("daily_point_cap") is not None and values["daily_point_cap"] < 1:
        problems["daily_point_cap"] = _l("The daily cap must be at least 1, or empty for no cap.")
    for name in ("target", "completion_goal", "max_kwh_per_day", "max_km_per_day"):
        if values.get(name) is not None and values[name] <= 0:
            problems[name] = _l("Must be greater than zero.")
    if values.get("late_entry_days") is not None and not 0 <= values["late_entry_days"] <= MAX_LATE_ENTRY_DAYS:
        problems["late_entry_days"] = _l("Late entries may be taken for 0 to 14 days after the end.")
    if values.get("completion_bonus") is not None and values["completion_bonus"] < 0:
        problems["completion_bonus"] = _l("Must not be negative.")
    placement = values.get("placement_points")
    if placement is not None and (len(placement) != 3 or any(p is None or p < 0 for p in placement)):
        problems["placement_points"] = _l("Give points for the 1st, 2nd and 3rd place, zero or more each.")
    return problems


def _unfair_metric(category, metric, format_) -> str | None:
    """Residents ranked one by one in energy compete on the share of their own usual use they save, so the
    size of a household cannot decide; a city-wide target is a sum of kWh or CO₂, never of shares."""
    if category == Category.ENERGY and format_ == Format.INDIVIDUAL and Metric(metric) != Metric.SHARE_SAVED:
        return _l("Residents ranked one by one in energy compete on the share of their usual use they save.")
    if format_ == Format.COLLECTIVE and Metric(metric) == Metric.SHARE_SAVED:
        return _l("A city-wide target adds up kWh or CO₂, not shares: choose one of those.")
    return None


def _missing_fields(values: dict) -> list[str]:
    """The fields a challenge needs before it can be published (and keeps needing after)."""
    missing = [name for name in BILINGUAL if missing_both(values, name)]  # named as a whole: either language does
    missing += [name for name in REQUIRED_TO_PUBLISH if values.get(name) in (None, "")]
    if values.get("format") == Format.COLLECTIVE and not values.get("target"):
        missing.append("target")
    return missing


def _values_of(challenge: Challenge) -> dict:
    return {name: getattr(challenge, name) for name in EDITABLE_FIELDS}


def create_challenge(author: User, **fields) -> Challenge:
    """Create a draft; incomplete is fine until publishing, broken rules are not."""
    # A title is needed from the start, in one language at least.
    fields = {"title_en": "", **as_twins(fields, BILINGUAL)}
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not challenge fields: {sorted(unknown)}")
    if problems := _field_errors(fields):
        raise errors.InvalidChallenge(problems)
    challenge = Challenge(created_by=author, **fields)
    if challenge.placement_points is None:
        challenge.placement_points = [0, 0, 0]
    db.session.add(challenge)
    db.session.flush()
    return challenge


def update_challenge(challenge: Challenge, editor: User, now: datetime | None = None, **changes) -> Challenge:
    """Edit a challenge within what its status allows; edits after publishing are logged."""
    now = now or utcnow()
    _hold_whole(challenge)
    changes = as_twins(changes, BILINGUAL)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not challenge fields: {sorted(unknown)}")
    changes = {name: value for name, value in changes.items() if getattr(challenge, name) != value}
    if challenge.status in (Status.CLOSED, Status.CANCELLED) and changes:
        raise errors.NotEditable()
    if challenge.status == Status.ACTIVE:
        locked = [name for name in changes if name not in EDITABLE_WHILE_ACTIVE]
        if locked:
            raise errors.ScoringLocked(field=locked[0])
        if "ends_at" in changes and changes["ends_at"] is not None and changes["ends_at"] <= now:
            raise errors.InvalidChallenge({"ends_at": _l("A running challenge can only end in the future.")})
    values = {**_values_of(challenge), **changes}
    if problems := _field_errors(values):
        raise errors.InvalidChallenge(problems)
    if challenge.is_published and (missing := _missing_fields(values)):
        raise errors.InvalidChallenge({name: _l("A published challenge needs this field.") for name in missing})
    for name, value in changes.items():
        if challenge.is_published:
            db.session.add(
                ChallengeChange(
                    challenge=challenge, user=editor, field=name, old_value=_describe(getattr(challenge, name)),
                    new_value=_describe(value), changed_at=now,
                )
            )  # fmt: skip
        setattr(challenge, name, value)
    db.session.flush()
    return challenge


def _hold_whole(challenge: Challenge) -> None:
    """Take the challenge's row exclusively (app.locks) and read it afresh: submissions in flight finish
    under the rules they were checked against, and later ones see the change."""
    if challenge.id is not None:
        db.session.flush()
        lock_challenges([challenge.id])
        db.session.refresh(challenge)


def _describe(value) -> str | None:
    """A value as the change log shows it."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    return str(value)


def publish(challenge: Challenge, now: datetime | None = None) -> Challenge:
    """Make a complete draft public: scheduled until it starts, active once it has started."""
    now = now or utcnow()
    _hold_whole(challenge)
    if challenge.status != Status.DRAFT:
        raise errors.WrongStatus()
    if missing := _missing_fields(_values_of(challenge)):
        raise errors.IncompleteChallenge(missing)
    if challenge.ends_at <= now:
        raise errors.InvalidChallenge({"ends_at": _l("The end lies in the past; choose a later end.")})
    challenge.published_at = now
    challenge.status = Status.ACTIVE if challenge.starts_at <= now else Status.SCHEDULED
    db.session.flush()
    return challenge


def cancel(challenge: Challenge, now: datetime | None = None) -> Challenge:
    """Call a challenge off; a closed one stays closed."""
    _hold_whole(challenge)
    if challenge.status in (Status.CLOSED, Status.CANCELLED):
        raise errors.WrongStatus()
    challenge.status = Status.CANCELLED
    challenge.cancelled_at = now or utcnow()
    db.session.flush()
    return challenge
