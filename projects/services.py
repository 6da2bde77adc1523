"""Community projects: publishing them, pledging points to them, and returning the points when one fails.

Rules kept here, for the pages and the API alike:
- A pledge is a ledger debit of kind `pledge` with the source key `pledge:<id>`, booked like a redemption
  (rewards.catalogue.redemption): the resident's lock first, then the project's row, then the balance
  check and the entry — so a balance never goes below zero and concurrent pledges queue.
- Overshooting: a pledge takes only what the project still needs. The pledge that reaches the target
  is cut to the rest, the project is funded exactly at its target and the resident keeps the remainder
  (told how much was taken); later pledges are refused with NotOpen.
- A neighbourhood's project takes pledges from that neighbourhood's residents only; a city-wide one from all.
- A project that fails (its deadline passed short of the target) or is cancelled gives every pledge back:
  one `pledge` credit per pledge (source key `pledge:<id>:refund`, pointing at the debit it reverses), once,
  however often the job runs. Cancelling returns the points at once; the job repeats what is left.
"""

from datetime import datetime

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select, update
from sqlalchemy.orm import lazyload

from accounts.models import User
from app.bilingual import as_twins, missing_both, stripped
from app.columns import utcnow
from app.extensions import db
from app.locks import lock_resident, lock_residents
from neighbourhoods.models import Neighbourhood
from notifications import services as notifications
from projects import errors
from projects.models import ENDED_WITH_REFUNDS, Pledge, Project, ProjectStatus
from rewards import ledger
from rewards.models import EntryKind

MAX_TARGET = 10_000_000
MAX_PLEDGE = 1_000_000
BILINGUAL = ("title", "description")
FIELDS = ("title_en", "title_de", "description_en", "description_de", "neighbourhood_id", "target", "deadline")
TEXT_LIMITS = {"title_en": 120, "title_de": 120, "description_en": 5_000, "description_de": 5_000}


# Reading ------------------------------------------------------------------------------------------


def get_project(project_id: int) -> Project:
    """One project by id, or ProjectNotFound."""
    project = db.session.get(Project, project_id)
    if project is None:
        raise errors.ProjectNotFound()
    return project


def is_open(project: Project, now: datetime | None = None) -> bool:
    """Takes pledges: open and before its deadline (the job marks it failed soon after)."""
    return project.status is ProjectStatus.OPEN and project.deadline > (now or utcnow())


def projects_query(status: ProjectStatus | None = None, neighbourhood_id: int | None = None):
    """Projects, open ones first, then by deadline; optionally of one status or one neighbourhood (and the city's)."""
    query = select(Project)
    if status is not None:
        query = query.where(Project.status == status)
    if neighbourhood_id is not None:
        query = query.where((Project.neighbourhood_id == neighbourhood_id) | Project.neighbourhood_id.is_(None))
    open_first = case((Project.status == ProjectStatus.OPEN, 0), else_=1)
    return query.order_by(open_first, Project.deadline, Project.id)


def backers(project: Project) -> tuple[int, list[str]]:
    """How many residents pledged, and the pseudonyms of those who agreed to be shown, alphabetically."""
    count = db.session.scalar(select(func.count(func.distinct(Pledge.user_id))).where(Pledge.project_id == project.id))
    shown = db.session.scalars(
        select(User.pseudonym).join(Pledge, Pledge.user_id == User.id)
        .where(Pledge.project_id == project.id, Pledge.show_name)
        .distinct().order_by(User.pseudonym)
    ).all()  # fmt: skip
    return count, list(shown)


def pledged_by(user: User, project: Project) -> int:
    """What the resident has given this project and not got back."""
    return db.session.scalar(
        select(func.coalesce(func.sum(Pledge.amount), 0)).where(
            Pledge.project_id == project.id, Pledge.user_id == user.id, Pledge.refunded_at.is_(None)
        )
    )


def pledges_of(user: User):
    """The resident's pledges, newest first."""
    return select(Pledge).where(Pledge.user_id == user.id).order_by(Pledge.created_at.desc(), Pledge.id.desc())


def may_pledge(user: User, project: Project) -> bool:
    """Whether the resident lives where the project is (always, for a city-wide one)."""
    return project.neighbourhood_id is None or user.neighbourhood_id == project.neighbourhood_id


# Managing ----------------------------------------------------------------------------------------


def create_project(by: User | None = None, now: datetime | None = None, **fields) -> Project:
    """Publish a project after checking every field; it is open for pledges at once."""
    fields = stripped({"title_en": "", **as_twins(fields, BILINGUAL)}, BILINGUAL)
    fields = {name: fields.get(name) for name in FIELDS} | {
        name: fields.get(name) or "" for name in TEXT_LIMITS
    }  # fmt: skip
    if problems := _field_errors(fields, None, now or utcnow()):
        raise errors.InvalidFields(problems)
    project = Project(**fields, created_by_id=by.id if by else None)
    db.session.add(project)
    db.session.flush()
    return project


