"""Badge pages: the public Open Badges documents, a resident's badges, and the admins' badge definitions.

The documents follow Open Badges 2.0 hosted verification: each is JSON-LD at the URL that is its
`id`, public and without log-in, so a backpack or verifier can fetch the assertion, follow its
`badge` link to the BadgeClass and that one's `issuer` link to the issuer Profile.
"""

import json

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from accounts.models import Role
from app.security import PUBLIC, SIGNED_IN, serves
from app.transactions import refuse
from rewards import errors
from rewards.badges import documents, services
from rewards.badges.forms import BadgeForm, PrivacyForm
from rewards.display import BADGE_RULE_LABELS
from rewards.models import BadgeAward, BadgeClass

bp = Blueprint("badges", __name__, template_folder="templates")
admin_required = serves(Role.ADMIN)

# Documents change rarely, but a badge made private should stop verifying soon after.
DOCUMENT_MAX_AGE = 300
ASSERTION_MAX_AGE = 60
JSON_TYPES = ["application/ld+json", "application/json"]
# The image is served to anyone and opened on its own: it may draw, but never load or run anything.
IMAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


# Open Badges documents ----------------------------------------------------------------------


def _document(document: dict, status: int = 200, max_age: int = DOCUMENT_MAX_AGE):
    """JSON-LD as the Accept header prefers it: application/ld+json, or application/json for older backpacks."""
    mimetype = request.accept_mimetypes.best_match(JSON_TYPES, default=JSON_TYPES[0]) or JSON_TYPES[0]
    response = current_app.response_class(json.dumps(document, ensure_ascii=False), status=status, mimetype=mimetype)
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.headers["Access-Control-Allow-Origin"] = "*"  # displayers may fetch them from their own pages
    response.vary.add("Accept")
    return response


def _not_found(message: str):
    return _document({"code": 404, "status": "Not Found", "message": message}, 404, ASSERTION_MAX_AGE)


def _issuer_url() -> str:
    return url_for("badges.issuer", _external=True)


def _badge_url(badge: BadgeClass) -> str:
    return url_for("badges.badge_class", badge_id=badge.id, _external=True)


def _assertion_url(item: BadgeAward) -> str:
    return url_for("badges.assertion", uid=item.uid, _external=True)


def _evidence_url(item: BadgeAward) -> str | None:
    challenge_id = (item.evidence or {}).get("challenge_id")
    return url_for("challenges.detail", challenge_id=challenge_id, _external=True) if challenge_id else None


def _public_badge(badge_id: int) -> BadgeClass:
    return services.get_badge(badge_id)


@bp.route("/badges/issuer")
@serves(PUBLIC)
def issuer():
    config = current_app.config
    website = config.get("BADGE_ISSUER_URL") or url_for("main.index", _external=True)
    document = documents.issuer_document(
        _issuer_url(), config["BADGE_ISSUER_NAME"], website, config["BADGE_ISSUER_EMAIL"]
    )
    return _document(document)


@bp.route("/badges/classes/<int:badge_id>")
@serves(PUBLIC)
def badge_class(badge_id: int):
    badge = _public_badge(badge_id)
    image_url = url_for("badges.image", badge_id=badge.id, _external=True)
    criteria_url = url_for("badges.criteria", badge_id=badge.id, _external=True)
    return _document(documents.badge_class_document(badge, _badge_url(badge), image_url, criteria_url, _issuer_url()))


@bp.route("/badges/classes/<int:badge_id>/image.svg")
@serves(PUBLIC)
def image(badge_id: int):
    badge = _public_badge(badge_id)
    response = current_app.response_class(badge.image_svg, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = IMAGE_POLICY
    response.headers["Cache-Control"] = f"public, max-age={DOCUMENT_MAX_AGE}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/badges/classes/<int:badge_id>/criteria")
@serves(PUBLIC)
def criteria(badge_id: int):
    # A page of the site like any other (its header knows who is logged in), so not publicly cached.
    issuer_name = current_app.config["BADGE_ISSUER_NAME"]
    return render_template("rewards/badges/criteria.html", badge=_public_badge(badge_id), issuer_name=issuer_name)


