"""Command-line tools of the plumbing: the scheduler process and the scores check. Domains bring their own
(see app.wiring)."""

import click
from flask import current_app
from flask.cli import AppGroup

from app import reconciliation, scheduler
from app.extensions import db

scheduler_cli = AppGroup("scheduler", help="Run scheduled jobs.")
scores_cli = AppGroup("scores", help="Check the running totals of scores.")


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


@scores_cli.command("check")
@click.option("--fix", is_flag=True, help="Set every total found to differ to what it adds up, then check again.")
def check_scores(fix: bool):
    """Recompute every running total from the submissions and say where a kept one differs (exit status 1)."""
    found = reconciliation.run(fix=fix)
    for difference in found:
        click.echo(str(difference))
    if not found:
        click.echo("Every total agrees with what it adds up.")
        return
    if not fix:
        db.session.rollback()
        click.echo(f"{len(found)} difference(s); `flask scores check --fix` repairs them.")
        raise SystemExit(1)
    db.session.commit()
    left = reconciliation.run()
    db.session.rollback()
    if left:
        click.echo(f"Repaired {len(found)} difference(s), but {len(left)} remain:")
        for difference in left:
            click.echo(str(difference))
        raise SystemExit(1)
    click.echo(f"Repaired {len(found)} difference(s); checked again, every total agrees.")


def init_app(app, domain_commands=()) -> None:
    app.cli.add_command(scheduler_cli)
    app.cli.add_command(scores_cli)
    for command in domain_commands:
        app.cli.add_command(command)
