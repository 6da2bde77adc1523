"""`flask connectors …`: the demo utility's token, and a day of readings pushed for the demo city."""

from datetime import date, timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from app.clock import local_date
from app.columns import utcnow
from app.extensions import db
from clients import services as clients
from connectors import demo

connectors_cli = AppGroup("connectors", help="The utility's meter reading connector.")

COMMANDS = (connectors_cli,)


@connectors_cli.command("demo-token")
def demo_token():
    """Print an access token (scope readings:write) of the demo utility's client, registering it if needed."""
    token = clients.issue_token(demo.utility_client(), current_app.config["CLIENT_TOKEN_LIFETIME"])
    db.session.commit()
    click.echo(token)


@connectors_cli.command("push-demo")
@click.option(
    "--day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="The city day (default yesterday)."
)
def push_demo(day):
    """Link meters (with consent) for demo residents and push a day of their readings as the demo utility."""
    linked = demo.link_demo_meters()
    the_day: date = day.date() if day else local_date(utcnow()) - timedelta(days=1)
    report = demo.push_day(the_day, demo.utility_client())
    db.session.commit()
    counts = ", ".join(f"{name} {count}" for name, count in report.counts().items())
    click.echo(f"{linked} meters newly linked; readings of {the_day.isoformat()}: {counts}; "
               f"{report.days_stored} meter days stored.")  # fmt: skip
