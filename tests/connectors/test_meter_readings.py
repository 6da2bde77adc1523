"""The utility's bulk delivery of meter readings over HTTP with a client-credentials token: only linked, consented
meters are read, one value per meter and day is kept (never the 15-minute profile), a replay changes nothing,
and the readings score in the resident's energy challenge as typed ones do."""

import gzip
import json
from datetime import timedelta

from flask import g
from sqlalchemy import func, select

from app.clock import day_bounds, local_date
from app.columns import utcnow
from app.extensions import db
from challenges import participation
from challenges.errors import SubmissionRefused
from challenges.kinds.reading import submit_reading
from challenges.models import Submission
from connectors import services
from connectors.models import MeterDay
from sharing import services as sharing_services
from sharing.models import Consent, DataUse
from tests.clients.conftest import bearer

URL = "/api/v1/connectors/meter-readings"
NDJSON = {"Content-Type": "application/x-ndjson"}
# A 15-minute interval value no meter register could be confused with, to search the whole database for.
MARKER = 0.123457


def _day(days_ago: int):
    return local_date(utcnow()) - timedelta(days=days_ago)


def _rows(meter: str, days_ago: int, register: float, intervals: bool = True) -> list[dict]:
    """A day of a meter as the utility exports it: readings at 06:00, 12:00 and 23:45 with their intervals."""
    start, _end = day_bounds(_day(days_ago))
    rows = []
    for hours, add in ((6, 0.0), (12, 2.5), (23.75, 6.0)):
        row = {"meter_number": meter, "timestamp": (start + timedelta(hours=hours)).isoformat(),
               "register_kwh": register + add}  # fmt: skip
        if intervals:
            row["interval_kwh"] = [MARKER] * 4
        rows.append(row)
    return rows


def _ndjson(rows: list[dict]) -> bytes:
    return "".join(json.dumps(row) + "\n" for row in rows).encode()


def _post(client, utility, rows, **headers):
    return client.post(URL, data=_ndjson(rows), headers={**utility, **NDJSON, **headers})


def _world(make_user, make_challenge, link, give_consent):
    """Anna (linked, consented, in a running energy challenge), Ben (linked, no consent)."""
    anna, ben = make_user(), make_user()
    challenge = make_challenge(now=utcnow())
    participation.join(db.session.merge(challenge), db.session.merge(anna), now=utcnow() - timedelta(days=6))
    db.session.commit()
    link(anna, "1 ESY 1160 0001")
    link(ben, "1ESY11600002")
    give_consent(anna, "meter_readings", "challenge_scoring", "individual")
    return anna, ben, challenge


def test_a_mixed_delivery_is_counted_minimised_and_scored(client, ctx, utility, make_user, make_challenge, link,
                                                          give_consent):  # fmt: skip
    anna, ben, _challenge = _world(make_user, make_challenge, link, give_consent)
    rows = (_rows("1ESY11600001", 2, 1000.0) + _rows("1ESY11600002", 2, 500.0) + _rows("9ZZZ0000", 2, 10.0)
            + [{"meter_number": "1ESY11600001", "timestamp": _rows("x", 3, 0)[0]["timestamp"],
                "register_kwh": -5}])  # fmt: skip
    response = _post(client, utility, rows)
    report = response.get_json()
    assert response.status_code == 200, report
    assert {key: report[key] for key in ("accepted", "not_linked", "no_consent", "implausible", "duplicate")} == {
        "accepted": 3,
        "not_linked": 3,
        "no_consent": 3,
        "implausible": 1,
        "duplicate": 0,
    }
    assert report["days_stored"] == 1
    assert {row["outcome"] for row in report["rejected"]} == {"not_linked", "no_consent", "implausible"}
    assert "pseudonym" not in json.dumps(report) and ben.email not in json.dumps(report)

    replay = _post(client, utility, rows).get_json()
    assert replay["accepted"] == 0 and replay["duplicate"] == 3 and replay["not_linked"] == 3

    db.session.expire_all()
    days = db.session.scalars(select(MeterDay)).all()
    assert [(d.user_id, d.day, d.register_kwh) for d in days] == [(anna.id, _day(2), 1006.0)]
    submissions = db.session.scalars(select(Submission).where(Submission.user_id == anna.id)).all()
    assert [(s.source, s.meter_kwh) for s in submissions] == [("connector", 1006.0)]
    assert db.session.scalar(select(func.count()).select_from(Submission).where(Submission.user_id == ben.id)) == 0
    use = db.session.scalars(select(DataUse)).all()
    assert len(use) == 1 and use[0].resident_count == 1 and use[0].purpose.code == "challenge_scoring"
    assert use[0].actor_label.startswith("Meter data export")
    _assert_nowhere(str(MARKER))


