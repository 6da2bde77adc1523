"""Erasure that erases: after "delete my account", every table and column that can hold personal data is checked.

Every column pointing at an account is classified here: either it holds a resident's data (then, after
the deletion, no row may point at the deleted resident, except the consents the law makes us keep),
or it names someone who acted (a manager, staff member or partner), with the reason. A new column
pointing at an account fails the first test until it is classified.
"""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from accounts.models import User
from accounts.personal_data import NO_DATE
from app.extensions import db
from challenges.models import Challenge, Enrollment
from privacy import services
from rewards.catalogue import vouchers
from rewards.errors import VoucherNotUsable
from rewards.models import LedgerEntry, Voucher, VoucherStatus
from sharing.models import Consent
from tests.challenges.conftest import NOW
from tests.conftest import PASSWORD

# Columns naming the resident whose data the row is.
RESIDENT_COLUMNS = {
    ("access_token", "user_id"), ("badge_award", "user_id"), ("consent", "user_id"), ("ledger_entry", "user_id"),
    ("notification", "user_id"), ("notification_preference", "user_id"), ("points_account", "user_id"),
    ("privacy_spend", "user_id"), ("season_points", "user_id"), ("voucher", "user_id"),
    ("data_use_resident", "user_id"), ("enrollment", "user_id"), ("submission", "user_id"),
    ("assisted_action", "resident_id"), ("user_session", "user_id"), ("outbox_email", "user_id"),
    ("external_identity", "user_id"), ("meter_link", "user_id"), ("meter_day", "user_id"),
    ("meter_delivery", "user_id"),
    ("team_member", "user_id"), ("team_report", "user_id"),
    ("pledge", "user_id"),  # moved to the anonymous owner with the ledger, so projects' totals stay right
    ("team_member", "user_id"), ("team_report", "user_id"), ("route_week", "user_id"), ("route_upload", "user_id"),
}  # fmt: skip
# Columns naming someone who acted on the row, not whose data it is.
ACTOR_COLUMNS = {
    ("challenge", "created_by_id"): "the manager who wrote the challenge",
    ("challenge_change", "user_id"): "the manager who changed a challenge",
    ("data_use", "actor_id"): "the staff member who ran a data use",
    ("ledger_entry", "created_by_id"): "the manager who posted a correction",
    ("voucher", "validated_by_id"): "the partner who accepted the voucher",
    ("enrollment", "assisted_by_id"): "the service-desk manager who enrolled a resident",
    ("submission", "reviewed_by_id"): "the manager who reviewed a submission",
    ("submission", "assisted_by_id"): "the service-desk manager who entered a submission",
    ("assisted_action", "manager_id"): "the service-desk manager who helped",
    ("partner_member", "user_id"): "a partner's staff account (never a resident)",
    ("consent", "entered_by_id"): "the service-desk manager who entered a consent signed on paper",
    ("community_project", "created_by_id"): "the manager who published the community project",
}
# What the law makes us keep with the anonymised account.
KEPT = {("consent", "user_id"): "consent receipts: proof that past uses were allowed"}


def _account_columns() -> set[tuple[str, str]]:
    return {(table.name, column.name) for table in db.metadata.sorted_tables for column in table.columns
            for key in column.foreign_keys if key.column.table.name == "user_account"}  # fmt: skip


def test_every_column_pointing_at_an_account_is_classified(app):
    """A new column holding an account id must say whether it is the resident's data or who acted."""
    assert _account_columns() == RESIDENT_COLUMNS | set(ACTOR_COLUMNS)
    assert not RESIDENT_COLUMNS & set(ACTOR_COLUMNS)


def test_after_deletion_no_table_links_to_the_person_but_the_kept_consents(world):
    """Every resident column is free of the deleted account, except consents; no text anywhere names them."""
    me = world["me"]
    services.delete_account(db.session.merge(me), password=PASSWORD, now=NOW)
    db.session.flush()
    for table, column in sorted(RESIDENT_COLUMNS):
        rows = db.session.scalar(select(func.count()).select_from(db.metadata.tables[table])
                                 .where(db.metadata.tables[table].c[column] == me.id))  # fmt: skip
        assert rows == (rows if (table, column) in KEPT else 0), (table, column)
    assert db.session.scalar(select(func.count()).where(Consent.user_id == me.id)) == 1  # kept, ended
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            text = " ".join(str(value) for value in row)
            assert "me@example.org" not in text and "Sunny Me" not in text, table.name


