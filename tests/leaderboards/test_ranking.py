"""Ranking correctness: pages and "my rank" equal a plain sort-and-rank of the same scores, ties and hidden included."""

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from accounts.models import User
from app.extensions import db
from leaderboards import services
from leaderboards.models import Period, SeasonPoints
from tests.leaderboards.conftest import add_field, add_residents

# Few distinct values, so ties are common; some arbitrary ones, so they are not the only case.
SCORES = st.one_of(st.sampled_from([0.0, 1.0, 2.5, 2.5000001, 7.0]), st.floats(0, 1e6, allow_nan=False))
PEOPLE = st.lists(st.tuples(SCORES, st.booleans(), st.booleans()), max_size=14)  # score, hidden, still taking part
PROPERTY = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@dataclass(frozen=True)
class Row:
    id: int
    user: User
    score: float
    hidden: bool


def expected_entry(row: Row, order: list[Row], viewer: User | None) -> tuple:
    """What a plain sort says about one row: (rank, score, name shown, is it you)."""
    rank = 1 + sum(1 for other in order if other.score > row.score)
    you = viewer is not None and row.user.id == viewer.id
    return rank, row.score, None if row.hidden and not you else row.user.pseudonym, you


def shown(entry) -> tuple:
    return entry.rank, entry.score, entry.pseudonym, entry.you


def check_pages(board_of, order: list[Row], per_page: int, viewer: User | None) -> None:
    """Walking every page lists everyone in order, each with the rank and name a plain sort gives."""
    listed = []
    for page in range(1, len(order) // per_page + 2):
        board = board_of(viewer, page, per_page)
        listed += [shown(entry) for entry in board.entries]
        assert board.participants == len(order)
    assert listed == [expected_entry(row, order, viewer) for row in order]


def check_my_rank(board_of, order: list[Row], per_page: int, mine: int) -> None:
    """A participant's own rank, neighbours, field size and percentile, as a plain sort gives them."""
    viewer = order[mine].user
    me = board_of(viewer, 1, per_page).me
    assert shown(me.entry) == (*expected_entry(order[mine], order, viewer)[:2], viewer.pseudonym, True)
    assert me.participants == len(order)
    assert me.outranked == sum(1 for row in order if row.score < order[mine].score)
    assert [shown(entry) for entry in me.above] == [
        expected_entry(row, order, viewer) for row in order[max(0, mine - 2) : mine]
    ]
    assert [shown(entry) for entry in me.below] == [
        expected_entry(row, order, viewer) for row in order[mine + 1 : mine + 3]
    ]


def check_board(board_of, order: list[Row], per_page: int, outsiders: list[User]) -> None:
    """Pages as an anonymous visitor and as a hidden participant; every participant's own rank; outsiders unranked."""
    check_pages(board_of, order, per_page, None)
    hidden = [row.user for row in order if row.hidden]
    if hidden:
        check_pages(board_of, order, per_page, hidden[0])
    for mine in range(len(order)):
        check_my_rank(board_of, order, per_page, mine)
    for outsider in outsiders:
        assert board_of(outsider, 1, per_page).me is None


@given(people=PEOPLE, per_page=st.integers(1, 5))
@PROPERTY
def test_challenge_ranking_equals_a_plain_sort(ctx, field_challenge, people, per_page):
    """For any scores, every page and each participant's rank and neighbours equal a sort-and-rank; leavers drop out."""
    challenge = field_challenge()
    users = add_residents(len(people), hidden=[hidden for _score, hidden, _active in people])
    ids = add_field(challenge, users, [score for score, *_ in people], [active for *_, active in people])
    together = zip(ids, users, people, strict=True)
    rows = [Row(ident, user, score, hidden) for ident, user, (score, hidden, active) in together if active]
    order = sorted(rows, key=lambda row: (-row.score, -row.id))
    left = [user for user, (*_rest, active) in zip(users, people, strict=True) if not active]

    def board_of(viewer, page, size):
        return services.challenge_board(challenge, viewer, page, size)

    check_board(board_of, order, per_page, left)


_weeks = itertools.count()
POINT_CHANGES = st.lists(st.integers(-30, 60).filter(bool), min_size=1, max_size=3)


@given(people=st.lists(st.tuples(POINT_CHANGES, st.booleans()), max_size=12), per_page=st.integers(1, 5))
@PROPERTY
def test_season_ranking_equals_a_plain_sort(ctx, people, per_page):
    """For any points credited and taken back, the week's ranking equals a sort-and-rank of those with points left."""
    day = date(2001, 1, 3) + timedelta(weeks=next(_weeks))  # a week of its own for each example
    users = add_residents(len(people), hidden=[hidden for _changes, hidden in people])
    for user, (changes, _hidden) in zip(users, people, strict=True):
        for points in changes:
            services.add_season_points(user.id, day, points)
    db.session.flush()
    start = services.period_start(Period.WEEK, day)
    week = select(SeasonPoints.user_id, SeasonPoints.id).where(
        SeasonPoints.period == Period.WEEK, SeasonPoints.period_start == start
    )
    ids = {user_id: ident for user_id, ident in db.session.execute(week)}
    rows = [Row(ids[user.id], user, sum(changes), hidden) for user, (changes, hidden) in zip(users, people, strict=True)
            if sum(changes) > 0]  # fmt: skip
    order = sorted(rows, key=lambda row: (-row.score, -row.id))
    without_points = [user for user, (changes, _hidden) in zip(users, people, strict=True) if sum(changes) <= 0]

    def board_of(viewer, page, size):
        return services.season_board(Period.WEEK, viewer, page, size, now=datetime.combine(day, time(12), UTC))[0]

    check_board(board_of, order, per_page, without_points)
