"""Badges: definitions admins keep, awards their rules make, and the Open Badges 2.0 documents of each award."""
