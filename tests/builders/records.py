"""Stations, sites, clients, volunteers, availability and schedules."""

from datetime import date, time
from itertools import count
from typing import Any, TypeVar

from sqlmodel import Session, SQLModel

from models import Availability, Client, ServiceSchedule, Site, Station, Volunteer
from models.enums import AvailabilityKind, GeocodeStatus, Recurrence, ServiceKind, SiteKind

RowT = TypeVar("RowT", bound=SQLModel)
_serial = count(1)


def save(session: Session, row: RowT) -> RowT:
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def ident(row: SQLModel) -> int:
    """The id of a saved row (typed as int, as it is once saved)."""
    row_id = getattr(row, "id", None)
    assert isinstance(row_id, int), f"{row!r} is not saved"
    return row_id


def create_station(session: Session, *, name: str | None = None, **fields: Any) -> Station:
    n = next(_serial)
    values: dict[str, Any] = {
        "name": name or f"测试社工站 {n}",
        "code": f"station-{n}",
        "address": "南京市中山路1号",
        "lat": 32.0437,
        "lon": 118.7786,
    }
    return save(session, Station(**(values | fields)))


def create_site(
    session: Session, *, station: Station, kind: SiteKind = SiteKind.KITCHEN, **fields: Any
) -> Site:
    values: dict[str, Any] = {
        "name": f"{kind} {next(_serial)}",
        "kind": kind,
        "station_id": station.id,
        "lat": 32.0441,
        "lon": 118.7801,
    }
    return save(session, Site(**(values | fields)))


def create_client(
    session: Session, *, station: Station, name: str = "王秀英", **fields: Any
) -> Client:
    values: dict[str, Any] = {
        "name": name,
        "station_id": station.id,
        "phone": f"139{next(_serial):08d}",
        "address": "南京市华侨路12号2栋301",
        "lat": 32.0462,
        "lon": 118.7748,
        "geocode_status": GeocodeStatus.MANUAL,
        "emergency_contact_name": "李强",
        "emergency_contact_phone": "13800000001",
        "health_notes": "高血压",
    }
    return save(session, Client(**(values | fields)))


def create_volunteer(
    session: Session, *, station: Station, name: str = "张伟", **fields: Any
) -> Volunteer:
    values: dict[str, Any] = {
        "name": name,
        "station_id": station.id,
        "phone": f"137{next(_serial):08d}",
        "lat": 32.0401,
        "lon": 118.7822,
        "geocode_status": GeocodeStatus.MANUAL,
    }
    return save(session, Volunteer(**(values | fields)))


def create_availability(session: Session, *, volunteer: Volunteer, **fields: Any) -> Availability:
    values: dict[str, Any] = {
        "station_id": volunteer.station_id,
        "volunteer_id": volunteer.id,
        "kind": AvailabilityKind.WEEKLY,
        "weekday": 0,
        "start_time": time(10, 30),
        "end_time": time(13, 0),
    }
    return save(session, Availability(**(values | fields)))


def create_schedule(
    session: Session, *, client: Client, site: Site | None, **fields: Any
) -> ServiceSchedule:
    values: dict[str, Any] = {
        "station_id": client.station_id,
        "client_id": client.id,
        "site_id": site.id if site else None,
        "kind": ServiceKind.MEAL,
        "recurrence": Recurrence.WEEKLY,
        "weekdays": [0, 1, 2, 3, 4],
        "start_date": date(2026, 11, 2),
        "window_start": time(11, 0),
        "window_end": time(12, 30),
    }
    return save(session, ServiceSchedule(**(values | fields)))
