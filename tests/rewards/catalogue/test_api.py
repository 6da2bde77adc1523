"""JSON API of the reward catalogue: browsing, managing, redeeming, my vouchers, validation, partners."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from app.extensions import db
from rewards.models import Voucher
from tests.rewards.conftest import API, assert_error, voucher_of


def redeem(client, reward_id: int, key: str | None = None):
    return client.post(f"{API}/rewards/{reward_id}/redeem", headers={"Idempotency-Key": key} if key else {})


def balance(client) -> int:
    return client.get(f"{API}/me/ledger").get_json()["balance"]


# Catalogue --------------------------------------------------------------------------------


def test_anyone_can_browse_the_catalogue(client, partner, reward):
    """Anonymous visitors see available rewards, cheapest first, with partner and stock; no `me`."""
    pool = partner(name="Municipal pool", kind="municipal")
    ticket = reward(partner=pool, cost=50, stock=3, per_resident_limit=1)
    reward(cost=20, title="Bus ticket")
    reward(active=False, title="Withdrawn")
    reward(valid_until=datetime.now(UTC) - timedelta(days=1), title="Ended")
    response = client.get(f"{API}/rewards")
    assert response.status_code == 200
    listed = response.get_json()
    assert [item["title"] for item in listed] == ["Bus ticket", "Swimming pool day ticket"]
    shown = listed[1]
    assert shown["partner"] == {
        "id": pool.id, "name": "Municipal pool", "name_en": "Municipal pool", "name_de": "", "kind": "municipal"
    }  # fmt: skip
    assert shown["id"] == ticket.id and shown["cost"] == 50 and shown["stock"] == 3 and shown["sold_out"] is False
    assert shown["per_resident_limit"] == 1 and shown["valid_until"] is None and shown["active"] is True
    assert shown["description"] == "One entry." and shown["me"] is None
    assert listed[0]["stock"] is None
    assert json.loads(response.headers["X-Pagination"])["total"] == 2
    assert client.get(f"{API}/rewards/{ticket.id}").get_json()["title"] == ticket.title


def test_unavailable_rewards_are_for_managers_only(client, resident_client, manager_client, reward):
    """include_unavailable is a manager's: residents 403, anonymous 401; unavailable items 404 to others."""
    hidden = reward(active=False)
    reward(title="Open")
    listed = manager_client.get(f"{API}/rewards?include_unavailable=true").get_json()
    assert {item["title"] for item in listed} == {"Open", hidden.title}
    assert manager_client.get(f"{API}/rewards/{hidden.id}").status_code == 200
    assert_error(resident_client.get(f"{API}/rewards?include_unavailable=true"), 403, "include_unavailable")
    assert_error(client.get(f"{API}/rewards?include_unavailable=true"), 401, "include_unavailable")
    assert_error(resident_client.get(f"{API}/rewards/{hidden.id}"), 404, rule="not_found")
    assert_error(client.get(f"{API}/rewards/999"), 404)
    assert_error(client.get(f"{API}/rewards/{2**40}"), 404)


def test_filters_affordable_and_partner(client, resident_client, partner, reward, give):
    """affordable keeps what my balance pays for (log-in needed); partner_id keeps one partner's."""
    museum = partner()
    cheap = reward(cost=40, partner=museum)
    reward(cost=60)
    give(resident_client.user, 50)

    def ids(query: str) -> list[int]:
        response = resident_client.get(f"{API}/rewards?{query}")
        assert response.status_code == 200, response.get_json()
        return [item["id"] for item in response.get_json()]

    assert ids("affordable=true") == [cheap.id]
    assert len(ids("affordable=false")) == 2
    assert ids(f"partner_id={museum.id}") == [cheap.id]
    assert ids("partner_id=999") == []
    assert_error(client.get(f"{API}/rewards?affordable=true"), 401, "affordable")
    for bad in ("affordable=1", "affordable=yes", "partner_id=0", "partner_id=x", f"partner_id={2**40}"):
        assert_error(resident_client.get(f"{API}/rewards?{bad}"), 422)


