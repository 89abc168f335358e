"""A no-answer or a concern at a client's door, and the steps taken until it is resolved."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, model_validator
from sqlmodel import Field, SQLModel

from models.common import EnumText, UtcDateTime, utcnow
from models.enums import AlertReason, AlertStatus, LadderStep, Notify, Resolution
from models.validation import Refusal


class Rung(BaseModel):
    """One step of a station's ladder, due this many minutes after the alert was raised."""

    step: LadderStep
    due_minutes: int = Field(ge=0, le=24 * 60)
    # Whom a message tells when the step falls due and is not taken (unsaid: the step's
    # usual people).
    notify: list[Notify] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _usual_people(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("notify") is None and "step" in data:
            return data | {"notify": USUALLY_TOLD[LadderStep(data["step"])]}
        return data


# The later the step, the wider the circle told.
USUALLY_TOLD: dict[LadderStep, list[Notify]] = {
    LadderStep.CALL_CLIENT: [Notify.ON_DUTY],
    LadderStep.CALL_EMERGENCY_CONTACT: [Notify.ON_DUTY],
    LadderStep.SOCIAL_WORKER_VISIT: [Notify.ON_DUTY, Notify.STATION_CHAT],
    LadderStep.EMERGENCY_SERVICES: [Notify.ON_DUTY, Notify.MANAGERS, Notify.STATION_CHAT],
}


def default_ladder() -> list[Rung]:
    return [
        Rung(step=LadderStep.CALL_CLIENT, due_minutes=10),
        Rung(step=LadderStep.CALL_EMERGENCY_CONTACT, due_minutes=30),
        Rung(step=LadderStep.SOCIAL_WORKER_VISIT, due_minutes=90),
        Rung(step=LadderStep.EMERGENCY_SERVICES, due_minutes=120),
    ]


def check_ladder(ladder: list[Rung]) -> list[Rung]:
    steps = [rung.step for rung in ladder]
    if len(set(steps)) != len(steps):
        raise Refusal("each step may appear once in the ladder")
    minutes = [rung.due_minutes for rung in ladder]
    if minutes != sorted(minutes):
        raise Refusal("the ladder's steps must fall due in order")
    return ladder


class Alert(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    station_id: int = Field(foreign_key="station.id", index=True)
    outcome_id: int = Field(foreign_key="outcome.id", unique=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    volunteer_id: int = Field(foreign_key="volunteer.id", index=True)
    plan_stop_id: int = Field(foreign_key="plan_stop.id", index=True)
    reason: AlertReason = Field(sa_type=EnumText(AlertReason, 20))
    status: AlertStatus = Field(
        default=AlertStatus.OPEN, sa_type=EnumText(AlertStatus, 10), index=True
    )
    raised_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    # When the notification scan next has a step of the ladder to announce (None: none
    # left): it reads the open alerts whose time has come, not every open alert.
    next_notice_at: datetime | None = Field(default=None, sa_type=UtcDateTime, index=True)
    resolution: Resolution | None = Field(default=None, sa_type=EnumText(Resolution, 30))
    resolution_note: str = Field(default="", max_length=1000)
    resolved_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    resolved_by_user_id: int | None = Field(default=None, foreign_key="user.id")


class AlertStep(SQLModel, table=True):
    """A step of the ladder as it was taken: by whom, when, with what result."""

    __tablename__ = "alert_step"

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="alert.id", index=True)
    step: LadderStep = Field(sa_type=EnumText(LadderStep, 30))
    result: str = Field(min_length=1, max_length=1000)
    done_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    done_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
