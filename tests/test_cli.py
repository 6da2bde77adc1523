"""The command-line tools: demo data, creating users and access tokens."""

from collections import Counter

import pytest
from sqlalchemy import func, select

import demo
from accounts.models import Role, User
from app.extensions import db
from demo import DEMO_PASSWORD, demo_email
from neighbourhoods.models import Neighbourhood
from tests.conftest import PASSWORD, log_in


def assert_clean_error(result, *fragments: str) -> None:
    """The command failed with a message for a person, not a traceback."""
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output, result.output


def counts(app) -> tuple[int, Counter]:
    """Number of neighbourhoods, and of users per role."""
    with app.app_context():
        neighbourhood_count = db.session.scalar(select(func.count(Neighbourhood.id)))
        roles = Counter(dict(db.session.execute(select(User.role, func.count(User.id)).group_by(User.role)).all()))
        return neighbourhood_count, roles


# seed-demo --------------------------------------------------------------------------


@pytest.fixture
def without_demo_challenges(monkeypatch):
    """Leave out the demo challenges' weeks of activity: they take most of a minute to enter and are
    the challenges package's to test; here the city and its people are."""
    monkeypatch.setattr(demo.challenges_demo, "seed", lambda rng, city_zone: 0)


def test_seed_demo_fills_an_empty_database(app, runner, without_demo_challenges):
    """The demo city has its neighbourhoods, 200 residents across them, and a few staff."""
    result = runner.invoke(args=["seed-demo"])

    assert result.exit_code == 0, result.output
    assert "Demo city loaded" in result.output
    neighbourhood_count, roles = counts(app)
    assert neighbourhood_count >= 8
    assert roles == Counter({Role.RESIDENT: 200, Role.MANAGER: 2, Role.STAFF: 2, Role.ADMIN: 1, Role.PARTNER: 1})
    assert "6 badges, 4 partners, 8 rewards" in result.output
    assert " consents" in result.output
    assert "20 linked meters, 20 meter days delivered by the demo utility" in result.output
    with app.app_context():
        from sharing import gate

        sharing_residents = gate.allowed_ids("trips", "municipal_statistics", "neighbourhood")
    assert 100 <= len(sharing_residents) <= 180  # about seven in ten residents share trips for statistics
    with app.app_context():
        homes = db.session.scalars(select(User.neighbourhood_id).where(User.role == Role.RESIDENT)).all()
    assert None not in homes
    assert len(set(homes)) >= 8

    demo_admin = db_user(app, demo_email("admin"))
    client = app.test_client()
    log_in(client, demo_admin, DEMO_PASSWORD)
    assert client.get("/admin/users").status_code == 200
    assert client.get("/admin/badges").status_code == 200
    log_in(app.test_client(), db_user(app, demo_email("partner1")), DEMO_PASSWORD)

    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    assert "already has users" in again.output
    assert counts(app) == (neighbourhood_count, roles)


def test_seed_demo_leaves_a_database_with_users_alone(app, runner, make_user):
    """A database that already has users is not touched."""
    make_user(role=Role.ADMIN)
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0
    assert "already has users" in result.output
    assert counts(app) == (0, Counter({Role.ADMIN: 1}))


