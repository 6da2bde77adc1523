"""Statistics benchmark: a staff export, weekly per neighbourhood over one year, of a big city.

    python -m bench.stats                                   # 100k residents, 5M submissions, both databases
    python -m bench.stats --residents 10000 --submissions 500000 --databases sqlite    # a quick run

A city is generated (bench/city.py's bulk paths) with one year of trips in a year-long challenge and
consents to "municipal statistics" for four residents in five; then, in a fresh process, the staff
export runs as the dashboard and API run it — figures aggregated in the database, suppression, the
data use log entry with its residents — and is written out as CSV and XLSX. Reported: wall time of
the export and peak memory of that process. Targets: under 10 s and under 300 MB.
Results go into their own section of docs/benchmarks.md.
"""

import argparse
import json
import random
import resource
import time
from datetime import UTC, date, datetime, timedelta

from bench.city import (
    PASSWORD,
    SUBMISSION_COLUMNS,
    _bulk,
    _people,
    _sync_sequences,
    _trip_counts,
    _vacuum,
    _Values,
    build_app,
    neighbourhood_of,
    reset_schema,
)
from bench.leaderboard import _machine, _run
from bench.report import write_section
from challenges.scoring import Mode, trip_impact

DAYS = 364  # 52 weeks
CONSENT_SHARE = 0.8
DATABASES = {
    "sqlite": "sqlite:////tmp/civiquest-stats-bench.db",
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/civiquest_bench",
}
ENROLLMENT_COLUMNS = ("id", "challenge_id", "user_id", "neighbourhood_id", "household_size", "active", "score",
                      "points", "joined_at")  # fmt: skip
CONSENT_COLUMNS = ("receipt_id", "user_id", "category_id", "purpose_id", "level", "duration_months", "method",
                   "granted_at", "expires_at")  # fmt: skip


def _year_of_trips(values, counts: list[int], challenge_id: int, start: datetime):
    """Each resident's trips spread over the whole year."""
    for enrollment_id, count in enumerate(counts, start=1):
        for n in range(count):
            offset = (enrollment_id * 7 + n * 3) % DAYS
            moment = start + timedelta(days=offset, hours=8)
            mode, distance, replaced = ("walk", "bike", "public_transport", "carpool")[n % 4], 1.0 + n % 17, n % 3 != 0
            yield (challenge_id, enrollment_id, enrollment_id, "trip", "accepted", values.day(moment.date()), mode,
                   distance, replaced, 1.0, 5, "api", values.moment(moment), neighbourhood_of(enrollment_id),
                   *trip_impact(Mode(mode), distance, replaced))  # fmt: skip


def generate(app, residents: int, submissions: int, seed: int = 1) -> tuple[date, date, int]:
    """A city with a year-long mobility challenge and consents; returns the first and last day, and a staff id."""
    import uuid

    from accounts import services as accounts
    from accounts.models import Role
    from app.extensions import db
    from challenges import authoring
    from challenges.scoring import Category, Format, Metric
    from sharing import defaults
    from sharing.models import DataCategory, Purpose

    rng = random.Random(seed)
    end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = end - timedelta(days=DAYS)
    with app.app_context():
        values = _Values(db.engine.dialect.name)
        with db.engine.begin() as connection:
            _people(connection, values, residents, start, rng)
        defaults.install_defaults()
        manager = accounts.create_user(email="bench-manager@bench.example.org", password=PASSWORD,
                                       pseudonym="Bench Manager", role=Role.MANAGER)  # fmt: skip
        staff = accounts.create_user(email="bench-staff@bench.example.org", password=PASSWORD,
                                     pseudonym="Bench Statistician", role=Role.STAFF)  # fmt: skip
        challenge = authoring.create_challenge(
            manager, title="A year on foot and by bike", description="Synthetic.", category=Category.MOBILITY,
            metric=Metric.CAR_KM_AVOIDED, format=Format.NEIGHBOURHOOD, starts_at=start,
            ends_at=end + timedelta(days=30), points_per_unit=1.0,
        )  # fmt: skip
        authoring.publish(challenge, now=start)
        db.session.commit()
        purpose_id = db.session.query(Purpose.id).filter_by(code="municipal_statistics").scalar()
        category_ids = [db.session.query(DataCategory.id).filter_by(code=code).scalar()
                        for code in ("trips", "household_profile")]  # fmt: skip
        counts = _trip_counts(rng, residents, submissions)
        enrollments = ((i, challenge.id, i, neighbourhood_of(i), 1 + i % 5, True, float(counts[i - 1]),
                        counts[i - 1], values.moment(start)) for i in range(1, residents + 1))  # fmt: skip
        granted, expires = values.moment(start - timedelta(days=1)), values.moment(end + timedelta(days=400))
        consents = ((str(uuid.UUID(int=rng.getrandbits(128))), i, category, purpose_id, "neighbourhood", 12, "web",
                     granted, expires)
                    for i in range(1, residents + 1) if rng.random() < CONSENT_SHARE
                    for category in category_ids)  # fmt: skip
        with db.engine.begin() as connection:
            _bulk(connection, "enrollment", ENROLLMENT_COLUMNS, enrollments)
            _bulk(connection, "submission", SUBMISSION_COLUMNS, _year_of_trips(values, counts, challenge.id, start))
            _bulk(connection, "consent", CONSENT_COLUMNS, consents)
            _sync_sequences(connection)
        # Record keys of the cell key method are part of the city; the first export would draw them otherwise.
        from stats.cellkey import ensure_record_keys

        ensure_record_keys()
        db.session.commit()
        staff_id = staff.id
        db.session.remove()
        _vacuum()
    return start.date(), (end - timedelta(days=1)).date(), staff_id


