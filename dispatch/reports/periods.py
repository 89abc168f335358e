"""The periods the dashboards show: a day, a week or a month, and which one they open on."""

from datetime import date, timedelta


def period_around(period: str, at: date) -> tuple[date, date]:
    """The day, the week (Monday to Sunday) or the month around `at`."""
    if period == "day":
        return at, at
    if period == "week":
        monday = at - timedelta(days=at.weekday())
        return monday, monday + timedelta(days=6)
    first = at.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def opening_day(today: date, period: str) -> date:
    """The day whose period a dashboard opens on: today's, but on the 1st the month just
    ended (the one to report on) rather than one with nothing done yet."""
    return today - timedelta(days=1) if period == "month" and today.day == 1 else today
