"""Demo teams for the demo city: a school with classes, a company with departments, families, and a team still
waiting for a manager's approval. Residents come from the caller, those taking part in a team challenge first."""

import random

from accounts.models import User
from teams import services
from teams.models import TeamStatus

SCHOOL = ("Gesamtschule Nordend", ["Klasse 5a", "Klasse 6b", "Klasse 7c"])
COMPANY = ("Stadtwerke Musterstadt", ["Netzbetrieb", "Kundenservice"])
FAMILIES = ["Familie Kaya", "Familie Schneider", "Familie Nowak"]
PER_GROUP = 4
PER_FAMILY = 3


def _fill(team, people: list[User]) -> None:
    for person in people:
        services.join_by_code(person, team.invite_code)


def seed(rng: random.Random, players: list[User], others: list[User]) -> int:
    """Found the demo teams (their captains from `others`, members from `players` first); returns how many."""
    players, others = list(players), list(others)
    rng.shuffle(players)
    pool = players + others[3:]
    made = []
    for (name, subs), captain, kind in ((SCHOOL, others[0], "school"), (COMPANY, others[1], "company")):
        parent = services.found_team(captain, name, kind, None, False)
        made.append(parent)
        for sub_name in subs:
            sub = services.found_sub_team(captain, parent, sub_name, None, rng.random() < 0.5)
            _fill(sub, [pool.pop(0) for _ in range(PER_GROUP)])
            made.append(sub)
    for name in FAMILIES:
        members = [pool.pop(0) for _ in range(PER_FAMILY)]
        family = services.found_team(members[0], name, "family", None, False)
        _fill(family, members[1:])
        made.append(family)
    for team in made:
        services.moderate(team, TeamStatus.APPROVED)
    services.found_team(others[2], "Die Frühaufsteher", "friends", "Wir radeln vor der Arbeit.", True)
    return len(made) + 1
