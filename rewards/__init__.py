"""Rewards: points as money, what they buy, and the badges earned along the way.

At the top, what every part of rewards shares: `models` (all its tables), `ledger` (every credit and
debit), `errors`, `display` (wording), `earnings` and `receivers` (what challenges and sharing pay
out), `blueprints` (the two blueprints sub-packages share), `tasks`, `cli` and `demo`. Below, one
sub-package per concept, each with the same files: `points` (a resident's balance, level and
history), `badges` (definitions, awards, Open Badges documents) and `catalogue` (partners, rewards,
redemption and vouchers).
"""
