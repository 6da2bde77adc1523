"""Meter connector benchmark: one day's readings for every linked, consented household, delivered by the utility.

    python -m bench.connectors                                   # 100k households, both databases, both files
    python -m bench.connectors --households 10000 --databases sqlite --sizes 10000    # a quick run

For each database and size a city is generated (bench/city.py's bulk paths): every household has a linked meter,
a consent to "meter readings" × "challenge scoring", an enrollment in a running energy challenge and the utility's
value of three days ago (a stored meter day and its counted reading), so each delivered day is measured, scored and
paid as a typed reading would be. Then, each in a fresh process (so its peak memory is its own):

- *daily*: one row per household (the day's last register value), gzip NDJSON, sent as the utility must — in
  deliveries of at most 100,000 rows — to POST /api/v1/connectors/meter-readings with a client-credentials token,
  through Flask's test client (no network): the endpoint, the streaming parser and the bulk ingest, each delivery
  committed as its request would be;
- *15-minute*: the next day as 96 rows per household (9.6 million rows at 100,000 households) in deliveries of
  100,000 rows, reduced to one value per meter and day;
- *single*: the same reading typed through the single-submission API (POST /api/v1/challenges/<id>/submissions
  with a resident's token), for 300 residents, for the cost per reading to compare with.

Reported: wall time, rows/s, the process's peak resident memory, and the cost per stored reading. Streaming is
shown by the peak memory at two sizes. Targets (100,000 households, PostgreSQL): the daily file ingested and scored
in under 60 s, peak memory under 300 MB, a bulk reading costing under a twentieth of a single submission.
"""

import argparse
import gzip
import io
import json
import os
import random
import resource
import time
import uuid
from datetime import UTC, datetime, timedelta

from bench.city import (
    PASSWORD,
    _bulk,
    _people,
    _settle_totals,
    _sync_sequences,
    _vacuum,
    _Values,
    build_app,
    neighbourhood_of,
    reset_schema,
)
from bench.leaderboard import _machine, _run
from bench.report import write_section

DATABASES = {
    "sqlite": "sqlite:////tmp/civiquest-connectors-bench.db",
    # A database of its own: the other benchmarks drop and rebuild civiquest_bench's schema when they start.
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/civiquest_bench_connectors",
}
DELIVERY_ROWS = 100_000  # the endpoint's limit per request (CONNECTOR_MAX_ROWS)
INTERVALS = 96  # 15-minute values a day
SOURCE = "connector"
SINGLE = 300
URL = "/api/v1/connectors/meter-readings"
ENROLLMENT_COLUMNS = ("id", "challenge_id", "user_id", "neighbourhood_id", "household_size", "active", "score",
                      "points", "joined_at", "baseline_kwh_per_day", "baseline_source")  # fmt: skip
CONSENT_COLUMNS = ("receipt_id", "user_id", "category_id", "purpose_id", "level", "duration_months", "method",
                   "granted_at", "expires_at")  # fmt: skip
READING_COLUMNS = ("challenge_id", "enrollment_id", "user_id", "kind", "status", "read_at", "meter_kwh", "day",
                   "units", "points", "source", "created_at", "neighbourhood_id")  # fmt: skip
METER_DAY_COLUMNS = ("user_id", "meter_number", "day", "read_at", "register_kwh", "created_at")


def meter_number(household: int) -> str:
    return f"1BENCH{household:08d}"


def register_before(household: int) -> float:
    """The household's register three days ago, varied."""
    return 10_000.0 + (household % 997) * 13.0


def daily_use(household: int) -> float:
    return 6.0 + household % 7


def _days():
    """(the stored day, the daily file's day, the 15-minute file's day) and the city's start of each."""
    from app.clock import day_bounds, local_date

    today = local_date(datetime.now(UTC))
    days = [today - timedelta(days=n) for n in (3, 2, 1)]
    return days, [day_bounds(day)[0] for day in days]


