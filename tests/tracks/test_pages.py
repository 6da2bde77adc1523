"""The upload page and API, and the planners' grid page and downloads: form errors instead of 500s, the roles,
suppression of small cells and of the cells around starts and ends, the data use log and the dividend."""

import csv
import io
import json
from datetime import timedelta

import h3
from flask_babel import refresh
from sqlalchemy import select

from app.clock import local_date, week_start
from app.columns import utcnow
from app.extensions import db
from challenges.models import Submission
from sharing import credits
from sharing.models import DataUse, DataUseResident
from sharing.uses import uses_of
from tests.conftest import log_in
from tests.tracks.conftest import START, east, gpx_bytes, north, yesterday_at
from tracks import services

API = "/api/v1/me/tracks"


def _post_page(client, content: bytes, mode="bike", replaced_car=False, name="ride.gpx"):
    data = {"file": (io.BytesIO(content), name), "mode": mode}
    if replaced_car:
        data["replaced_car"] = "y"
    return client.post("/me/tracks", data=data, content_type="multipart/form-data")


def _resident_client(app, user):
    client = app.test_client()
    log_in(client, user)
    return client


def test_the_page_uploads_a_file_and_shows_each_tracks_trip(app, ctx, mobility):
    anna = mobility()
    client = _resident_client(app, anna)
    assert client.get("/me/tracks").status_code == 200
    content = gpx_bytes(north(5.0, 20, yesterday_at(8)), east(3.0, 15, yesterday_at(16)))
    response = _post_page(client, content, replaced_car=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "2 tracks read." in page and "5.00" in page and "counted" in page
    assert db.session.scalar(select(Submission.source).where(Submission.user_id == anna.id).limit(1)) == "track"


def test_the_page_in_german_writes_the_distance_with_a_decimal_comma(app, ctx, mobility):
    anna = mobility()
    client = _resident_client(app, anna)
    client.post("/language", data={"language": "de"})
    refresh()  # the test's app context outlives each request, and with it Flask-Babel's cached locale
    response = _post_page(client, gpx_bytes(north(5.0, 20, yesterday_at(8))))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "5,00" in page, page


def test_bad_uploads_are_form_errors_on_the_page_never_a_500(app, ctx, mobility):
    anna = mobility()
    client = _resident_client(app, anna)
    for content, words in ((b"", "empty"), (b"<not xml", "not a GPX"),
                           (gpx_bytes(north(5.0, 20, yesterday_at(8)), timed=False), "without a time")):  # fmt: skip
        response = _post_page(client, content)
        page = response.get_data(as_text=True)
        assert response.status_code == 422 and words in page and 'aria-invalid="true"' in page, page
    no_file = client.post("/me/tracks", data={"mode": "bike"}, content_type="multipart/form-data")
    assert no_file.status_code == 422 and "Choose a file to upload." in no_file.get_data(as_text=True)
    bad_mode = _post_page(client, gpx_bytes(north(5.0, 20, yesterday_at(8))), mode="rocket")
    assert bad_mode.status_code == 422
    assert db.session.scalar(select(Submission.id).where(Submission.user_id == anna.id)) is None


def test_the_api_takes_multipart_and_answers_field_errors(app, ctx, mobility, make_token):
    anna = mobility()
    headers = {"Authorization": f"Bearer {make_token(anna)}"}
    client = app.test_client()
    ok = client.post(API, headers=headers, content_type="multipart/form-data",
                     data={"file": (io.BytesIO(gpx_bytes(north(5.0, 20, yesterday_at(8)))), "a.gpx"), "mode": "bike",
                           "replaced_car": "true"})  # fmt: skip
    body = ok.get_json()
    assert ok.status_code == 201, body
    assert body["shared"] is False and body["tracks"][0]["outcomes"][0]["status"] == "accepted"
    assert abs(body["tracks"][0]["distance_km"] - 5.0) < 0.05
    broken = client.post(API, headers=headers, content_type="multipart/form-data",
                         data={"file": (io.BytesIO(b"\x00\x01"), "a.gpx"), "mode": "bike"})  # fmt: skip
    assert broken.status_code == 422 and "file" in broken.get_json()["errors"], broken.get_json()
    missing = client.post(API, headers=headers, content_type="multipart/form-data", data={"mode": "bike"})
    assert missing.status_code == 422 and "file" in missing.get_json()["errors"]
    no_mode = client.post(API, headers=headers, content_type="multipart/form-data",
                          data={"file": (io.BytesIO(b"<gpx/>"), "a.gpx")})  # fmt: skip
    assert no_mode.status_code == 422 and "mode" in no_mode.get_json()["errors"]


def test_the_api_needs_a_signed_in_resident(client):
    assert client.post(API, data={"mode": "bike"}).status_code == 401


def test_the_grid_is_for_staff_only(app, ctx, mobility):
    """A resident gets 403 for the grid and its downloads (every role: tests/test_authorisation.py)."""
    client = _resident_client(app, mobility())
    assert client.get("/tracks/grid").status_code == 403
    assert client.get("/tracks/grid/export?format=geojson").status_code == 403


def _city(mobility, give_consent, riders: int, route, mode="bike"):
    """`riders` residents who consent and each upload `route`; returns them."""
    users = []
    for _ in range(riders):
        user = mobility()
        give_consent(user, "routes", "network_planning", "city", now=utcnow() - timedelta(days=9))
        services.upload(db.session.merge(user), gpx_bytes(route), mode, False)
        db.session.commit()
        users.append(user)
    return users


def test_the_export_leaves_out_small_cells_and_the_cells_around_starts_and_ends(ctx, mobility, give_consent,
                                                                                staff_client):  # fmt: skip
    """Five riders on one route are shown (with noise); four walkers on another are left out entirely; no cell
    around any start or end appears; the export is logged with each resident, who sees it and earns the dividend."""
    ride = north(5.0, 20, yesterday_at(8))
    walk = east(3.0, 40, yesterday_at(12), origin=(52.45, 13.30))
    riders = _city(mobility, give_consent, 5, ride)
    walkers = _city(mobility, give_consent, 4, walk, mode="walk")
    response = staff_client.get("/tracks/grid/export", query_string={"format": "geojson"})
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    document = json.loads(response.get_data())
    cells = {feature["properties"]["cell"] for feature in document["features"]}
    ridden = {h3.latlng_to_cell(lat, lon, 9) for lat, lon, _ in ride}
    walked = {h3.latlng_to_cell(lat, lon, 9) for lat, lon, _ in walk}
    private = set(h3.grid_disk(h3.latlng_to_cell(*START, 9), 1)) | set(
        h3.grid_disk(h3.latlng_to_cell(*ride[-1][:2], 9), 1)
    )
    assert cells and cells <= ridden and not cells & walked and not cells & private
    assert {f["properties"]["mode"] for f in document["features"]} == {"all"}
    assert document["metadata"]["small_cell_rule_k"] == 5 and document["metadata"]["cells_left_out"] > 0
    assert all(abs(f["properties"]["residents"] - 5) <= 3 and f["properties"]["residents"] != 5
               for f in document["features"])  # fmt: skip
    use = db.session.scalars(select(DataUse).order_by(DataUse.id.desc())).first()
    assert use.purpose.code == "network_planning" and use.categories == ["routes"] and use.resident_count == 9
    assert use.actor_id == staff_client.user.id
    logged = set(db.session.scalars(select(DataUseResident.user_id).where(DataUseResident.data_use_id == use.id)))
    assert logged == {user.id for user in riders + walkers}
    assert db.session.scalars(uses_of(db.session.merge(riders[0]))).first().id == use.id
    monday = week_start(local_date(yesterday_at(8)))
    assert credits.credit_week(monday) >= 9  # each consent that brought tracks that week earns its dividend


def test_the_csv_follows_the_readers_language(ctx, mobility, give_consent, staff_client):
    """English: comma-separated with decimal points; German: semicolons, decimal commas and a byte order mark."""
    _city(mobility, give_consent, 5, north(5.0, 20, yesterday_at(8)))
    english = staff_client.get("/tracks/grid/export", query_string={"format": "csv", "mode": "bike"})
    rows = list(csv.reader(io.StringIO(english.get_data(as_text=True))))
    assert rows[0][:4] == ["cell", "latitude", "longitude", "mode"] and rows[1][3] == "bike"
    assert rows[1][1].startswith("52.") and len(rows) > 5
    staff_client.post("/language", data={"language": "de"})
    refresh()
    german = staff_client.get("/tracks/grid/export", query_string={"format": "csv", "mode": "bike"})
    text = german.get_data(as_text=True)
    assert text.startswith("\ufeff")
    first = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))[1]
    assert first[1].startswith("52,") and first[2].startswith("13,")


