"""The "download my data" zip as a response, the same for the page and the API."""

import io

from flask import Response, send_file

from accounts.models import User
from privacy import services
from sharing.display import receipt_urls


def my_data(user: User) -> Response:
    """The resident's export as a zip attachment that no cache keeps."""
    data = services.export_bytes(user, *receipt_urls())
    response = send_file(
        io.BytesIO(data), mimetype="application/zip", as_attachment=True, download_name=services.export_filename()
    )
    response.headers["Cache-Control"] = "no-store"
    return response
