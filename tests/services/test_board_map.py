"""The board's map draws each route along the streets its volunteer travels, stop to stop."""

from datetime import date, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from dispatch.board.service import overdue_before, route_ways
from dispatch.planning.schemas import PlanPublic, RoutePublic, StopPublic
from models.enums import TravelMode
from routing import GreatCircle
from routing.matrix.roads import RoadNetwork

EXTRACT = Path(__file__).resolve().parents[2] / "scripts" / "demo" / "nanjing-xinjiekou.osm.pbf"
# A kitchen and two doors a few streets apart in Xinjiekou.
PLACES = [(32.0418, 118.7784), (32.0452, 118.7851), (32.0380, 118.7900)]


def _plan(*routes: tuple[int, int, list[tuple[float, float]]]) -> PlanPublic:
    """A plan as the page reads it, with only what the map uses filled in (unchecked)."""
    stops: Any = StopPublic.model_construct
    route: Any = RoutePublic.model_construct
    plan: Any = PlanPublic.model_construct
    return plan(  # type: ignore[no-any-return]
        routes=[
            route(id=n, volunteer_id=who, stops=[stops(lat=a, lon=b) for a, b in places])
            for n, who, places in routes
        ]
    )


def test_each_route_is_drawn_along_the_streets_through_its_stops_in_order(tmp_path: Path) -> None:
    roads = RoadNetwork(EXTRACT, cache_dir=tmp_path)
    plan = _plan((1, 10, PLACES), (2, 20, PLACES[::-1]), (3, 30, PLACES[:1]))
    ways = route_ways(roads, plan, {10: TravelMode.WALK, 20: TravelMode.CAR})

    assert set(ways) == {1, 2}  # a route of one stop has no way to draw
    walk = roads.graph("walk")
    corners = {
        (round(float(a), 5), round(float(b), 5)) for a, b in zip(walk.lats, walk.lons, strict=True)
    }
    way = ways[1]
    stops = [way.index(place) for place in PLACES]
    assert stops == sorted(stops)
    assert (stops[0], stops[-1]) == (0, len(way) - 1)
    inside = [point for point in way if point not in PLACES]
    assert len(inside) > 10
    assert all(point in corners for point in inside)  # street corners
    assert all(a != b for a, b in pairwise(way))  # nothing drawn twice
    # Longer than the straight lines: it follows the streets.
    steps = np.diff(np.array(way), axis=0)
    straight = np.diff(np.array(PLACES), axis=0)
    assert np.hypot(*steps.T).sum() > 1.1 * np.hypot(*straight.T).sum()
    assert (ways[2][0], ways[2][-1]) == (PLACES[-1], PLACES[0])


def test_without_a_street_map_the_routes_are_drawn_straight() -> None:
    assert route_ways(GreatCircle(), _plan((1, 10, PLACES)), {}) == {}
    assert route_ways(GreatCircle(), None, {}) == {}


def test_a_door_is_overdue_half_an_hour_after_its_time_on_the_day_itself() -> None:
    """The day's page flags doors with nothing recorded half an hour after their planned
    time: only today's, and not in the first half hour after midnight."""
    lunch = datetime(2026, 12, 1, 13, 0)
    assert overdue_before(date(2026, 12, 1), lunch) == "12:30"
    assert overdue_before(date(2026, 12, 2), lunch) is None  # tomorrow: nothing is late
    assert overdue_before(date(2026, 11, 30), lunch) is None  # yesterday's are missed, not late
    assert overdue_before(date(2026, 12, 1), datetime(2026, 12, 1, 0, 10)) is None
