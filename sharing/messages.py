"""The notifications data sharing sends, in words (registered with the notifications hub)."""

from flask_babel import lazy_gettext as _l

from notifications.display import Message, catalogue_name, register_messages
from sharing.models import DataCategory, Purpose

register_messages(
    {
        # Data sharing (kind consent_expiry): params category, purpose (codes), expires_at.
        "consent_expiring": Message(
            _l("Your consent ends on %(expires_at)s"),
            _l(
                "Your consent to share your %(category)s for %(purpose)s ends on %(expires_at)s. If you want to "
                "keep sharing, renew it on your data sharing page; otherwise nothing needs to be done."
            ),
            formats={"category": catalogue_name(DataCategory), "purpose": catalogue_name(Purpose)},
        ),
        # Data sharing (kind account): params category, purpose (codes); the catalogue entry's wording changed.
        "consent_ended_wording": Message(
            _l("Your consent has ended because its description changed"),
            _l(
                "The city reworded what sharing your %(category)s for %(purpose)s covers. So that nothing is shared "
                "on terms you have not seen, your consent has ended. If you agree with the new description, you can "
                "consent again on your data sharing page."
            ),
            formats={"category": catalogue_name(DataCategory), "purpose": catalogue_name(Purpose)},
        ),
    }
)
