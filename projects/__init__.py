"""Community projects: a manager's project in a neighbourhood (or the whole city) that residents fund with points."""