def update_project(project: Project, now: datetime | None = None, **changes) -> Project:
    """Change a project; target, deadline and neighbourhood only while it is open (texts always)."""
    now = now or utcnow()
    changes = stripped({k: v for k, v in as_twins(changes, BILINGUAL).items() if k in FIELDS}, BILINGUAL)
    project = _hold(project)  # the target is checked against the pledged total no pledge can change meanwhile
    if project.status is not ProjectStatus.OPEN:
        changes = {name: value for name, value in changes.items() if name in TEXT_LIMITS}
    current = {name: getattr(project, name) for name in FIELDS}
    unchanged = {name for name in ("target", "deadline") if changes.get(name, current[name]) == current[name]}
    if problems := _field_errors({**current, **changes}, project, now, unchanged):
        raise errors.InvalidFields(problems)
    for name, value in changes.items():
        setattr(project, name, value if name not in TEXT_LIMITS else value or "")
    db.session.flush()
    return project


def _field_errors(fields: dict, project: Project | None, now: datetime, unchanged=frozenset()) -> dict:
    """{field: message} for every rule the values break."""
    problems = {}
    if missing_both(fields, "title"):
        problems["title_en"] = _l("Please give the project a title.")
    for name, limit in TEXT_LIMITS.items():
        if len(fields.get(name) or "") > limit:
            problems[name] = _l("At most %(num)d characters.", num=limit)
    target = fields.get("target")
    if not isinstance(target, int) or isinstance(target, bool) or not 1 <= target <= MAX_TARGET:
        problems["target"] = _l(
            "Give a target between 1 and %(max)s points.", max=format_decimal(MAX_TARGET, format="#,##0")
        )
    elif project is not None and "target" not in unchanged and target <= project.pledged:
        problems["target"] = _l("The target must be more than the %(points)s points pledged so far.",
                                points=project.pledged)  # fmt: skip
    deadline = fields.get("deadline")
    if not isinstance(deadline, datetime):
        problems["deadline"] = _l("Give the project's last day.")
    elif deadline <= now and "deadline" not in unchanged:
        problems["deadline"] = _l("The deadline must lie in the future.")
    hood = fields.get("neighbourhood_id")
    if hood is not None and db.session.get(Neighbourhood, hood) is None:
        problems["neighbourhood_id"] = _l("There is no such neighbourhood.")
    return problems


def cancel_project(project: Project, now: datetime | None = None) -> Project:
    """Call an open or funded project off and give every pledge back now."""
    if not end(project, ProjectStatus.CANCELLED, now or utcnow()):
        raise errors.AlreadyEnded()
    return project


# Pledging ----------------------------------------------------------------------------------------


def _hold(project: Project) -> Project:
    """The project's row, held until the transaction ends and read afresh (after the residents' locks)."""
    query = (select(Project).where(Project.id == project.id).options(lazyload(Project.neighbourhood))
             .with_for_update(key_share=True).execution_options(populate_existing=True))  # fmt: skip
    return db.session.scalars(query).one()


def _replayed(user: User, key: str | None) -> Pledge | None:
    if not key:
        return None
    return db.session.scalar(select(Pledge).where(Pledge.user_id == user.id, Pledge.idempotency_key == key))


def pledge(user: User, project: Project, points: int, show_name: bool = False, idempotency_key: str | None = None,
           now: datetime | None = None) -> tuple[Pledge, bool]:  # fmt: skip
    """Give points to a project: (pledge, True) when booked now, (pledge, False) for a replayed key.

    The pledge takes min(points, what the project still needs): `pledge.amount` says how much.
    """
    now = now or utcnow()
    if isinstance(points, bool) or not isinstance(points, int) or not 1 <= points <= MAX_PLEDGE:
        raise errors.InvalidFields({"points": _points_message()})
    lock_resident(user.id)
    if replayed := _replayed(user, idempotency_key):
        return replayed, False
    if not may_pledge(user, project):
        raise errors.NotYourNeighbourhood()
    project = _hold(project)
    if not is_open(project, now):
        raise errors.NotOpen()
    taken = min(points, project.still_needed)
    if ledger.balance(user.id) < taken:
        raise errors.InsufficientPoints()
    row = Pledge(project=project, user_id=user.id, offered=points, amount=taken, show_name=bool(show_name),
                 idempotency_key=idempotency_key, created_at=now)  # fmt: skip
    db.session.add(row)
    project.pledged += taken
    if project.pledged >= project.target:
        project.status, project.ended_at = ProjectStatus.FUNDED, now
    db.session.flush()
    params = _ledger_params(project)
    ledger.post(user.id, -taken, EntryKind.PLEDGE, "pledge", ("pledge", row.id), f"pledge:{row.id}", params=params,
                now=now)  # fmt: skip
    return row, True


def _ledger_params(project: Project) -> dict:
    """What a pledge's ledger entries keep of the project: its id and its title in both languages (rewards.display
    shows the reader's)."""
    return {"project": project.title_en or project.title_de, "project_de": project.title_de, "project_id": project.id}


def _points_message():
    return _l("Pledge between 1 and %(max)s points.", max=format_decimal(MAX_PLEDGE, format="#,##0"))


