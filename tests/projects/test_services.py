"""Community projects' rules, called as services: pledging takes only what is needed and never overspends,
neighbourhood projects are for their residents, failed and cancelled projects give every pledge back once,
and the backers of a funded project are told once."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from accounts.models import Role
from app.columns import utcnow
from app.extensions import db
from notifications.models import Notification
from projects import errors, services
from projects.models import Pledge, ProjectStatus
from rewards import ledger
from rewards.models import EntryKind, LedgerEntry


def _pledge_entries(user_id: int) -> list[int]:
    query = select(LedgerEntry.amount).where(LedgerEntry.user_id == user_id, LedgerEntry.kind == EntryKind.PLEDGE)
    return list(db.session.scalars(query.order_by(LedgerEntry.id)))


def test_a_pledge_is_a_ledger_debit_of_its_own_kind(ctx, make_user, make_project, points):
    """The pledge books a `pledge` debit with the source key pledge:<id>; the project's total grows by it."""
    ada = make_user()
    points(ada, 500)
    project = make_project()
    row, created = services.pledge(ada, project, 200, show_name=True)
    assert created and row.amount == 200 and row.offered == 200
    assert project.pledged == 200 and project.status is ProjectStatus.OPEN
    entry = ledger.find(f"pledge:{row.id}")
    assert (entry.amount, entry.kind, entry.source_type, entry.source_id) == (-200, EntryKind.PLEDGE, "pledge", row.id)
    assert ledger.balance(ada.id) == 300


def test_a_pledge_never_takes_a_balance_below_zero(ctx, make_user, make_project, points):
    """More than the balance is refused with InsufficientPoints on the points field; nothing is booked."""
    ada = make_user()
    points(ada, 50)
    project = make_project()
    with pytest.raises(errors.InsufficientPoints) as refused:
        services.pledge(ada, project, 51)
    assert refused.value.field == "points"
    db.session.rollback()
    assert ledger.balance(ada.id) == 50 and project.pledged == 0


def test_the_pledge_that_overshoots_takes_only_what_is_needed(ctx, make_user, make_project, points):
    """Target 1,000 with 900 pledged: a pledge of 300 takes 100, funds the project, and the resident keeps 200."""
    ada, bob = make_user(), make_user()
    points(ada, 900)
    points(bob, 300)
    project = make_project()
    services.pledge(ada, project, 900)
    row, _ = services.pledge(bob, project, 300)
    assert (row.offered, row.amount) == (300, 100)
    assert project.pledged == project.target == 1_000 and project.status is ProjectStatus.FUNDED
    assert ledger.balance(bob.id) == 200


def test_a_resident_short_of_the_offer_may_still_give_what_is_needed(ctx, make_user, make_project, points):
    """Only 100 are needed: a resident with 150 offering 500 gives 100 (the balance covers what is taken)."""
    ada, bob = make_user(), make_user()
    points(ada, 900)
    points(bob, 150)
    project = make_project()
    services.pledge(ada, project, 900)
    assert services.pledge(bob, project, 500)[0].amount == 100
    assert ledger.balance(bob.id) == 50


def test_a_funded_or_past_project_takes_no_pledge(ctx, make_user, make_project, points):
    """After funding, and after the deadline, a pledge is refused with NotOpen."""
    ada = make_user()
    points(ada, 2_000)
    funded = make_project(target=100)
    services.pledge(ada, funded, 100)
    with pytest.raises(errors.NotOpen):
        services.pledge(ada, funded, 10)
    late = make_project()
    with pytest.raises(errors.NotOpen):
        services.pledge(ada, late, 10, now=late.deadline + timedelta(seconds=1))


def test_a_neighbourhood_project_is_for_its_residents(ctx, make_user, make_neighbourhood, make_project, points):
    """A neighbourhood's project refuses residents of other neighbourhoods; a city-wide one takes everybody."""
    altstadt = make_neighbourhood("Altstadt")
    local, other = make_user(neighbourhood_id=altstadt.id), make_user()
    points(local, 100)
    points(other, 100)
    project = make_project(neighbourhood_id=altstadt.id)
    services.pledge(local, project, 10)
    with pytest.raises(errors.NotYourNeighbourhood):
        services.pledge(other, project, 10)
    assert services.pledge(other, make_project(), 10)[1]


