"""The geocoder's answers kept in the database."""

from typing import Any

from sqlmodel import Session, col, select

from models import Client, GeocodeCacheEntry, Volunteer
from models.enums import GeocodeStatus


def cached(session: Session, provider: str, query: str) -> GeocodeCacheEntry | None:
    return session.exec(
        select(GeocodeCacheEntry).where(
            col(GeocodeCacheEntry.provider) == provider, col(GeocodeCacheEntry.query) == query
        )
    ).first()


def store(session: Session, entry: GeocodeCacheEntry) -> None:
    session.add(entry)
    session.flush()


def pending(
    session: Session, table: type[Client] | type[Volunteer], station_id: int | None
) -> list[Any]:
    query = select(table).where(col(table.geocode_status) == GeocodeStatus.PENDING)
    if station_id is not None:
        query = query.where(col(table.station_id) == station_id)
    return list(session.exec(query.order_by(col(table.id))).all())
