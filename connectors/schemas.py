"""The connectors' API shapes."""

import marshmallow as ma


class RejectedRowSchema(ma.Schema):
    row = ma.fields.Integer(metadata={"description": "The row's number in the delivery (1 = first data row)."})
    meter_number = ma.fields.String(metadata={"description": "The meter number as the row gave it."})
    outcome = ma.fields.String(metadata={"description": "not_linked, no_consent, implausible, duplicate or malformed."})
    reason = ma.fields.String()


class DeliveryReportSchema(ma.Schema):
    accepted = ma.fields.Integer(metadata={"description": "Rows of linked, consented meters that were taken."})
    not_linked = ma.fields.Integer()
    no_consent = ma.fields.Integer(metadata={"description": "Rows of linked meters without consent, dropped unread."})
    implausible = ma.fields.Integer()
    duplicate = ma.fields.Integer(metadata={"description": "Rows of a meter's day delivered before: nothing changed."})
    malformed = ma.fields.Integer()
    days_stored = ma.fields.Integer(metadata={"description": "Meter days stored: one value per meter and day."})
    delivery_id = ma.fields.Integer(metadata={"description": "The delivery's id, for its rejected-rows report."})
    rejected_report = ma.fields.String(
        metadata={"description": "Where this client fetches every rejected row as CSV (kept for 14 days)."}
    )
    rejected = ma.fields.List(
        ma.fields.Nested(RejectedRowSchema), metadata={"description": "The first 1,000 rejected rows."}
    )


class MetersQuerySchema(ma.Schema):
    changed_since = ma.fields.AwareDateTime(
        load_default=None, metadata={"description": "Only meters linked at or after this moment (ISO 8601)."}
    )


class MeterSchema(ma.Schema):
    meter_number = ma.fields.String()
    customer_number = ma.fields.String()
    linked_at = ma.fields.AwareDateTime()


class MetersSchema(ma.Schema):
    meters = ma.fields.List(ma.fields.Nested(MeterSchema))


class MeterLinkSchema(ma.Schema):
    """The resident's meter link as sent: the meter number (Zählernummer) and the utility's customer number."""

    meter_number = ma.fields.String(required=True, metadata={"description": "As printed on the meter."})
    customer_number = ma.fields.String(required=True, metadata={"description": "From the utility's bill."})
    linked_at = ma.fields.AwareDateTime(dump_only=True)
