"""The German translation: complete, in step with the source, and actually served."""

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import get_domain

ROOT = Path(__file__).resolve().parents[1]
GERMAN_PO = ROOT / "app" / "translations" / "de" / "LC_MESSAGES" / "messages.po"
GERMAN_MO = GERMAN_PO.with_suffix(".mo")
GERMAN_PLURAL_FORMS = "nplurals=2; plural=(n != 1);"
UPDATE_HINT = (
    "Run `make extract-messages` and translate the new entries in app/translations/de/LC_MESSAGES/messages.po."
)

# The same command as the Makefile target `extract-messages`, run from the repository root.
EXTRACT_ARGS = ["extract", "--no-location", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext"]

# A printf-style conversion as Python's % operator reads it; "%%" matches too and is skipped.
PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<conversion>[diouxXeEfFgGcrsa%])"
)


def read_catalogue(path: Path):
    with path.open("rb") as f:
        return read_po(f)


def strings(message) -> list[str]:
    return list(message.string) if message.pluralizable else [message.string]


def placeholders(text: str) -> list[tuple[str, str]]:
    return sorted((m["name"] or "", m["conversion"]) for m in PLACEHOLDER.finditer(text) if m["conversion"] != "%")


def label(message) -> str:
    return repr(message.id[0] if message.pluralizable else message.id)


def pybabel() -> list[str]:
    script = Path(sys.executable).with_name("pybabel")
    return [str(script)] if script.exists() else [sys.executable, "-m", "babel.messages.frontend"]


@pytest.fixture(scope="module")
def german():
    return read_catalogue(GERMAN_PO)


@pytest.fixture(scope="session")
def german_mo() -> bool:
    """Compile the German catalogue when its .mo is missing or older than the .po; say whether it did."""
    if GERMAN_MO.exists() and GERMAN_MO.stat().st_mtime >= GERMAN_PO.stat().st_mtime:
        return False
    catalogue = read_catalogue(GERMAN_PO)
    partial = GERMAN_MO.with_name(f".{GERMAN_MO.name}.{os.getpid()}")
    with partial.open("wb") as f:
        write_mo(f, catalogue, use_fuzzy=False)
    os.replace(partial, GERMAN_MO)  # atomic, so parallel workers never read half a file
    return True


@pytest.fixture
def served_in_german(app, german_mo):
    """The app with the compiled German catalogue loaded, even if a request cached the old one."""
    if german_mo:
        with app.app_context():
            get_domain().cache.clear()
    return app


def html_lang(response) -> str:
    match = re.search(r"<html\b[^>]*\blang=\"([^\"]*)\"", response.get_data(as_text=True))
    assert match, "the page has no <html lang>"
    return match.group(1)


def heading(response) -> str:
    match = re.search(r"<h1\b[^>]*>(.*?)</h1>", response.get_data(as_text=True), re.DOTALL)
    assert match, "the page has no <h1>"
    return html.unescape(match.group(1).strip())


def german_for(german, english: str) -> str:
    message = german.get(english)
    assert message is not None and message.string, f"{english!r} has no German translation"
    return message.string


def assert_german(german, response, english_heading: str) -> None:
    assert response.status_code == 200
    assert html_lang(response) == "de"
    assert heading(response) == german_for(german, english_heading)


def test_german_catalogue_has_no_untranslated_or_fuzzy_entries(german):
    """Every entry of the German catalogue is translated and none is fuzzy."""
    assert str(german.locale) == "de"
    assert german.plural_forms == GERMAN_PLURAL_FORMS
    assert not german.fuzzy, "the catalogue header is marked fuzzy, so pybabel compile would skip it"
    problems = [f"untranslated: {label(m)}" for m in german if m.id and not all(strings(m))]
    problems += [f"fuzzy (check it, then drop the flag): {label(m)}" for m in german if m.id and m.fuzzy]
    assert not problems, "the German catalogue is not finished:\n  " + "\n  ".join(problems)


