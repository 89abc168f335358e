"""The certificate pass: a job left out that some route (or an idle volunteer) can still take
is put there, at its cheapest place; a job nobody can take stays out."""

from __future__ import annotations

import math

from routing import SolveParams, Step, StopKind, TimeWindow, check, solve
from routing.certify import insert_left_out
from tests.routing.builders import delivery, problem, visit, volunteer

# Depot at 0; doors along a line, a kitchen at 5.
LINE = [(0, 0), (100, 0), (200, 0), (300, 0), (400, 0), (50, 0)]
LATER = math.inf  # no deadline: the pass tries everything


def door(job: str) -> Step:
    return Step(job, StopKind.DOOR)


def test_an_idle_volunteer_takes_a_stop_the_search_left_out() -> None:
    busy = volunteer("busy", max_stops=1)
    idle = volunteer("idle")
    day = problem(LINE, [busy, idle], [visit("a", 1), visit("b", 2)])

    found = insert_left_out(day, {"busy": (door("a"),), "idle": ()}, ["b"], LATER)

    assert found.inserted == ("b",)
    assert found.sequences == {"busy": (door("a"),), "idle": (door("b"),)}
    assert found.added_cost == 400  # there and back, 200 m each way
    assert [visit.job for visit in found.routes["idle"].visits] == ["b"]
    assert check(day, found.sequences).feasible


def test_a_stop_goes_where_it_costs_least_on_a_route_that_has_room() -> None:
    one = volunteer("one")
    day = problem(LINE, [one], [visit("a", 1), visit("c", 3), visit("b", 2)])

    found = insert_left_out(day, {"one": (door("a"), door("c"))}, ["b"], LATER)

    assert found.sequences["one"] == (door("a"), door("b"), door("c"))
    assert found.added_cost == 0  # on the way


def test_a_meal_is_collected_before_its_door_within_its_ride_limit() -> None:
    one = volunteer("one", capacity=2)
    places = [*LINE, (50, 200)]  # 6: a door off the line
    meal = delivery("m", 5, 4, demand=1, max_ride=360)
    day = problem(places, [one], [visit("a", 6), meal])

    found = insert_left_out(day, {"one": (door("a"),)}, ["m"], LATER)

    # Kitchen (50 m) to door (400 m) is 350 s: the meal goes straight there.
    assert found.sequences["one"] == (Step("m", StopKind.PICKUP), door("m"), door("a"))
    assert check(day, found.sequences).feasible

    tighter = problem(places, [one], [visit("a", 6), delivery("m", 5, 4, demand=1, max_ride=340)])
    assert insert_left_out(tighter, {"one": (door("a"),)}, ["m"], LATER).inserted == ()


def test_a_stop_no_route_can_take_stays_out() -> None:
    early = volunteer("early", shift=TimeWindow(0, 3600))
    late_door = visit("late", 1, windows=[(7200, 7300)])
    day = problem(LINE, [early], [visit("a", 1), late_door])

    found = insert_left_out(day, {"early": (door("a"),)}, ["late"], LATER)

    assert found.inserted == ()
    assert found.sequences == {"early": (door("a"),)}
    assert found.routes == {}


def test_the_more_important_stop_gets_the_last_room_first() -> None:
    one = volunteer("one", max_stops=2)
    day = problem(
        LINE, [one], [visit("a", 1), visit("low", 2, priority=1), visit("high", 3, priority=5)]
    )

    found = insert_left_out(day, {"one": (door("a"),)}, ["low", "high"], LATER)

    assert found.inserted == ("high",)


def test_solve_plans_a_stop_an_idle_volunteer_can_take_whatever_the_search_did() -> None:
    """A search cut short (one solution, from a plan that left the stop out) still ends with
    the stop planned: the pass finds the idle volunteer."""
    busy = volunteer("busy", max_stops=1)
    idle = volunteer("idle")
    day = problem(LINE, [busy, idle], [visit("a", 1), visit("b", 2)])
    params = SolveParams(time_limit=2, solution_limit=1, initial={"busy": (door("a"),)})

    plan = solve(day, params)

    assert plan.assignment() == {"a": "busy", "b": "idle"}
    assert plan.unplanned == ()
    assert check(day, plan.sequences()).feasible


def test_a_pinned_stop_nobody_can_take_within_the_rules_stays_on_its_route_with_warnings() -> None:
    """A coordinator's pin is never silently undone: the stop stays with its volunteer,
    where it breaks the fewest rules, and says which."""
    early = volunteer("early", shift=TimeWindow(0, 3600))
    late_door = visit("late", 1, windows=[(7200, 7300)], pinned_to="early")
    day = problem(LINE, [early], [visit("a", 2), late_door])

    plan = solve(day, SolveParams(time_limit=1))

    assert plan.assignment() == {"a": "early", "late": "early"}
    assert plan.unplanned == ()
    [kept] = plan.kept
    assert (kept.job, kept.volunteer) == ("late", "early")
    assert "shift" in kept.broken
    assert not check(day, plan.sequences()).feasible  # as the warning says
