"""The legally required pages a city publishes: imprint, privacy notice, accessibility statement."""

import enum
from datetime import datetime

from sqlalchemy import Enum, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.columns import UTCDateTime, utcnow
from app.extensions import db


class PageKind(enum.StrEnum):
    IMPRINT = "imprint"  # Impressum (§ 5 DDG)
    PRIVACY = "privacy"  # Datenschutzerklärung (Art. 13 GDPR)
    ACCESSIBILITY = "accessibility"  # Erklärung zur Barrierefreiheit (BITV 2.0, EU Directive 2016/2102)


class LegalPage(db.Model):
    """An admin's text of one legal page in both languages; without a row the page shows its default text."""

    __tablename__ = "legal_page"

    kind: Mapped[PageKind] = mapped_column(
        Enum(
            PageKind,
            native_enum=False,
            length=20,
            name="legal_page_kind",
            values_callable=lambda e: [m.value for m in e],
        ),
        primary_key=True,
    )
    body_en: Mapped[str] = mapped_column(Text)
    body_de: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
