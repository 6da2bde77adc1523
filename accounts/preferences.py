"""Display preferences: text size, line and letter spacing, contrast (WCAG 1.4.4, 1.4.12).

They are applied as CSS classes on <html>, never as inline styles, so the strict
Content-Security-Policy holds. Visitors keep them in a cookie; users in their profile.
"""

from dataclasses import asdict, dataclass

from flask_babel import lazy_gettext as _l

TEXT_SCALES = (100, 125, 150, 175, 200)
LINE_SPACINGS = {"normal": _l("Normal"), "relaxed": _l("Relaxed"), "loose": _l("Loose")}
LETTER_SPACINGS = {"normal": _l("Normal"), "wide": _l("Wide"), "wider": _l("Wider")}
COOKIE_NAME = "display"


@dataclass(frozen=True)
class DisplayPrefs:
    text_scale: int = 100
    line_spacing: str = "normal"
    letter_spacing: str = "normal"
    high_contrast: bool = False

    @classmethod
    def clean(cls, text_scale=100, line_spacing="normal", letter_spacing="normal", high_contrast=False):
        """Build preferences from untrusted values, falling back to defaults for anything unknown."""
        try:
            text_scale = int(text_scale)
        except (TypeError, ValueError):
            text_scale = 100
        return cls(
            text_scale=text_scale if text_scale in TEXT_SCALES else 100,
            line_spacing=line_spacing if line_spacing in LINE_SPACINGS else "normal",
            letter_spacing=letter_spacing if letter_spacing in LETTER_SPACINGS else "normal",
            high_contrast=bool(high_contrast),
        )

    @classmethod
    def from_user(cls, user) -> "DisplayPrefs":
        return cls.clean(user.text_scale, user.line_spacing, user.letter_spacing, user.high_contrast)

    @classmethod
    def from_cookie(cls, value: str | None) -> "DisplayPrefs":
        """Parse "150.relaxed.wide.1"; a damaged cookie just gives the defaults."""
        parts = (value or "").split(".")
        if len(parts) != 4:
            return cls()
        return cls.clean(parts[0], parts[1], parts[2], parts[3] == "1")

    def to_cookie(self) -> str:
        return f"{self.text_scale}.{self.line_spacing}.{self.letter_spacing}.{int(self.high_contrast)}"

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def css_classes(self) -> str:
        classes = [f"ts-{self.text_scale}", f"lh-{self.line_spacing}", f"ls-{self.letter_spacing}"]
        if self.high_contrast:
            classes.append("hc")
        return " ".join(classes)