def test_the_anonymised_account_holds_nothing_about_the_person(world):
    """Every column of the account row is emptied or set to a value that says nothing (no dates, no keys)."""
    me = world["me"]
    services.delete_account(db.session.merge(me), password=PASSWORD, now=NOW)
    db.session.flush()
    user = db.session.get(User, me.id)
    assert (user.email, user.neighbourhood_id, user.login_code_hash, user.login_code_issued_at) == (None,) * 4
    assert (user.last_login_at, user.record_key, user.created_at) == (None, None, NO_DATE)
    assert user.pseudonym.startswith("deleted-") and not user.has_password and not user.active
    assert (user.household_size, user.language, user.text_scale, user.high_contrast) == (1, "en", 100, False)


def test_kept_enrollments_are_anonymous_contributions(world):
    """The closed challenge's enrollment stays for its totals and ranks, without household, baseline or times."""
    me = world["me"]
    closed = world["closed"]
    mine = db.session.scalar(select(Enrollment).where(Enrollment.challenge_id == closed.id,
                                                      Enrollment.user_id == me.id))  # fmt: skip
    score = mine.score
    services.delete_account(db.session.merge(me), password=PASSWORD, now=NOW)
    db.session.expire_all()
    kept = db.session.get(Enrollment, mine.id)
    owner = db.session.get(User, kept.user_id)
    assert owner.id != me.id and owner.pseudonym.startswith("erased-") and not owner.active
    assert db.session.scalar(select(func.count()).where(Consent.user_id == owner.id)) == 0
    assert kept.score == score  # the totals and the others' ranks stay
    assert (kept.household_size, kept.baseline_kwh_per_day, kept.neighbourhood_id, kept.left_at) == (
        1,
        None,
        None,
        None,
    )
    assert kept.joined_at == db.session.get(Challenge, closed.id).starts_at


def test_ledger_entries_move_to_an_owner_of_their_own(world):
    """The books keep every entry, under an account that is neither the person's nor the enrollments' owner."""
    me = world["me"]
    entry_ids = list(db.session.scalars(select(LedgerEntry.id).where(LedgerEntry.user_id == me.id)))
    services.delete_account(db.session.merge(me), password=PASSWORD, now=NOW)
    db.session.expire_all()
    owners = set(db.session.scalars(select(LedgerEntry.user_id).where(LedgerEntry.id.in_(entry_ids))))
    enrollment_owners = set(db.session.scalars(select(Enrollment.user_id)))
    assert len(owners) == 1 and me.id not in owners and not owners & enrollment_owners


def test_an_unused_voucher_is_voided_and_the_partner_is_told_why(world, manager_in_ctx):
    """My unused voucher is voided (back in stock, refunded to the books); validating it says the account is gone."""
    services.delete_account(db.session.merge(world["me"]), password=PASSWORD, now=NOW)
    voucher = db.session.scalar(select(Voucher).where(Voucher.code == world["voucher"]))
    assert voucher.status == VoucherStatus.VOIDED and voucher.closed_at is not None
    with pytest.raises(VoucherNotUsable) as refused:
        vouchers.validate_voucher(world["voucher"], manager_in_ctx, now=datetime(2026, 3, 5, tzinfo=UTC))
    assert refused.value.rule == "voided" and "deleted their account" in str(refused.value.message)
    theirs = db.session.scalar(select(Voucher).where(Voucher.code == world["their_voucher"]))
    assert theirs.status == VoucherStatus.ISSUED  # nobody else's is touched


def test_a_deleted_captain_hands_the_team_to_the_next_member(world):
    """The team goes on without the deleted resident: the longest-standing member becomes captain; their report goes."""
    from teams import services as teams
    from teams.models import Team, TeamReport

    services.delete_account(db.session.merge(world["me"]), password=PASSWORD, now=NOW)
    db.session.flush()
    team = db.session.scalar(select(Team).where(Team.name == "Old Town Cyclists"))
    assert [(m.user_id, m.is_captain) for m in teams.members(team)] == [(world["other"].id, True)]
    assert db.session.scalar(select(func.count()).select_from(TeamReport)) == 0
