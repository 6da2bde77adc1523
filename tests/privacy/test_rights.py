"""The resident's rights: the export holds all of mine and nothing of anyone else; deleting an account
erases the person and keeps every aggregate right."""

import csv
import io
import json
import zipfile

import pytest
from sqlalchemy import func, select

from accounts import services as accounts
from accounts.models import Role, User
from app.extensions import db
from challenges.models import Challenge, NeighbourhoodScore, Submission
from leaderboards import services as boards
from leaderboards.models import Period
from privacy import errors, services
from privacy.models import AccountDeletion
from rewards import ledger
from rewards.models import BadgeAward, LedgerEntry
from sharing.models import Consent, EndReason
from tests.challenges.conftest import NOW
from tests.conftest import PASSWORD, log_in

FILES = {
    "README.txt", "profile.json", "enrollments.json", "enrollments.csv", "submissions.json", "submissions.csv",
    "ledger.csv", "vouchers.json", "badges.json", "season_points.json", "consents.json", "data_uses.json",
    "privacy_budget.json", "emails.json", "teams.json", "pledges.json",
    "notifications.json", "notification_settings.json", "service_desk.json", "meter.json", "routes.json",
}  # fmt: skip


def _export(world) -> dict[str, str]:
    data = services.export_bytes(world["me"], "https://city.example/privacy", "https://city.example/me/consents", NOW)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def test_export_holds_every_file_with_my_data(world):
    """Each file is there and holds mine: profile, enrollments, submissions, ledger, vouchers, consents, uses."""
    files = _export(world)
    assert set(files) == FILES
    profile = json.loads(files["profile.json"])
    assert profile["email"] == "me@example.org" and profile["pseudonym"] == "Sunny Me"
    assert profile["logs_in_with"] == "password"
    assert len(json.loads(files["enrollments.json"])) == 2
    assert len(json.loads(files["submissions.json"])) == 3
    assert len(list(csv.DictReader(io.StringIO(files["submissions.csv"])))) == 3
    ledger_rows = list(csv.DictReader(io.StringIO(files["ledger.csv"])))
    assert sum(int(row["amount"]) for row in ledger_rows) == ledger.balance(world["me"].id)
    assert [v["code"] for v in json.loads(files["vouchers.json"])] == [world["voucher"]]
    assert [b["badge"] for b in json.loads(files["badges.json"])] == ["First step"]
    consent = json.loads(files["consents.json"])[0]
    assert consent["receipt"]["piiPrincipalId"] == f"civiquest-resident-{world['me'].id}"
    assert json.loads(files["data_uses.json"])[0]["organisation"]
    assert len(json.loads(files["notifications.json"])) == 1
    [email] = json.loads(files["emails.json"])
    assert email["to"] == "me@example.org" and email["text"] == "Hello Sunny Me"
    assert "ledger.csv" in files["README.txt"]


def test_export_holds_nothing_of_anyone_else(world):
    """No other resident's pseudonym, email or voucher, nor the staff member who ran a data use, and no secrets."""
    everything = "\n".join(_export(world).values())
    for foreign in ("Neighbour Nora", "other@example.org", world["their_voucher"], "Manager Max", "max@example.org"):
        assert foreign not in everything
    me = db.session.get(User, world["me"].id)
    assert me.password_hash not in everything and "password_hash" not in everything
    assert "token_hash" not in everything


def _running_board(world):
    return boards.challenge_board(db.session.get(Challenge, world["running"].id), None)


def _aggregates(challenge_id: int):
    challenge = db.session.get(Challenge, challenge_id)
    rows = db.session.execute(
        select(NeighbourhoodScore.neighbourhood_id, NeighbourhoodScore.total_units, NeighbourhoodScore.participants)
        .where(NeighbourhoodScore.challenge_id == challenge_id)
    ).all()  # fmt: skip
    return challenge.total_units, challenge.participant_count, sorted(tuple(row) for row in rows)


def test_wrong_password_changes_nothing(world, client):
    """A wrong password is an error on the field; the account and its data stay as they were."""
    me = world["me"]
    log_in(client, me)
    response = client.post("/me/delete", data={"password": "not my password", "understood": "y"})
    assert response.status_code == 422
    assert "This password is not correct." in response.get_data(as_text=True)
    db.session.rollback()  # a fresh view of what the requests wrote
    assert db.session.get(User, me.id).email == "me@example.org"
    assert db.session.scalar(select(func.count()).where(Submission.user_id == me.id)) == 3
    assert client.get("/me/export").status_code == 200


def test_the_tick_is_required(world, client):
    """Without "I understand this is final" nothing is deleted."""
    log_in(client, world["me"])
    response = client.post("/me/delete", data={"password": PASSWORD})
    assert response.status_code == 422
    db.session.rollback()  # a fresh view of what the requests wrote
    assert db.session.get(User, world["me"].id).active


