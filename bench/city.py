"""Generate a synthetic city of a chosen size straight into a database, fast.

    python -m bench.city --participants 100000 --submissions 5000000 --database-url sqlite:////tmp/city.db

Rows go in through the driver's bulk paths (executemany on SQLite, COPY on PostgreSQL); then the
incrementally kept totals (neighbourhood totals, participant count, the leaderboard's score
histogram) are set to exactly what the enrollments add up to, as the services would have left them.
"""

import argparse
import random
import time
from datetime import UTC, datetime, timedelta

import flask_migrate
from sqlalchemy import text

from accounts import services as accounts
from accounts.models import Role
from accounts.passwords import hash_password
from app import create_app
from app.clock import local_date
from app.extensions import db
from challenges import authoring
from challenges.scoring import Category, Format, Metric, Mode, trip_impact
from leaderboards import histogram
from leaderboards.models import Period
from leaderboards.services import period_start

NEIGHBOURHOODS = 12
RESIDENTS_PER_TEAM = 20  # 5,000 teams in the 100,000-resident city
CHUNK = 50_000
DAYS = 28
PASSWORD = "bench-password"
MODES = ("walk", "bike", "public_transport", "carpool")
USER_COLUMNS = (
    "id", "email", "password_hash", "pseudonym", "role", "neighbourhood_id", "household_size", "language",
    "text_scale", "line_spacing", "letter_spacing", "high_contrast", "leaderboard_visible", "active", "created_at",
)  # fmt: skip
ENROLLMENT_COLUMNS = (
    "id", "challenge_id", "user_id", "neighbourhood_id", "household_size", "active", "score", "points", "joined_at",
)  # fmt: skip
SUBMISSION_COLUMNS = (
    "challenge_id", "enrollment_id", "user_id", "kind", "status", "day", "mode", "distance_km", "replaced_car",
    "units", "points", "source", "created_at", "neighbourhood_id", "kwh_saved", "car_km_avoided", "co2_kg_avoided",
)  # fmt: skip


def build_app(database_url: str):
    """The app on the benchmark database, with cheap hashing and no scheduler."""
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SCHEDULER_MODE": "off",
            "RATELIMIT_ENABLED": False,
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 1024,
            "ARGON2_PARALLELISM": 1,
            "WTF_CSRF_ENABLED": False,  # the harness logs in with a plain POST
        }
    )


def reset_schema(app) -> None:
    """Start from an empty database built by the migrations."""
    with app.app_context():
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        if db.engine.dialect.name == "sqlite":
            db.drop_all()
            with db.engine.begin() as connection:
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        flask_migrate.upgrade()


def _bulk(connection, table: str, columns, rows) -> None:
    """Insert an iterable of tuples through the fastest path the driver offers."""
    raw = connection.connection.driver_connection
    names = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    statement = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' for _ in columns)})"
    cursor, batch = raw.cursor(), []
    for row in rows:
        batch.append(row)
        if len(batch) >= CHUNK:
            cursor.executemany(statement, batch)
            batch.clear()
    cursor.executemany(statement, batch)


class _Values:
    """Turns Python values into what each driver's bulk path expects."""

    def __init__(self, dialect: str):
        self.sqlite = dialect == "sqlite"

    def moment(self, value: datetime):
        # SQLite keeps naive UTC text (see app.columns.UTCDateTime); COPY takes timestamptz.
        return value.replace(tzinfo=None).isoformat(sep=" ") if self.sqlite else value

    def day(self, value):
        return value.isoformat() if self.sqlite else value


def _people(connection, values: _Values, participants: int, now: datetime, rng) -> None:
    password_hash = hash_password(PASSWORD)
    places = ((i, f"Quarter {i}", rng.randint(300, 4000), values.moment(now)) for i in range(1, NEIGHBOURHOODS + 1))
    _bulk(connection, "neighbourhood", ("id", "name", "households", "created_at"), places)
    # Every twentieth resident hides from public listings, as some real residents will.
    residents = (
        (i, f"bench{i}@bench.example.org", password_hash, f"Runner {i}", "resident", 1 + i % NEIGHBOURHOODS,
         1 + i % 5, "en", 100, "normal", "normal", False, i % 20 != 0, True, values.moment(now))
        for i in range(1, participants + 1)
    )  # fmt: skip
    _bulk(connection, "user_account", USER_COLUMNS, residents)
    _sync_sequences(connection)


