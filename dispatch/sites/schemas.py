"""What site records take and answer over HTTP."""

from sqlmodel import Field

from dispatch.crud.schemas import ListQuery, RecordPublic, RecordUpdate
from models.enums import SiteKind
from models.station import Latitude, Longitude, OpeningHours, SiteBase
from models.validation import Name, Phone


class SiteCreate(SiteBase):
    station_id: int


class SiteUpdate(RecordUpdate):
    name: Name | None = Field(default=None, max_length=120)
    kind: SiteKind | None = None
    address: str | None = Field(default=None, max_length=300)
    phone: Phone | None = Field(default=None, max_length=20)
    lat: Latitude | None = None
    lon: Longitude | None = None
    opening_hours: list[OpeningHours] | None = None
    notes: str | None = Field(default=None, max_length=1000)
    external_id: str | None = Field(default=None, max_length=64)


class SitePublic(SiteBase, RecordPublic):
    station_id: int


class SiteFilters(ListQuery):
    kind: SiteKind | None = None
