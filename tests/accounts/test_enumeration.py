"""No account enumeration: log-in takes the same time for known and unknown addresses, and registering with
an address that has an account answers as a new registration does, while its owner is told."""

import statistics
import time

from sqlalchemy import func, select

from accounts.models import User
from app.extensions import db
from notifications.models import Notification, OutboxEmail
from tests.accounts.test_views import register_data
from tests.pages import Page

ROUNDS = 20


def _failed_login_time(client, email: str) -> float:
    started = time.perf_counter()
    response = client.post("/login", data={"email": email, "password": "wrong but long enough"})
    elapsed = time.perf_counter() - started
    assert response.status_code == 422
    return elapsed


def test_log_in_takes_as_long_for_unknown_addresses_as_for_known_ones(app, client, make_user, monkeypatch):
    """Median of 20 failed log-ins with a known address and 20 with an unknown one: within 20 % of each other.

    (Before, an unknown address cost two argon2 operations and a known one one: twice as long, no overlap.)
    """
    # A real cost, so argon2 and not the request's other work decides the time.
    monkeypatch.setitem(app.config, "ARGON2_TIME_COST", 2)
    monkeypatch.setitem(app.config, "ARGON2_MEMORY_COST", 16384)
    known = make_user().email  # hashed with that cost: no rehash on log-in
    _failed_login_time(client, "warm-up@example.org")
    known_times, unknown_times = [], []
    for number in range(ROUNDS):  # interleaved, so a slow moment of the machine hits both alike
        known_times.append(_failed_login_time(client, known))
        unknown_times.append(_failed_login_time(client, f"nobody{number}@example.org"))
    known_median, unknown_median = statistics.median(known_times), statistics.median(unknown_times)
    assert abs(known_median - unknown_median) <= 0.2 * max(known_median, unknown_median), (known_median, unknown_median)


def _count(app, model, *conditions) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def test_a_taken_address_registers_like_a_new_one(app, make_user, make_neighbourhood, monkeypatch):
    """Same status, same redirect, same message as a new account; nothing is created, and the owner is told
    in-app and by email ("someone tried to register with your address")."""
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")  # email possible: it is queued, not sent here
    owner = make_user(email="taken@example.org")
    neighbourhood = make_neighbourhood()
    fresh, taken = app.test_client(), app.test_client()
    new_answer = fresh.post("/register", data=register_data(neighbourhood, pseudonym="Green Heron"))
    taken_answer = taken.post(
        "/register", data=register_data(neighbourhood, email="Taken@Example.org", pseudonym="Grey Heron")
    )

    assert (taken_answer.status_code, taken_answer.location) == (new_answer.status_code, new_answer.location)
    assert Page(taken.get("/")).flashes == [("success", "Welcome to Civiquest, Grey Heron!")]
    assert _count(app, User, User.email == "taken@example.org") == 1
    assert _count(app, User, User.pseudonym == "Grey Heron") == 0
    notice = Notification.user_id == owner.id, Notification.message == "registration_attempted"
    assert _count(app, Notification, *notice) == 1
    assert _count(app, OutboxEmail, OutboxEmail.to_address == "taken@example.org") == 1
