"""Sign-in with the city's identity provider in a real browser, in English and German: the "Sign in with …" button,
the provider's own page (a real OpenID provider on loopback), the first sign-in's form, landing signed in; each of
Civiquest's pages on the way passes axe and reflows at 320 px and at 200 % text."""

import threading

import pytest
from oidc_provider_mock import run_server_in_thread
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.accounts.test_roles import build_app
from tests.accounts.test_sign_in import _provider_settings
from tests.browser.axe import assert_accessible
from tests.browser.conftest import _QuietHandler
from tests.browser.test_display import scrolls_sideways

BROWSER_LOCALE = {"en": "en-GB", "de": "de-DE"}
WORDS = {
    "en": ("Sign in with City account", "Create account", "Logged in as {name}"),
    "de": ("Anmelden mit Stadtkonto", "Konto anlegen", "Angemeldet als {name}"),
}
VIEWS = {"320 px": ({"width": 320, "height": 720}, "100"), "200 % text": ({"width": 390, "height": 844}, "200")}


@pytest.fixture(scope="module")
def provider():
    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def city_site(app, provider):
    """Civiquest configured with the provider, served on a loopback port of its own; its base URL."""
    site = build_app(app, OIDC_PROVIDERS=_provider_settings(provider), WTF_CSRF_ENABLED=True)
    server = make_server("127.0.0.1", 0, site, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def _check(page, where: str) -> None:
    assert not scrolls_sideways(page), f"{where} scrolls sideways"
    assert_accessible(page)


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("language", ["en", "de"])
def test_signing_in_with_the_city_account(new_page, city_site, make_neighbourhood, language, view):
    """Click "Sign in with …", authenticate at the provider, complete the account, land signed in."""
    make_neighbourhood("Altstadt")
    viewport, text_scale = VIEWS[view]
    page = new_page(base_url=city_site, locale=BROWSER_LOCALE[language], viewport=viewport)
    page.context.add_cookies([{"name": "display", "value": f"{text_scale}.normal.normal.0", "url": city_site}])
    button, create, greeting = WORDS[language]
    page.goto("/login")
    _check(page, f"/login ({language}, {view})")
    page.get_by_role("link", name=button).click()
    page.locator("input[name=sub]").fill(f"ida-{language}-{text_scale}")
    page.get_by_role("button", name="Authorize").click()
    expect(page).to_have_url(f"{city_site}/login/with/complete")
    _check(page, f"/login/with/complete ({language}, {view})")
    page.locator("#pseudonym").fill(f"Ida {language} {text_scale}")
    page.locator("#neighbourhood_id").select_option(label="Altstadt")
    page.locator("#household_size").fill("2")
    page.get_by_role("button", name=create).click()
    expect(page.get_by_text(greeting.format(name=f"Ida {language} {text_scale}"))).to_be_visible()


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_refusal_page_is_accessible(new_page, city_site, language):
    """The page shown when the provider's answer is refused passes axe and reflows at 320 px."""
    page = new_page(base_url=city_site, locale=BROWSER_LOCALE[language], viewport=VIEWS["320 px"][0])
    page.goto("/login/with/city/callback?error=access_denied")
    expect(page.locator("html")).to_have_attribute("lang", language)
    _check(page, f"refusal page ({language})")
