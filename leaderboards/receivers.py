"""Keeps season points in step with every score change that challenges announces.

Connected when the app is built (create_app imports this module); challenges never imports
leaderboards, it only sends `submission_scored`.
"""

from challenges.signals import submission_scored
from leaderboards import services


@submission_scored.connect
def add_season_points(submission, units_delta: float = 0.0, points_delta: int = 0, **_extra) -> None:
    """Credit (or take back) the points a submission changed by, in the periods of its activity day."""
    services.add_season_points(submission.user_id, services.activity_day(submission), points_delta)
