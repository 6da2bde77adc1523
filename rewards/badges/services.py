"""Badges: the definitions admins manage (with their images checked) and the awards their rules make.

What an award is published as lives in rewards.badges.documents.
"""

import secrets
from datetime import datetime
from xml.etree import ElementTree

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from accounts.models import User
from app.bilingual import LANGUAGES, as_twins, missing_both, stripped
from app.columns import utcnow
from app.extensions import db
from rewards import errors
from rewards.models import BadgeAward, BadgeClass, BadgeRule

BADGE_FIELDS = (
    "name_en", "name_de", "description_en", "description_de", "criteria_en", "criteria_de", "image_svg", "rule",
    "active",
)  # fmt: skip
# Written in English, German or both (app.bilingual); `name` etc. from older callers mean English.
BILINGUAL = ("name", "description", "criteria")
MAX_IMAGE_BYTES = 100_000
SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
# Lower-case, since an HTML page that inlines the SVG would read <SCRIPT> as a script too.
FORBIDDEN_ELEMENTS = {"script", "foreignobject", "iframe", "object", "embed", "use", "image", "a"}
# Ways to load or run something that hide in text rather than in an element or attribute name.
FORBIDDEN_TEXT = ("<!doctype", "<!entity", "<?xml-stylesheet", "@import", "javascript:", "url(http", "url(//")


# Definitions --------------------------------------------------------------------------------


def check_svg(svg: str) -> str:
    """Accept a self-contained SVG only: it is served to anyone and shown inside backpacks."""
    svg = (svg or "").strip()
    squeezed = "".join(svg.split()).lower()
    if not svg or len(svg.encode()) > MAX_IMAGE_BYTES or any(text in squeezed for text in FORBIDDEN_TEXT):
        raise errors.InvalidBadgeImage()
    try:
        root = ElementTree.fromstring(svg)
    except ElementTree.ParseError as error:
        raise errors.InvalidBadgeImage() from error
    if root.tag not in ("svg", f"{SVG_NAMESPACE}svg"):
        raise errors.InvalidBadgeImage()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        local = element.tag.rsplit("}", 1)[-1].lower()
        attributes = {name.rsplit("}", 1)[-1].lower(): value for name, value in element.attrib.items()}
        if local in FORBIDDEN_ELEMENTS or any(name.startswith("on") for name in attributes):
            raise errors.InvalidBadgeImage()
        if "href" in attributes or XLINK_HREF in element.attrib:
            raise errors.InvalidBadgeImage()
    return svg


def _twins() -> list[str]:
    return [f"{name}_{language}" for name in BILINGUAL for language in LANGUAGES]


def _badge_errors(values: dict) -> dict:
    problems = {}
    for name, message in (
        ("name", _l("Please give the badge a name.")),
        ("description", _l("Please describe the badge.")),
        ("criteria", _l("Please say what a resident must do to earn it.")),
    ):
        if (f"{name}_en" in values or f"{name}_de" in values) and missing_both(values, name):
            problems[name] = message
    if "image_svg" in values:
        try:
            values["image_svg"] = check_svg(values["image_svg"])
        except errors.InvalidBadgeImage as error:
            problems["image_svg"] = error.message
    if values.get("rule") is not None:
        try:
            values["rule"] = BadgeRule(values["rule"])
        except ValueError:
            problems["rule"] = _l("Please choose a rule from the list.")
    return problems


def create_badge(**fields) -> BadgeClass:
    """Define a badge; with a rule, it is awarded automatically from now on."""
    fields = as_twins(fields, BILINGUAL)
    values = stripped({name: fields.get(name) for name in BADGE_FIELDS}, BILINGUAL)
    values["active"] = True if values["active"] is None else values["active"]
    if problems := _badge_errors(values):
        raise errors.InvalidFields(problems)
    badge = BadgeClass(**{name: value.strip() if isinstance(value, str) else value for name, value in values.items()})
    db.session.add(badge)
    db.session.flush()
    return badge


