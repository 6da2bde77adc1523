"""Points and badges earned through the real challenge services: activity, results, streaks, data sharing."""

# ruff: noqa: F811  (the challenge builders are imported fixtures, named again as test arguments)

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.extensions import db
from challenges import lifecycle, participation, results, submissions
from challenges.kinds.base import scored
from challenges.kinds.reading import submit_reading
from challenges.kinds.trip import submit_trip
from challenges.models import Status, Submission, SubmissionStatus
from challenges.scoring import Category, Format, Mode
from rewards import earnings, ledger
from rewards.badges import services as badges
from rewards.catalogue import redemption
from rewards.models import BadgeAward, BadgeClass, BadgeRule, EntryKind, LedgerEntry
from rewards.points.services import summary
from tests.challenges.conftest import NOW, make_challenge, manager  # noqa: F401  (fixtures used here)

pytestmark = pytest.mark.usefixtures("ctx")

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><circle cx="5" cy="5" r="4"/></svg>'
BERLIN = ZoneInfo("Europe/Berlin")
TRIP_DAY = date(2026, 3, 3)  # inside the default challenge window, the day before NOW


@pytest.fixture
def rule_badges():
    """One active badge for each rule."""
    made = {
        rule: badges.create_badge(name=rule.value, description="d", criteria="c", image_svg=SVG, rule=rule)
        for rule in BadgeRule
    }
    db.session.commit()
    return made


def entries(user_id: int, kind: EntryKind | None = None) -> list[tuple]:
    """(kind, amount, reason) of a resident's entries, oldest first."""
    query = select(LedgerEntry).where(LedgerEntry.user_id == user_id).order_by(LedgerEntry.id)
    if kind is not None:
        query = query.where(LedgerEntry.kind == kind)
    return [(e.kind, e.amount, e.reason) for e in db.session.scalars(query)]


def rules_of(user_id: int) -> set[BadgeRule]:
    return set(
        db.session.scalars(
            select(BadgeClass.rule)
            .join(BadgeAward, BadgeAward.badge_id == BadgeClass.id)
            .where(BadgeAward.user_id == user_id)
        )
    )


def mobility(make_challenge, **fields):
    return make_challenge(category=Category.MOBILITY, **fields)


def trip(enrollment, km: float, day: date = TRIP_DAY, now=NOW, **extra):
    """A bike trip that replaced the car: `km` units, 10 points a unit by default."""
    return submit_trip(enrollment, day, Mode.BIKE, km, True, now=now, **extra)[0]


# Activity --------------------------------------------------------------------------------------


def test_accepted_activity_is_credited_once(make_challenge, make_user, rule_badges):
    """An accepted trip is an `activity` entry of its points and earns the first-submission badge."""
    challenge = mobility(make_challenge)
    resident = make_user()
    enrollment = participation.join(challenge, resident, now=challenge.starts_at)
    submission = trip(enrollment, 5.0, idempotency_key="t1")
    trip(enrollment, 5.0, idempotency_key="t1")  # a replayed request
    db.session.commit()
    entry = db.session.scalar(select(LedgerEntry).where(LedgerEntry.user_id == resident.id))
    assert (entry.kind, entry.amount, entry.reason) == (EntryKind.ACTIVITY, 50, "activity")
    assert (entry.source_type, entry.source_id) == ("submission", submission.id)
    day = submission.day.isoformat()  # the activity's day, shown in the history beside the booking
    assert entry.reason_params == {"challenge": challenge.title, "challenge_id": challenge.id, "day": day}
    assert ledger.balance(resident.id) == 50
    trip(enrollment, 2.0, day=TRIP_DAY - timedelta(days=1))
    assert ledger.balance(resident.id) == 70
    assert rules_of(resident.id) == {BadgeRule.FIRST_SUBMISSION}
    assert len(badges.awards_of(resident)) == 1


def test_flagged_then_rejected_never_credits(make_challenge, make_user, manager):
    """A flagged trip earns nothing until approved; rejected, it never does."""
    challenge = mobility(make_challenge, max_km_per_day=50.0)
    resident = make_user()
    enrollment = participation.join(challenge, resident, now=challenge.starts_at)
    flagged = trip(enrollment, 80.0)
    assert flagged.status == SubmissionStatus.FLAGGED and entries(resident.id) == []
    submissions.review(flagged, db.session.merge(manager), approve=False, reason="Too far for a bike.")
    db.session.commit()
    assert entries(resident.id) == [] and ledger.balance(resident.id) == 0


