"""What station records take and answer over HTTP."""

from sqlmodel import Field

from dispatch.crud.schemas import RecordPublic, RecordUpdate
from models.station import Ladder, Latitude, Locale, Longitude, StationBase, TimeZone
from models.validation import Name, Phone


class StationCreate(StationBase):
    pass


class StationUpdate(RecordUpdate):
    name: Name | None = Field(default=None, max_length=120)
    address: str | None = Field(default=None, max_length=300)
    phone: Phone | None = Field(default=None, max_length=20)
    lat: Latitude | None = None
    lon: Longitude | None = None
    timezone: TimeZone | None = None
    locale: Locale | None = None
    observes_public_holidays: bool | None = None
    alert_ladder: Ladder | None = None
    proof_of_delivery: bool | None = None
    managers_see_private_notes: bool | None = None
    hot_meal_minutes: int | None = Field(default=None, ge=10, le=240)


class StationPublic(StationBase, RecordPublic):
    pass
