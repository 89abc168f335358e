"""The sender: writes what time makes due, then sends the outbox's due messages one by one.

A message is taken (pending -> sending, in a transaction of its own), sent with no
transaction open, and its result written with the attempt in the delivery log. A failure is
tried again later (30 s, 1, 2, 4 min), up to five tries; a permanent one is failed at once.
Several senders may run side by side: taking is a conditional update, so each message goes
to one of them.

A sender killed between two messages leaves nothing behind. One killed while a message was
on its way leaves that message `sending`: the next sender finds it (its process gone from
this machine, or taken more than five minutes ago) and sends it again with the same id (the
e-mail's Message-ID, the SMS's SessionContext), because not knowing whether it arrived,
telling twice is safer than not telling at all.
"""

from __future__ import annotations

import logging
import threading
import time as clock
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from dispatch.config import Settings
from dispatch.db import reading, session_scope
from dispatch.notifications import repository, service
from dispatch.notifications.channels import Channels, DeliveryError, Message, channels
from dispatch.notifications.messages import LINK, opt_out_line
from dispatch.processes import THIS_PROCESS, gone
from dispatch.rounds.links import link_path
from models import ContactPreference, Notification, NotificationAttempt, Station
from models.common import utcnow
from models.enums import Audience, NoticeStatus
from models.notification import quiet_at

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF_SECONDS = 30
TAKEN_SECONDS = 300
BATCH = 200  # messages per pass, so that what falls due meanwhile is written in time


