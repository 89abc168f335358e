"""A volunteer's own routes: only their published stops, only what they need at the door."""
