"""How community projects are put into words and pictures: status labels and the progress bar (an SVG image
with its numbers as text beside it, so nothing depends on seeing the bar)."""

from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.charts import svg
from app.clock import local_date
from projects.models import Project, ProjectStatus

STATUS_LABELS = {
    ProjectStatus.OPEN: _l("Open for pledges"),
    ProjectStatus.FUNDED: _l("Funded"),
    ProjectStatus.FAILED: _l("Target not reached: points returned"),
    ProjectStatus.CANCELLED: _l("Cancelled: points returned"),
}

WIDTH, HEIGHT = 600, 40


def points(value: int) -> str:
    """A number of points with thousands separators in the reader's language."""
    return format_decimal(value, format="#,##0")


def day(moment) -> str:
    """The moment's day in the city, e.g. "4 Mar 2026"."""
    return format_date(local_date(moment), "medium") if moment else "–"


def percent(project: Project) -> int:
    """How much of the target is pledged, in whole percent (rounded down, so 100 means funded)."""
    return min(100, project.pledged * 100 // project.target) if project.target else 0


def progress_text(project: Project) -> str:
    """The bar's numbers as a sentence: what is pledged, of which target, and the share."""
    return _("%(pledged)s of %(target)s points pledged (%(percent)s %%)", pledged=points(project.pledged),
             target=points(project.target), percent=percent(project))  # fmt: skip


def progress_bar(project: Project, chart_id: str) -> Markup:
    """The progress as an SVG bar named by its numbers; the page shows the same numbers as text too."""
    filled = round(WIDTH * min(project.pledged, project.target) / project.target) if project.target else 0
    body = Markup(
        '<rect class="chart-track" x="1" y="1" width="{w}" height="{h}" rx="6"/>'
        '<rect class="chart-bar" x="1" y="1" width="{filled}" height="{h}" rx="6"/>'
    ).format(w=WIDTH - 2, h=HEIGHT - 2, filled=max(0, filled - 2) if filled else 0)
    title = _("Progress of “%(title)s”", title=project.title)
    return svg(chart_id, HEIGHT, title, progress_text(project), body, width=WIDTH)
