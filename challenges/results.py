"""A challenge's results: neighbourhoods placed by score per participating household, and what
`challenge_closed` tells its listeners once the final ranks are frozen.

The boards show the neighbourhood places while a challenge runs; closing sends the same places,
so a prize is paid for the place the board showed.
"""

from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.signals import ChallengeClosed, Finisher, NeighbourhoodPlace
from challenges.models import Challenge, Enrollment, NeighbourhoodScore
from challenges.scoring import per_household
from neighbourhoods.models import Neighbourhood

# Fewer participants than this, and a neighbourhood's score would tell on individuals.
MIN_PARTICIPANTS = 3


@dataclass(frozen=True)
class NeighbourhoodStanding:
    """A neighbourhood's place; rank, score and participants stay None when too few take part."""

    neighbourhood_id: int
    name: str
    rank: int | None
    score: float | None
    participants: int | None

    @property
    def ranked(self) -> bool:
        return self.rank is not None


def neighbourhood_ranking(challenge: Challenge) -> list[NeighbourhoodStanding]:
    """Neighbourhoods by score per participating household, ranked; those with too few participants last."""
    rows = db.session.execute(
        select(Neighbourhood.id, Neighbourhood.name, NeighbourhoodScore.total_units, NeighbourhoodScore.participants)
        .join(Neighbourhood, Neighbourhood.id == NeighbourhoodScore.neighbourhood_id)
        .where(NeighbourhoodScore.challenge_id == challenge.id, NeighbourhoodScore.participants > 0)
    ).all()
    scored = sorted(
        ((per_household(total, count), name, ident, count) for ident, name, total, count in rows
         if count >= MIN_PARTICIPANTS),
        key=lambda item: (-item[0], item[1].casefold()),
    )  # fmt: skip
    ranked: list[NeighbourhoodStanding] = []
    for position, (score, name, ident, count) in enumerate(scored, start=1):
        rank = ranked[-1].rank if ranked and ranked[-1].score == score else position
        ranked.append(NeighbourhoodStanding(ident, name, rank, score, count))
    too_few = sorted((name.casefold(), ident, name) for ident, name, _total, count in rows if count < MIN_PARTICIPANTS)
    return ranked + [NeighbourhoodStanding(ident, name, None, None, None) for _key, ident, name in too_few]


def closing_results(challenge: Challenge) -> ChallengeClosed:
    """What a closed challenge's listeners are told: its prize rules, its finishers and the neighbourhood places."""
    finishers = db.session.execute(
        select(Enrollment.user_id, Enrollment.score, Enrollment.final_rank, Enrollment.neighbourhood_id)
        .where(Enrollment.challenge_id == challenge.id, Enrollment.active)
        .order_by(Enrollment.id)
    ).all()
    places = [NeighbourhoodPlace(s.neighbourhood_id, s.rank) for s in neighbourhood_ranking(challenge) if s.ranked]
    return ChallengeClosed(
        challenge_id=challenge.id, title=challenge.title, format=challenge.format.value, closed_at=challenge.closed_at,
        completion_goal=challenge.completion_goal, completion_bonus=challenge.completion_bonus,
        placement_points=tuple(challenge.placement_points or ()),
        finishers=tuple(Finisher(*row) for row in finishers), neighbourhood_places=tuple(places),
    )  # fmt: skip