def _assert_nowhere(text: str) -> None:
    """Read every table, every row: the value appears in none."""
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            assert text not in repr(tuple(row)), table.name


def test_the_day_keeps_its_last_value_and_use_and_a_typed_reading_for_it_is_refused(
    client, ctx, utility, make_user, make_challenge, link, give_consent
):
    anna, _ben, challenge = _world(make_user, make_challenge, link, give_consent)
    assert _post(client, utility, _rows("1ESY11600001", 3, 1000.0) + _rows("1ESY11600001", 2, 1010.0)).status_code \
        == 200  # fmt: skip
    db.session.expire_all()
    days = db.session.scalars(select(MeterDay).order_by(MeterDay.day)).all()
    assert [(d.register_kwh, d.consumed_kwh) for d in days] == [(1006.0, None), (1016.0, 10.0)]
    enrollment = participation.find_enrollment(challenge, db.session.merge(anna))
    moment = day_bounds(_day(2))[0] + timedelta(hours=20)
    try:
        submit_reading(enrollment, moment, 1014.0)
    except SubmissionRefused as refusal:
        assert refusal.rule == "delivered" and "utility" in str(refusal.message)
    else:
        raise AssertionError("a typed reading for a delivered day was taken")


def test_revoking_or_unlinking_stops_the_next_delivery(client, ctx, utility, make_user, make_challenge, link,
                                                       give_consent):  # fmt: skip
    anna, ben, _challenge = _world(make_user, make_challenge, link, give_consent)
    give_consent(ben, "meter_readings", "challenge_scoring", "individual")
    assert _post(client, utility, _rows("1ESY11600001", 3, 1000.0) + _rows("1ESY11600002", 3, 50.0)).get_json()[
        "accepted"] == 6  # fmt: skip
    consent = db.session.scalar(select(Consent).where(Consent.user_id == anna.id))
    sharing_services.revoke(consent)
    services.unlink_meter(db.session.merge(ben))
    db.session.commit()
    second = _post(client, utility, _rows("1ESY11600001", 2, 1010.0) + _rows("1ESY11600002", 2, 60.0)).get_json()
    assert second["accepted"] == 0 and second["no_consent"] == 3 and second["not_linked"] == 3
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(MeterDay).where(MeterDay.day == _day(2))) == 0
    meters = client.get("/api/v1/connectors/meters", headers=utility).get_json()["meters"]
    assert meters == []


def test_the_utility_lists_meters_linked_and_consented_now(client, ctx, utility, make_user, make_challenge, link,
                                                           give_consent):  # fmt: skip
    _world(make_user, make_challenge, link, give_consent)
    response = client.get("/api/v1/connectors/meters", headers=utility)
    assert response.status_code == 200, response.get_json()
    assert [m["meter_number"] for m in response.get_json()["meters"]] == ["1ESY11600001"]
    later = (utcnow() + timedelta(minutes=5)).isoformat()
    assert client.get("/api/v1/connectors/meters", query_string={"changed_since": later},
                      headers=utility).get_json()["meters"] == []  # fmt: skip
    assert client.get("/api/v1/connectors/meters", query_string={"changed_since": "gestern"},
                      headers=utility).status_code == 422  # fmt: skip


