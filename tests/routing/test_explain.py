"""Every reason code is given where it applies, with a sentence a coordinator can act on."""

from __future__ import annotations

import time

import pytest

from routing import (
    JobKind,
    Problem,
    Reason,
    SolveParams,
    Step,
    Stop,
    TimeWindow,
    Volunteer,
    explain_unplanned,
    precheck,
    solve,
)
from routing.problem import Job
from tests.routing.builders import delivery, problem, visit, volunteer

LINE = [(0, 0), (100, 0), (200, 0), (3000, 0)]


def reason_of(people: list[Volunteer], job: Job) -> tuple[Reason, str]:
    day = problem(LINE, people, [job])
    plan = solve(day, SolveParams(time_limit=1))
    assert [u.job for u in plan.unplanned] == [job.id]
    return plan.unplanned[0].reason, plan.unplanned[0].message


@pytest.mark.parametrize(
    ("people", "job", "reason", "words"),
    [
        ([], visit("a", 1), Reason.NO_VOLUNTEERS, "No volunteer"),
        ([volunteer()], visit("a", 1, pinned_to="ill"), Reason.PINNED_VOLUNTEER_ABSENT, "ill"),
        (
            [volunteer()],
            visit("a", 1, skills=frozenset({"nurse"})),
            Reason.NO_SKILLED_VOLUNTEER,
            "nurse",
        ),
        (
            [volunteer()],
            visit("a", 1, forbidden=frozenset({"v1"})),
            Reason.NO_ALLOWED_VOLUNTEER,
            "excluded",
        ),
        ([volunteer(capacity=4)], visit("a", 1, demand=5), Reason.DEMAND_OVER_CAPACITY, "4"),
        (
            [volunteer()],
            delivery("m", 1, 3, max_ride=600),
            Reason.RIDE_TIME_IMPOSSIBLE,
            "10 minutes",
        ),
        (
            [volunteer(shift=TimeWindow(0, 1000))],
            visit("a", 3),
            Reason.WINDOW_UNREACHABLE,
            "time window",
        ),
        ([volunteer()], visit("a", 3, windows=[(0, 100)]), Reason.WINDOW_UNREACHABLE, "reach"),
        ([volunteer(max_stops=0)], visit("a", 1), Reason.STOP_LIMIT, "maximum number"),
        (
            [volunteer(shift=TimeWindow(0, 3600))],
            visit("a", 1, windows=[(7200, 7300)]),
            Reason.NO_SHIFT_IN_WINDOW,
            "02:00–02:01",
        ),
        (
            [volunteer()],
            Job(
                "m",
                Stop(1, (TimeWindow(7200, 7300),)),
                kind=JobKind.DELIVERY,
                pickup=Stop(2, (TimeWindow(0, 600),)),
                max_ride=900,
            ),
            Reason.PICKUP_TOO_EARLY,
            "closes at 00:10",
        ),
    ],
)
def test_jobs_no_plan_can_hold_are_explained_before_solving(
    people: list[Volunteer], job: Job, reason: Reason, words: str
) -> None:
    found, message = reason_of(people, job)
    assert found is reason
    assert words in message
    day = problem(LINE, people, [job])
    assert precheck(day)[job.id].reason is reason


def full_day(**kw: object) -> Problem:
    people = [volunteer(**kw)]  # type: ignore[arg-type]
    return problem(
        LINE, people, [visit("first", 1, demand=2, service=100), visit("second", 2, demand=2)]
    )


def test_a_full_load_is_told_apart_from_a_full_day() -> None:
    day = full_day(capacity=3)
    [left] = explain_unplanned(day, ["second"], {"v1": [Step("first")]})
    assert left.reason is Reason.CAPACITY_FULL
    day = full_day(max_stops=1)
    [left] = explain_unplanned(day, ["second"], {"v1": [Step("first")]})
    assert left.reason is Reason.STOP_LIMIT
    day = full_day(shift=TimeWindow(0, 450))  # each alone fits, both do not
    [left] = explain_unplanned(day, ["second"], {"v1": [Step("first")]})
    assert left.reason is Reason.NO_TIME_LEFT


def test_a_job_that_would_fit_is_reported_as_not_placed() -> None:
    day = full_day()
    [left] = explain_unplanned(day, ["second"], {"v1": [Step("first")]})
    assert left.reason is Reason.NOT_PLACED
    assert "v1" in left.message
    assert left.details == {"volunteer": "v1"}  # for saying it with the volunteer's name


def test_past_the_deadline_a_job_says_time_ran_out_and_a_prechecked_one_keeps_its_reason() -> None:
    people = [volunteer(capacity=3)]
    day = problem(
        LINE, people, [visit("first", 1), visit("second", 2), visit("huge", 1, demand=99)]
    )
    already = time.perf_counter() - 1  # a solve that used its whole limit and more

    left = explain_unplanned(day, ["second", "huge"], {"v1": [Step("first")]}, already)

    assert [u.reason for u in left] == [Reason.OUT_OF_TIME, Reason.DEMAND_OVER_CAPACITY]
    assert "more time" in left[0].message


def test_a_job_is_planned_when_one_volunteer_can_do_it() -> None:
    people = [volunteer("slow", shift=TimeWindow(0, 1000)), volunteer("able")]
    day = problem(LINE, people, [visit("far", 3)])
    assert precheck(day) == {}
    assert solve(day, SolveParams(time_limit=1)).assignment() == {"far": "able"}
