"""Volunteers and their availability (weekly slots, leave, extra days)."""

from datetime import date
from typing import Any

from sqlmodel import Session

from dispatch.access import Principal, Resource, in_scope
from dispatch.crud.repository import RecordRepository
from dispatch.crud.service import RecordService
from dispatch.errors import InvalidInput, NotFound
from dispatch.geocoding.service import Geocoder, apply_location
from dispatch.i18n import N_
from dispatch.teams.service import check_team
from dispatch.volunteers import repository
from dispatch.volunteers.schemas import (
    AvailabilityCreate,
    AvailabilityUpdate,
    VolunteerCreate,
    VolunteerUpdate,
)
from models import Availability, Client, Volunteer
from models.enums import AvailabilityKind


class VolunteerService(RecordService[Volunteer, VolunteerCreate, VolunteerUpdate]):
    resource = Resource.VOLUNTEER

    def __init__(self, geocoder: Geocoder | None, *, defer_geocoding: bool = False) -> None:
        super().__init__(
            RecordRepository(Volunteer, search_columns=("name", "phone", "external_id")),
            VolunteerCreate,
        )
        self.geocoder = geocoder
        self.defer_geocoding = defer_geocoding

    def of_client(self, session: Session, principal: Principal, client_id: int) -> Volunteer | None:
        """The volunteer record of a client who volunteers, where the principal may read it."""
        found = repository.volunteer_of_client(session, client_id)
        if found is None or not in_scope(principal, self.resource, found.station_id, found):
            return None
        return found

    def check_references(
        self, session: Session, station_id: int | None, values: dict[str, Any]
    ) -> None:
        check_team(session, station_id, values.get("team_id"))
        client_id = values.get("client_id")
        if client_id is None:
            return
        client = session.get(Client, client_id)
        if client is None or client.station_id != station_id:
            raise InvalidInput.field(
                "client_id",
                N_("client %(client)s is not a client of this station"),
                client=client_id,
            )
        other = repository.volunteer_of_client(session, client_id)
        if other is not None and other.id != values.get("id"):
            raise InvalidInput.field(
                "client_id",
                N_("client %(client)s is volunteer %(volunteer)s already"),
                client=client_id,
                volunteer=other.id,
            )

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

    def runs_from(self, row: Availability, day: date) -> bool:
        """A weekly slot always; leave or an extra day not over before `day`."""
        if row.kind is AvailabilityKind.WEEKLY:
            return True
        last = row.date_to or row.date_from
        return last is None or last >= day

    def station_of_new(
        self, session: Session, principal: Principal, data: AvailabilityCreate
    ) -> int:
        volunteer = session.get(Volunteer, data.volunteer_id)
        if volunteer is None or not in_scope(
            principal, Resource.VOLUNTEER, volunteer.station_id, volunteer
        ):
            raise NotFound("volunteer", data.volunteer_id)
        return volunteer.station_id
