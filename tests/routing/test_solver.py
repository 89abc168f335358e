"""The OR-Tools model on tiny instances whose optimum is known by hand."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from routing import (
    JobKind,
    Plan,
    Problem,
    Progress,
    Reason,
    SolveParams,
    Step,
    StopKind,
    TimeWindow,
    Weights,
    check,
    moved_jobs,
    solve,
)
from routing.search.model import Model
from routing.search.portfolio import Search, run
from tests.routing.builders import delivery, plane, problem, visit, volunteer

# Judges plans made within a time limit: run with the machine to itself (scripts/test.py).
pytestmark = pytest.mark.solo

FAST = SolveParams(time_limit=2, solution_limit=200)

# A 100 m square with the depot at a corner.
SQUARE = [(0, 0), (100, 0), (100, 100), (0, 100)]


def planned(plan: Plan, day: Problem) -> Plan:
    """Every plan in these tests goes through the independent checker."""
    verdict = check(day, plan.sequences())
    assert verdict.feasible, verdict.violations
    return plan


def doors(plan: Plan, volunteer_id: str) -> list[str]:
    route = next(r for r in plan.routes if r.volunteer == volunteer_id)
    return [v.job for v in route.visits if v.kind is StopKind.DOOR]


def test_single_round_is_the_shortest_tour() -> None:
    day = problem(SQUARE, [volunteer()], [visit("a", 1), visit("b", 2), visit("c", 3)])
    plan = planned(solve(day, FAST), day)
    assert check(day, plan.sequences()).cost == 400
    assert plan.cost == 400
    assert doors(plan, "v1") in (["a", "b", "c"], ["c", "b", "a"])


def test_time_windows_decide_the_order_and_the_waiting() -> None:
    jobs = [visit("a", 1, windows=[(500, 600)]), visit("c", 3, windows=[(0, 150)])]
    day = problem(SQUARE, [volunteer()], jobs)
    plan = planned(solve(day, FAST), day)
    assert doors(plan, "v1") == ["c", "a"]
    route = plan.routes[0]
    assert route.depart == 50  # leaves home as late as the first window allows
    assert route.visits[0].start == 150
    assert route.visits[1].arrival < 500 <= route.visits[1].start  # waits for the window


def test_a_second_time_window_is_used_when_the_first_is_missed() -> None:
    day = problem(SQUARE, [volunteer()], [visit("a", 2, windows=[(0, 50), (300, 400)])])
    plan = planned(solve(day, FAST), day)
    assert plan.routes[0].visits[0].start == 300


def test_capacity_splits_the_work() -> None:
    points = [(0, 0), (10, 0), (20, 0), (30, 0), (40, 0)]
    jobs = [visit(f"j{i}", i, demand=1) for i in range(1, 5)]
    day = problem(points, [volunteer("v1", capacity=2), volunteer("v2", capacity=2)], jobs)
    plan = planned(solve(day, FAST), day)
    assert sorted(len(doors(plan, v)) for v in ("v1", "v2")) == [2, 2]
    assert max(visit.load for route in plan.routes for visit in route.visits) <= 2


def test_pickup_comes_first_on_the_same_route() -> None:
    points = [(0, 0), (100, 0), (50, 0)]  # home, pharmacy, client between them
    job = delivery("med", 1, 2, kind=JobKind.PICKUP_DELIVERY, demand=1)
    day = problem(points, [volunteer("v1"), volunteer("v2", start=2)], [job])
    plan = planned(solve(day, FAST), day)
    route = next(r for r in plan.routes if r.visits)
    assert [v.kind for v in route.visits] == [StopKind.PICKUP, StopKind.DOOR]


def test_max_ride_time_keeps_hot_meals_hot() -> None:
    # Kitchen at 0; clients 300 m away in opposite directions. One volunteer doing both
    # would carry the second meal 300 + 600 s: over a 700 s ride limit.
    points = [(0, 0), (300, 0), (-300, 0)]
    jobs = [
        delivery("m1", 0, 1, max_ride=700, demand=1),
        delivery("m2", 0, 2, max_ride=700, demand=1),
    ]
    one = problem(points, [volunteer()], jobs)
    lonely = planned(solve(one, FAST), one)
    assert len(lonely.unplanned) == 0  # back to the kitchen between them: 0-1-0-2
    route = lonely.routes[0]
    for pickup, door in ((route.visits[i], route.visits[i + 1]) for i in (0, 2)):
        assert door.start - pickup.start <= 700
    two = problem(points, [volunteer("v1"), volunteer("v2")], jobs)
    plan = planned(solve(two, FAST), two)
    assert check(two, plan.sequences()).travel == 1200  # one meal each, straight there


def test_site_service_is_counted_once_for_meals_collected_together() -> None:
    points = [(0, 0), (100, 0), (100, 10)]  # home, kitchen, client at the kitchen's door
    jobs = [delivery("m1", 1, 2, site_service=300), delivery("m2", 1, 2, site_service=300)]
    day = problem(points, [volunteer()], jobs)
    plan = planned(solve(day, FAST), day)
    route = plan.routes[0]
    kinds = [v.kind for v in route.visits]
    assert kinds == [StopKind.PICKUP, StopKind.PICKUP, StopKind.DOOR, StopKind.DOOR]
    assert route.visits[2].arrival == route.visits[0].start + 300 + 10


def test_skills_forbidden_and_pins_choose_the_volunteer() -> None:
    points = [(0, 0), (10, 0)]
    people = [volunteer("near"), volunteer("nurse", skills=frozenset({"medication"}))]
    cases = {
        "skill": visit("skill", 1, skills=frozenset({"medication"})),
        "forbidden": visit("forbidden", 1, forbidden=frozenset({"near", "nurse"})),
    }
    day = problem(points, people, [cases["skill"]])
    assert doors(planned(solve(day, FAST), day), "nurse") == ["skill"]
    pinned = visit("pin", 1, pinned_to="nurse")
    day = problem(points, [volunteer("near"), volunteer("nurse", start=1)], [pinned])
    assert doors(planned(solve(day, FAST), day), "nurse") == ["pin"]
    day = problem(points, people, [cases["forbidden"]])
    plan = solve(day, FAST)
    assert [u.reason for u in plan.unplanned] == [Reason.NO_ALLOWED_VOLUNTEER]


def test_an_overfull_day_keeps_the_most_important_jobs() -> None:
    points = [(0, 0), (100, 0), (-100, 0)]
    jobs = [visit("low", 1, priority=1, service=400), visit("high", 2, priority=5, service=400)]
    day = problem(points, [volunteer(shift=TimeWindow(0, 700))], jobs)
    plan = planned(solve(day, FAST), day)
    assert doors(plan, "v1") == ["high"]
    assert [(u.job, u.reason) for u in plan.unplanned] == [("low", Reason.NO_TIME_LEFT)]


@pytest.fixture(params=["own matrices", "node per price"])
def prices(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Soft prices go into each volunteer's cost matrix on small days and into one door node
    per price on large ones: both must keep continuity and minimal change."""
    if request.param == "node per price":
        monkeypatch.setattr("routing.search.model.OWN_PRICES_LIMIT", 0)


