"""Legal pages: the admin's texts with defaults, the privacy notice's processing list drawn from the live data
catalogue, and accessibility feedback sent to the city through the outbox."""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.columns import utcnow
from app.extensions import db
from legal.defaults import default_body
from legal.models import LegalPage, PageKind
from notifications import email
from sharing import services as sharing
from sharing.models import DURATIONS, DataCategory, Level, Purpose


def get_page(kind: PageKind | str) -> LegalPage | None:
    """The admin's saved text of a page; None while it still shows its default."""
    return db.session.get(LegalPage, PageKind(kind))


def body(kind: PageKind | str, language: str) -> str:
    """The page's text in `language`: the admin's, else (empty or never saved) the default text."""
    page = get_page(kind)
    saved = getattr(page, f"body_{language}", "") if page else ""
    return saved.strip() or default_body(PageKind(kind), language)


def save_page(kind: PageKind | str, body_en: str, body_de: str, now: datetime | None = None) -> LegalPage:
    """Store both languages' texts of a page; an empty one falls back to the default text."""
    kind = PageKind(kind)
    page = get_page(kind) or LegalPage(kind=kind)
    page.body_en, page.body_de, page.updated_at = body_en.strip(), body_de.strip(), now or utcnow()
    db.session.add(page)
    db.session.flush()
    return page


@dataclass(frozen=True)
class Processing:
    """One use of personal data the consent grid offers: a category for a purpose, at the levels a resident picks."""

    category: DataCategory
    purpose: Purpose
    levels: tuple[Level, ...]
    consent_months: tuple[int, ...]  # how long a consent may run, as the resident chooses
    retention_months: int


def processing() -> list[Processing]:
    """Every category × purpose the consent grid offers now, in the grid's order, so the notice always matches it."""
    months = current_app.config["RETENTION_MONTHS"]
    purposes = sharing.purposes()
    return [Processing(category, purpose, tuple(Level), DURATIONS, months) for category in sharing.categories()
            for purpose in purposes]  # fmt: skip


FEEDBACK_SUBJECT = _l("Accessibility feedback from the Civiquest website")


def send_feedback(message: str, reply_to: str | None, page: str | None, now: datetime | None = None):
    """Queue a resident's accessibility feedback as an email to ACCESSIBILITY_CONTACT_EMAIL (kept until sent)."""
    config = current_app.config
    context = {"message": message.strip(), "reply_to": (reply_to or "").strip() or None, "page": page or None}
    return email.enqueue_service(
        config["ACCESSIBILITY_CONTACT_EMAIL"], config["ACCESSIBILITY_CONTACT_LANGUAGE"], FEEDBACK_SUBJECT,
        "legal/feedback_email", context, now or utcnow(),
    )  # fmt: skip
