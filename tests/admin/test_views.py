"""The admin pages: users and roles, neighbourhoods."""

import pytest
from sqlalchemy import select

from accounts import services as accounts
from accounts.models import Role, User
from app.extensions import db
from neighbourhoods.models import Neighbourhood
from tests.conftest import PASSWORD, log_in
from tests.pages import Page


def stored_user(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def stored_neighbourhoods(app) -> list[tuple[str, int]]:
    with app.app_context():
        return [(n.name, n.households) for n in db.session.scalars(select(Neighbourhood).order_by(Neighbourhood.id))]


def listed_pseudonyms(response) -> list[str]:
    """The pseudonyms in the user table, top to bottom."""
    return [row.children[0].text for row in Page(response).all("tbody")[0].children if row.tag == "tr"]


# User list --------------------------------------------------------------------------


def test_user_list_shows_users(admin_client, make_user, make_neighbourhood):
    """The list shows every user with email, role, neighbourhood and status."""
    place = make_neighbourhood("Gartenstadt")
    make_user(email="lena@example.org", pseudonym="Lena", neighbourhood_id=place.id)
    page = Page(admin_client.get("/admin/users"))
    assert page.response.status_code == 200
    assert "2 users found." in page.html
    row = next(row for row in page.all("tr") if "Lena" in row.text)
    assert [cell.text for cell in row.children if cell.tag == "td"] == [
        "Lena",
        "lena@example.org",
        "Resident",
        "Gartenstadt",
        "active",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=OTTER", ["River Otter"]),
        ("q=lena%40example", ["Lena"]),
        ("q=++Otter+", ["River Otter"]),
        ("q=nobody", []),
        ("role=manager", ["Lena"]),
        ("role=resident&q=otter", ["River Otter"]),
        ("role=manager&q=otter", []),
        ("role=wizard&q=otter", ["River Otter"]),
    ],
)
def test_user_list_search_and_role_filter(admin_client, make_user, query, expected):
    """Search matches email or pseudonym in any case; the role filter narrows; unknown roles are ignored."""
    make_user(email="otter@example.org", pseudonym="River Otter")
    make_user(role=Role.MANAGER, email="lena@example.org", pseudonym="Lena")
    response = admin_client.get(f"/admin/users?{query}")
    assert response.status_code == 200
    assert sorted(listed_pseudonyms(response)) == expected


def test_user_list_keeps_filter_in_form(admin_client):
    """The search form shows the search and role in use."""
    page = Page(admin_client.get("/admin/users?q=otter&role=staff"))
    assert page.value("q") == "otter"
    assert page.value("role-filter") == "staff"


def test_user_list_pagination(app, admin_client, make_neighbourhood):
    """Long lists are split into pages of 50, with links that keep the filter."""
    place = make_neighbourhood()
    with app.app_context():
        for number in range(55):
            accounts.create_user(
                email=f"r{number:02d}@example.org",
                password="",
                password_hash="not used",  # these residents never log in; hashing 55 times is slow
                pseudonym=f"Resident {number:02d}",
                neighbourhood_id=place.id,
            )
        db.session.commit()

    first = Page(admin_client.get("/admin/users?role=resident"))
    assert len(listed_pseudonyms(first.response)) == 50
    assert "Page 1 of 2" in first.html
    next_link = first.all("a", rel="next")[0].attrs["href"]
    assert "role=resident" in next_link
    assert not first.all("a", rel="prev")

    second = Page(admin_client.get(next_link))
    assert len(listed_pseudonyms(second.response)) == 5
    assert "Page 2 of 2" in second.html
    assert second.all("a", rel="prev")
    assert not set(listed_pseudonyms(first.response)) & set(listed_pseudonyms(second.response))


@pytest.mark.parametrize("page", ["0", "-3", "abc", "99", "99999999999999999999"])
def test_user_list_odd_page_numbers(admin_client, page):
    """Nonsense page numbers give a page, never a server error."""
    assert admin_client.get(f"/admin/users?page={page}").status_code == 200


@pytest.mark.parametrize("search", ["%25", "_", "'; DROP TABLE user_account; --", "ü" * 300])
def test_user_list_odd_searches(admin_client, search):
    """Odd search terms are searched for, never a server error."""
    assert admin_client.get("/admin/users", query_string={"q": search}).status_code == 200


def test_user_list_search_with_nul_refused(admin_client):
    """A search holding a NUL character is refused with the error page, not a server error."""
    response = admin_client.get("/admin/users?q=a%00b")
    assert response.status_code == 400
    assert Page(response).heading == "The request could not be handled"


# Editing users ----------------------------------------------------------------------


