"""Challenges in Chromium: a manager creates, publishes and reviews; residents join and send readings and trips.

Pages use the real clock, so every challenge is built around the real now. Every page state the tests
reach is checked against WCAG 2.1 A/AA with axe-core.
"""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Role, User
from app.clock import local_date
from app.extensions import db
from challenges import authoring, participation
from challenges.kinds.reading import submit_reading
from challenges.kinds.trip import submit_trip
from challenges.models import Submission, SubmissionStatus
from challenges.scoring import Category, Format, Metric, Mode
from tests.browser.actions import log_in, tab_to
from tests.browser.axe import assert_accessible, assert_accessible_without_script
from tests.challenges import conftest as challenge_fixtures

make_challenge = challenge_fixtures.make_challenge  # the challenge tests' builder, usable here too


def local(app, moment: datetime) -> str:
    """A moment as a datetime-local input holds it: the city's wall-clock time, to the minute."""
    return moment.astimezone(ZoneInfo(app.config["TIMEZONE"])).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def new_challenge(app, make_challenge):
    """Build a published challenge around the real clock (started 7 days ago, ending in 21) and return its id."""

    def make(category=Category.ENERGY, **fields):
        with app.app_context():
            return make_challenge(category=category, now=datetime.now(UTC), **fields).id

    return make


def score_line(page: Page):
    """The sentence under Progress that states the resident's score and points."""
    return page.get_by_role("region", name="Progress").get_by_text(re.compile(r"^Your score:"))


