"""The demo city: neighbourhoods and people to explore Civiquest with (`flask seed-demo`)."""

import random
from collections import Counter
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from accounts import services as accounts
from accounts.models import Role, User
from accounts.passwords import hash_password
from app.clock import local_date
from app.columns import utcnow
from app.extensions import db
from challenges import demo as challenges_demo
from challenges.models import Challenge, Enrollment
from connectors import demo as connectors_demo
from neighbourhoods import services as neighbourhoods
from neighbourhoods import streets
from nudges import demo as nudges_demo
from projects import demo as projects_demo
from rewards import demo as rewards_demo
from sharing import demo as sharing_demo
from teams import demo as teams_demo
from tracks import demo as tracks_demo

DEMO_PASSWORD = "civiquest-demo"
DEMO_DOMAIN = "demo.civiquest.org"
RESIDENT_COUNT = 200

NEIGHBOURHOODS = [
    ("Altstadt", 2150),
    ("Bahnhofsviertel", 1480),
    ("Gartenstadt", 960),
    ("Hafenviertel", 1720),
    ("Nordend", 2640),
    ("Südstadt", 3100),
    ("Weststadt", 1890),
    ("Auenhain", 410),
    ("Am Mühlbach", 780),
]

# Which streets lie in which demo neighbourhood, for "Find your neighbourhood" at registration. Bahnhofstraße
# and Mühlbachweg cross into a second neighbourhood under another postcode.
STREETS = {
    "Altstadt": ("79098", ["Marktplatz", "Münsterstraße", "Rathausgasse", "Schusterstraße", "Bahnhofstraße"]),
    "Bahnhofsviertel": ("79106", ["Bahnhofstraße", "Poststraße", "Gleisweg", "Am Güterbahnhof", "Lokhallenweg"]),
    "Gartenstadt": ("79110", ["Rosenweg", "Fliederweg", "Lindenallee", "Am Gartentor", "Tulpenstraße"]),
    "Hafenviertel": ("79112", ["Hafenstraße", "Kaistraße", "Speicherweg", "Am Kran", "Fährgasse"]),
    "Nordend": ("79104", ["Nordring", "Sternwaldstraße", "Eichendorffstraße", "Wilhelm-Raabe-Straße", "Am Nordtor"]),
    "Südstadt": ("79100", ["Südallee", "Schwarzwaldstraße", "Goethestraße", "Schillerstraße", "Lessingplatz"]),
    "Weststadt": ("79114", ["Westring", "Sonnenstraße", "Obere Au", "Ahornweg", "Kastanienplatz"]),
    "Auenhain": ("79117", ["Auenweg", "Weidenstraße", "Am Altrhein", "Schilfgasse"]),
    "Am Mühlbach": ("79115", ["Mühlbachweg", "Mühlenstraße", "Müllerweg", "Radgasse"]),
}
STREETS_ACROSS = [("Mühlbachweg", "79117", "Auenhain")]


STAFF = [
    (Role.ADMIN, "admin", "City Admin"),
    (Role.MANAGER, "manager1", "Community Manager Lena"),
    (Role.MANAGER, "manager2", "Community Manager Jonas"),
    (Role.STAFF, "staff1", "Statistics Office Mia"),
    (Role.STAFF, "staff2", "Statistics Office Paul"),
]

ADJECTIVES = ["Sunny", "Brisk", "Quiet", "Clever", "Green", "Swift", "Bright", "Calm", "Bold", "Kind"]
ANIMALS = ["Otter", "Fox", "Heron", "Badger", "Lynx", "Owl", "Hare", "Beaver", "Swallow", "Hedgehog"]


def database_is_empty() -> bool:
    return db.session.scalar(select(func.count(User.id))) == 0


def demo_email(local_part: str) -> str:
    return f"{local_part}@{DEMO_DOMAIN}"


def seed_streets() -> int:
    """The demo city's street table, loaded as an admin would upload it."""
    lines = ["Straße;PLZ;Stadtteil"]
    lines += [f"{street};{code};{place}" for place, (code, names) in STREETS.items() for street in names]
    lines += [f"{street};{code};{place}" for street, code, place in STREETS_ACROSS]
    return streets.replace_streets("\n".join(lines).encode())


def _seed_teams(rng: random.Random) -> int:
    """The demo teams, their members taking part in the challenges that rank teams first, so the boards fill."""
    playing = (
        select(Enrollment.user_id)
        .join(Challenge, Challenge.id == Enrollment.challenge_id)
        .where(Challenge.ranks_teams.is_(True), Enrollment.active.is_(True))
    )
    residents = list(db.session.scalars(select(User).where(User.role == Role.RESIDENT).order_by(User.id)))
    players = [user for user in residents if user.id in set(db.session.scalars(playing))]
    others = [user for user in residents if user not in players]
    return teams_demo.seed(rng, players, others)


def seed(resident_count: int = RESIDENT_COUNT, seed_value: int = 2026) -> str:
    """Create neighbourhoods, residents, managers, staff and an admin; returns a summary."""
    rng = random.Random(seed_value)
    # One hash for all demo accounts: they share the documented demo password anyway.
    password_hash = hash_password(DEMO_PASSWORD)
    places = [neighbourhoods.create_neighbourhood(name, households) for name, households in NEIGHBOURHOODS]
    street_count = seed_streets()
    for role, local_part, pseudonym in STAFF:
        accounts.create_user(
            email=demo_email(local_part), password="", password_hash=password_hash, pseudonym=pseudonym, role=role
        )
    weights = [households for _name, households in NEIGHBOURHOODS]
    for number in range(1, resident_count + 1):
        accounts.create_user(
            email=demo_email(f"resident{number:03d}"),
            password="",
            password_hash=password_hash,
            pseudonym=f"{rng.choice(ADJECTIVES)} {rng.choice(ANIMALS)} {number}",
            neighbourhood_id=rng.choices(places, weights=weights)[0].id,
            household_size=rng.choice([1, 1, 2, 2, 2, 3, 3, 4, 4, 5, 6]),
            language=rng.choice(["de", "de", "en"]),
        )
    staff_counts = Counter(role for role, _local_part, _pseudonym in STAFF)
    badge_count = rewards_demo.seed_badges()  # before the activity, so residents earn badges with it
    challenge_count = challenges_demo.seed(rng, ZoneInfo(current_app.config["TIMEZONE"]))
    rewards_summary = rewards_demo.seed(demo_email, password_hash)
    team_count = _seed_teams(rng)
    funding_count = nudges_demo.seed()
    consent_count = sharing_demo.seed(rng)
    projects_summary = projects_demo.seed()
    meters = connectors_demo.seed(local_date(utcnow()) - timedelta(days=1))
    routes = tracks_demo.push_demo()  # the planners' route grid has cells to show
    return (
        f"{len(places)} neighbourhoods, {street_count} streets, {resident_count} residents, "
        f"{staff_counts[Role.MANAGER]} managers, "
        f"{staff_counts[Role.STAFF]} staff, {staff_counts[Role.ADMIN]} admin, {challenge_count} challenges, "
        f"{team_count} teams, {badge_count} badges, {rewards_summary}, {funding_count} example funding programmes, "
        f"{consent_count} consents, {projects_summary}, {meters}, {routes} shared tracks on the route grid"
    )
