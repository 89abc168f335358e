"""Every table and enum of CareRoute (request and response schemas live in each feature's
schemas.py). Imports only the standard library, sqlmodel and pydantic."""

from models.activity import Activity, Invitation
from models.alert import (
    Alert,
    AlertStep,
    Rung,
)
from models.audit import AuditAnchor, AuditEvent, AuditHead
from models.client import Client
from models.common import TableBase
from models.day import (
    Menu,
    StationClosure,
    Task,
)
from models.geocode import GeocodeCacheEntry
from models.link import RouteLink
from models.notification import ContactPreference, Notification, NotificationAttempt
from models.outcome import Outcome, OutcomeRecord, RoundMark
from models.plan import (
    Plan,
    PlanningJob,
    PlanRoute,
    PlanStop,
)
from models.schedule import (
    Hold,
    ServiceSchedule,
)
from models.station import (
    OpeningHours,
    Site,
    Station,
)
from models.swap import RouteRelease
from models.team import Team
from models.user import (
    AuthEpoch,
    AuthToken,
    User,
    UserStation,
)
from models.volunteer import (
    Availability,
    Volunteer,
)

__all__ = [
    "Activity",
    "Alert",
    "AlertStep",
    "AuditAnchor",
    "AuditEvent",
    "AuditHead",
    "AuthEpoch",
    "AuthToken",
    "Availability",
    "Client",
    "ContactPreference",
    "GeocodeCacheEntry",
    "Hold",
    "Invitation",
    "Menu",
    "Notification",
    "NotificationAttempt",
    "OpeningHours",
    "Outcome",
    "OutcomeRecord",
    "Plan",
    "PlanRoute",
    "PlanStop",
    "PlanningJob",
    "RoundMark",
    "RouteLink",
    "RouteRelease",
    "Rung",
    "ServiceSchedule",
    "Site",
    "Station",
    "StationClosure",
    "TableBase",
    "Task",
    "Team",
    "User",
    "UserStation",
    "Volunteer",
]
