"""The resident's rights: download everything Civiquest holds about me, and delete my account.

The export holds only the resident's own data: where a record names someone else (the manager who
reviewed a reading or helped at the service desk, the staff member who ran a data use, the partner
who validated a voucher), that name is left out and only the fact and its time stay.

Deleting an account erases what identifies the person and their raw data, and keeps what
aggregates need, attached to the anonymised account: enrollments of closed challenges (their
totals and final ranks stay as they were), ledger entries (sums stay right), vouchers (partners'
and the catalogue's counts), consents (ended) and data-use links, so the log's counts stay true.
"""

import io
import json
import secrets
import zipfile
from datetime import date, datetime, time
from enum import Enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from accounts import services as accounts
from accounts.errors import AccountError
from accounts.models import AccessToken, Role, User
from accounts.passwords import unusable_password, verify_password
from app.clock import local_date
from app.columns import utcnow
from app.extensions import db
from app.spreadsheets import csv_lines
from challenges import participation
from challenges.models import AssistedAction, Challenge, Enrollment, Status, Submission
from leaderboards.models import RankSnapshot, SeasonPeriod, SeasonPoints
from notifications.models import Notification, NotificationPreference
from notifications.services import notifications_of
from rewards import display, ledger
from rewards.models import BadgeAward, Voucher
from sharing import receipts, services, uses
from sharing.models import AccountDeletion, Consent, EndReason

RUNNING = (Status.SCHEDULED, Status.ACTIVE)


# Errors ---------------------------------------------------------------------------------------


class WrongPassword(AccountError):
    field = "password"
    message = _l("This password is not correct.")


class WrongCode(AccountError):
    field = "code"
    message = _l("This log-in code is not correct. Use the code on your sheet from the service desk.")


class NotResidentAccount(AccountError):
    message = _l("Only residents can delete their account here. Please ask an admin.")


# Download my data -----------------------------------------------------------------------------

SUBMISSION_FIELDS = (
    "id", "challenge_id", "challenge", "kind", "status", "read_at", "meter_kwh", "day", "trip_time", "mode",
    "distance_km", "replaced_car", "consumed_kwh", "units", "points", "flag_reason", "review_reason", "reviewed_at",
    "source", "created_at",
)  # fmt: skip
ENROLLMENT_FIELDS = (
    "id", "challenge_id", "challenge", "joined_at", "left_at", "active", "neighbourhood", "household_size",
    "baseline_kwh_per_day", "baseline_source", "score", "points", "final_rank", "joined_at_service_desk",
)  # fmt: skip
README_FILES = (
    ("profile.json", _l("Your profile: email address, pseudonym, neighbourhood, household size, language, display "
                        "settings, how you log in, and the names and dates of your access tokens (never their "
                        "secrets).")),
    ("enrollments.json, enrollments.csv", _l("The challenges you joined, your baseline, score, points and final "
                                             "rank; the JSON file adds your daily rank history.")),
    ("submissions.json, submissions.csv", _l("Every meter reading and trip you sent, and what it counted for. "
                                             "Readings and trips older than the retention period are deleted.")),
    ("ledger.csv", _l("Every entry of your points ledger: date (UTC), kind, amount, reason and source.")),
    ("vouchers.json", _l("The vouchers you redeemed points for, with their status.")),
    ("badges.json", _l("The badges you earned.")),
    ("season_points.json", _l("Your points per week, month and all time, as the season leaderboard counts them.")),
    ("consents.json", _l("Every consent you gave, changed or withdrew, each with its consent receipt (Kantara "
                         "Consent Receipt v1.1).")),
    ("data_uses.json", _l("Every time your data was used: when, by which organisation, for what purpose, at what "
                          "level, and how many residents' data it used.")),
    ("notifications.json", _l("The notifications Civiquest sent you.")),
    ("notification_settings.json", _l("How you want each kind of news: in the app, also by email, or not at all.")),
    ("service_desk.json", _l("What was done for you at a service desk (the staff member's name is left out).")),
)  # fmt: skip