def test_pagination_with_page_and_per_page(client, reward):
    """The catalogue pages with page/per_page and reports totals in X-Pagination; bad values are 422."""
    for cost in (10, 20, 30):
        reward(cost=cost)
    first = client.get(f"{API}/rewards?per_page=2")
    assert [item["cost"] for item in first.get_json()] == [10, 20]
    meta = json.loads(first.headers["X-Pagination"])
    assert meta["total"] == 3 and meta["total_pages"] == 2 and meta["next_page"] == 2
    assert [item["cost"] for item in client.get(f"{API}/rewards?per_page=2&page=2").get_json()] == [30]
    for bad in ("per_page=0", "per_page=101", "page=0", "page=two"):
        assert_error(client.get(f"{API}/rewards?{bad}"), 422)


def test_me_says_whether_and_why_not_i_can_redeem(resident_client, reward, give):
    """Each item tells a resident the live vouchers held and the rule redeeming would break."""
    fine = reward(cost=10)
    limited = reward(cost=10, per_resident_limit=1)
    dear = reward(cost=1000)
    gone = reward(cost=10, stock=0)
    give(resident_client.user, 100)
    voucher_of(resident_client, limited.id)
    shown = {item["id"]: item["me"] for item in resident_client.get(f"{API}/rewards").get_json()}
    assert shown[fine.id] == {"redeemed": 0, "can_redeem": True, "reason_if_not": None}
    assert shown[limited.id] == {"redeemed": 1, "can_redeem": False, "reason_if_not": "limit_reached"}
    assert shown[dear.id]["reason_if_not"] == "insufficient_points"
    assert shown[gone.id]["reason_if_not"] == "sold_out" and not shown[gone.id]["can_redeem"]
    assert resident_client.get(f"{API}/rewards/{limited.id}").get_json()["me"]["redeemed"] == 1


# Managing the catalogue -------------------------------------------------------------------


def test_manager_creates_and_edits_a_reward(manager_client, partner):
    """A manager adds a reward (201) and changes only the fields sent."""
    museum = partner(kind="culture")
    until = datetime(2027, 1, 1, tzinfo=UTC)
    body = {"partner_id": museum.id, "title": " Museum entry ", "cost": 250, "stock": 10, "per_resident_limit": 2,
            "valid_until": until.isoformat(), "description": "Free entry."}  # fmt: skip
    response = manager_client.post(f"{API}/rewards", json=body)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["title"] == "Museum entry" and created["partner"]["kind"] == "culture"
    assert datetime.fromisoformat(created["valid_until"]) == until and created["active"] is True
    changed = manager_client.patch(f"{API}/rewards/{created['id']}", json={"stock": None, "active": False})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["stock"] is None and changed.get_json()["active"] is False
    assert changed.get_json()["cost"] == 250


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"title": "  "}, "title", "Please give the reward a title."),
        ({"cost": 0}, "cost", "The cost must be between 1 and 1,000,000 points."),
        ({"cost": 10**7}, "cost", "The cost must be between 1 and 1,000,000 points."),
        ({"stock": -1}, "stock", "Stock must be between 0 and 1,000,000, or empty for unlimited."),
        ({"per_resident_limit": 0}, "per_resident_limit", "The limit must be at least 1, or empty for no limit."),
        ({"partner_id": 999}, "partner_id", "Please choose a partner from the list."),
        ({"cost": "10"}, "cost", "Not a valid integer."),
        ({"cost": 10**30}, "cost", None),
        ({"active": "yes"}, "active", "Not a valid boolean."),
        ({"valid_until": "2027-01-01T00:00:00"}, "valid_until", None),
        ({"valid_until": "0001-01-01T00:00:00+00:00"}, "valid_until", None),
        ({"title": "x" * 121}, "title", None),
        ({"title": "Nul\x00"}, "title", "Control characters are not allowed."),
    ],
)
def test_invalid_rewards_are_422_with_field_messages(manager_client, partner, body, field, message):
    """Creating and editing name the field and say what is wrong with it."""
    valid = {"partner_id": partner().id, "title": "Pool", "cost": 10}
    created = assert_error(manager_client.post(f"{API}/rewards", json=valid | body), 422, field)
    if message:
        assert created["errors"][field] == [message]
    reward_id = manager_client.post(f"{API}/rewards", json=valid).get_json()["id"]
    assert_error(manager_client.patch(f"{API}/rewards/{reward_id}", json=body), 422, field)


