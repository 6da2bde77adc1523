"""Read rendered pages the way a visitor sees them: field errors, entered values, flashes."""

from html.parser import HTMLParser

VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Element:
    def __init__(self, tag: str, attrs: dict, parent: "Element | None"):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Element] = []
        self.parts: list[str] = []

    @property
    def text(self) -> str:
        """The element's text with its descendants', whitespace collapsed."""
        return " ".join("".join(self._texts()).split())

    def _texts(self):
        yield from self.parts
        for child in self.children:
            yield from child._texts()

    def iter(self):
        yield self
        for child in self.children:
            yield from child.iter()


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Element("#document", {}, None)

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {name: value if value is not None else "" for name, value in attrs}, self.current)
        self.current.children.append(element)
        if tag not in VOID_TAGS:
            self.current = element

    def handle_endtag(self, tag):
        node = self.current
        while node.parent is not None and node.tag != tag:
            node = node.parent
        if node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.parts.append(data)


class Page:
    """A parsed HTML response."""

    def __init__(self, response):
        self.response = response
        self.html = response.get_data(as_text=True)
        builder = _TreeBuilder()
        builder.feed(self.html)
        self.root = builder.root

    def all(self, tag: str | None = None, **attrs) -> list[Element]:
        """Every element with this tag (any when None) whose attributes contain `attrs`."""
        wanted = {name.rstrip("_").replace("_", "-"): value for name, value in attrs.items()}
        return [
            element
            for element in self.root.iter()
            if (tag is None or element.tag == tag)
            and all(element.attrs.get(name) == value for name, value in wanted.items())
        ]

    def by_id(self, element_id: str) -> Element | None:
        found = self.all(id=element_id)
        return found[0] if found else None

    def field_error(self, field_id: str) -> str | None:
        """The error shown right under the field, as the form macro renders it."""
        element = self.by_id(f"{field_id}-error")
        return element.text if element else None

    def value(self, field_id: str) -> str | None:
        """What a field shows: an input's value, a select's chosen option, a checkbox's state."""
        element = self.by_id(field_id)
        if element is None:
            return None
        if element.tag == "select":
            chosen = [option for option in element.iter() if option.tag == "option" and "selected" in option.attrs]
            return chosen[0].attrs.get("value") if chosen else None
        if element.attrs.get("type") == "checkbox":
            return "checked" if "checked" in element.attrs else ""
        return element.attrs.get("value")

    def options(self, field_id: str) -> list[str]:
        """The values a select offers."""
        element = self.by_id(field_id)
        return [option.attrs.get("value") for option in element.iter() if option.tag == "option"]

    @property
    def flashes(self) -> list[tuple[str, str]]:
        """(category, text) of each flashed message."""
        result = []
        for element in self.all("p"):
            classes = element.attrs.get("class", "").split()
            if "flash" in classes:
                category = next((c.removeprefix("flash-") for c in classes if c.startswith("flash-")), "")
                result.append((category, element.text))
        return result

    @property
    def error_summary(self) -> list[str]:
        """The lines of the error summary above a form."""
        return [
            item.text
            for box in self.all("div")
            if "form-error-summary" in box.attrs.get("class", "").split()
            for item in box.iter()
            if item.tag == "li"
        ]

    @property
    def html_classes(self) -> set[str]:
        return set(self.all("html")[0].attrs.get("class", "").split())

    @property
    def lang(self) -> str:
        return self.all("html")[0].attrs.get("lang")

    @property
    def heading(self) -> str:
        return self.all("h1")[0].text

    def csrf_token(self) -> str:
        return self.all("input", name="csrf_token")[0].attrs["value"]