def _plain(value):
    """A value as JSON and CSV write it: moments and days in ISO 8601 (UTC), enums by their value."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _json(data) -> str:
    return json.dumps(data, default=_plain, ensure_ascii=False, indent=2)


def _csv(fields: tuple[str, ...], rows: list[dict]) -> str:
    cells = ([_blank_if_none(_plain(row[name])) for name in fields] for row in rows)
    return "".join(csv_lines(fields, cells))


def _blank_if_none(value):
    return "" if value is None else value


def _profile(user: User) -> dict:
    tokens = db.session.scalars(select(AccessToken).where(AccessToken.user_id == user.id).order_by(AccessToken.id))
    return {
        "resident_id": f"civiquest-resident-{user.id}",  # as the consent receipts name you
        "email": user.email, "pseudonym": user.pseudonym,
        "role": user.role, "neighbourhood": user.neighbourhood.name if user.neighbourhood else None,
        "household_size": user.household_size, "language": user.language,
        "leaderboard_visible": user.leaderboard_visible,
        "display": {"text_scale": user.text_scale, "line_spacing": user.line_spacing,
                    "letter_spacing": user.letter_spacing, "high_contrast": user.high_contrast},
        "logs_in_with": "password" if user.has_password else "log-in code",
        "login_code_issued_at": user.login_code_issued_at, "created_at": user.created_at,
        "last_login_at": user.last_login_at,
        "access_tokens": [{"name": t.name, "created_at": t.created_at, "last_used_at": t.last_used_at,
                           "revoked_at": t.revoked_at} for t in tokens],
    }  # fmt: skip


def _enrollments(user: User) -> list[dict]:
    rows = db.session.scalars(select(Enrollment).where(Enrollment.user_id == user.id).order_by(Enrollment.id))
    return [
        {"id": e.id, "challenge_id": e.challenge_id, "challenge": e.challenge.title, "joined_at": e.joined_at,
         "left_at": e.left_at, "active": e.active, "neighbourhood": e.neighbourhood.name if e.neighbourhood else None,
         "household_size": e.household_size, "baseline_kwh_per_day": e.baseline_kwh_per_day,
         "baseline_source": e.baseline_source, "score": e.score, "points": e.points, "final_rank": e.final_rank,
         "joined_at_service_desk": e.assisted_by_id is not None}
        for e in rows
    ]  # fmt: skip


def _rank_history(enrollment_ids: list[int]) -> dict[int, list[dict]]:
    history: dict[int, list[dict]] = {ident: [] for ident in enrollment_ids}
    rows = db.session.scalars(
        select(RankSnapshot).where(RankSnapshot.enrollment_id.in_(enrollment_ids)).order_by(RankSnapshot.day)
    )
    for row in rows:
        history[row.enrollment_id].append({"day": row.day, "rank": row.rank, "score": row.score})
    return history


def _submissions(user: User) -> list[dict]:
    query = select(Submission).where(Submission.user_id == user.id).order_by(Submission.challenge_id, Submission.id)
    return [
        {name: getattr(s, name) for name in SUBMISSION_FIELDS if name != "challenge"} | {"challenge": s.challenge.title}
        for s in db.session.scalars(query)
    ]


def _vouchers(user: User) -> list[dict]:
    query = select(Voucher).where(Voucher.user_id == user.id).order_by(Voucher.issued_at, Voucher.id)
    return [
        {"code": v.code, "reward": v.reward.title, "partner": v.reward.partner.name, "cost": v.cost,
         "status": v.status, "issued_at": v.issued_at, "expires_at": v.expires_at, "used_at": v.used_at,
         "closed_at": v.closed_at}
        for v in db.session.scalars(query)
    ]  # fmt: skip


def _badges(user: User) -> list[dict]:
    query = select(BadgeAward).where(BadgeAward.user_id == user.id).order_by(BadgeAward.awarded_at, BadgeAward.id)
    return [
        {"badge": a.badge.name, "description": a.badge.description, "awarded_at": a.awarded_at,
         "evidence": a.evidence, "private": a.private, "assertion_id": a.uid}
        for a in db.session.scalars(query)
    ]  # fmt: skip


def _season_points(user: User) -> list[dict]:
    query = select(SeasonPoints).where(SeasonPoints.user_id == user.id)
    rows = db.session.scalars(query.order_by(SeasonPoints.period, SeasonPoints.period_start))
    return [{"period": row.period, "period_start": row.period_start, "points": row.points} for row in rows]


def _consents(user: User, policy_url: str, withdraw_url: str) -> list[dict]:
    return [
        {"id": c.id, "category": c.category.code, "purpose": c.purpose.code, "organisation": c.purpose.organisation,
         "level": c.level, "duration_months": c.duration_months, "method": c.method, "granted_at": c.granted_at,
         "expires_at": c.expires_at, "ended_at": c.ended_at, "end_reason": c.end_reason,
         "receipt": receipts.receipt(c, policy_url, withdraw_url)}
        for c in reversed(services.consent_history(user))
    ]  # fmt: skip


def _data_uses(user: User) -> list[dict]:
    # Who ran a use (a staff member's pseudonym) is someone else's data: the organisation stands for them.
    return [
        {"id": u.id, "created_at": u.created_at, "organisation": u.organisation, "purpose": u.purpose.code,
         "categories": u.categories, "level": u.level, "filters": u.filters, "resident_count": u.resident_count,
         "description": u.description}
        for u in db.session.scalars(uses.uses_of(user))
    ]  # fmt: skip


def _notifications(user: User) -> list[dict]:
    return [
        {"kind": n.kind, "message": n.message, "params": n.params, "link": n.link, "created_at": n.created_at,
         "read_at": n.read_at}
        for n in db.session.scalars(notifications_of(user.id))
    ]  # fmt: skip


def _notification_settings(user: User) -> dict:
    rows = db.session.scalars(select(NotificationPreference).where(NotificationPreference.user_id == user.id))
    return {row.kind: str(row.channel) for row in rows}


def _service_desk(user: User) -> list[dict]:
    query = select(AssistedAction).where(AssistedAction.resident_id == user.id).order_by(AssistedAction.created_at)
    return [{"kind": a.kind, "challenge_id": a.challenge_id, "created_at": a.created_at}
            for a in db.session.scalars(query)]  # fmt: skip


def _readme(user: User, now: datetime) -> str:
    lines = [
        str(_l("Everything Civiquest holds about you, exported on %(when)s (UTC).", when=now.isoformat())),
        str(_l("Times are in UTC, in ISO 8601. Other people's names (for example of staff) are left out.")),
        "",
    ]
    lines += [f"{name}\n    {description}" for name, description in README_FILES]
    return "\n".join(lines) + "\n"


def write_export(user: User, target, policy_url: str, withdraw_url: str, now: datetime | None = None) -> None:
    """Write the resident's data as a zip of JSON and CSV files, with a README.txt, into a binary file object."""
    now = now or utcnow()
    enrollments = _enrollments(user)
    history = _rank_history([row["id"] for row in enrollments])
    submissions = _submissions(user)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", _readme(user, now))
        archive.writestr("profile.json", _json(_profile(user)))
        archive.writestr("enrollments.json", _json([row | {"rank_history": history[row["id"]]} for row in enrollments]))
        archive.writestr("enrollments.csv", _csv(ENROLLMENT_FIELDS, enrollments))
        archive.writestr("submissions.json", _json(submissions))
        archive.writestr("submissions.csv", _csv(SUBMISSION_FIELDS, submissions))
        with archive.open("ledger.csv", "w") as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as text:
            for line in ledger.csv_rows(ledger.history_query(user.id), display.describe, _ledger_when):
                text.write(line)
        archive.writestr("vouchers.json", _json(_vouchers(user)))
        archive.writestr("badges.json", _json(_badges(user)))
        archive.writestr("season_points.json", _json(_season_points(user)))
        archive.writestr("consents.json", _json(_consents(user, policy_url, withdraw_url)))
        archive.writestr("data_uses.json", _json(_data_uses(user)))
        archive.writestr("notifications.json", _json(_notifications(user)))
        archive.writestr("notification_settings.json", _json(_notification_settings(user)))
        archive.writestr("service_desk.json", _json(_service_desk(user)))


