"""Volunteers, how they travel and what they may do, and when they are free."""

from datetime import date
from typing import Self

from pydantic import model_validator
from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from models.common import EnumText, TableBase
from models.enums import AvailabilityKind, TravelMode
from models.station import GeocodedMixin, GeocodeState
from models.validation import LocalTime, Name, Phone, Refusal, check_window

# Skills the planner understands; stations may add their own (dialects as "dialect:南京话").
KNOWN_SKILLS = ("medicine", "first_aid", "sign_language", "wheelchair", "nursing")


class VolunteerBase(GeocodedMixin):
    external_id: str | None = Field(default=None, max_length=64, index=True)
    name: Name = Field(max_length=60, index=True)
    phone: Phone | None = Field(default=None, max_length=20, index=True)
    home_address: str = Field(default="", max_length=300)
    travel_mode: TravelMode = Field(default=TravelMode.WALK, sa_type=EnumText(TravelMode, 20))
    capacity_meals: int = Field(default=6, ge=0, le=200)
    skills: list[str] = Field(default_factory=list, sa_type=JSON)
    max_hours_per_day: float = Field(default=3.0, gt=0, le=16)
    max_stops_per_day: int = Field(default=15, ge=1, le=200)
    vetted_on: date | None = None
    active: bool = True
    notes: str = Field(default="", max_length=2000)
    # The same person as this client of the station (a client who volunteers): planning
    # never sends them to their own door.
    client_id: int | None = Field(default=None, foreign_key="client.id", unique=True)
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)


class Volunteer(VolunteerBase, GeocodeState, TableBase, table=True):
    station_id: int = Field(foreign_key="station.id", index=True)


# --- Availability: weekly slots plus dated exceptions ------------------------------------


class AvailabilityBase(SQLModel):
    kind: AvailabilityKind = Field(sa_type=EnumText(AvailabilityKind, 20))
    weekday: int | None = Field(default=None, ge=0, le=6)  # weekly slots; 0 = Monday
    date_from: date | None = None  # leave and extra days
    date_to: date | None = None
    start_time: LocalTime | None = None  # leave without times = whole days
    end_time: LocalTime | None = None
    note: str = Field(default="", max_length=300)

    @model_validator(mode="after")
    def _shape_fits_kind(self) -> Self:
        check_window(self.start_time, self.end_time, "availability window")
        if self.kind is AvailabilityKind.WEEKLY:
            if self.weekday is None or self.start_time is None:
                raise Refusal("a weekly slot needs a weekday, a start time and an end time")
            if self.date_from is not None or self.date_to is not None:
                raise Refusal("a weekly slot has no dates; add leave or an extra day instead")
            return self
        if self.weekday is not None:
            raise Refusal("%(kind)s is dated and takes no weekday", kind=self.kind.value)
        if self.date_from is None:
            raise Refusal("%(kind)s needs a date", kind=self.kind.value)
        if self.date_to is not None and self.date_to < self.date_from:
            raise Refusal("the period ends before it starts")
        if self.kind is AvailabilityKind.EXTRA and self.start_time is None:
            raise Refusal("an extra day needs a start time and an end time")
        return self


class Availability(AvailabilityBase, TableBase, table=True):
    station_id: int = Field(foreign_key="station.id", index=True)
    volunteer_id: int = Field(foreign_key="volunteer.id", index=True)