def test_flagged_then_approved_credits(make_challenge, make_user, manager):
    """Approving a flagged trip credits it then."""
    challenge = mobility(make_challenge, max_km_per_day=50.0)
    resident = make_user()
    flagged = trip(participation.join(challenge, resident, now=challenge.starts_at), 80.0)
    submissions.review(flagged, db.session.merge(manager), approve=True)
    assert entries(resident.id) == [(EntryKind.ACTIVITY, 800, "activity")]


def test_rejecting_an_accepted_trip_reverses_its_points(make_challenge, make_user, manager, make_reward, fund):
    """A manager rejects an accepted trip: a `reversal` takes back what is left, the rest later."""
    challenge = mobility(make_challenge)
    resident = make_user()
    enrollment = participation.join(challenge, resident, now=challenge.starts_at)
    accepted = trip(enrollment, 5.0)
    db.session.commit()
    redemption.redeem(resident, make_reward(cost=30), now=NOW)  # 20 of the 50 points left
    submissions.review(accepted, db.session.merge(manager), approve=False, reason="Entered twice.")
    db.session.commit()
    assert accepted.status == SubmissionStatus.REJECTED
    assert entries(resident.id, EntryKind.REVERSAL) == [(EntryKind.REVERSAL, -20, "rescored")]
    assert ledger.balance(resident.id) == 0
    fund(resident.id, 100)
    earnings.settle_submission(scored(accepted))  # the next change to the submission recovers the rest
    assert entries(resident.id, EntryKind.REVERSAL)[-1] == (EntryKind.REVERSAL, -30, "rescored")
    earnings.settle_submission(scored(accepted))
    assert ledger.balance(resident.id) == 70 and summary(resident.id).lifetime == 100


def test_rejecting_a_reading_rescores_the_next_in_the_ledger(make_challenge, make_user, manager):
    """A rejected reading takes its points back, and the following reading is credited its new worth."""
    challenge = make_challenge(points_per_unit=10.0)
    resident = make_user(household_size=1)
    enrollment = participation.join(challenge, resident, now=challenge.starts_at)
    start = challenge.starts_at
    submit_reading(enrollment, start + timedelta(days=1), 1000.0, now=NOW)
    wrong, _ = submit_reading(enrollment, start + timedelta(days=2), 1003.5, now=NOW)
    last, _ = submit_reading(enrollment, start + timedelta(days=3), 1007.0, now=NOW)
    before = ledger.balance(resident.id)
    assert before == wrong.points + last.points > 0
    submissions.review(wrong, db.session.merge(manager), approve=False, reason="Typo")
    assert ledger.balance(resident.id) == last.points == enrollment.points


# Challenge results -----------------------------------------------------------------------------


def _close(challenge) -> None:
    """The lifecycle job closes the challenge at its end; rewards pays from the signal."""
    assert lifecycle.advance_lifecycle(now=challenge.ends_at)["closed"] == 1
    db.session.commit()


def test_individual_places_bonus_and_badges(make_challenge, make_user, rule_badges):
    """Scores 30, 20, 20, 10, 0: prizes 1st, 2nd, 2nd and no 3rd; bonus and badges as earned."""
    challenge = mobility(make_challenge, placement_points=[100, 50, 25], completion_goal=15.0, completion_bonus=40)
    people = [make_user() for _ in range(6)]
    for person, km in zip(people, [30.0, 20.0, 20.0, 10.0, 0.0, 25.0], strict=True):
        enrollment = participation.join(challenge, person, now=challenge.starts_at)
        if km:
            trip(enrollment, km)
    participation.leave(challenge, people[5], now=NOW)  # left before the end: no result
    db.session.commit()
    _close(challenge)
    first, second, tied, fourth, idle, leaver = (person.id for person in people)
    assert entries(first, EntryKind.PRIZE) == [(EntryKind.PRIZE, 100, "placement")]
    assert entries(second, EntryKind.PRIZE) == entries(tied, EntryKind.PRIZE) == [(EntryKind.PRIZE, 50, "placement")]
    assert entries(fourth, EntryKind.PRIZE) == [], "rank 4 after a tie for 2nd: nobody is 3rd"
    for winner in (first, second, tied):
        assert entries(winner, EntryKind.BONUS) == [(EntryKind.BONUS, 40, "completion")]
        assert rules_of(winner) == {BadgeRule.FIRST_SUBMISSION, BadgeRule.TOP_10, BadgeRule.CHALLENGE_COMPLETED}
    assert entries(fourth, EntryKind.BONUS) == []
    assert rules_of(fourth) == {BadgeRule.FIRST_SUBMISSION, BadgeRule.TOP_10}
    assert entries(idle) == [] and rules_of(idle) == set()
    assert entries(leaver, EntryKind.PRIZE) == entries(leaver, EntryKind.BONUS) == []
    assert rules_of(leaver) == {BadgeRule.FIRST_SUBMISSION}
    prize = db.session.scalar(
        select(LedgerEntry).where(LedgerEntry.user_id == tied, LedgerEntry.kind == EntryKind.PRIZE)
    )
    assert prize.reason_params["place"] == 2
    assert ledger.balance(first) == 300 + 100 + 40


