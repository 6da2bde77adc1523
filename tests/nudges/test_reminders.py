"""Challenge reminders and rewards news: each due once, by key, and within the weekly quiet limit."""

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from challenges import participation
from challenges.kinds.trip import submit_trip
from challenges.scoring import Category
from notifications.models import Notification
from nudges import digest, reminders
from rewards.badges import services as badges
from rewards.catalogue import redemption
from rewards.models import BadgeRule
from tests.challenges.conftest import NOW
from tests.rewards.conftest import grant


def messages_of(user_id: int) -> list[str]:
    query = select(Notification.message).where(Notification.user_id == user_id).order_by(Notification.id)
    return list(db.session.scalars(query))


def joined(challenge, user, when):
    enrollment = participation.join(challenge, db.session.merge(user), now=when)
    db.session.commit()
    return enrollment


def test_a_challenge_i_might_like_starts(ctx, make_user, make_challenge):
    """Same category as one I joined, starting within two days, not joined: reminded; others are not."""
    past = make_challenge(category=Category.MOBILITY)
    fan, other, already = make_user(), make_user(), make_user()
    joined(past, fan, NOW - timedelta(days=3))
    joined(make_challenge(), other, NOW - timedelta(days=3))  # energy only
    upcoming = make_challenge(category=Category.MOBILITY, starts_at=NOW + timedelta(days=1))
    make_challenge(category=Category.MOBILITY, starts_at=NOW + timedelta(days=5), title="Later")
    joined(past, already, NOW - timedelta(days=3))
    joined(upcoming, already, NOW)
    assert reminders.starting_soon(NOW) == 1
    assert messages_of(fan.id) == ["challenge_starting"]
    assert messages_of(other.id) == messages_of(already.id) == []


def test_a_challenge_i_joined_ends_soon(ctx, make_user, make_challenge):
    """Ending within three days: participants are reminded, once; a later end is not yet news."""
    soon = make_challenge(ends_at=NOW + timedelta(days=2))
    later = make_challenge(ends_at=NOW + timedelta(days=10))
    user = make_user()
    joined(soon, user, NOW - timedelta(days=1))
    joined(later, user, NOW - timedelta(days=1))
    assert reminders.ending_soon(NOW) == 1
    assert reminders.ending_soon(NOW + timedelta(hours=5)) == 0
    assert messages_of(user.id) == ["challenge_ending"]


def test_silent_for_ten_days(ctx, make_user, make_challenge):
    """Nothing sent for ten days: one reminder per silence; a recent trip keeps it away."""
    challenge = make_challenge(category=Category.MOBILITY, starts_at=NOW - timedelta(days=30))
    quiet, busy = make_user(), make_user()
    joined(challenge, quiet, NOW - timedelta(days=20))
    enrollment = joined(challenge, busy, NOW - timedelta(days=20))
    submit_trip(enrollment, (NOW - timedelta(days=2)).date(), "bike", 4.0, True, now=NOW - timedelta(days=2))
    db.session.commit()
    assert reminders.silent(NOW) == 1
    assert reminders.silent(NOW + timedelta(days=1)) == 0
    [note] = db.session.scalars(select(Notification).where(Notification.user_id == quiet.id))
    assert note.message == "challenge_inactive" and note.params["days"] == 20
    assert messages_of(busy.id) == []


def test_the_quiet_limit_holds_reminders_but_not_the_digest(ctx, make_user, make_challenge):
    """Four reminders due in one week: three arrive, the fourth is held back; the digest still comes."""
    user = make_user()
    for day in range(4):
        joined(make_challenge(ends_at=NOW + timedelta(days=1, hours=day)), user, NOW - timedelta(days=1))
    assert reminders.send_reminders(NOW) == 3
    assert digest.send_digests(NOW) == 1
    assert messages_of(user.id).count("challenge_ending") == 3
    assert "digest_summary" in messages_of(user.id)


def test_every_job_run_twice_sends_nothing_twice(ctx, make_user, make_challenge, make_reward):
    """Reminders and news, run twice with the same frozen clock, store the same notifications."""
    user = make_user()
    joined(make_challenge(ends_at=NOW + timedelta(days=2)), user, NOW - timedelta(days=12))
    grant(user.id, 500, now=NOW - timedelta(days=3))
    make_reward(cost=100)
    first = reminders.send_reminders(NOW) + reminders.send_rewards_news(NOW)
    stored = messages_of(user.id)
    assert first == len(stored) >= 2
    assert reminders.send_reminders(NOW) + reminders.send_rewards_news(NOW) == 0
    assert messages_of(user.id) == stored


def test_badge_news(ctx, make_user):
    """A badge awarded in the last week is news once; an older one is not."""
    badges.create_badge(name="Early bird", description="d", criteria="c", rule=BadgeRule.STREAK,
                        image_svg='<svg xmlns="http://www.w3.org/2000/svg"/>')  # fmt: skip
    fresh, old = make_user(), make_user()
    badges.award(fresh.id, BadgeRule.STREAK, now=NOW - timedelta(days=1))
    badges.award(old.id, BadgeRule.STREAK, now=NOW - timedelta(days=20))
    db.session.commit()
    assert reminders.new_badges(NOW) == 1
    assert reminders.new_badges(NOW) == 0
    assert messages_of(fresh.id) == ["badge_awarded"] and messages_of(old.id) == []


def test_a_new_reward_i_can_afford(ctx, make_user, make_reward):
    """A reward added this week is news to residents whose balance covers it, not to others."""
    rich, poor = make_user(), make_user()
    grant(rich.id, 150)
    grant(poor.id, 50)
    reward = make_reward(cost=100)
    reward.created_at = NOW - timedelta(days=1)
    db.session.commit()
    assert reminders.affordable_rewards(NOW) == 1
    assert messages_of(rich.id) == ["reward_affordable"] and messages_of(poor.id) == []


def test_a_voucher_about_to_expire(ctx, make_user, make_reward):
    """An issued voucher expiring within a week is news once."""
    user = make_user()
    grant(user.id, 500, now=NOW - timedelta(days=100))
    reward = make_reward(cost=100)
    voucher, _created = redemption.redeem(db.session.merge(user), reward, now=NOW - timedelta(days=1))
    voucher.expires_at = NOW + timedelta(days=3)
    db.session.commit()
    assert reminders.expiring_vouchers(NOW) == 1
    assert reminders.expiring_vouchers(NOW) == 0
    assert messages_of(user.id) == ["voucher_expiring"]
