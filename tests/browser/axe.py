"""Check the page in the browser against WCAG 2.1 A and AA with axe-core.

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
    """Fail with a readable list when axe-core finds any WCAG 2.1 A/AA violation on the page."""
    found = violations(page)
    assert not found, f"{len(found)} accessibility violation(s) on {page.url}:\n{describe(found)}"


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