def test_required_fields_and_empty_changes(manager_client, reward):
    """A new reward needs partner, title and cost; a PATCH needs at least one field; unknown ids 404."""
    missing = assert_error(manager_client.post(f"{API}/rewards", json={}), 422)
    assert {"partner_id", "title", "cost"} <= set(missing["errors"])
    assert_error(manager_client.patch(f"{API}/rewards/{reward().id}", json={}), 422, "_schema")
    assert_error(manager_client.patch(f"{API}/rewards/{reward().id}", json={"cost": None}), 422, "cost")
    assert_error(manager_client.patch(f"{API}/rewards/999", json={"title": "New"}), 404, rule="not_found")


# Redemption -------------------------------------------------------------------------------


def test_redeem_issues_a_voucher_and_spends_points(resident_client, reward, give):
    """201 with the voucher; the points are gone and the stock is one less."""
    ticket = reward(cost=30, stock=2)
    give(resident_client.user, 100)
    response = redeem(resident_client, ticket.id)
    assert response.status_code == 201, response.get_json()
    voucher = response.get_json()
    assert voucher["status"] == "issued" and voucher["cost"] == 30 and len(voucher["code"]) == 19
    assert voucher["reward"]["id"] == ticket.id and voucher["reward"]["partner"]["id"] == ticket.partner_id
    assert voucher["used_at"] is None and voucher["closed_at"] is None
    assert datetime.fromisoformat(voucher["expires_at"]) > datetime.fromisoformat(voucher["issued_at"])
    assert balance(resident_client) == 70
    assert resident_client.get(f"{API}/rewards/{ticket.id}").get_json()["stock"] == 1


def test_a_repeated_idempotency_key_replays_the_first_voucher(resident_client, reward, give):
    """The same key answers 200 with the same voucher and spends nothing more; another reward's key is 422."""
    ticket, other = reward(cost=30), reward(cost=30)
    give(resident_client.user, 100)
    first = redeem(resident_client, ticket.id, key="tap-1")
    again = redeem(resident_client, ticket.id, key="tap-1")
    assert first.status_code == 201 and again.status_code == 200, again.get_json()
    assert again.get_json() == first.get_json()
    assert balance(resident_client) == 70
    assert redeem(resident_client, ticket.id, key="tap-2").status_code == 201
    assert_error(redeem(resident_client, other.id, key="tap-1"), 422, "Idempotency-Key")
    assert_error(redeem(resident_client, ticket.id, key="x" * 101), 422, "Idempotency-Key")
    assert balance(resident_client) == 40


@pytest.mark.parametrize(
    ("fields", "points", "rule", "message"),
    [
        ({"stock": 0}, 100, "sold_out", "Sorry, this reward is sold out."),
        ({}, 99, "insufficient_points", "You do not have enough points for this."),
        ({"active": False}, 100, "not_available", "This reward is no longer available."),
    ],
)
def test_refusals_are_409_with_the_rule(resident_client, reward, give, fields, points, rule, message):
    """Sold out, too few points, or withdrawn: 409 naming the rule, and nothing is spent."""
    ticket = reward(cost=100, **fields)
    give(resident_client.user, points)
    body = assert_error(redeem(resident_client, ticket.id), 409, rule=rule)
    assert body["message"] == message
    assert balance(resident_client) == points


def test_the_limit_per_resident(resident_client, reward, give):
    """The second voucher of a one-per-resident reward is refused; cancelling the first frees the limit."""
    ticket = reward(cost=10, per_resident_limit=1)
    give(resident_client.user, 100)
    first = voucher_of(resident_client, ticket.id)
    assert_error(redeem(resident_client, ticket.id), 409, rule="limit_reached")
    assert resident_client.post(f"{API}/me/vouchers/{first['code']}/cancel").status_code == 200
    assert redeem(resident_client, ticket.id).status_code == 201


