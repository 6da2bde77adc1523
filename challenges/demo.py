"""Demo challenges for the demo city: every category and format, in every state, with weeks of
plausible readings and trips, all entered through the same services residents use."""

import random
from datetime import datetime, time, timedelta

from sqlalchemy import select

from accounts.models import Role, User
from app import clock
from app.columns import utcnow
from app.extensions import db
from challenges import authoring, lifecycle, participation
from challenges.kinds.reading import submit_reading
from challenges.kinds.trip import submit_trip
from challenges.models import Enrollment
from challenges.scoring import Category, Format, Metric, Mode

DAY = timedelta(days=1)


# The German texts of the demo challenges, by English title: the demo city ships in both languages.
GERMAN = {
    "Winter Energy Sprint": (
        "Winter-Energiesprint",
        "Welcher Stadtteil spart in diesem Winter am meisten Strom?\n\n"
        "Geben Sie einmal pro Woche Ihren Zählerstand ein. Sie punkten mit dem, was Sie gegenüber Ihrem "
        "üblichen Verbrauch sparen.",
    ),
    "Autumn Standby Hunt": (
        "Herbstjagd auf den Standby",
        "Spüren Sie die Geräte auf, die Strom verbrauchen, während sie nichts tun.\n\n"
        "Schaltbare Steckdosenleisten helfen.",
    ),
    "Bike to Work Month": (
        "Mit dem Rad zur Arbeit",
        "Lassen Sie das Auto auf dem Weg zur Arbeit stehen.\n\nJeder Kilometer mit Rad, Bus oder zu Fuß zählt.",
    ),
    "Together for 5 Tonnes": (
        "Gemeinsam für 5 Tonnen",
        "Die ganze Stadt arbeitet auf ein Ziel hin: 5 Tonnen CO₂ im Verkehr vermeiden.",
    ),
    "Spring Car-Free Weeks": (
        "Autofreie Frühlingswochen",
        "Vier Wochen Wege zu Fuß, mit Rad, Bus, Bahn oder Carsharing.",
    ),
    "Summer Heat Saver": (
        "Sommer-Hitzesparer",
        "Kühl bleiben ohne Klimaanlage. (Entwurf: noch nicht veröffentlicht.)",
    ),
}


def _challenge(author, now, *, title, description, starts, ends, publish_at=None, **fields):
    # Challenges run from midnight in the city, as managers set them, so a start day counts whole.
    midnight = datetime.combine(now.astimezone(clock.city_zone()).date(), time(0), clock.city_zone())
    title_de, description_de = GERMAN[title]
    challenge = authoring.create_challenge(
        author, title_en=title, title_de=title_de, description_en=description, description_de=description_de,
        starts_at=midnight + starts, ends_at=midnight + ends, **fields,
    )  # fmt: skip
    if publish_at is not None:
        authoring.publish(challenge, now=now + publish_at)
    return challenge


class _Meter:
    """One household's electricity meter: usual use, a little saved in each challenge joined."""

    def __init__(self, rng, household_size, origin):
        self.origin = origin
        self.offset = rng.uniform(8_000, 40_000)
        self.daily = household_size * 2.2 + rng.uniform(1.5, 4.0)
        self.savings = []  # (window start, window end, share saved)

    def save_during(self, rng, start, end):
        self.savings.append((start, end, rng.uniform(0.0, 0.25)))

    def at(self, moment) -> float:
        days = (moment - self.origin).total_seconds() / DAY.total_seconds()
        value = self.offset + self.daily * days
        for start, end, share in self.savings:
            saved_days = max(0.0, (min(moment, end) - start).total_seconds() / DAY.total_seconds())
            value -= self.daily * share * saved_days
        return round(value, 1)


def _readings(enrollment, meter, start, end, now):
    """Weekly meter readings from four weeks before `start` up to `end` (or now)."""
    moment = start - 28 * DAY + timedelta(hours=meter.offset % 12 + 7)
    while moment < min(end, now):
        submission, _created = submit_reading(enrollment, moment, meter.at(moment), now=moment + timedelta(hours=1))
        _settle(submission)
        moment += 7 * DAY


def _trips(rng, enrollment, start, end, now, city_zone):
    """A few car-free trips on most days from `start` to `end` (or today)."""
    keen = rng.uniform(0.3, 0.9)
    day = start.astimezone(city_zone).date()
    last = (min(end, now) - timedelta(seconds=1)).astimezone(city_zone).date()
    while day <= last:
        if rng.random() < keen:
            mode = rng.choice([Mode.BIKE, Mode.BIKE, Mode.PUBLIC_TRANSPORT, Mode.WALK, Mode.CARPOOL])
            km = round(rng.uniform(1.0, 4.0) if mode == Mode.WALK else rng.uniform(2.0, 18.0), 1)
            submitted = datetime.combine(day, time(20, 0), city_zone)
            for departure in (time(7, 30), time(17, 15)):
                submission, _created = submit_trip(enrollment, day, mode, km, True, trip_time=departure, now=submitted)
                _settle(submission)
        day += DAY


def _some(rng, residents, share):
    """A random share of the residents, at least one."""
    return rng.sample(residents, max(1, round(len(residents) * share)))


def _settle(submission) -> None:
    # Thousands of submissions in one transaction: keep the session small so each flush stays cheap.
    db.session.flush()
    db.session.expunge(submission)


