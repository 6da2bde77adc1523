"""The points ledger: property tests over any interleaving of what moves points, and its small rules."""

import csv
import io
from datetime import timedelta

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import delete, select

from accounts.models import Role
from app.extensions import db
from rewards import errors, ledger
from rewards.catalogue import redemption, services, vouchers
from rewards.models import EntryKind, LedgerEntry, Reward, Voucher
from rewards.points import services as points
from rewards.points.services import level_for
from tests.rewards.conftest import NOW

EARNING = [EntryKind.ACTIVITY, EntryKind.BONUS, EntryKind.PRIZE, EntryKind.STREAK, EntryKind.DATA_CREDIT]
KEYS = ["a", "b", "c", "d", "e"]
VALID_DAYS = 90
NEVER_REVERSIBLE = (EntryKind.REVERSAL, EntryKind.REFUND)


def _wipe_rewards() -> None:
    """Empty what the ledger machine writes, so each example starts from nothing (users stay)."""
    for model in (Voucher, Reward, LedgerEntry):
        db.session.execute(delete(model))
    db.session.commit()


class LedgerMachine(RuleBasedStateMachine):
    """Two residents; credits, redemptions, cancellations, expiry, validation, settle and reverse in any order.

    The model keeps what every balance, lifetime total and stock should be; after each step the
    database must agree, and no entry seen before may have changed or gone.
    """

    residents: list = []  # set by the test: two residents, a manager and a partner
    manager = None
    partner = None

    def __init__(self):
        super().__init__()
        _wipe_rewards()
        self.now = NOW
        self.rewards = [
            services.create_reward(partner_id=self.partner.id, title="Pool", cost=30, stock=3, per_resident_limit=2),
            services.create_reward(partner_id=self.partner.id, title="Museum", cost=70,
                                   valid_until=NOW + timedelta(days=40)),
        ]  # fmt: skip
        db.session.commit()
        self.stock = [3, None]
        ids = [user.id for user in self.residents]
        self.balance = dict.fromkeys(ids, 0)
        self.lifetime = dict.fromkeys(ids, 0)
        self.keyed = {}  # source key -> entry id
        self.net = {}  # (user id, source type, source id) -> points it still credits
        self.vouchers = {}  # voucher id -> {"user", "reward", "cost", "status", "expires"}
        self.replays = {}  # (user id, idempotency key) -> voucher id
        self.reversed = {}  # entry id -> its reversal's id
        self.seen = {}  # entry id -> its columns when first seen

    # Helpers -----------------------------------------------------------------------------

    def _move(self, user_id: int, amount: int, earning: bool) -> None:
        self.balance[user_id] += amount
        if earning:
            self.lifetime[user_id] += amount

    def _live(self, user_id: int, reward: int) -> int:
        return sum(
            1 for v in self.vouchers.values()
            if v["user"] == user_id and v["reward"] == reward and v["status"] in ("issued", "used")
        )  # fmt: skip

    def _pick(self, items, index):
        items = sorted(items)
        return items[index % len(items)] if items else None

    def _close(self, voucher_id: int, status: str) -> None:
        voucher = self.vouchers[voucher_id]
        voucher["status"] = status
        self._move(voucher["user"], voucher["cost"], earning=False)
        if self.stock[voucher["reward"]] is not None:
            self.stock[voucher["reward"]] += 1

    # Rules -------------------------------------------------------------------------------

    @rule(who=st.integers(0, 1), kind=st.sampled_from(EARNING), amount=st.integers(1, 120), key=st.sampled_from(KEYS))
    def credit(self, who, kind, amount, key):
        """Credit an event; a key booked before returns its entry and adds nothing."""
        user_id = self.residents[who].id
        source = ("test", KEYS.index(key))
        entry = ledger.credit(user_id, amount, kind, "streak", source, f"test:{key}", params={"weeks": 4}, now=self.now)
        db.session.commit()
        if key in self.keyed:
            assert entry.id == self.keyed[key]
            return
        self.keyed[key] = entry.id
        self._move(user_id, amount, earning=True)
        self.net[(user_id, *source)] = amount

    @rule(who=st.integers(0, 1), submission=st.integers(1, 3), owed=st.integers(0, 150))
    def settle(self, who, submission, owed):
        """A submission's worth changes; the ledger follows, taking back at most the balance."""
        user_id = self.residents[who].id
        source = ("submission", who * 10 + submission)
        entry = ledger.settle(user_id, owed, EntryKind.ACTIVITY, "activity", source, "rescored",
                              params={"challenge": "C", "challenge_id": 1})  # fmt: skip
        db.session.commit()
        booked = self.net.get((user_id, *source), 0)
        difference = owed - booked
        if difference < 0:
            difference = -min(-difference, self.balance[user_id])
        if difference == 0:
            assert entry is None
            return
        assert entry.amount == difference
        assert entry.kind == (EntryKind.ACTIVITY if difference > 0 else EntryKind.REVERSAL)
        self._move(user_id, difference, earning=True)
        self.net[(user_id, *source)] = booked + difference

    @rule(pick=st.integers(0, 10_000))
    def reverse(self, pick):
        """A manager corrects any entry; only credits can be, once, and never below zero or below nothing."""
        entry_id = self._pick(self.seen, pick)
        if entry_id is None:
            return
        entry = db.session.get(LedgerEntry, entry_id)
        source = (entry.user_id, entry.source_type, entry.source_id)
        if entry.amount <= 0 or entry.kind in NEVER_REVERSIBLE:
            expected = errors.NotReversible
        elif entry_id in self.reversed:
            expected = None
        elif self.net.get(source, 0) <= 0:
            expected = errors.NotReversible  # all it credited was taken back already
        elif self.balance[entry.user_id] == 0:
            expected = errors.InsufficientPoints
        else:
            expected = None
        try:
            reversal = ledger.reverse(entry, self.manager, note="typo", now=self.now)
            db.session.commit()
        except errors.RewardError as error:
            db.session.rollback()
            assert type(error) is expected, error
            return
        assert expected is None
        if entry_id in self.reversed:
            assert reversal.id == self.reversed[entry_id]
            return
        take = min(entry.amount, self.net[source], self.balance[entry.user_id])
        assert reversal.amount == -take and reversal.kind == EntryKind.REVERSAL and reversal.reverses_id == entry_id
        self.reversed[entry_id] = reversal.id
        self._move(entry.user_id, -take, earning=True)
        self.net[source] -= take

    @rule(who=st.integers(0, 1), which=st.integers(0, 1), key=st.sampled_from([None, "x", "y"]))
    def redeem(self, who, which, key):
        """Spend points: refused for availability, limit, balance and stock, in that order; a key replays."""
        user, reward = self.residents[who], self.rewards[which]
        cost = reward.cost
        replay = self.replays.get((user.id, key)) if key else None
        expected = None
        if replay is None:
            if which == 1 and self.now >= NOW + timedelta(days=40):
                expected = errors.NotAvailable
            elif which == 0 and self._live(user.id, 0) >= 2:
                expected = errors.LimitReached
            elif self.balance[user.id] < cost:
                expected = errors.InsufficientPoints
            elif self.stock[which] == 0:
                expected = errors.SoldOut
        try:
            voucher, created = redemption.redeem(user, reward, key, now=self.now)
            db.session.commit()
        except errors.RewardError as error:
            db.session.rollback()
            assert type(error) is expected, error
            return
        assert expected is None
        if replay is not None:
            assert voucher.id == replay and not created
            return
        assert created
        expires = self.now + timedelta(days=VALID_DAYS)
        if which == 1:
            expires = min(expires, NOW + timedelta(days=40))
        assert voucher.expires_at == expires and voucher.cost == cost
        self.vouchers[voucher.id] = {"user": user.id, "reward": which, "cost": cost, "status": "issued",
                                     "expires": expires}  # fmt: skip
        if key:
            self.replays[(user.id, key)] = voucher.id
        self._move(user.id, -cost, earning=False)
        if self.stock[which] is not None:
            self.stock[which] -= 1

    @rule(pick=st.integers(0, 10_000))
    def cancel(self, pick):
        """The owner cancels a voucher: refunded while issued and unexpired, refused otherwise."""
        voucher_id = self._pick(self.vouchers, pick)
        if voucher_id is None:
            return
        model = self.vouchers[voucher_id]
        voucher = db.session.get(Voucher, voucher_id)
        owner = next(user for user in self.residents if user.id == model["user"])
        try:
            redemption.cancel_voucher(voucher, owner, now=self.now)
            db.session.commit()
        except errors.VoucherNotUsable as error:
            db.session.rollback()
            expired = model["status"] == "issued" and model["expires"] <= self.now
            assert error.rule == ("expired" if expired else model["status"])
            return
        assert model["status"] == "issued" and model["expires"] > self.now
        self._close(voucher_id, "cancelled")

    @rule(pick=st.integers(0, 10_000))
    def validate(self, pick):
        """The partner accepts a voucher once, while it is issued and unexpired."""
        voucher_id = self._pick(self.vouchers, pick)
        if voucher_id is None:
            return
        model = self.vouchers[voucher_id]
        code = db.session.get(Voucher, voucher_id).code
        usable = model["status"] == "issued" and model["expires"] > self.now
        try:
            vouchers.validate_voucher(code, self.manager, now=self.now)
            db.session.commit()
        except errors.VoucherNotUsable:
            db.session.rollback()
            assert not usable
            return
        assert usable
        model["status"] = "used"

    @rule(days=st.integers(1, 60))
    def expire(self, days):
        """Time passes and the expiry job runs: each issued voucher past its end is refunded once."""
        self.now += timedelta(days=days)
        due = [i for i, v in self.vouchers.items() if v["status"] == "issued" and v["expires"] <= self.now]
        assert redemption.expire_vouchers(now=self.now) == len(due)
        db.session.commit()
        assert redemption.expire_vouchers(now=self.now) == 0
        for voucher_id in due:
            self._close(voucher_id, "expired")

    # Invariants --------------------------------------------------------------------------

    @invariant()
    def ledger_agrees_with_the_model(self):
        """Balance = sum ≥ 0, lifetime and level, unique keys, no entry changed or gone, stock."""
        rows = db.session.execute(
            select(LedgerEntry.id, LedgerEntry.user_id, LedgerEntry.amount, LedgerEntry.kind, LedgerEntry.source_key,
                   LedgerEntry.reverses_id, LedgerEntry.created_at)
        ).all()  # fmt: skip
        for user in self.residents:
            summary = points.summary(user.id)
            total = sum(row.amount for row in rows if row.user_id == user.id)
            assert summary.balance == total == self.balance[user.id] >= 0
            assert summary.lifetime == self.lifetime[user.id] >= summary.balance
            assert summary.level == level_for(summary.lifetime)
        assert len({row.source_key for row in rows}) == len(rows)
        current = {row.id: tuple(row) for row in rows}
        for entry_id, columns in self.seen.items():
            assert current.get(entry_id) == columns, "an entry was changed or deleted"
        self.seen = current
        stock = db.session.execute(select(Reward.stock).order_by(Reward.id)).scalars().all()
        assert stock == self.stock


