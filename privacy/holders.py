"""The domains that hold personal data about a resident, each answering for its own, in the order erasure asks them.

Each `<domain>/personal_data.py` has the same two functions (`Holder`): `export` gives the files of
"download my data" that hold what the domain keeps, `erase` erases or anonymises it for "delete my
account" and says how many rows of each kind it erased or ended. No domain touches another's rows.

Why this order (export does not depend on it: the zip's files are written in README order)? Foreign
keys do not force one between domains: the account row is never deleted, so every kept row can go
on pointing at it. What does: a domain's erasure can announce something other domains answer, and
aggregates must come out right.

0. Kept rows (enrollments, the ledger, used vouchers) move to an anonymous owner of each domain's
   own (accounts.personal_data.anonymous_owner), so nothing kept links to the person.
1. challenges first: leaving each running challenge takes the resident out of its totals,
   neighbourhood scores and participant count, and announces `enrollment_changed` (leaderboards
   move them out of the score histogram). Readings and trips are deleted after leaving, as their
   totals are counted already; the service-desk log is unhooked from them first (its foreign key).
2. leaderboards after challenges, whose announcements they answer; season rows go after those, and
   each period then counts one participant less.
3. rewards after challenges too (they pay and award on challenges' announcements): badges go;
   ledger and vouchers stay, so every balance and the catalogue's counts stay right.
   Community projects after rewards: the pledges move to the anonymous owner as their ledger entries did,
   so every project's total stays right.
4. sharing: consents in force end; the records stay as proof of past uses (the law requires them);
   the links to data uses go. Statistics then delete the resident's privacy-budget rows.
5. teams: the resident leaves their team (a captain's team passes to its longest-standing member, or
   ends with its last one); their reports about teams go.
6. notifications after every domain above, so a notice sent while erasing is erased too.
7. accounts last: anonymising removes what the steps above, and anything answering their
   announcements, may still read about the resident (neighbourhood, language, visibility).
"""

from datetime import datetime
from typing import Protocol

from accounts import personal_data as accounts
from accounts.models import User
from app.personal_data import ExportLinks
from challenges import personal_data as challenges
from connectors import personal_data as connectors
from leaderboards import personal_data as leaderboards
from notifications import personal_data as notifications
from projects import personal_data as projects
from rewards import personal_data as rewards
from sharing import personal_data as sharing
from stats import personal_data as stats
from teams import personal_data as teams
from tracks import personal_data as tracks


class Holder(Protocol):
    """What each domain's `personal_data` module answers."""

    def export(self, user: User, links: ExportLinks) -> dict[str, str]:
        """The export's files (name → text) that hold this domain's data about `user`."""

    def erase(self, user: User, now: datetime) -> dict[str, int]:
        """Erase or anonymise this domain's data about `user`; how many rows of each kind were erased or ended."""


HOLDERS: tuple[Holder, ...] = (
    challenges,
    connectors,
    tracks,
    leaderboards,
    rewards,
    projects,
    sharing,
    stats,
    teams,
    notifications,
    accounts,
)
