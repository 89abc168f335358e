"""The figures a city's monitoring reads, each one query over every station. Nothing here
commits."""

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from models import Alert, AuditAnchor, Notification, Outcome, PlanningJob
from models.enums import AlertStatus, JobStatus, NoticeStatus


def jobs_by_status(session: Session, since: datetime) -> dict[str, int]:
    """Planning jobs asked since `since`, by status."""
    rows = session.exec(
        select(PlanningJob.status, func.count())
        .where(col(PlanningJob.created_at) >= since)
        .group_by(col(PlanningJob.status))
    ).all()
    return {str(status): count for status, count in rows}


def oldest_queued_job(session: Session) -> datetime | None:
    return session.exec(
        select(func.min(PlanningJob.created_at)).where(PlanningJob.status == JobStatus.QUEUED)
    ).one()


def notices_by_status(session: Session, since: datetime) -> dict[str, int]:
    """Messages written since `since`, by status; and every one still waiting, however old."""
    waiting = (NoticeStatus.PENDING, NoticeStatus.SENDING)
    rows = session.exec(
        select(Notification.status, func.count())
        .where((col(Notification.created_at) >= since) | col(Notification.status).in_(waiting))
        .group_by(col(Notification.status))
    ).all()
    return {str(status): count for status, count in rows}


def oldest_notice_due(session: Session, now: datetime) -> datetime | None:
    """When the longest-waiting message that is due was due."""
    return session.exec(
        select(func.min(Notification.next_attempt_at)).where(
            Notification.status == NoticeStatus.PENDING,
            col(Notification.next_attempt_at) <= now,
        )
    ).one()


def open_alerts(session: Session) -> tuple[int, datetime | None]:
    """How many alerts are open, and when the oldest was raised."""
    count, oldest = session.exec(
        select(func.count(), func.min(Alert.raised_at)).where(Alert.status == AlertStatus.OPEN)
    ).one()
    return count, oldest


def outcomes_by_kind(session: Session, since: datetime) -> dict[str, int]:
    rows = session.exec(
        select(Outcome.kind, func.count())
        .where(col(Outcome.received_at) >= since)
        .group_by(col(Outcome.kind))
    ).all()
    return {str(kind): count for kind, count in rows}


def last_anchor(session: Session) -> datetime | None:
    return session.exec(select(func.max(AuditAnchor.at))).one()
