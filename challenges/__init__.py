"""Challenges: competitions on energy saving and traffic avoidance, from draft to closed."""
