"""Times of day as people read them; the planner counts seconds after midnight."""


def clock(value: int) -> str:
    """Seconds after midnight as HH:MM, for people."""
    return f"{value // 3600:02d}:{value % 3600 // 60:02d}"
