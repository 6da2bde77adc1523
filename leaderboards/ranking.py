"""Standard competition ranking (1, 2, 2, 4) over a table of standings, read from its score index.

A `Standings` names the rows that compete, their score column and their tie-break column (the
row id, so that consecutive pages never overlap or skip). Pages come in (score DESC, id DESC)
order with LIMIT/OFFSET; ranks come from counts of higher scores: from the standings' `tally`
where they keep a score histogram (challenges do, see leaderboards.histogram: the cost no longer
grows with the rank), else from an indexed count. "My rank" needs a handful of small indexed
queries. Nothing here loads all participants into Python.

Ties are listed newest row first (id DESC), not oldest first: an index on (..., score) holds its
rows in (score, id) order (SQLite keeps the rowid in every index entry), so every read here walks
the index in one direction, forwards or backwards, and never sorts a tie group.

The rank of a row is 1 + the number of rows with a strictly higher score. Walking a page, the
first row's rank is counted; after it, a row tied with the one before shares its rank, and any
other row's rank is its position, because everything before it scored higher.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, func, literal, select, union_all

from accounts.models import User
from app.extensions import db


@dataclass(frozen=True)
class Standings:
    """The competing rows of one ranking: `where` selects them, best `score` first, ties by `id`.

    `tally(score)`, if given, answers (rows scoring higher, rows scoring exactly `score`) faster
    than counting on the index.
    """

    id: ColumnElement
    user_id: ColumnElement
    score: ColumnElement
    where: tuple
    participants: int
    tally: Callable[[float], tuple[int, int]] | None = None
    # Rows compete only with a score above `floor` (season boards: points > 0). Kept apart from `where`: a
    # condition on a higher score makes it redundant, and SQLite would start its index range at the floor
    # and walk every entry up to the score asked for (31 ms at 100,000 residents instead of none).
    floor: float | None = None

    def where_with(self, conditions: tuple, clears_floor: bool = False) -> tuple:
        """`where`, the floor unless `conditions` already keep the score above it, then `conditions`."""
        floor = () if self.floor is None or clears_floor else (self.score > self.floor,)
        return (*self.where, *floor, *conditions)

    def clears_floor(self, score: float, strict: bool) -> bool:
        """Whether `score > score` (strict) or `score == score` keeps a row above the floor by itself."""
        return self.floor is not None and (score >= self.floor if strict else score > self.floor)


@dataclass(frozen=True)
class Entry:
    """One line of a ranking as a viewer sees it; `pseudonym` is None for others hiding from listings."""

    rank: int
    score: float
    pseudonym: str | None
    hidden: bool
    you: bool


@dataclass(frozen=True)
class MyRank:
    """Where the viewer stands: their entry, the two entries above (best first) and below, the field size."""

    entry: Entry
    participants: int
    outranked: int
    above: list[Entry] = field(default_factory=list)
    below: list[Entry] = field(default_factory=list)

    @property
    def rank(self) -> int:
        return self.entry.rank

    @property
    def score(self) -> float:
        return self.entry.score

    @property
    def top_percent(self) -> int:
        """The share of the field ranked at or above the viewer, rounded up: "top 3 %"."""
        return min(100, max(1, math.ceil(100 * self.rank / max(self.participants, 1))))

    @property
    def percentile(self) -> float:
        """The share of participants the viewer outranks (scored less), in per cent."""
        return round(100 * self.outranked / self.participants, 1) if self.participants else 0.0


def count(standings: Standings, *conditions, clears_floor: bool = False) -> int:
    """How many competing rows meet `conditions`: one count over the score index."""
    query = select(func.count()).select_from(standings.id.table).where(*standings.where_with(conditions, clears_floor))
    return db.session.scalar(query)


def _higher_and_tied(standings: Standings, score: float) -> tuple[int, int]:
    """(rows scoring higher, rows scoring exactly `score`): from the tally if kept, else two index counts."""
    if standings.tally is not None:
        return standings.tally(score)
    higher = count(standings, standings.score > score, clears_floor=standings.clears_floor(score, strict=True))
    return higher, count(standings, standings.score == score, clears_floor=standings.clears_floor(score, strict=False))


def _higher(standings: Standings, score: float) -> int:
    if standings.tally is not None:
        return standings.tally(score)[0]
    return count(standings, standings.score > score, clears_floor=standings.clears_floor(score, strict=True))


def _named(rows) -> list:
    """The fetched rows (a subquery) with their residents' names: a key lookup per row, never more."""
    query = select(rows, User.pseudonym, User.leaderboard_visible).join(User, User.id == rows.c.user_id)
    return list(db.session.execute(query))


def _ordered(
    standings: Standings, conditions: tuple, order: tuple, limit: int, offset: int = 0, clears_floor: bool = False
):
    return (
        select(standings.id.label("id"), standings.user_id.label("user_id"), standings.score.label("score"))
        .where(*standings.where_with(conditions, clears_floor))
        .order_by(*order)
        .limit(limit)
        .offset(offset)
    )


