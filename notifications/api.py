"""JSON API of notifications: my notifications (read one, read all) and my notification settings."""

from flask.views import MethodView

from app.pagination import Blueprint, page_of
from app.security import SIGNED_IN, serves, viewer
from notifications import display, services
from notifications.models import Notification
from notifications.schemas import (
    NotificationFilterSchema,
    NotificationPageSchema,
    NotificationSchema,
    PreferencesSchema,
    PreferencesUpdateSchema,
    ReadAllSchema,
)

blp = Blueprint("api_notifications", __name__, url_prefix="/api/v1", description="Notifications")


def _shown(notification: Notification) -> dict:
    """A notification as the API shows it, its message in the reader's language."""
    subject, body = display.render(notification.message, notification.params)
    return {
        "id": notification.id, "kind": notification.kind, "message": notification.message,
        "params": notification.params or {}, "subject": subject, "body": body, "link": notification.link,
        "created_at": notification.created_at, "read_at": notification.read_at,
    }  # fmt: skip


def _settings(user) -> dict:
    return {"preferences": services.preferences(user), "email_available": services.email_possible(user)}


@blp.route("/me/notifications")
class MyNotifications(MethodView):
    @serves(SIGNED_IN)
    @blp.arguments(NotificationFilterSchema, location="query")
    @blp.response(200, NotificationPageSchema)
    @blp.paginate()
    def get(self, filters, pagination_parameters):
        """Your notifications, newest first; `unread=true` for the unread ones only. `unread_count` counts all."""
        user = viewer()
        found = page_of(services.notifications_of(user.id, unread_only=filters["unread"]), pagination_parameters)
        return {"items": [_shown(n) for n in found], "unread_count": services.unread_count(user.id)}


@blp.route("/me/notifications/<int:notification_id>/read")
class ReadNotification(MethodView):
    @serves(SIGNED_IN)
    @blp.response(200, NotificationSchema)
    @blp.alt_response(404, description="No such notification of yours.")
    def post(self, notification_id):
        """Mark one notification read; marking it again keeps the first time."""
        return _shown(services.mark_read(services.own_notification(viewer(), notification_id)))


@blp.route("/me/notifications/read-all")
class ReadAll(MethodView):
    @serves(SIGNED_IN)
    @blp.response(200, ReadAllSchema)
    def post(self):
        """Mark all your notifications read."""
        user = viewer()
        return {"marked": services.mark_all_read(user), "unread_count": services.unread_count(user.id)}


@blp.route("/me/notification-preferences")
class MyPreferences(MethodView):
    @serves(SIGNED_IN)
    @blp.response(200, PreferencesSchema)
    def get(self):
        """How you want to hear about each kind of news: in_app (default), email or off."""
        return _settings(viewer())

    @serves(SIGNED_IN)
    @blp.arguments(PreferencesUpdateSchema)
    @blp.response(200, PreferencesSchema)
    def put(self, data):
        """Change the channel of the kinds you send; email needs an address on your account and a site that
        sends email (`email_available`), else 422."""
        user = viewer()
        services.set_preferences(user, data["preferences"])
        return _settings(user)
