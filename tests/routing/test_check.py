"""The checker catches every kind of broken rule and recomputes the cost on its own."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from routing import (
    Job,
    JobKind,
    Problem,
    Step,
    Stop,
    StopKind,
    TimeWindow,
    ViolationKind,
    Volunteer,
    check,
)
from tests.routing.builders import delivery, problem, visit, volunteer

LINE = [(0, 0), (100, 0), (200, 0), (300, 0)]
P, D = StopKind.PICKUP, StopKind.DOOR


def steps(*items: tuple[str, StopKind] | str) -> list[Step]:
    return [Step(item) if isinstance(item, str) else Step(*item) for item in items]


def kinds(day: Problem, plan: Mapping[str, Sequence[Step]]) -> set[ViolationKind]:
    return check(day, plan).kinds()


def test_a_good_plan_passes_with_its_cost() -> None:
    day = problem(LINE, [volunteer(fixed_cost=7)], [visit("a", 1), visit("b", 3)])
    verdict = check(day, {"v1": steps("a", "b")})
    assert verdict.feasible
    assert (verdict.cost, verdict.distance, verdict.travel) == (600 + 7, 600, 600)
    assert verdict.unplanned == ()
    assert verdict.penalty == 0


def test_unplanned_jobs_are_listed_with_their_penalty() -> None:
    day = problem(LINE, [volunteer()], [visit("a", 1), visit("b", 3)])
    verdict = check(day, {"v1": steps("a")})
    assert verdict.unplanned == ("b",)
    assert verdict.penalty == day.penalty(day.job("b"))


@pytest.mark.parametrize(
    ("jobs", "people", "plan", "expected"),
    [
        ([visit("a", 1)], [volunteer()], {"ghost": steps("a")}, ViolationKind.UNKNOWN_VOLUNTEER),
        ([visit("a", 1)], [volunteer()], {"v1": steps("a", "zz")}, ViolationKind.UNKNOWN_JOB),
        ([visit("a", 1)], [volunteer()], {"v1": steps("a", "a")}, ViolationKind.DUPLICATE),
        ([delivery("m", 1, 2)], [volunteer()], {"v1": steps(("m", D))}, ViolationKind.SPLIT),
        (
            [delivery("m", 1, 2)],
            [volunteer()],
            {"v1": steps(("m", D), ("m", P))},
            ViolationKind.PRECEDENCE,
        ),
        (
            [delivery("m", 1, 2)],
            [volunteer("v1"), volunteer("v2")],
            {"v1": steps(("m", P)), "v2": steps(("m", D))},
            ViolationKind.SPLIT,
        ),
        (
            [visit("a", 1, skills=frozenset({"nurse"}))],
            [volunteer()],
            {"v1": steps("a")},
            ViolationKind.NOT_ALLOWED,
        ),
        (
            [visit("a", 1, forbidden=frozenset({"v1"}))],
            [volunteer()],
            {"v1": steps("a")},
            ViolationKind.NOT_ALLOWED,
        ),
        (
            [visit("a", 1, pinned_to="v2")],
            [volunteer("v1"), volunteer("v2")],
            {"v1": steps("a")},
            ViolationKind.NOT_ALLOWED,
        ),
        (
            [visit("a", 3, windows=[(0, 200)])],
            [volunteer()],
            {"v1": steps("a")},
            ViolationKind.TIME_WINDOW,
        ),
        (
            [visit("a", 3)],
            [volunteer(shift=TimeWindow(0, 500))],
            {"v1": steps("a")},
            ViolationKind.SHIFT,
        ),
        (
            [visit("a", 1, demand=2), visit("b", 2, demand=2)],
            [volunteer(capacity=3)],
            {"v1": steps("a", "b")},
            ViolationKind.CAPACITY,
        ),
        (
            [visit("a", 1), visit("b", 2)],
            [volunteer(max_stops=1)],
            {"v1": steps("a", "b")},
            ViolationKind.STOP_LIMIT,
        ),
        ([visit("a", 3)], [volunteer(max_work=500)], {"v1": steps("a")}, ViolationKind.WORK_TIME),
        (
            [delivery("m", 1, 3, max_ride=150)],
            [volunteer()],
            {"v1": steps(("m", P), ("m", D))},
            ViolationKind.RIDE_TIME,
        ),
    ],
)
def test_each_broken_rule_is_caught(
    jobs: list[Job], people: list[Volunteer], plan: dict[str, list[Step]], expected: ViolationKind
) -> None:
    day = problem(LINE, people, jobs)
    assert expected in kinds(day, plan)


def test_ride_time_is_judged_on_the_best_timing_not_the_earliest() -> None:
    # Arriving early at the kitchen then waiting at the door would break the ride time;
    # collecting later keeps it: the checker must find that schedule.
    job = delivery("m", 1, 2, max_ride=150, door_windows=[(1000, 1100)])
    day = problem(LINE, [volunteer()], [job])
    verdict = check(day, {"v1": steps(("m", P), ("m", D))})
    assert verdict.feasible
    assert verdict.routes[0].depart > 0  # leaves home later rather than waiting at a door
    # ... and the times it reports are that schedule: collected within the ride of the door
    pickup, door = verdict.routes[0].visits
    assert door.start == 1000
    assert door.start - pickup.start <= 150
    assert pickup.start <= pickup.departure <= door.arrival <= door.start


def test_working_time_counts_from_the_best_departure() -> None:
    day = problem(LINE, [volunteer(max_work=250)], [visit("a", 1, windows=[(1000, 1000)])])
    assert check(day, {"v1": steps("a")}).feasible  # 200 s of travel, leaving at 900


def test_the_times_shown_follow_from_the_departure() -> None:
    # Two meals from a kitchen that opens at 1000, their doors open from 1300: the waiting
    # is done at home, and each time shown follows from the one before, from the departure.
    kitchen = Stop(1, (TimeWindow(1000, 5000),))
    jobs = [
        Job(
            m,
            Stop(door, (TimeWindow(1300, 2000),)),
            kind=JobKind.DELIVERY,
            pickup=kitchen,
            max_ride=900,
        )
        for m, door in (("m1", 2), ("m2", 3))
    ]
    day = problem(LINE, [volunteer()], jobs)
    verdict = check(day, {"v1": steps(("m1", P), ("m2", P), ("m1", D), ("m2", D))})
    assert verdict.feasible
    (route,) = verdict.routes
    assert route.arrive == 1700  # home as early as the round allows
    assert route.depart == 1100  # and no longer away than it needs: no waiting anywhere
    assert [(v.arrival, v.start) for v in route.visits] == [
        (1200, 1200),
        (1200, 1200),
        (1300, 1300),
        (1400, 1400),
    ]
