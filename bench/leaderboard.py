"""Leaderboard benchmark: top 50 plus my rank, page and JSON, at growing city sizes.

    python -m bench.leaderboard                 # 1k, 10k and 100k participants on SQLite and PostgreSQL
    python -m bench.leaderboard --sizes 1000    # a quick run

For every size and database it generates a city (bench/city.py) in one process, then measures in a
fresh process, so the peak memory reported is that of serving alone. Requests go through the WSGI
app (Flask's test client): the leaderboard page and its JSON twin, each as a logged-in resident of
middling rank, and a trivial route in the same run, so the figures read as a ratio. Results are
written to docs/benchmarks.md.
"""

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.report import REPORT, write_section

SIZES = {1_000: 50_000, 10_000: 500_000, 100_000: 5_000_000}  # participants: submissions
DATABASES = {
    "sqlite": "sqlite:////tmp/civiquest-bench-{size}.db",
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/civiquest_bench",
}
ROOT = Path(__file__).resolve().parents[1]


def _timed(client, path: str, headers: dict, requests: int) -> dict:
    """Median and p95 latency in ms of `requests` GETs; every answer must be 200."""
    client.get(path, headers=headers)  # warm caches and compiled statements
    samples = []
    for _ in range(requests):
        began = time.perf_counter()
        response = client.get(path, headers=headers)
        samples.append((time.perf_counter() - began) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
    samples.sort()
    return {"median_ms": statistics.median(samples), "p95_ms": samples[int(len(samples) * 0.95) - 1]}


def measure(database_url: str, requests: int) -> dict:
    """Serve the generated city and time the three routes (run in its own process)."""
    from sqlalchemy import func, select

    from accounts import services as accounts
    from app.extensions import db
    from bench.city import PASSWORD, build_app
    from challenges.models import Challenge, Enrollment
    from leaderboards.models import Period, SeasonPoints

    app = build_app(database_url)
    with app.app_context():
        challenge_id = db.session.scalar(select(func.max(Challenge.id)))
        count = db.session.scalar(select(func.count(Enrollment.id)).where(Enrollment.challenge_id == challenge_id))
        # A resident in the middle of the ranking: their rank needs the most counting.
        middle = db.session.scalar(
            select(Enrollment).where(Enrollment.challenge_id == challenge_id).order_by(Enrollment.score.desc())
            .offset(count // 2).limit(1)
        )  # fmt: skip
        user = accounts.get_user(middle.user_id)
        email = user.email
        _token, secret = accounts.create_token(user, "benchmark")
        # The season board's viewer: in the middle of this week's ranking, so "my rank" has the most to count.
        week = (SeasonPoints.period == Period.WEEK, SeasonPoints.points > 0)
        ranked = db.session.scalar(select(func.count(SeasonPoints.id)).where(*week))
        season_user = accounts.get_user(
            db.session.scalar(
                select(SeasonPoints.user_id).where(*week).order_by(SeasonPoints.points.desc()).offset(ranked // 2)
                .limit(1)
            )
        )  # fmt: skip
        season_email = season_user.email
        _token, season_secret = accounts.create_token(season_user, "benchmark")
        db.session.commit()
    page_client, api_client, season_client = app.test_client(), app.test_client(), app.test_client()
    page_client.post("/login", data={"email": email, "password": PASSWORD})
    season_client.post("/login", data={"email": season_email, "password": PASSWORD})
    bearer = {"Authorization": f"Bearer {secret}"}
    season_bearer = {"Authorization": f"Bearer {season_secret}"}
    results = {
        "participants": count,
        "page": _timed(page_client, f"/challenges/{challenge_id}/leaderboard", {}, requests),
        "json": _timed(api_client, f"/api/v1/challenges/{challenge_id}/leaderboard?per_page=50", bearer, requests),
        # The season board this week (half the residents have points): top 50 and my rank among them.
        "season_page": _timed(season_client, "/leaderboards/season?window=week", {}, requests),
        "season_json": _timed(
            api_client, "/api/v1/leaderboards/season?window=week&per_page=50", season_bearer, requests
        ),
        # The team board (5,000 teams at 100,000 residents), per member, with the viewer's team marked.
        "team_page": _timed(page_client, f"/challenges/{challenge_id}/leaderboard/teams", {}, requests),
        "team_json": _timed(
            api_client, f"/api/v1/challenges/{challenge_id}/leaderboard/teams?per_page=50", bearer, requests
        ),
        "trivial": _timed(page_client, "/healthz", {}, requests),
    }
    results["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results["load"] = " / ".join(f"{value:.1f}" for value in os.getloadavg())
    return results


def _run(args: list[str]) -> str:
    completed = subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(completed.stderr[-3000:])
    return completed.stdout


def _machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "unknown CPU")
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory_gb:.0f} GiB, Python {platform.python_version()}, "
        f"{platform.system()}; load average {os.getloadavg()[0]:.1f} when the report was written"
    )


def _write_report(rows: list[tuple[str, int, int, dict]], requests: int) -> None:
    lines = [
        "## Leaderboard",
        "",
        f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `make bench` (`python -m bench.leaderboard`),",
        f"on {_machine()}.",
        "",
        f"Each figure is over {requests} requests through the WSGI app (Flask's test client, no network), as a",
        "logged-in resident ranked in the middle of the field. *Page* is `/challenges/<id>/leaderboard` (top 50",
        "plus my rank, rendered); *JSON* is `/api/v1/challenges/<id>/leaderboard?per_page=50` (with `me`);",
        "*season* is the season board this week, `/leaderboards/season?window=week` and its JSON twin (half the",
        "residents have points this week; the viewer is the one in the middle of the week's ranking).",
        "*teams* is the team board per member, `/challenges/<id>/leaderboard/teams` and its JSON twin (one team",
        "per 20 residents, 5,000 at 100,000, of skewed sizes; the viewer's team marked).",
        "*trivial* is `/healthz` (one `SELECT 1`), measured in the same run so the others read as a ratio.",
        "Peak memory is the serving process's maximum resident set, the city having been generated in another",
        "process. Targets: page and JSON under 50 ms median at 100,000 participants, and no more than twice the",
        "1,000-participant time.",
        "",
        "| database | participants | submissions | page median / p95 (ms) | JSON median / p95 (ms) "
        "| season page / JSON median (ms) | teams page / JSON median (ms) | trivial median (ms) | page ÷ trivial "
        "| peak memory (MB) | load average |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for database, participants, submissions, result in rows:
        page, api, trivial = result["page"], result["json"], result["trivial"]
        lines.append(
            f"| {database} | {participants:,} | {submissions:,} | {page['median_ms']:.1f} / {page['p95_ms']:.1f} "
            f"| {api['median_ms']:.1f} / {api['p95_ms']:.1f} "
            f"| {result['season_page']['median_ms']:.1f} / {result['season_json']['median_ms']:.1f} "
            f"| {result['team_page']['median_ms']:.1f} / {result['team_json']['median_ms']:.1f} "
            f"| {trivial['median_ms']:.2f} "
            f"| {page['median_ms'] / trivial['median_ms']:.1f} | {result['peak_rss_mb']:.0f} "
            f"| {result.get('load', '')} |"
        )
    lines += ["", "Regenerate with `make bench` (about a quarter of an hour for all sizes on this machine)."]
    write_section("leaderboard", lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark the leaderboard at growing city sizes.")
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    parser.add_argument("--databases", nargs="*", default=list(DATABASES), choices=list(DATABASES))
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # internal: measure this URL and print JSON
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.requests)))
        return
    rows = []
    for database in args.databases:
        for size in args.sizes:
            submissions = SIZES.get(size, size * 50)
            url = DATABASES[database].format(size=size)
            print(f"== {database}, {size:,} participants, {submissions:,} submissions", flush=True)
            _run(["bench.city", "--participants", str(size), "--submissions", str(submissions), "--database-url", url])
            result = json.loads(_run(["bench.leaderboard", "--measure", url, "--requests", str(args.requests)]))
            print(json.dumps(result), flush=True)
            rows.append((database, size, submissions, result))
    _write_report(rows, args.requests)
    print(f"written to {REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
