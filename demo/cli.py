"""`flask seed-demo`: fill an empty database with the demo city."""

import click
from flask.cli import with_appcontext

import demo
from app.extensions import db


@click.command("seed-demo")
@with_appcontext
def seed_demo():
    """Fill an empty database with the demo city; a database with users is left alone."""
    if not demo.database_is_empty():
        click.echo("The database already has users; demo data not loaded.")
        return
    summary = demo.seed()
    db.session.commit()
    click.echo(f"Demo city loaded: {summary}.")


COMMANDS = (seed_demo,)
