"""Rules for the list of neighbourhoods, which admins maintain."""

from sqlalchemy import func, select

from app.extensions import db
from neighbourhoods.errors import NeighbourhoodNameTaken
from neighbourhoods.models import Neighbourhood


def list_neighbourhoods() -> list[Neighbourhood]:
    """All neighbourhoods, alphabetically."""
    return list(db.session.scalars(select(Neighbourhood).order_by(Neighbourhood.name)))


def neighbourhood_choices() -> list[tuple[int, str]]:
    """(id, name) pairs for a select field."""
    return [(n.id, n.name) for n in list_neighbourhoods()]


def get_neighbourhood(neighbourhood_id: int) -> Neighbourhood | None:
    return db.session.get(Neighbourhood, neighbourhood_id)


def _check_name_free(name: str, exclude_id: int | None = None) -> None:
    query = select(Neighbourhood.id).where(func.lower(Neighbourhood.name) == name.strip().lower())
    if exclude_id is not None:
        query = query.where(Neighbourhood.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise NeighbourhoodNameTaken()


def create_neighbourhood(name: str, households: int) -> Neighbourhood:
    """Add a neighbourhood; names are unique regardless of case."""
    _check_name_free(name)
    neighbourhood = Neighbourhood(name=name.strip(), households=households)
    db.session.add(neighbourhood)
    db.session.flush()
    return neighbourhood


def update_neighbourhood(neighbourhood: Neighbourhood, name: str, households: int) -> Neighbourhood:
    """Rename a neighbourhood or set its number of households."""
    _check_name_free(name, exclude_id=neighbourhood.id)
    neighbourhood.name = name.strip()
    neighbourhood.households = households
    db.session.flush()
    return neighbourhood
