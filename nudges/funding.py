"""The funding programmes catalogue: admins keep it, the energy advice lists what a resident is eligible for."""

from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from accounts.models import User
from app.clock import local_date
from app.columns import utcnow
from app.extensions import db
from neighbourhoods.models import Neighbourhood
from nudges import errors
from nudges.models import FundingProgramme
from sharing import gate
from sharing.models import Level

FIELDS = (
    "name_en", "name_de", "description_en", "description_de", "provider", "funds_en", "funds_de",
    "min_household_size", "max_household_size", "link", "valid_until", "active",
)  # fmt: skip
REQUIRED = ("name_en", "name_de", "provider", "funds_en", "funds_de", "link")
LENGTHS = {"name_en": 120, "name_de": 120, "provider": 120, "funds_en": 200, "funds_de": 200, "link": 300}
MIN_SIZE, MAX_SIZE = 1, 12  # the household sizes an account can have


def _field_errors(values: dict) -> dict:
    problems = {name: _l("This field is required.") for name in REQUIRED if not (values.get(name) or "").strip()}
    for name, limit in LENGTHS.items():
        if name not in problems and len(values.get(name) or "") > limit:
            problems[name] = _l("At most %(limit)s characters, please.", limit=limit)
    for name in ("min_household_size", "max_household_size"):
        size = values.get(name)
        if size is not None and not MIN_SIZE <= size <= MAX_SIZE:
            problems[name] = _l("A household has 1 to 12 people.")
    low, high = values.get("min_household_size"), values.get("max_household_size")
    if low is not None and high is not None and low > high and "max_household_size" not in problems:
        problems["max_household_size"] = _l("The largest household size cannot be below the smallest.")
    link = urlsplit(values.get("link") or "")
    if "link" not in problems and (link.scheme not in ("http", "https") or not link.netloc):
        problems["link"] = _l("Please give a web address starting with https:// or http://.")
    return problems


def _apply(programme: FundingProgramme, values: dict, neighbourhood_ids: list[int] | None) -> FundingProgramme:
    problems = _field_errors(values)
    if problems:
        raise errors.InvalidFields(problems)
    for name in FIELDS:
        if name in values:
            setattr(programme, name, values[name].strip() if isinstance(values[name], str) else values[name])
    if neighbourhood_ids is not None:
        wanted = set(neighbourhood_ids)
        places = list(db.session.scalars(select(Neighbourhood).where(Neighbourhood.id.in_(wanted)))) if wanted else []
        if len(places) != len(wanted):
            raise errors.InvalidFields({"neighbourhood_ids": _l("Please choose neighbourhoods from the list.")})
        programme.neighbourhoods = places
    db.session.flush()
    return programme


def create_programme(neighbourhood_ids: list[int] | None = None, **values) -> FundingProgramme:
    """Add a programme to the catalogue; InvalidFields names every field that breaks a rule."""
    programme = FundingProgramme(active=True)
    db.session.add(programme)
    return _apply(programme, {name: values.get(name) for name in FIELDS if name in values}, neighbourhood_ids)


def update_programme(programme: FundingProgramme, neighbourhood_ids: list[int] | None = None, **changes):
    """Change a programme; fields not given stay as they are."""
    values = {name: getattr(programme, name) for name in FIELDS}
    values.update({name: value for name, value in changes.items() if name in FIELDS})
    return _apply(programme, values, neighbourhood_ids)


def get_programme(programme_id: int) -> FundingProgramme:
    """A programme by id; NotFound when there is none."""
    programme = db.session.get(FundingProgramme, programme_id)
    if programme is None:
        raise errors.NotFound()
    return programme


def list_programmes() -> list[FundingProgramme]:
    """Every programme, active ones first, by English name."""
    query = select(FundingProgramme).order_by(FundingProgramme.active.desc(), FundingProgramme.name_en)
    return list(db.session.scalars(query))


# Matching a programme's conditions reads the household profile (size, neighbourhood): the gate decides.
PROFILE = ("household_profile", "personal_advice", Level.INDIVIDUAL)


def may_use_profile(user: User, now: datetime | None = None) -> bool:
    """Whether the resident lets their household profile be used for personal advice, funding matches included."""
    return gate.is_allowed(user.id, *PROFILE, at=now or utcnow())


def is_eligible(programme: FundingProgramme, user: User, now: datetime, profile: bool = True) -> bool:
    """Active, still open on the city's today, the household size in range, the neighbourhood covered.

    Without the profile (`profile=False`) only programmes open to every household qualify: their match
    needs nothing of it.
    """
    open_now = programme.active and (programme.valid_until is None or programme.valid_until >= local_date(now))
    if not profile:
        conditions = (programme.min_household_size, programme.max_household_size)
        return open_now and conditions == (None, None) and not programme.neighbourhoods
    size = user.household_size
    return (
        open_now
        and (programme.min_household_size is None or size >= programme.min_household_size)
        and (programme.max_household_size is None or size <= programme.max_household_size)
        and (not programme.neighbourhoods or user.neighbourhood_id in {n.id for n in programme.neighbourhoods})
    )


def eligible(user: User, now: datetime | None = None) -> list[FundingProgramme]:
    """The active, valid programmes this resident may apply for, by English name; matched to their household
    only where the gate lets the household profile be used for personal advice."""
    now = now or utcnow()
    profile = may_use_profile(user, now)
    query = select(FundingProgramme).where(FundingProgramme.active).order_by(FundingProgramme.name_en)
    return [programme for programme in db.session.scalars(query) if is_eligible(programme, user, now, profile)]
