"""Why a job could not be planned: stable codes for machines, sentences for people."""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """Each code names the first thing a coordinator would have to change."""

    NO_VOLUNTEERS = "no_volunteers"
    PINNED_VOLUNTEER_ABSENT = "pinned_volunteer_absent"
    NO_SKILLED_VOLUNTEER = "no_skilled_volunteer"
    NO_ALLOWED_VOLUNTEER = "no_allowed_volunteer"
    DEMAND_OVER_CAPACITY = "demand_over_capacity"
    RIDE_TIME_IMPOSSIBLE = "ride_time_impossible"
    PICKUP_TOO_EARLY = "pickup_too_early"
    NO_SHIFT_IN_WINDOW = "no_shift_in_window"
    WINDOW_UNREACHABLE = "window_unreachable"
    STOP_LIMIT = "stop_limit"
    CAPACITY_FULL = "capacity_full"
    NO_TIME_LEFT = "no_time_left"
    NOT_PLACED = "not_placed"
    OUT_OF_TIME = "out_of_time"


_SENTENCES: dict[Reason, str] = {
    Reason.NO_VOLUNTEERS: "No volunteer is available on this day.",
    Reason.PINNED_VOLUNTEER_ABSENT: (
        "It is pinned to {volunteer}, who is not available on this day; unpin it or pin "
        "it to someone else."
    ),
    Reason.NO_SKILLED_VOLUNTEER: "No available volunteer has the required skills ({skills}).",
    Reason.NO_ALLOWED_VOLUNTEER: (
        "Every available volunteer with the required skills is excluded from this client."
    ),
    Reason.DEMAND_OVER_CAPACITY: (
        "It needs {demand} places, more than any volunteer allowed to do it can carry "
        "(at most {capacity})."
    ),
    Reason.RIDE_TIME_IMPOSSIBLE: (
        "Even going straight from the pickup to the door, no allowed volunteer arrives "
        "within the maximum ride time of {minutes} minutes."
    ),
    Reason.PICKUP_TOO_EARLY: (
        "Its pickup closes at {closes} and its door's time window opens at {opens}: longer "
        "than it may ride ({minutes} minutes), whoever takes it."
    ),
    Reason.NO_SHIFT_IN_WINDOW: (
        "No volunteer who may do it works during its time window ({window}); change a shift "
        "or the window."
    ),
    Reason.WINDOW_UNREACHABLE: (
        "No allowed volunteer can reach it within its time window and be back by the end "
        "of their shift, even doing nothing else."
    ),
    Reason.STOP_LIMIT: "Every volunteer who could do it has reached their maximum number of stops.",
    Reason.CAPACITY_FULL: "Every volunteer who could do it is already carrying a full load.",
    Reason.NO_TIME_LEFT: (
        "Every volunteer who could do it is fully booked at that time; add a volunteer, "
        "widen its time window or move another job."
    ),
    Reason.NOT_PLACED: (
        "It would fit in {volunteer}'s route but the planner did not place it in the time "
        "allowed; plan again with more time."
    ),
    Reason.OUT_OF_TIME: (
        "The planner ran out of time before it could place it or tell what keeps it out; "
        "plan again with more time."
    ),
}


def sentence(reason: Reason, **details: object) -> str:
    """The human sentence for a reason, filled with its details."""
    return _SENTENCES[reason].format(**details)
