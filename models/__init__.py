"""Every table and schema of CareRoute. Imports only the standard library, sqlmodel and pydantic."""

from models.audit import AuditEvent
from models.client import Client, ClientCreate, ClientPublic, ClientUpdate
from models.common import Page, RecordPublic, TableBase
from models.geocode import GeocodeCacheEntry
from models.schedule import (
    Hold,
    ScheduleCreate,
    SchedulePublic,
    ScheduleUpdate,
    ServiceSchedule,
)
from models.station import (
    OpeningHours,
    Site,
    SiteCreate,
    SitePublic,
    SiteUpdate,
    Station,
    StationCreate,
    StationPublic,
    StationUpdate,
)
from models.user import (
    AuthToken,
    LoginRequest,
    TokenPublic,
    User,
    UserCreate,
    UserPublic,
    UserStation,
    UserUpdate,
)
from models.volunteer import (
    Availability,
    AvailabilityCreate,
    AvailabilityPublic,
    AvailabilityUpdate,
    Volunteer,
    VolunteerCreate,
    VolunteerPublic,
    VolunteerUpdate,
)

__all__ = [
    "AuditEvent",
    "AuthToken",
    "Availability",
    "AvailabilityCreate",
    "AvailabilityPublic",
    "AvailabilityUpdate",
    "Client",
    "ClientCreate",
    "ClientPublic",
    "ClientUpdate",
    "GeocodeCacheEntry",
    "Hold",
    "LoginRequest",
    "OpeningHours",
    "Page",
    "RecordPublic",
    "ScheduleCreate",
    "SchedulePublic",
    "ScheduleUpdate",
    "ServiceSchedule",
    "Site",
    "SiteCreate",
    "SitePublic",
    "SiteUpdate",
    "Station",
    "StationCreate",
    "StationPublic",
    "StationUpdate",
    "TableBase",
    "TokenPublic",
    "User",
    "UserCreate",
    "UserPublic",
    "UserStation",
    "UserUpdate",
    "Volunteer",
    "VolunteerCreate",
    "VolunteerPublic",
    "VolunteerUpdate",
]