def test_deleting_erases_the_person_and_keeps_the_aggregates(world, client, make_token):
    """Anonymised, logged out, no log-in, no submissions, off the leaderboards; closed totals and ledger unchanged."""
    me = world["me"]
    token = make_token(me)
    closed_before = _aggregates(world["closed"].id)
    books_before = db.session.scalar(select(func.sum(LedgerEntry.amount)))
    assert len(_running_board(world).entries) == 2
    log_in(client, me)
    response = client.post("/me/delete", data={"password": PASSWORD, "understood": "y"})
    assert response.status_code == 302
    db.session.rollback()  # a fresh view of what the requests wrote
    user = db.session.get(User, me.id)
    assert user.email is None and user.pseudonym.startswith("deleted-") and not user.active
    assert not user.has_password and user.neighbourhood_id is None
    assert client.get("/me/export").status_code == 302  # logged out
    assert client.post("/login", data={"email": "me@example.org", "password": PASSWORD}).status_code == 422
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert db.session.scalar(select(func.count()).where(Submission.user_id == me.id)) == 0
    assert db.session.scalar(select(func.count()).where(BadgeAward.user_id == me.id)) == 0
    board = _running_board(world)
    assert [entry.pseudonym for entry in board.entries] == ["Neighbour Nora"] and board.participants == 1
    season, _start = boards.season_board(Period.ALL, None, now=NOW)
    assert [entry.pseudonym for entry in season.entries] == ["Neighbour Nora"] and season.participants == 1
    assert _aggregates(world["closed"].id) == closed_before
    # The ledger is kept for the books, unlinked from me; my unused voucher was voided and refunded there.
    assert db.session.scalar(select(func.count()).where(LedgerEntry.user_id == me.id)) == 0
    assert db.session.scalar(select(func.sum(LedgerEntry.amount))) == books_before + 10
    consent = db.session.scalar(select(Consent).where(Consent.user_id == me.id))
    assert consent.end_reason == EndReason.ACCOUNT_DELETED
    deletion = db.session.scalars(select(AccountDeletion)).one()
    assert deletion.counts["submissions"] == 3 and deletion.counts["challenges_left"] == 1
    assert all(isinstance(count, int) and str(me.id) not in kind for kind, count in deletion.counts.items())


def test_closed_challenge_lists_only_a_hidden_participant(world, ctx):
    """In a closed challenge the anonymised account keeps its place (others' ranks stay) but shows no name."""
    services.delete_account(db.session.merge(world["me"]), password=PASSWORD, now=NOW)
    board = boards.challenge_board(db.session.get(Challenge, world["closed"].id), None)
    assert sorted(str(entry.pseudonym) for entry in board.entries) == ["Neighbour Nora", "None"]


def test_service_desk_resident_confirms_with_the_log_in_code(ctx, make_user, make_neighbourhood):
    """Residents without a password confirm with their printed code; a wrong code changes nothing."""
    manager = db.session.merge(make_user(role=Role.MANAGER))
    resident, code = accounts.register_assisted_resident(manager, "Desk Dora", make_neighbourhood().id, 2, "de")
    with pytest.raises(errors.WrongCode):
        services.delete_account(resident, code="AAAA-BBBB-CCCC-DDDD", now=NOW)
    assert resident.active
    services.delete_account(resident, code=code, now=NOW)
    assert resident.login_code_hash is None and not resident.active


def test_only_residents_delete_themselves(ctx, make_user):
    """Staff accounts carry an accountability trail; they are removed by an admin, not here."""
    staff = db.session.merge(make_user(role=Role.STAFF))
    with pytest.raises(errors.NotResidentAccount):
        services.delete_account(staff, password=PASSWORD, now=NOW)


def test_pages_show_the_labels(resident_client):
    """Both pages render for a resident with their buttons, and the profile links to them."""
    profile = resident_client.get("/profile").get_data(as_text=True)
    assert 'href="/me/export"' in profile and 'href="/me/delete"' in profile
    assert "Download my data (zip)" in resident_client.get("/me/export").get_data(as_text=True)
    page = resident_client.get("/me/delete").get_data(as_text=True)
    assert "Delete my account for good" in page and "I understand" in page


def test_api_export_is_a_zip(app, make_user, make_token, client):
    """GET /api/v1/me/export answers a valid zip as an attachment; anonymous callers get 401."""
    resident = make_user()
    response = client.get("/api/v1/me/export", headers={"Authorization": f"Bearer {make_token(resident)}"})
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment")
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert set(archive.namelist()) == FILES
        assert json.loads(archive.read("profile.json"))["email"] == resident.email
    anonymous = app.test_client().get("/api/v1/me/export")
    assert anonymous.status_code == 401 and anonymous.is_json


def test_service_desk_resident_deletes_through_the_page(app, client, make_user, make_neighbourhood):
    """The page asks a resident without a password for their log-in code instead, and accepts it."""
    with app.app_context():
        manager = db.session.merge(make_user(role=Role.MANAGER))
        _resident, code = accounts.register_assisted_resident(manager, "Desk Dora", make_neighbourhood().id, 2, "en")
        db.session.commit()
    assert client.post("/login/code", data={"code": code}).status_code == 302
    page = client.get("/me/delete").get_data(as_text=True)
    assert "Your log-in code" in page and "Your password" not in page
    assert client.post("/me/delete", data={"code": "AAAA-BBBB-CCCC-DDDD", "understood": "y"}).status_code == 422
    assert client.post("/me/delete", data={"code": code, "understood": "y"}).status_code == 302
    assert client.post("/login/code", data={"code": code}).status_code == 422


def test_export_holds_my_team_and_my_reports(world):
    """teams.json names my team, that I captain it, and the report I sent; not the other members."""
    import json

    data = json.loads(_export(world)["teams.json"])
    assert data["membership"]["team"] == "Old Town Cyclists" and data["membership"]["captain"] is True
    assert [r["reason"] for r in data["reports"]] == ["too loud"]
    assert "Neighbour Nora" not in _export(world)["teams.json"]