@bp.route("/badges/assertions/<uid>")
@serves(PUBLIC)
def assertion(uid: str):
    """The hosted assertion; a private award answers 410 Gone with `revoked`, as OB 2.0 verifiers read it."""
    item = services.published_award(uid)
    if item is None:
        return _not_found(_("No badge award has this address."))
    assertion_url = _assertion_url(item)
    if item.private:
        return _document(documents.revoked_document(assertion_url), 410, ASSERTION_MAX_AGE)
    document = documents.assertion_document(item, assertion_url, _badge_url(item.badge), _evidence_url(item))
    if document is None:
        # OB 2.0 needs a recipient identity, and ours is the email: without one there is nothing to verify.
        return _not_found(_("This badge award cannot be verified: its recipient has no email address."))
    return _document(document, max_age=ASSERTION_MAX_AGE)


# My badges ----------------------------------------------------------------------------------


@bp.route("/me/badges")
@serves(SIGNED_IN)
def mine():
    user = current_user._get_current_object()
    return render_template(
        "rewards/badges/mine.html",
        awards=services.awards_of(user),
        unearned=services.not_yet_earned(user),
        assertion_url=_assertion_url,
        has_email=bool(user.email),
    )


@bp.route("/me/badges/<uid>/privacy", methods=["POST"])
@serves(SIGNED_IN)
def privacy(uid: str):
    user = current_user._get_current_object()
    item = services.own_award(user, uid)
    form = PrivacyForm()
    if not form.validate_on_submit():
        abort(400)
    services.set_private(item, user, form.private.data == "1")
    if item.private:
        flash(_("“%(name)s” is private now: its public address answers that it was withdrawn.", name=item.badge.name),
              "success")  # fmt: skip
    else:
        flash(_("“%(name)s” is public again; backpacks can verify it.", name=item.badge.name), "success")
    return redirect(url_for("badges.mine") + f"#award-{item.uid}")


# Admin: badge definitions -------------------------------------------------------------------


@bp.route("/admin/badges")
@admin_required
def admin_list():
    return render_template(
        "rewards/badges/admin_list.html",
        badges=services.list_badges(),
        holders=services.holder_counts(),
        rule_labels=BADGE_RULE_LABELS,
    )


NO_IMAGE = _l("Please upload an SVG file or paste the SVG text.")


def _save(form: BadgeForm, badge: BadgeClass | None):
    """Create or update from the form; None when the service refused, with its reasons on the form."""
    values = form.values()
    if not values["image_svg"].strip():
        form.show_errors({"image_svg": NO_IMAGE})
        return None
    try:
        return services.update_badge(badge, **values) if badge else services.create_badge(**values)
    except errors.InvalidFields as error:
        refuse()
        form.show_errors(error.errors)
    except errors.RewardError as error:
        refuse()
        form.show_errors({error.field or "": error.message})
    return None


def _render_edit(form: BadgeForm, badge: BadgeClass | None):
    holders = services.holder_counts().get(badge.id, 0) if badge else 0
    return render_template(
        "rewards/badges/admin_edit.html", form=form, badge=badge, holders=holders
    ), 422 if form.errors else 200


@bp.route("/admin/badges/new", methods=["GET", "POST"])
@admin_required
def admin_new():
    form = BadgeForm.for_badge(None)
    if form.validate_on_submit() and (badge := _save(form, None)):
        flash(_("Badge “%(name)s” added.", name=badge.name), "success")
        return redirect(url_for("badges.admin_list"))
    return _render_edit(form, None)


@bp.route("/admin/badges/<int:badge_id>/edit", methods=["GET", "POST"])
@admin_required
def admin_edit(badge_id: int):
    badge = _public_badge(badge_id)
    form = BadgeForm.for_badge(badge)
    if form.validate_on_submit() and _save(form, badge):
        flash(_("Badge “%(name)s” saved.", name=badge.name), "success")
        return redirect(url_for("badges.admin_list"))
    return _render_edit(form, badge)
