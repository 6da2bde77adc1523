"""Pages of the reward catalogue: browsing, redeeming, my vouchers, validation by partners, managing."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from accounts.models import Role
from app.extensions import db
from rewards.catalogue import services, vouchers
from rewards.models import Partner, Reward, Voucher, VoucherStatus
from tests.conftest import log_in
from tests.pages import Page
from tests.rewards.conftest import as_user, balance_of, redeem_on_page, redeemed_code, text_of, voucher_status
from tests.rewards.test_pages import MANAGE_PAGES

CITY = ZoneInfo("Europe/Berlin")


# Catalogue --------------------------------------------------------------------------------


def test_catalogue_for_visitors_shows_each_reward_with_its_facts(client, new_reward):
    """Anonymous visitors browse: partner, cost, stock, end date and limit on every card; no balance."""
    new_reward(title="Pool day", stock=None)
    new_reward(
        title="Museum entry", stock=3, per_resident_limit=2, valid_until=datetime(2099, 5, 31, 21, 59, tzinfo=UTC)
    )
    new_reward(title="Bus ticket", stock=0)
    page = text_of(client.get("/rewards"))
    assert "Pool day" in page and "Unlimited" in page
    assert "Museum entry" in page and "3 left" in page and "2 per resident" in page and "31 May 2099" in page
    assert "Bus ticket" in page and "Sold out" in page
    assert "No limit" in page and "100 points" in page
    assert "Log in to redeem rewards" in page and "Your balance" not in page
    assert "Only what I can afford" not in page


def test_catalogue_hides_inactive_and_filters_by_price_and_partner(app, make_user, new_reward, make_partner, give):
    """Residents see their balance; "only what I can afford" and the partner filter narrow the list."""
    with app.app_context():
        museum = make_partner("City museum").id
    new_reward(title="Cheap thing", cost=50)
    new_reward(title="Dear thing", cost=500)
    new_reward(title="Hidden thing", cost=10, active=False)
    with app.app_context():
        new_reward(title="Museum night", cost=80, partner=db.session.get(Partner, museum))
    client = as_user(app, make_user)
    give(client.user, 120)
    page = text_of(client.get("/rewards"))
    assert "Your balance: 120 points" in page
    assert "Cheap thing" in page and "Dear thing" in page and "Hidden thing" not in page
    assert "You hold 0 vouchers" in page
    page = text_of(client.get("/rewards?affordable=1"))
    assert "Cheap thing" in page and "Dear thing" not in page
    page = text_of(client.get(f"/rewards?partner={museum}"))
    assert "Museum night" in page and "Cheap thing" not in page
    assert client.get("/rewards?partner=abc&page=-4").status_code == 200


def test_detail_asks_visitors_to_log_in_and_redeem_needs_a_login(client, new_reward):
    """The detail page offers a log-in link; posting a redemption anonymously leads to the log-in page."""
    reward = new_reward(title="Pool day")
    page = text_of(client.get(f"/rewards/{reward}"))
    assert "Pool day" in page and "Log in to redeem" in page
    response = redeem_on_page(client, reward)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/rewards/999999").status_code == 404


# Redeeming --------------------------------------------------------------------------------


def test_redeem_issues_a_voucher_and_shows_it_with_a_qr_code(app, make_user, new_reward, give, read):
    """A resident with enough points redeems; the voucher page shows the code, the QR code and a flash."""
    reward = new_reward(title="Pool day", cost=100, stock=5)
    client = as_user(app, make_user)
    give(client.user, 150)
    detail = Page(client.get(f"/rewards/{reward}"))
    key = detail.all("input", name="idempotency_key")[0].attrs["value"]
    assert len(key) == 32 and "Redeem for 100 points" in detail.root.text
    code = redeemed_code(client, reward, key)
    page = Page(client.get(f"/me/vouchers/{code}"))
    assert page.flashes == [("success", "Redeemed: “Pool day”. Show this voucher to the partner.")]
    assert code in page.root.text and "Ready to use" in page.root.text
    svg = page.all("svg", role="img")[0]
    assert code in svg.attrs["aria-label"] and svg.attrs["class"] == "qr-code"
    assert any(child.tag == "title" for child in svg.children)
    assert "style=" not in page.html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert balance_of(read, client.user) == 50
    assert read(lambda: db.session.get(Reward, reward).stock) == 4


def test_a_double_click_with_the_same_key_issues_one_voucher(app, make_user, new_reward, give, read):
    """The same hidden key sent twice gives the same voucher and charges once."""
    reward = new_reward(cost=100)
    client = as_user(app, make_user)
    give(client.user, 300)
    first = redeemed_code(client, reward, "same-key")
    second = redeem_on_page(client, reward, "same-key")
    assert second.headers["Location"].endswith(first)
    page = Page(client.get(second.headers["Location"]))
    assert "already redeemed" in page.flashes[-1][1]
    assert read(lambda: db.session.scalar(select(func.count(Voucher.id)))) == 1
    assert balance_of(read, client.user) == 200
    redeemed_code(client, reward, "other-key")
    assert balance_of(read, client.user) == 100


@pytest.mark.parametrize(
    ("fields", "points", "message"),
    [
        ({"cost": 100}, 99, "You do not have enough points for this."),
        ({"stock": 0}, 500, "Sorry, this reward is sold out."),
        ({"per_resident_limit": 1}, 500, "You have already redeemed this reward as often as one resident may."),
        ({"active": False}, 500, "This reward is no longer available."),
    ],
    ids=["insufficient", "sold-out", "limit", "inactive"],
)
def test_refusals_are_shown_on_the_page(app, make_user, new_reward, give, read, fields, points, message):
    """Each refusal is an error above the redeem button; nothing is charged."""
    reward = new_reward(**fields)
    client = as_user(app, make_user)
    give(client.user, points)
    if fields.get("per_resident_limit"):
        redeemed_code(client, reward, "first")
        points -= 100
    response = redeem_on_page(client, reward, "second")
    assert response.status_code == 422
    assert message in Page(response).error_summary
    assert balance_of(read, client.user) == points


@pytest.mark.parametrize(
    ("fields", "points", "message"),
    [
        ({"cost": 100}, 99, "You need 1 point more to redeem this."),
        ({"stock": 0}, 500, "Sorry, this reward is sold out."),
        ({"per_resident_limit": 1}, 500, "You have already redeemed this reward as often as one resident may."),
    ],
    ids=["insufficient", "sold-out", "limit"],
)
def test_a_reward_that_would_be_refused_offers_no_button(app, make_user, new_reward, give, fields, points, message):
    """The page says beforehand why redeeming would fail, and offers no redeem button."""
    reward = new_reward(**fields)
    client = as_user(app, make_user)
    give(client.user, points)
    if fields.get("per_resident_limit"):
        redeemed_code(client, reward, "first")
    page = client.get(f"/rewards/{reward}")
    assert message in text_of(page)
    assert "Redeem for" not in text_of(page) and not Page(page).all("form", action=f"/rewards/{reward}/redeem")


# Vouchers ---------------------------------------------------------------------------------


def test_my_vouchers_lists_ready_ones_first(app, make_user, new_reward, give):
    """Vouchers ready to use come before used or cancelled ones."""
    first = new_reward(title="Old ticket", cost=10)
    second = new_reward(title="New ticket", cost=10)
    client = as_user(app, make_user)
    give(client.user, 100)
    code = redeemed_code(client, first, "a")
    redeemed_code(client, second, "b")
    client.post(f"/me/vouchers/{code}/cancel")
    text = Page(client.get("/me/vouchers")).all("table")[0].text
    assert text.index("New ticket") < text.index("Old ticket")
    assert "Ready to use" in text and "Cancelled" in text


def test_cancel_refunds_and_only_once(app, make_user, new_reward, give, read):
    """Cancelling gives the points back, once; the page then shows no QR code and no cancel button."""
    reward = new_reward(cost=100, stock=1)
    client = as_user(app, make_user)
    give(client.user, 100)
    code = redeemed_code(client, reward)
    response = client.post(f"/me/vouchers/{code}/cancel")
    page = Page(client.get(response.headers["Location"]))
    assert page.flashes[-1] == ("success", "Voucher cancelled. 100 points are back in your balance.")
    assert "Cancelled" in page.root.text and not page.all("svg") and "Cancel voucher" not in page.root.text
    assert balance_of(read, client.user) == 100
    assert read(lambda: db.session.get(Reward, reward).stock) == 1
    page = Page(client.get(client.post(f"/me/vouchers/{code}/cancel").headers["Location"]))
    assert page.flashes[0][0] == "error" and "cancelled on" in page.flashes[0][1]
    assert balance_of(read, client.user) == 100


def test_someone_elses_voucher_is_not_found(app, make_user, new_reward, give):
    """A voucher's page and its cancel button exist only for its holder."""
    reward = new_reward()
    owner = as_user(app, make_user)
    give(owner.user, 100)
    code = redeemed_code(owner, reward)
    other = as_user(app, make_user)
    assert other.get(f"/me/vouchers/{code}").status_code == 404
    assert other.post(f"/me/vouchers/{code}/cancel").status_code == 404
    assert other.get("/me/vouchers/NOPE").status_code == 404


