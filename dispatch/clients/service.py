"""The household files of a station's clients."""

import secrets
from typing import Any

from sqlmodel import Session

from dispatch.access import Action, Principal, Resource, require, sees_private_notes
from dispatch.audit import chain
from dispatch.clients.schemas import ClientCreate, ClientPublic, ClientUpdate
from dispatch.crud.repository import RecordRepository
from dispatch.crud.service import RecordService
from dispatch.errors import InvalidInput
from dispatch.geocoding.service import Geocoder, apply_location
from dispatch.i18n import N_
from dispatch.teams.service import check_team
from models import Client, Station, Volunteer

volunteer_repository = RecordRepository(Volunteer)
# What a reader without the right sees of a client's private notes.
_PRIVATE = {
    "emergency_contact_name": "",
    "emergency_contact_phone": None,
    "emergency_contact_relation": "",
    "health_notes": "",
}
# No 0/O or 1/I: the code is read aloud at the door and typed on a phone.
CARD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CARD_CODE_LENGTH = 6


class ClientService(RecordService[Client, ClientCreate, ClientUpdate]):
    resource = Resource.CLIENT

    def __init__(self, geocoder: Geocoder | None, *, defer_geocoding: bool = False) -> None:
        super().__init__(
            RecordRepository(Client, search_columns=("name", "phone", "address", "external_id")),
            ClientCreate,
        )
        self.geocoder = geocoder
        self.defer_geocoding = defer_geocoding

    def public(self, session: Session, principal: Principal, row: Client) -> Any:
        station = session.get(Station, row.station_id)
        if station is not None and sees_private_notes(principal, station):
            return row
        return ClientPublic.model_validate(row).model_copy(update=_PRIVATE)

    def check_references(
        self, session: Session, station_id: int | None, values: dict[str, Any]
    ) -> None:
        check_team(session, station_id, values.get("team_id"))
        for field in ("preferred_volunteer_ids", "excluded_volunteer_ids"):
            for volunteer_id in values.get(field) or []:
                volunteer = volunteer_repository.get(session, volunteer_id)
                if volunteer is None or volunteer.station_id != station_id:
                    raise InvalidInput.field(
                        field,
                        N_("volunteer %(volunteer)s is not a volunteer of this station"),
                        volunteer=volunteer_id,
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

    def issue_card(self, session: Session, principal: Principal, client_id: int) -> Client:
        """A new delivery card for the client: a new code, and the old card stops working."""
        require(principal, self.resource, Action.UPDATE)
        client = self.get(session, principal, client_id)
        client.card_code = "".join(secrets.choice(CARD_ALPHABET) for _ in range(CARD_CODE_LENGTH))
        session.add(client)
        session.flush()
        # The code itself stays out of the trail: the trail is read more widely than the card.
        chain.record(
            session,
            principal,
            action="issue_card",
            entity="client",
            entity_id=client_id,
            station_id=client.station_id,
            changes={"card_code": ["…", "new"]},
        )
        return client
