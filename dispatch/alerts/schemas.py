"""What alerts take and answer over HTTP."""

from datetime import datetime
from typing import Self

from pydantic import model_validator
from sqlmodel import Field, SQLModel

from models.enums import AlertReason, AlertStatus, LadderStep, Resolution
from models.validation import Refusal


class StepCreate(SQLModel):
    step: LadderStep
    result: str = Field(min_length=1, max_length=1000)


class ResolutionCreate(SQLModel):
    resolution: Resolution
    note: str = Field(default="", max_length=1000)

    @model_validator(mode="after")
    def _explained(self) -> Self:
        if self.resolution is Resolution.OTHER and not self.note.strip():
            raise Refusal("say what happened when the resolution is “other”")
        return self


class StepPublic(SQLModel):
    step: LadderStep
    due_at: datetime
    overdue: bool  # due, not yet taken, and the alert still open
    done_at: datetime | None = None
    done_by: str | None = None
    result: str | None = None


class AlertPublic(SQLModel):
    id: int
    station_id: int
    reason: AlertReason
    status: AlertStatus
    raised_at: datetime
    service_date: str
    client_id: int
    client_name: str
    client_address: str
    client_phone: str | None
    # Only for coordinators (and admins): None for everyone else.
    emergency_contact: str | None  # name (relation)
    emergency_contact_phone: str | None
    volunteer_name: str
    outcome_kind: str  # what the volunteer recorded
    outcome_note: str
    concern: bool  # the volunteer is worried about the client (with any outcome)
    latest_outcome_kind: str  # the stop's last event, e.g. delivered after all
    steps: list[StepPublic]
    overdue: bool
    resolution: Resolution | None
    resolution_note: str
    resolved_at: datetime | None
    resolved_by: str | None
    log: list[StepPublic]  # every step taken, in order (a step may be taken more than once)
