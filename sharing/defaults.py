"""The data catalogue a new city starts with; admins change it afterwards in the UI."""

from sqlalchemy import select

from app.extensions import db
from sharing.models import DataCategory, Purpose

CATEGORIES = (
    {
        "code": "energy_readings",
        "name_en": "Energy meter readings",
        "name_de": "Zählerstände (Strom)",
        "description_en": "The electricity meter readings you submit, with their date and time.",
        "description_de": "Die Stromzählerstände, die Sie eingeben, mit Datum und Uhrzeit.",
    },
    {
        "code": "trips",
        "name_en": "Trips",
        "name_de": "Wege",
        "description_en": "The trips you record: day, means of transport, distance, and whether they replaced a car.",
        "description_de": "Die Wege, die Sie eintragen: Tag, Verkehrsmittel, Entfernung und ob sie eine Autofahrt "
        "ersetzt haben.",
    },
    {
        "code": "household_profile",
        "name_en": "Household profile",
        "name_de": "Haushaltsprofil",
        "description_en": "Your household size and your neighbourhood.",
        "description_de": "Die Größe Ihres Haushalts und Ihr Stadtteil.",
    },
    {
        "code": "meter_readings",
        "name_en": "Meter readings from your utility",
        "name_de": "Zählerstände von Ihren Stadtwerken",
        "description_en": "The readings your utility sends for the meter you linked: one value per day and the day's "
        "use, never the 15-minute profile.",
        "description_de": "Die Zählerstände, die Ihre Stadtwerke für den verknüpften Zähler senden: ein Wert pro Tag "
        "und der Tagesverbrauch, nie das 15-Minuten-Profil.",
    },
    {
        "code": "routes",
        "name_en": "Routes of your uploaded tracks",
        "name_de": "Strecken Ihrer hochgeladenen Tracks",
        "description_en": "Where your uploaded walking and cycling tracks went, as counts per map cell, mode, time "
        "of day and week — never the track itself, and never the cells around where it started or ended.",
        "description_de": "Wo Ihre hochgeladenen Fuß- und Radwege entlangführten, als Zählungen pro Kartenzelle, "
        "Verkehrsmittel, Tageszeit und Woche — nie der Track selbst und nie die Zellen um Start und Ziel.",
    },
)

PURPOSES = (
    {
        "code": "municipal_statistics",
        "name_en": "Municipal statistics",
        "name_de": "Städtische Statistik",
        "explanation_en": "The statistics office counts participation and savings for reports to the council and "
        "for open data. It only ever publishes totals, never anything about one person.",
        "explanation_de": "Das Statistikamt zählt Beteiligung und Einsparungen für Berichte an den Stadtrat und für "
        "offene Daten. Es veröffentlicht nur Summen, nie etwas über eine einzelne Person.",
        "organisation_en": "City statistics office",
        "organisation_de": "Statistikamt der Stadt",
        "third_party": False,
    },
    {
        "code": "grid_planning",
        "name_en": "Grid planning",
        "name_de": "Netzplanung",
        "explanation_en": "The local utility plans the electricity grid: where demand grows and where it shrinks.",
        "explanation_de": "Die Stadtwerke planen das Stromnetz: wo der Bedarf wächst und wo er sinkt.",
        "organisation_en": "Stadtwerke (local utility)",
        "organisation_de": "Stadtwerke",
        "third_party": True,
    },
    {
        "code": "traffic_planning",
        "name_en": "Traffic planning",
        "name_de": "Verkehrsplanung",
        "explanation_en": "The city's traffic planners see how people get around, to improve bus lines, cycle lanes "
        "and footpaths.",
        "explanation_de": "Die Verkehrsplanung der Stadt sieht, wie Menschen unterwegs sind, um Buslinien, Radwege und "
        "Fußwege zu verbessern.",
        "organisation_en": "City traffic planning department",
        "organisation_de": "Verkehrsplanung der Stadt",
        "third_party": False,
    },
    {
        "code": "research",
        "name_en": "Research",
        "name_de": "Forschung",
        "explanation_en": "A university research partner studies what helps households save energy and travel "
        "sustainably. Results are published only as totals.",
        "explanation_de": "Ein Forschungspartner der Universität untersucht, was Haushalten hilft, Energie zu sparen "
        "und nachhaltig unterwegs zu sein. Ergebnisse werden nur als Summen veröffentlicht.",
        "organisation_en": "University research partner",
        "organisation_de": "Forschungspartner der Universität",
        "third_party": True,
    },
    {
        "code": "personal_advice",
        "name_en": "Personal advice",
        "name_de": "Persönliche Beratung",
        "explanation_en": "Civiquest looks at your own readings to forecast your use and send you tips and matching "
        "funding programmes. Nobody else sees it.",
        "explanation_de": "Civiquest wertet Ihre eigenen Zählerstände aus, um Ihren Verbrauch vorherzusagen und Ihnen "
        "Tipps und passende Förderprogramme zu schicken. Niemand sonst sieht das.",
        "organisation_en": "Civiquest",
        "organisation_de": "Civiquest",
        "third_party": False,
    },
    {
        "code": "challenge_scoring",
        "name_en": "Challenge scoring",
        "name_de": "Wertung in Challenges",
        "explanation_en": "Civiquest scores your energy challenges with the readings your utility sends, so you "
        "need not type them.",
        "explanation_de": "Civiquest wertet Ihre Energie-Challenges mit den Zählerständen aus, die Ihre Stadtwerke "
        "senden, damit Sie sie nicht eintippen müssen.",
        "organisation_en": "Civiquest",
        "organisation_de": "Civiquest",
        "third_party": False,
    },
    {
        "code": "network_planning",
        "name_en": "Cycling and walking network planning",
        "name_de": "Planung des Rad- und Fußwegenetzes",
        "explanation_en": "The city's traffic planners see, city-wide, which streets people walk and cycle, to plan "
        "cycle lanes, footpaths and crossings. They see only counts per map cell that rest on several residents.",
        "explanation_de": "Die Verkehrsplanung der Stadt sieht stadtweit, auf welchen Straßen Menschen zu Fuß gehen "
        "und Rad fahren, um Radwege, Fußwege und Querungen zu planen. Sie sieht nur Zählungen pro Kartenzelle, die "
        "auf mehreren Personen beruhen.",
        "organisation_en": "City traffic planning department",
        "organisation_de": "Verkehrsplanung der Stadt",
        "third_party": False,
    },
)


def install_defaults() -> int:
    """Add the default categories and purposes that are missing (by code); returns how many were added."""
    added = 0
    for model, rows in ((DataCategory, CATEGORIES), (Purpose, PURPOSES)):
        existing = set(db.session.scalars(select(model.code)))
        for row in rows:
            if row["code"] not in existing:
                db.session.add(model(**row))
                added += 1
    db.session.flush()
    return added