def test_gzip_is_accepted_and_a_broken_body_is_a_clear_400(client, ctx, utility, make_user, make_challenge, link,
                                                           give_consent):  # fmt: skip
    _world(make_user, make_challenge, link, give_consent)
    body = gzip.compress(_ndjson(_rows("1ESY11600001", 2, 1000.0)))
    response = client.post(URL, data=body, headers={**utility, **NDJSON, "Content-Encoding": "gzip"})
    assert response.status_code == 200 and response.get_json()["accepted"] == 3, response.get_json()
    broken = client.post(URL, data=body[:-12], headers={**utility, **NDJSON, "Content-Encoding": "gzip"})
    assert broken.status_code == 400 and "gzip" in broken.get_json()["message"]
    assert db.session.scalar(select(func.count()).select_from(MeterDay)) == 1


def test_csv_in_the_utilitys_german_export(client, ctx, utility, make_user, make_challenge, link, give_consent):
    _world(make_user, make_challenge, link, give_consent)
    rows = _rows("1ESY11600001", 2, 1000.0)
    text = "meter_number;timestamp;register_kwh;q1;q2\n" + "".join(
        f"{r['meter_number']};{r['timestamp']};{str(r['register_kwh']).replace('.', ',')};{MARKER};{MARKER}\n"
        for r in rows)  # fmt: skip
    response = client.post(URL, data=text.encode(), headers={**utility, "Content-Type": "text/csv"})
    assert response.status_code == 200 and response.get_json()["accepted"] == 3, response.get_json()
    no_header = client.post(URL, data=b"1;2;3\n", headers={**utility, "Content-Type": "text/csv"})
    assert no_header.status_code == 400 and "header" in no_header.get_json()["message"]
    _assert_nowhere(str(MARKER))


def test_too_many_rows_is_a_413_that_stores_nothing(app, client, ctx, utility, make_user, make_challenge, link,
                                                    give_consent):  # fmt: skip
    _world(make_user, make_challenge, link, give_consent)
    app.config["CONNECTOR_MAX_ROWS"] = 5
    try:
        response = _post(client, utility, _rows("1ESY11600001", 3, 1000.0) + _rows("1ESY11600001", 2, 1010.0))
    finally:
        app.config["CONNECTOR_MAX_ROWS"] = 100_000
    assert response.status_code == 413 and "at most 5 rows" in response.get_json()["message"]
    assert db.session.scalar(select(func.count()).select_from(MeterDay)) == 0


def test_malformed_rows_are_reported_and_other_media_refused(client, ctx, utility, make_user, make_challenge, link,
                                                             give_consent):  # fmt: skip
    _world(make_user, make_challenge, link, give_consent)
    body = (
        b'not json\n[1]\n{"meter_number": "1ESY11600001", "timestamp": "2026-12-01T10:00:00", "register_kwh": 5}\n'
        b'{"meter_number": "1ESY11600001", "timestamp": "2026-12-01T10:00:00Z", "register_kwh": "viel"}\n'
    )
    report = client.post(URL, data=body, headers={**utility, **NDJSON}).get_json()
    assert report["malformed"] == 4 and report["accepted"] == 0, report
    assert client.post(URL, data=b"{}", headers={**utility, "Content-Type": "application/json"}).status_code == 415


def test_a_vouchers_validate_token_gets_403(client, register, token_for, ctx, catalogue, partner):
    client_id, _pk, secret = register(partner_id=partner().id)
    headers = bearer(token_for(client_id, secret)["access_token"])
    assert client.post(URL, data=b"", headers={**headers, **NDJSON}).status_code == 403
    assert client.get("/api/v1/connectors/meters", headers=headers).status_code == 403


def test_a_meter_links_to_one_resident_and_is_validated(ctx, make_user, catalogue):
    from connectors.errors import InvalidMeterLink

    anna, ben = db.session.merge(make_user()), db.session.merge(make_user())
    services.link_meter(anna, "1 ESY 1160 0001", "K-1")
    for meter, customer in (("1esy11600001", "K-2"), ("!", "K-2"), ("1ESY99", "")):
        try:
            services.link_meter(ben, meter, customer)
        except InvalidMeterLink:
            continue
        raise AssertionError(f"{meter!r} {customer!r} was linked")
    assert services.meter_of(anna).meter_number == "1ESY11600001"
    assert services.unlink_meter(anna) and services.meter_of(anna) is None


