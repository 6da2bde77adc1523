"""A new resident's first minutes: the neighbourhood is asked, not guessed; one welcome and one clear next
step after registering; menus that fit the role."""

import re

import pytest

from accounts.models import Role
from tests.accounts.test_views import register_data
from tests.conftest import log_in
from tests.pages import Page

RESIDENT_ITEMS = ('href="/me/points"', 'href="/me/data"')


def test_no_neighbourhood_is_preselected(client, make_neighbourhood):
    """The list opens on an empty "Choose your neighbourhood", the one selected option."""
    make_neighbourhood("Altstadt")
    make_neighbourhood("Nordend")
    html = client.get("/register").get_data(as_text=True)
    [select] = re.findall(r'<select[^>]*id="neighbourhood_id".*?</select>', html, re.DOTALL)
    assert '<option selected value="">Choose your neighbourhood</option>' in select
    assert select.count("selected") == 1


def test_registering_without_a_neighbourhood_is_refused(client, make_neighbourhood):
    """Leaving the empty choice asks for a neighbourhood; no account is made."""
    neighbourhood = make_neighbourhood()
    page = Page(client.post("/register", data=register_data(neighbourhood, neighbourhood_id="")))
    assert page.response.status_code == 422
    assert page.field_error("neighbourhood_id") == "This field is required."


def test_after_registering_one_welcome_and_the_next_step(client, make_neighbourhood):
    """The home page shows the welcome once and the challenges open to the resident as the next step;
    "welcome back" only on later visits."""
    client.post("/register", data=register_data(make_neighbourhood()))
    first = Page(client.get("/"))
    assert first.flashes == [("success", "Welcome to Civiquest, Green Heron!")]
    assert "Welcome back" not in first.html
    assert "Your next step" in first.html and 'href="/challenges?open=1"' in first.html
    assert 'href="/me/consents"' in first.html
    later = Page(client.get("/"))
    assert "Your next step" not in later.html and "Welcome back, Green Heron." in later.html


@pytest.mark.parametrize("role", [Role.PARTNER, Role.STAFF, Role.MANAGER])
def test_other_roles_see_no_resident_menu_items(app, make_user, role):
    """Partners, staff and managers take part in nothing: no "My points", no "My data" in their menu."""
    client = app.test_client()
    log_in(client, make_user(role=role))
    html = client.get("/").get_data(as_text=True)
    nav = html[html.index('class="main-nav"') : html.index("</nav>", html.index('class="main-nav"'))]
    assert 'href="/profile"' in nav
    for item in RESIDENT_ITEMS:
        assert item not in nav


def test_residents_see_their_menu_items(app, make_user):
    """A resident's menu has their points and their data."""
    client = app.test_client()
    log_in(client, make_user())
    html = client.get("/").get_data(as_text=True)
    nav = html[html.index('class="main-nav"') : html.index("</nav>", html.index('class="main-nav"'))]
    for item in RESIDENT_ITEMS:
        assert item in nav


def test_the_service_desk_asks_for_the_neighbourhood_too(manager_client, make_neighbourhood):
    """Registering a resident at the desk starts from the same empty choice."""
    first = make_neighbourhood("Altstadt")
    page = Page(manager_client.get("/desk/register"))
    assert page.options("neighbourhood_id") == ["", str(first.id)]
