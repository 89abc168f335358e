"""Splitting a large day into neighbourhoods, each with its own crew."""

from __future__ import annotations

import time
from collections import Counter

from routing import Job, Problem, SolveParams, Step, TimeWindow, check
from routing.search.pieces import plan_routes_again
from routing.split import routes_around, split, symmetric_times
from tests.routing.builders import problem, visit, volunteer

DAY = TimeWindow(8 * 3600, 18 * 3600)


def two_towns(jobs_per_town: int, volunteers_per_town: int) -> Problem:
    """Two clusters of doors 5 km apart, with volunteers living in each."""
    points: list[tuple[float, float]] = []
    jobs: list[Job] = []
    people = []
    for town, x0 in enumerate((0, 5000)):
        for n in range(volunteers_per_town):
            people.append(volunteer(f"v{town}-{n}", start=len(points), shift=DAY))
            points.append((x0 + 37 * n % 300, 53 * n % 300))
        for n in range(jobs_per_town):
            jobs.append(visit(f"j{town}-{n}", len(points)))
            points.append((x0 + 71 * n % 400, 29 * n % 400))
    return problem(points, people, jobs)


def test_a_small_day_is_one_piece() -> None:
    day = two_towns(10, 2)
    [piece] = split(day, day.jobs, size=50)
    assert piece.jobs == day.jobs
    assert piece.volunteers == day.volunteers


def test_every_job_and_volunteer_is_in_exactly_one_piece() -> None:
    day = two_towns(90, 9)
    pieces = split(day, day.jobs, size=60)
    jobs = Counter(job.id for piece in pieces for job in piece.jobs)
    people = Counter(v.id for piece in pieces for v in piece.volunteers)
    assert jobs == Counter(job.id for job in day.jobs)
    assert people == Counter(v.id for v in day.volunteers)
    assert len(pieces) == 3


def test_pieces_follow_the_towns_and_share_volunteers_by_work() -> None:
    day = two_towns(60, 6)
    pieces = split(day, day.jobs, size=60)
    assert len(pieces) == 2
    for piece in pieces:
        towns = {job.id.split("-")[0] for job in piece.jobs}
        homes = {v.id.split("-")[0][1:] for v in piece.volunteers}
        assert len(towns) == 1
        assert homes == {next(iter(towns))[1:]}  # the crew lives in its own town
        assert len(piece.volunteers) == 6


def test_a_pinned_job_goes_with_its_volunteer() -> None:
    day = two_towns(60, 6)
    pinned = visit("j1-0", day.jobs[60].door.location, pinned_to="v0-0")
    jobs = (*day.jobs[:60], pinned, *day.jobs[61:])
    day = Problem(day.locations, day.matrices, day.volunteers, jobs, day.objective, day.weights)
    pieces = split(day, day.jobs, size=60)
    home = next(piece for piece in pieces if any(v.id == "v0-0" for v in piece.volunteers))
    assert pinned in home.jobs


def test_a_piece_is_priced_like_the_whole_day() -> None:
    day = two_towns(60, 6)
    piece = split(day, day.jobs, size=60)[0]
    alone = piece.problem(day)
    assert alone.jobs == piece.jobs
    assert alone.penalty(piece.jobs[0]) == day.penalty(piece.jobs[0])


def routes_of(day: Problem, per_route: int) -> dict[str, tuple[Step, ...]]:
    """Each town's jobs in order, `per_route` to each of its volunteers."""
    routes: dict[str, tuple[Step, ...]] = {}
    for town in ("0", "1"):
        jobs = [job for job in day.jobs if job.id.startswith(f"j{town}-")]
        people = [v for v in day.volunteers if v.id.startswith(f"v{town}-")]
        for n, person in enumerate(people):
            chunk = jobs[n * per_route : (n + 1) * per_route]
            if chunk:
                routes[person.id] = tuple(Step(job.id) for job in chunk)
    return routes


def test_routes_around_a_route_are_whole_routes_of_its_own_town() -> None:
    day = two_towns(30, 6)
    routes = routes_of(day, 10)  # three routes in each town, three volunteers idle in each
    piece = routes_around(day, symmetric_times(day), routes, [], "v1-0", size=20)
    crew = {v.id for v in piece.volunteers}
    busy = crew & set(routes)
    assert "v1-0" in busy
    assert len(busy) == 2
    assert all(who.startswith("v1-") for who in busy)
    assert {job.id for job in piece.jobs} == {s.job for who in busy for s in routes[who]}
    assert len(crew - busy) == 2  # two idle volunteers, so that a route can be split


def test_a_left_out_job_goes_to_the_routes_nearest_it() -> None:
    day = two_towns(30, 6)
    routes = routes_of(day, 10)
    left_out = [job for job in day.jobs if job.id in ("j0-29", "j1-29")]
    routes = {
        who: tuple(s for s in steps if s.job not in ("j0-29", "j1-29"))
        for who, steps in routes.items()
    }
    piece = routes_around(day, symmetric_times(day), routes, left_out, "v0-0", size=25)
    ids = {job.id for job in piece.jobs}
    assert "j0-29" in ids
    assert "j1-29" not in ids


def test_routes_planned_again_in_groups_are_cheaper_and_keep_every_job() -> None:
    """Each volunteer starts with a round that crosses to the other town and back: groups of
    nearby routes planned again bring the jobs home."""
    day = two_towns(30, 6)
    town = {t: [job for job in day.jobs if job.id.startswith(f"j{t}-")] for t in ("0", "1")}
    mixed = {
        v.id: tuple(
            Step(job.id) for job in (*town["0"][n * 5 : n * 5 + 5], *town["1"][n * 5 : n * 5 + 5])
        )
        for n, v in enumerate(day.volunteers[:6])
    }
    before = check(day, mixed)
    params = SolveParams(time_limit=2)
    told: list[int] = []
    until = time.perf_counter() + 1.5
    routes = plan_routes_again(
        day, list(day.jobs), params, mixed, 10**9, until, lambda _routes, cost: told.append(cost)
    )
    after = check(day, routes)
    assert after.feasible
    assert not after.unplanned
    assert after.cost < before.cost
    assert told
    assert told == sorted(told, reverse=True)
    assert told[-1] < 10**9  # each kept group is cheaper than its routes were