def _entry(row, rank: int, viewer_id: int | None) -> Entry:
    you = viewer_id is not None and row.user_id == viewer_id
    hidden = not row.leaderboard_visible
    pseudonym = None if hidden and not you else row.pseudonym
    return Entry(rank=rank, score=row.score, pseudonym=pseudonym, hidden=hidden, you=you)


def page(standings: Standings, offset: int, limit: int, viewer_id: int | None = None) -> list[Entry]:
    """`limit` entries from position `offset` (0-based), best first, each with its rank."""
    best_first = (standings.score.desc(), standings.id.desc())
    rows = sorted(
        _named(_ordered(standings, (), best_first, limit, offset).subquery()), key=lambda r: (-r.score, -r.id)
    )
    entries: list[Entry] = []
    for index, row in enumerate(rows):
        if entries and row.score == entries[-1].score:
            rank = entries[-1].rank
        elif index == 0 and offset > 0:
            rank = 1 + _higher(standings, row.score)
        else:
            rank = offset + index + 1
        entries.append(_entry(row, rank, viewer_id))
    return entries


def my_rank(standings: Standings, row_id: int, score: float, viewer) -> MyRank:
    """The viewer's rank from their row (`row_id`, `score`), with two neighbours each side and the percentile.

    The higher and equal scores (from the tally, or two index counts), one read of the neighbours,
    and the sizes of the neighbours' tie groups.
    """
    greater, ties = _higher_and_tied(standings, score)
    rank = greater + 1
    above, below = _closest(standings, row_id, score)
    sizes = _group_sizes(standings, {row.score for row in above + below} - {score})
    own = Entry(rank=rank, score=score, pseudonym=viewer.pseudonym, hidden=not viewer.leaderboard_visible, you=True)
    return MyRank(
        entry=own,
        participants=standings.participants,
        outranked=max(0, standings.participants - greater - ties),
        above=[_entry(row, row_rank, viewer.id) for row, row_rank in reversed(_ranks_above(above, score, rank, sizes))],
        below=[_entry(row, row_rank, viewer.id) for row, row_rank in _ranks_below(below, score, rank, ties, sizes)],
    )


def _closest(standings: Standings, row_id: int, score: float) -> tuple[list, list]:
    """The two rows right before and the two right after the viewer's in ranking order, closest first.

    One statement of four short index walks outwards from the viewer: on each side, the viewer's
    own tie group beyond their id, and the scores beyond their own.
    """
    s, ident = standings.score, standings.id
    tied, higher = standings.clears_floor(score, strict=False), standings.clears_floor(score, strict=True)
    walks = (
        (True, (s == score, ident > row_id), (ident,), tied),
        (True, (s > score,), (s, ident), higher),
        (False, (s == score, ident < row_id), (ident.desc(),), tied),
        (False, (s < score,), (s.desc(), ident.desc()), False),
    )
    both = union_all(
        *(
            select(_ordered(standings, where, order, 2, clears_floor=clears).subquery(), literal(up).label("up"))
            for up, where, order, clears in walks
        )
    ).subquery()
    rows = _named(both)
    above = sorted((row for row in rows if row.up), key=lambda r: (r.score, r.id))[:2]
    below = sorted((row for row in rows if not row.up), key=lambda r: (-r.score, -r.id))[:2]
    return above, below


def _group_sizes(standings: Standings, scores: set[float]) -> dict[float, int]:
    """How many rows share each of these scores: from the tally (a tie group may be large), else one
    grouped read of the index at those values."""
    if not scores:
        return {}
    if standings.tally is not None:
        return {value: standings.tally(value)[1] for value in scores}
    s = standings.score
    clears = standings.clears_floor(min(scores), strict=False)
    query = select(s, func.count()).where(*standings.where_with((s.in_(sorted(scores)),), clears)).group_by(s)
    return {value: size for value, size in db.session.execute(query)}


def _ranks_above(rows: list, score: float, rank: int, sizes: dict) -> list[tuple]:
    """(row, rank) closest first: no score lies between neighbours, so each higher group ends right above."""
    ranked, group_score, group_rank = [], score, rank
    for row in rows:
        if row.score != group_score:
            group_score, group_rank = row.score, group_rank - sizes[row.score]
        ranked.append((row, group_rank))
    return ranked


def _ranks_below(rows: list, score: float, rank: int, ties: int, sizes: dict) -> list[tuple]:
    """(row, rank) closest first: each lower group ranks right after the group above it."""
    ranked, group_score, group_rank, group_size = [], score, rank, ties
    for row in rows:
        if row.score != group_score:
            group_score, group_rank, group_size = row.score, group_rank + group_size, sizes[row.score]
        ranked.append((row, group_rank))
    return ranked