def test_change_role(app, admin_client, make_user):
    """An admin gives a user another role."""
    user = make_user(pseudonym="Soon Manager")
    page = Page(admin_client.get(f"/admin/users/{user.id}"))
    assert page.value("role") == "resident"
    assert page.value("active") == "checked"

    response = admin_client.post(f"/admin/users/{user.id}", data={"role": "manager", "active": "y"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/users"
    assert stored_user(app, user.id).role == Role.MANAGER
    assert ("success", "Changes to Soon Manager saved.") in Page(admin_client.get("/admin/users")).flashes


def test_unknown_role_refused(app, admin_client, make_user):
    """A role that does not exist is refused on the form."""
    user = make_user()
    response = admin_client.post(f"/admin/users/{user.id}", data={"role": "wizard", "active": "y"})
    assert response.status_code == 422
    assert Page(response).field_error("role") == "Not a valid choice."
    assert stored_user(app, user.id).role == Role.RESIDENT


def test_deactivated_user_cannot_log_in(app, admin_client, make_user, login):
    """A deactivated user is logged out everywhere and cannot log in again."""
    user = make_user()
    their_client = app.test_client()
    login(their_client, user)

    response = admin_client.post(f"/admin/users/{user.id}", data={"role": "resident"})

    assert response.status_code == 302
    assert stored_user(app, user.id).active is False
    assert their_client.get("/profile").status_code == 302
    refused = app.test_client().post("/login", data={"email": user.email, "password": PASSWORD})
    assert refused.status_code == 422
    row = next(row for row in Page(admin_client.get("/admin/users")).all("tr") if user.pseudonym in row.text)
    assert "deactivated" in row.text


def test_reactivated_user_can_log_in(app, admin_client, make_user, login):
    """Reactivating an account lets its owner log in again."""
    user = make_user()
    admin_client.post(f"/admin/users/{user.id}", data={"role": "resident"})
    admin_client.post(f"/admin/users/{user.id}", data={"role": "resident", "active": "y"})
    login(app.test_client(), user)


@pytest.mark.parametrize(
    ("data", "field"),
    [({"role": "staff", "active": "y"}, "role"), ({"role": "admin"}, "active")],
    ids=["demote", "deactivate"],
)
def test_last_admin_stays(app, admin_client, data, field):
    """The last active admin can neither be demoted nor deactivated, and the form says why."""
    admin = admin_client.user
    response = admin_client.post(f"/admin/users/{admin.id}", data=data)
    assert response.status_code == 422
    page = Page(response)
    assert page.field_error(field) == "The last active admin cannot lose the admin role or be deactivated."
    stored = stored_user(app, admin.id)
    assert (stored.role, stored.active) == (Role.ADMIN, True)
    assert admin_client.get("/admin/users").status_code == 200


def test_last_admin_counts_only_active_admins(app, admin_client, make_user):
    """A deactivated second admin does not count: the active one still cannot be demoted."""
    other = make_user(role=Role.ADMIN)
    admin_client.post(f"/admin/users/{other.id}", data={"role": "admin"})
    response = admin_client.post(f"/admin/users/{admin_client.user.id}", data={"role": "staff", "active": "y"})
    assert response.status_code == 422
    assert stored_user(app, admin_client.user.id).role == Role.ADMIN


def test_admin_can_step_down_when_another_admin_remains(app, admin_client, make_user):
    """With another active admin, an admin may give up the role, and loses the admin pages.

    A role change ends the user's sessions, their own too: they log in again, with the new role."""
    make_user(role=Role.ADMIN)
    response = admin_client.post(f"/admin/users/{admin_client.user.id}", data={"role": "staff", "active": "y"})
    assert response.status_code == 302
    assert stored_user(app, admin_client.user.id).role == Role.STAFF
    assert admin_client.get("/admin/users").status_code == 302
    log_in(admin_client, admin_client.user)
    assert admin_client.get("/admin/users").status_code == 403


# Neighbourhoods ---------------------------------------------------------------------


def test_neighbourhood_list_counts_accounts(admin_client, make_user, make_neighbourhood):
    """The list shows each neighbourhood's households and registered accounts."""
    place = make_neighbourhood("Nordend", households=2640)
    make_user(neighbourhood_id=place.id)
    make_user(neighbourhood_id=place.id)
    page = Page(admin_client.get("/admin/neighbourhoods"))
    row = next(row for row in page.all("tr") if "Nordend" in row.text)
    assert [cell.text for cell in row.children if cell.tag == "td"] == ["Nordend", "2,640", "2"]


def test_create_neighbourhood(app, admin_client):
    """An admin adds a neighbourhood; surrounding spaces are dropped."""
    response = admin_client.post("/admin/neighbourhoods", data={"name": "  Am Mühlbach ", "households": "780"})
    assert response.status_code == 302
    assert stored_neighbourhoods(app) == [("Am Mühlbach", 780)]
    page = Page(admin_client.get("/admin/neighbourhoods"))
    assert ("success", "Neighbourhood Am Mühlbach added.") in page.flashes
    assert page.all("a", href=f"/admin/neighbourhoods/{_only_id(app)}")


def _only_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Neighbourhood.id))


