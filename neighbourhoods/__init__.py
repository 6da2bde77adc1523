"""Neighbourhoods: the places residents live in and compete for."""