# Validation -------------------------------------------------------------------------------


@pytest.fixture
def issued(app, make_user, new_reward, give):
    """A resident's voucher for a reward of "Town pool"; returns (code, resident, partner id)."""

    def make(partner_name="Town pool"):
        with app.app_context():
            partner = services.create_partner(partner_name)
            db.session.commit()
            partner_id = partner.id
        with app.app_context():
            reward = new_reward(title="Pool day", partner=db.session.get(Partner, partner_id))
        resident = as_user(app, make_user)
        give(resident.user, 100)
        return redeemed_code(resident, reward), resident.user, partner_id

    return make


def test_manager_validates_a_voucher_exactly_once(app, make_user, issued, read):
    """Check shows reward, partner, resident and status; marking it used works once, then "Already used on"."""
    code, resident, _partner = issued()
    manager = as_user(app, make_user, Role.MANAGER)
    page = Page(manager.get(f"/vouchers/validate?code={code.lower()}"))
    assert page.value("code") == code.lower()
    text = page.root.text
    assert "Pool day" in text and "Town pool" in text and resident.pseudonym in text and "Ready to use" in text
    assert page.all("input", name="code", type="hidden")[0].attrs["value"] == code
    response = manager.post("/vouchers/validate", data={"code": code})
    assert response.status_code == 302
    page = Page(manager.get(response.headers["Location"]))
    assert "It is now marked as used" in page.flashes[0][1]
    assert voucher_status(read, code) == VoucherStatus.USED
    response = manager.post("/vouchers/validate", data={"code": code})
    assert response.status_code == 422
    assert Page(response).field_error("code").startswith("Already used on ")
    page = Page(manager.get(f"/vouchers/validate?code={code}"))
    assert "Already used on" in page.root.text and "Mark as used" not in page.root.text


