"""The household file: one client, their needs, access notes and who may visit them."""

from datetime import date
from typing import Literal, Self

from pydantic import model_validator
from sqlalchemy import JSON, String
from sqlmodel import Field

from models.common import EnumText, TableBase
from models.enums import ClientStatus, Diet, Disability, Mobility
from models.station import GeocodedMixin, GeocodeState
from models.validation import LocalTime, Name, Phone, Refusal, check_window

Gender = Literal["female", "male", "other"]


class ClientBase(GeocodedMixin):
    external_id: str | None = Field(default=None, max_length=64, index=True)
    name: Name = Field(max_length=60, index=True)
    phone: Phone | None = Field(default=None, max_length=20, index=True)
    address: str = Field(default="", max_length=300)
    birth_year: int | None = Field(default=None, ge=1900, le=2030)
    gender: Gender | None = Field(default=None, sa_type=String(10))
    # Household and access notes the volunteer needs at the door.
    floor: int | None = Field(default=None, ge=-5, le=120)
    has_lift: bool | None = None
    key_box: str = Field(default="", max_length=200)
    has_dog: bool = False
    access_notes: str = Field(default="", max_length=1000)
    # Needs.
    diet: Diet = Field(default=Diet.REGULAR, sa_type=EnumText(Diet, 20))
    allergies: list[str] = Field(default_factory=list, sa_type=JSON)
    mobility: Mobility = Field(default=Mobility.INDEPENDENT, sa_type=EnumText(Mobility, 20))
    disability: Disability = Field(default=Disability.NONE, sa_type=EnumText(Disability, 20))
    lives_alone: bool = False
    language: str = Field(default="", max_length=40)  # e.g. 南京话, 普通话
    preferred_window_start: LocalTime | None = None
    preferred_window_end: LocalTime | None = None
    # Private: shown to coordinators only, never to volunteers.
    emergency_contact_name: str = Field(default="", max_length=60)
    emergency_contact_phone: Phone | None = Field(default=None, max_length=20)
    emergency_contact_relation: str = Field(default="", max_length=30)
    health_notes: str = Field(default="", max_length=2000)
    # Continuity: who the client knows, and who must never be sent.
    preferred_volunteer_ids: list[int] = Field(default_factory=list, sa_type=JSON)
    excluded_volunteer_ids: list[int] = Field(default_factory=list, sa_type=JSON)
    status: ClientStatus = Field(default=ClientStatus.ACTIVE, sa_type=EnumText(ClientStatus, 20))
    status_from: date | None = None
    status_until: date | None = None  # e.g. expected return from hospital
    status_reason: str = Field(default="", max_length=200)
    # A coordinator heard the client is home after all: what the doors said up to this day
    # (not home, in hospital) is answered and no longer offers a pause.
    away_answered_on: date | None = None
    notes: str = Field(default="", max_length=2000)
    # The station's team (or village point) the client belongs to: its volunteers are
    # preferred for the client's stops (soft, below the volunteers the client knows).
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        check_window(self.preferred_window_start, self.preferred_window_end, "preferred window")
        if (
            self.status_from is not None
            and self.status_until is not None
            and self.status_until < self.status_from
        ):
            raise Refusal("the status ends before it starts")
        both = set(self.preferred_volunteer_ids) & set(self.excluded_volunteer_ids)
        if both:
            raise Refusal("volunteers %(ids)s are both preferred and excluded", ids=sorted(both))
        return self


class Client(ClientBase, GeocodeState, TableBase, table=True):
    station_id: int = Field(foreign_key="station.id", index=True)
    # The code on the client's card (proof of delivery). A new card gets a new code, so a
    # lost card stops working; never shown to volunteers.
    card_code: str | None = Field(default=None, max_length=20)
