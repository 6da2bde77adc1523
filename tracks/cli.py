"""`flask tracks …`: demo tracks for the route grid."""

import click
from flask.cli import AppGroup

from app.extensions import db
from tracks import demo

tracks_cli = AppGroup("tracks", help="Tracks from residents' devices and the route grid.")

COMMANDS = (tracks_cli,)


@tracks_cli.command("push-demo")
def push_demo():
    """Let the first demo residents consent to routes × network planning and upload yesterday's ride."""
    shared = demo.push_demo()
    db.session.commit()
    click.echo(f"{shared} tracks added to the route grid.")
