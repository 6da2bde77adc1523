"""Funding programmes for the demo city: fictional examples in the style of real ones, marked as such."""

from datetime import date

from nudges import funding

# Fictional, but shaped like the efficiency grants of federal banks and agencies and a city's fridge bonus.
PROGRAMMES = [
    {
        "name_en": "Example: Efficient Home Appliances Grant",
        "name_de": "Beispiel: Zuschuss effiziente Haushaltsgeräte",
        "provider": "Example Federal Energy Agency (fictional)",
        "funds_en": "up to 30 % of a new appliance of the best efficiency class",
        "funds_de": "bis zu 30 % eines neuen Geräts der besten Effizienzklasse",
        "description_en": "A demo entry modelled on federal efficiency grants; not a real programme.",
        "description_de": "Ein Demo-Eintrag nach dem Vorbild von Bundesförderungen; kein echtes Programm.",
        "link": "https://example.org/efficient-appliances", "valid_until": date(2027, 12, 31),
    },
    {
        "name_en": "Example: Energy Check for Families", "name_de": "Beispiel: Energie-Check für Familien",
        "provider": "Example Development Bank (fictional)",
        "funds_en": "a free home energy check and a smart power strip",
        "funds_de": "einen kostenlosen Energie-Check und eine smarte Steckdosenleiste",
        "description_en": "A demo entry for households of three or more; not a real programme.",
        "description_de": "Ein Demo-Eintrag für Haushalte ab drei Personen; kein echtes Programm.",
        "min_household_size": 3, "link": "https://example.org/family-energy-check",
    },
    {
        "name_en": "Example: City Fridge Exchange Bonus", "name_de": "Beispiel: Kühlschrank-Tauschbonus der Stadt",
        "provider": "City utilities (fictional example)",
        "funds_en": "€100 towards a new fridge when the old one (10+ years) is recycled",
        "funds_de": "100 € für einen neuen Kühlschrank, wenn der alte (ab 10 Jahren) recycelt wird",
        "description_en": "A demo entry modelled on municipal exchange bonuses; not a real programme.",
        "description_de": "Ein Demo-Eintrag nach dem Vorbild kommunaler Tauschprämien; kein echtes Programm.",
        "link": "https://example.org/fridge-exchange", "valid_until": date(2027, 6, 30),
    },
]  # fmt: skip


def seed() -> int:
    """Add the example programmes; how many."""
    for values in PROGRAMMES:
        funding.create_programme(**values)
    return len(PROGRAMMES)