def test_the_planners_page_shows_a_map_and_logs_a_view_once_a_day(ctx, mobility, give_consent, staff_client):
    _city(mobility, give_consent, 5, north(5.0, 20, yesterday_at(8)))
    first = staff_client.get("/tracks/grid")
    page = first.get_data(as_text=True)
    assert first.status_code == 200 and "<svg" in page and "route-cell" in page and "<table" in page
    staff_client.get("/tracks/grid")
    views = db.session.scalars(select(DataUse).where(DataUse.description == "route map view")).all()
    assert len(views) == 1
    bad = staff_client.get("/tracks/grid", query_string={"start": "2026-05-01", "end": "2026-01-01"})
    assert bad.status_code == 422 and "before the start" in bad.get_data(as_text=True)
    wrong = staff_client.get("/tracks/grid/export", query_string={"format": "xlsx"})
    assert wrong.status_code == 422
    nonsense = staff_client.get("/tracks/grid", query_string={"start": "gestern", "mode": "rocket"})
    assert nonsense.status_code == 422


def test_a_curious_planner_cannot_subtract_one_residents_tracks(ctx, mobility, give_consent, staff_client):
    """Six riders, then a seventh: the difference of the two exports is not the seventh's exact contribution, and
    the same residents give the same figures each time (the noise is keyed to who is in the cell)."""
    ride = north(5.0, 20, yesterday_at(8))
    _city(mobility, give_consent, 6, ride)

    def figures():
        document = json.loads(staff_client.get("/tracks/grid/export", query_string={"format": "geojson"}).get_data())
        return {f["properties"]["cell"]: (f["properties"]["tracks"], f["properties"]["residents"])
                for f in document["features"]}  # fmt: skip

    before = figures()
    assert figures() == before
    _city(mobility, give_consent, 1, ride)
    after = figures()
    differences = {after[cell][1] - before[cell][1] for cell in before if cell in after}
    assert differences != {1}


