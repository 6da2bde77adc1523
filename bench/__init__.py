"""Benchmarks: a synthetic city generator and the leaderboard timing harness (`make bench`)."""
