"""Rewards in Chromium: a resident browses, redeems and shows a voucher; a partner checks it and marks it used.

Points come from the ledger as bonuses; rewards from the catalogue services. Every page state the tests
reach is checked against WCAG 2.1 A/AA with axe-core.
"""

import itertools
import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Role, User
from app.extensions import db
from rewards import ledger
from rewards.catalogue import services
from rewards.models import EntryKind, PartnerKind
from tests.browser.actions import log_in, tab_to
from tests.browser.axe import assert_accessible

_grants = itertools.count(1)


def grant(user_id: int, points: int) -> None:
    """Give a resident points as a completion bonus with a source key of its own."""
    ledger.credit(user_id, points, EntryKind.BONUS, "completion", ("test", None), f"browser:{next(_grants)}",
                  params={"challenge": "Bike weeks"})  # fmt: skip


@pytest.fixture
def shop(app, make_user):
    """A town pool with three rewards (one too dear, one sold out), its partner account, and a resident with
    350 points. Returns (resident, partner account, {title: reward id})."""
    resident, clerk = make_user(pseudonym="Mira"), make_user(role=Role.PARTNER, pseudonym="Pool desk")
    with app.app_context():
        pool = services.create_partner("Town pool", PartnerKind.MUNICIPAL)
        services.add_partner_member(pool, db.session.get(User, clerk.id))
        offers = [("Pool day ticket", 120, None), ("Sauna evening", 500, None), ("Swim course", 80, 0)]
        rewards = {
            title: services.create_reward(partner_id=pool.id, title=title, cost=cost, stock=stock)
            for title, cost, stock in offers
        }
        grant(resident.id, 350)
        db.session.commit()
        return resident, clerk, {title: reward.id for title, reward in rewards.items()}


def voucher_code(page: Page) -> str:
    """The code printed on the voucher page."""
    return page.locator(".voucher-code").inner_text().strip()


def test_resident_redeems_and_partner_marks_the_voucher_used(page, new_page, shop):
    """Filter to what I can afford, redeem, get a QR code; the partner checks the code, uses it, checks it again."""
    resident, clerk, _rewards = shop
    log_in(page, resident)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Rewards").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rewards")
    expect(page.get_by_text("Your balance: 350 points")).to_be_visible()
    expect(page.get_by_text("3 rewards found.")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Only what I can afford").check()
    page.get_by_role("search", name="Filter rewards").get_by_role("button", name="Show").click()
    expect(page.get_by_text("2 rewards found.")).to_be_visible()
    expect(page.get_by_role("link", name="Sauna evening")).to_have_count(0)
    expect(page.get_by_label("Only what I can afford")).to_be_checked()
    assert_accessible(page)

    page.get_by_role("link", name="Pool day ticket").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pool day ticket")
    assert_accessible(page)
    page.get_by_role("button", name="Redeem for 120 points").click()

    expect(page.get_by_role("status")).to_have_text("Redeemed: “Pool day ticket”. Show this voucher to the partner.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pool day ticket")
    code = voucher_code(page)
    assert re.fullmatch(r"[A-Z0-9 -]{16,40}", code), code
    expect(page.get_by_role("img", name=f"QR code of voucher {code} for Pool day ticket")).to_be_visible()
    expect(page.locator(".qr-box svg[role=img]")).to_have_count(1)
    assert_accessible(page)

    desk = new_page()
    log_in(desk, clerk)
    desk.get_by_role("navigation", name="Main").get_by_role("link", name="Validate vouchers").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Validate vouchers")
    assert_accessible(desk)
    desk.get_by_label(re.compile(r"^Voucher code")).fill(code)
    desk.get_by_role("button", name="Check code").click()
    found = desk.get_by_role("region", name=f"Voucher {code}")
    expect(found).to_contain_text("Pool day ticket")
    expect(found).to_contain_text("Mira")
    assert_accessible(desk)

    found.get_by_role("button", name="Mark as used").click()
    expect(desk.get_by_role("status")).to_have_text(
        "Voucher accepted: “Pool day ticket” for Mira. It is now marked as used."
    )
    assert_accessible(desk)
    desk.get_by_label(re.compile(r"^Voucher code")).fill(code)
    desk.get_by_role("button", name="Check code").click()
    expect(desk.get_by_role("region", name=f"Voucher {code}").get_by_role("status")).to_have_text(
        re.compile(r"^Already used on ")
    )
    expect(desk.get_by_role("button", name="Mark as used")).to_have_count(0)
    assert_accessible(desk)

    page.reload()  # the resident's voucher now says it was used, without a QR code
    expect(page.get_by_text("Used on", exact=True)).to_be_visible()
    expect(page.locator(".qr-box")).to_have_count(0)
    assert_accessible(page)


def test_points_keyboard_redeem_and_sold_out(page, shop):
    """My points shows the level bar and history; a redeem by keyboard alone; a sold-out reward says so (no button)."""
    resident, _clerk, rewards = shop
    log_in(page, resident)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My points").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My points")
    expect(page.get_by_text("Level 3: Regular")).to_be_visible()
    expect(page.get_by_role("progressbar", name="Progress to the next level")).to_have_attribute("value", "50")
    expect(page.get_by_text("400 more points to reach level 4.")).to_be_visible()
    history = page.get_by_role("table", name="Your points, newest first")
    expect(history.locator("tbody tr")).to_have_count(1)
    expect(history.locator("tbody tr")).to_contain_text("Completion bonus: you reached the goal of “Bike weeks”")
    expect(history.locator("tbody tr")).to_contain_text("+350")
    assert_accessible(page)

    page.goto(f"/rewards/{rewards['Pool day ticket']}")
    tab_to(page, page.get_by_role("button", name="Redeem for 120 points"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Redeemed: “Pool day ticket”. Show this voucher to the partner.")
    expect(page.get_by_role("img", name=re.compile(r"^QR code of voucher"))).to_be_visible()

    page.goto("/me/points")
    expect(history.locator("tbody tr")).to_have_count(2)
    expect(history.locator("tbody tr").first).to_contain_text("−120")
    expect(page.get_by_text("Level 3: Regular")).to_be_visible()  # spending never lowers the level
    assert_accessible(page)

    page.goto(f"/rewards/{rewards['Swim course']}")
    expect(page.get_by_role("region", name="Redeem")).to_contain_text("Sorry, this reward is sold out.")
    expect(page.locator(".reward-facts")).to_contain_text("Sold out")
    expect(page.get_by_role("button", name="Redeem for 80 points")).to_have_count(0)  # nothing to press in vain
    assert_accessible(page)


def test_the_catalogue_in_german(new_page, shop):
    """A visitor whose browser prefers German sees the catalogue in German, and it passes axe."""
    page = new_page(locale="de-DE")
    page.goto("/rewards")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("link", name="Pool day ticket")).to_be_visible()
    assert_accessible(page)