def test_the_last_item_goes_once(resident_client, app, make_user, login, reward, give):
    """Two residents, one item: the second gets sold_out."""
    ticket = reward(cost=10, stock=1)
    other = app.test_client()
    other_user = make_user()
    login(other, other_user)
    give(resident_client.user, 10)
    give(other_user, 10)
    assert redeem(resident_client, ticket.id).status_code == 201
    assert_error(redeem(other, ticket.id), 409, rule="sold_out")
    assert resident_client.get(f"{API}/rewards/{ticket.id}").get_json()["sold_out"] is True


def test_unknown_rewards_cannot_be_redeemed(resident_client):
    assert_error(redeem(resident_client, 999), 404, rule="not_found")


# My vouchers ------------------------------------------------------------------------------


def test_my_vouchers_list_filter_and_lookup(resident_client, app, make_user, login, reward, give):
    """Issued vouchers come first; status filters; codes are found in any case and without dashes."""
    ticket = reward(cost=10)
    give(resident_client.user, 100)
    kept = voucher_of(resident_client, ticket.id)
    cancelled = voucher_of(resident_client, ticket.id)
    resident_client.post(f"{API}/me/vouchers/{cancelled['code']}/cancel")
    listed = resident_client.get(f"{API}/me/vouchers")
    assert [v["code"] for v in listed.get_json()] == [kept["code"], cancelled["code"]]
    assert json.loads(listed.headers["X-Pagination"])["total"] == 2
    only = resident_client.get(f"{API}/me/vouchers?status=cancelled").get_json()
    assert [v["status"] for v in only] == ["cancelled"] and only[0]["closed_at"]
    assert len(resident_client.get(f"{API}/me/vouchers?per_page=1&page=2").get_json()) == 1
    assert_error(resident_client.get(f"{API}/me/vouchers?status=lost"), 422, "status")
    typed = kept["code"].replace("-", "").lower()
    assert resident_client.get(f"{API}/me/vouchers/{typed}").get_json()["code"] == kept["code"]
    assert_error(resident_client.get(f"{API}/me/vouchers/NOPE-NOPE"), 404, "code", rule="unknown_voucher")
    stranger = app.test_client()
    login(stranger, make_user())
    assert_error(stranger.get(f"{API}/me/vouchers/{kept['code']}"), 404, rule="unknown_voucher")
    assert_error(stranger.post(f"{API}/me/vouchers/{kept['code']}/cancel"), 404, rule="unknown_voucher")


def test_cancel_refunds_into_the_ledger(resident_client, reward, give):
    """Cancelling gives the points back as a refund entry; a second cancel is 409 `cancelled`."""
    ticket = reward(cost=40, title="Museum entry", stock=1)
    give(resident_client.user, 100)
    voucher = voucher_of(resident_client, ticket.id)
    response = resident_client.post(f"{API}/me/vouchers/{voucher['code']}/cancel")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "cancelled"
    ledger = resident_client.get(f"{API}/me/ledger").get_json()
    assert ledger["balance"] == 100
    refund = ledger["entries"][0]
    assert refund["kind"] == "refund" and refund["amount"] == 40 and refund["reason_code"] == "voucher_cancelled"
    assert refund["reason"] == "Refund: voucher for Museum entry cancelled"
    assert resident_client.get(f"{API}/rewards/{ticket.id}").get_json()["stock"] == 1
    body = assert_error(resident_client.post(f"{API}/me/vouchers/{voucher['code']}/cancel"), 409, "code")
    assert body["rule"] == "cancelled"


