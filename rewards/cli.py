"""Command-line tools for rewards: the default badges."""

import click
from flask.cli import AppGroup

from app.extensions import db
from rewards.badges.defaults import install_default_badges

badges_cli = AppGroup("badges", help="Manage badges.")

COMMANDS = (badges_cli,)


@badges_cli.command("install-defaults")
def install_defaults():
    """Add the default badge of every rule that has none yet; safe to run again."""
    installed = install_default_badges()
    db.session.commit()
    click.echo(f"Installed {len(installed)} default badge(s).")