def test_a_resident_links_and_unlinks_their_meter_over_the_api(resident_client, make_user, link):
    other = make_user()
    link(other, "1ESY11600009")
    assert resident_client.get("/api/v1/me/meter").status_code == 404
    taken = resident_client.put("/api/v1/me/meter", json={"meter_number": "1esy 1160 0009", "customer_number": "K-7"})
    assert taken.status_code == 422 and "already linked" in taken.get_json()["errors"]["meter_number"][0]
    bad = resident_client.put("/api/v1/me/meter", json={"meter_number": "ä", "customer_number": ""})
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"meter_number", "customer_number"}
    linked = resident_client.put("/api/v1/me/meter", json={"meter_number": "1 ESY 1160 0010", "customer_number": "K-8"})
    assert linked.status_code == 200 and linked.get_json()["meter_number"] == "1ESY11600010"
    assert resident_client.get("/api/v1/me/meter").get_json()["customer_number"] == "K-8"
    assert resident_client.delete("/api/v1/me/meter").status_code == 204
    assert resident_client.get("/api/v1/me/meter").status_code == 404


def test_the_resident_sees_the_utility_as_the_source_on_their_challenge_page(
    app, client, ctx, utility, make_user, make_challenge, link, give_consent
):
    from tests.conftest import log_in

    anna, _ben, challenge = _world(make_user, make_challenge, link, give_consent)
    assert _post(client, utility, _rows("1ESY11600001", 3, 990.0) + _rows("1ESY11600001", 2, 1000.0)).get_json()[
        "accepted"] == 6  # fmt: skip
    # Requests inside the test's app context (ctx) share its `g`: forget the utility's client and any loaded user.
    for name in ("api_client", "api_client_scopes", "_login_user"):
        g.pop(name, None)
    browser = app.test_client()
    log_in(browser, anna)
    page = browser.get(f"/challenges/{challenge.id}/me").get_data(as_text=True)
    assert "Delivered by your utility from your linked meter." in page, page[page.find("<main") :][:3000]
    assert "(reading from your utility)" in page, page[page.find("chart-table-caption") :][:2000]


def test_two_deliveries_of_the_same_day_at_once_store_it_once(app, ctx, make_user, make_challenge, link, give_consent,
                                                              register):  # fmt: skip
    """Two requests at once (threads with their own sessions): one stores the day, the other reports a duplicate."""
    import threading

    from clients.models import OrganisationClient
    from connectors.formats import Row

    _world(make_user, make_challenge, link, give_consent)
    _client_id, pk, _secret = register(scopes=("readings:write",), name="Meter data export", organisation="Stadtwerke")
    start = day_bounds(_day(2))[0]
    rows = [Row(1, "1ESY11600001", start + timedelta(hours=20), 1000.0)]
    reports, barrier = [], threading.Barrier(2)

    def deliver():
        with app.app_context():
            barrier.wait()
            reports.append(services.ingest(rows, db.session.get(OrganisationClient, pk), max_rows=10))
            db.session.commit()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted((r.accepted, r.duplicate) for r in reports) == [(0, 1), (1, 0)]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(MeterDay)) == 1


def test_one_file_of_every_kind_of_row_gives_exactly_the_reported_counts(
    client, ctx, utility, make_user, make_challenge, link, give_consent
):
    """The issue's end-to-end file: linked and consented, linked without consent, unknown meter, replayed (a day
    delivered before, in the same file as new days) and implausible rows, with 15-minute values on every row."""
    anna, ben, _challenge = _world(make_user, make_challenge, link, give_consent)
    assert _post(client, utility, _rows("1ESY11600001", 3, 1000.0)).get_json()["accepted"] == 3
    falling = _rows("1ESY11600001", 1, 900.0)  # below the day before: the register would fall
    rows = (_rows("1ESY11600001", 2, 1010.0) + _rows("1ESY11600002", 2, 500.0) + _rows("4XYZ00000001", 2, 10.0)
            + _rows("1ESY11600001", 3, 1000.0) + falling
            + [{**_rows("1ESY11600001", 2, 0)[0], "register_kwh": 99_000_000}])  # fmt: skip
    report = _post(client, utility, rows).get_json()
    assert report["accepted"] == 3 and report["no_consent"] == 3 and report["not_linked"] == 3, report
    assert report["duplicate"] == 3 and report["implausible"] == 4 and report["malformed"] == 0, report
    assert report["days_stored"] == 1
    db.session.expire_all()
    days = db.session.scalars(select(MeterDay).order_by(MeterDay.day)).all()
    assert [(d.user_id, d.day, d.register_kwh, d.consumed_kwh) for d in days] == [
        (anna.id, _day(3), 1006.0, None), (anna.id, _day(2), 1016.0, 10.0)]  # fmt: skip
    assert not db.session.scalars(select(MeterDay).where(MeterDay.user_id == ben.id)).all()
    _assert_nowhere(str(MARKER))