def test_a_repeated_key_books_nothing_twice(ctx, make_user, make_project, points):
    """The same idempotency key returns the first pledge and takes nothing more."""
    ada = make_user()
    points(ada, 500)
    project = make_project()
    first, created = services.pledge(ada, project, 100, idempotency_key="k1")
    again, created_again = services.pledge(ada, project, 100, idempotency_key="k1")
    assert created and not created_again and again.id == first.id
    assert ledger.balance(ada.id) == 400 and project.pledged == 100


@pytest.mark.parametrize("points_offered", [0, -5, 1_000_001, True, 2.5])
def test_a_pledge_of_no_sensible_number_is_refused(ctx, make_user, make_project, points_offered):
    """Zero, negative, huge, boolean and fractional pledges are refused on the points field."""
    with pytest.raises(errors.InvalidFields) as refused:
        services.pledge(make_user(), make_project(), points_offered)
    assert "points" in refused.value.errors


def test_a_failed_project_gives_every_pledge_back_once(ctx, make_user, make_project, points):
    """Past its deadline short of the target the job fails the project and refunds each pledge by an entry that
    reverses its debit; running the job again changes nothing."""
    ada, bob = make_user(), make_user()
    points(ada, 300)
    points(bob, 300)
    project = make_project()
    first, _ = services.pledge(ada, project, 100)
    services.pledge(ada, project, 50)
    services.pledge(bob, project, 200)
    db.session.commit()
    after = project.deadline + timedelta(minutes=1)
    assert services.fail_due_projects(after) == 1
    db.session.commit()
    assert project.status is ProjectStatus.FAILED
    assert ledger.balance(ada.id) == 300 and ledger.balance(bob.id) == 300
    refund = ledger.find(f"pledge:{first.id}:refund")
    assert refund.amount == 100 and refund.reverses_id == ledger.find(f"pledge:{first.id}").id
    assert refund.reason == "pledge_failed"
    assert services.fail_due_projects(after) == 0 and services.refund_ended_projects(after) == 0
    db.session.commit()
    assert _pledge_entries(ada.id) == [-100, -50, 100, 50] and ledger.balance(ada.id) == 300


def test_cancelling_gives_the_points_back_at_once(ctx, make_user, make_project, points):
    """A manager cancels an open project: every pledge is refunded in the same transaction; cancelling twice is
    refused with AlreadyEnded."""
    manager, ada = make_user(role=Role.MANAGER), make_user()
    points(ada, 300)
    project = make_project(by=manager)
    services.pledge(ada, project, 120)
    services.cancel_project(project)
    assert project.status is ProjectStatus.CANCELLED and ledger.balance(ada.id) == 300
    assert db.session.scalar(select(func.count()).where(Pledge.refunded_at.is_(None))) == 0
    with pytest.raises(errors.AlreadyEnded):
        services.cancel_project(project)


def test_a_funded_project_can_be_cancelled_and_refunds_too(ctx, make_user, make_project, points):
    """If a funded project cannot happen after all, cancelling it gives the backers their points back."""
    ada = make_user()
    points(ada, 100)
    project = make_project(target=100)
    services.pledge(ada, project, 100)
    assert project.status is ProjectStatus.FUNDED
    services.cancel_project(project)
    assert ledger.balance(ada.id) == 100


def test_the_job_refunds_a_pledge_the_ending_did_not_hold(ctx, make_user, make_project, points):
    """A pledge whose resident was not locked when the project ended (booked meanwhile) is refunded by the job."""
    ada = make_user()
    points(ada, 100)
    project = make_project()
    services.pledge(ada, project, 40)
    project.status = ProjectStatus.CANCELLED  # as if it ended without seeing this pledge
    db.session.commit()
    assert services.refund_ended_projects() == 1
    assert ledger.balance(ada.id) == 100 and services.refund_ended_projects() == 0


