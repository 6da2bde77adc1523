# ruff: noqa: F811  (make_challenge is an imported fixture, named again as a test argument)
"""Concurrent requests never oversell, overspend, credit twice or use a voucher twice.

Each thread is one request: its own app context, session and transaction, committed or rolled
back by itself. The 50-thread races run on PostgreSQL, with a pool large enough that all 50
really are in the database at once. SQLite lets one writer in at a time, so there a few threads
(and a sequential run) show the same rules hold and nothing but the domain errors comes out.
"""

import itertools
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from accounts.models import Role, User
from app import create_app
from app.config import TestConfig
from app.extensions import db
from app.locks import lock_resident
from challenges import participation, results
from challenges.models import Challenge
from rewards import earnings, errors, ledger
from rewards.catalogue import redemption, services, vouchers
from rewards.models import EntryKind, LedgerEntry, Reward, Voucher, VoucherStatus
from tests.challenges.conftest import make_challenge  # noqa: F401  (a fixture used here)
from tests.races import one_race_at_a_time
from tests.rewards.conftest import NOW, grant

THREADS = 50
ROUNDS = 6
needs_postgres = pytest.mark.usefixtures("postgres_only")


@pytest.fixture
def postgres_only(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("50 truly concurrent transactions need PostgreSQL; SQLite runs one writer at a time "
                    "(its threaded tests below use a few threads)")  # fmt: skip


@pytest.fixture(scope="module")
def race_app(database_url):
    """The app again, with a connection for every thread, so the race happens inside the database."""
    settings = {"SQLALCHEMY_DATABASE_URI": database_url, "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": THREADS + 2}}
    with one_race_at_a_time(database_url):
        app = create_app(type("RaceTestConfig", (TestConfig,), settings))
        yield app
        with app.app_context():
            db.engine.dispose()


