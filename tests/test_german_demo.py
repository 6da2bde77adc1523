"""The demo city in German shows no English content (issue 17): every page each role reaches from the home page by
following links, with every text a manager or admin wrote (each `x_en` / `x_de` pair whose two texts differ) looked
for in English in the German pages.

The interface's own strings are the translation catalogue's (tests/test_i18n.py); this test is about the content
the city writes, which the catalogue cannot translate.
"""

import html
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import select, update

import demo
from accounts.models import User
from app.extensions import db

MAX_PAGES_PER_ROLE = 120
FRAGMENT = 28  # characters of an English text looked for: long enough not to occur by chance in German
# Pages a crawl must not follow: they end the session, change something on GET, or are not HTML.
SKIPPED = re.compile(r"^/(logout|static/|api/|oauth/|embed/)|\.(csv|xlsx|json|svg|zip|png|pdf)(\?|$)|/download")
LINKS = re.compile(r'href="([^"#]+)"')


@pytest.fixture
def german_demo(app):
    """The whole demo city, with its challenges; everyone in it reads German. (One test: the tables a test
    wrote are emptied after it, so the city cannot be shared between tests.)"""
    with app.app_context():
        assert demo.database_is_empty(), "the demo city needs an empty database"
        demo.seed()
        db.session.execute(update(User).values(language="de"))
        db.session.commit()
    return app


def english_fragments(app) -> dict[str, str]:
    """The start of every English text whose German twin says something else, each with where it came from."""
    fragments = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            names = {column.name for column in table.columns}
            for name in sorted(names):
                if not name.endswith("_en") or name[:-3] + "_de" not in names:
                    continue
                english, german = table.c[name], table.c[name[:-3] + "_de"]
                for en, de in db.session.execute(select(english, german)):
                    first_line = (en or "").strip().splitlines()[0].strip() if (en or "").strip() else ""
                    fragment = first_line[:FRAGMENT]
                    if len(fragment) >= 12 and de and fragment not in de:
                        fragments[fragment] = f"{table.name}.{name}"
    return fragments


class _GermanText(HTMLParser):
    """A page's visible text outside elements marked `lang="en"`: English there is declared, as WCAG 3.1.2 asks
    (an admin's table of both languages, a text shown "only in English"), and a screen reader speaks it as such."""

    SKIP = {"script", "style", "textarea", "title"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.stack = [], []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        english = tag != "html" and (dict(attrs).get("lang") or "").startswith("en")  # the page's own is not a part
        self.stack.append(english or tag in self.SKIP)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not any(self.stack):
            self.parts.append(data)


def page_text(body: str) -> str:
    parser = _GermanText()
    parser.feed(body)
    return " ".join(parser.parts)


def crawl(client) -> dict[str, str]:
    """Every HTML page reachable from the home page by GET links, as its visible text."""
    seen, queue, pages = {"/"}, deque(["/"]), {}
    while queue and len(pages) < MAX_PAGES_PER_ROLE:
        path = queue.popleft()
        try:
            answer = client.get(path)
        except Exception as error:
            raise AssertionError(f"{path} raised") from error
        assert answer.status_code < 500, f"{path} answered {answer.status_code}"
        data = answer.get_data()
        answer.close()  # a streamed download keeps its request context until it is closed
        if answer.status_code != 200 or answer.mimetype != "text/html":
            continue
        body = data.decode()
        pages[path] = page_text(body)
        for link in LINKS.findall(body):
            target = urljoin(path, html.unescape(link))
            parts = urlsplit(target)
            if parts.netloc and parts.netloc != "localhost":
                continue
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            if local not in seen and not SKIPPED.search(local):
                seen.add(local)
                queue.append(local)
    return pages


ROLES = ["resident001", "resident002", "manager1", "staff1", "admin", "partner1", None]  # None: a visitor


def test_german_pages_of_the_demo_city_show_no_english_content(german_demo):
    fragments = english_fragments(german_demo)
    assert len(fragments) >= 20, "the demo city should have many texts in two languages"
    found, visited = [], 0
    for local_part in ROLES:
        pages = crawl(signed_in(german_demo, local_part, "de"))
        assert len(pages) >= (10 if local_part else 5), local_part
        visited += len(pages)
        found += [
            f"{local_part}: {path}: {fragment!r} ({source})"
            for path, text in pages.items()
            for fragment, source in fragments.items()
            if fragment in text
        ]
    assert found == [], f"English content on German pages ({visited} visited):\n" + "\n".join(found[:40])

    # The same crawl in English finds English texts, so the check above can fail.
    with german_demo.app_context():
        db.session.execute(update(User).where(User.email == demo.demo_email("manager1")).values(language="en"))
        db.session.commit()
    english_pages = crawl(signed_in(german_demo, "manager1", "en"))
    assert any(fragment in text for text in english_pages.values() for fragment in fragments)


def signed_in(app, local_part: str | None, language: str):
    client = app.test_client()
    client.set_cookie("language", language)
    if local_part:
        form = {"email": demo.demo_email(local_part), "password": demo.DEMO_PASSWORD}
        assert client.post("/login", data=form).status_code == 302, local_part
    return client