@pytest.mark.usefixtures("prices")
def test_continuity_prefers_the_volunteer_the_client_knows() -> None:
    points = [(40, 0), (50, 0), (65, 0)]  # "known" lives a little further away
    job = visit("lunch", 1, preferred=("known",))
    people = [volunteer("near", start=0), volunteer("known", start=2)]
    soft = problem(points, people, [job], weights=Weights(continuity=600, balance=0, change=0))
    assert doors(planned(solve(soft, FAST), soft), "known") == ["lunch"]
    off = problem([(40, 0), (50, 0), (500, 0)], people, [job])
    assert doors(planned(solve(off, FAST), off), "near") == ["lunch"]  # continuity is soft


@pytest.mark.usefixtures("prices")
def test_a_volunteer_of_the_clients_own_team_is_preferred_below_one_the_client_knows() -> None:
    points = [(40, 0), (50, 0), (65, 0)]  # the team's volunteer a little further away
    job = visit("lunch", 1, team=frozenset({"team"}))
    people = [volunteer("near", start=0), volunteer("team", start=2)]
    weights = Weights(continuity=600, team=300, balance=0, change=0)
    teamed = problem(points, people, [job], weights=weights)
    solution = solve(teamed, FAST)
    assert doors(planned(solution, teamed), "team") == ["lunch"]
    assert check(teamed, solution.sequences()).team_misses == 0
    # Someone the client knows outranks the team; and the team is soft.
    known = replace(job, preferred=("near",))
    both = problem(points, people, [known], weights=weights)
    assert doors(planned(solve(both, FAST), both), "near") == ["lunch"]
    far = problem([(40, 0), (50, 0), (500, 0)], people, [job], weights=weights)
    outside = solve(far, FAST)
    assert doors(planned(outside, far), "near") == ["lunch"]
    assert check(far, outside.sequences()).team_misses == 1


