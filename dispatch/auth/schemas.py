"""What logging in takes and answers."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from dispatch.users.schemas import UserPublic


class LoginRequest(SQLModel):
    username: str = Field(max_length=40)
    password: str = Field(max_length=200)


class TokenPublic(SQLModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime
    user: UserPublic
