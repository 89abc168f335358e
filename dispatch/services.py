"""The services of one running CareRoute, built once with their collaborators."""

from dataclasses import dataclass

from dispatch.clients.service import ClientService
from dispatch.days.closures import ClosureService
from dispatch.days.service import DayService
from dispatch.geocoding.service import Geocoder
from dispatch.schedules.service import ScheduleService
from dispatch.sites.service import SiteService
from dispatch.stations.service import StationService
from dispatch.volunteers.service import AvailabilityService, VolunteerService


@dataclass(frozen=True)
class Services:
    geocoder: Geocoder | None
    stations: StationService
    sites: SiteService
    clients: ClientService
    volunteers: VolunteerService
    availability: AvailabilityService
    schedules: ScheduleService
    closures: ClosureService
    days: DayService


def build_services(geocoder: Geocoder | None) -> Services:
    return Services(
        geocoder=geocoder,
        stations=StationService(),
        sites=SiteService(),
        clients=ClientService(geocoder),
        volunteers=VolunteerService(geocoder),
        availability=AvailabilityService(),
        schedules=ScheduleService(),
        closures=ClosureService(),
        days=DayService(),
    )
