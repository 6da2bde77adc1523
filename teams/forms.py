"""HTML forms of the team pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.forms import choices
from teams.models import TeamKind, TeamStatus

KIND_LABELS = {
    TeamKind.SCHOOL: _l("School or class"),
    TeamKind.COMPANY: _l("Company or department"),
    TeamKind.CLUB: _l("Club"),
    TeamKind.FAMILY: _l("Family"),
    TeamKind.FRIENDS: _l("Friends"),
    TeamKind.OTHER: _l("Other"),
}
STATUS_LABELS = {
    TeamStatus.PENDING: _l("waiting for approval"),
    TeamStatus.APPROVED: _l("approved"),
    TeamStatus.HIDDEN: _l("hidden"),
}


def _strip(value):
    return value.strip() if value else value


class TeamForm(FlaskForm):
    name = StringField(_l("Team name"), filters=[_strip], validators=[DataRequired(), Length(max=60)],
                       description=_l("Shown publicly once a manager has approved it."))  # fmt: skip
    kind = SelectField(_l("Kind of team"), choices=choices((kind.value, label) for kind, label in KIND_LABELS.items()))
    description = TextAreaField(_l("Description (optional)"), filters=[_strip],
                                validators=[Optional(), Length(max=1000)])  # fmt: skip
    is_open = BooleanField(_l("Residents may ask to join (you accept each request)"))


class JoinForm(FlaskForm):
    code = StringField(_l("Invitation code"), filters=[_strip], validators=[DataRequired(), Length(max=40)],
                       description=_l("The 8 letters and digits your captain gave you."))  # fmt: skip


class MemberForm(FlaskForm):
    """One button acting on one member (accept, decline, remove, make captain): the member travels in the URL."""


class ReportForm(FlaskForm):
    reason = TextAreaField(_l("What is wrong with this team's name or description?"), filters=[_strip],
                           validators=[DataRequired(), Length(max=500)])  # fmt: skip


class ModerateForm(FlaskForm):
    name = StringField(_l("Team name"), filters=[_strip], validators=[DataRequired(), Length(max=60)])
    status = SelectField(_l("Status"), choices=choices((s.value, label) for s, label in STATUS_LABELS.items()))


class SubTeamForm(FlaskForm):
    """A sub-team of the captain's team (a class, a department): it takes the parent's kind."""

    name = StringField(_l("Name of the sub-team"), filters=[_strip], validators=[DataRequired(), Length(max=60)],
                       description=_l("Shown publicly once a manager has approved it."))  # fmt: skip
    description = TextAreaField(_l("Description (optional)"), filters=[_strip],
                                validators=[Optional(), Length(max=1000)])  # fmt: skip
    is_open = BooleanField(_l("Residents may ask to join (you accept each request)"))


class ContributionForm(FlaskForm):
    shows = BooleanField(
        _l("Show my contribution to my team's captain"),
        description=_l("Off by default. Everyone in the team sees the team's total either way."),
    )
