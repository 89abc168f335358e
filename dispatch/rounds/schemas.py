"""What the volunteer's round takes and answers over HTTP."""

from datetime import datetime

from pydantic import BaseModel, Field


class RoundMarkRequest(BaseModel):
    client_event_id: str = Field(min_length=8, max_length=64)
    recorded_at: datetime
