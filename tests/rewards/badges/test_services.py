"""Badge services: image checks, definitions, default badges and awards."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from rewards import errors
from rewards.badges import services
from rewards.badges.defaults import DEFAULT_BADGES, install_default_badges
from rewards.models import BadgeAward, BadgeClass, BadgeRule
from tests.rewards.conftest import NOW

SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9"><title>Dot</title><circle cx="4" cy="4" r="4"/></svg>'


def make_badge(rule: BadgeRule | None = BadgeRule.FIRST_SUBMISSION, **fields) -> BadgeClass:
    values = {"name": "Early Bird", "description": "Was early.", "criteria": "Be early.", "image_svg": SVG, **fields}
    return services.create_badge(rule=rule, **values)


def award_count() -> int:
    return db.session.scalar(select(func.count(BadgeAward.id)))


# Images ----------------------------------------------------------------------------------


@pytest.mark.parametrize("definition", DEFAULT_BADGES, ids=lambda d: d["rule"].value)
def test_check_svg_accepts_the_default_badges(definition):
    """Every default image is a self-contained SVG with a title."""
    assert services.check_svg(definition["image_svg"]) == definition["image_svg"]
    assert "<title>" in definition["image_svg"]


@pytest.mark.parametrize(
    "svg",
    [
        "",
        "not xml at all",
        "<html><body>no svg</body></html>",
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><SCRIPT>alert(1)</SCRIPT></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        '<svg xmlns="http://www.w3.org/2000/svg"><circle r="1" ONCLICK="alert(1)"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><a href="https://evil.example"><text>x</text></a></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><rect href="https://evil.example/x"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<rect xlink:href="#x"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><image href="https://evil.example/x.png"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>html</p></foreignObject></svg>',
        '<!DOCTYPE svg [<!ENTITY x "boom">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
        '<!doctype svg><svg xmlns="http://www.w3.org/2000/svg"/>',
        '<svg xmlns="http://www.w3.org/2000/svg"><style>@import "https://evil.example/x.css";</style></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url( https://evil.example/p )"/></svg>',
        '<?xml-stylesheet href="https://evil.example/x.css"?><svg xmlns="http://www.w3.org/2000/svg"/>',
        '<svg xmlns="http://www.w3.org/2000/svg"><set attributeName="x" to="javascript:alert(1)"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><desc>' + "x" * 100_000 + "</desc></svg>",
    ],
)
def test_check_svg_refuses_what_could_load_or_run_something(svg):
    """Scripts, event handlers, links, embedded documents, DOCTYPEs and huge files are refused."""
    with pytest.raises(errors.InvalidBadgeImage):
        services.check_svg(svg)


# Definitions and default badges -----------------------------------------------------------


@pytest.mark.usefixtures("ctx")
def test_create_badge_names_every_broken_field():
    """Empty texts, a bad image and an unknown rule are reported together, field by field."""
    with pytest.raises(errors.InvalidFields) as caught:
        services.create_badge(name=" ", description="", criteria="", image_svg="<svg><script/></svg>", rule="wizardry")
    assert set(caught.value.errors) == {"name", "description", "criteria", "image_svg", "rule"}
    assert db.session.scalar(select(func.count(BadgeClass.id))) == 0


@pytest.mark.usefixtures("ctx")
def test_update_badge_changes_only_valid_values():
    """An update with a bad image changes nothing; a good one is saved trimmed."""
    badge = make_badge()
    with pytest.raises(errors.InvalidFields):
        services.update_badge(badge, name="Renamed", image_svg="<svg onload='x()'/>")
    assert badge.name == "Early Bird"
    services.update_badge(badge, name="  Renamed  ", rule=None, active=False)
    assert (badge.name, badge.rule, badge.active) == ("Renamed", None, False)


@pytest.mark.usefixtures("ctx")
def test_install_default_badges_adds_one_per_rule_and_is_idempotent():
    """Six badges, one per rule; a second run adds none; a rule an admin already covered is skipped."""
    make_badge(BadgeRule.STREAK, name="Our own streak badge")
    installed = install_default_badges()
    assert {badge.rule for badge in installed} == set(BadgeRule) - {BadgeRule.STREAK}
    assert install_default_badges() == []
    rules = db.session.scalars(select(BadgeClass.rule)).all()
    assert sorted(rules) == sorted(BadgeRule)


def test_cli_installs_default_badges(app, runner):
    """`flask badges install-defaults` installs the six, then reports none the second time."""
    first = runner.invoke(args=["badges", "install-defaults"])
    assert first.exit_code == 0, first.output
    assert "Installed 6 default badge(s)." in first.output
    again = runner.invoke(args=["badges", "install-defaults"])
    assert "Installed 0 default badge(s)." in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count(BadgeClass.id))) == 6


# Awards ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("ctx")
def test_award_is_idempotent(make_user):
    """Awarding the same rule twice gives the resident one award, with its evidence and time."""
    resident = make_user()
    badge = make_badge()
    first = services.award(resident.id, BadgeRule.FIRST_SUBMISSION, {"challenge_id": 7}, NOW)
    second = services.award(resident.id, BadgeRule.FIRST_SUBMISSION, {"challenge_id": 8}, NOW)
    assert len(first) == 1 and second == []
    assert award_count() == 1
    (item,) = services.awards_of(resident)
    assert (item.badge_id, item.evidence, item.awarded_at) == (badge.id, {"challenge_id": 7}, NOW)
    assert len(item.uid) == 32 and len(item.salt) == 32 and not item.private


@pytest.mark.usefixtures("ctx")
def test_award_skips_inactive_badges_and_other_rules(make_user):
    """Only active badges of the rule that fired are awarded."""
    resident = make_user()
    make_badge(BadgeRule.TOP_10)
    make_badge(BadgeRule.FIRST_SUBMISSION, active=False)
    assert services.award(resident.id, BadgeRule.FIRST_SUBMISSION) == []
    assert award_count() == 0


@pytest.mark.usefixtures("ctx")
def test_not_yet_earned_and_holder_counts(make_user):
    """What a resident can still earn excludes what they hold and inactive badges; counts are per badge."""
    first, second = make_user(), make_user()
    earned = make_badge(BadgeRule.FIRST_SUBMISSION)
    open_badge = make_badge(BadgeRule.TOP_10, name="Top")
    make_badge(BadgeRule.STREAK, name="Retired", active=False)
    services.award(first.id, BadgeRule.FIRST_SUBMISSION)
    services.award(second.id, BadgeRule.FIRST_SUBMISSION)
    assert services.not_yet_earned(first) == [open_badge]
    assert services.holder_counts() == {earned.id: 2}


@pytest.mark.usefixtures("ctx")
def test_only_the_owner_can_change_privacy(make_user):
    """Another resident's award is "not found", whether by uid or when setting privacy."""
    owner, other = make_user(), make_user()
    make_badge()
    (item,) = services.award(owner.id, BadgeRule.FIRST_SUBMISSION)
    with pytest.raises(errors.NotFound):
        services.own_award(other, item.uid)
    with pytest.raises(errors.NotFound):
        services.set_private(item, other, True)
    assert services.set_private(services.own_award(owner, item.uid), owner, True).private