def _ledger_when(entry) -> str:
    return entry.created_at.isoformat()


def export_bytes(user: User, policy_url: str, withdraw_url: str, now: datetime | None = None) -> bytes:
    """The export as the bytes of a zip file; one person's data fits in memory."""
    buffer = io.BytesIO()
    write_export(user, buffer, policy_url, withdraw_url, now)
    return buffer.getvalue()


def export_filename(now: datetime | None = None) -> str:
    return f"civiquest-my-data-{(now or utcnow()):%Y-%m-%d}.zip"


# Delete my account ----------------------------------------------------------------------------


def check_credential(user: User, password: str | None = None, code: str | None = None) -> None:
    """The resident proves it is them: their password, or for service-desk residents their log-in code."""
    if user.has_password:
        if not password or not verify_password(user.password_hash, password):
            raise WrongPassword()
        return
    try:
        owner = accounts.authenticate_code(code or "")
    except AccountError:
        raise WrongCode() from None
    if owner.id != user.id:
        raise WrongCode()


def delete_account(user: User, password: str | None = None, code: str | None = None,
                   now: datetime | None = None) -> AccountDeletion:  # fmt: skip
    """Erase the resident's personal data for good, keep anonymous aggregates, log it without naming them."""
    now = now or utcnow()
    if user.role != Role.RESIDENT:
        raise NotResidentAccount()
    check_credential(user, password, code)
    counts = {"challenges_left": _leave_running_challenges(user, now)}
    counts |= _erase_records(user)
    counts["season_points"] = _leave_season(user)
    counts["consents_ended"] = _end_consents(user, now)
    _anonymise(user)
    deletion = AccountDeletion(deleted_on=local_date(now), counts=counts)
    db.session.add(deletion)
    db.session.flush()
    return deletion


