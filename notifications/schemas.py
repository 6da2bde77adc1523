"""marshmallow schemas of notifications: the list filter and settings that come in, notifications that go out."""

import marshmallow as ma

from notifications.models import CHOOSABLE_KINDS, Channel

CHANNEL_DOC = "in_app, email (in-app as well, and by email) or off"


# Input --------------------------------------------------------------------------------------


class NotificationFilterSchema(ma.Schema):
    unread = ma.fields.Boolean(
        truthy={"true"}, falsy={"false"}, load_default=False,
        metadata={"description": "true: only the notifications you have not read yet."},
    )  # fmt: skip


def _channel(**kwargs) -> ma.fields.Enum:
    return ma.fields.Enum(Channel, by_value=True, metadata={"description": CHANNEL_DOC}, **kwargs)


ChannelsSchema = ma.Schema.from_dict(
    {kind.value: _channel() for kind in CHOOSABLE_KINDS}, name="ChannelsSchema"
)  # unknown kinds are refused (marshmallow raises on unknown fields)


class PreferencesUpdateSchema(ma.Schema):
    """The kinds to change; kinds left out keep their channel. What GET answered may be sent back as it is."""

    class Meta:
        unknown = ma.EXCLUDE  # email_available, from a GET sent back

    preferences = ma.fields.Nested(ChannelsSchema, required=True)


# Output -------------------------------------------------------------------------------------


class NotificationSchema(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String(metadata={"description": "digest, challenge_reminders, advice, rewards, consent_expiry "
                                                     "or account"})  # fmt: skip
    message = ma.fields.String(metadata={"description": "The message code."})
    params = ma.fields.Dict(keys=ma.fields.String(), metadata={"description": "The values of the message."})
    subject = ma.fields.String(metadata={"description": "In your language."})
    body = ma.fields.String(metadata={"description": "In your language."})
    link = ma.fields.String(allow_none=True, metadata={"description": "A path on this site, or null."})
    created_at = ma.fields.AwareDateTime()
    read_at = ma.fields.AwareDateTime(allow_none=True)


class NotificationPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(NotificationSchema))
    unread_count = ma.fields.Integer(metadata={"description": "All your unread notifications, not only this page."})


class ReadAllSchema(ma.Schema):
    marked = ma.fields.Integer(metadata={"description": "How many were unread and are read now."})
    unread_count = ma.fields.Integer()


class PreferencesSchema(ma.Schema):
    preferences = ma.fields.Nested(ChannelsSchema, metadata={"description": "The channel per kind."})
    email_available = ma.fields.Boolean(
        metadata={"description": "Whether email can be chosen: you have an address and this site sends email."}
    )
