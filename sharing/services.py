"""Consent: grant, change, revoke, expire — every step kept as history — and the consent receipts."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from accounts.models import User
from app.columns import utcnow
from app.extensions import db
from app.locks import lock_resident
from notifications.services import notify
from sharing import errors, gate
from sharing.models import DURATIONS, Consent, DataCategory, EndReason, Level, Purpose

EXPIRY_NOTICE = timedelta(days=7)


PAPER_REFERENCE_LENGTH = 80


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time `months` later; the month's last day where that day does not exist."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    for day in range(moment.day, 27, -1):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return moment.replace(year=year, month=month, day=min(moment.day, 28))


# Catalogue ----------------------------------------------------------------------------------


def categories(active_only: bool = True) -> list[DataCategory]:
    query = select(DataCategory).order_by(DataCategory.id)
    return list(db.session.scalars(query.where(DataCategory.active) if active_only else query))


def purposes(active_only: bool = True) -> list[Purpose]:
    query = select(Purpose).order_by(Purpose.id)
    return list(db.session.scalars(query.where(Purpose.active) if active_only else query))


def get_category(category_id: int) -> DataCategory:
    category = db.session.get(DataCategory, category_id)
    if category is None or not category.active:
        raise errors.InvalidConsent({"category_id": _l("Please choose a data category from the list.")})
    return category


def get_purpose(purpose_id: int) -> Purpose:
    purpose = db.session.get(Purpose, purpose_id)
    if purpose is None or not purpose.active:
        raise errors.InvalidConsent({"purpose_id": _l("Please choose a purpose from the list.")})
    return purpose


# Consents -----------------------------------------------------------------------------------


def active_consents(user: User, now: datetime | None = None) -> list[Consent]:
    """The resident's consents in force now."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(Consent)
            .where(Consent.user_id == user.id, *gate.in_force(now))
            .order_by(Consent.category_id, Consent.purpose_id)
        )
    )


def consent_history(user: User) -> list[Consent]:
    """Every grant the resident ever made, newest first, with how each ended."""
    query = select(Consent).where(Consent.user_id == user.id).order_by(Consent.granted_at.desc(), Consent.id.desc())
    return list(db.session.scalars(query))


def _current(user: User, category: DataCategory, purpose: Purpose, now: datetime) -> Consent | None:
    return db.session.scalar(
        select(Consent).where(
            Consent.user_id == user.id, Consent.category_id == category.id, Consent.purpose_id == purpose.id,
            *gate.in_force(now),
        )
    )  # fmt: skip


def end_consent(consent: Consent, reason: EndReason, now: datetime) -> bool:
    """End a consent once; False when it had already ended."""
    ended = db.session.execute(
        update(Consent)
        .where(Consent.id == consent.id, Consent.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(consent)
    return bool(ended)


def grant(user: User, category: DataCategory, purpose: Purpose, level: Level | str, duration_months: int,
          method: str = "web", now: datetime | None = None) -> Consent:  # fmt: skip
    """Let `purpose` use `category` at `level` for `duration_months`; replaces a different grant in force.

    Granting exactly what is in force returns it unchanged, so a repeated click changes nothing.
    """
    now = now or utcnow()
    try:
        level = Level(level)
    except ValueError:
        raise errors.InvalidConsent({"level": _l("Please choose a level from the list.")}) from None
    if duration_months not in DURATIONS:
        raise errors.InvalidConsent({"duration_months": _l("Please choose 3, 6 or 12 months.")})
    lock_resident(user.id)  # a double click must not leave two grants in force
    current = _current(user, category, purpose, now)
    if current is not None:
        if current.level == level and current.duration_months == duration_months:
            return current
        end_consent(current, EndReason.CHANGED, now)
    consent = Consent(
        receipt_id=str(uuid.uuid4()), user=user, category=category, purpose=purpose, level=level,
        duration_months=duration_months, method=method, granted_at=now, expires_at=add_months(now, duration_months),
    )  # fmt: skip
    db.session.add(consent)
    db.session.flush()
    return consent


def record_paper_consent(
    resident: User, manager: User, category: DataCategory, purpose: Purpose, level: Level | str, duration_months: int,
    reference: str, now: datetime | None = None,
) -> Consent:  # fmt: skip
    """A consent the resident signed on paper, entered at the service desk: kept with the manager who entered it
    and the signed form's reference, so the paper can be found again; otherwise a grant like any other."""
    reference = (reference or "").strip()
    if not 1 <= len(reference) <= PAPER_REFERENCE_LENGTH:
        raise errors.InvalidConsent({"paper_reference": _l("Give the signed form's reference (up to 80 characters).")})
    consent = grant(resident, category, purpose, level, duration_months, method="paper", now=now)
    consent.method, consent.entered_by_id, consent.paper_reference = "paper", manager.id, reference
    db.session.flush()
    return consent


def own_consent(user: User, consent_id: int) -> Consent:
    consent = db.session.get(Consent, consent_id)
    if consent is None or consent.user_id != user.id:
        raise errors.NotFound()
    return consent


def revoke(consent: Consent, now: datetime | None = None) -> Consent:
    """Withdraw a consent at once; from this moment the gate no longer lets its data through."""
    now = now or utcnow()
    if not gate.is_in_force(consent, now):
        raise errors.NotActive()
    end_consent(consent, EndReason.REVOKED, now)
    return consent


def expire_consents(now: datetime | None = None) -> int:
    """Mark consents past their end as expired (the gate already ignores them); safe to run twice."""
    now = now or utcnow()
    due = db.session.scalars(select(Consent).where(Consent.ended_at.is_(None), Consent.expires_at <= now)).all()
    return sum(_end_at_expiry(consent) for consent in due)


def _end_at_expiry(consent: Consent) -> bool:
    ended = db.session.execute(
        update(Consent)
        .where(Consent.id == consent.id, Consent.ended_at.is_(None))
        .values(ended_at=Consent.expires_at, end_reason=EndReason.EXPIRED)
        .execution_options(synchronize_session=False)
    ).rowcount
    return bool(ended)


def notify_expiring(now: datetime | None = None) -> int:
    """Tell residents a week ahead that a consent ends; each consent is announced once."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Consent).where(
            *gate.in_force(now), Consent.expires_at <= now + EXPIRY_NOTICE, Consent.expiry_notified_at.is_(None),
        )
    ).all()  # fmt: skip
    for consent in due:
        params = {"category": consent.category.code, "purpose": consent.purpose.code,
                  "expires_at": consent.expires_at.isoformat()}  # fmt: skip
        notify(consent.user_id, "consent_expiry", "consent_expiring", f"consent-expiry:{consent.id}", params,
               link="/me/consents", now=now)  # fmt: skip
        consent.expiry_notified_at = now
    db.session.flush()
    return len(due)


# Consent grid -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    category: DataCategory
    purpose: Purpose
    consent: Consent | None


def grid(user: User, now: datetime | None = None) -> list[list[Cell]]:
    """Rows of categories × columns of purposes, each with the consent in force or None."""
    in_force = {(c.category_id, c.purpose_id): c for c in active_consents(user, now)}
    all_purposes = purposes()
    return [[Cell(category, purpose, in_force.get((category.id, purpose.id))) for purpose in all_purposes]
            for category in categories()]  # fmt: skip
