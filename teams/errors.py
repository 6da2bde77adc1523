from flask_babel import lazy_gettext as _l

from app.errors import DomainError, Forbidden, NotFound


class TeamError(DomainError):
    """A team rule refused the request."""


class TeamNotFound(NotFound):
    message = _l("There is no such team.")


class NotCaptain(Forbidden):
    rule = "not_captain"
    message = _l("Only the team's captain can do this.")


class TeamNameTaken(TeamError):
    status = 409
    rule = "name_taken"
    field = "name"
    message = _l("A team with this name already exists.")


class NameMissing(TeamError):
    rule = "name_missing"
    field = "name"
    message = _l("Please give the team a name.")


class AlreadyInTeam(TeamError):
    status = 409
    rule = "already_in_team"
    message = _l("You are already in a team (or asked to join one). Leave it first.")


class WrongCode(TeamError):
    status = 404
    rule = "wrong_code"
    field = "code"
    message = _l("No team has this invitation code. Please check it.")


class TeamClosed(TeamError):
    rule = "team_closed"
    message = _l("This team takes new members by invitation code only.")


class CaptainMustHandOver(TeamError):
    rule = "captain_must_hand_over"
    message = _l("Hand the captaincy to another member before you leave, or leave as the last member.")


class NotAMember(TeamError):
    status = 404
    rule = "not_a_member"
    field = "member"
    message = _l("This resident is not a member of the team.")


class AlreadyReported(TeamError):
    status = 409
    rule = "already_reported"
    message = _l("You have reported this team already; a manager will look at it.")


class SubTeamTooDeep(TeamError):
    rule = "sub_team_too_deep"
    message = _l("A sub-team cannot have sub-teams of its own.")
