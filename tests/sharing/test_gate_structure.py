"""Nothing is read without the gate: every query over personal tables goes through the consent gate or is
on the allow-list below with the reason it needs no consent.

A function "queries personal data" when its source builds a query (select, update, delete, session.get,
.query) and names a personal table or profile column. It "goes through the gate" when it, or a function
of the same module it calls, asks `sharing.gate` (`allowed`, `allowed_ids`, `is_allowed`, `gate.…`).
A new query outside the gate fails this test until it is gated or listed here with its reason.
"""

import ast
import functools
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
PACKAGES = ("accounts", "admin", "app", "challenges", "clients", "connectors", "leaderboards", "neighbourhoods",
            "notifications", "nudges", "privacy", "projects", "rewards", "sharing", "stats", "teams", "tracks",
            "demo")  # fmt: skip
PERSONAL = re.compile(r"\b(Submission|LedgerEntry|Enrollment|household_size|MeterLink|Track|RouteWeek|RouteUpload)\b")
QUERY = re.compile(r"\bselect\(|\.query\(|session\.get\(|\bupdate\(|\bdelete\(")
GATE = re.compile(r"\bgate\.|\ballowed\(|\ballowed_ids\(|\bis_allowed\(")

OWN_PARTICIPATION = "the resident's own participation: scoring, ranking and paying what they joined and sent"
BOOKS = "the points ledger: the books every credit and debit must balance in, kept for the resident"
# Whole modules whose every query serves the resident's own participation, the books or their own rights.
MODULES = {
    "connectors.demo": "demo data generated for the demo city (no real residents)",
    "connectors.personal_data": "the resident's own data: download and erasure",
    "tracks.personal_data": "the resident's own data: download and erasure",
    "challenges.activity": OWN_PARTICIPATION,
    "challenges.assisted": "the service desk acting for the resident, at their request",
    "challenges.demo": "demo data generated for the demo city (no real residents)",
    "challenges.kinds.base": OWN_PARTICIPATION,
    "challenges.kinds.reading": OWN_PARTICIPATION,
    "challenges.kinds.trip": OWN_PARTICIPATION,
    "challenges.lifecycle": OWN_PARTICIPATION,
    "challenges.participation": OWN_PARTICIPATION,
    "challenges.personal_data": "the resident's own data: download and erasure",
    "challenges.reconcile": "repairing the derived totals of the resident's own participation",
    "challenges.results": OWN_PARTICIPATION,
    "challenges.submissions": "review of flagged submissions, which the rules of the resident's challenge require",
    "challenges.totals": OWN_PARTICIPATION,
    "leaderboards.histogram": OWN_PARTICIPATION,
    "leaderboards.reconcile": "repairing the derived rankings of the resident's own participation",
    "leaderboards.services": OWN_PARTICIPATION,
    "leaderboards.team_totals": "the team totals a participant's own participation adds to (and their repair)",
    "leaderboards.team_board": "a team's own standings; a member's contribution only to their captain, and only if "
    "the member chose to show it",
    "rewards.demo": "demo data generated for the demo city (no real residents)",
    "rewards.earnings": BOOKS,
    "rewards.ledger": BOOKS,
    "rewards.points.services": BOOKS,
    "accounts.personal_data": "the resident's own data: download and erasure",
    "sharing.retention": "deleting records past their retention period (erasure, not use)",
    "sharing.credits": "crediting the resident for the data they shared (their consent's own terms)",
    "sharing.views": "the resident's own earnings page",
}
# Single functions, where the rest of the module goes through the gate.
FUNCTIONS = {
    "demo.__init__._seed_teams": "demo data generated for the demo city (no real residents)",
    "connectors.services.link_meter": "the resident linking their own meter",
    "connectors.services.unlink_meter": "the resident unlinking their own meter",
    "connectors.services.meter_of": "the resident's own meter link, shown to them",
    "tracks.services._running_mobility": "sending the resident's own upload to their own challenges",
    "tracks.services.erase_contributions": "erasing the resident's grid counts (at erasure or after their consent "
    "ended), not a use",
    "tracks.services.records_between": "counting the tracks behind the resident's own dividend; the dividend asked "
    "the gate which consents are in force",
    "connectors.services._energy_enrollments": "scoring delivered days for the residents' own challenges, after "
    "ingest asked the gate for their meters",
    "nudges.digest.points_between": "the resident's own weekly digest",
    "nudges.digest.rank_a_week_ago": "the resident's own weekly digest",
    "nudges.digest.active_enrollments": "the resident's own weekly digest",
    "nudges.advice.readings_of": "advice to the resident about their own readings",
    "nudges.advice.baseline_per_day": "advice to the resident about their own readings",
    "nudges.reminders._starting_soon": "reminders of the resident's own challenges",
    "nudges.reminders._running_enrollments": "reminders of the resident's own challenges",
    "nudges.reminders._silent": "reminders of the resident's own challenges",
    "nudges.reminders._new_streaks": "reminders of the resident's own streaks",
    "nudges.reminders._balances_at_least": "reminders of the resident's own points",
}


