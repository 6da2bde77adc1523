"""Leaderboard rules: neighbourhoods per household and the 3-participant rule, season windows, hidden residents,
daily snapshots, and who may see what."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app import scheduler
from app.extensions import db
from challenges import errors as challenge_errors
from challenges import participation, results, submissions, totals
from challenges.kinds.base import activity_day
from challenges.kinds.reading import submit_reading
from challenges.kinds.trip import submit_trip
from challenges.models import Status
from challenges.scoring import Category, Format, Mode
from leaderboards import errors, services
from leaderboards.models import Period, RankSnapshot, SeasonPeriod, SeasonPoints
from neighbourhoods import services as neighbourhoods
from tests.challenges.conftest import NOW

pytestmark = pytest.mark.usefixtures("ctx")


def attached(obj):
    return db.session.merge(obj)


def join_with_score(challenge, user, score: float):
    """Join for real (so the neighbourhood totals follow) and give the participant a score."""
    enrollment = participation.join(challenge, attached(user), now=challenge.starts_at)
    totals.add_units(enrollment, score, 0)
    return enrollment


def standings_of(challenge) -> list[tuple]:
    return [(s.name, s.rank, s.score, s.participants) for s in results.neighbourhood_ranking(challenge)]


# Neighbourhoods ---------------------------------------------------------------------------------


def test_neighbourhoods_rank_per_household_and_small_ones_are_not_shown(field_challenge, make_user):
    """Score per participating household ranks a small place above a big one; under 3 are neither ranked nor scored."""
    challenge = field_challenge(format=Format.NEIGHBOURHOOD)
    places = {name: neighbourhoods.create_neighbourhood(name, 100).id for name in ("North", "South", "East", "West")}
    for name, scores in {"North": [3, 6, 9], "South": [1, 1, 1, 1, 1], "East": [50, 50], "West": [7]}.items():
        for score in scores:
            join_with_score(challenge, make_user(neighbourhood_id=places[name]), score)
    assert standings_of(challenge) == [
        ("North", 1, 6.0, 3),
        ("South", 2, 1.0, 5),
        ("East", None, None, None),
        ("West", None, None, None),
    ]


def test_tied_neighbourhoods_share_a_place_and_empty_ones_are_left_out(field_challenge, make_user):
    """Equal scores per household share a place (1, 1, 3); a neighbourhood whose participants all left is not listed."""
    challenge = field_challenge(format=Format.NEIGHBOURHOOD)
    places = {name: neighbourhoods.create_neighbourhood(name, 100).id for name in ("Alpha", "Beta", "Gamma", "Delta")}
    for name, scores in {"Beta": [2, 4, 6], "Alpha": [4, 4, 4, 4], "Gamma": [1, 1, 1]}.items():
        for score in scores:
            join_with_score(challenge, make_user(neighbourhood_id=places[name]), score)
    leaver = make_user(neighbourhood_id=places["Delta"])
    join_with_score(challenge, leaver, 9)
    participation.leave(challenge, attached(leaver), now=NOW)
    assert standings_of(challenge) == [("Alpha", 1, 4.0, 4), ("Beta", 1, 4.0, 3), ("Gamma", 3, 1.0, 3)]


def test_a_hidden_resident_keeps_their_place_and_counts_for_their_neighbourhood(field_challenge, make_user):
    """Hidden from listings: ranked as usual, nameless to others, themselves to themselves, counted for their place."""
    challenge = field_challenge(format=Format.NEIGHBOURHOOD)
    place = neighbourhoods.create_neighbourhood("Harbour", 100).id
    hidden = make_user(neighbourhood_id=place)
    attached(hidden).leaderboard_visible = False
    others = [make_user(neighbourhood_id=place) for _ in range(2)]
    join_with_score(challenge, hidden, 10)
    for user in others:
        join_with_score(challenge, user, 4)
    to_others = services.challenge_board(challenge, attached(others[0]))
    assert [(e.rank, e.pseudonym, e.hidden, e.you) for e in to_others.entries] == [
        (1, None, True, False),
        (2, others[1].pseudonym, False, False),
        (2, others[0].pseudonym, False, True),
    ]
    to_self = services.challenge_board(challenge, attached(hidden))
    assert (to_self.me.rank, to_self.me.entry.pseudonym, to_self.entries[0].you) == (1, hidden.pseudonym, True)
    assert to_self.me.below[0].rank == 2 and to_self.me.top_percent == 34 and to_self.me.percentile == 66.7
    assert standings_of(challenge) == [("Harbour", 1, 6.0, 3)]


# Season ---------------------------------------------------------------------------------------


def points_in(period: Period, now=NOW) -> list[tuple[str, int]]:
    board, _start = services.season_board(period, None, now=now)
    return [(entry.pseudonym, int(entry.score)) for entry in board.entries]


def test_season_windows_count_points_on_the_day_of_the_trip(field_challenge, make_user, manager):
    """Trips on different days land in their own week and month (Monday weeks, city calendar); all time has all."""
    challenge = field_challenge(points_per_unit=10.0)
    mira, jonas = make_user(pseudonym="Mira"), make_user(pseudonym="Jonas")
    mine = participation.join(challenge, attached(mira), now=challenge.starts_at)
    theirs = participation.join(challenge, attached(jonas), now=challenge.starts_at)
    for day, km in ((date(2026, 2, 26), 2.0), (date(2026, 3, 1), 3.0), (date(2026, 3, 3), 5.0)):
        last, _ = submit_trip(mine, day, Mode.BIKE, km, True, now=NOW)
    submit_trip(theirs, date(2026, 3, 4), Mode.WALK, 1.0, True, now=NOW)
    assert points_in(Period.WEEK) == [("Mira", 50), ("Jonas", 10)]
    assert points_in(Period.MONTH) == [("Mira", 80), ("Jonas", 10)]
    assert points_in(Period.ALL) == [("Mira", 100), ("Jonas", 10)]
    assert points_in(Period.WEEK, now=datetime(2026, 2, 28, 12, tzinfo=UTC)) == [("Mira", 50)]
    assert points_in(Period.MONTH, now=datetime(2026, 2, 28, 12, tzinfo=UTC)) == [("Mira", 20)]

    submissions.review(last, attached(manager), approve=False, reason="Entered twice.")
    assert points_in(Period.WEEK) == [("Jonas", 10)]
    assert points_in(Period.MONTH) == [("Mira", 30), ("Jonas", 10)]
    board, start = services.season_board(Period.WEEK, attached(mira), now=NOW)
    assert (board.participants, board.me, start) == (1, None, date(2026, 3, 2))


def test_a_reading_counts_on_its_local_day(make_challenge, make_user):
    """A reading taken at 00:30 in the city (23:30 UTC the day before) counts for the city's day, and so its week."""
    challenge = make_challenge(category=Category.ENERGY, points_per_unit=1.0)
    enrollment = participation.join(challenge, attached(make_user(pseudonym="Ada")), now=challenge.starts_at)
    submit_reading(enrollment, challenge.starts_at + timedelta(hours=1), 1000.0, now=NOW)
    reading, _ = submit_reading(enrollment, datetime(2026, 3, 1, 23, 30, tzinfo=UTC), 1015.0, now=NOW)
    assert reading.points > 0 and activity_day(reading) == date(2026, 3, 2)
    assert points_in(Period.WEEK) == [("Ada", reading.points)]
    assert points_in(Period.WEEK, now=datetime(2026, 3, 1, 12, tzinfo=UTC)) == []


