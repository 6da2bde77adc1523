"""Fixtures shared with the data-sharing, challenges' and rewards' tests: the resident's rights touch every domain."""

from datetime import time, timedelta

import pytest
from sqlalchemy import select

from accounts.models import Role
from app.extensions import db
from challenges import lifecycle, participation
from challenges.kinds.trip import submit_trip
from challenges.scoring import Category, Mode
from notifications.models import Notification, OutboxEmail
from notifications.services import notify
from rewards.catalogue import redemption
from rewards.models import BadgeClass, BadgeRule
from sharing import uses
from sharing.models import Level
from teams import services as teams
from tests.challenges.conftest import NOW
from tests.rewards.conftest import make_partner, make_reward  # noqa: F401
from tests.sharing.conftest import catalogue, give_consent, make_challenge, purpose  # noqa: F401


def _trip(enrollment, day, minute, now):
    submit_trip(enrollment, day.date(), Mode.BIKE, 4.0, True, trip_time=time(8, minute), now=now)


@pytest.fixture
def world(app, give_consent, make_user, make_neighbourhood, make_challenge, make_reward, manager_in_ctx):  # noqa: F811
    """Me and a neighbour with data in the same challenges: one closed, one running."""
    quarter = make_neighbourhood(name="Old Town")
    me = db.session.merge(make_user(email="me@example.org", pseudonym="Sunny Me", neighbourhood_id=quarter.id))
    other = db.session.merge(make_user(email="other@example.org", pseudonym="Neighbour Nora",
                                       neighbourhood_id=quarter.id))  # fmt: skip
    db.session.add(BadgeClass(name="First step", description="d", criteria="c", image_svg="<svg/>",
                              rule=BadgeRule.FIRST_SUBMISSION))  # fmt: skip
    old_start = NOW - timedelta(days=40)
    closed = make_challenge(Category.MOBILITY, now=old_start, title="Spring bike weeks")
    running = make_challenge(Category.MOBILITY, title="Autumn bike weeks")
    for number, resident in enumerate((me, other)):
        enrollment = participation.join(closed, resident, now=old_start)
        _trip(enrollment, old_start - timedelta(days=2), number, old_start)
        enrollment = participation.join(running, resident, now=NOW - timedelta(days=6))
        _trip(enrollment, NOW - timedelta(days=5), number, NOW - timedelta(days=5))
        _trip(enrollment, NOW - timedelta(days=4), number, NOW - timedelta(days=4))
    lifecycle.close_challenge(closed, now=NOW - timedelta(days=18))
    db.session.commit()
    reward = make_reward(cost=10)
    mine, _ = redemption.redeem(me, reward, now=NOW)
    theirs, _ = redemption.redeem(other, reward, now=NOW)
    for resident in (me, other):
        give_consent(resident, "trips", "traffic_planning", "individual", now=NOW - timedelta(days=30))
        notify(resident.id, "digest", "weekly_digest", f"digest:{resident.id}", {"name": resident.pseudonym})
        sent = db.session.scalar(select(Notification).where(Notification.key == f"digest:{resident.id}"))
        db.session.add(
            OutboxEmail(
                notification_id=sent.id,
                to_address=resident.email,
                subject="Your week",
                body_text=f"Hello {resident.pseudonym}",
                body_html="<p>Hello</p>",
                sent_at=NOW,
            )
        )
    uses.record_use(manager_in_ctx, purpose("traffic_planning"), ["trips"], Level.INDIVIDUAL, {}, [me.id, other.id])
    team = teams.found_team(me, "Old Town Cyclists", "friends", "Sunday rides", is_open=False)
    teams.join_by_code(other, team.invite_code)
    teams.report(me, teams.found_team(make_user_in_ctx(make_user), "Loud team", "other", None, False), "too loud")
    db.session.commit()
    return {"me": me, "other": other, "closed": closed, "running": running, "voucher": mine.code,
            "their_voucher": theirs.code}  # fmt: skip


def make_user_in_ctx(make_user):
    return db.session.merge(make_user())


@pytest.fixture
def manager_in_ctx(ctx, make_user):
    return db.session.merge(make_user(role=Role.MANAGER, pseudonym="Manager Max", email="max@example.org"))