def test_closing_and_paying_again_pays_nothing_more(make_challenge, make_user, rule_badges):
    """A second lifecycle run, close or pay_challenge adds no entry and no badge."""
    challenge = mobility(make_challenge, placement_points=[100, 50, 25], completion_goal=1.0, completion_bonus=5)
    people = [make_user() for _ in range(3)]
    for person, km in zip(people, [3.0, 2.0, 1.0], strict=True):
        trip(participation.join(challenge, person, now=challenge.starts_at), km)
    db.session.commit()
    _close(challenge)
    counts = (db.session.query(LedgerEntry).count(), db.session.query(BadgeAward).count())
    assert lifecycle.advance_lifecycle(now=challenge.ends_at + timedelta(days=1))["closed"] == 0
    assert lifecycle.close_challenge(challenge, now=challenge.ends_at) is False
    assert earnings.pay_challenge(results.closing_results(challenge)) == 0
    db.session.commit()
    assert (db.session.query(LedgerEntry).count(), db.session.query(BadgeAward).count()) == counts
    assert challenge.status == Status.CLOSED


def test_without_a_goal_taking_part_completes(make_challenge, make_user, rule_badges):
    """With no completion goal there is no bonus, and anyone who scored completed the challenge."""
    challenge = mobility(make_challenge, completion_bonus=40)
    scorer, idle = make_user(), make_user()
    trip(participation.join(challenge, scorer, now=challenge.starts_at), 1.0)
    participation.join(challenge, idle, now=challenge.starts_at)
    _close(challenge)
    assert entries(scorer.id, EntryKind.BONUS) == []
    assert BadgeRule.CHALLENGE_COMPLETED in rules_of(scorer.id)
    assert BadgeRule.CHALLENGE_COMPLETED not in rules_of(idle.id)


def test_neighbourhood_places_pay_every_member(make_challenge, make_user, make_neighbourhood, rule_badges):
    """Every participant of the neighbourhoods placed 1st–3rd gets that prize; the winners the badge."""
    challenge = mobility(make_challenge, format=Format.NEIGHBOURHOOD, placement_points=[90, 60, 30])
    # per participating household: 10, 7, 5, 1, and one place with too few participants
    scores = {"Winner": [30, 0, 0], "Second": [10, 10, 1], "Third": [5, 5, 5], "Fourth": [1, 1, 1], "Small": [50, 50]}
    members = {}
    for name, kms in scores.items():
        place = make_neighbourhood(name)
        members[name] = [make_user(neighbourhood_id=place.id) for _ in kms]
        for person, km in zip(members[name], kms, strict=True):
            enrollment = participation.join(challenge, person, now=challenge.starts_at)
            if km:
                trip(enrollment, float(km))
    db.session.commit()
    _close(challenge)
    for name, prize in (("Winner", 90), ("Second", 60), ("Third", 30), ("Fourth", None), ("Small", None)):
        for person in members[name]:
            expected = [(EntryKind.PRIZE, prize, "neighbourhood_placement")] if prize else []
            assert entries(person.id, EntryKind.PRIZE) == expected, name
            assert (BadgeRule.NEIGHBOURHOOD_WINNER in rules_of(person.id)) == (name == "Winner"), name
            assert BadgeRule.TOP_10 not in rules_of(person.id)
    assert earnings.pay_challenge(results.closing_results(challenge)) == 0


