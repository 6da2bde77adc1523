"""Keeps season points and score histograms in step with what challenges announce (see app.signals).

`app.wiring` connects these receivers when the app is built; challenges never imports leaderboards.
"""

from app.signals import EnrollmentChanged, SubmissionScored, TeamMembershipChanged
from leaderboards import histogram, services, team_totals


def add_season_points(scored: SubmissionScored, **_extra) -> None:
    """Credit (or take back) the points a submission changed by, in the periods of its activity day."""
    services.add_season_points(scored.user_id, scored.day, scored.points_delta)


def move_in_histogram(changed: EnrollmentChanged, **_extra) -> None:
    """Move the participant from the score bucket they counted in to the one they count in now, if any."""
    before = changed.score_before if changed.active_before else None
    after = changed.score if changed.active else None
    histogram.shift(changed.challenge_id, before, after)


def add_to_teams(changed: EnrollmentChanged, **_extra) -> None:
    """Add the participant's change in score (or joining, or leaving) to the totals of the teams they count for."""
    team_totals.score_changed(changed)


def move_between_teams(changed: TeamMembershipChanged, **_extra) -> None:
    """Move the resident's scores in running challenges from their old teams' totals to their new ones'."""
    team_totals.membership_changed(changed)