@dataclass
class Sender:
    engine: Engine
    channels: Channels
    secret: str
    public_url: str
    reminder_at: time
    pause_seconds: float = 0.0
    name: str = THIS_PROCESS
    woken: threading.Event = field(default_factory=threading.Event)

    def run_once(self, now: datetime | None = None) -> int:
        """One pass: messages lost by a stopped sender, what is due, then sending. Returns
        the number of messages sent."""
        now = now or utcnow()
        self._release_lost(now)
        with session_scope(self.engine) as session:
            service.scan(session, now, self.reminder_at)
        return self._send_due(now)

    def run(self, stop: threading.Event, interval: float) -> None:
        """Pass after pass until `stop` is set; `wake()` starts the next pass early."""
        while not stop.is_set():
            try:
                self.run_once()
            except Exception:  # a database hiccup must not end the loop
                log.exception("the notification sender's pass failed; trying again")
            self.woken.wait(interval)
            self.woken.clear()

    def wake(self) -> None:
        self.woken.set()

    # --- sending --------------------------------------------------------------------------

    def _send_due(self, now: datetime) -> int:
        sent = 0
        for _ in range(BATCH):
            with session_scope(self.engine) as session:
                due = repository.next_due(session, now)
                if due is None:
                    break
                if not repository.take(session, due, self.name, utcnow()):
                    continue
            sent += self._deliver(due, now)
            if self.pause_seconds:
                clock.sleep(self.pause_seconds)
        return sent

    def _deliver(self, notification_id: int, now: datetime) -> int:
        """Send one taken message; `now`: the pass's time (quiet hours, the next retry)."""
        with reading(self.engine) as session:
            row = session.get(Notification, notification_id)
            assert row is not None
            preference = session.get(ContactPreference, row.preference_id)
            station = session.get(Station, row.station_id)
            assert preference is not None
            assert station is not None
        started = utcnow()
        if not _wants(preference):
            self._finish(notification_id, NoticeStatus.SKIPPED, started, "opted out")
            return 0
        if not row.urgent:
            resume = _quiet_until(preference, station, now)
            if resume is not None:
                self._hold(notification_id, resume)
                return 0
        message = self._message(row, preference)
        try:
            answer = self.channels.send(message)
        except DeliveryError as error:
            retry = not error.permanent and row.attempts < MAX_ATTEMPTS
            later = now + timedelta(seconds=BACKOFF_SECONDS * 2 ** (row.attempts - 1))
            status = NoticeStatus.PENDING if retry else NoticeStatus.FAILED
            self._finish(notification_id, status, started, error.detail, ok=False, retry_at=later)
            return 0
        self._finish(notification_id, NoticeStatus.SENT, started, answer, ok=True)
        return 1

    def _message(self, row: Notification, preference: ContactPreference) -> Message:
        assert row.id is not None
        assert preference.id is not None
        link = row.link
        if link.startswith("route_link:"):
            link = link_path(self.secret, int(link.removeprefix("route_link:")))
        url = f"{self.public_url.rstrip('/')}{link}" if link else ""
        body, params = row.body.replace(LINK, url), [p.replace(LINK, url) for p in row.params]
        if preference.audience is not Audience.STATION:
            token = service.opt_out_token(self.secret, preference.id)
            stop_url = f"{self.public_url.rstrip('/')}/n/{token}"
            body = f"{body}\n\n{opt_out_line(row.locale, stop_url)}"
            params = [*params, stop_url]
        return Message(
            id=row.id,
            event=row.event,
            channel=preference.channel,
            address=preference.address,
            subject=row.subject,
            body=body,
            params=params,
        )

    def _finish(
        self,
        notification_id: int,
        status: NoticeStatus,
        started: datetime,
        detail: str,
        *,
        ok: bool | None = None,
        retry_at: datetime | None = None,
    ) -> None:
        with session_scope(self.engine) as session:
            row = session.get(Notification, notification_id)
            assert row is not None
            row.status = status
            row.taken_by = None
            if status is NoticeStatus.SENT:
                row.sent_at = utcnow()
                row.last_error = ""
            elif ok is False or status is NoticeStatus.SKIPPED:
                row.last_error = detail[:500]
            if status is NoticeStatus.PENDING and retry_at is not None:
                row.next_attempt_at = retry_at
            session.add(row)
            if ok is not None:
                session.add(
                    NotificationAttempt(
                        notification_id=notification_id,
                        sender=self.name,
                        started_at=started,
                        ok=ok,
                        detail=detail[:500],
                    )
                )

    def _hold(self, notification_id: int, until: datetime) -> None:
        """Quiet hours: not an attempt; the message waits for their end."""
        with session_scope(self.engine) as session:
            row = session.get(Notification, notification_id)
            assert row is not None
            row.status = NoticeStatus.PENDING
            row.attempts -= 1
            row.taken_by = None
            row.next_attempt_at = until
            session.add(row)

    def _release_lost(self, now: datetime) -> None:
        """Messages whose sender stopped while sending them go out again."""
        with session_scope(self.engine) as session:
            for row in repository.being_sent(session):
                taken_at = row.taken_at or row.created_at
                if not (
                    gone(row.taken_by or "") or now - taken_at > timedelta(seconds=TAKEN_SECONDS)
                ):
                    continue
                assert row.id is not None
                session.add(
                    NotificationAttempt(
                        notification_id=row.id,
                        sender=row.taken_by or "",
                        started_at=taken_at,
                        ok=False,
                        detail="its sender stopped while sending it: sent again",
                    )
                )
                row.status = NoticeStatus.PENDING
                row.taken_by = None
                row.next_attempt_at = now
                session.add(row)


def _wants(preference: ContactPreference) -> bool:
    if preference.archived_at is not None or preference.opted_out_at is not None:
        return False
    return preference.audience is not Audience.FAMILY or preference.consent_on is not None


def _quiet_until(preference: ContactPreference, station: Station, now: datetime) -> datetime | None:
    """When the person's quiet hours end, if they are in them now."""
    zone = ZoneInfo(station.timezone)
    local = now.astimezone(zone)
    if not quiet_at(preference.quiet_start, preference.quiet_end, local.time()):
        return None
    assert preference.quiet_end is not None
    end = datetime.combine(local.date(), preference.quiet_end, zone)
    return end if end > local else end + timedelta(days=1)


def sender(engine: Engine, settings: Settings) -> Sender:
    return Sender(
        engine=engine,
        channels=channels(settings),
        secret=settings.resolved_secret_key,
        public_url=settings.public_url,
        reminder_at=settings.reminder_at,
        pause_seconds=settings.notify_pause_seconds,
    )
