"""Ingest benchmark: submissions per second under gunicorn, against the trivial route, then a check that
nothing was lost, doubled or miscounted.

    python -m bench.ingest                         # SQLite and PostgreSQL, 16 connections, 30 s each
    python -m bench.ingest --databases sqlite --seconds 10

For each database it generates a small city (bench/city.py: one running mobility challenge every
resident takes part in), repairs the generator's approximate season points with the scores check so
the city starts without drift, gives every resident an API token, and starts gunicorn (2 workers,
4 threads each) on loopback. A bounded load generator then runs: 16 keep-alive connections, each a
thread of its own, first only `/healthz` for a third of the time (the trivial route's throughput),
then for the full time alternating a trip submission (a different resident each time, a new
Idempotency-Key each time) and `/healthz`. Afterwards, in this process: every 2xx answer is stored
exactly once under its key, every submission's ledger entries add up to its points, and the scores
check finds no total that differs from its sum. Results go to docs/benchmarks.md.
"""

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.report import REPORT, write_section

DATABASES = {
    "sqlite": "sqlite:////tmp/civiquest-bench-ingest.db",
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/civiquest_bench",
}
ROOT = Path(__file__).resolve().parents[1]
PORT = 5187
KEY_PREFIX = "bench-ingest-"
MODES = ("bike", "walk", "public_transport", "carpool")


def wsgi():
    """The app gunicorn serves (`bench.ingest:wsgi()`), on the database named in the environment."""
    from bench.city import build_app

    return build_app(os.environ["CIVIQUEST_BENCH_DATABASE_URL"])


def prepare(database_url: str, residents: int) -> tuple[int, list[str], str]:
    """A fresh city without drift and one API token per resident; (challenge id, token secrets, today)."""
    from sqlalchemy import select

    from accounts import services as accounts
    from accounts.models import Role, User
    from app import reconciliation
    from app.clock import local_date
    from app.extensions import db
    from bench.city import build_app, generate, reset_schema

    app = build_app(database_url)
    reset_schema(app)
    challenge_id = generate(app, residents, residents * 10)
    with app.app_context():
        reconciliation.run(fix=True)  # the generator's season points are approximate; the board is not measured here
        db.session.commit()
        secrets = []
        for user in db.session.scalars(select(User).where(User.role == Role.RESIDENT).order_by(User.id)):
            secrets.append(accounts.create_token(user, "ingest benchmark")[1])
        db.session.commit()
        db.engine.dispose()
        today = local_date(datetime.now(UTC)).isoformat()
    return challenge_id, secrets, today


class Load:
    """One connection's requests and what came back, kept per thread and merged at the end."""

    def __init__(self):
        self.health, self.submissions, self.stored, self.failed = [], [], {}, []


def _request(connection, method: str, path: str, body=None, headers=None) -> tuple[int, bytes, float]:
    began = time.perf_counter()
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    data = response.read()
    return response.status, data, (time.perf_counter() - began) * 1000


def _run_connection(number: int, stop: float, load: Load, challenge_id: int, secrets: list[str], day: str,
                    submit: bool) -> None:  # fmt: skip
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    sent = 0
    while time.perf_counter() < stop:
        if submit:
            secret = secrets[(number + sent * 16) % len(secrets)]  # a different resident each time
            key = f"{KEY_PREFIX}{number}-{sent}"
            minute = (number * 97 + sent) % 1440
            trip = {"day": day, "mode": MODES[sent % len(MODES)], "distance_km": 1 + (sent % 30) / 10,
                    "replaced_car": True, "trip_time": f"{minute // 60:02d}:{minute % 60:02d}"}  # fmt: skip
            headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": key,
                       "Content-Type": "application/json"}  # fmt: skip
            status, data, ms = _request(
                connection, "POST", f"/api/v1/challenges/{challenge_id}/submissions", json.dumps(trip), headers
            )
            sent += 1
            if 200 <= status < 300:
                load.submissions.append(ms)
                load.stored[key] = json.loads(data)["id"]
            else:
                load.failed.append((status, data[:200]))
        status, _data, ms = _request(connection, "GET", "/healthz")
        if status == 200:
            load.health.append(ms)
        else:
            load.failed.append((status, b"/healthz"))
    connection.close()


