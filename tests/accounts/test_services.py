"""Rules of accounts, tested on the services directly."""

import pytest
from argon2 import PasswordHasher

from accounts import errors, services
from accounts.models import Role
from accounts.passwords import needs_rehash
from accounts.preferences import DisplayPrefs
from app.extensions import db
from tests.conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("ctx")


def test_create_user_normalises_email_and_hashes_with_argon2id(make_neighbourhood):
    """Emails are stored lower-case; the password only as an argon2id hash."""
    place = make_neighbourhood()
    user = services.create_user(
        email="  Ada@Example.ORG ", password=PASSWORD, pseudonym=" Ada ", neighbourhood_id=place.id
    )
    assert user.email == "ada@example.org"
    assert user.pseudonym == "Ada"
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert user.role == Role.RESIDENT


def test_email_and_pseudonym_are_unique_regardless_of_case(make_user, make_neighbourhood):
    """A second account cannot take an email or pseudonym that differs only in case."""
    make_user(email="taken@example.org", pseudonym="Green Fox")
    place = make_neighbourhood()
    with pytest.raises(errors.EmailTaken):
        services.create_user(email="TAKEN@example.org", password=PASSWORD, pseudonym="Other", neighbourhood_id=place.id)
    with pytest.raises(errors.PseudonymTaken):
        services.create_user(
            email="new@example.org", password=PASSWORD, pseudonym="green fox", neighbourhood_id=place.id
        )


def test_residents_need_a_known_neighbourhood():
    """A resident without a neighbourhood, or with an unknown one, is refused; staff need none."""
    with pytest.raises(errors.UnknownNeighbourhood):
        services.create_user(email="a@example.org", password=PASSWORD, pseudonym="Anna")
    with pytest.raises(errors.UnknownNeighbourhood):
        services.create_user(email="a@example.org", password=PASSWORD, pseudonym="Anna", neighbourhood_id=999)
    staff = services.create_user(email="s@example.org", password=PASSWORD, pseudonym="Stats", role=Role.STAFF)
    assert staff.neighbourhood_id is None


def test_authenticate(make_user):
    """Right credentials return the user and stamp the log-in; wrong ones raise the same error."""
    user = make_user(email="ok@example.org")
    assert services.authenticate("OK@example.org", PASSWORD) == user
    assert user.last_login_at is not None
    with pytest.raises(errors.InvalidCredentials):
        services.authenticate("ok@example.org", "wrong password")
    with pytest.raises(errors.InvalidCredentials):
        services.authenticate("nobody@example.org", PASSWORD)


def test_deactivated_user_cannot_authenticate(make_user):
    """A deactivated account is refused even with the right password."""
    user = make_user()
    services.set_active(user, False)
    with pytest.raises(errors.InvalidCredentials):
        services.authenticate(user.email, PASSWORD)


def test_outdated_hash_is_upgraded_on_login(make_user):
    """A hash made with other cost settings is replaced at the next successful log-in."""
    user = make_user()
    user.password_hash = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1).hash(PASSWORD)
    old_hash = user.password_hash
    services.authenticate(user.email, PASSWORD)
    assert user.password_hash != old_hash
    assert not needs_rehash(user.password_hash)


def test_update_profile_checks_pseudonym_and_neighbourhood(make_user):
    """Profile changes keep pseudonyms unique and neighbourhoods real."""
    make_user(pseudonym="Taken Name")
    user = make_user()
    with pytest.raises(errors.PseudonymTaken):
        services.update_profile(user, pseudonym="taken name")
    with pytest.raises(errors.UnknownNeighbourhood):
        services.update_profile(user, neighbourhood_id=123456)
    services.update_profile(user, pseudonym="My New Name", household_size=4, language="de")
    assert (user.pseudonym, user.household_size, user.language) == ("My New Name", 4, "de")
    # Keeping one's own pseudonym is not a clash.
    services.update_profile(user, pseudonym="my new name")


def test_update_profile_refuses_other_fields(make_user):
    """Only profile fields can be changed this way, never the role or the password hash."""
    user = make_user()
    with pytest.raises(TypeError):
        services.update_profile(user, role=Role.ADMIN)


def test_change_password_needs_the_current_one(make_user):
    """The current password must be given; afterwards only the new one works."""
    user = make_user()
    with pytest.raises(errors.InvalidCredentials):
        services.change_password(user, "not it", "a brand new password")
    services.change_password(user, PASSWORD, "a brand new password")
    assert services.authenticate(user.email, "a brand new password") == user


