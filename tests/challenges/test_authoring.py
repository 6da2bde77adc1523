"""Authoring challenges: drafts, edits and their change log, publishing and cancelling."""

from datetime import timedelta

import pytest

from app.extensions import db
from challenges import authoring, errors
from challenges.models import ChallengeChange, Status
from challenges.scoring import Category, Format, Metric
from tests.challenges.conftest import NOW

pytestmark = pytest.mark.usefixtures("ctx")


def attached(obj):
    return db.session.merge(obj)


def test_drafts_may_be_incomplete_but_not_wrong(manager):
    """A draft can lack fields; broken rules are refused with a message per field."""
    author = attached(manager)
    draft = authoring.create_challenge(
        author, title="Winter savings", category=Category.ENERGY, metric=Metric.SHARE_SAVED, format=Format.INDIVIDUAL
    )
    assert draft.status == Status.DRAFT
    with pytest.raises(errors.InvalidChallenge) as caught:
        authoring.create_challenge(
            author,
            title="x",
            category=Category.ENERGY,
            metric=Metric.SUSTAINABLE_TRIPS,
            format=Format.INDIVIDUAL,
            starts_at=NOW,
            ends_at=NOW - timedelta(days=1),
            daily_point_cap=0,
            placement_points=[10, -1, 0],
        )
    assert set(caught.value.errors) == {"title_en", "metric", "ends_at", "daily_point_cap", "placement_points"}


def test_publishing_needs_every_field(manager):
    """Publishing a draft with missing fields names them all; a collective challenge needs a target."""
    draft = authoring.create_challenge(
        attached(manager),
        title="Bike month",
        category=Category.MOBILITY,
        metric=Metric.SUSTAINABLE_TRIPS,
        format=Format.COLLECTIVE,
    )
    with pytest.raises(errors.IncompleteChallenge) as caught:
        authoring.publish(draft, now=NOW)
    assert set(caught.value.missing) == {"description", "starts_at", "ends_at", "target"}
    assert draft.status == Status.DRAFT


def test_publish_schedules_or_activates(make_challenge):
    """A challenge that starts later is scheduled; one that has started is active at once."""
    later = make_challenge(starts_at=NOW + timedelta(days=1), ends_at=NOW + timedelta(days=8))
    running = make_challenge()
    assert later.status == Status.SCHEDULED and running.status == Status.ACTIVE
    assert later.published_at == NOW


def test_cannot_publish_a_challenge_that_has_ended(make_challenge):
    """An end in the past is refused at publishing."""
    draft = make_challenge(publish=False, starts_at=NOW - timedelta(days=9), ends_at=NOW - timedelta(days=1))
    with pytest.raises(errors.InvalidChallenge) as caught:
        authoring.publish(draft, now=NOW)
    assert "ends_at" in caught.value.errors


def test_scoring_rules_are_locked_while_active(make_challenge, manager):
    """Once active only the description and end date change; each change is logged."""
    challenge = make_challenge()
    editor = attached(manager)
    with pytest.raises(errors.ScoringLocked) as caught:
        authoring.update_challenge(challenge, editor, now=NOW, points_per_unit=99.0)
    assert caught.value.field == "points_per_unit"
    new_end = NOW + timedelta(days=30)
    authoring.update_challenge(challenge, editor, now=NOW, description="Now with tips.", ends_at=new_end)
    log = {change.field: change for change in challenge.changes}
    assert set(log) == {"description_en", "ends_at"}
    assert log["description_en"].user_id == manager.id and log["description_en"].new_value == "Now with tips."
    assert log["ends_at"].old_value == (NOW + timedelta(days=21)).isoformat(timespec="minutes")


def test_running_challenge_cannot_end_in_the_past(make_challenge, manager):
    """Shortening a running challenge to an end already passed is refused."""
    with pytest.raises(errors.InvalidChallenge):
        authoring.update_challenge(make_challenge(), attached(manager), now=NOW, ends_at=NOW - timedelta(hours=1))


def test_draft_edits_are_not_logged(make_challenge, manager):
    """Before publishing, edits are free and leave no change log."""
    draft = make_challenge(publish=False)
    authoring.update_challenge(draft, attached(manager), now=NOW, points_per_unit=5.0, title="Renamed")
    assert draft.changes == [] and draft.points_per_unit == 5.0


def test_closed_and_cancelled_challenges_are_frozen(make_challenge, manager):
    """No edits after the end; cancelling twice is refused."""
    challenge = make_challenge()
    authoring.cancel(challenge, now=NOW)
    with pytest.raises(errors.NotEditable):
        authoring.update_challenge(challenge, attached(manager), description="late")
    with pytest.raises(errors.WrongStatus):
        authoring.cancel(challenge)


def test_all_changes_are_in_the_change_log_table(make_challenge, manager):
    """The change log is a table of its own, in order."""
    challenge = make_challenge()
    authoring.update_challenge(challenge, attached(manager), now=NOW, description="One")
    authoring.update_challenge(challenge, attached(manager), now=NOW + timedelta(minutes=1), description="Two")
    assert [c.new_value for c in challenge.changes] == ["Two", "One"]
    assert db.session.query(ChallengeChange).count() == 2


def test_published_challenges_keep_their_required_fields(make_challenge, manager):
    """Blanking a field that publishing needs is refused once published; drafts may blank them."""
    upcoming = make_challenge(
        starts_at=NOW + timedelta(days=2), ends_at=NOW + timedelta(days=9), format=Format.NEIGHBOURHOOD
    )
    with pytest.raises(errors.InvalidChallenge) as caught:
        authoring.update_challenge(upcoming, attached(manager), now=NOW, starts_at=None, description="")
    assert set(caught.value.errors) == {"starts_at", "description"}
    with pytest.raises(errors.InvalidChallenge) as caught:
        authoring.update_challenge(upcoming, attached(manager), now=NOW, format=Format.COLLECTIVE)
    assert set(caught.value.errors) == {"target"}
    draft = make_challenge(publish=False)
    authoring.update_challenge(draft, attached(manager), now=NOW, starts_at=None)
    assert draft.starts_at is None


@pytest.mark.parametrize(
    ("format_", "metric", "allowed"),
    [
        (Format.INDIVIDUAL, Metric.SHARE_SAVED, True),
        (Format.INDIVIDUAL, Metric.KWH_SAVED, False),
        (Format.INDIVIDUAL, Metric.CO2_KG_AVOIDED, False),
        (Format.NEIGHBOURHOOD, Metric.SHARE_SAVED, True),
        (Format.NEIGHBOURHOOD, Metric.KWH_SAVED, True),
        (Format.COLLECTIVE, Metric.SHARE_SAVED, False),
    ],
)
def test_residents_ranked_one_by_one_in_energy_compete_on_the_share_saved(manager, format_, metric, allowed):
    """Household size cannot decide an individual energy ranking: only the share saved may rank residents."""
    values = {"title": "Fair savings", "category": Category.ENERGY, "metric": metric, "format": format_}
    if allowed:
        assert authoring.create_challenge(attached(manager), **values).metric == metric
        return
    with pytest.raises(errors.InvalidChallenge) as caught:
        authoring.create_challenge(attached(manager), **values)
    assert set(caught.value.errors) == {"metric"}