def test_the_backers_of_a_funded_project_are_told_once(ctx, make_user, make_project, points):
    """The job notifies each backer once (kind rewards), and nobody else; a second run sends nothing."""
    ada, bob, carl = make_user(), make_user(), make_user()
    for user in (ada, bob, carl):
        points(user, 500)
    project = make_project(target=300)
    services.pledge(ada, project, 100)
    services.pledge(bob, project, 100)
    services.pledge(ada, project, 500)
    assert project.status is ProjectStatus.FUNDED
    assert services.notify_funded_backers() == 1
    db.session.commit()
    rows = db.session.execute(select(Notification.user_id, Notification.message, Notification.kind)).all()
    assert sorted(rows) == sorted([(ada.id, "project_funded", "rewards"), (bob.id, "project_funded", "rewards")])
    assert services.notify_funded_backers() == 0


def test_backers_are_named_only_when_they_agreed(ctx, make_user, make_project, points):
    """The page counts every backer but names only those who ticked the box."""
    ada, bob = make_user(pseudonym="Ada"), make_user(pseudonym="Bob")
    points(ada, 100)
    points(bob, 100)
    project = make_project()
    services.pledge(ada, project, 10, show_name=True)
    services.pledge(bob, project, 10)
    assert services.backers(project) == (2, ["Ada"])


def test_a_manager_edits_within_the_rules(ctx, make_user, make_project, points):
    """The target cannot go to or below what is pledged; the deadline not into the past; an ended project keeps its
    numbers and only its texts change."""
    ada = make_user()
    points(ada, 500)
    project = make_project()
    services.pledge(ada, project, 300)
    with pytest.raises(errors.InvalidFields) as refused:
        services.update_project(project, target=300, deadline=utcnow() - timedelta(days=1))
    assert set(refused.value.errors) == {"target", "deadline"}
    services.update_project(project, target=400, title_de="Eine Linde")
    assert project.target == 400 and project.title_de == "Eine Linde"
    services.cancel_project(project)
    services.update_project(project, target=5_000, title_en="A linden")
    assert project.target == 400 and project.title_en == "A linden"


def test_publishing_checks_every_field(ctx):
    """No title, a target of 0, a past deadline and an unknown neighbourhood are each named."""
    with pytest.raises(errors.InvalidFields) as refused:
        services.create_project(title_en=" ", target=0, deadline=utcnow() - timedelta(days=1), neighbourhood_id=999)
    assert set(refused.value.errors) == {"title_en", "target", "deadline", "neighbourhood_id"}


def test_erasure_moves_pledges_to_nobody_and_keeps_the_total(ctx, make_user, make_project, points):
    """Deleting an account keeps the project's total; the pledge no longer names or links to the resident."""
    from privacy import services as privacy

    ada = make_user(pseudonym="Ada")
    points(ada, 100)
    project = make_project()
    services.pledge(ada, project, 60, show_name=True)
    db.session.commit()
    privacy.delete_account(ada, "correct horse battery")
    db.session.commit()
    row = db.session.scalar(select(Pledge))
    assert row.user_id != ada.id and not row.show_name and project.pledged == 60
    assert services.backers(project) == (1, [])


def test_the_deadline_job_ends_several_projects_with_shared_backers(ctx, make_user, make_project, points):
    """Two projects past their last day, backed by the same residents, both fail and refund in one run."""
    ada, bob = make_user(), make_user()
    points(ada, 100)
    points(bob, 100)
    first, second = make_project(), make_project(title_en="Bench")
    for user in (bob, ada):
        services.pledge(user, first, 30)
        services.pledge(user, second, 20)
    db.session.commit()
    later = max(first.deadline, second.deadline) + timedelta(minutes=1)
    assert services.fail_due_projects(later) == 2
    db.session.commit()
    assert {first.status, second.status} == {ProjectStatus.FAILED}
    assert ledger.balance(ada.id) == ledger.balance(bob.id) == 100