def _leave_running_challenges(user: User, now: datetime) -> int:
    """Leave every running challenge as leaving does: out of its ranking, its totals and its count of participants.

    Closed challenges are not touched: their totals and final ranks are past statistics. There the
    anonymised account stays a "hidden participant" so that the others' ranks stay what they were.
    """
    running = _running_enrollments(user)
    for enrollment in running:
        participation.leave(enrollment.challenge, user, now=now)
    return len(running)


def _running_enrollments(user: User) -> list[Enrollment]:
    query = (
        select(Enrollment)
        .join(Challenge, Challenge.id == Enrollment.challenge_id)
        .where(Enrollment.user_id == user.id, Enrollment.active, Challenge.status.in_(RUNNING))
    )
    return list(db.session.scalars(query))


def _erase_records(user: User) -> dict:
    """Delete the raw readings and trips, notifications, badges and tokens; their totals were counted already."""
    mine = select(Submission.id).where(Submission.user_id == user.id)
    db.session.execute(
        update(AssistedAction).where(AssistedAction.submission_id.in_(mine)).values(submission_id=None)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    counts = {}
    for name, model, column in (
        ("submissions", Submission, Submission.user_id), ("notifications", Notification, Notification.user_id),
        ("badges", BadgeAward, BadgeAward.user_id), ("access_tokens", AccessToken, AccessToken.user_id),
        ("notification_settings", NotificationPreference, NotificationPreference.user_id),
    ):  # fmt: skip
        statement = delete(model).where(column == user.id).execution_options(synchronize_session=False)
        counts[name] = db.session.execute(statement).rowcount
    db.session.expire(user, ["tokens"])
    return counts


def _leave_season(user: User) -> int:
    """Take the resident out of the season rankings: their rows go, and each period counts one resident less."""
    rows = db.session.scalars(select(SeasonPoints).where(SeasonPoints.user_id == user.id)).all()
    for row in rows:
        if row.points > 0:
            db.session.execute(
                update(SeasonPeriod)
                .where(SeasonPeriod.period == row.period, SeasonPeriod.period_start == row.period_start)
                .values(participants=SeasonPeriod.participants - 1)
            )
        db.session.delete(row)
    db.session.flush()
    return len(rows)


def _end_consents(user: User, now: datetime) -> int:
    """End every consent in force, so the gate lets none of this resident's data through from now on."""
    return db.session.execute(
        update(Consent)
        .where(Consent.user_id == user.id, Consent.ended_at.is_(None), Consent.expires_at > now)
        .values(ended_at=now, end_reason=EndReason.ACCOUNT_DELETED)
        .execution_options(synchronize_session=False)
    ).rowcount


def _anonymise(user: User) -> None:
    """Nothing left that names or reaches the person; the account can never log in again."""
    user.email = None
    user.pseudonym = f"deleted-{secrets.token_hex(8)}"
    user.password_hash = unusable_password()
    user.login_code_hash = None
    user.login_code_issued_at = None
    user.neighbourhood = None
    user.household_size = 1
    user.language = "en"
    user.text_scale, user.line_spacing, user.letter_spacing, user.high_contrast = 100, "normal", "normal", False
    user.leaderboard_visible = False
    user.active = False
    user.last_login_at = None
    db.session.flush()