def db_user(app, email: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        db.session.expunge(user)
        return user


# users create -----------------------------------------------------------------------


def create_user(runner, *args):
    return runner.invoke(args=["users", "create", *args])


def test_create_admin_who_can_log_in(app, runner):
    """An admin created on the command line can log in and open the admin pages."""
    result = create_user(runner, "--role", "admin", "--email", "Chief@Example.org", "--password", PASSWORD)

    assert result.exit_code == 0, result.output
    assert "Created admin chief@example.org" in result.output
    user = db_user(app, "chief@example.org")
    assert (user.role, user.pseudonym, user.neighbourhood_id) == (Role.ADMIN, "Chief", None)
    client = app.test_client()
    log_in(client, user)
    assert client.get("/admin/users").status_code == 200


def test_create_user_with_duplicate_email(app, runner, make_user):
    """An email address in use, in any case, gives a clean error and creates nothing."""
    make_user(email="taken@example.org")
    result = create_user(runner, "--role", "admin", "--email", "TAKEN@example.org", "--password", PASSWORD)
    assert_clean_error(result, "An account with this email address already exists.")
    assert counts(app)[1][Role.ADMIN] == 0


def test_create_user_with_duplicate_pseudonym(runner, make_user):
    """A pseudonym in use gives a clean error."""
    make_user(pseudonym="Chief")
    result = create_user(runner, "--role", "staff", "--email", "chief@example.org", "--password", PASSWORD)
    assert_clean_error(result, "This pseudonym is already taken.")


def test_create_resident_in_a_known_neighbourhood(app, runner, make_neighbourhood):
    """A resident is created in the neighbourhood named, whatever its case."""
    place = make_neighbourhood("Am Mühlbach")
    result = create_user(
        runner,
        *("--email", "ida@example.org", "--password", PASSWORD, "--pseudonym", "Ida K"),
        *("--neighbourhood", "am mühlbach", "--household-size", "3"),
    )
    assert result.exit_code == 0, result.output
    user = db_user(app, "ida@example.org")
    assert (user.role, user.pseudonym, user.neighbourhood_id, user.household_size) == (
        Role.RESIDENT,
        "Ida K",
        place.id,
        3,
    )


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ((), "--neighbourhood"),
        (("--neighbourhood", "Atlantis"), "Atlantis"),
    ],
    ids=["no neighbourhood", "unknown neighbourhood"],
)
def test_resident_needs_a_known_neighbourhood(app, runner, make_neighbourhood, args, fragment):
    """A resident without a neighbourhood, or with an unknown one, is refused cleanly."""
    make_neighbourhood("Altstadt")
    result = create_user(runner, "--email", "ida@example.org", "--password", PASSWORD, *args)
    assert_clean_error(result, fragment)
    assert counts(app)[1] == Counter()


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--password", "short"), "--password"),
        (("--password", PASSWORD, "--pseudonym", "x"), "--pseudonym"),
        (("--password", PASSWORD, "--pseudonym", "<script>"), "--pseudonym"),
        (("--password", PASSWORD, "--email", "not-an-email"), "--email"),
        (("--password", PASSWORD, "--email", f"{'a' * 50}@example.org"), "--pseudonym"),
        (("--password", PASSWORD, "--role", "wizard"), "--role"),
    ],
    ids=["short password", "short pseudonym", "pseudonym with markup", "bad email", "long email name", "bad role"],
)
def test_create_user_refuses_what_the_pages_refuse(app, runner, args, fragment):
    """The command holds accounts to the same rules as the registration page, with clean errors."""
    options = dict(zip(args[::2], args[1::2], strict=True))
    options.setdefault("--email", "staff@example.org")
    options.setdefault("--role", "staff")
    result = create_user(runner, *[part for pair in options.items() for part in pair])
    assert_clean_error(result, fragment)
    assert counts(app)[1] == Counter()


# tokens create ----------------------------------------------------------------------


def test_create_token_that_authenticates(app, runner, make_user):
    """The printed token lets a script call the API as that user."""
    user = make_user(email="script.owner@example.org")
    result = runner.invoke(args=["tokens", "create", "--email", "Script.Owner@example.org", "--name", "meter import"])

    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert response.get_json()["email"] == user.email


def test_create_token_for_unknown_email(runner):
    """An unknown email gives a clean error."""
    result = runner.invoke(args=["tokens", "create", "--email", "nobody@example.org", "--name", "x"])
    assert_clean_error(result, "nobody@example.org")


@pytest.mark.parametrize("name", ["", "   ", "n" * 81])
def test_create_token_needs_a_sensible_name(app, runner, make_user, name):
    """A token name must be given and fit, as on the tokens page."""
    user = make_user()
    result = runner.invoke(args=["tokens", "create", "--email", user.email, "--name", name])
    assert_clean_error(result, "--name")


def test_sharing_install_defaults_fills_the_catalogue_once(app, runner):
    """The data catalogue's defaults go in once; running the command again adds nothing."""
    first = runner.invoke(args=["sharing", "install-defaults"])
    assert first.exit_code == 0 and "Added 12 " in first.output
    second = runner.invoke(args=["sharing", "install-defaults"])
    assert "Added 0 " in second.output
