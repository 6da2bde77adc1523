"""What the challenge pages and the service desk's pages share: the template helpers and how a refusal is shown."""

from flask_babel import gettext as _

from app.transactions import refuse
from challenges import display, errors, scoring


def challenge_context():
    return {
        "labels": display,
        "paragraphs": display.paragraphs,
        "amount": display.amount,
        "quantity": display.quantity,
        "when": display.when,
        "day": display.day,
        "date_range": display.date_range,
        "scoring": scoring,
    }


def show_refusal(form, error: errors.ChallengeError) -> None:
    """A refusal on the field it concerns, naming the plausibility rule it broke."""
    refuse()
    message = error.message
    rule = display.RULE_LABELS.get(getattr(error, "rule", None))
    if rule:
        message = _("%(message)s (Rule: %(rule)s.)", message=message, rule=rule)
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, message]
    else:
        form.form_errors.append(message)
