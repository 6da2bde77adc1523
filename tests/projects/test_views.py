"""The community project pages through the test client: the list and a project's page (SVG bar with its numbers as
text, backers by pseudonym only when they agreed), pledging in English and German number formats, the manager's
publishing, editing and cancelling, and bad input answered on the form (never a 500)."""

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from accounts.models import Role
from app.extensions import db
from projects.models import Project, ProjectStatus
from rewards import ledger
from tests.conftest import log_in
from tests.rewards.conftest import grant

GERMAN = {"Accept-Language": "de"}


def _day(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).date().isoformat()


def _client(app, user):
    client = app.test_client()
    log_in(client, user)
    return client


def _project(app, title="Bike rack") -> Project:
    with app.app_context():
        project = db.session.scalar(select(Project).where(Project.title_en == title))
        db.session.expunge(project)
        return project


def _publish(manager, **fields):
    data = {"title_en": "Bike rack", "title_de": "Fahrradständer", "description_en": "Twenty places.",
            "description_de": "", "neighbourhood_id": "0", "target": "1,000",
            "deadline": _day(10), **fields}  # fmt: skip
    return manager.post("/manage/projects/new", data=data)


def test_publish_pledge_and_see_the_progress(app, make_user):
    """A manager publishes a city-wide project; a resident pledges; the page shows the bar, its numbers and the
    backer who agreed to be named."""
    manager = _client(app, make_user(role=Role.MANAGER))
    ada = make_user(pseudonym="Ada")
    with app.app_context():
        grant(ada.id, 2_000)
    assert _publish(manager).status_code == 302
    project = _project(app)
    assert project.target == 1_000 and project.neighbourhood_id is None
    resident = _client(app, ada)
    response = resident.post(f"/projects/{project.id}/pledge", data={"points": "250", "show_name": "y"})
    assert response.status_code == 302
    page = resident.get(f"/projects/{project.id}").get_data(as_text=True)
    assert '<svg class="chart"' in page and 'role="img"' in page
    assert "250 of 1,000 points pledged (25 %)" in page and "Ada" in page
    listing = app.test_client().get("/projects").get_data(as_text=True)
    assert "Bike rack" in listing and "250 of 1,000 points pledged" in listing


def test_german_thousands_and_the_overshoot_message(app, make_user):
    """In German "1.000" is a thousand; a pledge beyond what is needed is cut and the resident is told."""
    manager = _client(app, make_user(role=Role.MANAGER, language="de"))
    manager.post("/manage/projects/new", headers=GERMAN, data={
        "title_en": "", "title_de": "Reparaturcafé", "description_en": "", "description_de": "",
        "neighbourhood_id": "0", "target": "1.500", "deadline": _day(5)})  # fmt: skip
    with app.app_context():
        project = db.session.scalar(select(Project).where(Project.title_de == "Reparaturcafé"))
        project_id, target = project.id, project.target
    assert target == 1_500
    ada = make_user(language="de")
    with app.app_context():
        grant(ada.id, 3_000)
    resident = _client(app, ada)
    resident.post(f"/projects/{project_id}/pledge", headers=GERMAN, data={"points": "1.000"})
    response = resident.post(f"/projects/{project_id}/pledge", headers=GERMAN, data={"points": "1.000"},
                             follow_redirects=True)  # fmt: skip
    page = response.get_data(as_text=True)
    assert "500" in page and "1.000" in page and "finanziert" in page.lower()
    with app.app_context():
        assert ledger.balance(ada.id) == 1_500
        assert db.session.get(Project, project_id).status is ProjectStatus.FUNDED


def test_bad_pledges_are_answered_on_the_form(app, make_user):
    """A decimal, a word, zero, more than the balance: each a 422 with the message on the points field."""
    manager = _client(app, make_user(role=Role.MANAGER))
    _publish(manager)
    project = _project(app)
    ada = make_user()
    with app.app_context():
        grant(ada.id, 100)
    resident = _client(app, ada)
    for points in ("2,5", "ten", "0", "101", "", "1" * 50):
        response = resident.post(f"/projects/{project.id}/pledge", data={"points": points})
        assert response.status_code == 422, points
        assert 'aria-invalid="true"' in response.get_data(as_text=True), points
    german = resident.post(f"/projects/{project.id}/pledge", headers=GERMAN, data={"points": "2,5"})
    assert german.status_code == 422


def test_a_neighbourhood_project_tells_outsiders_they_cannot_pledge(app, make_user, make_neighbourhood):
    """Residents elsewhere see why there is no form; a forged post is refused with the reason on the page."""
    hood = make_neighbourhood("Nordend")
    manager = _client(app, make_user(role=Role.MANAGER))
    _publish(manager, neighbourhood_id=str(hood.id))
    project = _project(app)
    outsider = _client(app, make_user())
    page = outsider.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "Only residents of Nordend can pledge" in page and 'name="points"' not in page
    refused = outsider.post(f"/projects/{project.id}/pledge", data={"points": "1"})
    assert refused.status_code == 422 and "Only residents of this project" in refused.get_data(as_text=True)


def test_the_manager_form_refuses_bad_fields(app, make_user):
    """No title, a target of 0, a past day and a German decimal are shown on their fields."""
    manager = _client(app, make_user(role=Role.MANAGER))
    response = _publish(manager, title_en="", title_de="", target="0",
                        deadline=_day(-1))  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Please give the project a title." in page
    past = _publish(manager, deadline=_day(-1))
    assert past.status_code == 422 and "deadline must lie in the future" in past.get_data(as_text=True)
    assert _publish(manager, target="1,5").status_code == 422
    assert _publish(manager, neighbourhood_id="999").status_code == 422


def test_edit_and_cancel_give_the_points_back(app, make_user):
    """The manager edits the title, then cancels: the backer has every point back and the page says so."""
    manager = _client(app, make_user(role=Role.MANAGER))
    _publish(manager)
    project = _project(app)
    ada = make_user()
    with app.app_context():
        grant(ada.id, 300)
    _client(app, ada).post(f"/projects/{project.id}/pledge", data={"points": "300"})
    form = manager.get(f"/manage/projects/{project.id}/edit").get_data(as_text=True)
    assert 'value="Bike rack"' in form and re.search(r'name="target"[^>]*value="1,000"', form)
    edited = manager.post(f"/manage/projects/{project.id}/edit", data={
        "title_en": "Bike rack at the station", "title_de": "", "description_en": "", "description_de": "",
        "neighbourhood_id": "0", "target": "1,000", "deadline": _day(3)})  # fmt: skip
    assert edited.status_code == 302
    assert manager.post(f"/manage/projects/{project.id}/cancel").status_code == 302
    with app.app_context():
        assert ledger.balance(ada.id) == 300
    page = app.test_client().get(f"/projects/{project.id}").get_data(as_text=True)
    assert "Bike rack at the station" in page and "Cancelled: points returned" in page


def test_no_such_project_is_a_404(client):
    """An unknown id is the 404 page, not a 500."""
    assert client.get("/projects/999").status_code == 404
