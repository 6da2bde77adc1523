"""The signals of app/signals.py: receivers run in the order app/wiring.py connects them, in every process."""

from app.signals import challenge_closed, enrollment_changed, submission_scored, team_membership_changed
from leaderboards import receivers as leaderboards
from rewards import receivers as rewards


def test_receivers_run_in_the_order_wiring_connects_them(app):
    """Season points before the ledger; blinker's own set of receivers would call them in any order."""
    anyone = object()
    assert list(submission_scored.receivers_for(anyone)) == [leaderboards.add_season_points, rewards.settle_submission]
    assert list(enrollment_changed.receivers_for(anyone)) == [leaderboards.move_in_histogram,
                                                              leaderboards.add_to_teams]  # fmt: skip
    assert list(team_membership_changed.receivers_for(anyone)) == [leaderboards.move_between_teams]
    assert list(challenge_closed.receivers_for(anyone)) == [rewards.pay_challenge]


def test_a_receiver_connected_later_runs_last_and_leaves_no_trace(app):
    """A test's receiver runs after the app's own and is gone again afterwards."""
    calls = []

    def listen(payload, **_extra):
        calls.append(payload)

    with submission_scored.connected_to(listen):
        assert list(submission_scored.receivers_for(object()))[-1] is listen
    assert listen not in list(submission_scored.receivers_for(object()))
