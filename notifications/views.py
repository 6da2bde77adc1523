"""Pages of notifications: my notifications (mark read, mark all read, open), and my notification settings."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.security import SIGNED_IN, serves, viewer
from app.transactions import refuse
from notifications import display, email, errors, services
from notifications.forms import PreferencesForm
from notifications.models import Channel, Notification

bp = Blueprint("notifications", __name__, template_folder="templates")
PER_PAGE = 20
MAX_PAGE = 10_000


@bp.app_context_processor
def header_context():
    return {"unread_notifications": _unread_for_header}


def _unread_for_header() -> int:
    if not current_user.is_authenticated:
        return 0
    try:
        return services.unread_count(current_user.id)
    except SQLAlchemyError:  # an error page after a failed transaction must still render
        return 0


@bp.context_processor
def notification_context():
    return {"render_message": _rendered, "kind_label": _kind_label, "when": lambda m: format_datetime(m, "short")}


def _rendered(notification: Notification) -> tuple[str, str]:
    return display.render(notification.message, notification.params)


def _kind_label(kind: str) -> str:
    label = display.KIND_LABELS.get(kind)  # StrEnum keys match their plain values
    return str(label) if label is not None else kind


def _page() -> int:
    return min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)


def _own(notification_id: int) -> Notification:
    return services.own_notification(viewer(), notification_id)


# My notifications --------------------------------------------------------------------------


@bp.route("/me/notifications")
@serves(SIGNED_IN)
def index():
    user = viewer()
    pagination = db.paginate(services.notifications_of(user.id), page=_page(), per_page=PER_PAGE, error_out=False)
    return render_template("notifications/index.html", pagination=pagination,
                           unread=services.unread_count(user.id))  # fmt: skip


@bp.route("/me/notifications/<int:notification_id>/read", methods=["POST"])
@serves(SIGNED_IN)
def read(notification_id: int):
    services.mark_read(_own(notification_id))
    flash(_("Marked as read."), "success")
    return redirect(url_for("notifications.index", page=_page()))


@bp.route("/me/notifications/read-all", methods=["POST"])
@serves(SIGNED_IN)
def read_all():
    count = services.mark_all_read(viewer())
    flash(ngettext("%(num)d notification marked as read.", "%(num)d notifications marked as read.", count),
          "success")  # fmt: skip
    return redirect(url_for("notifications.index"))


@bp.route("/me/notifications/<int:notification_id>/open")
@serves(SIGNED_IN)
def open_link(notification_id: int):
    """Follow a notification's link, marking it read; only paths inside the site are followed."""
    notification = services.mark_read(_own(notification_id))
    if notification.link and services.is_internal(notification.link):
        return redirect(notification.link)
    return redirect(url_for("notifications.index"))


# Settings ----------------------------------------------------------------------------------


@bp.route("/me/notifications/preferences", methods=["GET", "POST"])
@serves(SIGNED_IN)
def preferences():
    user = viewer()
    possible = services.email_possible(user)
    # Where email was chosen but is not possible any more, notifications arrive in-app; the form says so.
    current = {kind.value: (Channel.IN_APP if channel is Channel.EMAIL and not possible else channel).value
               for kind, channel in services.preferences(user).items()}  # fmt: skip
    form = PreferencesForm(data=current)
    if form.validate_on_submit():
        try:
            services.set_preferences(user, form.choices())
        except errors.InvalidPreferences as error:
            refuse()
            for kind, message in error.errors.items():
                form[kind].errors = [*form[kind].errors, message]
        else:
            flash(_("Your notification settings are saved."), "success")
            return redirect(url_for("notifications.preferences"))
    return render_template(
        "notifications/preferences.html", form=form, email_possible=possible,
        has_address=bool(user.email), smtp=email.configured(),
    ), 422 if form.errors else 200  # fmt: skip