def test_any_interleaving_keeps_the_ledger_sound(ctx, make_user, make_partner):
    """Balance = sum of entries ≥ 0, no key booked twice, entries immutable, levels by lifetime points."""
    LedgerMachine.residents = [make_user(), make_user()]
    LedgerMachine.manager = make_user(role=Role.MANAGER)
    LedgerMachine.partner = make_partner()
    run_state_machine_as_test(LedgerMachine, settings=settings(max_examples=30, stateful_step_count=20, deadline=None))


# The CSV export --------------------------------------------------------------------------------


def test_csv_escapes_reasons_that_look_like_formulas(ctx, make_user):
    """A reason starting with = + - @ tab or CR is quoted for spreadsheets; others stay as they are."""
    resident = make_user()
    reasons = ["=HYPERLINK(1)", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "Plain reason", "a=b"]
    for number, reason in enumerate(reasons):
        ledger.credit(resident.id, 5, EntryKind.BONUS, reason, ("test", number), f"csv:{number}", now=NOW)
    db.session.commit()
    query = ledger.history_query(resident.id).order_by(None).order_by(LedgerEntry.id)
    text = "".join(ledger.csv_rows(query, lambda entry: entry.reason, lambda entry: "date"))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["id", "date", "kind", "amount", "reason", "source", "activity_day"]
    cells = [row[4] for row in rows[1:]]
    assert cells == ["'" + reason for reason in reasons[:6]] + ["Plain reason", "a=b"]