def test_balance_spreads_stops_unless_it_costs_too_much() -> None:
    points = [(0, 0), *((x, 1) for x in range(1, 9)), (40, 0)]
    jobs = [visit(f"j{i}", i) for i in range(1, 9)]
    people = [volunteer("a", start=0), volunteer("b", start=9)]
    greedy = problem(points, people, jobs)
    counts = sorted(len(doors(planned(solve(greedy, FAST), greedy), v)) for v in ("a", "b"))
    weights = Weights(continuity=0, balance=100, balance_slack=0, change=0)
    fair = problem(points, people, jobs, weights=weights)
    balanced = sorted(len(doors(planned(solve(fair, FAST), fair), v)) for v in ("a", "b"))
    assert counts == [0, 8]
    assert balanced == [4, 4]


def test_each_volunteer_travels_at_their_own_pace() -> None:
    points = [(0, 0), (600, 0)]
    job = visit("early", 1, windows=[(0, 700)])
    day = problem(points, [volunteer("slow", pace=1.5), volunteer("fast", pace=1.0)], [job])
    assert doors(planned(solve(day, FAST), day), "fast") == ["early"]
    slow_only = problem(points, [volunteer("slow", pace=1.5)], [job])
    assert [u.reason for u in solve(slow_only, FAST).unplanned] == [Reason.WINDOW_UNREACHABLE]


def test_stop_limits_working_time_and_shifts_are_kept() -> None:
    points = [(0, 0), (10, 0), (20, 0), (30, 0)]
    jobs = [visit(f"j{i}", i) for i in (1, 2, 3)]
    day = problem(points, [volunteer("a", max_stops=1), volunteer("b", max_stops=2)], jobs)
    plan = planned(solve(day, FAST), day)
    assert (len(doors(plan, "a")), len(doors(plan, "b"))) == (1, 2)
    short = problem(points, [volunteer("a", max_work=45)], jobs)
    plan = planned(solve(short, FAST), short)
    assert doors(plan, "a") in (["j1", "j2"], ["j2", "j1"])
    route = plan.routes[0]
    assert route.arrive - route.depart <= 45
    late = problem(points, [volunteer("a", shift=TimeWindow(1000, 1045))], jobs)
    route = planned(solve(late, FAST), late).routes[0]
    assert route.depart >= 1000
    assert route.arrive <= 1045


@pytest.mark.usefixtures("prices")
def test_warm_start_keeps_pins_and_moves_little() -> None:
    points = [(0, 0), *((x * 10, 5) for x in range(1, 7)), (70, 0)]
    jobs = [visit(f"j{i}", i) for i in range(1, 7)]
    people = [volunteer("a", start=0), volunteer("b", start=7)]
    weights = Weights(continuity=0, balance=0, change=900)
    first = solve(problem(points, people, jobs, weights=weights), FAST)
    pinned = [visit(j.id, j.door.location, pinned_to="b") if j.id == "j1" else j for j in jobs]
    again = problem(points, people, pinned, weights=weights)
    plan = planned(solve(again, SolveParams(time_limit=2, initial=first.sequences())), again)
    assert plan.warm_started
    assert plan.assignment()["j1"] == "b"
    assert moved_jobs(first.sequences(), plan.sequences()) <= {"j1"}


def test_warm_start_from_a_plan_that_no_longer_fits_starts_cold() -> None:
    points = [(0, 0), (10, 0)]
    job = visit("j", 1)
    stale = {"gone": [Step("j")], "v1": [Step("unknown")]}
    day = problem(points, [volunteer()], [job])
    plan = planned(solve(day, SolveParams(time_limit=1, initial=stale)), day)
    assert plan.assignment() == {"j": "v1"}


