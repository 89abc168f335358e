"""What volunteer and availability records take and answer over HTTP."""

from datetime import date

from sqlmodel import Field

from dispatch.crud.schemas import ListQuery, RecordPublic, RecordUpdate
from models.enums import AvailabilityKind, Datum, GeocodeStatus, TravelMode
from models.station import GeocodeState, Latitude, Longitude
from models.validation import LocalTime, Name, Phone
from models.volunteer import AvailabilityBase, VolunteerBase


class VolunteerCreate(VolunteerBase):
    station_id: int


class VolunteerUpdate(RecordUpdate):
    external_id: str | None = Field(default=None, max_length=64)
    name: Name | None = Field(default=None, max_length=60)
    phone: Phone | None = Field(default=None, max_length=20)
    home_address: str | None = Field(default=None, max_length=300)
    lat: Latitude | None = None
    lon: Longitude | None = None
    source_datum: Datum | None = None
    travel_mode: TravelMode | None = None
    capacity_meals: int | None = Field(default=None, ge=0, le=200)
    skills: list[str] | None = None
    max_hours_per_day: float | None = Field(default=None, gt=0, le=16)
    max_stops_per_day: int | None = Field(default=None, ge=1, le=200)
    vetted_on: date | None = None
    active: bool | None = None
    notes: str | None = Field(default=None, max_length=2000)
    client_id: int | None = None
    team_id: int | None = None


class VolunteerPublic(VolunteerBase, GeocodeState, RecordPublic):
    station_id: int


class AvailabilityCreate(AvailabilityBase):
    volunteer_id: int


class AvailabilityUpdate(RecordUpdate):
    kind: AvailabilityKind | None = None
    weekday: int | None = Field(default=None, ge=0, le=6)
    date_from: date | None = None
    date_to: date | None = None
    start_time: LocalTime | None = None
    end_time: LocalTime | None = None
    note: str | None = Field(default=None, max_length=300)


class AvailabilityPublic(AvailabilityBase, RecordPublic):
    station_id: int
    volunteer_id: int


class VolunteerFilters(ListQuery):
    team_id: int | None = None
    travel_mode: TravelMode | None = None
    active: bool | None = None
    geocode_status: GeocodeStatus | None = None


class AvailabilityFilters(ListQuery):
    volunteer_id: int | None = None
    kind: AvailabilityKind | None = None
