"""The weekly digest: points, score, rank and its change, the neighbourhood's standing and a tip."""

from datetime import timedelta

from flask_babel import force_locale
from sqlalchemy import func, select

from app.clock import local_date
from app.extensions import db
from challenges import participation, totals
from challenges.scoring import Format
from leaderboards.models import RankSnapshot
from notifications import display
from notifications.models import Notification
from nudges import digest
from tests.challenges.conftest import NOW
from tests.rewards.conftest import grant


def digests_of(user_id: int) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user_id, Notification.kind == "digest")
    return list(db.session.scalars(query))


def field(make_user, make_neighbourhood, challenge, scores: dict[str, list[float]]) -> dict[str, list]:
    """Residents of each named neighbourhood, joined with the given scores."""
    people = {}
    for name, values in scores.items():
        place = make_neighbourhood(name)
        people[name] = []
        for score in values:
            user = db.session.merge(make_user(neighbourhood_id=place.id))
            enrollment = participation.join(challenge, user, now=NOW - timedelta(days=6))
            totals.add_units(enrollment, score, 0)
            people[name].append(enrollment)
    db.session.commit()
    return people


def test_the_digest_tells_rank_change_and_neighbourhood_standing(ctx, make_user, make_neighbourhood, make_challenge):
    """2nd of 2 neighbourhoods, 3 % behind Oststadt; rank 4, up 2 since last week's snapshot; last week's points."""
    challenge = make_challenge(format=Format.NEIGHBOURHOOD, title="Save power")
    people = field(make_user, make_neighbourhood, challenge, {"Oststadt": [10, 10, 10], "Weststadt": [9.7, 9.7, 9.7]})
    mine = people["Weststadt"][0]
    db.session.add(RankSnapshot(enrollment_id=mine.id, day=local_date(NOW) - timedelta(days=8), rank=6, score=1))
    grant(mine.user_id, 40, now=NOW - timedelta(days=5))  # last week (Monday 23 Feb to Sunday 1 March)
    grant(mine.user_id, 7, now=NOW - timedelta(hours=1))  # this week: next digest
    assert digest.send_digests(NOW) == 6
    [note] = digests_of(mine.user_id)
    assert note.params["points"] == 40
    [item] = note.params["challenges"]
    assert item["rank"] == 4 and item["participants"] == 6 and item["change"] == 2
    assert item["neighbourhood"] == {"rank": 2, "count": 2, "gap": 3.0, "other": "Oststadt"}
    with force_locale("en"):
        _subject, body = display.render(note.message, note.params)
    assert "You earned 40 points last week." in body
    assert "“Save power”: score 9.7, rank 4 of 6 (up 2 places since last week)." in body
    assert "Your neighbourhood: 2nd of 2, 3 % behind Oststadt." in body
    assert "Tip: " in body and body.rstrip().endswith(".")


def test_the_leading_neighbourhood_is_told_its_lead(ctx, make_user, make_neighbourhood, make_challenge):
    """The first neighbourhood hears how far ahead of the second it is; no snapshot means no change shown."""
    challenge = make_challenge(format=Format.NEIGHBOURHOOD)
    people = field(make_user, make_neighbourhood, challenge, {"Oststadt": [10, 10, 10], "Weststadt": [9, 9, 9]})
    digest.send_digests(NOW)
    [note] = digests_of(people["Oststadt"][0].user_id)
    item = note.params["challenges"][0]
    assert item["change"] is None
    assert item["neighbourhood"] == {"rank": 1, "count": 2, "gap": 10.0, "other": "Weststadt"}
    with force_locale("en"):
        assert "1st of 2, 10 % ahead of Weststadt" in display.render(note.message, note.params)[1]


def test_no_standing_when_the_neighbourhood_is_not_ranked(ctx, make_user, make_neighbourhood, make_challenge):
    """Too few participants to rank, or an individual challenge: the digest says nothing of the neighbourhood."""
    ranked = make_challenge(format=Format.NEIGHBOURHOOD)
    people = field(make_user, make_neighbourhood, ranked, {"Oststadt": [10, 10], "Weststadt": [9, 9, 9]})
    individual = make_challenge()
    participation.join(individual, db.session.merge(people["Weststadt"][0].user), now=NOW - timedelta(days=1))
    db.session.commit()
    digest.send_digests(NOW)
    [small] = digests_of(people["Oststadt"][0].user_id)
    assert small.params["challenges"][0]["neighbourhood"] is None
    [both] = digests_of(people["Weststadt"][0].user_id)
    assert [item["neighbourhood"] is None for item in both.params["challenges"]] == [False, True]


def test_the_digest_goes_out_once_a_week(ctx, make_user, make_challenge):
    """Twice on Monday, again on Wednesday: one digest; the next week another."""
    challenge = make_challenge()
    user = db.session.merge(make_user())
    participation.join(challenge, user, now=NOW - timedelta(days=6))
    db.session.commit()
    monday = NOW - timedelta(days=2)
    assert digest.send_digests(monday) == 1
    assert digest.send_digests(monday) == 0
    assert digest.send_digests(NOW) == 0
    assert digest.send_digests(NOW + timedelta(days=5)) == 1
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 2


def test_residents_without_running_challenges_get_no_digest(ctx, make_user, make_challenge):
    """Someone who left, or whose challenge has not started, is not sent a digest."""
    later = make_challenge(starts_at=NOW + timedelta(days=3))
    running = make_challenge()
    waiting, gone = db.session.merge(make_user()), db.session.merge(make_user())
    participation.join(later, waiting, now=NOW)
    participation.join(running, gone, now=NOW - timedelta(days=3))
    participation.leave(running, gone, now=NOW - timedelta(days=1))
    db.session.commit()
    assert digest.send_digests(NOW) == 0
