"""Volunteers and their availability (weekly slots, leave, extra days)."""

from typing import Any

from sqlmodel import Session

from dispatch.access import Principal, Resource, in_scope
from dispatch.crud.repository import RecordRepository
from dispatch.crud.service import RecordService
from dispatch.errors import NotFound
from dispatch.geocoding.service import Geocoder, apply_location
from dispatch.volunteers.schemas import (
    AvailabilityCreate,
    AvailabilityUpdate,
    VolunteerCreate,
    VolunteerUpdate,
)
from models import Availability, Volunteer


class VolunteerService(RecordService[Volunteer, VolunteerCreate, VolunteerUpdate]):
    resource = Resource.VOLUNTEER

    def __init__(self, geocoder: Geocoder | None, *, defer_geocoding: bool = False) -> None:
        super().__init__(
            RecordRepository(Volunteer, search_columns=("name", "phone", "external_id")),
            VolunteerCreate,
        )
        self.geocoder = geocoder
        self.defer_geocoding = defer_geocoding

    def prepare(
        self, session: Session, principal: Principal, values: dict[str, Any], changed: set[str]
    ) -> None:
        apply_location(
            session,
            self.geocoder,
            values,
            changed,
            address_field="home_address",
            manual_source=principal.interface,
            defer=self.defer_geocoding,
        )


class AvailabilityService(RecordService[Availability, AvailabilityCreate, AvailabilityUpdate]):
    resource = Resource.AVAILABILITY

    def __init__(self) -> None:
        super().__init__(
            RecordRepository(
                Availability,
                search_columns=("note",),
                order_by=("volunteer_id", "kind", "weekday", "date_from", "start_time", "id"),
            ),
            AvailabilityCreate,
        )

    def station_of_new(
        self, session: Session, principal: Principal, data: AvailabilityCreate
    ) -> int:
        volunteer = session.get(Volunteer, data.volunteer_id)
        if volunteer is None or not in_scope(
            principal, Resource.VOLUNTEER, volunteer.station_id, volunteer
        ):
            raise NotFound("volunteer", data.volunteer_id)
        return volunteer.station_id
