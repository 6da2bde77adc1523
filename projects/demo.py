"""Community projects for the demo city: a funded one and an open one, pledged to by demo residents through the
services, so the ledger holds their pledges exactly as it would in real life. Runs after the challenges, whose
activity gave the residents their points."""

from datetime import timedelta

from sqlalchemy import select

from accounts.models import Role, User
from app.columns import utcnow
from app.extensions import db
from neighbourhoods.models import Neighbourhood
from projects import services
from rewards import ledger

FUNDED = {
    "title_en": "Repair café in the old town hall", "title_de": "Reparaturcafé im alten Rathaus",
    "description_en": "Tools, a workbench and coffee for a monthly repair café run by volunteers.",
    "description_de": "Werkzeug, eine Werkbank und Kaffee für ein monatliches Reparaturcafé von Ehrenamtlichen.",
}  # fmt: skip
OPEN = {
    "title_en": "A tree for the school yard", "title_de": "Ein Baum für den Schulhof",
    "description_en": "A linden tree for the primary school's yard, planted with the pupils in spring.",
    "description_de": "Eine Linde für den Hof der Grundschule, im Frühjahr mit den Kindern gepflanzt.",
}  # fmt: skip
FUNDED_TARGET, OPEN_TARGET, OPEN_NEIGHBOURHOOD = 600, 3_000, "Altstadt"


def _residents_with_points(neighbourhood_id: int | None = None) -> list[tuple[User, int]]:
    query = select(User).where(User.role == Role.RESIDENT).order_by(User.id)
    if neighbourhood_id is not None:
        query = query.where(User.neighbourhood_id == neighbourhood_id)
    return [(user, points) for user in db.session.scalars(query) if (points := ledger.balance(user.id)) >= 20]


def seed() -> str:
    """Publish both projects and pledge to them; returns a summary."""
    now = utcnow()
    manager = db.session.scalar(select(User).where(User.role == Role.MANAGER).order_by(User.id))
    backers = _residents_with_points()
    offers = [(user, min(150, points // 2)) for user, points in backers]
    target = min(FUNDED_TARGET, sum(points for _user, points in offers))
    pledges = 0
    if target > 0:
        funded = services.create_project(by=manager, target=target, deadline=now + timedelta(days=30), **FUNDED)
        for number, (user, points) in enumerate(offers):
            if not services.is_open(funded, now):
                break
            services.pledge(user, funded, points, show_name=number % 2 == 0, now=now)
            pledges += 1
    hood = db.session.scalar(select(Neighbourhood).where(Neighbourhood.name == OPEN_NEIGHBOURHOOD))
    open_project = services.create_project(by=manager, target=OPEN_TARGET, deadline=now + timedelta(days=21),
                                           neighbourhood_id=hood.id if hood else None, **OPEN)  # fmt: skip
    for number, (user, points) in enumerate(_residents_with_points(open_project.neighbourhood_id)[:6]):
        services.pledge(user, open_project, min(40, points // 3) or 1, show_name=number % 3 == 0, now=now)
        pledges += 1
    return f"2 community projects with {pledges} pledges"