def test_partner_validates_only_their_own_vouchers(app, make_user, issued, read):
    """A partner account accepts its partner's vouchers; another partner's or an unknown code is a form error."""
    code, _resident, partner_id = issued("Town pool")
    other_code, _other, _other_partner = issued("Corner shop")
    partner = as_user(app, make_user, Role.PARTNER)
    with app.app_context():
        services.add_partner_member(db.session.get(Partner, partner_id), db.session.merge(partner.user))
        db.session.commit()
    response = partner.get(f"/vouchers/validate?code={other_code}")
    assert response.status_code == 422
    assert Page(response).field_error("code") == "This voucher belongs to another partner; only they can accept it."
    response = partner.post("/vouchers/validate", data={"code": other_code})
    assert response.status_code == 422 and voucher_status(read, other_code) == VoucherStatus.ISSUED
    response = partner.get("/vouchers/validate?code=AAAA-BBBB-CCCC-DDDD")
    assert Page(response).field_error("code") == "No voucher has this code. Check the code and try again."
    assert partner.post("/vouchers/validate", data={"code": code}).status_code == 302
    assert voucher_status(read, code) == VoucherStatus.USED


def test_validation_is_for_managers_and_partners_only(app, client, make_user):
    """Residents get 403 on the validation page; visitors are sent to log in."""
    resident = as_user(app, make_user)
    assert resident.get("/vouchers/validate").status_code == 403
    assert resident.post("/vouchers/validate", data={"code": "X"}).status_code == 403
    response = client.get("/vouchers/validate?code=ABCD")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    empty = Page(as_user(app, make_user, Role.PARTNER).get("/vouchers/validate"))
    assert empty.response.status_code == 200 and empty.value("code") in (None, "")


# Managing ---------------------------------------------------------------------------------


def reward_form(partner_id: int, **overrides) -> dict:
    data = {
        "partner_id": str(partner_id), "title_en": "Museum night", "description_en": "Entry for two.", "cost": "250",
        "stock": "20", "stock_shown": "", "per_resident_limit": "1", "valid_until": "2099-06-30", "active": "y",
    }  # fmt: skip
    return {**data, **overrides}


