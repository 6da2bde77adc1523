"""The points history as a CSV download in the reader's language, for the points page and the API alike."""

from flask import Response, stream_with_context
from flask_babel import force_locale, get_locale

from rewards import display, ledger


def csv_download(query, when, filename: str) -> Response:
    """Stream the entries of `query` as CSV, each dated by `when(entry)`, as an attachment named `filename`."""
    rows = ledger.csv_rows(query, display.describe, when)
    locale = str(get_locale() or "en")

    def in_reader_language():
        # The rows are written after the request's context has ended: choosing the language again then
        # would read the logged-in user, no longer attached to a session, so it is fixed beforehand.
        with force_locale(locale):
            yield from rows

    disposition = f'attachment; filename="{filename}"'
    return Response(
        stream_with_context(in_reader_language()), mimetype="text/csv", headers={"Content-Disposition": disposition}
    )
