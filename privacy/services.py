"""The resident's rights: download everything Civiquest holds about me, and delete my account.

Each domain answers for the personal data it holds (`privacy/holders.py` lists them); this module
puts their answers together. The export holds only the resident's own data: where a record names
someone else (the manager who reviewed a reading or helped at the service desk, the staff member who
ran a data use, the partner who validated a voucher), that name is left out and only the fact and
its time stay.

Deleting an account erases what identifies the person and their raw data. What aggregates and
the books need is kept without a link to the person: enrollments of closed challenges (totals and
final ranks, without household, baseline or times), ledger entries and used vouchers move to
anonymous owners; unused vouchers are voided. Only the consents (ended) with their receipts stay
with the anonymised account, as the law requires.
"""

import io
import zipfile
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l

from accounts import services as accounts
from accounts.errors import AccountError
from accounts.models import Role, User
from accounts.passwords import verify_password
from app.clock import local_date
from app.columns import utcnow
from app.extensions import db
from app.personal_data import ExportLinks
from privacy.errors import NotResidentAccount, SignInAgain, WrongCode, WrongPassword
from privacy.holders import HOLDERS
from privacy.models import AccountDeletion

# Download my data -----------------------------------------------------------------------------

# The zip's table of contents, as README.txt and the download page show it; the files follow in this order.
README_FILES = (
    ("profile.json", _l("Your profile: email address, pseudonym, neighbourhood, household size, language, display "
                        "settings, how you log in, and the names and dates of your access tokens (never their "
                        "secrets).")),
    ("enrollments.json, enrollments.csv", _l("The challenges you joined, your baseline, score, points and final "
                                             "rank; the JSON file adds your daily rank history.")),
    ("submissions.json, submissions.csv", _l("Every meter reading and trip you sent, and what it counted for. "
                                             "Readings and trips older than the retention period are deleted.")),
    ("meter.json", _l("The electricity meter you linked and, per day, the register value and use your utility "
                      "delivered for it.")),
    ("routes.json", _l("How many of your uploaded tracks you shared for network planning, per week. The tracks "
                       "themselves were never stored.")),
    ("ledger.csv", _l(
        "Every entry of your points ledger: date (UTC), kind, amount, reason, source and, for points paid for a "
        "reading or trip, the day of that activity."
    )),
    ("vouchers.json", _l("The vouchers you redeemed points for, with their status.")),
    ("badges.json", _l("The badges you earned.")),
    ("pledges.json", _l("The points you pledged to community projects: how much each project took, whether you "
                        "agreed to be named, and whether the points came back.")),
    ("season_points.json", _l("Your points per week, month and all time, as the season leaderboard counts them.")),
    ("consents.json", _l("Every consent you gave, changed or withdrew, each with its consent receipt (Kantara "
                         "Consent Receipt v1.1).")),
    ("data_uses.json", _l("Every time your data was used: when, by which organisation, for what purpose, at what "
                          "level, and how many residents' data it used.")),
    ("teams.json", _l("Your team (or your request to join one), and the reports you sent about teams.")),
    ("notifications.json", _l("The notifications Civiquest sent you.")),
    ("emails.json", _l("Copies of the emails Civiquest sent you (or is about to send).")),
    ("notification_settings.json", _l("How you want each kind of news: in the app, also by email, or not at all.")),
    ("privacy_budget.json", _l("Per year, how much of your privacy budget open-data releases have spent.")),
    ("service_desk.json", _l("What was done for you at a service desk (the staff member's name is left out).")),
)  # fmt: skip
LISTED = {name: place for place, name in enumerate(n for names, _ in README_FILES for n in names.split(", "))}


def _readme(now: datetime) -> str:
    lines = [
        str(_l("Everything Civiquest holds about you, exported on %(when)s (UTC).", when=now.isoformat())),
        str(_l("Times are in UTC, in ISO 8601. Other people's names (for example of staff) are left out.")),
        "",
    ]
    lines += [f"{name}\n    {description}" for name, description in README_FILES]
    return "\n".join(lines) + "\n"


def _files(user: User, links: ExportLinks) -> dict[str, str]:
    """Every holder's files; two holders writing one name would lose one's data, so that is refused."""
    files: dict[str, str] = {}
    for holder in HOLDERS:
        part = holder.export(user, links)
        if clash := files.keys() & part.keys():
            raise ValueError(f"more than one domain writes {sorted(clash)}")
        files |= part
    return files


def write_export(user: User, target, policy_url: str, withdraw_url: str, now: datetime | None = None) -> None:
    """Write the resident's data as a zip of JSON and CSV files, with a README.txt, into a binary file object."""
    now = now or utcnow()
    files = _files(user, ExportLinks(policy_url, withdraw_url))
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", _readme(now))
        # A file the README does not list yet still goes out, last: nobody's data is left out of their export.
        for name in sorted(files, key=lambda name: LISTED.get(name, len(LISTED))):
            archive.writestr(name, files[name])


def export_bytes(user: User, policy_url: str, withdraw_url: str, now: datetime | None = None) -> bytes:
    """The export as the bytes of a zip file; one person's data fits in memory."""
    buffer = io.BytesIO()
    write_export(user, buffer, policy_url, withdraw_url, now)
    return buffer.getvalue()


def export_filename(now: datetime | None = None) -> str:
    """The download's file name, with the day of the export."""
    return f"civiquest-my-data-{(now or utcnow()):%Y-%m-%d}.zip"


# Delete my account ----------------------------------------------------------------------------


# An account made by signing in at an identity provider has neither password nor code: a sign-in there this
# recent proves it is the resident.
RECENT_SIGN_IN = timedelta(minutes=15)


def check_credential(user: User, password: str | None = None, code: str | None = None,
                     provider_sign_in_at: datetime | None = None, now: datetime | None = None) -> None:  # fmt: skip
    """The resident proves it is them: their password, for service-desk residents their log-in code, and for
    accounts made at an identity provider a sign-in there in the last 15 minutes."""
    if user.has_password:
        if not password or not verify_password(user.password_hash, password):
            raise WrongPassword()
        return
    if user.login_code_hash is None:
        if provider_sign_in_at is None or provider_sign_in_at < (now or utcnow()) - RECENT_SIGN_IN:
            raise SignInAgain()
        return
    try:
        owner = accounts.authenticate_code(code or "")
    except AccountError:
        raise WrongCode() from None
    if owner.id != user.id:
        raise WrongCode()


def delete_account(
    user: User, password: str | None = None, code: str | None = None, now: datetime | None = None,
    provider_sign_in_at: datetime | None = None,
) -> AccountDeletion:  # fmt: skip
    """Erase the resident's personal data for good, keep anonymous aggregates, log it without naming them."""
    now = now or utcnow()
    if user.role != Role.RESIDENT:
        raise NotResidentAccount()
    check_credential(user, password, code, provider_sign_in_at, now)
    counts: dict[str, int] = {}
    for holder in HOLDERS:
        counts |= holder.erase(user, now)
    deletion = AccountDeletion(deleted_on=local_date(now), counts=counts)
    db.session.add(deletion)
    db.session.flush()
    return deletion
