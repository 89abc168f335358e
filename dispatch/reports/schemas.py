"""What reports answer: completion figures and the stops behind them, histories, hours, risk
signals and the monthly report."""

from datetime import date, datetime

from pydantic import BaseModel

from dispatch.activities.schemas import ActivityFigures


class DayFigures(BaseModel):
    day: date
    planned: int
    delivered: int
    late: int
    missed: int
    pending: int  # on a route, no outcome yet, its window not over
    unplanned: int


class TeamFigures(BaseModel):
    """A team's clients' stops; `team_id` None: the clients of no team."""

    team_id: int | None
    team_name: str
    planned: int
    delivered: int
    late: int
    missed: int
    pending: int
    unplanned: int


class Completion(BaseModel):
    station_id: int
    first: date
    last: date
    planned: int
    delivered: int
    late: int  # delivered after the end of the task's window
    missed: int
    missed_by_reason: dict[str, int]  # no_answer, refused, not_home, unreachable, no_outcome
    pending: int  # on a route, no outcome yet, its window not over: neither yet
    unplanned: int
    by_kind: dict[str, int]  # delivered meals, medicine and visits
    alerts_raised: int
    alerts_open: int
    alerts_resolved: int
    median_minutes_to_resolve: float | None
    distance_km: float
    volunteers: int  # headcount with a route
    volunteer_hours: float  # from the start and finish each volunteer recorded
    days: list[DayFigures]
    by_team: list[TeamFigures] = []  # when the station has teams: per team of the clients
    team_id: int | None = None  # the figures of this team only (no by_team then)


class StopRow(BaseModel):
    day: date
    task_id: int
    client_id: int
    client_name: str
    kind: str
    volunteer_id: int | None
    volunteer_name: str | None  # by whom: the route's volunteer
    window_end: str | None
    outcome: str | None
    recorded_at: datetime | None
    late: bool
    reason: str  # the planner's reason for an unplanned task


class StationRow(BaseModel):
    station_id: int
    station_name: str
    figures: Completion


class AcrossStations(BaseModel):
    first: date
    last: date
    stations: list[StationRow]
    planned: int
    delivered: int
    late: int
    missed: int
    pending: int
    unplanned: int
    alerts_raised: int
    alerts_open: int
    volunteers: int
    volunteer_hours: float


class ServiceLine(BaseModel):
    day: date
    kind: str
    status: str  # the task's: planned, done, cancelled...
    outcome: str | None
    recorded_at: datetime | None
    volunteer_name: str | None
    entered_by_coordinator: bool
    note: str
    concern: bool = False  # the volunteer was worried about the client


class ClientHistory(BaseModel):
    client_id: int
    client_name: str
    services: list[ServiceLine]  # newest first
    alerts: int


class HoursLine(BaseModel):
    day: date
    started: datetime | None
    finished: datetime | None
    hours: float
    outcomes: int


class VolunteerHours(BaseModel):
    volunteer_id: int
    volunteer_name: str
    first: date
    last: date
    days: list[HoursLine]
    total_hours: float


class SignalEvent(BaseModel):
    day: date
    signal: str  # no_answer, refused, concern, hold
    detail: str  # the volunteer's note, or the hold's reason
    by: str | None  # the volunteer who recorded it
    recorded_at: datetime | None


class ClientRisk(BaseModel):
    client_id: int
    client_name: str
    signals: dict[str, int]  # only the signals at or over their threshold
    events: list[SignalEvent]  # every event behind those signals, oldest first


class ServedClients(BaseModel):
    total: int
    living_alone: int
    disabled: int
    by_age: dict[str, int]  # "<60", "60-69", "70-79", "80-89", "90+", "unknown"


class AlertLine(BaseModel):
    raised_at: datetime
    client_name: str
    reason: str
    status: str
    resolution: str | None
    minutes_to_resolve: float | None


class MonthlyReport(BaseModel):
    station_id: int
    month: str  # YYYY-MM
    figures: Completion
    served: ServedClients
    missed: list[StopRow]
    alerts: list[AlertLine]
    activities: ActivityFigures