def race(app, count: int, work) -> list[tuple]:
    """Run `work(i)` in `count` threads released together; ("ok", value), ("refused", error) or ("crash", repr)."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def one(index: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                value = work(index)
                db.session.commit()
                results[index] = ("ok", value)
            except errors.RewardError as error:
                db.session.rollback()
                results[index] = ("refused", error)
            except Exception as error:  # anything else is what the test looks for
                db.session.rollback()
                results[index] = ("crash", repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=one, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert [r for r in results if r is None or r[0] == "crash"] == [], "every request ends in success or a domain error"
    return results


def outcomes(results) -> dict:
    """How many requests succeeded and how many were refused with each error."""
    counted = {}
    for kind, value in results:
        key = "ok" if kind == "ok" else type(value).__name__
        counted[key] = counted.get(key, 0) + 1
    return counted


def _residents(make_user, count: int, points: int) -> list[int]:
    ids = []
    for _ in range(count):
        user = make_user()
        grant(user.id, points)
        ids.append(user.id)
    return ids


def _balances(user_ids) -> list[int]:
    return [ledger.balance(user_id) for user_id in user_ids]


def _redeem_last_item(app, make_user, make_reward, count: int) -> None:
    """`count` residents with enough points race for a reward with one item left."""
    with app.app_context():
        residents = _residents(make_user, count, 150)
        reward_id = make_reward(cost=100, stock=1).id

    def work(index):
        user, reward = db.session.get(User, residents[index]), db.session.get(Reward, reward_id)
        return redemption.redeem(user, reward, now=NOW)[0].id

    assert outcomes(race(app, count, work)) == {"ok": 1, "SoldOut": count - 1}
    with app.app_context():
        reward = db.session.get(Reward, reward_id)
        assert (reward.stock, reward.redeemed_count) == (0, 1)
        assert db.session.scalar(select(func.count(Voucher.id))) == 1
        balances = _balances(residents)
        assert sorted(balances) == [50] + [150] * (count - 1)


def _overspend(app, make_user, make_partner, count: int) -> None:
    """One resident with points for 3 of `count` rewards redeems all of them at once."""
    with app.app_context():
        resident = _residents(make_user, 1, 100)[0]
        partner = make_partner()
        reward_ids = [services.create_reward(partner_id=partner.id, title=f"R{i}", cost=30).id for i in range(count)]
        db.session.commit()

    def work(index):
        user, reward = db.session.get(User, resident), db.session.get(Reward, reward_ids[index])
        return redemption.redeem(user, reward, now=NOW)[0].id

    assert outcomes(race(app, count, work)) == {"ok": 3, "InsufficientPoints": count - 3}
    with app.app_context():
        amounts = db.session.scalars(select(LedgerEntry.amount).where(LedgerEntry.user_id == resident)).all()
        assert ledger.balance(resident) == sum(amounts) == 10
        assert sorted(amounts) == [-30, -30, -30, 100]


def _same_key(app, make_user, count: int, one_resident: bool) -> None:
    """`count` requests credit the same event; exactly one entry is booked and all see it."""
    with app.app_context():
        residents = [make_user().id for _ in range(1 if one_resident else count)]

    def work(index):
        user_id = residents[0 if one_resident else index]
        entry = ledger.credit(user_id, 25, EntryKind.BONUS, "completion", ("challenge", 1), "challenge:1:once",
                              params={"challenge": "Race"}, now=NOW)  # fmt: skip
        return entry.id

    results = race(app, count, work)
    assert outcomes(results) == {"ok": count}
    with app.app_context():
        entries = db.session.scalars(select(LedgerEntry)).all()
        assert len(entries) == 1
        assert {value for _kind, value in results} == {entries[0].id}
        assert sum(_balances(residents)) == 25


def _validate_once(app, make_user, make_reward, count: int) -> None:
    """`count` partners scan the same voucher at once: exactly one accepts it."""
    with app.app_context():
        resident = _residents(make_user, 1, 100)[0]
        code = redemption.redeem(db.session.get(User, resident), make_reward(), now=NOW)[0].code
        db.session.commit()
        managers = [make_user(role=Role.MANAGER).id for _ in range(count)]

    def work(index):
        return vouchers.validate_voucher(code, db.session.get(User, managers[index]), now=NOW).id

    results = race(app, count, work)
    assert outcomes(results) == {"ok": 1, "VoucherNotUsable": count - 1}
    assert {error.rule for kind, error in results if kind == "refused"} == {"used"}
    with app.app_context():
        voucher = vouchers.find_voucher(code)
        assert voucher.status == VoucherStatus.USED
        assert voucher.validated_by_id == managers[next(i for i, (kind, _v) in enumerate(results) if kind == "ok")]


# PostgreSQL: 50 at once ------------------------------------------------------------------------


@needs_postgres
def test_fifty_residents_race_for_the_last_item(race_app, make_user, make_reward):
    """Exactly one voucher; 49 SoldOut; stock 0; only the winner paid."""
    _redeem_last_item(race_app, make_user, make_reward, THREADS)


@needs_postgres
def test_one_resident_never_overspends(race_app, make_user, make_partner):
    """50 redemptions of different rewards at once with points for 3: 3 vouchers, balance 10, never below 0."""
    _overspend(race_app, make_user, make_partner, THREADS)


@needs_postgres
def test_two_redemptions_and_a_credit_at_once_never_overspend_or_deadlock(race_app, make_user, make_partner):
    """One resident redeems two rewards while points are credited, round after round: never below 0, no deadlock.

    With 100 points, rewards of 60 and a credit of 50, one or both redemptions succeed, depending on
    whether the credit came first; it comes a little later each round. Balance checks pause a moment,
    so without the resident's lock both redemptions would pass on the 100 points; with it they queue,
    and the entries in booking order never dip below zero.
    """
    with race_app.app_context():
        residents = _residents(make_user, ROUNDS, 100)
        partner = make_partner()
        reward_ids = [services.create_reward(partner_id=partner.id, title=f"R{i}", cost=60).id for i in range(2)]
        db.session.commit()
    balance = ledger.balance

    def slow_balance(user_id):
        found = balance(user_id)
        threading.Event().wait(0.05)
        return found

    def round_of(resident: int, credit_after: float):
        def work(index):
            if index == 2:
                threading.Event().wait(credit_after)
                return ledger.credit(resident, 50, EntryKind.BONUS, "completion", ("challenge", 1),
                                     f"challenge:1:{resident}", params={"challenge": "Race"}, now=NOW).id  # fmt: skip
            user, reward = db.session.get(User, resident), db.session.get(Reward, reward_ids[index])
            return redemption.redeem(user, reward, now=NOW)[0].id

        return work

    for number, resident in enumerate(residents):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(ledger, "balance", slow_balance)
            counted = outcomes(race(race_app, 3, round_of(resident, credit_after=0.04 * number)))
        redeemed = counted["ok"] - 1
        assert counted.get("InsufficientPoints", 0) == 2 - redeemed and redeemed in (1, 2)
        with race_app.app_context():
            amounts = db.session.scalars(
                select(LedgerEntry.amount).where(LedgerEntry.user_id == resident).order_by(LedgerEntry.id)
            ).all()
            assert min(itertools.accumulate(amounts)) >= 0
            assert ledger.balance(resident) == sum(amounts) == 150 - 60 * redeemed
            assert db.session.scalar(select(func.count(Voucher.id)).where(Voucher.user_id == resident)) == redeemed


@needs_postgres
@pytest.mark.parametrize("one_resident", [True, False], ids=["same-resident", "different-residents"])
def test_fifty_credits_of_one_event_book_one_entry(race_app, make_user, one_resident):
    """The same source key from 50 requests: one entry, and every request is answered with it."""
    _same_key(race_app, make_user, THREADS, one_resident)


@needs_postgres
def test_fifty_partners_validate_one_voucher(race_app, make_user, make_reward):
    """Exactly one validation succeeds; the others hear "already used"."""
    _validate_once(race_app, make_user, make_reward, THREADS)


# Both databases: a few threads, and one after another ------------------------------------------


def test_a_few_threads_never_oversell(app, make_user, make_reward):
    """8 threads for the last item: one voucher, the rest SoldOut, no other error (SQLite too)."""
    _redeem_last_item(app, make_user, make_reward, 8)


def test_a_few_threads_never_overspend(app, make_user, make_partner):
    """8 threads of one resident with points for 3 rewards: 3 vouchers, no other error (SQLite too)."""
    _overspend(app, make_user, make_partner, 8)


def test_a_few_threads_credit_once_and_validate_once(app, make_user, make_reward):
    """8 threads crediting one event book one entry; 8 validating one voucher use it once (SQLite too)."""
    _same_key(app, make_user, 8, one_resident=False)
    _validate_once(app, make_user, make_reward, 8)


def test_one_after_another_never_oversells(ctx, make_user, make_reward, fund):
    """Residents redeeming in turn get the stock and no more; a cancelled item can be had again."""
    reward = make_reward(cost=10, stock=3)
    people = [make_user() for _ in range(5)]
    for person in people:
        fund(person.id, 10)
    results = []
    for person in people:
        try:
            results.append(redemption.redeem(person, reward, now=NOW)[0])
            db.session.commit()
        except errors.SoldOut:
            db.session.rollback()
            results.append(None)
    assert [voucher is not None for voucher in results] == [True, True, True, False, False]
    assert reward.stock == 0 and reward.redeemed_count == 3
    redemption.cancel_voucher(results[0], people[0], now=NOW + timedelta(hours=1))
    redemption.redeem(people[3], reward, now=NOW)
    db.session.commit()
    assert reward.stock == 0 and reward.redeemed_count == 3
    assert _balances([p.id for p in people]) == [10, 0, 0, 0, 10]


@needs_postgres
def test_expiry_job_and_a_redemption_do_not_deadlock(race_app, make_user, make_reward):
    """The expiry job refunds A and B while B redeems the same reward: both finish, neither deadlocks.

    B's request holds B's lock when the job (having touched the reward for A) reaches B; if the
    job took the reward before all the residents it needs, the two would wait for each other.
    """
    with race_app.app_context():
        first, second = _residents(make_user, 2, 300)
        reward_id = make_reward(cost=100, stock=5).id
        for user_id in (first, second):
            redemption.redeem(db.session.get(User, user_id), db.session.get(Reward, reward_id), now=NOW)
        db.session.commit()
    later = NOW + timedelta(days=200)
    b_holds_its_account = threading.Event()

    def work(index):
        if index == 0:  # B's request: takes B's lock, lets the job run into it, then redeems
            lock_resident(second)
            b_holds_its_account.set()
            threading.Event().wait(1.0)
            return redemption.redeem(db.session.get(User, second), db.session.get(Reward, reward_id), now=later)[0].id
        b_holds_its_account.wait(10)
        return redemption.expire_vouchers(now=later)

    assert outcomes(race(race_app, 2, work)) == {"ok": 2}
    with race_app.app_context():
        assert _balances([first, second]) == [300, 200]
        assert db.session.get(Reward, reward_id).stock == 4


@needs_postgres
def test_closing_a_challenge_and_the_expiry_job_do_not_deadlock(race_app, make_user, make_reward, make_challenge):
    """Closing pays two finishers while the expiry job refunds both: both finish, neither deadlocks.

    The finishers joined in the opposite order of their ids. Paying them in joining order would take
    the later account first; the job, taking accounts in id order, would then hold the earlier one and
    each would wait for the other. The pay-out pauses after its first entry to let the job run into it.
    """
    with race_app.app_context():
        earlier, later = _residents(make_user, 2, 300)
        reward_id = make_reward(cost=100, stock=5).id
        for user_id in (earlier, later):
            redemption.redeem(db.session.get(User, user_id), db.session.get(Reward, reward_id), now=NOW)
        challenge = make_challenge(completion_goal=1.0, completion_bonus=10)
        for user_id in (later, earlier):
            enrollment = participation.join(challenge, db.session.get(User, user_id), now=NOW)
            enrollment.score = 5.0
        db.session.commit()
        challenge_id = challenge.id
    after_expiry = NOW + timedelta(days=200)
    paying, first_entry_booked = threading.local(), threading.Event()
    post = ledger.post

    def pausing_post(*args, **kwargs):
        result = post(*args, **kwargs)
        if getattr(paying, "active", False) and not first_entry_booked.is_set():
            first_entry_booked.set()
            threading.Event().wait(1.0)  # the job now takes what it can and waits for the rest
        return result

    def work(index):
        if index == 0:
            paying.active = True
            return earnings.pay_challenge(
                results.closing_results(db.session.get(Challenge, challenge_id)), now=after_expiry
            )
        first_entry_booked.wait(10)
        return redemption.expire_vouchers(now=after_expiry)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ledger, "post", pausing_post)
        assert outcomes(race(race_app, 2, work)) == {"ok": 2}
    with race_app.app_context():
        assert _balances([earlier, later]) == [310, 310]