def generate(app, households: int, enrolled: bool = True, seed: int = 1) -> int:
    """The city: households with linked, consented meters (in a running energy challenge if `enrolled`); its id."""
    from accounts import services as accounts
    from accounts.models import Role
    from app.extensions import db
    from challenges import authoring
    from challenges.scoring import Category, Format, Metric
    from sharing import defaults
    from sharing.models import DataCategory, Purpose

    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(days=10)
    with app.app_context():
        (stored_day, _daily, _intervals), (stored_start, _a, _b) = _days()
        values = _Values(db.engine.dialect.name)
        with db.engine.begin() as connection:
            _people(connection, values, households, start, rng)
        defaults.install_defaults()
        manager = accounts.create_user(email="bench-manager@bench.example.org", password=PASSWORD,
                                       pseudonym="Bench Manager", role=Role.MANAGER)  # fmt: skip
        challenge = authoring.create_challenge(
            manager, title="Benchmark Energy Weeks", description="Synthetic.", category=Category.ENERGY,
            metric=Metric.SHARE_SAVED, format=Format.INDIVIDUAL, starts_at=start, ends_at=now + timedelta(days=20),
            points_per_unit=1.0,
        )  # fmt: skip
        authoring.publish(challenge, now=start)
        db.session.commit()
        challenge_id = challenge.id
        category_id = db.session.query(DataCategory.id).filter_by(code="meter_readings").scalar()
        purpose_id = db.session.query(Purpose.id).filter_by(code="challenge_scoring").scalar()
        moment, read_at = values.moment(start), stored_start + timedelta(hours=23, minutes=45)
        links = ((i, meter_number(i), f"K-{i:08d}", moment) for i in range(1, households + 1))
        consents = ((str(uuid.UUID(int=rng.getrandbits(128))), i, category_id, purpose_id, "individual", 12, "web",
                     moment, values.moment(now + timedelta(days=365))) for i in range(1, households + 1))  # fmt: skip
        enrollments = ((i, challenge_id, i, neighbourhood_of(i), 1 + i % 5, True, 0.0, 0, moment, 9.0, "readings")
                       for i in range(1, households + 1) if enrolled)  # fmt: skip
        readings = ((challenge_id, i, i, "reading", "accepted", values.moment(read_at), register_before(i),
                     values.day(stored_day), 0.0, 0, "connector", moment, neighbourhood_of(i))
                    for i in range(1, households + 1) if enrolled)  # fmt: skip
        meter_days = ((i, meter_number(i), values.day(stored_day), values.moment(read_at), register_before(i), moment)
                      for i in range(1, households + 1))  # fmt: skip
        with db.engine.begin() as connection:
            _bulk(connection, "meter_link", ("user_id", "meter_number", "customer_number", "linked_at"), links)
            _bulk(connection, "consent", CONSENT_COLUMNS, consents)
            _bulk(connection, "enrollment", ENROLLMENT_COLUMNS, enrollments)
            _bulk(connection, "submission", READING_COLUMNS, readings)
            _bulk(connection, "meter_day", METER_DAY_COLUMNS, meter_days)
            _settle_totals(connection, challenge_id)
            _sync_sequences(connection)
        from leaderboards import histogram

        histogram.rebuild(challenge_id)
        db.session.commit()
        db.session.remove()
        _vacuum()
    return challenge_id


def _bodies(households: int, intervals: bool, starts: list[datetime]):
    """The deliveries' gzip NDJSON bodies, made one at a time (at most DELIVERY_ROWS rows each), written line by
    line into the compressed body so the utility's side holds no more than that body."""
    _stored, daily_start, interval_start = starts
    per_household = INTERVALS if intervals else 1
    buffer, count = io.BytesIO(), 0
    body = gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=1)
    for household in range(1, households + 1):
        number, before, use = meter_number(household), register_before(household), daily_use(household)
        if intervals:
            register, step = before + use, use / INTERVALS  # from the daily file's value on
            for n in range(1, INTERVALS + 1):
                moment = interval_start + timedelta(minutes=15 * n - 1)  # 00:14 … 23:59
                body.write(json.dumps({"meter_number": number, "timestamp": moment.isoformat(),
                                       "register_kwh": round(register + step * n, 3),
                                       "interval_kwh": round(step, 4)}).encode() + b"\n")  # fmt: skip
        else:
            moment = daily_start + timedelta(hours=23, minutes=45)
            body.write(json.dumps({"meter_number": number, "timestamp": moment.isoformat(),
                                   "register_kwh": round(before + use, 3)}).encode() + b"\n")  # fmt: skip
        count += per_household
        if count + per_household > DELIVERY_ROWS or household == households:
            body.close()
            yield count, buffer.getvalue()
            buffer, count = io.BytesIO(), 0
            body = gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=1)


def _client_token(app) -> str:
    from app.extensions import db
    from clients import services as clients
    from connectors import demo

    with app.app_context():
        token = clients.issue_token(demo.utility_client(), 3600)
        db.session.commit()
    return token