def seed(rng: random.Random, city_zone) -> int:
    """Create the demo challenges and their activity; returns how many challenges were made."""
    now = utcnow()
    manager = db.session.scalar(select(User).where(User.role == Role.MANAGER).order_by(User.id))
    residents = list(db.session.scalars(select(User).where(User.role == Role.RESIDENT).order_by(User.id)))
    energy_rules = {"category": Category.ENERGY, "metric": Metric.KWH_SAVED, "points_per_unit": 5.0,
                    "daily_point_cap": 50, "completion_goal": 20.0, "completion_bonus": 100,
                    "placement_points": [500, 300, 150]}  # fmt: skip
    winter = _challenge(
        manager, now, title="Winter Energy Sprint", format=Format.NEIGHBOURHOOD, starts=-21 * DAY, ends=14 * DAY,
        publish_at=-25 * DAY, **energy_rules,
        description="Which neighbourhood saves the most electricity this winter?\n\n"
        "Enter your meter reading once a week. You score what you save against your own usual use.",
    )  # fmt: skip
    autumn = _challenge(
        manager, now, title="Autumn Standby Hunt", format=Format.INDIVIDUAL, starts=-70 * DAY, ends=-40 * DAY,
        publish_at=-75 * DAY, **{**energy_rules, "metric": Metric.SHARE_SAVED, "points_per_unit": 20.0,
                                 "completion_goal": 5.0},
        description="Hunt down the devices that use power while doing nothing.\n\nSwitchable power strips help.",
    )  # fmt: skip
    bike = _challenge(
        manager, now, title="Bike to Work Month", format=Format.INDIVIDUAL, starts=-14 * DAY, ends=16 * DAY,
        publish_at=-20 * DAY, category=Category.MOBILITY, metric=Metric.CAR_KM_AVOIDED, points_per_unit=2.0,
        daily_point_cap=80, completion_goal=100.0, completion_bonus=150, placement_points=[400, 250, 100],
        ranks_teams=True,
        description="Leave the car at home on the way to work.\n\nEvery kilometre by bike, bus or on foot counts. "
        "Teams are ranked too: per member and in total.",
    )  # fmt: skip
    city_goal = _challenge(
        manager, now, title="Together for 5 Tonnes", format=Format.COLLECTIVE, starts=-14 * DAY, ends=45 * DAY,
        publish_at=-15 * DAY, category=Category.MOBILITY, metric=Metric.CO2_KG_AVOIDED, points_per_unit=10.0,
        daily_point_cap=60, target=5000.0, completion_bonus=50, placement_points=[0, 0, 0],
        description="The whole city works towards one goal: 5 tonnes of CO2 avoided in traffic.",
    )  # fmt: skip
    _challenge(
        manager, now, title="Spring Car-Free Weeks", format=Format.NEIGHBOURHOOD, starts=7 * DAY, ends=35 * DAY,
        publish_at=-2 * DAY, category=Category.MOBILITY, metric=Metric.SUSTAINABLE_TRIPS, points_per_unit=5.0,
        daily_point_cap=30, placement_points=[300, 200, 100],
        description="Four weeks of trips on foot, by bike, bus, train or shared car.",
    )  # fmt: skip
    _challenge(
        manager, now, title="Summer Heat Saver", format=Format.INDIVIDUAL, starts=60 * DAY, ends=90 * DAY,
        category=Category.ENERGY, metric=Metric.SHARE_SAVED, points_per_unit=20.0,
        description="Keep cool without an air conditioner. (Draft: not yet published.)",
    )  # fmt: skip

    meters = {user.id: _Meter(rng, user.household_size, now - 120 * DAY) for user in residents}
    for challenge, share in ((autumn, 0.2), (winter, 0.25)):
        lifecycle.advance_lifecycle(challenge.starts_at)  # activity from the start is taken once it runs
        for resident in _some(rng, residents, share):
            meters[resident.id].save_during(rng, challenge.starts_at, challenge.ends_at)
            enrollment = participation.join(challenge, resident, now=challenge.starts_at - 29 * DAY)
            _readings(enrollment, meters[resident.id], challenge.starts_at, challenge.ends_at, now)
    lifecycle.close_challenge(autumn, now=autumn.ends_at)
    for challenge, share in ((bike, 0.15), (city_goal, 0.125)):
        lifecycle.advance_lifecycle(challenge.starts_at)
        for resident in _some(rng, residents, share):
            enrollment = participation.join(challenge, resident, now=challenge.starts_at)
            _trips(rng, enrollment, challenge.starts_at, challenge.ends_at, now, city_zone)
    _flag_a_few(rng, bike, now, city_zone)
    lifecycle.advance_lifecycle(now)
    db.session.flush()
    return 6


def _flag_a_few(rng, challenge, now, city_zone):
    """Some long trips beyond the daily limit, so the review queue has work in it."""
    enrollments = db.session.scalars(select(Enrollment).where(Enrollment.challenge_id == challenge.id)).all()
    yesterday = (now - DAY).astimezone(city_zone).date()
    for enrollment in rng.sample(list(enrollments), min(3, len(enrollments))):
        submit_trip(enrollment, yesterday, Mode.PUBLIC_TRANSPORT, 160.0, True, trip_time=time(6, 5), now=now)