def test_the_rejected_rows_report_is_the_delivering_clients_alone(
    client, ctx, utility, register, token_for, make_user, make_challenge, link, give_consent
):
    """Every rejected row as CSV (row, meter number as sent, outcome, reason), no resident named; another client
    and an expired report get the same 404."""
    _anna, ben, _challenge = _world(make_user, make_challenge, link, give_consent)
    rows = _rows("1ESY11600001", 2, 1000.0) + _rows("1 esy 1160 0002", 2, 5.0) + _rows("=cmd|x", 2, 1.0)
    report = _post(client, utility, rows).get_json()
    url = report["rejected_report"]
    assert url == f"/api/v1/connectors/deliveries/{report['delivery_id']}/rejected"
    answer = client.get(url, headers=utility)
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    lines = answer.get_data(as_text=True).splitlines()
    assert lines[0] == "row,meter_number,outcome,reason" and len(lines) == 1 + 6
    assert lines[1].startswith("4,1 esy 1160 0002,no_consent,") and lines[4].startswith("7,'=cmd|x,not_linked,")
    text = answer.get_data(as_text=True)
    assert ben.pseudonym not in text and ben.email not in text and str(ben.id) not in text.split(",")[4:]
    other_id, _pk, other_secret = register(scopes=("readings:write",), name="Another utility", organisation="EVU")
    other = bearer(token_for(other_id, other_secret)["access_token"])
    assert client.get(url, headers=other).status_code == 404
    assert client.get("/api/v1/connectors/deliveries/999999/rejected", headers=utility).status_code == 404
    assert services.purge_reports(utcnow() + services.REPORT_KEPT) == 1
    gone = client.get(url, headers=utility)
    assert gone.status_code == 404 and "14 days" in gone.get_json()["message"]


def test_a_delivery_streams_in_batches_and_lists_only_the_first_rejected_rows_inline(
    client, ctx, utility, make_user, make_challenge, link, give_consent, monkeypatch
):
    """Past a batch of rows the report keeps counting and writing; the answer lists at most REJECTED_INLINE."""
    _world(make_user, make_challenge, link, give_consent)
    monkeypatch.setattr(services, "BATCH", 4)
    monkeypatch.setattr(services, "REJECTED_INLINE", 5)
    rows = _rows("1ESY11600001", 3, 1000.0) + _rows("1ESY11600001", 2, 1010.0)
    rows += [{**row, "meter_number": f"7UNKNOWN{n:04d}"} for n, row in enumerate(_rows("x", 2, 1.0) * 4)]
    report = _post(client, utility, rows).get_json()
    assert report["accepted"] == 6 and report["not_linked"] == 12 and len(report["rejected"]) == 5, report
    lines = client.get(report["rejected_report"], headers=utility).get_data(as_text=True).splitlines()
    assert len(lines) == 13 and [int(line.split(",")[0]) for line in lines[1:]] == list(range(7, 19))


def test_a_rejected_day_names_each_rows_meter_number_as_sent(client, ctx, utility, make_user, make_challenge, link,
                                                             give_consent):  # fmt: skip
    """A replayed day is reported row by row with the meter number as the utility wrote it, spaces and case."""
    _world(make_user, make_challenge, link, give_consent)
    assert _post(client, utility, _rows("1ESY11600001", 2, 1000.0)).get_json()["accepted"] == 3
    report = _post(client, utility, _rows("1 esy 1160 0001", 2, 1000.0)).get_json()
    assert report["duplicate"] == 3 and {row["meter_number"] for row in report["rejected"]} == {"1 esy 1160 0001"}