def _trip_counts(rng, participants: int, submissions: int) -> list[int]:
    """A skewed spread: a few very keen residents, many occasional ones, and many ties."""
    weights = [rng.paretovariate(1.2) for _ in range(participants)]
    scale = submissions / sum(weights)
    counts = [int(weight * scale) for weight in weights]
    counts[0] += submissions - sum(counts)
    return counts


def neighbourhood_of(enrollment_id: int) -> int:
    """The generated cities put enrollment i (of resident i) in neighbourhood 1 + i mod NEIGHBOURHOODS."""
    return 1 + enrollment_id % NEIGHBOURHOODS


def _submission_rows(values: _Values, counts: list[int], challenge_id: int, start: datetime):
    created = values.moment(start)
    for enrollment_id, count in enumerate(counts, start=1):
        for n in range(count):
            day = values.day((start + timedelta(days=n % DAYS)).date())
            mode, distance = MODES[n % len(MODES)], 1.0 + n % 17
            yield (challenge_id, enrollment_id, enrollment_id, "trip", "accepted", day, mode, distance, True,
                   1.0, 5, "api", created, neighbourhood_of(enrollment_id),
                   *trip_impact(Mode(mode), distance, True))  # fmt: skip


def generate(app, participants: int, submissions: int, seed: int = 1) -> int:
    """Fill the database with one running challenge; returns its id."""
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(days=DAYS)
    with app.app_context():
        values = _Values(db.engine.dialect.name)
        with db.engine.begin() as connection:
            _people(connection, values, participants, now, rng)
        manager = accounts.create_user(
            email="bench-manager@bench.example.org", password=PASSWORD, pseudonym="Bench Manager", role=Role.MANAGER
        )
        challenge = authoring.create_challenge(
            manager, title="Benchmark Bike Weeks", description="A synthetic challenge.", category=Category.MOBILITY,
            metric=Metric.SUSTAINABLE_TRIPS, format=Format.NEIGHBOURHOOD, starts_at=start,
            ends_at=now + timedelta(days=DAYS), points_per_unit=5.0,
        )  # fmt: skip
        authoring.publish(challenge, now=start)
        db.session.commit()
        challenge_id = challenge.id
        counts = _trip_counts(rng, participants, submissions)
        enrollments = (
            (i, challenge_id, i, neighbourhood_of(i), 1 + i % 5, True, float(counts[i - 1]), 5 * counts[i - 1],
             values.moment(start))
            for i in range(1, participants + 1)
        )  # fmt: skip
        with db.engine.begin() as connection:
            _bulk(connection, "enrollment", ENROLLMENT_COLUMNS, enrollments)
            _bulk(connection, "submission", SUBMISSION_COLUMNS, _submission_rows(values, counts, challenge_id, start))
            _season_points(connection, counts, now)
            _teams(connection, values, participants, now, rng)
            _settle_totals(connection, challenge_id)
        histogram.rebuild(challenge_id)
        for period in Period:  # the season board's histograms, as add_season_points keeps them
            histogram.season_rebuild(period, period_start(period, local_date(now)))
        db.session.commit()
        db.session.remove()  # an open transaction would keep VACUUM from marking the new rows visible
        _vacuum()
    return challenge_id


def _season_points(connection, counts: list[int], now: datetime) -> None:
    """The season board's rows, as the ledger's receivers would have kept them: every resident's points this
    week (half of them have some), this month and all time, with the head counts the board reads."""
    today = local_date(now)
    windows = {
        Period.WEEK: [5 * count if i % 2 else 0 for i, count in enumerate(counts)],
        Period.MONTH: [5 * count for count in counts],
        Period.ALL: [5 * count for count in counts],
    }
    ident = 0
    for period, points in windows.items():
        start = period_start(period, today)
        rows = []
        for user_id, value in enumerate(points, start=1):
            if value > 0:
                ident += 1
                rows.append((ident, user_id, period.value, start, value))
        _bulk(connection, "season_points", ("id", "user_id", "period", "period_start", "points"), rows)
        _bulk(connection, "season_period", ("period", "period_start", "participants"),
              [(period.value, start, len(rows))])  # fmt: skip