def test_manager_creates_and_publishes_a_challenge(app, page, new_page, make_user):
    """A manager fills in every field of a new challenge, previews the draft, publishes it; residents see it."""
    manager, resident = make_user(role=Role.MANAGER), make_user()
    now = datetime.now(UTC)
    starts, ends = local(app, now + timedelta(days=1)), local(app, now + timedelta(days=29))
    log_in(page, manager)
    page.get_by_role("banner").get_by_role("link", name="Challenges").click()
    expect(page.get_by_text("0 challenges found.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="New challenge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New challenge")
    assert_accessible(page)
    page.get_by_label(re.compile(r"^Title in English")).fill("Bike to school")
    description = page.get_by_label(re.compile(r"^Description in English"))
    description.fill("Leave the car at home.\n\nEvery trip by bike counts.")
    page.get_by_label(re.compile(r"^Category")).select_option(label="Mobility")
    page.get_by_label(re.compile(r"^What counts")).select_option(label="Sustainable trips – Mobility")
    page.get_by_label(re.compile(r"^Format")).select_option(label="Neighbourhoods compete")
    page.get_by_label(re.compile(r"^Start")).fill(starts)
    page.get_by_label(re.compile(r"^End")).fill(ends)
    page.get_by_label(re.compile(r"^Points per unit")).fill("2")
    page.get_by_label(re.compile(r"^Daily point cap")).fill("20")
    page.get_by_label(re.compile(r"^Personal goal")).fill("15")
    page.get_by_label(re.compile(r"^1st place")).fill("30")
    page.get_by_label(re.compile(r"^2nd place")).fill("20")
    page.get_by_label(re.compile(r"^3rd place")).fill("10")
    page.get_by_label(re.compile(r"^Completion bonus")).fill("25")
    page.get_by_label(re.compile(r"^Most km per day")).fill("80")
    page.get_by_role("button", name="Save draft").click()

    expect(page.get_by_role("status")).to_have_text("Draft saved. Check the preview, then publish it.")
    expect(page.locator(".banner-draft")).to_contain_text("Draft — not public.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bike to school")
    expect(page.locator(".description p")).to_have_text(["Leave the car at home.", "Every trip by bike counts."])
    rules = page.get_by_role("region", name="Rules")
    expect(rules).to_contain_text("You get 2 points for each")
    expect(rules).to_contain_text("You can earn at most 20 points a day.")
    expect(rules).to_contain_text("30 for 1st, 20 for 2nd and 10 for 3rd place")
    expect(rules).to_contain_text("Everyone who reaches 15 trips gets a completion bonus of 25 points.")
    expect(rules).to_contain_text("more than 80 km")
    assert_accessible(page)

    page.get_by_role("button", name="Publish challenge").click()
    expect(page.get_by_role("status")).to_have_text("“Bike to school” is published.")
    expect(page.locator(".banner-draft")).to_have_count(0)
    expect(page.locator(".challenge-meta .badge")).to_have_text("Upcoming")
    assert_accessible(page)
    page.get_by_role("link", name="Edit", exact=True).click()  # the times come back as they were entered
    expect(page.get_by_label(re.compile(r"^Start"))).to_have_value(starts)
    expect(page.get_by_label(re.compile(r"^End"))).to_have_value(ends)
    assert_accessible(page)

    other = new_page()
    log_in(other, resident)
    other.goto("/challenges")
    card = other.get_by_role("listitem").filter(has=other.get_by_role("link", name="Bike to school"))
    expect(card).to_contain_text("Upcoming")
    expect(card).to_contain_text("Mobility · Neighbourhoods compete")
    assert_accessible(other)
    card.get_by_role("link", name="Bike to school").click()
    expect(other.get_by_role("button", name="Join this challenge")).to_be_visible()
    expect(other.get_by_role("region", name="Manage this challenge")).to_have_count(0)
    assert_accessible(other)


def test_manager_errors_show_next_to_the_fields(app, page, make_user):
    """An end before the start, and publishing a draft without description or dates, show errors on the fields."""
    now = datetime.now(UTC)
    log_in(page, make_user(role=Role.MANAGER))
    page.goto("/challenges/new")
    page.get_by_label(re.compile(r"^Title in English")).fill("Lights off")
    page.get_by_label(re.compile(r"^Category")).select_option(label="Energy")
    page.get_by_label(re.compile(r"^What counts")).select_option(label="Car kilometres avoided – Mobility")
    page.get_by_label(re.compile(r"^Start")).fill(local(app, now + timedelta(days=3)))
    page.get_by_label(re.compile(r"^End")).fill(local(app, now + timedelta(days=2)))
    page.get_by_role("button", name="Save draft").click()

    expect(page.get_by_role("alert")).to_contain_text("Please correct the following:")
    end = page.get_by_label(re.compile(r"^End"))
    expect(end).to_have_attribute("aria-invalid", "true")
    expect(end).to_have_accessible_description(re.compile("The end must be after the start."))
    metric = page.get_by_label(re.compile(r"^What counts"))
    expect(metric).to_have_accessible_description(re.compile("This metric does not fit the category."))
    expect(page.get_by_label(re.compile(r"^Title in English"))).to_have_value("Lights off")  # what was typed stays
    assert_accessible(page)
    page.get_by_role("alert").get_by_role("link", name=re.compile(r"^End")).click()
    expect(end).to_be_focused()

    # A draft may be saved incomplete, but not published.
    page.get_by_label(re.compile(r"^What counts")).select_option(
        label="Share of usual electricity use saved (%) – Energy"
    )
    page.get_by_label(re.compile(r"^Start")).fill("")
    end.fill("")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status")).to_have_text("Draft saved. Check the preview, then publish it.")
    expect(page.get_by_text("Dates not set yet")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Publish challenge").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Fill in every field before publishing. Missing: Description, Start, End.")
    for name in ("description_en", "starts_at", "ends_at"):
        expect(page.locator(f"#{name}")).to_have_attribute("aria-invalid", "true")
        expect(page.locator(f"#{name}-error")).to_have_text("Needed before publishing.")
    assert_accessible(page)


def test_resident_sends_meter_readings(app, page, make_user, new_challenge):
    """A resident joins an energy challenge, sends two readings, sees the score move, then the chart and table."""
    # Scored in kWh: neighbourhoods compete (residents ranked one by one in energy score the share saved).
    challenge_id = new_challenge(title="Switch it off", format=Format.NEIGHBOURHOOD, metric=Metric.KWH_SAVED)
    resident = make_user(household_size=1)  # reference baseline: 4.38 kWh a day
    log_in(page, resident)
    page.goto(f"/challenges/{challenge_id}")
    expect(page.get_by_text("0 people take part.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Join this challenge").click()
    expect(page.get_by_role("status")).to_have_text("You take part in “Switch it off”. Good luck!")
    expect(score_line(page)).to_have_text(re.compile(r"^Your score: 0 kWh, 0 points\."))
    assert_accessible(page)
    challenge_fixtures.joined_at_the_start(app, challenge_id)  # so the readings of two days ago count

    reading = page.get_by_role("form", name="Send a meter reading")
    when = reading.get_by_label(re.compile(r"^Date and time of the reading"))
    expect(when).not_to_have_value("")  # now, as a default
    when.fill(local(app, datetime.now(UTC) - timedelta(days=2)))
    reading.get_by_label(re.compile(r"^Meter reading in kWh")).fill("1000")
    reading.get_by_role("button", name="Send reading").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("Saved. Your next reading shows what you used since this one.")
    expect(status).to_contain_text("Reading: 1,000 kWh")  # what was stored, as the resident writes numbers
    assert_accessible(page)

    # Two days later the meter shows 6 kWh more: 2.76 kWh less than the baseline of 2 × 4.38 kWh.
    reading.get_by_label(re.compile(r"^Meter reading in kWh")).fill("1006")
    reading.get_by_role("button", name="Send reading").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("Saved. It counts for 2.8 kWh and 27 points.")
    expect(status).to_contain_text("Reading: 1,006 kWh")  # what was stored, as the resident writes numbers
    expect(score_line(page)).to_have_text(re.compile(r"^Your score: 2\.8 kWh, 27 points\."))
    expect(page.get_by_role("progressbar", name="Your score compared with the highest score so far")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Your chart and everything you sent").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My progress: Switch it off")
    expect(page.get_by_role("img", name=re.compile("."))).to_have_count(1)
    daily = page.get_by_role("table", name="Your daily use in kWh, with the difference to your baseline")
    expect(daily.locator("tbody tr")).not_to_have_count(0)
    sent = page.get_by_role("table", name="Your readings and trips, newest first")
    expect(sent.locator("tbody tr")).to_have_count(2)
    expect(sent.locator("tbody tr").first).to_contain_text("Meter at 1,006 kWh")
    expect(sent.locator("tbody tr").first).to_contain_text("2.76 kWh, 27 points")
    assert_accessible(page)


def test_resident_logs_trips_and_sees_refusals(page, make_user, new_challenge):
    """A resident logs a trip and earns points; a duplicate and an implausible distance are refused on the field."""
    challenge_id = new_challenge(Category.MOBILITY, title="Car-free weeks")
    log_in(page, make_user())
    page.goto(f"/challenges/{challenge_id}")
    page.get_by_role("button", name="Join this challenge").click()
    expect(page.get_by_role("status")).to_have_text("You take part in “Car-free weeks”. Good luck!")
    assert_accessible(page)

    trip = page.get_by_role("form", name="Log a trip")
    expect(trip.get_by_label(re.compile(r"^Date of the trip"))).not_to_have_value("")  # today, as a default
    trip.get_by_label(re.compile(r"^How you travelled")).select_option(label="By bike")
    trip.get_by_label(re.compile(r"^Distance in km")).fill("12.5")
    trip.get_by_label("This trip replaced a car trip").check()
    trip.get_by_role("button", name="Log trip").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("Saved. It counts for 12.5 km and 125 points.")
    expect(status).to_contain_text("Trip: 12.5 km")  # what was stored, as the resident writes numbers
    expect(score_line(page)).to_have_text(re.compile(r"^Your score: 12\.5 km, 125 points\."))
    assert_accessible(page)

    trip.get_by_label(re.compile(r"^How you travelled")).select_option(label="By bike")
    trip.get_by_label(re.compile(r"^Distance in km")).fill("12.5")
    trip.get_by_label("This trip replaced a car trip").check()
    trip.get_by_role("button", name="Log trip").click()
    day = trip.get_by_label(re.compile(r"^Date of the trip"))
    expect(day).to_have_attribute("aria-invalid", "true")
    expect(day).to_have_accessible_description(re.compile(r"already sent exactly this trip.*\(Rule: no duplicates\.\)"))
    expect(page.get_by_role("alert")).to_contain_text("Date of the trip: You already sent exactly this trip.")
    assert_accessible(page)

    distance = trip.get_by_label(re.compile(r"^Distance in km"))
    distance.fill("2500")
    trip.get_by_role("button", name="Log trip").click()
    expect(distance).to_have_attribute("aria-invalid", "true")
    expect(distance).to_have_accessible_description(
        "The distance must be between 0 and 1,000 km. (Rule: plausible values only.)"
    )
    expect(distance).to_have_value("2500")
    expect(score_line(page)).to_have_text(re.compile(r"^Your score: 12\.5 km, 125 points\."))
    assert_accessible(page)

    page.get_by_role("link", name="Your chart and everything you sent").click()
    expect(page.get_by_role("table", name="Your counted trips per week").locator("tbody tr")).not_to_have_count(0)
    assert_accessible(page)


def test_keyboard_only_join_and_trip(page, make_user, new_challenge):
    """With the keyboard alone a resident joins a mobility challenge and logs a trip."""
    challenge_id = new_challenge(Category.MOBILITY, metric=Metric.SUSTAINABLE_TRIPS, title="Walk it")
    log_in(page, make_user())
    page.goto(f"/challenges/{challenge_id}")

    tab_to(page, page.get_by_role("button", name="Join this challenge"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("You take part in “Walk it”. Good luck!")

    trip = page.get_by_role("form", name="Log a trip")
    tab_to(page, trip.get_by_label(re.compile(r"^How you travelled")))
    page.keyboard.press("ArrowDown")  # from "On foot" to "By bike"
    expect(trip.get_by_label(re.compile(r"^How you travelled"))).to_have_value("bike")
    page.keyboard.press("Tab")
    page.keyboard.type("4")
    page.keyboard.press("Tab")
    expect(trip.get_by_label("This trip replaced a car trip")).to_be_focused()
    page.keyboard.press("Space")
    tab_to(page, trip.get_by_role("button", name="Log trip"))  # past the departure time's parts
    page.keyboard.press("Enter")
    status = page.get_by_role("status")
    expect(status).to_contain_text("Saved. It counts for 1 trip and 10 points.")
    expect(status).to_contain_text("Trip: 4 km")  # what was stored, as the resident writes numbers
    expect(score_line(page)).to_have_text(re.compile(r"^Your score: 1 trip, 10 points\."))
    assert_accessible(page)


def test_without_javascript_join_and_reading(app, new_page, make_user, new_challenge):
    """With JavaScript off a resident joins an energy challenge and sends a reading; a falling one is refused."""
    challenge_id = new_challenge(title="Quiet meters")
    page = new_page(java_script_enabled=False)
    checker = new_page()
    log_in(page, make_user())
    page.goto(f"/challenges/{challenge_id}")
    assert_accessible_without_script(page, checker)

    page.get_by_role("button", name="Join this challenge").click()
    expect(page.get_by_role("status")).to_have_text("You take part in “Quiet meters”. Good luck!")
    reading = page.get_by_role("form", name="Send a meter reading")
    yesterday = local(app, datetime.now(UTC) - timedelta(days=1))
    reading.get_by_label(re.compile(r"^Date and time of the reading")).fill(yesterday)
    reading.get_by_label(re.compile(r"^Meter reading in kWh")).fill("5200")
    reading.get_by_role("button", name="Send reading").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("Saved. Your next reading shows what you used since this one.")
    expect(status).to_contain_text("Reading: 5,200 kWh")  # what was stored, as the resident writes numbers
    assert_accessible_without_script(page, checker)

    meter = reading.get_by_label(re.compile(r"^Meter reading in kWh"))
    meter.fill("5100")
    reading.get_by_role("button", name="Send reading").click()
    expect(meter).to_have_attribute("aria-invalid", "true")
    refusal = re.compile(r"must rise over time.*\(Rule: meter readings must rise\.\)")
    expect(meter).to_have_accessible_description(refusal)
    assert_accessible_without_script(page, checker)


# What a resident reads and types in each language when sending a meter reading.
NUMBER_WORDS = {
    "en": {
        "browser": "en-GB", "typed": "10,018.5", "confirmed": "Reading: 10,018.5 kWh at",
        "listed": "Meter at 10,018.5 kWh",
        "form": "Send a meter reading", "field": re.compile(r"^Meter reading in kWh"), "send": "Send reading",
        "hint": "Write the number like 10,018.5 or 10018.5.", "summary": "Please correct the following:",
        "mine": "Your chart and everything you sent", "sent": "Your readings and trips, newest first",
    },
    "de": {
        "browser": "de-DE", "typed": "10018,5", "confirmed": "Zählerstand: 10.018,5 kWh am",
        "listed": "Zählerstand 10.018,5 kWh", "form": "Zählerstand senden", "field": re.compile(r"^Zählerstand in kWh"),
        "send": "Zählerstand senden", "hint": "Schreiben Sie die Zahl in der Form 10.018,5 oder 10018,5.",
        "summary": "Bitte korrigieren Sie Folgendes:", "mine": "Ihr Diagramm und alles, was Sie gesendet haben",
        "sent": "Ihre Zählerstände und Wege, die neuesten zuerst",
    },
}  # fmt: skip


def assert_reflows_and_accessible(page: Page) -> None:
    """The resident's own 200 % text is in force; the page passes axe and reflows (assert_accessible checks both)."""
    expect(page.locator("html")).to_have_class(re.compile(r"\bts-200\b"))
    assert_accessible(page)


def stored_meter_values(app) -> list[float]:
    with app.app_context():
        return list(db.session.scalars(db.select(Submission.meter_kwh).order_by(Submission.id)))


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_meter_reading_is_typed_as_the_residents_language_writes_numbers(
    app, new_page, make_user, make_challenge, language
):
    """German 10018,5 and English 10,018.5 are stored as 10018.5 and said back as the resident writes numbers;
    10.0.1 is refused with an example. Every page state reflows at 200 % text and passes axe."""
    words = NUMBER_WORDS[language]
    now = datetime.now(UTC)
    resident = make_user(household_size=2, language=language)
    with app.app_context():
        challenge = make_challenge(now=now, title="Zähler im Blick")
        participation.join(challenge, db.session.merge(resident), now=now)
        db.session.commit()
        challenge_id = challenge.id
    set_text_size(app, resident)
    page = new_page(locale=words["browser"], viewport={"width": 390, "height": 844})
    page.goto("/login")
    assert_accessible(page)  # before logging in the text size is the visitor's own
    log_in(page, resident, language=language)
    page.goto(f"/challenges/{challenge_id}")
    assert_reflows_and_accessible(page)

    reading = page.get_by_role("form", name=words["form"])
    meter = reading.get_by_label(words["field"])
    expect(meter).to_have_attribute("type", "text")
    expect(meter).to_have_attribute("inputmode", "decimal")
    reading.get_by_label(re.compile(r"^(Date and time of the reading|Datum und Uhrzeit der Ablesung)")).fill(
        local(app, now - timedelta(hours=2))
    )
    meter.fill(words["typed"])
    reading.get_by_role("button", name=words["send"]).click()
    expect(page.get_by_role("status")).to_contain_text(words["confirmed"])
    assert stored_meter_values(app) == [10018.5]
    assert_reflows_and_accessible(page)

    meter.fill("10.0.1")
    reading.get_by_role("button", name=words["send"]).click()
    expect(meter).to_have_attribute("aria-invalid", "true")
    expect(meter).to_have_accessible_description(re.compile(re.escape(words["hint"])))
    expect(meter).to_have_value("10.0.1")  # what was typed stays, to be corrected
    expect(page.get_by_role("alert")).to_contain_text(words["summary"])
    expect(page.get_by_role("alert")).to_contain_text(words["hint"])
    assert stored_meter_values(app) == [10018.5]
    assert_reflows_and_accessible(page)

    page.get_by_role("link", name=words["mine"]).click()
    sent = page.get_by_role("table", name=words["sent"])
    expect(sent.locator("tbody tr")).to_have_count(1)
    expect(sent.locator("tbody tr").first).to_contain_text(words["listed"])
    assert_reflows_and_accessible(page)


@pytest.fixture
def flagged_trips(app, make_user, make_challenge):
    """A running mobility challenge where two residents each logged a trip too long to count unchecked."""
    now = datetime.now(UTC)
    with app.app_context():
        challenge = make_challenge(Category.MOBILITY, now=now, title="Long rides", max_km_per_day=50.0)
        for name, km in (("Ana", 60.0), ("Ben", 70.0)):
            resident = db.session.merge(make_user(pseudonym=name))
            enrollment = participation.join(challenge, resident, now=now)
            day = local_date(now)
            submit_trip(enrollment, day, Mode.BIKE, km, True, now=now)
        db.session.commit()
        return challenge.id


def test_manager_reviews_flagged_submissions(app, page, make_user, flagged_trips):
    """A manager rejects one held trip (a reason is required) and approves the other in the review queue."""
    log_in(page, make_user(role=Role.MANAGER))
    page.goto(f"/challenges/{flagged_trips}")
    page.get_by_role("link", name="Review queue (2 waiting)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review queue: Long rides")
    expect(page.get_by_text("2 submissions wait for review.")).to_be_visible()
    assert_accessible(page)

    ana = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Trip by Ana"))
    expect(ana).to_contain_text("60 km in one day is more than the 50 km this challenge expects")
    ana.get_by_role("button", name="Reject with this reason").click()
    reason = ana.get_by_label("Reason for the resident")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(reason).to_have_accessible_description(re.compile(r"Tell the resident why it is rejected\."))
    assert_accessible(page)

    reason.fill("The ride was logged twice.")
    ana.get_by_role("button", name="Reject with this reason").click()
    expect(page.get_by_role("status")).to_have_text("Rejected; the resident sees why.")
    expect(page.get_by_text("1 submission waits for review.")).to_be_visible()
    assert_accessible(page)

    ben = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Trip by Ben"))
    ben.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_have_text("Approved: it counts now.")
    expect(page.get_by_text("Nothing waits for review.")).to_be_visible()
    assert_accessible(page)

    with app.app_context():
        decided = {s.user.pseudonym: s for s in db.session.scalars(db.select(Submission))}
        assert decided["Ana"].status == SubmissionStatus.REJECTED
        assert decided["Ana"].review_reason == "The ride was logged twice."
        assert decided["Ben"].status == SubmissionStatus.ACCEPTED
        assert decided["Ben"].points == 700


def set_text_size(app, *users, scale: int = 200) -> None:
    """Store a text size on the users' profiles, as the display settings would."""
    with app.app_context():
        for user in users:
            db.session.get(User, user.id).text_scale = scale
        db.session.commit()


def test_challenge_pages_reflow_at_200_percent_text(app, new_page, make_user, make_challenge):
    """At 200 % text on a 390 px wide screen no challenge page scrolls sideways, and each passes axe."""
    now = datetime.now(UTC)
    manager, resident = make_user(role=Role.MANAGER), make_user()
    with app.app_context():
        energy = make_challenge(now=now, title="Switch it off", completion_goal=20.0, daily_point_cap=50)
        authoring.update_challenge(energy, db.session.merge(manager), now=now, description="Changed.\n\nTwice.")
        co2 = make_challenge(Category.MOBILITY, now=now, metric=Metric.CO2_KG_AVOIDED, title="Clean air")
        make_challenge(Category.MOBILITY, now=now, format=Format.COLLECTIVE, target=5000.0, title="City rides")
        make_challenge(publish=False, now=now, title="A draft")
        member = db.session.merge(resident)
        reader = participation.join(energy, member, now=now)
        for days_ago, meter in ((6, 1000.0), (3, 1010.0), (0, 1025.0)):
            submit_reading(reader, now - timedelta(days=days_ago, hours=1), meter, now=now)
        traveller = participation.join(co2, member, now=now)
        today = local_date(now)
        submit_trip(traveller, today, Mode.WALK, 3.0, True, now=now)
        submit_trip(traveller, today, Mode.CARPOOL, 200.0, True, now=now)  # held for review
        db.session.commit()
        energy_id, co2_id = energy.id, co2.id
    set_text_size(app, manager, resident)  # after the merges above, which copy the builders' values back

    pages = {
        resident: [
            f"/challenges/{energy_id}",
            f"/challenges/{energy_id}/me",
            f"/challenges/{co2_id}",
            f"/challenges/{co2_id}/me",
            f"/challenges/{co2_id}/upload",
        ],
        manager: [
            "/challenges",
            f"/challenges/{energy_id}",
            "/challenges/new",
            f"/challenges/{energy_id}/edit",
            f"/challenges/{co2_id}/review",
        ],
    }
    for user, paths in pages.items():
        page = new_page(viewport={"width": 390, "height": 844})
        log_in(page, user)
        for path in paths:
            page.goto(path)
            expect(page.locator("html")).to_have_class(re.compile(r"\bts-200\b"))
            assert_accessible(page)  # with reflow at 320 px and 200 % text
