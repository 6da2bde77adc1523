"""Accounts: registration, log-in, profiles, roles, display settings and access tokens."""
