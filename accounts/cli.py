"""Command-line tools for accounts: create users and personal access tokens."""

import re

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import AppGroup

from accounts import errors, services
from accounts.forms import PASSWORD_MIN, PSEUDONYM_PATTERN
from accounts.models import Role
from accounts.passwords import check_new_password
from app.extensions import db
from neighbourhoods.services import list_neighbourhoods

users_cli = AppGroup("users", help="Manage user accounts.")
tokens_cli = AppGroup("tokens", help="Manage personal access tokens.")

COMMANDS = (users_cli, tokens_cli)


# The same rules the registration and token pages apply, for accounts made here.


def _email(_ctx, _param, value: str) -> str:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as error:
        raise click.BadParameter(str(error)) from error
    return value


def _password(_ctx, _param, value: str) -> str:
    if len(value) < PASSWORD_MIN:
        raise click.BadParameter(f"use at least {PASSWORD_MIN} characters")
    return value


def _token_name(_ctx, _param, value: str) -> str:
    if not 1 <= len(value.strip()) <= 80:
        raise click.BadParameter("give 1 to 80 characters")
    return value


def _check_pseudonym(pseudonym: str, derived: bool) -> None:
    if 3 <= len(pseudonym) <= 40 and re.match(PSEUDONYM_PATTERN, pseudonym):
        return
    source = " (taken from the email address)" if derived else ""
    raise click.BadParameter(
        f"{pseudonym!r}{source} must be 3 to 40 letters, digits, spaces, dots, dashes or underscores",
        param_hint="--pseudonym",
    )


@users_cli.command("create")
@click.option("--email", required=True, callback=_email)
@click.option("--role", type=click.Choice([role.value for role in Role]), default=Role.RESIDENT.value)
@click.option("--pseudonym", help="Public name; defaults to the part of the email before the @.")
@click.option("--neighbourhood", "neighbourhood_name", help="Name of the neighbourhood (required for residents).")
@click.option("--household-size", type=click.IntRange(1, 12), default=1)
@click.password_option(help="Asked for when not given.", callback=_password)
def create_user(email, role, pseudonym, neighbourhood_name, household_size, password):
    """Create a user account."""
    derived = not pseudonym
    pseudonym = pseudonym or email.split("@")[0]
    _check_pseudonym(pseudonym, derived)
    if role == Role.RESIDENT and not neighbourhood_name:
        raise click.UsageError("Residents need --neighbourhood.")
    neighbourhood_id = None
    if neighbourhood_name:
        matches = [n for n in list_neighbourhoods() if n.name.lower() == neighbourhood_name.lower()]
        if not matches:
            raise click.BadParameter(f"no neighbourhood named {neighbourhood_name!r}", param_hint="--neighbourhood")
        neighbourhood_id = matches[0].id
    try:
        check_new_password(password, email, pseudonym)
        user = services.create_user(
            email=email,
            password=password,
            pseudonym=pseudonym,
            role=Role(role),
            neighbourhood_id=neighbourhood_id,
            household_size=household_size,
        )
    except errors.AccountError as error:
        raise click.ClickException(str(error.message)) from error
    db.session.commit()
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@tokens_cli.command("create")
@click.option("--email", required=True, help="The user the token acts for.")
@click.option("--name", required=True, callback=_token_name, help="What the token is for.")
def create_token(email, name):
    """Create a personal access token and print it; it is shown only this once."""
    user = services.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user with email {email}.")
    _token, secret = services.create_token(user, name)
    db.session.commit()
    click.echo(secret)