def test_progress_reports_improving_costs() -> None:
    points = [(0, 0), *((x * 7 % 50, x * 13 % 50) for x in range(1, 15))]
    day = problem(
        points, [volunteer("a"), volunteer("b")], [visit(f"j{i}", i) for i in range(1, 15)]
    )
    seen: list[Progress] = []
    plan = planned(solve(day, SolveParams(time_limit=1), on_progress=seen.append), day)
    assert seen
    assert [p.cost for p in seen] == sorted((p.cost for p in seen), reverse=True)
    assert seen[-1].cost == plan.cost
    assert seen[-1].planned == len(plan.assignment()) == 14  # jobs on routes, as it goes


def test_a_solution_limit_makes_plans_reproducible() -> None:
    points = [(0, 0), *((x * 17 % 97, x * 31 % 89) for x in range(1, 25))]
    day = problem(
        points,
        [volunteer("a", capacity=8), volunteer("b", capacity=8), volunteer("c", capacity=8)],
        [visit(f"j{i}", i, demand=1) for i in range(1, 25)],
    )
    params = SolveParams(time_limit=30, solution_limit=50)
    assert solve(day, params).sequences() == solve(day, params).sequences()


def test_two_cores_plan_alike_on_any_machine_each_search_going_on_from_the_cheaper_plan() -> None:
    """Each search is capped by solutions, not time: the plan is the same on any machine. At
    the handover to groups of routes both searches go on from the cheaper of their two plans,
    and the seed whose plan that was does what it would alone: the plan is never dearer than
    that seed's alone."""
    points = [(0, 0), *((x * 17 % 97, x * 31 % 89) for x in range(1, 31))]
    day = problem(
        points,
        [volunteer(name, capacity=8) for name in "abcdefg"],
        [visit(f"j{i}", i, demand=1, windows=[(0, 3000)]) for i in range(1, 31)],
    )
    alone = [solve(day, SolveParams(time_limit=30, solution_limit=200, seed=s)) for s in (0, 1)]
    assert alone[0].cost != alone[1].cost  # the seeds search differently
    params = SolveParams(time_limit=30, solution_limit=200, cores=2)
    both = solve(day, params)
    assert solve(day, params).sequences() == both.sequences()
    assert both.cost <= max(plan.cost for plan in alone)
    assert check(day, both.sequences()).feasible
    assert len(both.assignment()) == 30


def test_a_day_never_solved_before_plans_on_two_cores() -> None:
    """The day goes to the other process while this one starts searching it: its cached
    values were filled during the sending and the solve failed (seen on Solomon at 10 s)."""
    # Many places (large matrices take a while to send), few of them visited.
    points = [(0, 0), *((x * 13 % 83, x * 29 % 71) for x in range(1, 1200))]
    for seed in range(3):
        day = problem(  # fresh each time: nothing of it computed yet
            points,
            [volunteer(name, capacity=10) for name in "abcdef"],
            [visit(f"j{i}", i, demand=1, windows=[(0, 4000)]) for i in range(1, 41)],
        )
        plan = solve(day, SolveParams(time_limit=2, seed=seed, cores=2))
        assert check(day, plan.sequences()).feasible
        assert len(plan.assignment()) == 40


def test_a_day_without_volunteers_explains_every_job() -> None:
    day = problem(SQUARE, [], [visit("a", 1), visit("b", 2)])
    plan = solve(day, FAST)
    assert [(u.job, u.reason) for u in plan.unplanned] == [
        ("a", Reason.NO_VOLUNTEERS),
        ("b", Reason.NO_VOLUNTEERS),
    ]