def update_badge(badge: BadgeClass, **changes) -> BadgeClass:
    """Change a badge's definition; awards already made keep pointing at it."""
    values = stripped({name: value for name, value in as_twins(changes, BILINGUAL).items() if name in BADGE_FIELDS},
                      BILINGUAL)  # fmt: skip
    # The texts as they will be, so that emptying one language is fine and emptying both is not.
    merged = {**{twin: getattr(badge, twin) for twin in _twins()}, **values}
    if problems := _badge_errors(merged):
        raise errors.InvalidFields(problems)
    values = {name: merged[name] for name in values}  # with the image and rule as checked
    for name, value in values.items():
        setattr(badge, name, value.strip() if isinstance(value, str) else value)
    db.session.flush()
    return badge


def list_badges(active_only: bool = False) -> list[BadgeClass]:
    """Every badge by id; with `active_only`, those still awarded."""
    query = select(BadgeClass).order_by(BadgeClass.id)
    if active_only:
        query = query.where(BadgeClass.active)
    return list(db.session.scalars(query))


def get_badge(badge_id: int) -> BadgeClass:
    """One badge by id, or NotFound."""
    badge = db.session.get(BadgeClass, badge_id)
    if badge is None:
        raise errors.NotFound(_l("No such badge."))
    return badge


def holder_counts() -> dict[int, int]:
    """How many residents hold each badge, by badge id; badges nobody holds are left out."""
    rows = db.session.execute(select(BadgeAward.badge_id, func.count()).group_by(BadgeAward.badge_id))
    return {badge_id: count for badge_id, count in rows}


# Awards -------------------------------------------------------------------------------------


def award(user_id: int, rule: BadgeRule, evidence: dict | None = None, now: datetime | None = None) -> list[BadgeAward]:
    """Award every active badge of `rule` the resident does not hold yet; running it again adds nothing."""
    badge_ids = db.session.scalars(select(BadgeClass.id).where(BadgeClass.rule == rule, BadgeClass.active)).all()
    if not badge_ids:
        return []
    held = set(
        db.session.scalars(
            select(BadgeAward.badge_id).where(BadgeAward.user_id == user_id, BadgeAward.badge_id.in_(badge_ids))
        )
    )
    awarded = []
    for badge_id in badge_ids:
        if badge_id in held:
            continue
        item = BadgeAward(
            uid=secrets.token_hex(16), badge_id=badge_id, user_id=user_id, salt=secrets.token_hex(16),
            evidence=evidence or {}, awarded_at=now or utcnow(),
        )  # fmt: skip
        try:
            with db.session.begin_nested():  # a concurrent run may award the same badge first
                db.session.add(item)
        except IntegrityError:
            continue
        awarded.append(item)
    return awarded


def awards_of(user: User) -> list[BadgeAward]:
    """The resident's awards, newest first."""
    return list(
        db.session.scalars(
            select(BadgeAward)
            .where(BadgeAward.user_id == user.id)
            .order_by(BadgeAward.awarded_at.desc(), BadgeAward.id)
        )
    )


def own_award(owner: User, uid: str) -> BadgeAward:
    """One of the resident's own awards; anyone else's is "not found", so uids cannot be probed."""
    item = published_award(uid)
    if item is None or item.user_id != owner.id:
        raise errors.NotFound(_l("No such badge."))
    return item


def not_yet_earned(user: User) -> list[BadgeClass]:
    """The active badges the resident could still earn."""
    held = select(BadgeAward.badge_id).where(BadgeAward.user_id == user.id)
    query = select(BadgeClass).where(BadgeClass.active, BadgeClass.id.not_in(held)).order_by(BadgeClass.id)
    return list(db.session.scalars(query))


def set_private(item: BadgeAward, owner: User, private: bool) -> BadgeAward:
    """Hide an award from the public (its assertion then answers as revoked) or publish it again."""
    if item.user_id != owner.id:
        raise errors.NotFound(_l("No such badge."))
    item.private = private
    db.session.flush()
    return item


def published_award(uid: str) -> BadgeAward | None:
    """The award behind a public assertion URL, or None when there is none."""
    return db.session.scalar(select(BadgeAward).where(BadgeAward.uid == uid))
