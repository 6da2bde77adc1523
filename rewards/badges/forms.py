"""Forms of the badge pages: an admin's badge definition, a resident's privacy switch."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, Length

from app.forms import choices, in_one_language_at_least
from rewards.badges.services import MAX_IMAGE_BYTES
from rewards.display import BADGE_RULE_LABELS
from rewards.models import BadgeClass

NO_RULE = ""


def rule_choices():
    return choices([(NO_RULE, _l("No rule: nobody earns it automatically")),
                    *((rule.value, label) for rule, label in BADGE_RULE_LABELS.items())])  # fmt: skip


TEXTS = ("name_en", "name_de", "description_en", "description_de", "criteria_en", "criteria_de")


class BadgeForm(FlaskForm):
    """A badge's definition; the image comes as an uploaded SVG file or as SVG text pasted in."""

    # In English, German or both (app.bilingual): the service asks for each text in one language at least.
    name_en = StringField(
        _l("Name in English"),
        validators=[Length(max=80), in_one_language_at_least(_l("Please give the badge a name."))],
        description=_l("Give each text in at least one language; residents reading the other see it with a note."),
    )
    name_de = StringField(_l("Name in German"), validators=[Length(max=80)])
    description_en = TextAreaField(
        _l("Description in English"),
        validators=[in_one_language_at_least(_l("Please describe the badge."))],
        description=_l("One or two sentences: what the badge says."),
    )
    description_de = TextAreaField(_l("Description in German"))
    criteria_en = TextAreaField(
        _l("Criteria in English"),
        validators=[in_one_language_at_least(_l("Please say what a resident must do to earn it."))],
        description=_l("What a resident must do to earn it, in plain words; residents see it before they earn it."),
    )
    criteria_de = TextAreaField(_l("Criteria in German"))
    rule = SelectField(
        _l("Awarded automatically for"),
        choices=rule_choices(),
        description=_l("Residents who meet this rule from now on receive the badge without anyone having to act."),
    )
    image_file = FileField(_l("Image (SVG file)"), description=_l("An SVG file of at most 100 kB."))
    image_svg = TextAreaField(
        _l("Or paste the SVG text"),
        description=_l("Used when no file is chosen. Scripts, links and embedded files are not allowed."),
    )
    active = BooleanField(_l("Active"), description=_l("Inactive badges are no longer awarded; awards made stay."))

    @classmethod
    def for_badge(cls, badge: BadgeClass | None, **kwargs) -> "BadgeForm":
        if badge is None:
            return cls(data={"active": True}, **kwargs)
        data = {**{twin: getattr(badge, twin) for twin in TEXTS},
                "rule": badge.rule.value if badge.rule else NO_RULE, "image_svg": badge.image_svg,
                "active": badge.active}  # fmt: skip
        return cls(data=data, **kwargs)

    def _uploaded(self) -> bool:
        return bool(getattr(self.image_file.data, "filename", ""))

    def values(self) -> dict:
        """The fields as the badge services take them; an uploaded file wins over the pasted text."""
        image = self.image_svg.data or ""
        if self._uploaded():
            image = self.image_file.data.read(MAX_IMAGE_BYTES + 1).decode("utf-8", errors="replace")
        return {
            **{twin: self[twin].data for twin in TEXTS},
            "rule": self.rule.data or None,
            "image_svg": image,
            "active": self.active.data,
        }

    def show_errors(self, problems: dict) -> None:
        """Put a service's {field: message} on the form's fields; an image problem on the input used."""
        for name, message in problems.items():
            name = f"{name}_en" if name in ("name", "description", "criteria") else name  # missing in both languages
            field = self.image_file if name == "image_svg" and self._uploaded() else self._fields.get(name)
            if field is None:
                self.form_errors.append(message)
            else:
                field.errors = [*field.errors, message]


class PrivacyForm(FlaskForm):
    """Make one of my badges private, or public again."""

    private = HiddenField(validators=[AnyOf(["0", "1"])])