def measure_bulk(database_url: str, households: int, intervals: bool) -> dict:
    """Deliver one day's file (in deliveries of at most 100,000 rows) through the endpoint; time and memory."""
    from sqlalchemy import func, select

    from app.extensions import db
    from challenges.models import Submission
    from connectors import services
    from connectors.models import MeterDay

    app = build_app(database_url)
    with app.app_context():
        days, starts = _days()
    scoring = [0.0]
    score = services._score

    def timed_score(*args):  # how much of the time the reading kind's scoring takes
        began = time.perf_counter()
        try:
            return score(*args)
        finally:
            scoring[0] += time.perf_counter() - began

    services._score = timed_score
    headers = {"Authorization": f"Bearer {_client_token(app)}", "Content-Type": "application/x-ndjson",
               "Content-Encoding": "gzip"}  # fmt: skip
    client = app.test_client()
    warm = client.post(URL, data=gzip.compress(b""), headers=headers)  # the first request's imports are not timed
    if warm.status_code != 200:
        raise RuntimeError(warm.get_data(as_text=True)[:2000])
    totals: dict[str, int] = {}
    rows = deliveries = 0
    making = 0.0
    began = time.perf_counter()
    bodies = _bodies(households, intervals, starts)
    while True:
        made = time.perf_counter()
        try:
            count, body = next(bodies)
        except StopIteration:
            break
        making += time.perf_counter() - made  # the utility's side: not the ingest's time
        answer = client.post(URL, data=body, headers=headers)
        if answer.status_code != 200:
            raise RuntimeError(answer.get_data(as_text=True)[:2000])
        report = answer.get_json()
        for name in ("accepted", "not_linked", "no_consent", "implausible", "duplicate", "malformed", "days_stored"):
            totals[name] = totals.get(name, 0) + report[name]
        rows += count
        deliveries += 1
    seconds = time.perf_counter() - began - making
    with app.app_context():
        day = days[2 if intervals else 1]
        stored = db.session.scalar(select(func.count()).select_from(MeterDay).where(MeterDay.day == day))
        paid = select(func.count()).select_from(Submission).where(Submission.source == SOURCE, Submission.points > 0)
        scored = db.session.scalar(paid)
    return {"rows": rows, "deliveries": deliveries, "seconds": seconds, "rows_per_second": rows / seconds,
            "ms_per_reading": seconds * 1000 / max(stored, 1), "scoring_seconds": scoring[0], "stored_days": stored,
            "scored_readings": scored,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, **totals}  # fmt: skip


def measure_single(database_url: str, challenge_id: int, residents: int = SINGLE) -> dict:
    """The same reading typed by residents, one request each, through the single-submission API."""
    from sqlalchemy import select

    from accounts import services as accounts
    from accounts.models import Role, User
    from app.extensions import db

    app = build_app(database_url)
    with app.app_context():
        users = db.session.scalars(select(User).where(User.role == Role.RESIDENT).order_by(User.id.desc())
                                   .limit(residents)).all()  # fmt: skip
        tokens = [(user.id, accounts.create_token(user, "connector benchmark")[1]) for user in users]
        db.session.commit()
    now = datetime.now(UTC).replace(microsecond=0)
    client = app.test_client()
    url = f"/api/v1/challenges/{challenge_id}/submissions"
    began = time.perf_counter()
    for user_id, secret in tokens:
        body = {"read_at": (now - timedelta(minutes=30)).isoformat(), "meter_kwh": register_before(user_id) + 40.0}
        answer = client.post(url, json=body, headers={"Authorization": f"Bearer {secret}"})
        if answer.status_code not in (200, 201):
            raise RuntimeError(answer.get_data(as_text=True)[:2000])
    seconds = time.perf_counter() - began
    return {"requests": len(tokens), "seconds": seconds, "ms_per_reading": seconds * 1000 / len(tokens),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}  # fmt: skip


def _row(result: dict) -> str:
    where = f"| {result['database']} | {result['households']:,} | {'yes' if result['enrolled'] else 'no'} "
    if result["file"] == "single":
        return (f"{where}| single API | {result['requests']} | {result['requests']} | {result['seconds']:.1f} | – | "
                f"{result['requests'] / result['seconds']:,.0f} | {result['ms_per_reading']:.2f} | "
                f"{result['peak_rss_mb']:.0f} | – |")  # fmt: skip
    return (f"{where}| {result['file']} | {result['rows']:,} | {result['deliveries']} | {result['seconds']:.1f} | "
            f"{result['scoring_seconds']:.1f} | {result['rows_per_second']:,.0f} | {result['ms_per_reading']:.2f} | "
            f"{result['peak_rss_mb']:.0f} | {result['accepted']:,} / {result['stored_days']:,} / "
            f"{result['scored_readings']:,} |")  # fmt: skip


