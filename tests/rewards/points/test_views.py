"""Pages of a resident's points: balance and level, the history with filters, the CSV file, the profile."""

import csv
import io
from datetime import UTC, date, datetime, time, timedelta

import pytest

from app.extensions import db
from challenges import participation
from challenges.kinds.trip import submit_trip
from challenges.scoring import Category, Mode
from rewards.points import services
from tests.challenges.conftest import NOW, make_challenge  # noqa: F401
from tests.pages import Page
from tests.rewards.conftest import as_user, redeemed_code, text_of


def test_my_points_shows_balance_level_and_history(app, make_user, new_reward, give):
    """Balance, level with progress to the next one, and every entry with its reason and sign."""
    reward = new_reward(title="Pool day", cost=40)
    client = as_user(app, make_user)
    give(client.user, 150)
    redeemed_code(client, reward)
    response = client.get("/me/points")
    page, text = Page(response), text_of(response)
    assert "110 points" in text and "Level 2: Contributor" in text and "Earned in all 150 points" in text
    progress = page.all("progress")[0]
    assert progress.attrs["max"] == "200" and progress.attrs["value"] == "50"
    assert "150 more points to reach level 3." in text
    assert "Completion bonus: you reached the goal of “Test”" in text and "+150" in text
    assert "Redeemed: Pool day" in text and "−40" in text
    assert page.all("a", href="/me/points.csv")


def test_history_filters_by_kind_and_dates_and_paginates(app, make_user, new_reward, give):
    """The kind and the date range narrow the history; the pages keep the filters."""
    reward = new_reward(cost=10)
    client = as_user(app, make_user)
    give(client.user, 100, now=datetime(2025, 1, 10, 12, tzinfo=UTC))
    give(client.user, 100, now=datetime(2025, 2, 10, 12, tzinfo=UTC))
    redeemed_code(client, reward)
    text = text_of(client.get("/me/points?kind=redemption"))
    assert "1 entry." in text and "Redeemed" in text
    text = text_of(client.get("/me/points?since=2025-02-01&until=2025-02-10"))
    assert "1 entry." in text and "+100" in text
    assert "No entries for these filters." in text_of(client.get("/me/points?since=2025-03-01&until=2025-03-02"))
    for number in range(30):
        give(client.user, 1, now=datetime(2025, 4, 1, 12, tzinfo=UTC) + timedelta(minutes=number))
    page = Page(client.get("/me/points?kind=bonus"))
    assert "Page 1 of 2" in page.root.text
    assert page.all("a", rel="next")[0].attrs["href"] == "/me/points?page=2&kind=bonus"


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("since=2025-13-45", "since", "Not a valid date value."),
        ("until=yesterday", "until", "Not a valid date value."),
        ("since=1500-01-01", "since", "Enter a date between the years 2000 and 2200."),
        ("since=2025-03-02&until=2025-03-01", "until", "The last day must not be before the first day."),
    ],
)
def test_bad_dates_are_form_errors(app, make_user, query, field, message):
    """A date that is no date is shown on its field, for the page and for the CSV link."""
    client = as_user(app, make_user)
    for path in ("/me/points", "/me/points.csv"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 422
        assert Page(response).field_error(field) == message


def test_csv_download_has_the_filtered_history(app, make_user, new_reward, give):
    """The CSV is an attachment with one row per entry, filtered like the page."""
    reward = new_reward(title="Pool day", cost=30)
    client = as_user(app, make_user)
    give(client.user, 100, now=datetime(2025, 1, 10, 12, tzinfo=UTC))
    redeemed_code(client, reward)
    response = client.get("/me/points.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["kind"] for row in rows] == ["redemption", "bonus"]
    assert rows[0]["amount"] == "-30" and rows[0]["reason"] == "Redeemed: Pool day"
    assert rows[1]["date"] == "2025-01-10T13:00:00+01:00"
    rows = list(csv.DictReader(io.StringIO(client.get("/me/points.csv?kind=bonus").get_data(as_text=True))))
    assert [row["amount"] for row in rows] == ["100"]


def test_profile_shows_level_and_balance(app, make_user, give):
    """The profile shows level and balance, with a link to my points."""
    client = as_user(app, make_user)
    give(client.user, 320)
    page = Page(client.get("/profile"))
    assert "Level 3: Regular" in page.root.text and "320 points" in page.root.text
    assert page.all("a", href="/me/points")


def test_levels_use_lifetime_points_not_the_balance(app, make_user, new_reward, give, read):
    """Spending does not lower the level shown."""
    reward = new_reward(cost=100)
    client = as_user(app, make_user)
    give(client.user, 100)
    redeemed_code(client, reward)
    text = text_of(client.get("/me/points"))
    assert "Level 2: Contributor" in text and "Balance 0 points" in text
    assert read(lambda: services.summary(client.user.id)).lifetime == 100


@pytest.mark.parametrize(("language", "activity"), [("en", "for activity on 1 Mar 2026"),
                                                    ("de", "für die Aktivität vom 01.03.2026")])  # fmt: skip
def test_history_shows_the_activity_day_beside_the_booking(app, make_user, make_challenge, login, language, activity):  # noqa: F811
    """Points for a trip sent days later show the trip's day beside the booking time; other entries do not."""
    client = app.test_client()
    client.user = make_user(language=language)
    with app.app_context():
        enrollment = participation.join(make_challenge(Category.MOBILITY), db.session.merge(client.user), now=NOW)
        submit_trip(enrollment, date(2026, 3, 1), Mode.BIKE, 5.0, True, trip_time=time(8), now=NOW)
        db.session.commit()
    login(client, client.user)
    text = text_of(client.get("/me/points"))
    assert activity in text and text.count(activity) == 1
    assert ("Booked" if language == "en" else "Gebucht") in text  # the column's time is the booking's
    rows = list(csv.DictReader(io.StringIO(client.get("/me/points.csv").get_data(as_text=True))))
    assert [row["activity_day"] for row in rows] == ["2026-03-01"]
