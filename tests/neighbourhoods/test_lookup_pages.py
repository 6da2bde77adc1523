"""Finding one's neighbourhood by street without JavaScript (registration, profile), in the API, and the admin's
upload of the street table."""

import io

import pytest
from sqlalchemy import func, select

from app.extensions import db
from neighbourhoods.models import Street
from tests.neighbourhoods.test_streets import TABLE, city  # noqa: F401 - a fixture
from tests.pages import Page


def test_registration_preselects_nothing_until_a_lookup_finds_one_neighbourhood(client, city):  # noqa: F811
    """No neighbourhood is chosen at first; "Hauptstr. 12" chooses Altstadt in the registration form."""
    altstadt, _nordend = city
    assert Page(client.get("/register")).value("neighbourhood_id") in (None, "")
    page = Page(client.get("/register?street=Hauptstr.+12&postcode="))
    assert page.response.status_code == 200
    assert page.value("neighbourhood_id") == str(altstadt.id)
    assert "You live in Altstadt. It is chosen for you below." in page.html
    assert page.value("street") == "Hauptstr. 12"  # what was typed stays in the lookup form


def test_a_street_in_two_neighbourhoods_offers_links_that_choose_one(client, city):  # noqa: F811
    """Bahnhofstraße lies in two neighbourhoods: both are offered, each link chooses its own."""
    _altstadt, nordend = city
    page = Page(client.get("/register?street=Bahnhofstrasse"))
    assert page.value("neighbourhood_id") in (None, "")
    links = [a for a in page.by_id("neighbourhood-lookup").iter() if a.tag == "a"]
    assert [a.text for a in links] == ["Bahnhofstr., 79098: Altstadt", "Bahnhofstraße, 79106: Nordend"]
    chosen = Page(client.get(links[1].attrs["href"]))
    assert chosen.value("neighbourhood_id") == str(nordend.id)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("street=&postcode=", "street", "Type your street, your postcode or both."),
        ("street=Hauptstra%C3%9Fe&postcode=79O98", "postcode", "A postcode has five digits, for example 79098."),
    ],
)
def test_a_lookup_that_cannot_be_done_says_why_on_its_field(client, city, query, field, message):  # noqa: F811
    """Nothing typed, or a postcode with a letter O: an error on the field, a 422, no server error."""
    page = Page(client.get(f"/register?{query}"))
    assert page.response.status_code == 422
    assert page.field_error(field) == message


def test_no_match_says_so_in_german(client, city):  # noqa: F811
    """A German visitor is told in German that no street matches."""
    client.set_cookie("language", "de")
    page = Page(client.get("/register?street=Nirgendwo"))
    assert "Keine Straße passt." in page.html


def test_the_profile_lookup_chooses_the_neighbourhood_to_save(app, client, city, make_user, login):  # noqa: F811
    """On the profile page a lookup chooses the neighbourhood in the profile form; saving keeps it."""
    _altstadt, nordend = city
    resident = make_user()
    login(client, resident)
    page = Page(client.get("/profile?street=M%C3%BChlenweg"))
    assert page.value("neighbourhood_id") == str(nordend.id)


def test_the_api_lookup(client, city):  # noqa: F811
    """One neighbourhood for a clear match, candidates for a street across two, field errors for bad input."""
    altstadt, _nordend = city
    body = client.get("/api/v1/neighbourhoods/lookup?street=Hauptstrasse%205").get_json()
    assert body["neighbourhood"]["id"] == altstadt.id
    assert body["candidates"] == [
        {"street": "Hauptstraße", "postcode": "79098", "neighbourhood": {"id": altstadt.id, "name": "Altstadt",
                                                                          "households": 500}}
    ]  # fmt: skip
    across = client.get("/api/v1/neighbourhoods/lookup?street=Bahnhofstra%C3%9Fe").get_json()
    assert across["neighbourhood"] is None and len(across["candidates"]) == 2
    refused = client.get("/api/v1/neighbourhoods/lookup?postcode=123")
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == {"postcode": ["A postcode has five digits, for example 79098."]}
    assert client.get("/api/v1/neighbourhoods/lookup").status_code == 422
    assert client.get("/api/v1/neighbourhoods/lookup?street=" + "x" * 300).status_code == 422


def test_lookups_are_rate_limited_per_address(app, city):  # noqa: F811
    """The API and the pages' lookups share one limit per address: past it both answer 429; the registration
    page itself stays open."""
    from app.extensions import limiter
    from tests.accounts.test_roles import build_app

    limited = build_app(app, RATELIMIT_ENABLED=True, LOOKUP_RATE_LIMIT="2 per minute")
    try:
        client = limited.test_client()
        assert client.get("/api/v1/neighbourhoods/lookup?street=Hauptstrasse").status_code == 200
        assert client.get("/register?street=Hauptstrasse").status_code == 200
        assert client.get("/api/v1/neighbourhoods/lookup?street=Hauptstrasse").status_code == 429
        assert client.get("/register?postcode=79098").status_code == 429
        assert client.get("/register").status_code == 200
    finally:
        with limited.app_context():
            db.engine.dispose()
        limiter.init_app(app)


# The admin's upload ------------------------------------------------------------------


def street_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Street.id)))


def upload(client, content: bytes, name: str = "streets.csv"):
    return client.post("/admin/streets", data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data")


def test_an_admin_replaces_the_street_table(app, admin_client, make_neighbourhood):
    """A good file replaces the table and says how many rows it holds."""
    make_neighbourhood("Altstadt"), make_neighbourhood("Nordend")
    response = upload(admin_client, TABLE.encode("utf-8-sig"))
    assert response.status_code == 302
    page = Page(admin_client.get("/admin/streets"))
    assert "The street table now holds 5 rows." in page.html
    assert street_rows(app) == 5


def test_a_wrong_file_is_listed_row_by_row_and_changes_nothing(app, admin_client, city):  # noqa: F811
    """Each wrong row is listed with its line; the table in use keeps its rows."""
    page = Page(upload(admin_client, "Straße;PLZ;Stadtteil\nA-Weg;1;Altstadt\nB-Weg;79098;Atlantis\n".encode()))
    assert page.response.status_code == 422
    rows = [[cell.text for cell in row.children if cell.tag == "td"] for row in page.all("tr")][1:]
    assert [line for line, _message in rows] == ["2", "3"]
    assert rows[0][1].startswith("“1” is not a postcode") and rows[1][1].startswith("There is no neighbourhood")
    assert street_rows(app) == 5


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "streets.csv", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00", "streets.csv", "This is not a CSV file"),
        (b"a;b\n", "streets.png", "Upload a .csv file."),
    ],
)
def test_files_that_cannot_be_read_are_refused_on_the_field(app, admin_client, city, content, name, message):  # noqa: F811
    """No file, a binary file, a picture: an error on the file field, the table unchanged."""
    page = Page(upload(admin_client, content, name))
    assert page.response.status_code == 422
    assert message in page.field_error("file")
    assert street_rows(app) == 5
