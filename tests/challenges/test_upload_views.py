"""The CSV upload page: a report per row, refusals on the form, nothing lost."""

import io
from datetime import UTC, datetime, timedelta

from app.extensions import db
from challenges import participation
from challenges.models import Submission
from challenges.scoring import Category, Metric


def _joined_trip_challenge(app, make_challenge, resident):
    now = datetime.now(UTC)
    with app.app_context():
        challenge = make_challenge(category=Category.MOBILITY, metric=Metric.SUSTAINABLE_TRIPS, now=now)
        participation.join(challenge, db.session.merge(resident), now=now)
        db.session.commit()
        return challenge.id, now


def test_upload_reports_every_row(app, resident_client, make_challenge):
    """Good rows count, bad rows are refused with the reason, all listed by line."""
    challenge_id, now = _joined_trip_challenge(app, make_challenge, resident_client.user)
    day = (now - timedelta(days=1)).date().isoformat()
    content = f"date,mode,distance_km,replaced_car\n{day},bike,5,yes\n{day},rocket,5,yes\n".encode()
    response = resident_client.post(
        f"/challenges/{challenge_id}/upload", data={"file": (io.BytesIO(content), "trips.csv")},
        content_type="multipart/form-data",
    )  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 row counted, 0 held for a manager to check, 1 refused." in page
    assert "rocket" in page
    with app.app_context():
        assert db.session.query(Submission).count() == 1


def test_upload_refuses_unusable_files_on_the_form(app, resident_client, make_challenge):
    """A file without the needed columns, or of the wrong type, is refused with a message on the field."""
    challenge_id, _now = _joined_trip_challenge(app, make_challenge, resident_client.user)
    wrong_columns = resident_client.post(
        f"/challenges/{challenge_id}/upload", data={"file": (io.BytesIO(b"a,b\n1,2\n"), "x.csv")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert wrong_columns.status_code == 422
    assert "lacks the columns" in wrong_columns.get_data(as_text=True)
    wrong_type = resident_client.post(
        f"/challenges/{challenge_id}/upload", data={"file": (io.BytesIO(b"\x89PNG"), "photo.png")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert wrong_type.status_code == 422
    assert "Upload a .csv file." in wrong_type.get_data(as_text=True)


def test_upload_needs_enrollment(app, client, make_challenge, make_user, login):
    """Someone who has not joined gets told to join, not a server error."""
    now = datetime.now(UTC)
    with app.app_context():
        challenge_id = make_challenge(category=Category.MOBILITY, now=now).id
    login(client, make_user())
    response = client.post(
        f"/challenges/{challenge_id}/upload", data={"file": (io.BytesIO(b"date,mode,distance_km\n"), "t.csv")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 422
    assert "Join the challenge first." in response.get_data(as_text=True)


def test_upload_of_binary_data_named_csv_is_a_form_error(app, resident_client, make_challenge):
    """A PNG renamed .csv is refused on the form (422), not a server error."""
    challenge_id, _now = _joined_trip_challenge(app, make_challenge, resident_client.user)
    response = resident_client.post(
        f"/challenges/{challenge_id}/upload", data={"file": (io.BytesIO(b"\x89PNG\r\n\x1a\n\x00\x00"), "photo.csv")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 422
    assert "This is not a CSV file" in response.get_data(as_text=True)
