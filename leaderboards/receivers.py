"""Keeps season points and score histograms in step with every change that challenges announces.

Connected when the app is built (create_app imports this module); challenges never imports
leaderboards, it only sends `submission_scored` and `enrollment_changed`.
"""

from challenges.signals import enrollment_changed, submission_scored
from leaderboards import histogram, services


@submission_scored.connect
def add_season_points(submission, units_delta: float = 0.0, points_delta: int = 0, **_extra) -> None:
    """Credit (or take back) the points a submission changed by, in the periods of its activity day."""
    services.add_season_points(submission.user_id, services.activity_day(submission), points_delta)


@enrollment_changed.connect
def move_in_histogram(enrollment, score_before: float, active_before: bool, **_extra) -> None:
    """Move the participant from the score bucket they counted in to the one they count in now, if any."""
    before = score_before if active_before else None
    after = enrollment.score if enrollment.active else None
    histogram.shift(enrollment.challenge_id, before, after)
