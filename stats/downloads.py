"""What the statistics pages and the statistics API share: the filter choices, the export history,
and a release as a downloadable file (CSV streamed, XLSX, ZIP with metadata, JSON)."""

import io
import zipfile

from flask import Response, current_app, stream_with_context, url_for
from flask_babel import force_locale, get_locale, gettext
from sqlalchemy import select

from app import bilingual
from app.bilingual import setting
from app.extensions import db
from challenges.models import Challenge
from neighbourhoods.models import Neighbourhood
from sharing.models import DataUse, Level, Purpose
from stats import dialects, exports
from stats.figures import PURPOSE, Filters
from stats.release import Release

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def published_challenges() -> list[tuple[int, str]]:
    """Published challenges by title in the reader's language (a query's `Challenge.title` is the English one)."""
    query = select(Challenge).where(Challenge.published_at.is_not(None))
    titled = [(challenge.id, bilingual.text(challenge, "title")) for challenge in db.session.scalars(query)]
    return sorted(titled, key=lambda pair: pair[1].casefold())


def neighbourhoods() -> list[tuple[int, str]]:
    return [tuple(row) for row in db.session.execute(select(Neighbourhood.id, Neighbourhood.name).order_by("name"))]


def no_places_problem(filters: Filters) -> str | None:
    """A message when the figures would have no row: per neighbourhood, while the city has none."""
    if filters.level == Level.NEIGHBOURHOOD and not db.session.scalar(select(Neighbourhood.id).limit(1)):
        return gettext("There are no neighbourhoods yet: choose the whole city.")
    return None


def history_query():
    """The data use log's entries of municipal statistics, newest first."""
    return (
        select(DataUse)
        .join(Purpose, Purpose.id == DataUse.purpose_id)
        .where(Purpose.code == PURPOSE)
        .order_by(DataUse.created_at.desc(), DataUse.id.desc())
    )


def metadata_of(release: Release) -> dict:
    publisher = setting(current_app.config, "STATS_PUBLISHER")
    return exports.metadata(release, publisher, url_for("stats.dashboard", _external=True))


def reader_locale() -> str:
    """The request's locale as a name ("de", "en_GB"): exports are written for the one who asked."""
    return str(get_locale() or "en")


def download(release: Release, fmt: str, dialect: dialects.Dialect | None = None) -> Response:
    """A release as a file; CSV streams (RFC 4180 unless `dialect` says otherwise), ZIP bundles data.csv
    (always RFC 4180: it is for machines, with metadata.json), JSON carries its metadata."""
    start, end = release.filters["from"], release.filters["to"]
    name = f"civiquest-statistics-{start}-{end}"
    if fmt == "csv":
        locale = dialect.locale if dialect else reader_locale()
        return _attachment(stream_with_context(_csv(release, dialect, locale)), "text/csv", f"{name}.csv")
    if fmt == "xlsx":
        return _attachment(exports.xlsx_bytes(release), XLSX, f"{name}.xlsx")
    metadata = metadata_of(release)
    if fmt == "zip":
        return _attachment(_zip(release, metadata), "application/zip", f"{name}.zip")
    document = exports.json_bytes(exports.json_document(release, metadata))
    return _attachment(document, "application/json", f"{name}.json")


def _csv(release: Release, dialect: dialects.Dialect | None, locale: str):
    # The lines are written while the response streams: the language is fixed beforehand, as choosing it
    # again then would read the logged-in user, no longer attached to a database session.
    with force_locale(locale):
        yield from exports.csv_lines(release, dialect)


def _attachment(body, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _zip(release: Release, metadata: dict) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as bundle:
        with bundle.open("data.csv", "w") as data:
            for line in exports.csv_lines(release):
                data.write(line.encode())
        bundle.writestr("metadata.json", exports.json_bytes(metadata))
    return output.getvalue()
