"""HTML forms of the reward catalogue: redeeming, vouchers, and the manager's rewards and partners."""

from datetime import UTC, date, datetime, time
from uuid import uuid4

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from app.clock import city_zone
from app.forms import InRange, LocaleIntegerField, choices, date_field, in_one_language_at_least
from rewards.catalogue.services import MAX_COST, MAX_STOCK
from rewards.display import PARTNER_KIND_LABELS


def end_of_day(day: date) -> datetime:
    """The last second of `day` in the city, as UTC: a reward valid until a day is valid all that day."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=city_zone()).astimezone(UTC)


def local_day(moment: datetime | None) -> date | None:
    return moment.astimezone(city_zone()).date() if moment else None


class RedeemForm(FlaskForm):
    """Spend points on a reward; the one-time key makes a second click issue no second voucher."""

    idempotency_key = HiddenField(validators=[Optional(), Length(max=100)], default=lambda: uuid4().hex)

    def key(self) -> str | None:
        return self.idempotency_key.data or None


class CodeForm(FlaskForm):
    """A partner types the code from a voucher, or arrives with it from the QR code."""

    class Meta:
        csrf = False

    code = StringField(
        _l("Voucher code"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("16 letters and digits, as printed on the voucher; dashes and spaces do not matter."),
    )


class MarkUsedForm(FlaskForm):
    code = HiddenField(validators=[DataRequired(), Length(max=40)])


TEXTS = ("title_en", "title_de", "description_en", "description_de")


class RewardForm(FlaskForm):
    """Every field of a reward; names match the service's, so its errors land on the right field."""

    partner_id = SelectField(_l("Partner"), coerce=int, validators=[InputRequired()])
    # In English, German or both (app.bilingual): residents reading the missing one see the other with a note.
    title_en = StringField(
        _l("Title in English"),
        validators=[Length(max=120), in_one_language_at_least(_l("Please give the reward a title."))],
        description=_l("Give the title in at least one language; residents reading the other see it with a note."),
    )
    title_de = StringField(_l("Title in German"), validators=[Length(max=120)])
    description_en = TextAreaField(
        _l("Description in English"),
        validators=[Length(max=5_000)],
        description=_l("What residents get and how to use it."),
    )
    description_de = TextAreaField(_l("Description in German"), validators=[Length(max=5_000)])
    cost = LocaleIntegerField(
        _l("Cost in points"), validators=[InputRequired(), InRange(min=1, max=MAX_COST)], default=100
    )
    stock = LocaleIntegerField(
        _l("Stock left"),
        validators=[Optional(), InRange(min=0, max=MAX_STOCK)],
        description=_l("How many can still be redeemed. Leave empty for unlimited."),
    )
    # The stock the manager saw: a stock left unchanged in the form does not undo redemptions made meanwhile.
    stock_shown = HiddenField()
    per_resident_limit = LocaleIntegerField(
        _l("Limit per resident"),
        validators=[Optional(), InRange(min=1, max=MAX_STOCK)],
        description=_l("How many one resident may hold. Leave empty for no limit."),
    )
    valid_until = date_field(
        _l("Valid until"), _l("The last day it can be redeemed, in the city's time zone. Leave empty for no end.")
    )
    active = BooleanField(_l("Active: residents can see and redeem it"), default=True)

    def __init__(self, partners, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.partner_id.choices = choices([(p.id, p.name) for p in partners])

    @staticmethod
    def initial(reward) -> dict:
        """A reward's values in the shape the form shows them."""
        values = {name: getattr(reward, name) for name in ("partner_id", *TEXTS, "cost", "active")}
        return {
            **values,
            "stock": reward.stock,
            "stock_shown": "" if reward.stock is None else str(reward.stock),
            "per_resident_limit": reward.per_resident_limit,
            "valid_until": local_day(reward.valid_until),
        }

    def values(self) -> dict:
        """The entered values as the services take them; an unchanged stock is left out."""
        data = {name: field.data for name, field in self._fields.items() if name not in ("csrf_token", "stock_shown")}
        for name in TEXTS:
            data[name] = (data[name] or "").strip()
        data["valid_until"] = end_of_day(data["valid_until"]) if data["valid_until"] else None
        entered = "" if data["stock"] is None else str(data["stock"])
        if self.stock_shown.data is not None and self.stock_shown.data == entered:
            del data["stock"]
        return data

    def show_errors(self, problems: dict) -> None:
        """Put a service's {field: message} on the form's fields."""
        for name, message in problems.items():
            name = "title_en" if name == "title" else name  # a title in neither language: asked for in English
            if name in self:
                self[name].errors = [*self[name].errors, message]
            else:
                self.form_errors.append(message)


class PartnerForm(FlaskForm):
    name = StringField(_l("Partner name in English"), validators=[DataRequired(), Length(max=120)])
    name_de = StringField(
        _l("Partner name in German"),
        validators=[Length(max=120)],
        description=_l("Only where it differs; German pages show the English name otherwise."),
    )
    kind = SelectField(_l("Kind of partner"), validators=[InputRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices((k.value, label) for k, label in PARTNER_KIND_LABELS.items())


class PartnerMemberForm(FlaskForm):
    partner_id = SelectField(_l("Partner"), coerce=int, validators=[InputRequired()])
    email = StringField(
        _l("Email address of the partner account"),
        validators=[DataRequired(), Email(), Length(max=254)],
        description=_l("The account must have the role “Reward partner”; an admin sets roles."),
    )

    def __init__(self, partners, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.partner_id.choices = choices([(p.id, p.name) for p in partners])
