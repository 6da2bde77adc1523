"""The pages of rewards as a whole: who reaches which, the navigation by role, and markup that works for everyone."""

import pytest

from accounts.models import Role
from tests.pages import Page
from tests.rewards.conftest import as_user, redeemed_code

MANAGE_PAGES = ["/manage/rewards", "/manage/rewards/new", "/manage/partners"]


@pytest.mark.parametrize("path", ["/me/points", "/me/points.csv", "/me/vouchers"])
def test_my_pages_need_a_login(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", list(Role))
def test_pages_render_for_every_role(app, make_user, new_reward, role):
    """Every role sees the catalogue, a reward and its own points and vouchers."""
    reward = new_reward()
    client = as_user(app, make_user, role)
    for path in ("/rewards", f"/rewards/{reward}", "/me/points", "/me/vouchers", "/profile"):
        assert client.get(path).status_code == 200, path
    may_manage = role in (Role.MANAGER, Role.ADMIN)
    for path in [*MANAGE_PAGES, f"/manage/rewards/{reward}/edit"]:
        assert client.get(path).status_code == (200 if may_manage else 403), path
    may_validate = role in (Role.MANAGER, Role.ADMIN, Role.PARTNER)
    assert client.get("/vouchers/validate").status_code == (200 if may_validate else 403)


@pytest.mark.parametrize(
    ("role", "links"),
    [
        (None, {"Rewards"}),
        (Role.RESIDENT, {"Rewards", "My points"}),
        (Role.PARTNER, {"Rewards", "Validate vouchers"}),  # points are residents' own
        (Role.MANAGER, {"Rewards", "Validate vouchers", "Reward catalogue"}),
    ],
)
def test_navigation_links_follow_the_role(app, make_user, role, links):
    """The main navigation offers each role its reward pages."""
    client = as_user(app, make_user, role) if role else app.test_client()
    nav = Page(client.get("/rewards")).all("nav", class_="main-nav")[0]
    shown = {a.text for a in nav.iter() if a.tag == "a"}
    assert links <= shown
    assert not ({"Rewards", "My points", "Validate vouchers", "Reward catalogue"} - links) & shown


def test_pages_have_unique_ids_and_no_inline_styles(app, make_user, new_reward, give):
    """Every label points at one element, and nothing relies on inline styles the CSP would block."""
    reward = new_reward()
    manager, resident = as_user(app, make_user, Role.MANAGER), as_user(app, make_user)
    give(resident.user, 100)
    code = redeemed_code(resident, reward)  # only residents redeem
    pages = [
        (resident, "/rewards"), (resident, f"/rewards/{reward}"), (resident, "/me/points?since=nonsense"),
        (resident, "/me/vouchers"), (resident, f"/me/vouchers/{code}"), (resident, "/profile"),
        (manager, f"/vouchers/validate?code={code}"), (manager, "/manage/rewards"), (manager, "/manage/rewards/new"),
        (manager, f"/manage/rewards/{reward}/edit"), (manager, "/manage/partners"), (manager, "/profile"),
    ]  # fmt: skip
    for client, path in pages:
        page = Page(client.get(path))
        ids = [element.attrs["id"] for element in page.root.iter() if "id" in element.attrs]
        assert len(ids) == len(set(ids)), path
        assert " style=" not in page.html and "<style" not in page.html, path
        for label in page.all("label"):
            assert label.attrs.get("for") in ids, (path, label.text)


@pytest.mark.parametrize("role", [Role.MANAGER, Role.STAFF, Role.PARTNER])
def test_other_roles_are_offered_no_way_to_redeem(app, make_user, new_reward, give, role):
    """Managers, staff and partners see no redeem button, only why; a POST to redeem is 403 even with points."""
    reward = new_reward()
    client = as_user(app, make_user, role)
    give(client.user, 100)
    page = client.get(f"/rewards/{reward}").get_data(as_text=True)
    assert "Redeem for" not in page and "yours is for another role" in page
    assert client.post(f"/rewards/{reward}/redeem", data={"idempotency_key": "k"}).status_code == 403
