"""CSV upload of readings and trips, with a report per row."""

import pytest

from app.extensions import db
from challenges import errors, participation
from challenges.imports import import_csv
from challenges.models import Submission
from challenges.scoring import Category, Metric
from tests.challenges.conftest import NOW

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def energy_enrollment(make_challenge, make_user):
    challenge = make_challenge(max_kwh_per_day=40.0)  # runs 2026-02-25 12:00 UTC .. 2026-03-25
    return participation.join(challenge, db.session.merge(make_user()), now=NOW)


@pytest.fixture
def trip_enrollment(make_challenge, make_user):
    challenge = make_challenge(category=Category.MOBILITY, metric=Metric.SUSTAINABLE_TRIPS, max_km_per_day=100.0)
    return participation.join(challenge, db.session.merge(make_user()), now=NOW)


def test_german_utility_export_of_readings(energy_enrollment):
    """Semicolons, German headers, decimal commas and dd.mm.yyyy dates are read; each row is reported."""
    content = (
        "Ablesezeitpunkt;Zählerstand (kWh)\n"
        "26.02.2026 08:00;1.000,5\n"
        "27.02.2026 08:00;1.008,5\n"
        "28.02.2026 08:00;1.007,0\n"  # falls: refused
        "01.03.2026 08:00;1.100,0\n"  # 91.5 kWh in 2 days: flagged
        "kaputt;12\n"
    ).encode()
    report = import_csv(energy_enrollment, content, now=NOW)
    assert [(r.line, r.status) for r in report] == [
        (2, "accepted"), (3, "accepted"), (4, "rejected"), (5, "flagged"), (6, "rejected"),
    ]  # fmt: skip
    assert "rise" in report[2].message and "kaputt" in report[4].message
    assert db.session.query(Submission).count() == 3


def test_trip_export_in_english(trip_enrollment):
    """Comma-separated English trips with yes/no flags; a bad mode is reported, the rest counts."""
    content = (
        b"date,mode,distance_km,replaced_car\n"
        b"2026-03-01,bike,4.5,yes\n"
        b"2026-03-01,Bus,12,no\n"
        b"2026-03-02,rocket,3,yes\n"
        b"2026-03-02,walk,1.2,maybe\n"
    )
    report = import_csv(trip_enrollment, content, now=NOW)
    assert [r.status for r in report] == ["accepted", "accepted", "rejected", "rejected"]
    assert trip_enrollment.score == 2.0


def test_reuploading_the_same_file_counts_nothing_twice(trip_enrollment):
    """Uploading a file again rejects every row as a duplicate."""
    content = b"date,mode,distance_km,replaced_car\n2026-03-01,bike,4.5,yes\n"
    import_csv(trip_enrollment, content, now=NOW)
    again = import_csv(trip_enrollment, content, now=NOW)
    assert again[0].status == "rejected" and trip_enrollment.score == 1.0


@pytest.mark.parametrize(
    ("content", "rule"),
    [(b"", "empty"), (b"foo,bar\n1,2\n", "columns"), (b"x" * (2 * 1024 * 1024 + 1), "too_large")],
)
def test_unusable_files_are_refused_whole(energy_enrollment, content, rule):
    """Empty files, files without the needed columns and oversized files are refused as a whole."""
    with pytest.raises(errors.SubmissionRefused) as caught:
        import_csv(energy_enrollment, content, now=NOW)
    assert caught.value.rule == rule


def test_times_without_offset_are_city_time(energy_enrollment):
    """A reading time without an offset is taken as Berlin time."""
    import_csv(energy_enrollment, b"read_at,meter_kwh\n2026-03-01T09:00,500\n", now=NOW)
    reading = db.session.query(Submission).one()
    assert reading.read_at == NOW.replace(day=1, hour=8)


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        (b"read_at,meter_kwh\r2026-03-01T09:00,500\r2026-03-02T09:00,510\r", "line_endings"),  # a bare CR: was a 500
        (PNG, "binary"),  # a PNG renamed .csv: was a 500
        (bytes(range(256)) * 4, "binary"),  # random bytes: was a 500
        (
            b'read_at,meter_kwh\n2026-03-01T09:00,"' + b"9" * 200_000 + b'"\n',
            "not_csv",
        ),  # was "field larger than limit"
        (b'read_at,meter_kwh\n2026-03-01T09:00,"' + b"9" * 2_000 + b'"\n', "cell_too_long"),
        (b"read_at,meter_kwh\n2026-03-01T09:00,\x81\x8d\x8f\n", "encoding"),  # neither UTF-8 nor Windows-1252
        (b"read_at,meter_kwh\n2026-03-01T09:00,5\x01\n", "binary"),
    ],
)
def test_files_that_are_not_csv_text_are_refused_with_a_reason(energy_enrollment, content, rule):
    """Binary data, lone carriage returns, huge cells and unreadable encodings are refused, never a server error."""
    with pytest.raises(errors.SubmissionRefused) as caught:
        import_csv(energy_enrollment, content, now=NOW)
    assert (caught.value.rule, caught.value.field) == (rule, "file")
    assert db.session.query(Submission).count() == 0


@pytest.mark.parametrize("encoding", ["utf-16", "cp1252", "utf-8-sig"])
def test_excel_encodings_are_read(energy_enrollment, encoding):
    """German Excel's Windows-1252 and "Unicode text" (UTF-16 with a byte-order mark) read like UTF-8."""
    content = "Ablesezeitpunkt;Zählerstand (kWh)\r\n26.02.2026 08:00;1.000,5\r\n27.02.2026 08:00;1.008,5\r\n"
    report = import_csv(energy_enrollment, content.encode(encoding), now=NOW)
    assert [r.status for r in report] == ["accepted", "accepted"]
