"""Geocoding, in the background, the records imported without coordinates."""

from dataclasses import dataclass

from sqlmodel import Session

from dispatch.access import Principal
from dispatch.audit import chain
from dispatch.crud.service import snapshot
from dispatch.geocoding import repository
from dispatch.geocoding.service import Geocoder, locate
from models import Client, Volunteer
from models.common import utcnow
from models.enums import GeocodeStatus


@dataclass(frozen=True)
class GeocodeRun:
    located: int
    failed: int


def geocode_pending(
    session: Session, geocoder: Geocoder, principal: Principal, *, station_id: int | None = None
) -> GeocodeRun:
    located = failed = 0
    for table, address_field in ((Client, "address"), (Volunteer, "home_address")):
        for row in repository.pending(session, table, station_id):
            before = snapshot(row)
            place = locate(session, geocoder, getattr(row, address_field))
            row.geocode_source = geocoder.name
            if place is None:
                row.geocode_status = GeocodeStatus.NEEDS_LOCATION
                failed += 1
            else:
                row.lat, row.lon = place.lat, place.lon
                row.source_datum = place.provider_datum
                row.geocode_status = GeocodeStatus.OK
                located += 1
            row.updated_at = utcnow()
            session.add(row)
            session.flush()
            chain.record(
                session,
                principal,
                action="geocode",
                entity=table.__tablename__,  # type: ignore[arg-type]
                entity_id=row.id,
                station_id=row.station_id,
                changes=chain.diff(before, snapshot(row)),
            )
    return GeocodeRun(located=located, failed=failed)
