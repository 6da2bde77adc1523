"""The factory's explicit lists: which domains' models, blueprints, signal receivers, jobs and commands the app has.

This is the one module of `app/` that imports the domains (the layer contract in `.importlinter`
allows it nowhere else); everything else in `app/` is plumbing the domains build on. A blueprint
that several modules add routes to (rewards.blueprints) is listed once, after those modules.
"""


def import_models() -> None:
    """Import every model so that migrations and create_all see them all."""
    import accounts.models  # noqa: F401
    import app.rate_limits
    import app.scheduler  # noqa: F401  (SchedulerLease)
    import challenges.models  # noqa: F401
    import clients.models  # noqa: F401
    import connectors.models  # noqa: F401
    import leaderboards.models  # noqa: F401
    import legal.models  # noqa: F401
    import neighbourhoods.models  # noqa: F401
    import notifications.models  # noqa: F401
    import nudges.models  # noqa: F401
    import privacy.models  # noqa: F401
    import projects.models  # noqa: F401
    import rewards.models  # noqa: F401
    import sharing.models  # noqa: F401
    import stats.models  # noqa: F401
    import teams.models  # noqa: F401
    import tracks.models  # noqa: F401


def connect_receivers_and_jobs() -> None:
    """Connect each signal's receivers in the order listed here, then import the modules that register jobs."""
    _connect_receivers()
    _register_checks()
    _register_record_counters()
    import app.tasks  # noqa: F401
    import challenges.tasks  # noqa: F401
    import leaderboards.tasks  # noqa: F401
    import notifications.tasks  # noqa: F401
    import nudges.messages
    import nudges.tasks  # noqa: F401
    import projects.messages
    import projects.tasks  # noqa: F401
    import rewards.tasks  # noqa: F401
    import sharing.messages
    import sharing.tasks  # noqa: F401
    import stats.tasks  # noqa: F401


def _connect_receivers() -> None:
    """Every receiver of every signal in `app.signals`, in the order each signal calls them.

    A signal calls its receivers in the order they are connected here, inside the sender's
    transaction, in every process alike:

    - `submission_scored`: leaderboards add the season points, then rewards settles the ledger:
      the layers' order, lower first. Being fixed, it is the same in every process (blinker alone
      would call them in any order), so two submissions of one resident sent at once take the
      season-points rows and the resident's ledger lock in the same order and never wait for each
      other in a circle.
    - `enrollment_changed`: leaderboards move the participant in the score histogram, then add the change to
      their teams' totals (rows in key order, last: app.locks).
    - `team_membership_changed`: leaderboards move the resident's scores between the teams' totals.
    - `challenge_closed`: rewards pays completion bonuses and prizes, and awards the result badges.
    - `registration_attempted`: notifications warn the address's owner, in-app and by email.
    - `password_reset_requested`: notifications queue the reset link by email.

    Connecting again (a second app in one process) keeps the first connection and its place.
    """
    from app.signals import (
        challenge_closed,
        enrollment_changed,
        password_reset_requested,
        registration_attempted,
        submission_scored,
        team_membership_changed,
    )
    from leaderboards import receivers as leaderboards
    from notifications import account_notices
    from rewards import receivers as rewards

    submission_scored.connect(leaderboards.add_season_points)
    submission_scored.connect(rewards.settle_submission)
    enrollment_changed.connect(leaderboards.move_in_histogram)
    enrollment_changed.connect(leaderboards.add_to_teams)
    team_membership_changed.connect(leaderboards.move_between_teams)
    challenge_closed.connect(rewards.pay_challenge)
    registration_attempted.connect(account_notices.warn_of_registration)
    password_reset_requested.connect(account_notices.send_password_reset)


def _register_checks() -> None:
    """The scores check's checks (app.reconciliation), in the order they run and repair.

    Enrollments from their submissions first, then what adds enrollments up (challenges' and
    neighbourhoods' totals, the score histograms), then season points and each period's head count.
    """
    from app import reconciliation
    from challenges import reconcile as challenges
    from leaderboards import reconcile as leaderboards
    from leaderboards import team_totals

    for check in (*challenges.CHECKS, *leaderboards.CHECKS, *team_totals.CHECKS):
        reconciliation.register(check)