def test_manager_creates_and_edits_a_reward(app, make_user, make_partner, read):
    """A new reward lands in the catalogue, valid until the end of its last day in the city."""
    with app.app_context():
        partner_id = make_partner("City museum").id
    manager = as_user(app, make_user, Role.MANAGER)
    assert "Add reward" in text_of(manager.get("/manage/rewards/new"))
    response = manager.post("/manage/rewards/new", data=reward_form(partner_id))
    assert response.status_code == 302
    reward = read(lambda: db.session.scalar(select(Reward)))
    assert (reward.title, reward.cost, reward.stock, reward.per_resident_limit) == ("Museum night", 250, 20, 1)
    assert reward.valid_until.astimezone(CITY).replace(tzinfo=None) == datetime(2099, 6, 30, 23, 59, 59)
    text = text_of(manager.get("/manage/rewards"))
    assert "Museum night" in text and "20 left" in text and "Yes" in text

    page = Page(manager.get(f"/manage/rewards/{reward.id}/edit"))
    assert page.value("title_en") == "Museum night" and page.value("valid_until") == "2099-06-30"
    assert page.value("stock") == "20" and page.value("active") == "checked"
    data = reward_form(partner_id, title_en="Museum night for two", stock="", stock_shown="20", active="")
    data.pop("active")
    assert manager.post(f"/manage/rewards/{reward.id}/edit", data=data).status_code == 302
    changed = read(lambda: db.session.get(Reward, reward.id))
    assert changed.title == "Museum night for two" and changed.stock is None and not changed.active
    assert "No: inactive" in text_of(manager.get("/manage/rewards"))


def test_an_unchanged_stock_does_not_undo_redemptions_made_meanwhile(app, make_user, make_partner, read):
    """The stock the form showed is sent along; saving other changes keeps what residents took since."""
    with app.app_context():
        partner_id = make_partner().id
        reward_id = services.create_reward(partner_id=partner_id, title="Ticket", cost=10, stock=5).id
        db.session.commit()
    manager = as_user(app, make_user, Role.MANAGER)
    shown = Page(manager.get(f"/manage/rewards/{reward_id}/edit")).all("input", name="stock_shown")[0].attrs["value"]
    assert shown == "5"
    with app.app_context():
        db.session.execute(Reward.__table__.update().values(stock=4))
        db.session.commit()
    data = reward_form(partner_id, title_en="Ticket (renamed)", stock="5", stock_shown="5", valid_until="")
    assert manager.post(f"/manage/rewards/{reward_id}/edit", data=data).status_code == 302
    assert read(lambda: db.session.get(Reward, reward_id).stock) == 4


def test_a_german_manager_writes_cost_and_stock_in_german(app, make_user, make_partner, read):
    """1.500 points and 2.000 left are a thousand and a half and two thousand, shown back the same way."""
    with app.app_context():
        partner_id = make_partner().id
    manager = app.test_client()
    log_in(manager, make_user(role=Role.MANAGER, language="de"))
    response = manager.post("/manage/rewards/new", data=reward_form(partner_id, cost="1.500", stock="2.000"))
    assert response.status_code == 302
    reward = read(lambda: db.session.scalars(select(Reward)).one())
    assert (reward.cost, reward.stock) == (1500, 2000)
    page = Page(manager.get(f"/manage/rewards/{reward.id}/edit"))
    assert (page.value("cost"), page.value("stock")) == ("1.500", "2.000")
    response = manager.post("/manage/rewards/new", data=reward_form(partner_id, cost="1,5"))
    assert Page(response).field_error("cost") == "Schreiben Sie eine ganze Zahl, etwa 10.018 oder 10018."


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title_en": ""}, "title_en", "Please give the reward a title."),
        ({"cost": "0"}, "cost", "Number must be between 1 and 1,000,000."),
        ({"cost": "abc"}, "cost", "Write a whole number, like 10,018 or 10018."),
        ({"cost": "12.5"}, "cost", "Write a whole number, like 10,018 or 10018."),
        ({"cost": "1.000"}, "cost", "Write a whole number, like 10,018 or 10018."),  # a German thousand, in English
        ({"stock": "-1"}, "stock", "Number must be between 0 and 1,000,000."),
        ({"per_resident_limit": "0"}, "per_resident_limit", "Number must be between 1 and 1,000,000."),
        ({"valid_until": "31.02.2099"}, "valid_until", "Not a valid date value."),
        ({"partner_id": "999999"}, "partner_id", "Not a valid choice."),
    ],
)
def test_reward_form_errors(app, make_user, make_partner, read, overrides, field, message):
    """Each bad value is shown on its field and in the summary; nothing is saved."""
    with app.app_context():
        partner_id = make_partner().id
    manager = as_user(app, make_user, Role.MANAGER)
    response = manager.post("/manage/rewards/new", data={**reward_form(partner_id), **overrides})
    assert response.status_code == 422
    page = Page(response)
    assert page.field_error(field).startswith(message) and page.error_summary
    assert read(lambda: db.session.scalar(select(func.count(Reward.id)))) == 0


