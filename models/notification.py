"""Telling people: who wants to be told how, and the outbox of messages to send.

A message is written to the outbox in the same transaction as the event that causes it, at
most once per event and recipient (the unique key), and sent later by a sender that logs
each attempt.
"""

import re
from datetime import date, datetime, time
from typing import Self

from pydantic import model_validator
from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.common import EnumText, TableBase, UtcDateTime, utcnow
from models.enums import Audience, Channel, NoticeEvent, NoticeStatus
from models.station import Locale
from models.validation import LocalTime, Refusal

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# A mainland mobile (11 digits from 1), with or without +86, or any number in E.164 form.
_MOBILE = re.compile(r"^(\+?86)?1\d{10}$|^\+[1-9]\d{6,14}$")


class ContactPreferenceBase(SQLModel):
    audience: Audience = Field(sa_type=EnumText(Audience, 20))
    # The volunteer, user, client (for a family contact) or station the preference is for.
    person_id: int = Field(index=True)
    channel: Channel = Field(sa_type=EnumText(Channel, 10))
    # An e-mail address, a mobile number, or an Apprise URL (wecombot://, dingtalk://, json://).
    address: str = Field(min_length=3, max_length=500)
    locale: Locale = Field(default="zh-CN", max_length=10)
    # No message in this window of the station's local time (it may pass midnight); urgent
    # ones to staff (alerts) are sent anyway.
    quiet_start: LocalTime | None = None
    quiet_end: LocalTime | None = None
    # Family contacts are told only with their consent, given on this date.
    consent_on: date | None = None
    opted_out_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    # Staff: told first of alerts while on duty.
    on_duty: bool = False
    notes: str = Field(default="", max_length=300)

    @model_validator(mode="after")
    def _fits(self) -> Self:
        if self.audience is Audience.FAMILY and self.consent_on is None:
            raise Refusal(
                "a family contact is told only with their consent: give the date they gave it"
            )
        address = self.address.strip()
        if self.channel is Channel.EMAIL and not _EMAIL.match(address):
            raise Refusal("“%(value)s” is not an e-mail address", value=address)
        if self.channel is Channel.SMS and not _MOBILE.match(address):
            raise Refusal("“%(value)s” is not a mobile number", value=address)
        if self.channel is Channel.CHAT and "://" not in address:
            raise Refusal(
                "a chat address is an Apprise URL, as wecombot://KEY, dingtalk://TOKEN or "
                "json://host/path"
            )
        if self.on_duty and self.audience is not Audience.STAFF:
            raise Refusal("only staff are on duty")
        self.address = address
        return self


class ContactPreference(ContactPreferenceBase, TableBase, table=True):
    __tablename__ = "contact_preference"
    __table_args__ = (UniqueConstraint("audience", "person_id"),)

    station_id: int = Field(foreign_key="station.id", index=True)


class Notification(SQLModel, table=True):
    """One message to one person about one event, and where it stands."""

    __table_args__ = (UniqueConstraint("event_key", "audience", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    station_id: int = Field(foreign_key="station.id", index=True)
    event: NoticeEvent = Field(sa_type=EnumText(NoticeEvent, 30))
    # What happened, once: "route:<plan>:<volunteer>", "alert:<id>", "alert:<id>:<step>", ...
    event_key: str = Field(max_length=120)
    audience: Audience = Field(sa_type=EnumText(Audience, 20))
    person_id: int
    preference_id: int = Field(foreign_key="contact_preference.id", index=True)
    channel: Channel = Field(sa_type=EnumText(Channel, 10))
    locale: str = Field(max_length=10)
    subject: str = Field(max_length=200)
    body: str = Field(max_length=2000)
    # An SMS is sent as an approved template with these values, in this order.
    params: list[str] = Field(default_factory=list, sa_type=JSON)
    # Where `{link}` in the text leads: a page's path, or "route_link:<id>" (signed when sent).
    link: str = Field(default="", max_length=200)
    urgent: bool = False
    status: NoticeStatus = Field(
        default=NoticeStatus.PENDING, sa_type=EnumText(NoticeStatus, 10), index=True
    )
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    taken_by: str | None = Field(default=None, max_length=80)  # "host:pid" of its sender
    taken_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_error: str = Field(default="", max_length=500)


class NotificationAttempt(SQLModel, table=True):
    """The delivery log: each try to send a message, and what the channel answered."""

    __tablename__ = "notification_attempt"

    id: int | None = Field(default=None, primary_key=True)
    notification_id: int = Field(foreign_key="notification.id", index=True)
    sender: str = Field(max_length=80)
    started_at: datetime = Field(sa_type=UtcDateTime)
    finished_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    ok: bool
    detail: str = Field(default="", max_length=500)  # the provider's id, or its error


def quiet_at(start: time | None, end: time | None, now: time) -> bool:
    """Whether `now` falls in the quiet window [start, end), which may pass midnight."""
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= now < end
    return now >= start or now < end