def _functions(root: pathlib.Path) -> dict[str, dict[str, str]]:
    """Per module, every function's (and method's) source by name."""
    modules = {}
    for package in PACKAGES:
        for path in (root / package).rglob("*.py"):
            source = path.read_text()
            modules[".".join(path.relative_to(root).with_suffix("").parts)] = {
                node.name: ast.get_source_segment(source, node) for node in ast.walk(ast.parse(source))
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            }  # fmt: skip
    return modules


def _gated(functions: dict[str, str], shared: set[str]) -> set[str]:
    """The functions of a module that ask the gate, or call a gated helper of the module or a shared private one."""
    gated = {name for name, body in functions.items() if GATE.search(body)}
    while True:
        helpers = gated | shared
        calls = {name for name, body in functions.items() if name not in gated
                 and any(re.search(rf"\b{re.escape(helper)}\(", body) for helper in helpers)}  # fmt: skip
        if not calls:
            return gated
        gated |= calls


@functools.cache
def _ungated_queries(root: pathlib.Path = ROOT) -> frozenset[str]:
    """Every function querying personal data without reaching the gate, as module.function.

    Private helpers (`_name`) that reach the gate count across modules too, so open data calling the
    figures' `aggregator._activity_base()` is gated; public names only within their module, where a
    name means one thing.
    """
    modules = _functions(root)
    shared: set[str] = set()
    while True:  # private gated helpers, across all modules, until nothing new is found
        found = {name for functions in modules.values() for name in _gated(functions, shared) if name.startswith("_")}
        if found <= shared:
            break
        shared |= found
    ungated = set()
    for module, functions in modules.items():
        ungated |= {f"{module}.{name}" for name in functions.keys() - _gated(functions, shared)
                    if PERSONAL.search(functions[name]) and QUERY.search(functions[name])}  # fmt: skip
    return frozenset(ungated)


def test_every_query_over_personal_data_goes_through_the_gate_or_names_its_reason():
    """A query over submissions, enrollments, the ledger or profiles outside the gate must be allow-listed."""
    ungated = _ungated_queries()
    unexplained = {q for q in ungated if q not in FUNCTIONS and q.rsplit(".", 1)[0] not in MODULES}
    assert not unexplained, f"queries over personal data outside the gate, without a reason: {sorted(unexplained)}"


def test_the_allow_list_has_no_stale_entries():
    """Every allow-listed module and function still holds such a query (so the list stays honest)."""
    ungated = _ungated_queries()
    assert not [name for name in FUNCTIONS if name not in ungated]
    assert not [module for module in MODULES if not any(q.rsplit(".", 1)[0] == module for q in ungated)]


def test_the_statistics_read_nothing_outside_the_gate():
    """Statistics and open data have no allow-list entry: every one of their queries asks the gate."""
    ungated = _ungated_queries()
    assert not [q for q in ungated if q.startswith("stats.")]
