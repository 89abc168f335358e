"""The services of one running CareRoute, built once with their collaborators."""

from collections.abc import Callable
from dataclasses import dataclass

from dispatch.activities.service import ActivityService, InvitationService
from dispatch.clients.service import ClientService
from dispatch.config import Settings
from dispatch.days.closures import ClosureService
from dispatch.days.menus import MenuService
from dispatch.days.service import DayService
from dispatch.geocoding.service import Geocoder
from dispatch.notifications import service as notices
from dispatch.notifications.service import PreferenceService
from dispatch.planning.edits import PlanEdits
from dispatch.planning.runner import ProcessRunner, Runner
from dispatch.planning.service import JobQueue, PlanningService
from dispatch.schedules.service import ScheduleService
from dispatch.sites.service import SiteService
from dispatch.stations.service import StationService
from dispatch.teams.service import TeamService
from dispatch.volunteers.service import AvailabilityService, VolunteerService
from routing import GreatCircle, MatrixProvider
from routing.matrix.roads import RoadNetwork


@dataclass(frozen=True)
class Services:
    geocoder: Geocoder | None
    travel: MatrixProvider
    stations: StationService
    sites: SiteService
    teams: TeamService
    clients: ClientService
    volunteers: VolunteerService
    availability: AvailabilityService
    schedules: ScheduleService
    closures: ClosureService
    menus: MenuService
    days: DayService
    planning: PlanningService
    plan_edits: PlanEdits
    preferences: PreferenceService
    activities: ActivityService
    invitations: InvitationService


def build_services(
    geocoder: Geocoder | None,
    travel: MatrixProvider | None = None,
    runner: Runner | None = None,
    queue: JobQueue | None = None,
    planner_cores: int = 1,
) -> Services:
    """`travel`: road-network matrices when the station has a map extract; straight lines
    with detour factors otherwise. `queue`: planning jobs go to workers through it.
    `planner_cores`: searches side by side for each plan (Settings.planner_cores)."""
    stations = StationService()
    days = DayService(stations)
    travel = travel or GreatCircle()
    return Services(
        geocoder=geocoder,
        travel=travel,
        stations=stations,
        sites=SiteService(),
        teams=TeamService(),
        clients=ClientService(geocoder),
        volunteers=VolunteerService(geocoder),
        availability=AvailabilityService(),
        schedules=ScheduleService(),
        closures=ClosureService(),
        menus=MenuService(),
        days=days,
        planning=PlanningService(runner or ProcessRunner(), travel, days, queue, planner_cores),
        plan_edits=PlanEdits(travel, days, on_publish=[notices.plan_published]),
        preferences=PreferenceService(),
        activities=ActivityService(),
        invitations=InvitationService(),
    )


def travel_matrices(settings: Settings) -> MatrixProvider:
    """Street travel times from the configured map extract, else straight lines."""
    if settings.map_extract is None:
        return GreatCircle()
    return RoadNetwork(settings.map_extract, cache_dir=settings.data_dir / "roads")


def planning_queue(settings: Settings) -> JobQueue | None:
    """The planning queue when a broker is configured: servers then only enqueue."""
    if not settings.broker_url:
        return None
    from dispatch.planning.queue import CeleryQueue  # Celery only where it is used

    return CeleryQueue(settings)


def sender_waker(settings: Settings) -> Callable[[], None] | None:
    """With a broker: what wakes a worker's notification sender when messages were written
    (without one, a server's own sender is woken, set at its start)."""
    if not settings.broker_url:
        return None
    from dispatch.planning.queue import CeleryQueue

    return CeleryQueue(settings).wake_sender