def test_different_travel_modes_use_their_own_matrix() -> None:
    points = [(0, 0), (1000, 0)]
    walk = plane(points)
    car = type(walk)(walk.durations // 5, walk.distances)
    job = visit("far", 1, windows=[(0, 300)])
    people = [volunteer("walker", profile="walk"), volunteer("driver", profile="car")]
    day = problem(points, people, [job], matrices={"walk": walk, "car": car})
    assert doors(planned(solve(day, FAST), day), "driver") == ["far"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_limit", 0, "time limit"),
        ("solution_limit", 0, "solution limit"),
        ("first_solution", "BEST", "first-solution"),
        ("metaheuristic", "MAGIC", "metaheuristic"),
        ("cores", 0, "core"),
    ],
)
def test_bad_search_settings_are_refused(field: str, value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SolveParams(**({"time_limit": 1} | {field: value}))  # type: ignore[arg-type]


def test_a_day_too_large_for_one_insertion_pass_is_planned_piece_by_piece() -> None:
    """300 hot meals from three kitchens: the first plan comes from neighbourhoods planned
    alone (routing/split.py), then the whole day is searched from it.

    8 s, not 4: on the thirteenth session's machine 4 s planned all 300 in 1 of 6 runs (202 to
    299 in the others; the first pieces, 0.9 s in all, placed 154 to 258 in nine runs), 8 s in
    9 of 9, 4 of them beside another solve."""
    points: list[tuple[float, float]] = []
    people = []
    jobs = []
    lunch = [(11 * 3600, 13 * 3600)]
    shift = TimeWindow(10 * 3600, 14 * 3600)
    for town, x0 in enumerate((0, 3000, 6000)):
        kitchen = len(points)
        points.append((x0, 0))
        crew = []
        for n in range(12):
            crew.append(f"v{town}-{n}")
            people.append(volunteer(crew[-1], start=len(points), shift=shift, capacity=6))
            points.append((x0 + 41 * n % 500, 67 * n % 500))
        for n in range(100):
            preferred = (crew[n % len(crew)],)
            meal = delivery(f"m{town}-{n}", kitchen, len(points), door_windows=lunch)
            jobs.append(replace(meal, max_ride=45 * 60, demand=1, preferred=preferred))
            points.append((x0 + 73 * n % 600, 31 * n % 600))
    weights = Weights(continuity=600, balance=300, change=900)
    day = problem(points, people, jobs, weights=weights)
    seen: list[Progress] = []
    plan = planned(solve(day, SolveParams(time_limit=8), on_progress=seen.append), day)
    assert len(plan.assignment()) == 300
    assert seen[-1].cost == plan.cost


def test_a_large_day_is_improved_a_few_routes_at_a_time() -> None:
    """300 home visits in three towns, 8 s: after the pieces, groups of nearby routes are
    planned again until the end (routing/search/pieces.py), and the plan is the one last
    reported."""
    points: list[tuple[float, float]] = []
    people = []
    jobs = []
    shift = TimeWindow(8 * 3600, 16 * 3600)
    for town in range(3):
        x0, y0 = 4000 * (town % 3), 4000 * (town // 3)
        for n in range(10):
            people.append(volunteer(f"v{town}-{n}", start=len(points), shift=shift))
            points.append((x0 + 43 * n % 500, y0 + 61 * n % 500))
        for n in range(100):
            windows = [(9 * 3600 + 1800 * (n % 8), 11 * 3600 + 1800 * (n % 8))]
            jobs.append(visit(f"j{town}-{n}", len(points), windows=windows, service=300))
            points.append((x0 + 97 * n % 900, y0 + 53 * n % 900))
    day = problem(points, people, jobs)
    seen: list[Progress] = []
    plan = planned(solve(day, SolveParams(time_limit=8), on_progress=seen.append), day)
    assert len(plan.assignment()) == 300
    assert seen[-1].cost == plan.cost
    # The pieces end at 30% of the limit (2.4 s): the groups of routes improved on them.
    assert any(progress.seconds > 2.4 for progress in seen)


def test_a_small_day_is_searched_whole_then_a_few_routes_at_a_time() -> None:
    """20 hot meals from one kitchen and 120 home visits, 20 s: the whole day's search has
    half the time, then groups of nearby routes are searched afresh (routing/search/pieces.py);
    the plan is the one last reported and the times on it keep every meal's ride.

    Whether the search went on is seen only when a group finds a cheaper plan, reported as
    the group ends (2 s each). The day once held 80 meals and nothing else: there the groups
    seldom found one (none in 3 of 4 runs) and the test failed a CI run. With the visits, at
    8 s (about two groups) a CI run still failed once in some thirty, and at 12 s (three
    groups, two of which found a cheaper plan in each of 4 runs here) once in about thirty
    fresh-clone runs again. 20 s gives the groups five: 3 of the first 4 found one in each of
    4 runs here; a CI run failed on it once more (2026-12-01), so a run whose groups found
    nothing cheaper is followed by a second: both searching on unseen is the failure."""
    points: list[tuple[float, float]] = [(0, 0)]
    shift = TimeWindow(9 * 3600, 14 * 3600)
    people = []
    for n in range(14):
        people.append(volunteer(f"v{n}", start=len(points), shift=shift, capacity=5))
        points.append((41 * n % 700, 67 * n % 700))
    jobs = []
    for n in range(20):
        lunch = [(11 * 3600 + 900 * (n % 4), 12 * 3600 + 900 * (n % 4))]
        meal = delivery(f"m{n}", 0, len(points), door_windows=lunch)
        jobs.append(replace(meal, max_ride=30 * 60, demand=1))
        points.append((73 * n % 1500, 31 * n % 1500))
    for n in range(120):
        windows = [(9 * 3600 + 1800 * (n % 8), 10 * 3600 + 1800 * (n % 8))]
        jobs.append(visit(f"j{n}", len(points), windows=windows, service=300))
        points.append((97 * n % 1700, 53 * n % 1300))
    day = problem(points, people, jobs)
    for _run in range(2):
        seen: list[Progress] = []
        plan = planned(solve(day, SolveParams(time_limit=20), on_progress=seen.append), day)
        assert len(plan.assignment()) + len(plan.unplanned) == 140
        assert seen[-1].cost == plan.cost
        _keeps_every_ride(plan)
        # The window ends at 19.5 s and the whole day's search at half of it: the search goes
        # on, seen when one of its groups finds a cheaper plan.
        if any(progress.seconds > 9.75 for progress in seen):
            return
    pytest.fail("twice no group found a cheaper plan after the whole day's search")


def _keeps_every_ride(plan: Plan) -> None:
    # Times from the checker (groups' plans), not OR-Tools': a meal is not collected early.
    rides = [
        door.start - collected[door.job]
        for route in plan.routes
        for collected in [{v.job: v.start for v in route.visits if v.kind is StopKind.PICKUP}]
        for door in route.visits
        if door.job in collected and door.kind is StopKind.DOOR
    ]
    assert len(rides) == sum(1 for job in plan.assignment() if job.startswith("m"))
    assert max(rides) <= 30 * 60


def test_a_search_out_of_time_at_once_still_reports_the_plan_it_returns() -> None:
    """OR-Tools returns a first plan without calling back when its time is up before the
    search starts; the solver then read an empty history (a demo day planned at 1.5 s on a
    busy CI machine: "list index out of range"). Every plan a run returns is now its last
    progress. Whether OR-Tools reads the routes back in so little time depends on the machine:
    the old code failed this test in 1 of 3 runs here."""
    points: list[tuple[float, float]] = [(0, 0)]
    people = []
    for n in range(6):
        people.append(volunteer(f"v{n}", start=len(points)))
        points.append((41 * n % 700, 67 * n % 700))
    jobs = []
    for n in range(10):
        meal = delivery(f"m{n}", 0, len(points), door_windows=[(11 * 3600, 13 * 3600)])
        jobs.append(replace(meal, max_ride=30 * 60, demand=1))
        points.append((73 * n % 1500, 31 * n % 1500))
    for n in range(30):
        jobs.append(visit(f"j{n}", len(points), windows=[(9 * 3600, 17 * 3600)]))
        points.append((97 * n % 1700, 53 * n % 1300))
    day = problem(points, people, jobs)
    routes = solve(day, FAST).sequences()
    returned = 0
    for seconds in (0.0, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.5):
        model = Model(day, list(day.jobs), SolveParams(time_limit=1))
        history: list[Progress] = []
        now = time.perf_counter()
        plan = run(model, None, now, now + seconds, history, Search(), start=routes)
        if plan is not None:
            returned += 1
            assert history[-1].cost == plan.cost
            assert history[-1].planned == len(plan.assignment())
    assert returned
