"""Open Badges 2.0 documents: the hashed recipient, the assertion and its revoked form."""

import hashlib

import pytest

from rewards.badges import documents, services
from rewards.models import BadgeRule
from tests.rewards.badges.test_services import make_badge
from tests.rewards.conftest import NOW


def test_hashed_email_is_salted_sha256_of_the_lower_cased_address():
    """The identity is `sha256$` and the hex digest of email + salt, as Open Badges 2.0 hashes it."""
    digest = hashlib.sha256(b"lena@example.org" + b"pepper").hexdigest()
    assert documents.hashed_email(" Lena@Example.org ", "pepper") == f"sha256${digest}"


@pytest.mark.usefixtures("ctx")
def test_assertion_document_needs_an_email(make_user):
    """Without an email there is no recipient identity, so no assertion; the revoked form keeps only its id."""
    resident = make_user()
    make_badge()
    (item,) = services.award(resident.id, BadgeRule.FIRST_SUBMISSION, now=NOW)
    document = documents.assertion_document(item, "https://x.example/a/1", "https://x.example/b/1")
    assert document["issuedOn"] == "2026-03-04T12:00:00+00:00"
    assert "evidence" not in document
    resident.email = None
    assert documents.assertion_document(item, "https://x.example/a/1", "https://x.example/b/1") is None
    revoked = documents.revoked_document("https://x.example/a/1")
    assert (revoked["id"], revoked["revoked"], revoked["type"]) == ("https://x.example/a/1", True, "Assertion")
