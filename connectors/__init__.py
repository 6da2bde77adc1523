"""Data that flows in from organisations: the utility's meter readings for linked, consented meters."""
