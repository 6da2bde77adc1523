"""A resident's standing: levels by lifetime points, and the summary of balance, lifetime points and level."""

from rewards import ledger
from rewards.models import EntryKind
from rewards.points import services
from rewards.points.services import LEVELS, level_for


def test_level_for_each_threshold():
    """A level is reached exactly at its threshold; one point less is the level below."""
    for number, (threshold, name) in enumerate(LEVELS, start=1):
        level = level_for(threshold)
        assert (level.number, level.name, level.threshold) == (number, str(name), threshold)
        if number > 1:
            assert level_for(threshold - 1).number == number - 1
    assert level_for(0).next_threshold == LEVELS[1][0]
    assert level_for(0).points_to_next(40) == LEVELS[1][0] - 40
    top = level_for(LEVELS[-1][0] + 10_000)
    assert top.number == len(LEVELS) and top.next_threshold is None and top.points_to_next(10**6) is None


def test_summary_counts_what_was_earned_not_what_was_spent(ctx, make_user, fund):
    """The balance is every entry; lifetime points and so the level leave spending out."""
    resident = make_user()
    fund(resident.id, 120)
    ledger.post(resident.id, -50, EntryKind.REDEMPTION, "redemption", ("test", None), "test:spend",
                params={"reward": "Pool day"})  # fmt: skip
    summary = services.summary(resident.id)
    assert (summary.balance, summary.lifetime, summary.level.number) == (70, 120, 2)
