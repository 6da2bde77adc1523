"""The notifications community projects send, in words (registered with the notifications hub)."""

from flask_babel import lazy_gettext as _l

from app.bilingual import text
from app.extensions import db
from notifications.display import Message, register_messages
from projects.models import Project


def project_title(project_id) -> str:
    """A project's title in the reader's language; its id when it is gone."""
    project = db.session.get(Project, project_id) if isinstance(project_id, int) else None
    return text(project, "title") if project else str(project_id)


register_messages(
    {
        # Community projects (kind rewards): params project (its id). Sent to each backer once it is funded.
        "project_funded": Message(
            _l("“%(project)s” is funded"),
            _l("The community project “%(project)s” you pledged points to has reached its target. Thank you!"),
            formats={"project": project_title},
        ),
    }
)
