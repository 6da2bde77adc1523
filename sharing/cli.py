"""Command-line tools for data sharing: the default data catalogue."""

import click
from flask.cli import AppGroup

from app.extensions import db
from sharing import defaults as sharing_defaults

sharing_cli = AppGroup("sharing", help="Manage the data catalogue.")

COMMANDS = (sharing_cli,)


@sharing_cli.command("install-defaults")
def install_sharing_defaults():
    """Add the default data categories and purposes (English and German) that are missing; safe to run again."""
    added = sharing_defaults.install_defaults()
    db.session.commit()
    click.echo(f"Added {added} categories and purposes to the data catalogue.")