def test_the_privacy_notice_lists_the_routes_category(client, catalogue):
    """The notice is drawn from the catalogue: routes × network planning is there, in English and German."""
    english = client.get("/privacy-notice").get_data(as_text=True)
    assert "Routes of your uploaded tracks" in english and "Cycling and walking network planning" in english
    refresh()  # the test's app context (the catalogue's) outlives the request, and Flask-Babel's cached locale
    german = client.get("/privacy-notice", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Strecken Ihrer hochgeladenen Tracks" in german and "Planung des Rad- und Fußwegenetzes" in german


def test_a_file_too_large_is_refused_before_it_is_read(app, ctx, mobility, make_token):
    """Over 5 MB: a form error on the page (or 413 past the body limit), a 413 from the API; never a 500."""
    anna = mobility()
    client = _resident_client(app, anna)
    padded = b"<gpx>" + b" " * (5 * 1024 * 1024) + b"</gpx>"
    page = _post_page(client, padded)
    assert page.status_code in (413, 422), page.status_code
    huge = b" " * (6 * 1024 * 1024)
    assert _post_page(client, huge).status_code == 413
    api = app.test_client().post(API, headers={"Authorization": f"Bearer {make_token(anna)}"},
                                 content_type="multipart/form-data",
                                 data={"file": (io.BytesIO(huge), "a.gpx"), "mode": "bike"})  # fmt: skip
    assert api.status_code == 413 and api.is_json
