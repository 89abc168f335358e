"""What client records take and answer over HTTP."""

from datetime import date

from pydantic import BaseModel
from sqlmodel import Field

from dispatch.crud.schemas import ListQuery, RecordPublic, RecordUpdate
from models.client import ClientBase, Gender
from models.enums import ClientStatus, Datum, Diet, Disability, GeocodeStatus, Mobility
from models.station import GeocodeState, Latitude, Longitude
from models.validation import LocalTime, Name, Phone


class ClientCreate(ClientBase):
    station_id: int


class ClientUpdate(RecordUpdate):
    external_id: str | None = Field(default=None, max_length=64)
    name: Name | None = Field(default=None, max_length=60)
    phone: Phone | None = Field(default=None, max_length=20)
    address: str | None = Field(default=None, max_length=300)
    lat: Latitude | None = None
    lon: Longitude | None = None
    source_datum: Datum | None = None
    birth_year: int | None = Field(default=None, ge=1900, le=2030)
    gender: Gender | None = None
    floor: int | None = Field(default=None, ge=-5, le=120)
    has_lift: bool | None = None
    key_box: str | None = Field(default=None, max_length=200)
    has_dog: bool | None = None
    access_notes: str | None = Field(default=None, max_length=1000)
    diet: Diet | None = None
    allergies: list[str] | None = None
    mobility: Mobility | None = None
    disability: Disability | None = None
    lives_alone: bool | None = None
    language: str | None = Field(default=None, max_length=40)
    preferred_window_start: LocalTime | None = None
    preferred_window_end: LocalTime | None = None
    emergency_contact_name: str | None = Field(default=None, max_length=60)
    emergency_contact_phone: Phone | None = Field(default=None, max_length=20)
    emergency_contact_relation: str | None = Field(default=None, max_length=30)
    health_notes: str | None = Field(default=None, max_length=2000)
    preferred_volunteer_ids: list[int] | None = None
    excluded_volunteer_ids: list[int] | None = None
    status: ClientStatus | None = None
    status_from: date | None = None
    status_until: date | None = None
    status_reason: str | None = Field(default=None, max_length=200)
    away_answered_on: date | None = None
    notes: str | None = Field(default=None, max_length=2000)
    team_id: int | None = None


class ClientPublic(ClientBase, GeocodeState, RecordPublic):
    station_id: int


class ClientFilters(ListQuery):
    team_id: int | None = None
    status: ClientStatus | None = None
    diet: Diet | None = None
    lives_alone: bool | None = None
    geocode_status: GeocodeStatus | None = None


class DeliveryCard(BaseModel):
    client_id: int
    code: str
