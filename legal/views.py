"""The legal pages: imprint, privacy notice (with the processing list from the data catalogue) and the
accessibility statement with its feedback form; the admins' edit pages."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from accounts.models import Role
from app import bilingual
from app.extensions import limiter
from app.security import PUBLIC, serves
from legal import display, services
from legal.forms import FeedbackForm, LegalPageForm
from legal.models import PageKind
from sharing import display as sharing_display

bp = Blueprint("legal", __name__, template_folder="templates")

TITLES = {
    PageKind.IMPRINT: _l("Imprint"),
    PageKind.PRIVACY: _l("Privacy notice"),
    PageKind.ACCESSIBILITY: _l("Accessibility statement"),
}
ENDPOINTS = {PageKind.IMPRINT: "legal.imprint", PageKind.PRIVACY: "legal.privacy_notice",
             PageKind.ACCESSIBILITY: "legal.accessibility"}  # fmt: skip


@bp.context_processor
def legal_context():
    return {"blocks": display.blocks, "titles": TITLES, "page_urls": ENDPOINTS, "labels": sharing_display,
            "name": sharing_display.name, "day": sharing_display.day}  # fmt: skip


def _language() -> str:
    return bilingual.current_language()


def _page(kind: PageKind, template: str, **context):
    page = services.get_page(kind)
    return render_template(
        template, kind=kind, title=TITLES[kind], body=services.body(kind, _language()),
        updated_at=page.updated_at if page else None, **context,
    )  # fmt: skip


@bp.route("/imprint")
@serves(PUBLIC)
def imprint():
    return _page(PageKind.IMPRINT, "legal/page.html")


@bp.route("/privacy-notice")
@serves(PUBLIC)
def privacy_notice():
    """The privacy notice: the admin's text, then every use of data the consent grid offers, from the catalogue."""
    return _page(PageKind.PRIVACY, "legal/privacy_notice.html", processing=services.processing())


@bp.route("/accessibility", methods=["GET", "POST"])
@serves(PUBLIC)
@limiter.limit(lambda: current_app.config["ACCESSIBILITY_FEEDBACK_RATE_LIMIT"], methods=["POST"])
def accessibility():
    """The accessibility statement; its feedback form sends the message to the city's contact by email."""
    form = FeedbackForm()
    if form.validate_on_submit():
        services.send_feedback(form.message.data, form.reply_to.data, form.page.data)
        flash(_("Thank you. Your message is on its way to the city, which answers within %(weeks)d weeks.",
                weeks=current_app.config["ACCESSIBILITY_RESPONSE_WEEKS"]), "success")  # fmt: skip
        return redirect(url_for("legal.accessibility"))
    page = _page(PageKind.ACCESSIBILITY, "legal/accessibility.html", form=form, config=current_app.config)
    return page, 422 if form.errors else 200


# Admin ------------------------------------------------------------------------------------


@bp.route("/admin/legal")
@serves(Role.ADMIN)
def admin_list():
    pages = [(kind, services.get_page(kind)) for kind in PageKind]
    return render_template("legal/admin_list.html", pages=pages)


@bp.route("/admin/legal/<kind>", methods=["GET", "POST"])
@serves(Role.ADMIN)
def admin_edit(kind: str):
    """Edit a page in both languages; the form starts from the saved text, else the default one."""
    if kind not in {k.value for k in PageKind}:
        abort(404)
    kind = PageKind(kind)
    form = LegalPageForm()
    if form.validate_on_submit():
        services.save_page(kind, form.body_en.data or "", form.body_de.data or "")
        flash(_("The page “%(title)s” is saved.", title=TITLES[kind]), "success")
        return redirect(url_for("legal.admin_list"))
    if not form.is_submitted():
        form.body_en.data = services.body(kind, "en")
        form.body_de.data = services.body(kind, "de")
    page = render_template("legal/admin_edit.html", form=form, kind=kind, title=TITLES[kind])
    return page, 422 if form.errors else 200