def measure(database_url: str, start: date, end: date, staff_id: int) -> dict:
    """Run the staff export once (in its own process) and report its time and the process's peak memory."""
    from app.extensions import db
    from sharing.models import Level
    from stats import exports, services
    from stats.figures import Filters
    from stats.periods import Granularity

    app = build_app(database_url)
    with app.test_request_context():
        from accounts.models import User

        staff = db.session.get(User, staff_id)
        filters = Filters(start=start, end=end, granularity=Granularity.WEEK, level=Level.NEIGHBOURHOOD)
        began = time.perf_counter()
        release = services.export(filters, staff, description="benchmark")
        csv_bytes = sum(len(line) for line in exports.csv_lines(release))
        xlsx_bytes = len(exports.xlsx_bytes(release))
        db.session.commit()
        elapsed = time.perf_counter() - began
        return {
            "seconds": elapsed,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "residents_included": release.residents_included,
            "residents_excluded": release.residents_excluded,
            "csv_kb": csv_bytes / 1024,
            "xlsx_kb": xlsx_bytes / 1024,
            "cells_suppressed": release.suppressed_count,
        }


def _summary(runs: list[dict]) -> dict:
    """The median run's figures, with every run's time and the highest peak memory."""
    median = sorted(runs, key=lambda run: run["seconds"])[len(runs) // 2]
    return median | {"all_seconds": [run["seconds"] for run in runs],
                     "peak_rss_mb": max(run["peak_rss_mb"] for run in runs)}  # fmt: skip


def _count(number: int | None) -> str:
    return "–" if number is None else f"{number:,}"


def _write_report(rows: list[tuple[str, int, int, dict]]) -> None:
    lines = [
        "## Statistics export",
        "",
        f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `make bench` (`python -m bench.stats`), on {_machine()}.",
        "",
        "A staff export of one year, weekly, per neighbourhood (12 neighbourhoods × 52 weeks × 10 measures, with",
        "totals), over a synthetic city whose residents' trips are spread over the year and four in five of whom",
        "consented to municipal statistics. Timed: figures aggregated in the database (with their cell keys),",
        "small-cell suppression, cell-key perturbation, the data use log entry (with every included resident),",
        "then the CSV and the XLSX written out. Peak",
        "memory is the export process's maximum resident set (the city was generated in another process).",
        "Each export runs in a fresh process; the time is the median of the runs (all runs in brackets).",
        "Targets: under 10 s and under 300 MB.",
        "",
        "| database | residents | submissions | export time (s) | peak memory (MB) | included / left out |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for database, residents, submissions, result in rows:
        every = ", ".join(f"{seconds:.1f}" for seconds in result["all_seconds"])
        lines.append(
            f"| {database} | {residents:,} | {submissions:,} | {result['seconds']:.1f} ({every}) "
            f"| {result['peak_rss_mb']:.0f} | {_count(result['residents_included'])} / "
            f"{_count(result['residents_excluded'])} |"
        )
    write_section("stats", lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark the staff statistics export.")
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--submissions", type=int, default=5_000_000)
    parser.add_argument("--databases", nargs="*", default=list(DATABASES), choices=list(DATABASES))
    parser.add_argument("--runs", type=int, default=3, help="exports timed on each city (the median is reported)")
    parser.add_argument("--generate", help=argparse.SUPPRESS)  # internal: generate into this URL
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # internal: measure on this URL
    parser.add_argument("--period", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        app = build_app(args.generate)
        reset_schema(app)
        start, end, staff_id = generate(app, args.residents, args.submissions)
        print(json.dumps([start.isoformat(), end.isoformat(), staff_id]))
        return
    if args.measure:
        start, end, staff_id = args.period
        print(json.dumps(measure(args.measure, date.fromisoformat(start), date.fromisoformat(end), int(staff_id))))
        return
    rows = []
    for database in args.databases:
        url = DATABASES[database]
        sizes = ["--residents", str(args.residents), "--submissions", str(args.submissions)]
        period = json.loads(_run(["bench.stats", *sizes, "--generate", url]))
        runs = [json.loads(_run(["bench.stats", "--measure", url, "--period", *map(str, period)]))
                for _ in range(args.runs)]  # fmt: skip
        result = _summary(runs)
        print(database, json.dumps(result))
        rows.append((database, args.residents, args.submissions, result))
    _write_report(rows)


if __name__ == "__main__":
    main()
