"""Administration: users and roles, neighbourhoods."""