def test_season_head_counts_follow_points_coming_and_going(make_user):
    """A period's head count rises when a resident's points turn positive and falls when they are all taken back."""
    first, second = make_user(), make_user()
    day = date(2026, 3, 4)
    services.add_season_points(first.id, day, 5)
    services.add_season_points(first.id, day, 7)
    services.add_season_points(second.id, day, 3)
    services.add_season_points(second.id, day, -3)
    services.add_season_points(second.id, day, 0)
    counts = {(row.period, row.period_start): row.participants for row in db.session.scalars(select(SeasonPeriod))}
    assert counts == {
        (Period.WEEK, date(2026, 3, 2)): 1,
        (Period.MONTH, date(2026, 3, 1)): 1,
        (Period.ALL, services.ALL_TIME_START): 1,
    }
    points = db.session.scalar(select(SeasonPoints.points).where(SeasonPoints.user_id == first.id).limit(1))
    assert points == 12


# My rank over time ----------------------------------------------------------------------------


def snapshot_rows() -> list[tuple]:
    query = select(RankSnapshot.enrollment_id, RankSnapshot.day, RankSnapshot.rank, RankSnapshot.score)
    return sorted(tuple(row) for row in db.session.execute(query))


def test_daily_snapshots_rank_active_participants_once_a_day(field_challenge, make_user):
    """The snapshot records today's competition ranks of running challenges; a second run changes nothing."""
    challenge = field_challenge()
    upcoming = field_challenge(starts_at=NOW + timedelta(days=2), ends_at=NOW + timedelta(days=9))
    first, second, third = (join_with_score(challenge, make_user(), score) for score in (5, 5, 1))
    leaver = join_with_score(challenge, make_user(), 9)
    participation.leave(challenge, attached(leaver.user), now=NOW)
    participation.join(upcoming, attached(first.user), now=NOW)
    assert services.snapshot_ranks(NOW) == 3
    today = date(2026, 3, 4)
    expected = sorted([(first.id, today, 1, 5.0), (second.id, today, 1, 5.0), (third.id, today, 3, 1.0)])
    assert snapshot_rows() == expected
    assert services.snapshot_ranks(NOW + timedelta(hours=5)) == 0
    assert snapshot_rows() == expected

    totals.add_units(third, 10, 0)
    assert services.snapshot_ranks(NOW + timedelta(days=1)) == 3
    assert services.rank_history(third) == [(today, 3, 1.0), (today + timedelta(days=1), 1, 11.0)]


def test_the_snapshot_job_is_registered_and_runs(app, field_challenge, make_user):
    """The job runs every evening and at start-up, in a transaction of its own."""
    challenge = field_challenge()
    join_with_score(challenge, make_user(), 2)
    db.session.commit()
    registered = scheduler.JOBS["rank-snapshots"]
    assert registered.trigger == "cron" and registered.run_at_start and registered.trigger_args["hour"] == 23
    assert scheduler.run_job(app, "rank-snapshots")
    assert scheduler.run_job(app, "rank-snapshots")
    assert len(snapshot_rows()) == 1


# Who sees what --------------------------------------------------------------------------------


def test_drafts_have_no_public_leaderboard(field_challenge, make_user, manager):
    """A draft's leaderboard exists for managers only; the public embed needs a published neighbourhood challenge."""
    draft = field_challenge(publish=False, format=Format.NEIGHBOURHOOD)
    with pytest.raises(challenge_errors.NotFound):
        services.get_challenge(draft.id, attached(make_user()))
    assert services.get_challenge(draft.id, attached(manager)) is draft
    with pytest.raises(challenge_errors.NotFound):
        services.get_public_neighbourhood_challenge(draft.id)
    individual = field_challenge()
    with pytest.raises(errors.NoNeighbourhoodRanking):
        services.get_public_neighbourhood_challenge(individual.id)
    assert draft.status == Status.DRAFT
