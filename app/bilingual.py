"""Texts a manager or admin writes, kept in English and German, and picked for the reader.

One pattern for every model: a prose field `x` is stored as two columns, `x_en` and `x_de` (funding
programmes, the data catalogue, legal pages, challenges, rewards, partners, badges). At least one is
written; an empty one means "not written in this language", and the reader gets the other one with a
visible note, marked up with its `lang` for screen readers (WCAG 3.1.2).

Models whose field used to be one-language `x` keep `x` as a `bilingual("x")` attribute, so older code and
API clients keep working: read on an object it is the text in the current language (with fallback), in a
query it is `x_en` (ordering and search), and assigning it writes `x_en`.
"""

from dataclasses import dataclass

from flask import g, has_app_context, has_request_context
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy.ext.hybrid import hybrid_property

from app.i18n import visitor_language

LANGUAGES = ("en", "de")
# The note beside a text shown in the other language, in the reader's language.
ONLY_IN = {"en": _l("only in English"), "de": _l("only in German")}


def current_language() -> str:
    """The language texts are picked in: the request's, a forced one (emails), else English."""
    known = getattr(getattr(g, "_flask_babel", None), "babel_locale", None) if has_app_context() else None
    if known is None and has_request_context() and "_login_user" not in g:
        # Nobody has asked who is calling yet (a service reading a text early): asking here would load the
        # caller and keep them for the rest of the request as a side effect, so the request's own language does.
        return "de" if visitor_language() == "de" else "en"
    locale = known or get_locale()
    return "de" if locale is not None and locale.language == "de" else "en"


def other(language: str) -> str:
    return "en" if language == "de" else "de"


@dataclass(frozen=True)
class Localized:
    """A text as a reader gets it: the words, the language they are in, and whether that is not the reader's."""

    text: str
    language: str
    fell_back: bool

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)

    @property
    def note(self) -> str:
        """ "only in English" / "only in German" when the text is not in the reader's language, else ""."""
        return str(ONLY_IN[self.language]) if self.fell_back else ""


def pick(obj, field: str, language: str | None = None) -> Localized:
    """`field` of `obj` in `language` (default: the current one); the other language's text when it is empty."""
    language = "de" if (language or current_language()).startswith("de") else "en"
    own = getattr(obj, f"{field}_{language}", None) or ""
    if own:
        return Localized(own, language, False)
    fallback = getattr(obj, f"{field}_{other(language)}", None) or ""
    return Localized(fallback, other(language), bool(fallback))


def text(obj, field: str, language: str | None = None) -> str:
    """The plain text of `field` for a reader of `language`, with fallback and without the note."""
    return pick(obj, field, language).text


def render(obj, field: str, html=None) -> Markup:
    """`field` for a page: in the reader's language, or the other's wrapped in its `lang` with an "only in…" note.

    `html` turns the text into markup (e.g. paragraphs); by default it is escaped inline text."""
    found = pick(obj, field)
    body = html(found.text) if html else Markup.escape(found.text)
    if not found.fell_back:
        return Markup(body)
    tag = "div" if html else "span"
    return Markup('<{tag} lang="{lang}">{body}</{tag}> <span class="language-note">({note})</span>').format(
        tag=Markup(tag), lang=found.language, body=body, note=found.note
    )


def bilingual(field: str) -> hybrid_property:
    """The old one-language attribute `field` over `field_en` / `field_de` (see the module's docstring)."""

    def read(self) -> str:
        return text(self, field)

    def write(self, value: str) -> None:
        setattr(self, f"{field}_en", value)

    def in_query(cls):
        return getattr(cls, f"{field}_en")

    return hybrid_property(read, write, expr=in_query)


def missing_both(values: dict, field: str) -> bool:
    """True when neither `field_en` nor `field_de` has text in `values` (a form's or the API's input)."""
    return not any((values.get(f"{field}_{language}") or "").strip() for language in LANGUAGES)


def as_twins(fields: dict, names: tuple[str, ...]) -> dict:
    """A service's input with the older one-language names (`title`) read as the English twin (`title_en`)."""
    return {(f"{name}_en" if name in names else name): value for name, value in fields.items()}


def stripped(fields: dict, names: tuple[str, ...]) -> dict:
    """The twins of `names` that `fields` has, without surrounding blanks (None read as empty)."""
    twins = {f"{name}_{language}" for name in names for language in LANGUAGES}
    return {key: (value or "").strip() if key in twins else value for key, value in fields.items()}


def setting(config, name: str, language: str | None = None) -> str:
    """A configured text (e.g. SHARING_CONTROLLER_NAME) for a reader of `language`: its `_DE` twin for German
    readers when the city set one, else the main value (the same pattern as the models, for settings)."""
    german = (config.get(f"{name}_DE") or "").strip()
    return german if german and (language or current_language()).startswith("de") else config[name]
