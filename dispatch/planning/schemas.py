"""What planning takes and answers over HTTP, and how long the planner may search."""

from pydantic import BaseModel, Field

# Seconds the planner searches a day when nobody says otherwise: the coordinator waits for it.
PLAN_TIME_LIMIT_SECONDS = 10.0
# Seconds for a re-plan (a volunteer called in sick, a released day): the same wait.
REPLAN_TIME_LIMIT_SECONDS = 10.0
MAX_TIME_LIMIT_SECONDS = 600.0


class PlanningRequest(BaseModel):
    time_limit_seconds: float = Field(
        default=PLAN_TIME_LIMIT_SECONDS, gt=0, le=MAX_TIME_LIMIT_SECONDS
    )