def _ratios(results: list[dict]) -> list[str]:
    """The daily file's cost per reading against a single submission's, on the same database."""
    ratios = []
    for single in (result for result in results if result["file"] == "single"):
        for bulk in results:
            if bulk["file"] == "daily" and bulk["database"] == single["database"]:
                ratio = single["ms_per_reading"] / bulk["ms_per_reading"]
                scored = "scored" if bulk["enrolled"] else "not enrolled"
                shown = f"{ratio:.0f}" if ratio >= 10 else f"{ratio:.1f}"
                ratios.append(f"{bulk['database']}, {bulk['households']:,} households ({scored}): 1/{shown}")
    return ratios


def _write_report(results: list[dict]) -> None:
    load = os.getloadavg()
    lines = [
        "## Meter connector",
        "",
        f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `make bench` (`python -m bench.connectors`), on",
        f"{_machine()} (1, 5, 15 min: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}). The machine is shared with",
        "other sessions' work (2 cores, several test suites and benchmarks at once), so wall times are upper bounds.",
        "",
        "Every household has a linked meter, a consent to meter readings × challenge scoring and a stored value",
        "three days ago; in the *enrolled* city each household also takes part in a running energy challenge, so",
        "every delivered day is scored through the reading kind (same plausibility and review rules as a typed",
        "reading, paid through the ledger). *daily*: one row per household (the day's last register value);",
        "*15-minute*: the next day as 96 rows per household, reduced to one value per meter and day. Both are gzip",
        "NDJSON sent to POST /api/v1/connectors/meter-readings with a client-credentials token in deliveries of at",
        "most 100,000 rows (the endpoint's limit), through Flask's test client: the endpoint, the streaming parser,",
        "the link and consent lookups, the day's reduction, the insert and the scoring, each delivery committed as",
        "its request is. Making the files is not timed. *single*: the same reading typed through POST",
        f"/api/v1/challenges/<id>/submissions, one request per resident ({SINGLE} residents). Each run is its own",
        "process; peak memory is its maximum resident set (the app alone is about 150 MB).",
        "",
        "| database | households | enrolled | file | rows | deliveries | wall (s) | of which scoring (s) | rows/s | "
        "ms per stored reading | peak memory (MB) | accepted / stored days / with points |",
        "| --- | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        *(_row(result) for result in results),
    ]
    if ratios := _ratios(results):
        lines += ["", "Cost per reading of the daily file against a single submission: " + "; ".join(ratios) + "."]
    write_section("connectors", lines)


def _city(database: str, households: int, enrolled: bool) -> int:
    made = time.perf_counter()
    flags = ["--sizes", str(households), "--generate", DATABASES[database]] + ([] if enrolled else ["--not-enrolled"])
    challenge_id = json.loads(_run(["bench.connectors", *flags]))
    print(f"{database} {households}: city generated in {time.perf_counter() - made:.0f} s", flush=True)
    return challenge_id


def _measure(database: str, households: int, file: str, challenge_id: int, enrolled: bool) -> dict:
    args = ["bench.connectors", "--measure", DATABASES[database], str(households), file, str(challenge_id)]
    result = {"database": database, "households": households, "file": file, "enrolled": enrolled,
              **json.loads(_run(args))}  # fmt: skip
    print(json.dumps(result), flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark the utility's meter reading connector.")
    parser.add_argument("--databases", nargs="*", default=list(DATABASES), choices=list(DATABASES))
    parser.add_argument("--sizes", nargs="*", type=int, default=[10_000, 100_000],
                        help="households per city whose days are ingested (not enrolled in a challenge)")  # fmt: skip
    parser.add_argument("--scored", type=int, default=10_000,
                        help="households of a city where every household is enrolled: every day scored")  # fmt: skip
    parser.add_argument("--not-enrolled", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--generate", help=argparse.SUPPRESS)  # internal: generate into this URL
    parser.add_argument("--measure", nargs=4, help=argparse.SUPPRESS)  # internal: url, households, file, challenge
    args = parser.parse_args()
    if args.generate:
        app = build_app(args.generate)
        reset_schema(app)
        print(json.dumps(generate(app, args.sizes[0], enrolled=not args.not_enrolled)))
        return
    if args.measure:
        url, households, file, challenge_id = args.measure
        if file == "single":
            print(json.dumps(measure_single(url, int(challenge_id))))
        else:
            print(json.dumps(measure_bulk(url, int(households), file == "15-minute")))
        return
    results = []
    for database in args.databases:
        for households in args.sizes:
            challenge_id = _city(database, households, enrolled=False)
            for file in ("daily", "15-minute"):
                results.append(_measure(database, households, file, challenge_id, False))
                _write_report(results)  # after each run, so a long run's figures so far are never lost
        if args.scored:
            challenge_id = _city(database, args.scored, enrolled=True)
            for file in ("daily", "single"):
                results.append(_measure(database, args.scored, file, challenge_id, True))
                _write_report(results)


if __name__ == "__main__":
    main()