# Ending and refunds ------------------------------------------------------------------------------


def end(project: Project, status: ProjectStatus, now: datetime, backer_ids: list[int] | None = None) -> bool:
    """Fail or cancel a project and give back the pledges of every resident known to have pledged; False if it had
    ended already (a failed or cancelled one is not ended twice).

    The lock order is the pledge's: every backer's lock first, then the project's row. A pledge booked
    between reading the backers and taking the row (only while it was open) is given back by the next
    run of the refund job, which takes that resident's lock first. A caller ending several projects passes the
    backers it locked for all of them before the first project's row (`backer_ids`).
    """
    if backer_ids is None:
        backer_ids = _unrefunded_backers(project.id)
        lock_residents(backer_ids)
    project = _hold(project)
    allowed = (ProjectStatus.OPEN,) if status is ProjectStatus.FAILED else (ProjectStatus.OPEN, ProjectStatus.FUNDED)
    if project.status not in allowed:
        return False
    project.status, project.ended_at = status, now
    db.session.flush()
    refund_pledges(project, now, only=set(backer_ids))
    return True


def _unrefunded_backers(project_id: int) -> list[int]:
    return list(db.session.scalars(
        select(Pledge.user_id).where(Pledge.project_id == project_id, Pledge.refunded_at.is_(None))
        .distinct().order_by(Pledge.user_id)
    ))  # fmt: skip


def refund_pledges(project: Project, now: datetime, only: set[int] | None = None) -> int:
    """Give back every pledge of a failed or cancelled project not given back yet; how many were.

    `only`: the residents whose locks the caller holds; without it every backer is locked here first.
    """
    if project.status not in ENDED_WITH_REFUNDS:
        return 0
    query = select(Pledge).where(Pledge.project_id == project.id, Pledge.refunded_at.is_(None)).order_by(Pledge.id)
    due = [row for row in db.session.scalars(query) if only is None or row.user_id in only]
    if only is None:
        lock_residents(row.user_id for row in due)
    return sum(_refund(row, project, now) for row in due)


def _refund(row: Pledge, project: Project, now: datetime) -> bool:
    """Give one pledge back once: mark it and book the credit that reverses its debit."""
    lock_resident(row.user_id)
    marked = db.session.execute(
        update(Pledge).where(Pledge.id == row.id, Pledge.refunded_at.is_(None)).values(refunded_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount  # fmt: skip
    db.session.refresh(row)
    if not marked:
        return False
    debit = ledger.find(f"pledge:{row.id}")
    reason = "pledge_failed" if project.status is ProjectStatus.FAILED else "pledge_cancelled"
    params = _ledger_params(project)
    ledger.post(row.user_id, row.amount, EntryKind.PLEDGE, reason, ("pledge", row.id), f"pledge:{row.id}:refund",
                params=params, reverses=debit, now=now)  # fmt: skip
    return True


def fail_due_projects(now: datetime | None = None) -> int:
    """Mark every open project past its deadline as failed and give its pledges back; how many failed."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Project).where(Project.status == ProjectStatus.OPEN, Project.deadline <= now).order_by(Project.id)
    ).all()
    backers = {project.id: _unrefunded_backers(project.id) for project in due}
    lock_residents(uid for ids in backers.values() for uid in ids)  # every resident before any project's row
    return sum(end(project, ProjectStatus.FAILED, now, backers[project.id]) for project in due)


def refund_ended_projects(now: datetime | None = None) -> int:
    """Give back what is left of failed and cancelled projects' pledges; safe to run twice. How many went back."""
    now = now or utcnow()
    ended = db.session.scalars(
        select(Project).join(Pledge, Pledge.project_id == Project.id)
        .where(Project.status.in_(ENDED_WITH_REFUNDS), Pledge.refunded_at.is_(None)).distinct().order_by(Project.id)
    ).all()  # fmt: skip
    lock_residents(uid for project in ended for uid in _unrefunded_backers(project.id))
    return sum(refund_pledges(project, now) for project in ended)


def notify_funded_backers(now: datetime | None = None) -> int:
    """Tell every backer of a funded project, once (the notification's key); how many projects were announced.

    A job, not the pledge that funds a project: notifying takes each backer's lock, which a request
    holding the project's row may not take (app.locks).
    """
    now = now or utcnow()
    funded = db.session.scalars(
        select(Project).where(Project.status == ProjectStatus.FUNDED, Project.backers_notified_at.is_(None))
        .order_by(Project.id)
    ).all()  # fmt: skip
    backers = {project.id: _unrefunded_backers(project.id) for project in funded}
    lock_residents(uid for ids in backers.values() for uid in ids)  # notifying takes each; all first, in order
    for project in funded:
        for user_id in backers[project.id]:
            notifications.notify(
                user_id, "rewards", "project_funded", f"project:{project.id}:funded:{user_id}",
                {"project": project.id},
                link=f"/projects/{project.id}", now=now,
            )  # fmt: skip
        db.session.execute(
            update(Project).where(Project.id == project.id).values(backers_notified_at=now)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
    return len(funded)