def test_service_errors_land_on_their_field(app, make_user, make_partner):
    """A title of spaces passes the form but not the service: the service's message shows on the title."""
    with app.app_context():
        partner_id = make_partner().id
    manager = as_user(app, make_user, Role.MANAGER)
    response = manager.post("/manage/rewards/new", data=reward_form(partner_id, title_en="   "))
    assert response.status_code == 422
    assert Page(response).field_error("title_en") in ("This field is required.", "Please give the reward a title.")


def test_manager_adds_partners_and_partner_accounts(app, make_user, read):
    """Partners are created with a kind; accounts are added by email and must have the partner role."""
    manager = as_user(app, make_user, Role.MANAGER)
    assert manager.post("/manage/partners", data={"name": "Corner shop", "kind": "shop"}).status_code == 302
    response = manager.post("/manage/partners", data={"name": "corner SHOP", "kind": "shop"})
    assert response.status_code == 422
    assert Page(response).field_error("name") == "A partner with this name exists already."
    partner_id = read(lambda: db.session.scalar(select(Partner.id)))
    resident = make_user()
    response = manager.post("/manage/partners/members", data={"partner_id": partner_id, "email": resident.email})
    assert Page(response).field_error("email") == "Only accounts with the partner role can act for a partner."
    response = manager.post("/manage/partners/members", data={"partner_id": partner_id, "email": "nobody@example.org"})
    assert Page(response).field_error("email") == "No account has this email address."
    shopkeeper = make_user(role=Role.PARTNER)
    response = manager.post("/manage/partners/members", data={"partner_id": partner_id, "email": shopkeeper.email})
    assert response.status_code == 302
    text = text_of(manager.get("/manage/partners"))
    assert "Corner shop" in text and "Local shop" in text and shopkeeper.pseudonym in text


# Roles and forms ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", MANAGE_PAGES)
def test_manage_pages_need_a_manager(app, client, make_user, path):
    """Residents and partners get 403; visitors are sent to log in."""
    assert as_user(app, make_user).get(path).status_code == 403
    assert as_user(app, make_user, Role.PARTNER).get(path).status_code == 403
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_expired_voucher_shows_no_code_to_scan(app, make_user, new_reward, give, read):
    """A voucher past its expiry, before the job refunds it, shows why and offers neither QR code nor cancel."""
    reward = new_reward()
    client = as_user(app, make_user)
    give(client.user, 100)
    code = redeemed_code(client, reward)
    with app.app_context():
        voucher = vouchers.find_voucher(code)
        voucher.expires_at = datetime.now(UTC) - timedelta(minutes=1)
        db.session.commit()
    page = Page(client.get(f"/me/vouchers/{code}"))
    assert "This voucher has expired; its points come back to you automatically." in page.root.text
    assert not page.all("svg") and "Cancel voucher" not in page.root.text


def test_forms_work_with_csrf_protection_on(app, make_user, new_reward, give, monkeypatch, read):
    """With CSRF on, as in production, each form carries its token; a post without one changes nothing."""
    reward = new_reward(cost=100)
    resident = as_user(app, make_user)
    manager = as_user(app, make_user, Role.MANAGER)
    give(resident.user, 100)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert resident.post(f"/rewards/{reward}/redeem", data={"idempotency_key": "k"}).status_code == 400
    detail = Page(resident.get(f"/rewards/{reward}"))
    key = detail.all("input", name="idempotency_key")[0].attrs["value"]
    data = {"csrf_token": detail.csrf_token(), "idempotency_key": key}
    response = resident.post(f"/rewards/{reward}/redeem", data=data)
    assert response.status_code == 302
    code = response.headers["Location"].rsplit("/", 1)[1]
    check = Page(manager.get(f"/vouchers/validate?code={code}"))
    use = check.all("form", method="post", action="/vouchers/validate")[0]
    form = {i.attrs["name"]: i.attrs["value"] for i in use.iter() if i.tag == "input"}
    assert set(form) == {"csrf_token", "code"}
    assert manager.post("/vouchers/validate", data=form).status_code == 302
    assert voucher_status(read, code) == VoucherStatus.USED
    partners = Page(manager.get("/manage/partners"))
    data = {"csrf_token": partners.csrf_token(), "name": "Pool", "kind": "municipal"}
    assert manager.post("/manage/partners", data=data).status_code == 302