def _register_record_counters() -> None:
    """What the data dividend counts as a week's records of a category that no submission kind holds."""
    from sharing import credits
    from tracks import services as tracks

    credits.register_records(tracks.CATEGORY, tracks.records_between)


def blueprints() -> tuple[tuple, tuple]:
    """The HTML blueprints and the JSON API blueprints, in registration order."""
    from accounts import api as accounts_api
    from accounts import sign_in
    from accounts import views as accounts_views
    from admin import views as admin_views
    from app import main
    from challenges import api as challenges_api
    from challenges import desk
    from challenges import views as challenges_views
    from clients import oauth
    from connectors import api as connectors_api
    from connectors import views as connectors_views
    from leaderboards import api as leaderboards_api
    from leaderboards import views as leaderboards_views
    from legal import views as legal_views
    from neighbourhoods import api as neighbourhoods_api
    from notifications import api as notifications_api
    from notifications import views as notifications_views
    from nudges import views as nudges_views
    from privacy import api as privacy_api
    from privacy import views as privacy_views
    from projects import api as projects_api
    from projects import views as projects_views
    from rewards import blueprints as rewards_blueprints
    from rewards.badges import api as badges_api  # noqa: F401  (adds /me/badges to api_points)
    from rewards.badges import views as badges_views
    from rewards.catalogue import api as catalogue_api
    from rewards.catalogue import views as catalogue_views  # noqa: F401  (adds its pages to the rewards blueprint)
    from rewards.points import api as points_api  # noqa: F401  (adds /me/ledger to api_points)
    from rewards.points import views as points_views  # noqa: F401  (adds /me/points to the rewards blueprint)
    from sharing import api as sharing_api
    from sharing import views as sharing_views
    from stats import api as stats_api
    from stats import impact_api, impact_pages
    from stats import views as stats_views
    from teams import api as teams_api
    from teams import views as teams_views
    from tracks import api as tracks_api
    from tracks import views as tracks_views

    pages = (
        main.bp,
        accounts_views.bp,
        sign_in.bp,
        admin_views.bp,
        challenges_views.bp,
        desk.bp,
        leaderboards_views.bp,
        rewards_blueprints.pages,
        badges_views.bp,
        sharing_views.bp,
        privacy_views.bp,
        stats_views.bp,
        notifications_views.bp,
        nudges_views.bp,
        legal_views.bp,
        oauth.bp,
        impact_pages.bp,
        teams_views.bp,
        projects_views.bp,
        tracks_views.bp,
        connectors_views.bp,
    )
    apis = (
        accounts_api.blp,
        neighbourhoods_api.blp,
        challenges_api.blp,
        leaderboards_api.blp,
        catalogue_api.blp,
        rewards_blueprints.my_api,
        sharing_api.blp,
        privacy_api.blp,
        stats_api.blp,
        impact_api.blp,
        notifications_api.blp,
        teams_api.blp,
        projects_api.blp,
        connectors_api.blp,
        connectors_api.my_meter_blp,
        tracks_api.blp,
    )
    return pages, apis


def init_domains(app) -> None:
    """What domains add to the app beyond blueprints: the layout's template context, the user loader, commands."""
    from accounts import cli as accounts_cli
    from accounts import providers, session, templating
    from clients import oauth
    from connectors import cli as connectors_cli
    from demo import cli as demo_cli
    from rewards import cli as rewards_cli
    from sharing import cli as sharing_cli
    from tracks import cli as tracks_cli

    templating.init_app(app)
    session.init_app(app)
    providers.init_app(app)
    oauth.init_app(app)
    app.extensions["civiquest.commands"] = (
        *demo_cli.COMMANDS,
        *accounts_cli.COMMANDS,
        *rewards_cli.COMMANDS,
        *sharing_cli.COMMANDS,
        *connectors_cli.COMMANDS,
        *tracks_cli.COMMANDS,
    )
