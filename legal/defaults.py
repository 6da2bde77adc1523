"""The text each legal page starts with, in the reader's language: a sound frame the city completes.

Square brackets mark what only the city can say; the admin's edit page shows these texts to start from.
"""

from flask import current_app
from flask_babel import force_locale, gettext

from app.bilingual import setting
from legal.models import PageKind


def _imprint(config) -> str:
    return gettext(
        "## Published by\n%(name)s\n%(address)s\nEmail: %(email)s\n\n"
        "## Represented by\n[The mayor or the managing director: please complete]\n\n"
        "## Responsible for the content\n%(contact)s\n\n"
        "## Supervisory authority\n[The authority that supervises the publisher: please complete]\n\n"
        "## VAT identification number\n[If there is one: please complete]",
        name=setting(config, "SHARING_CONTROLLER_NAME"), address=setting(config, "SHARING_CONTROLLER_ADDRESS"),
        email=config["SHARING_CONTROLLER_EMAIL"], contact=setting(config, "SHARING_CONTROLLER_CONTACT"),
    )  # fmt: skip


def _privacy(config) -> str:
    return gettext(
        "## Who is responsible\n%(name)s, %(address)s, %(email)s. Data protection officer: %(contact)s.\n\n"
        "## Your account\nTo take part you give an email address (or register at the service desk), a pseudonym, "
        "your neighbourhood and the size of your household. We use them to run the challenges, count your points "
        "and show leaderboards under your pseudonym. [Legal basis for account data, e.g. Art. 6(1)(e) GDPR with "
        "the city's statutes: please complete]\n\n"
        "## Your rights\nYou may ask what we hold about you (Art. 15 GDPR), have it corrected (Art. 16) or erased "
        "(Art. 17), restrict its use (Art. 18), take it with you (Art. 20) and object to its use (Art. 21). You "
        "can withdraw any consent at any time, with effect for every later use (Art. 7(3)). You may complain to a "
        "supervisory authority: [the state's data protection authority: please complete].",
        name=setting(config, "SHARING_CONTROLLER_NAME"), address=setting(config, "SHARING_CONTROLLER_ADDRESS"),
        email=config["SHARING_CONTROLLER_EMAIL"], contact=setting(config, "SHARING_CONTROLLER_CONTACT"),
    )  # fmt: skip


def _accessibility(config) -> str:
    return gettext(
        "## Status\nThis website is partially compliant with the Web Content Accessibility Guidelines (WCAG) 2.1 "
        "level AA, the harmonised standard EN 301 549 and the German BITV 2.0, because of the gaps listed below.\n\n"
        "## Known gaps\n- Some texts written by the city (challenges, rewards, partners) may exist in one language "
        "only.\n- Charts are also given as tables; some long tables scroll sideways inside their own box on narrow "
        "screens.\n\n[Further gaps found: please complete]\n\n"
        "## How this statement was made\nBy self-assessment, with automated checks (axe) and manual checks with "
        "keyboard and screen reader. [Date of the last review: please complete]"
    )


DEFAULTS = {PageKind.IMPRINT: _imprint, PageKind.PRIVACY: _privacy, PageKind.ACCESSIBILITY: _accessibility}


def default_body(kind: PageKind, language: str | None = None) -> str:
    """The default text of a page, in `language` (default: the request's)."""
    if language is None:
        return DEFAULTS[kind](current_app.config)
    with force_locale(language):
        return DEFAULTS[kind](current_app.config)