def test_neighbourhoods_sharing_a_place_share_its_prize(make_challenge, make_user, make_neighbourhood):
    """Two neighbourhoods level at the top both win; the next one is 3rd."""
    challenge = mobility(make_challenge, format=Format.NEIGHBOURHOOD, placement_points=[90, 60, 30])
    people = {}
    for name, km in (("A", 4.0), ("B", 4.0), ("C", 1.0)):
        place = make_neighbourhood(name)
        people[name] = [make_user(neighbourhood_id=place.id) for _ in range(3)]
        for person in people[name]:
            trip(participation.join(challenge, person, now=challenge.starts_at), km)
    _close(challenge)
    assert [entries(people[name][0].id, EntryKind.PRIZE)[0][1] for name in "ABC"] == [90, 90, 30]


# Streaks ---------------------------------------------------------------------------------------


def _monday_run(week: int) -> datetime:
    """When the weekly job runs: Monday 03:15 in the city, `week` weeks after the week of NOW."""
    return datetime(2026, 3, 2, 3, 15, tzinfo=BERLIN) + timedelta(weeks=week)


def _active(make_challenge, resident, weeks) -> None:
    """One accepted trip, submitted on the Wednesday of each of `weeks` (0 = NOW's week)."""
    challenge = mobility(make_challenge, ends_at=NOW + timedelta(weeks=12))
    enrollment = participation.join(challenge, resident, now=challenge.starts_at)
    for week in weeks:
        moment = NOW + timedelta(weeks=week)
        trip(enrollment, 1.0, day=moment.astimezone(BERLIN).date(), now=moment)
    db.session.commit()


def _run_weekly(weeks: range) -> list[int]:
    paid = []
    for week in weeks:
        paid.append(earnings.award_streaks(now=_monday_run(week)))
        db.session.commit()
    return paid


def test_four_active_weeks_make_one_streak(make_challenge, make_user, rule_badges):
    """Active in 4 finished weeks in a row: one streak entry and the badge; running again adds nothing."""
    resident = make_user()
    _active(make_challenge, resident, range(4))
    assert earnings.award_streaks(now=_monday_run(3)) == 0, "the 4th week is not over yet"
    assert earnings.award_streaks(now=_monday_run(4)) == 1
    assert earnings.award_streaks(now=_monday_run(4)) == 0
    db.session.commit()
    assert entries(resident.id, EntryKind.STREAK) == [(EntryKind.STREAK, 50, "streak")]
    assert BadgeRule.STREAK in rules_of(resident.id)


def test_eight_weeks_make_two_streaks_not_five(make_challenge, make_user):
    """Weekly runs over 8 active weeks pay the blocks 1–4 and 5–8 only."""
    resident = make_user()
    _active(make_challenge, resident, range(8))
    paid = _run_weekly(range(1, 11))
    assert paid == [0, 0, 0, 1, 0, 0, 0, 1, 0, 0]
    assert len(entries(resident.id, EntryKind.STREAK)) == 2


def test_a_gap_breaks_the_streak(make_challenge, make_user):
    """3 weeks, a week off, 3 weeks: no streak at all."""
    resident = make_user()
    _active(make_challenge, resident, [0, 1, 2, 4, 5, 6])
    assert _run_weekly(range(1, 9)) == [0] * 8
    assert entries(resident.id, EntryKind.STREAK) == []


def test_rejected_activity_does_not_count_for_streaks(make_challenge, make_user, manager):
    """Only accepted submissions make a week active."""
    resident = make_user()
    _active(make_challenge, resident, range(4))
    week_two = db.session.scalars(
        select(Submission).where(Submission.user_id == resident.id).order_by(Submission.created_at)
    ).all()[1]
    submissions.review(week_two, db.session.merge(manager), approve=False, reason="Not a real trip.")
    db.session.commit()
    assert earnings.award_streaks(now=_monday_run(4)) == 0


# Data sharing ----------------------------------------------------------------------------------


def test_data_sharing_credit_once_per_period(ctx, make_user, rule_badges):
    """One `data_credit` entry per consent and period, however often it is called; the sharer badge once."""
    resident = make_user()
    first = earnings.credit_data_sharing(resident.id, 25, "Energy research", 7, "2026-03", now=NOW)
    again = earnings.credit_data_sharing(resident.id, 25, "Energy research", 7, "2026-03", now=NOW)
    earnings.credit_data_sharing(resident.id, 25, "Energy research", 7, "2026-04", now=NOW)
    db.session.commit()
    assert again.id == first.id
    assert entries(resident.id) == [(EntryKind.DATA_CREDIT, 25, "data_credit")] * 2
    assert rules_of(resident.id) == {BadgeRule.DATA_SHARER}
    assert len(badges.awards_of(resident)) == 1