# Settle and reverse ----------------------------------------------------------------------------


def _settle(user_id: int, owed: int, submission: int = 1):
    return ledger.settle(user_id, owed, EntryKind.ACTIVITY, "activity", ("submission", submission), "rescored",
                         params={"challenge": "C", "challenge_id": 1})  # fmt: skip


def _spend(user_id: int, amount: int, key: str) -> None:
    ledger.post(user_id, -amount, EntryKind.REDEMPTION, "redemption", ("voucher", None), key, now=NOW)


def test_settle_clamps_a_reversal_and_recovers_the_rest_later(ctx, make_user, fund):
    """Points already spent are taken back only as far as the balance goes; the rest on later changes."""
    resident = make_user()
    _settle(resident.id, 100)
    _spend(resident.id, 80, "spend:1")
    assert _settle(resident.id, 0).amount == -20
    assert ledger.balance(resident.id) == 0
    assert _settle(resident.id, 0) is None, "nothing to take back from"
    fund(resident.id, 50)
    assert _settle(resident.id, 0).amount == -50
    fund(resident.id, 100)
    assert _settle(resident.id, 0).amount == -30
    assert _settle(resident.id, 0) is None, "all 100 taken back"
    assert ledger.balance(resident.id) == 70
    assert _settle(resident.id, 30).amount == 30


