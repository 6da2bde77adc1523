"""Leaderboards: rankings of challenges (residents and neighbourhoods), the season across challenges,
"my rank" and its history, and the public neighbourhood embed."""