def test_german_plural_entries_have_every_form(german):
    """Each plural entry has exactly the two forms German needs."""
    wrong = [label(m) for m in german if m.id and m.pluralizable and len(m.string) != german.num_plurals]
    assert not wrong, f"plural entries without {german.num_plurals} forms:\n  " + "\n  ".join(wrong)


def test_german_placeholders_match_the_english(german):
    """Each python-format translation has exactly the placeholders of its English original."""
    mismatches = []
    for message in german:
        if not message.id or not message.python_format:
            continue
        originals = list(message.id) if message.pluralizable else [message.id]
        for index, translation in enumerate(strings(message)):
            original = originals[min(index, len(originals) - 1)]
            if translation and placeholders(translation) != placeholders(original):
                mismatches.append(f"{original!r} -> {translation!r}")
    assert not mismatches, "placeholders differ:\n  " + "\n  ".join(mismatches)


def test_every_source_string_is_in_the_german_catalogue(german, tmp_path):
    """A fresh extraction, as `make extract-messages` does it, finds no string missing from German."""
    template = tmp_path / "messages.pot"
    result = subprocess.run(
        [*pybabel(), *EXTRACT_ARGS, "-o", str(template), "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"pybabel extract failed:\n{result.stderr}"
    extracted = [m for m in read_catalogue(template) if m.id]
    assert extracted, "the extraction found no strings at all"
    missing = [label(m) for m in extracted if german.get(m.id, context=m.context) is None]
    assert not missing, (
        f"{len(missing)} source string(s) missing from the German catalogue:\n  "
        + "\n  ".join(missing)
        + f"\n{UPDATE_HINT}"
    )


def test_browser_asking_for_german_gets_german(client, served_in_german, german):
    """A visitor whose browser prefers German sees the start page in German."""
    english = client.get("/", headers={"Accept-Language": "en"})
    assert html_lang(english) == "en"
    response = client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    assert_german(german, response, heading(english))
    assert heading(response) != heading(english)


def test_user_language_wins_over_browser_and_cookie(client, served_in_german, german, make_user, login):
    """A logged-in user who chose German gets German, whatever the browser or cookie asks for."""
    english_heading = heading(client.get("/", headers={"Accept-Language": "en"}))
    user = make_user(language="de")
    login(client, user)
    client.set_cookie("language", "en")
    response = client.get("/", headers={"Accept-Language": "en"})
    assert_german(german, response, english_heading)
    assert german_for(german, "Logged in as %(name)s") % {"name": user.pseudonym} in response.get_data(as_text=True)


def test_language_switch_sets_cookie_and_next_page_is_german(client, served_in_german, german):
    """Choosing German in the language form sets the cookie and the next page is German."""
    english = client.get("/", headers={"Accept-Language": "en"})
    assert html_lang(english) == "en"
    response = client.post("/language", data={"language": "de", "next": "/"}, headers={"Accept-Language": "en"})
    assert response.status_code == 302
    cookie = client.get_cookie("language")
    assert cookie is not None and cookie.value == "de"
    following = client.get(response.location, headers={"Accept-Language": "en"})
    assert_german(german, following, heading(english))


def test_templates_follow_a_forced_locale_within_one_request(app):
    """Templates remember the request's catalogue, yet a `force_locale` block inside the request (the embed's
    ?lang=de, e-mails to residents of other languages) translates in its own language, and after it the page's."""
    from flask import render_template_string
    from flask_babel import force_locale

    page = '{{ _("Home") }} / {{ ngettext("%(num)s participant", "%(num)s participants", 3) }}'
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string(page) == "Home / 3 participants"
        with force_locale("de"):
            assert render_template_string(page) == "Startseite / 3 Teilnehmende"
        assert render_template_string(page) == "Home / 3 participants"
    with app.test_request_context("/", headers={"Accept-Language": "de"}):
        assert render_template_string(page) == "Startseite / 3 Teilnehmende"
