"""What the board's map draws of a plan beyond its stops: each route's way along the streets."""

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from itertools import pairwise

from dispatch.planning.schemas import PlanPublic
from models.enums import TravelMode
from routing import Location, MatrixProvider
from routing.matrix.roads import RoadNetwork

Way = list[tuple[float, float]]
Leg = tuple[Location, Location]


def route_ways(
    travel: MatrixProvider, plan: PlanPublic | None, modes: Mapping[int, TravelMode]
) -> dict[int, Way]:
    """Each route's way from stop to stop along the streets its volunteer travels (`modes`,
    by volunteer; walking where not known), by route id; none without a street map."""
    if plan is None or not isinstance(travel, RoadNetwork):
        return {}
    legs_by_mode: dict[str, list[Leg]] = defaultdict(list)
    owners: dict[str, list[int]] = defaultdict(list)  # the route of each leg, in order
    for route in plan.routes:
        places = [
            Location(s.lat, s.lon) for s in route.stops if s.lat is not None and s.lon is not None
        ]
        mode = TravelMode(modes.get(route.volunteer_id, TravelMode.WALK)).value
        for leg in pairwise(places):
            legs_by_mode[mode].append(leg)
            owners[mode].append(route.id)
    ways: dict[int, Way] = defaultdict(list)
    for mode, legs in legs_by_mode.items():  # one search of the streets per mode
        for route_id, drawn in zip(owners[mode], travel.ways(legs, mode), strict=True):
            way = ways[route_id]
            for lat, lon in drawn:
                point = (round(lat, 5), round(lon, 5))
                if not way or way[-1] != point:  # a leg starts where the one before ended
                    way.append(point)
    return dict(ways)


# A door this long past its planned time with nothing recorded: its volunteer is behind.
LATE_AFTER = timedelta(minutes=30)


def overdue_before(day: date, now: datetime) -> str | None:
    """The planned time ("HH:MM") before which a door of `day` with nothing recorded is
    overdue at `now` (the station's local time); None on any other day than today."""
    late = now - LATE_AFTER
    return late.strftime("%H:%M") if late.date() == day == now.date() else None