def _teams(connection, values: _Values, participants: int, now: datetime, rng) -> None:
    """participants / 20 approved teams of skewed sizes (a few large companies, many families and classes, some
    under the 3 members a team needs to be ranked); nine residents in ten are in one."""
    count = max(1, participants // RESIDENTS_PER_TEAM)
    kinds = ("school", "company", "club", "family", "friends", "other")
    rows = ((i, f"Team {i}", kinds[i % len(kinds)], "approved", False, f"B{i:07d}", values.moment(now))
            for i in range(1, count + 1))  # fmt: skip
    _bulk(connection, "team", ("id", "name", "kind", "status", "is_open", "invite_code", "created_at"), rows)
    members, captains = [], set()
    for user_id in range(1, participants + 1):
        if user_id % 10 == 0:
            continue
        team_id = 1 + int(count * rng.random() ** 2)  # skewed: low ids are the big teams
        members.append((user_id, team_id, user_id, "member", team_id not in captains, False, values.moment(now)))
        captains.add(team_id)
    columns = ("id", "team_id", "user_id", "state", "is_captain", "shows_contribution", "joined_at")
    _bulk(connection, "team_member", columns, members)


def _vacuum() -> None:
    """Leave the database as a running city's would be after the bulk load.

    PostgreSQL: set the visibility map, as autovacuum soon would, so that counting ranks can use
    index-only scans. SQLite: move the load out of the write-ahead log into the database file, as its
    automatic checkpoints do every thousand pages in normal use (one bulk transaction left a WAL of
    about 1 GB, which every read then had to consult).
    """
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def _settle_totals(connection, challenge_id: int) -> None:
    """Set the kept totals to exactly what the enrollments add up to, then refresh statistics."""
    connection.execute(
        text(
            "INSERT INTO neighbourhood_score (challenge_id, neighbourhood_id, total_units, participants) "
            "SELECT challenge_id, neighbourhood_id, SUM(score), COUNT(*) FROM enrollment "
            "WHERE challenge_id = :c AND active GROUP BY challenge_id, neighbourhood_id"
        ),
        {"c": challenge_id},
    )
    connection.execute(
        text(
            "INSERT INTO team_score (challenge_id, team_id, total_units, members, per_member) "
            "SELECT e.challenge_id, m.team_id, SUM(e.score), COUNT(*), SUM(e.score) / COUNT(*) FROM enrollment e "
            "JOIN team_member m ON m.user_id = e.user_id "
            "WHERE e.challenge_id = :c AND e.active GROUP BY e.challenge_id, m.team_id"
        ),
        {"c": challenge_id},
    )
    connection.execute(
        text(
            "UPDATE challenge SET ranks_teams = true, "
            "participant_count = (SELECT COUNT(*) FROM enrollment WHERE challenge_id = :c AND active), "
            "total_units = (SELECT COALESCE(SUM(score), 0) FROM enrollment WHERE challenge_id = :c AND active) "
            "WHERE id = :c"
        ),
        {"c": challenge_id},
    )
    _sync_sequences(connection)
    connection.execute(text("ANALYZE"))


def _sync_sequences(connection) -> None:
    """After inserting explicit ids, move PostgreSQL's id sequences past them."""
    if connection.dialect.name != "postgresql":
        return
    for table in ("user_account", "enrollment", "submission", "neighbourhood", "season_points", "team", "team_member",
                  "team_score"):  # fmt: skip
        connection.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))")
        )


def main() -> None:
    parser = argparse.ArgumentParser(description="Generate a synthetic Civiquest city.")
    parser.add_argument("--participants", type=int, default=1_000)
    parser.add_argument("--submissions", type=int, default=20_000)
    parser.add_argument("--database-url", default="sqlite:////tmp/civiquest-bench.db")
    args = parser.parse_args()
    app = build_app(args.database_url)
    began = time.perf_counter()
    reset_schema(app)
    challenge_id = generate(app, args.participants, args.submissions)
    elapsed = time.perf_counter() - began
    print(
        f"challenge {challenge_id}: {args.participants} participants, {args.submissions} submissions, {elapsed:.1f} s"
    )


if __name__ == "__main__":
    main()
