"""Who sees which challenge, and the filtered list."""

from datetime import timedelta

import pytest

from app.extensions import db
from challenges import authoring, errors, lifecycle, participation, visibility
from challenges.models import Status
from challenges.scoring import Category
from tests.challenges.conftest import NOW

pytestmark = pytest.mark.usefixtures("ctx")


def attached(obj):
    return db.session.merge(obj)


def listed(viewer, **filters) -> list[str]:
    return [c.title for c in db.session.scalars(visibility.list_challenges(viewer, now=NOW, **filters))]


def test_residents_see_published_challenges_managers_drafts_too(make_challenge, make_user, manager):
    """Drafts (and drafts cancelled unpublished) are for managers; once published, everyone sees them."""
    make_challenge(title="Running")
    draft = make_challenge(title="Draft", publish=False)
    authoring.cancel(make_challenge(title="Scrapped", publish=False), now=NOW)
    authoring.cancel(make_challenge(title="Called off"), now=NOW)
    resident = attached(make_user())
    assert sorted(listed(resident)) == sorted(listed(None)) == ["Called off", "Running"]
    assert sorted(listed(attached(manager))) == ["Called off", "Draft", "Running", "Scrapped"]
    with pytest.raises(errors.NotFound):
        visibility.get_visible_challenge(draft.id, resident)
    assert visibility.get_visible_challenge(draft.id, attached(manager)) is draft


def test_list_is_filtered_and_running_challenges_come_first(make_challenge, make_user):
    """Category and status filter; running challenges come first, the soonest to end leading."""
    make_challenge(title="Upcoming", starts_at=NOW + timedelta(days=2), ends_at=NOW + timedelta(days=9))
    make_challenge(title="Power")
    make_challenge(title="Bikes", category=Category.MOBILITY, ends_at=NOW + timedelta(days=10))
    resident = attached(make_user())
    assert listed(resident) == ["Bikes", "Power", "Upcoming"]
    assert listed(resident, category=Category.MOBILITY) == ["Bikes"]
    assert listed(resident, status=Status.SCHEDULED) == ["Upcoming"]


def test_open_to_me_is_what_can_be_joined_or_is_joined_and_running(make_challenge, make_user):
    """Open to a resident: scheduled or active and not ended, joined or not; staff join nothing."""
    joined = make_challenge(title="Joined")
    make_challenge(title="Upcoming", starts_at=NOW + timedelta(days=2), ends_at=NOW + timedelta(days=9))
    make_challenge(title="Draft", publish=False)
    lifecycle.close_challenge(make_challenge(title="Over"), now=NOW)
    resident = attached(make_user())
    participation.join(joined, resident, now=NOW)
    assert sorted(listed(resident, open_to_me=True)) == ["Joined", "Upcoming"]
    assert sorted(listed(None, open_to_me=True)) == ["Joined", "Upcoming"]
    assert listed(attached(make_user(role="staff")), open_to_me=True) == []
    later = NOW + timedelta(days=30)
    assert [c.title for c in db.session.scalars(visibility.list_challenges(resident, open_to_me=True, now=later))] == []