def test_post_refuses_zero_and_overdraft(ctx, make_user, fund):
    """An entry moves points; a debit beyond the balance is refused and books nothing."""
    resident = make_user()
    fund(resident.id, 10)
    with pytest.raises(ValueError):
        ledger.post(resident.id, 0, EntryKind.BONUS, "x", ("test", 1), "zero")
    with pytest.raises(errors.InsufficientPoints):
        _spend(resident.id, 11, "too-much")
    assert ledger.find("too-much") is None and ledger.balance(resident.id) == 10


def test_reverse_then_reject_takes_points_back_once(ctx, make_user, manager_user):
    """A manager's correction of an activity credit counts when the submission is later rejected."""
    resident = make_user()
    credit = _settle(resident.id, 40)
    _settle(resident.id, 25, submission=2)
    ledger.reverse(credit, manager_user, note="double entry")
    assert _settle(resident.id, 0) is None, "already taken back"
    assert ledger.balance(resident.id) == 25


def test_reject_then_reverse_takes_points_back_once(ctx, make_user, manager_user):
    """A credit its submission's rejection already took back cannot be reversed again."""
    resident = make_user()
    credit = _settle(resident.id, 40)
    _settle(resident.id, 25, submission=2)
    _settle(resident.id, 0)
    with pytest.raises(errors.NotReversible):
        ledger.reverse(credit, manager_user)
    assert ledger.balance(resident.id) == 25


def test_reverse_refuses_debits_and_repeats_itself(ctx, make_user, manager_user, fund):
    """Debits and reversals are not reversible; reversing a credit twice returns the first reversal."""
    resident = make_user()
    fund(resident.id, 60)
    _spend(resident.id, 10, "spend:2")
    spend = ledger.find("spend:2")
    with pytest.raises(errors.NotReversible):
        ledger.reverse(spend, manager_user)
    bonus = db.session.scalar(select(LedgerEntry).where(LedgerEntry.kind == EntryKind.BONUS))
    first = ledger.reverse(bonus, manager_user)
    assert first.amount == -50 and ledger.reverse(bonus, manager_user).id == first.id
    with pytest.raises(errors.NotReversible):
        ledger.reverse(first, manager_user)
    assert ledger.balance(resident.id) == 0


@pytest.fixture
def manager_user(make_user):
    return make_user(role=Role.MANAGER)
