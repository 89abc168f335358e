"""Geocoder answers kept in the database, so an address is never looked up twice."""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.common import EnumText, UtcDateTime, utcnow
from models.enums import Datum


class GeocodeCacheEntry(SQLModel, table=True):
    __tablename__ = "geocode_cache"
    __table_args__ = (UniqueConstraint("provider", "query"),)

    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(max_length=40)
    query: str = Field(max_length=300)
    found: bool
    lat: float | None = None  # WGS-84, converted from the provider's datum
    lon: float | None = None
    provider_datum: Datum = Field(default=Datum.WGS84, sa_type=EnumText(Datum, 10))
    display_name: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