BAD_NEIGHBOURHOODS = {
    "duplicate name in other case": ({"name": "ALTSTADT", "households": "10"}, "name", "A neighbourhood with"),
    "households 0": ({"name": "Neustadt", "households": "0"}, "households", "Number must be between"),
    "households negative": ({"name": "Neustadt", "households": "-5"}, "households", "Number must be between"),
    "households not a number": ({"name": "Neustadt", "households": "many"}, "households", "Write a whole number"),
    "households missing": ({"name": "Neustadt", "households": ""}, "households", "This field is required."),
    "households huge": ({"name": "Neustadt", "households": "99999999999999999999"}, "households", "Number must"),
    "name blank": ({"name": "   ", "households": "10"}, "name", "This field is required."),
    "name too long": ({"name": "N" * 81, "households": "10"}, "name", "Field cannot be longer than 80 characters."),
}


@pytest.mark.parametrize(("data", "field", "message"), BAD_NEIGHBOURHOODS.values(), ids=BAD_NEIGHBOURHOODS.keys())
def test_create_neighbourhood_rejects_bad_input(app, admin_client, make_neighbourhood, data, field, message):
    """Bad input is refused with the message next to the field; the entries stay; nothing is added."""
    make_neighbourhood("Altstadt", households=2150)
    response = admin_client.post("/admin/neighbourhoods", data=data)
    assert response.status_code == 422
    page = Page(response)
    assert page.field_error(field).startswith(message)
    other = "households" if field == "name" else "name"
    assert page.value(other) == data[other]
    assert stored_neighbourhoods(app) == [("Altstadt", 2150)]


def test_rename_neighbourhood_and_set_households(app, admin_client, make_neighbourhood):
    """An admin renames a neighbourhood and sets its households."""
    place = make_neighbourhood("Südstadt", households=3100)
    page = Page(admin_client.get(f"/admin/neighbourhoods/{place.id}"))
    assert (page.value("name"), page.value("households")) == ("Südstadt", "3,100")  # as the admin writes numbers

    response = admin_client.post(f"/admin/neighbourhoods/{place.id}", data={"name": "Südviertel", "households": "3200"})

    assert response.status_code == 302
    assert stored_neighbourhoods(app) == [("Südviertel", 3200)]
    assert ("success", "Neighbourhood Südviertel saved.") in Page(admin_client.get("/admin/neighbourhoods")).flashes


def test_a_german_admin_writes_households_in_german(app, make_user, make_neighbourhood, login):
    """3.200 households in German are three thousand two hundred, shown back the same way; 3.200,5 is refused."""
    place = make_neighbourhood("Südstadt", households=3100)
    client = app.test_client()
    login(client, make_user(role=Role.ADMIN, language="de"))
    assert Page(client.get(f"/admin/neighbourhoods/{place.id}")).value("households") == "3.100"
    response = client.post(f"/admin/neighbourhoods/{place.id}", data={"name": "Südstadt", "households": "3.200"})
    assert response.status_code == 302
    assert stored_neighbourhoods(app) == [("Südstadt", 3200)]
    response = client.post(f"/admin/neighbourhoods/{place.id}", data={"name": "Südstadt", "households": "3.200,5"})
    assert Page(response).field_error("households") == "Schreiben Sie eine ganze Zahl, etwa 10.018 oder 10018."


def test_neighbourhood_may_change_case_of_own_name(app, admin_client, make_neighbourhood):
    """Changing only the case of a neighbourhood's own name is no clash."""
    place = make_neighbourhood("altstadt")
    response = admin_client.post(f"/admin/neighbourhoods/{place.id}", data={"name": "Altstadt", "households": "9"})
    assert response.status_code == 302
    assert stored_neighbourhoods(app) == [("Altstadt", 9)]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "nordend", "households": "10"}, "name", "A neighbourhood with this name already exists."),
        ({"name": "Südstadt", "households": "0"}, "households", "Number must be between 1 and 10,000,000."),
    ],
    ids=["name of another", "households 0"],
)
def test_edit_neighbourhood_rejects_bad_input(app, admin_client, make_neighbourhood, data, field, message):
    """Renaming to another neighbourhood's name or zero households is refused on the page."""
    place = make_neighbourhood("Südstadt", households=3100)
    make_neighbourhood("Nordend", households=2640)
    response = admin_client.post(f"/admin/neighbourhoods/{place.id}", data=data)
    assert response.status_code == 422
    page = Page(response)
    assert page.field_error(field) == message
    assert page.heading == "Edit Südstadt"
    assert stored_neighbourhoods(app) == [("Südstadt", 3100), ("Nordend", 2640)]


@pytest.mark.parametrize(
    "path", ["/admin/users/999999", "/admin/neighbourhoods/999999", "/admin/users/99999999999999999999"]
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_unknown_ids_are_404(admin_client, path, method):
    """Unknown users and neighbourhoods give the 404 page."""
    response = getattr(admin_client, method)(path, data={"role": "admin", "name": "X", "households": "1"})
    assert response.status_code == 404
    assert Page(response).heading == "Page not found"
