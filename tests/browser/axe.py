"""Check the page in the browser against WCAG 2.1 A and AA with axe-core, and that it reflows (WCAG 1.4.10).

axe does not test reflow, so `assert_accessible` also narrows the window to 320 CSS px (what 400 % zoom
leaves of a 1280 px screen) and checks that the page does not scroll sideways, then sets 200 % text there and
checks again, and puts window and text size back. Data tables may scroll inside their own `.table-scroll`
box; the page itself may not.

axe-playwright-python injects axe-core with `page.evaluate`, which DevTools runs outside the page's
Content-Security-Policy, so the strict CSP (no inline script) needs no `bypass_csp` here.
"""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}

_axe = Axe()


def violations(page: Page) -> list[dict]:
    """The WCAG 2.1 A/AA violations axe-core finds on the page as it is now."""
    return _axe.run(page, options=OPTIONS).response["violations"]


def describe(found: list[dict]) -> str:
    """One readable block per violation: rule id, impact, help, and each failing node."""
    lines = []
    for violation in found:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {target}: {summary}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Fail with a readable list when axe-core finds any WCAG 2.1 A/AA violation on the page, or when the page
    scrolls sideways at 320 px width or at 200 % text."""
    found = violations(page)
    assert not found, f"{len(found)} accessibility violation(s) on {page.url}:\n{describe(found)}"
    assert_reflows(page)


REFLOW_WIDTH = 320
# The elements that stick out of the window (outside the tables' own scrolling boxes), for the failure message.
_WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .filter(e => !e.closest('.table-scroll'))
  .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""
# The text size is a class on <html> (the display settings); 200 % is `ts-200`, as the server would render it.
_TEXT_SIZE = "[...document.documentElement.classList].find(name => /^ts-\\d+$/.test(name)) || null"
_SET_TEXT_SIZE = """size => {
  const root = document.documentElement;
  [...root.classList].filter(name => /^ts-\\d+$/.test(name)).forEach(name => root.classList.remove(name));
  if (size) root.classList.add(size);
}"""


def scrolls_sideways(page: Page) -> bool:
    """Whether the page (not a box inside it) is wider than the window."""
    return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")


def assert_reflows(page: Page) -> None:
    """The page does not scroll sideways at 320 px wide, at its own text size and at 200 % text; the window and
    text size are put back afterwards."""
    viewport = page.viewport_size or {"width": 1280, "height": 720}
    own_size = page.evaluate(_TEXT_SIZE)
    page.set_viewport_size({"width": REFLOW_WIDTH, "height": viewport["height"]})
    try:
        _assert_fits(page, f"{REFLOW_WIDTH} px wide")
        page.evaluate(_SET_TEXT_SIZE, "ts-200")
        _assert_fits(page, f"{REFLOW_WIDTH} px wide at 200 % text")
    finally:
        page.evaluate(_SET_TEXT_SIZE, own_size)
        page.set_viewport_size(viewport)


def _assert_fits(page: Page, how: str) -> None:
    if scrolls_sideways(page):
        raise AssertionError(f"{page.url} scrolls sideways {how}: {page.evaluate(_WIDEST)}")


def assert_accessible_without_script(page: Page, checker: Page) -> None:
    """Check a page opened with JavaScript off, by replaying its DOM in `checker`, a page with JavaScript on.

    axe-core needs timers, which never fire in a context with JavaScript disabled, so its run would hang.
    The app serves the same markup either way; `checker` gets this page's exact HTML at the same URL, so
    the stylesheet and colours are the ones the visitor sees.
    """
    html, url = page.content(), page.url
    checker.route(url, lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html))
    try:
        checker.goto(url)
    finally:
        checker.unroute(url)
    assert_accessible(checker)
