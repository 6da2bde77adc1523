"""The track upload over the API: a resident's script or app sends a GPX file as multipart/form-data."""

from flask import request
from flask.views import MethodView
from flask_babel import lazy_gettext as _l

from accounts.models import Role
from app.pagination import Blueprint
from app.security import serves, viewer
from tracks import errors, services
from tracks.schemas import TrackUploadSchema, UploadResultSchema

blp = Blueprint("api_tracks", __name__, url_prefix="/api/v1/me/tracks", description="Tracks")
BODY_LIMIT = services.gpx.MAX_BYTES + 64 * 1024  # the file and the form around it


@blp.before_request
def _track_sized_bodies():
    """A track file may be larger than the app's usual request body, before the form is parsed."""
    request.max_content_length = BODY_LIMIT


@blp.route("")
class MyTracks(MethodView):
    @serves(Role.RESIDENT)
    @blp.arguments(TrackUploadSchema, location="form", content_type="multipart/form-data")
    @blp.response(201, UploadResultSchema)
    @blp.alt_response(413, description="The body is larger than a track file may be", success=False)
    def post(self, data):
        """Upload a GPX file: each track becomes a trip (its day, mode, distance, whether it replaced a car) in my
        running mobility challenges; the file itself is never stored.

        With my consent to "routes" × "cycling and walking network planning", walking and cycling tracks add to
        the planners' cell counts (never the track, never the cells around its start and end). A track too fast
        for its mode is held for review. An unreadable file, a track without timestamps or one from the future
        is a 422 with a message on `file`, and nothing is stored.
        """
        upload = request.files.get("file")
        if upload is None:
            raise errors.TrackRefused(_l("Choose a file to upload."), "file")
        content = upload.read(services.gpx.MAX_BYTES + 1)
        return services.upload(viewer(), content, data["mode"].value, data["replaced_car"])
