"""Rewards for the demo city: the default badges, four partners with a catalogue, a partner account.

Residents need no points from here: the demo challenges enter their activity through the
challenge services, whose signals credit the ledger and award badges as they would in real life.
That is why the badges are installed before the challenges and the rest after them.
"""

from datetime import timedelta

from sqlalchemy import func, select

from accounts import services as accounts
from accounts.models import Role
from app.columns import utcnow
from app.extensions import db
from rewards import earnings
from rewards.badges.defaults import install_default_badges
from rewards.catalogue import services
from rewards.models import LedgerEntry, PartnerKind

# Their names are German proper names, the same in both languages.
PARTNERS = [
    ("Stadtbad Mitte", PartnerKind.MUNICIPAL),
    ("Stadtwerke Verkehr", PartnerKind.TRANSPORT),
    ("Stadtmuseum", PartnerKind.CULTURE),
    ("Fahrradladen Speiche", PartnerKind.SHOP),
]

# (partner, (title in English, in German), (description in English, in German), cost, stock, limit per resident,
# valid for days)
REWARDS = [
    ("Stadtbad Mitte", ("Swimming pool day ticket", "Tageskarte Hallenbad"),
     ("One day at the indoor pool, sauna not included.", "Ein Tag im Hallenbad, ohne Sauna."), 150,
     None, None, None),
    ("Stadtbad Mitte", ("Sauna evening", "Saunaabend"),
     ("One evening in the sauna, Monday to Thursday from 17:00.",
      "Ein Abend in der Sauna, montags bis donnerstags ab 17 Uhr."), 400, 20, 2, 120),
    ("Stadtwerke Verkehr", ("Day ticket for buses and trams", "Tageskarte für Bus und Straßenbahn"),
     ("Travel all day in the city zone.", "Den ganzen Tag in der Stadtzone fahren."), 200, None, None, None),
    ("Stadtwerke Verkehr", ("10% off a monthly pass", "10 % Rabatt auf eine Monatskarte"),
     ("Show the voucher when you buy your next monthly pass.",
      "Zeigen Sie den Gutschein beim Kauf Ihrer nächsten Monatskarte."), 500, None, 1, 180),
    ("Stadtmuseum", ("Museum entry", "Museumseintritt"),
     ("One adult entry to the permanent exhibition.", "Ein Eintritt für Erwachsene in die Dauerausstellung."),
     120, None, None, None),
    ("Stadtmuseum", ("Family guided tour", "Familienführung"),
     ("A guided tour for up to two adults and three children.",
      "Eine Führung für bis zu zwei Erwachsene und drei Kinder."), 350, 10, 1, 90),
    ("Fahrradladen Speiche", ("Bike service voucher", "Gutschein Fahrradinspektion"),
     ("A full service for one bike: brakes, gears, chain, lights.",
      "Eine vollständige Inspektion für ein Rad: Bremsen, Schaltung, Kette, Licht."), 300, 5, 1, 90),
    ("Fahrradladen Speiche", ("Bike light set", "Fahrradlicht-Set"),
     ("Front and rear lights, rechargeable by USB.", "Vorder- und Rücklicht, per USB aufladbar."), 250, 15, 1, None),
]  # fmt: skip

PARTNER_ACCOUNT = ("partner1", "Stadtbad Mitte Desk", "Stadtbad Mitte")


def seed_badges() -> int:
    """The default badges, before any activity, so the demo residents earn them along the way."""
    return len(install_default_badges())


def seed(email_for, password_hash: str) -> str:
    """Partners, their catalogue, a partner account and the streaks earned so far; returns a summary.

    `email_for(local_part)` makes a demo address; `password_hash` is the demo accounts' shared hash.
    """
    now = utcnow()
    partners = {name: services.create_partner(name, kind) for name, kind in PARTNERS}
    for partner, (title_en, title_de), (description_en, description_de), cost, stock, limit, days in REWARDS:
        services.create_reward(
            partner_id=partners[partner].id, title_en=title_en, title_de=title_de, description_en=description_en,
            description_de=description_de, cost=cost, stock=stock, per_resident_limit=limit,
            valid_until=now + timedelta(days=days) if days else None,
        )  # fmt: skip
    local_part, pseudonym, partner = PARTNER_ACCOUNT
    account = accounts.create_user(
        email=email_for(local_part), password="", password_hash=password_hash, pseudonym=pseudonym, role=Role.PARTNER
    )
    services.add_partner_member(partners[partner], account)
    streaks = earnings.award_streaks(now)
    funded = db.session.scalar(select(func.count(func.distinct(LedgerEntry.user_id))))
    return f"{len(partners)} partners, {len(REWARDS)} rewards, {streaks} streaks, {funded} residents with points"