def test_expired_and_used_vouchers_cannot_be_cancelled(resident_client, manager_client, app, reward, give):
    """An expired voucher is 409 `expired` (the job refunds it); a used one 409 `used`."""
    ticket = reward(cost=10)
    give(resident_client.user, 100)
    old, used = voucher_of(resident_client, ticket.id), voucher_of(resident_client, ticket.id)
    with app.app_context():
        past = datetime.now(UTC) - timedelta(minutes=1)
        db.session.execute(update(Voucher).where(Voucher.code == old["code"]).values(expires_at=past))
        db.session.commit()
    assert_error(resident_client.post(f"{API}/me/vouchers/{old['code']}/cancel"), 409, rule="expired")
    assert_error(manager_client.post(f"{API}/vouchers/{old['code']}/validate"), 409, rule="expired")
    manager_client.post(f"{API}/vouchers/{used['code']}/validate")
    assert_error(resident_client.post(f"{API}/me/vouchers/{used['code']}/cancel"), 409, rule="used")


# Validation by partners -------------------------------------------------------------------


def test_validate_once_then_already_used(resident_client, manager_client, reward, give):
    """The first validation marks the voucher used; the second is 409 `used`, "Already used on …"."""
    give(resident_client.user, 100)
    code = voucher_of(resident_client, reward().id)["code"]
    check = manager_client.get(f"{API}/vouchers/{code.lower()}")
    assert check.status_code == 200, check.get_json()
    assert check.get_json()["usable"] is True and check.get_json()["problem"] is None
    response = manager_client.post(f"{API}/vouchers/{code}/validate")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "used" and response.get_json()["used_at"]
    again = assert_error(manager_client.post(f"{API}/vouchers/{code}/validate"), 409, "code", rule="used")
    assert again["message"].startswith("Already used on ")
    checked = manager_client.get(f"{API}/vouchers/{code}").get_json()
    assert checked["usable"] is False and checked["problem"]["rule"] == "used"
    assert checked["problem"]["message"] == again["message"]
    assert resident_client.get(f"{API}/me/vouchers/{code}").get_json()["status"] == "used"


def test_partners_validate_only_their_own_vouchers(resident_client, partner_client, partner, reward, give):
    """A partner account validates its partner's vouchers; another partner's is 403; unknown codes 404."""
    pool, museum = partner(), partner()
    partner_client.join(pool)
    give(resident_client.user, 200)
    ours = voucher_of(resident_client, reward(partner=pool).id)["code"]
    theirs = voucher_of(resident_client, reward(partner=museum).id)["code"]
    assert partner_client.get(f"{API}/vouchers/{ours}").status_code == 200
    assert partner_client.post(f"{API}/vouchers/{ours}/validate").status_code == 200
    assert_error(partner_client.get(f"{API}/vouchers/{theirs}"), 403, "code", rule="other_partner")
    assert_error(partner_client.post(f"{API}/vouchers/{theirs}/validate"), 403, rule="other_partner")
    assert_error(partner_client.post(f"{API}/vouchers/0000-0000-0000-0000/validate"), 404, rule="unknown_voucher")
    assert_error(partner_client.get(f"{API}/vouchers/{'Z' * 500}"), 404, rule="unknown_voucher")


# Partners ---------------------------------------------------------------------------------


def test_managers_list_and_add_partners(manager_client, partner):
    """Partners list by name; a new one is 201; names are unique and needed; kinds come from a list."""
    partner(name="Zoo")
    response = manager_client.post(f"{API}/partners", json={"name": "City museum", "kind": "culture"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["kind"] == "culture" and response.get_json()["name"] == "City museum"
    listed = manager_client.get(f"{API}/partners")
    assert [p["name"] for p in listed.get_json()] == ["City museum", "Zoo"]
    assert json.loads(listed.headers["X-Pagination"])["total"] == 2
    taken = assert_error(manager_client.post(f"{API}/partners", json={"name": "city MUSEUM"}), 422, "name")
    assert taken["errors"]["name"] == ["A partner with this name exists already."]
    assert_error(manager_client.post(f"{API}/partners", json={"name": " "}), 422, "name")
    assert_error(manager_client.post(f"{API}/partners", json={"name": "Bakery", "kind": "bakery"}), 422, "kind")
    assert_error(manager_client.post(f"{API}/partners", json={}), 422, "name")
    assert manager_client.post(f"{API}/partners", json={"name": "Bakery"}).get_json()["kind"] == "other"
