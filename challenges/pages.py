"""What the challenge pages and the service desk's pages share: the template helpers, the submission form
they offer and how a refusal is shown."""

from flask_babel import gettext as _

from app.columns import utcnow
from app.forms import format_number
from app.transactions import refuse
from challenges import display, errors, kinds, scoring
from challenges.forms import SubmissionForm, to_local
from challenges.kinds import Kind


def challenge_context():
    return {
        "labels": display,
        "paragraphs": display.paragraphs,
        "amount": display.amount,
        "number": format_number,  # a value as entered, every digit kept
        "quantity": display.quantity,
        "when": display.when,
        "status_label": display.status_label,
        "day": display.day,
        "date_range": display.date_range,
        "scoring": scoring,
        "kinds": kinds,
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


def submission_forms(
    kind: Kind, posted: tuple[Kind, SubmissionForm] | None, offered: bool
) -> tuple[SubmissionForm, SubmissionForm | None]:
    """The form a page offers for the challenge's kind, and a refused form whose errors show above it.

    A refused submission comes back in its own form, with its errors, where that form is offered;
    where it is not (not taking part, not taking submissions now, another kind's path), its errors
    are listed at the top instead, so a refusal is never lost.
    """
    posted_kind, posted_form = posted or (None, None)
    form = posted_form if posted_kind is kind else kind.form.blank(to_local(utcnow()))
    refused = posted_form if posted_form is not None and not (offered and posted_kind is kind) else None
    return form, refused


def route_each_kind(bp, prefix: str, view) -> None:
    """One POST path per kind under `prefix`, its kind's `path` (…/readings, …/trips), named submit_<code>."""
    for kind in kinds.KINDS:
        rule, endpoint = f"{prefix}/{kind.path}", f"submit_{kind.code}"
        bp.add_url_rule(rule, endpoint, view, methods=["POST"], defaults={"kind_code": kind.code.value})
