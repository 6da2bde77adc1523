"""Command-line tools of the plumbing: the scheduler process. Domains bring their own (see app.wiring)."""

import click
from flask import current_app
from flask.cli import AppGroup

from app import scheduler

scheduler_cli = AppGroup("scheduler", help="Run scheduled jobs.")


@scheduler_cli.command("run")
def run_scheduler():
    """Run the scheduled jobs in this process (set SCHEDULER_MODE=off on the web processes)."""
    click.echo(f"Scheduler running with {len(scheduler.JOBS)} job(s) as {scheduler.HOLDER_ID}; Ctrl+C stops it.")
    try:
        scheduler.build_scheduler(current_app._get_current_object(), blocking=True).start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        scheduler.release_lease()


def init_app(app, domain_commands=()) -> None:
    app.cli.add_command(scheduler_cli)
    for command in domain_commands:
        app.cli.add_command(command)