def drive(connections: int, seconds: float, challenge_id: int, secrets: list[str], day: str, submit: bool) -> Load:
    """`connections` threads for `seconds`; returns everything they measured, merged."""
    loads = [Load() for _ in range(connections)]
    stop = time.perf_counter() + seconds
    threads = [
        threading.Thread(target=_run_connection, args=(n, stop, loads[n], challenge_id, secrets, day, submit))
        for n in range(connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    merged = Load()
    for load in loads:
        merged.health += load.health
        merged.submissions += load.submissions
        merged.stored.update(load.stored)
        merged.failed += load.failed
    return merged


def verify(database_url: str, stored: dict[str, int]) -> dict:
    """Every 2xx stored exactly once under its key; ledger equal to points; no total differs from its sum."""
    from sqlalchemy import func, select

    from app import reconciliation
    from app.extensions import db
    from bench.city import build_app
    from challenges.models import Submission
    from rewards.models import LedgerEntry

    app = build_app(database_url)
    with app.app_context():
        rows = db.session.execute(
            select(Submission.idempotency_key, Submission.id).where(Submission.idempotency_key.like(f"{KEY_PREFIX}%"))
        ).all()
        kept = {key: ident for key, ident in rows}
        ledger = (
            select(LedgerEntry.source_id, func.sum(LedgerEntry.amount).label("amount"))
            .where(LedgerEntry.source_type == "submission").group_by(LedgerEntry.source_id).subquery()
        )  # fmt: skip
        unequal = db.session.scalar(
            select(func.count())
            .select_from(Submission)
            .outerjoin(ledger, ledger.c.source_id == Submission.id)
            .where(Submission.idempotency_key.like(f"{KEY_PREFIX}%"))
            .where(func.coalesce(ledger.c.amount, 0) != Submission.points)
        )
        differences = reconciliation.run()
        db.session.rollback()
        db.engine.dispose()
    return {
        "stored_rows": len(rows),
        "answered_2xx": len(stored),
        "stored_once": kept == stored and len(rows) == len(stored),
        "ledger_unequal": unequal,
        "drift": len(differences),
    }


def _wait_for_port(seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", PORT)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else float("nan")


def run(database: str, residents: int, connections: int, seconds: float) -> dict:
    """Prepare, serve, drive and verify one database; returns the figures for the report."""
    url = DATABASES[database]
    challenge_id, secrets, day = prepare(url, residents)
    environment = {**os.environ, "CIVIQUEST_BENCH_DATABASE_URL": url}
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen(
        [str(gunicorn), "--workers", "2", "--threads", "4", "--bind", f"127.0.0.1:{PORT}", "--log-level", "warning",
         "bench.ingest:wsgi()"],
        cwd=ROOT, env=environment,
    )  # fmt: skip
    try:
        _wait_for_port()
        drive(connections, 2, challenge_id, secrets, day, submit=False)  # warm both workers
        health_only = drive(connections, seconds / 3, challenge_id, secrets, day, submit=False)
        load_average = os.getloadavg()
        mixed = drive(connections, seconds, challenge_id, secrets, day, submit=True)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    checks = verify(url, mixed.stored)
    health_rate = len(health_only.health) / (seconds / 3)
    submission_rate = len(mixed.submissions) / seconds
    return {
        "database": database,
        "residents": residents,
        "submissions_per_s": submission_rate,
        "submission_p50_ms": statistics.median(mixed.submissions) if mixed.submissions else float("nan"),
        "submission_p99_ms": _percentile(mixed.submissions, 0.99),
        "health_per_s": health_rate,
        "health_mixed_per_s": len(mixed.health) / seconds,
        "health_p50_ms": statistics.median(health_only.health),
        "ratio": submission_rate / health_rate if health_rate else float("nan"),
        "refused": len(mixed.failed),
        "refusals": sorted({f"{status}" for status, _body in mixed.failed}),
        "load_average": load_average,
        **checks,
    }


def _write_report(results: list[dict], connections: int, seconds: float) -> None:
    lines = [
        "## Submission ingest",
        "",
        f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `make bench` (`python -m bench.ingest`), gunicorn with",
        f"2 workers × 4 threads on loopback, {connections} keep-alive connections. `/healthz` alone for",
        f"{seconds / 3:.0f} s gives the trivial route's throughput; then for {seconds:.0f} s each connection",
        "alternates a trip submission (a different resident's token each time, a new Idempotency-Key) and `/healthz`.",
        "Afterwards every 2xx must be stored exactly once under its key, each submission's ledger entries",
        "must add up to its points, and `flask scores check` must find no drift. Target: submissions/s at",
        "least 20 % of `/healthz` alone. The load average (1/5/15 min) is the machine's as the load began:",
        "it is shared with other developers' test runs, so figures move between runs.",
        "",
        "| database | residents | submissions/s | p50 / p99 (ms) | /healthz alone /s | ÷ /healthz "
        "| /healthz mixed /s | stored once | ledger ≠ points | drift | refused | load average |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        load = " / ".join(f"{value:.1f}" for value in r["load_average"])
        lines.append(
            f"| {r['database']} | {r['residents']:,} | {r['submissions_per_s']:.1f} "
            f"| {r['submission_p50_ms']:.0f} / {r['submission_p99_ms']:.0f} | {r['health_per_s']:.0f} "
            f"| {100 * r['ratio']:.0f} % | {r['health_mixed_per_s']:.0f} | {'yes' if r['stored_once'] else 'NO'} "
            f"| {r['ledger_unequal']} | {r['drift']} | {r['refused']} | {load} |"
        )
    write_section("ingest", lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark submission ingest under gunicorn.")
    parser.add_argument("--databases", nargs="*", default=list(DATABASES), choices=list(DATABASES))
    parser.add_argument("--residents", type=int, default=2_000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--no-report", action="store_true", help="print the figures, leave docs/benchmarks.md")
    args = parser.parse_args()
    results = []
    for database in args.databases:
        print(f"== {database}: {args.residents:,} residents, {args.connections} connections, {args.seconds:.0f} s",
              flush=True)  # fmt: skip
        result = run(database, args.residents, args.connections, args.seconds)
        print(json.dumps(result), flush=True)
        results.append(result)
    if not args.no_report:
        _write_report(results, args.connections, args.seconds)
        print(f"written to {REPORT.relative_to(ROOT)}")
    if not all(r["stored_once"] and r["ledger_unequal"] == 0 and r["drift"] == 0 for r in results):
        sys.exit("ingest benchmark: something was lost, doubled or miscounted (see above)")


if __name__ == "__main__":
    main()
