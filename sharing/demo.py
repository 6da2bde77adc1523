"""Demo data sharing: the default catalogue, and consents as a city's residents might give them."""

from sqlalchemy import select

from accounts.models import Role, User
from app.extensions import db
from sharing import defaults, services
from sharing.models import DataCategory, Level, Purpose

# (category, purpose, level, share of residents who grant it)
CHOICES = (
    ("trips", "municipal_statistics", Level.NEIGHBOURHOOD, 0.7),
    ("energy_readings", "municipal_statistics", Level.NEIGHBOURHOOD, 0.65),
    ("household_profile", "municipal_statistics", Level.NEIGHBOURHOOD, 0.75),
    ("energy_readings", "personal_advice", Level.INDIVIDUAL, 0.4),
    ("trips", "traffic_planning", Level.CITY, 0.3),
    ("energy_readings", "grid_planning", Level.NEIGHBOURHOOD, 0.2),
)


def seed(rng) -> int:
    """Install the catalogue and let demo residents share; returns the number of consents."""
    defaults.install_defaults()
    categories = {c.code: c for c in db.session.scalars(select(DataCategory))}
    purposes = {p.code: p for p in db.session.scalars(select(Purpose))}
    residents = db.session.scalars(select(User).where(User.role == Role.RESIDENT).order_by(User.id)).all()
    granted = 0
    for resident in residents:
        for category, purpose, level, share in CHOICES:
            if rng.random() < share:
                services.grant(resident, categories[category], purposes[purpose], level, rng.choice((3, 6, 12)))
                granted += 1
    db.session.flush()
    return granted
