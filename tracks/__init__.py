"""Tracks from residents' devices: a GPX upload becomes trips, and, with consent, counts on the route grid."""
