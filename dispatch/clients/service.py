"""The household files of a station's clients."""

from typing import Any

from sqlmodel import Session

from dispatch.access import Principal, Resource
from dispatch.errors import InvalidInput
from dispatch.geocoding.service import Geocoder, apply_location
from dispatch.records.repository import RecordRepository
from dispatch.records.service import RecordService
from models import Client, ClientCreate, ClientUpdate, Volunteer

volunteer_repository = RecordRepository(Volunteer)


class ClientService(RecordService[Client, ClientCreate, ClientUpdate]):
    resource = Resource.CLIENT

    def __init__(self, geocoder: Geocoder | None, *, defer_geocoding: bool = False) -> None:
        super().__init__(
            RecordRepository(Client, search_columns=("name", "phone", "address", "external_id")),
            ClientCreate,
        )
        self.geocoder = geocoder
        self.defer_geocoding = defer_geocoding

    def check_references(
        self, session: Session, station_id: int | None, values: dict[str, Any]
    ) -> None:
        for field in ("preferred_volunteer_ids", "excluded_volunteer_ids"):
            for volunteer_id in values.get(field) or []:
                volunteer = volunteer_repository.get(session, volunteer_id)
                if volunteer is None or volunteer.station_id != station_id:
                    raise InvalidInput.field(
                        field, f"volunteer {volunteer_id} is not a volunteer of this station"
                    )

    def prepare(
        self, session: Session, principal: Principal, values: dict[str, Any], changed: set[str]
    ) -> None:
        apply_location(
            session,
            self.geocoder,
            values,
            changed,
            address_field="address",
            manual_source=principal.interface,
            defer=self.defer_geocoding,
        )
