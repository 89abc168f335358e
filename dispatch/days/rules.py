"""The rules of a day, without the database: is a schedule due, and when is a volunteer free."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta

from dispatch.days.schemas import Shift
from models import Activity, Availability, Client, ServiceSchedule
from models.enums import AvailabilityKind, ClientStatus, Recurrence, ServiceKind


def why_client_away(client: Client, day: date) -> str | None:
    """None if the client takes services on `day`, else why not (archived, in hospital...)."""
    if client.archived_at is not None:
        return "client archived"
    if client.status is not ClientStatus.ACTIVE and _covers(
        client.status_from, client.status_until, day
    ):
        reason = f"client {client.status}"
        return f"{reason}: {client.status_reason}" if client.status_reason else reason
    return None


def heard_home_since(client: Client, said_on: date) -> bool:
    """Whether a coordinator heard the client is home after the door's word of `said_on`
    (not home, away, no answer): that word is answered."""
    return client.away_answered_on is not None and said_on <= client.away_answered_on


def why_not_due(schedule: ServiceSchedule, client: Client, day: date, weekday: int) -> str | None:
    """None if the schedule brings its client a task on `day` (run as `weekday`), else why not."""
    away = why_client_away(client, day)
    if away is not None:
        return away
    if schedule.archived_at is not None or day < schedule.start_date:
        return "schedule not running"
    if schedule.end_date is not None and day > schedule.end_date:
        return "schedule ended"
    if schedule.recurrence is Recurrence.ONCE:
        if day != schedule.start_date:
            return "one-off order on another day"
    elif weekday not in schedule.weekdays:
        return "not a scheduled weekday"
    elif _weeks_between(schedule.start_date, day) % schedule.interval_weeks:
        return f"every {schedule.interval_weeks} weeks: not this week"
    if day in schedule.skip_dates:
        return "skipped on this date"
    for hold in schedule.holds:
        if hold.start <= day <= hold.end:
            return f"on hold: {hold.reason}" if hold.reason else "on hold"
    return None


# An escort fetches the client at home up to an hour before the activity and arrives at most
# half an hour early; after it, they are fetched within half an hour and home within the hour.
ESCORT_LEAD = timedelta(minutes=60)
ESCORT_EARLY = timedelta(minutes=30)
ESCORT_WAIT = timedelta(minutes=30)
ESCORT_HOME = timedelta(minutes=60)
ESCORT_RIDE_MINUTES = 30  # on foot or by car with someone who cannot go alone
ESCORT_MINUTES_AT_HOME = 10  # helping them out of (or back into) the flat


@dataclass(frozen=True)
class EscortTimes:
    """When an escort is at the client's door and at the activity's venue."""

    home: tuple[time, time]
    venue: tuple[time, time]


def escort_times(kind: ServiceKind, activity: Activity) -> EscortTimes:
    """The windows of an escort to the activity (`ESCORT_THERE`) or back home from it."""
    start, end = activity.start_time, activity.end_time
    if kind is ServiceKind.ESCORT_THERE:
        return EscortTimes(
            home=(
                _shift(start, -ESCORT_LEAD),
                _shift(start, -timedelta(minutes=ESCORT_MINUTES_AT_HOME)),
            ),
            venue=(_shift(start, -ESCORT_EARLY), start),
        )
    return EscortTimes(home=(end, _shift(end, ESCORT_HOME)), venue=(end, _shift(end, ESCORT_WAIT)))


def _shift(moment: time, by: timedelta) -> time:
    """`moment` moved by `by`, kept within the day."""
    minutes = _minutes(moment) + by // timedelta(minutes=1)
    minutes = min(max(minutes, 0), 24 * 60 - 1)
    return time(minutes // 60, minutes % 60)


def window_of(schedule: ServiceSchedule, client: Client) -> tuple[time | None, time | None]:
    """The schedule's window at the door, else the client's preferred one."""
    if schedule.window_start is not None or schedule.window_end is not None:
        return schedule.window_start, schedule.window_end
    return client.preferred_window_start, client.preferred_window_end


def shift_on(entries: Sequence[Availability], day: date, weekday: int) -> Shift | None:
    """The volunteer's longest free stretch of the day: weekly slots of `weekday` and extra
    slots, less leave. The planner gives each volunteer one shift."""
    free: list[tuple[time, time]] = []
    off: list[tuple[time, time]] = []
    for entry in entries:
        start, end = entry.start_time, entry.end_time
        if entry.kind is AvailabilityKind.WEEKLY:
            if entry.weekday == weekday and start is not None and end is not None:
                free.append((start, end))
        elif not _on(entry, day):
            continue
        elif entry.kind is AvailabilityKind.EXTRA and start is not None and end is not None:
            free.append((start, end))
        elif entry.kind is AvailabilityKind.LEAVE:
            off.append((start or time.min, end or time.max))
    stretches = _subtract(_merge(free), _merge(off))
    if not stretches:
        return None
    start, end = max(stretches, key=lambda s: _minutes(s[1]) - _minutes(s[0]))
    return Shift(start=start, end=end)


def _on(entry: Availability, day: date) -> bool:
    first = entry.date_from
    return first is not None and first <= day <= (entry.date_to or first)


def _covers(first: date | None, last: date | None, day: date) -> bool:
    return (first is None or first <= day) and (last is None or day <= last)


def _weeks_between(start: date, day: date) -> int:
    """Whole weeks from the Monday of `start`'s week to the Monday of `day`'s week."""
    return (day.toordinal() - day.weekday() - (start.toordinal() - start.weekday())) // 7


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def _merge(spans: list[tuple[time, time]]) -> list[tuple[time, time]]:
    merged: list[tuple[time, time]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _subtract(
    spans: list[tuple[time, time]], holes: list[tuple[time, time]]
) -> list[tuple[time, time]]:
    result = []
    for start, end in spans:
        pieces = [(start, end)]
        for hole_start, hole_end in holes:
            pieces = [
                part
                for piece_start, piece_end in pieces
                for part in (
                    (piece_start, min(piece_end, hole_start)),
                    (max(piece_start, hole_end), piece_end),
                )
                if part[0] < part[1]
            ]
        result.extend(pieces)
    return result
