"""Open Badges 2.0 documents of awards: the hosted assertion, its BadgeClass and the issuer Profile.

Every award is a hosted assertion (https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/):
the assertion, its BadgeClass and the issuer Profile live at stable public URLs, and the recipient
is the resident's email, salted and hashed with SHA-256, so a backpack can match it without the
address ever being published.
"""

import hashlib

from rewards.models import BadgeAward, BadgeClass

OPEN_BADGES_CONTEXT = "https://w3id.org/openbadges/v2"


def hashed_email(email: str, salt: str) -> str:
    """The recipient identity as Open Badges hashes it: sha256 of the lower-cased email plus the salt."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()


def issuer_document(issuer_url: str, name: str, website: str, email: str | None) -> dict:
    """The issuer Profile: who awards the badges."""
    document = {"@context": OPEN_BADGES_CONTEXT, "type": "Issuer", "id": issuer_url, "name": name, "url": website}
    if email:
        document["email"] = email
    return document


def badge_class_document(badge: BadgeClass, badge_url: str, image_url: str, criteria_url: str, issuer_url: str):
    """The BadgeClass: what the badge says and what earns it."""
    return {
        "@context": OPEN_BADGES_CONTEXT,
        "type": "BadgeClass",
        "id": badge_url,
        "name": badge.name,
        "description": badge.description,
        "image": image_url,
        "criteria": {"id": criteria_url, "narrative": badge.criteria},
        "issuer": issuer_url,
    }


def assertion_document(item: BadgeAward, assertion_url: str, badge_url: str, evidence_url: str | None = None):
    """The hosted assertion; None when the resident has no email, since OB 2.0 needs a recipient identity."""
    if not item.user.email:
        return None
    document = {
        "@context": OPEN_BADGES_CONTEXT,
        "type": "Assertion",
        "id": assertion_url,
        "recipient": {
            "type": "email",
            "hashed": True,
            "salt": item.salt,
            "identity": hashed_email(item.user.email, item.salt),
        },
        "badge": badge_url,
        "verification": {"type": "hosted"},
        "issuedOn": item.awarded_at.isoformat(),
    }
    if evidence_url:
        document["evidence"] = evidence_url
    return document


def revoked_document(assertion_url: str) -> dict:
    """What a private award's URL answers: the standard's sign that the assertion is no longer valid."""
    return {"@context": OPEN_BADGES_CONTEXT, "type": "Assertion", "id": assertion_url, "revoked": True,
            "revocationReason": "Made private by the recipient"}  # fmt: skip
