"""The rule for new passwords: not common (zxcvbn's offline list and score), not holding the email address or
pseudonym, and shown on the forms that set one."""

import pytest

from accounts import errors
from accounts.passwords import COMMON_PASSWORDS, check_new_password
from tests.accounts.test_views import register_data
from tests.conftest import PASSWORD
from tests.pages import Page

EMAIL, PSEUDONYM = "river.otter@example.org", "River Otter"


@pytest.mark.parametrize(
    ("password", "error"),
    [
        ("aaaaaaaaaa", errors.CommonPassword),
        ("1234567890", errors.CommonPassword),
        ("password12", errors.CommonPassword),
        ("qwertzuiop", errors.CommonPassword),
        ("Password123", errors.CommonPassword),
        (EMAIL, errors.PersonalPassword),
        ("RIVER.OTTER@example.org!", errors.PersonalPassword),
        ("my river.otter secret", errors.PersonalPassword),  # the address's local part
        ("riverotter-rules-2026", errors.PersonalPassword),  # the pseudonym, spaces left out
    ],
)
def test_weak_or_personal_passwords_are_refused(password, error):
    """The issue's examples and their kin are refused, each with its reason."""
    with pytest.raises(error):
        check_new_password(password, EMAIL, PSEUDONYM)


@pytest.mark.parametrize("password", [PASSWORD, "long enough secret", "Kupferkessel am Mühlbach 7"])
def test_passphrases_pass(password):
    """A few unrelated words pass."""
    check_new_password(password, EMAIL, PSEUDONYM)


def test_the_common_list_is_the_one_zxcvbn_ships():
    """Thirty thousand common passwords, offline."""
    assert len(COMMON_PASSWORDS) >= 30_000 and "123456" in COMMON_PASSWORDS


@pytest.mark.parametrize("password", ["aaaaaaaaaa", "1234567890", "password12", "new.resident@example.org"])
def test_registration_refuses_them_on_the_form(app, client, make_neighbourhood, password):
    """Registration shows the reason next to the password field and creates nothing."""
    data = register_data(make_neighbourhood(), password=password, confirm=password)
    response = client.post("/register", data=data)
    assert response.status_code == 422
    assert "too common" in Page(response).field_error("password") or "must not contain" in Page(response).field_error(
        "password"
    )


def test_changing_to_a_password_with_the_pseudonym_is_refused(resident_client):
    """The rule binds a change of password too."""
    new = f"{resident_client.user.pseudonym} forever and ever"
    response = resident_client.post(
        "/profile/password", data={"current_password": PASSWORD, "password": new, "confirm": new}
    )
    assert response.status_code == 422
    assert "must not contain your email address or your pseudonym" in Page(response).field_error("pw-password")


@pytest.mark.parametrize("path", ["/register", "/profile"])
def test_the_rule_is_shown_on_the_forms(client, resident_client, path):
    """The forms that set a password say what it must be."""
    page = (resident_client if path == "/profile" else client).get(path).get_data(as_text=True)
    assert "not a common password, and not containing your email address or pseudonym" in page
