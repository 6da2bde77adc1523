"""A resident's points: balance, lifetime points and level, and the history as a page, JSON and CSV."""