def test_the_last_admin_keeps_the_role(make_user):
    """The only active admin can be neither demoted nor deactivated; with two, one can."""
    first = make_user(role=Role.ADMIN)
    with pytest.raises(errors.LastAdmin):
        services.set_role(first, Role.RESIDENT)
    with pytest.raises(errors.LastAdmin):
        services.set_active(first, False)
    make_user(role=Role.ADMIN)
    services.set_role(first, Role.STAFF)
    assert first.role == Role.STAFF


def test_admins_pass_every_role_check(make_user):
    """has_role: admins hold every role; others only their own."""
    assert make_user(role=Role.ADMIN).has_role(Role.MANAGER)
    manager = make_user(role=Role.MANAGER)
    assert manager.has_role(Role.MANAGER, Role.STAFF)
    assert not manager.has_role(Role.STAFF)


def test_display_prefs_are_saved_on_the_user(make_user):
    """Display preferences round-trip through the profile."""
    user = make_user()
    prefs = DisplayPrefs(text_scale=175, line_spacing="loose", letter_spacing="wider", high_contrast=True)
    services.save_display_prefs(user, prefs)
    db.session.expire_all()
    assert DisplayPrefs.from_user(services.get_user(user.id)) == prefs


@pytest.mark.parametrize(
    ("cookie", "expected"),
    [
        ("150.relaxed.wide.1", DisplayPrefs(150, "relaxed", "wide", True)),
        ("999.relaxed.wide.0", DisplayPrefs(100, "relaxed", "wide", False)),
        ("abc.<script>.x.1", DisplayPrefs(100, "normal", "normal", True)),
        ("garbage", DisplayPrefs()),
        (None, DisplayPrefs()),
    ],
)
def test_display_cookie_parsing_never_trusts_input(cookie, expected):
    """A damaged or hostile display cookie falls back to safe defaults, field by field."""
    assert DisplayPrefs.from_cookie(cookie) == expected


def test_token_lifecycle(make_user):
    """A token works until revoked; only its hash is stored; revoking twice is harmless."""
    user = make_user()
    token, secret = services.create_token(user, "  meter import ")
    assert token.name == "meter import"
    assert secret.startswith("cq_") and secret not in token.token_hash
    assert token.token_prefix == secret[:10]
    assert services.user_for_token(secret) == user
    assert token.last_used_at is not None
    services.revoke_token(user, token.id)
    services.revoke_token(user, token.id)
    assert services.user_for_token(secret) is None


def test_tokens_of_others_cannot_be_revoked(make_user):
    """A user can revoke only their own tokens."""
    owner, other = make_user(), make_user()
    token, secret = services.create_token(owner, "mine")
    with pytest.raises(errors.NotFound):
        services.revoke_token(other, token.id)
    assert services.user_for_token(secret) == owner


def test_tokens_of_deactivated_users_stop_working(make_user):
    """Deactivating an account also shuts out its scripts."""
    user = make_user()
    _token, secret = services.create_token(user, "script")
    services.set_active(user, False)
    assert services.user_for_token(secret) is None


@pytest.mark.parametrize("secret", ["", "cq_", "cq_unknown", "Bearer x", "x" * 500])
def test_unknown_tokens_are_refused(secret):
    """Made-up or malformed tokens never authenticate."""
    assert services.user_for_token(secret) is None


def test_list_users_searches_and_filters(make_user):
    """The admin list finds users by email or pseudonym part and by role."""
    make_user(email="alpha@example.org", pseudonym="Alpha")
    make_user(role=Role.STAFF, email="beta@example.org", pseudonym="Beta")
    assert [u.pseudonym for u in services.list_users(search="ALPH").items] == ["Alpha"]
    assert [u.pseudonym for u in services.list_users(role=Role.STAFF).items] == ["Beta"]


def test_list_users_search_treats_wildcards_literally(make_user):
    """Searching for "_" or "%" finds those characters, not every user."""
    make_user(email="plain@example.org", pseudonym="Plain")
    make_user(email="under_score@example.org", pseudonym="Under")
    assert [u.pseudonym for u in services.list_users(search="_").items] == ["Under"]
    assert services.list_users(search="%").items == []
