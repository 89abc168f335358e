"""The figures a city's monitoring reads, each one query over every station along an index
(a scrape comes every few seconds, and the outcomes and messages of a year are millions of
rows). Nothing here commits."""

from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from models import Alert, AuditAnchor, Notification, Outcome, Plan, PlanningJob, PlanStop
from models.enums import AlertStatus, JobStatus, NoticeStatus

WAITING = (NoticeStatus.PENDING, NoticeStatus.SENDING)


def jobs_by_status(session: Session, first_day: date) -> dict[str, int]:
    """Planning jobs of the days from `first_day` on, by status."""
    rows = session.exec(
        select(PlanningJob.status, func.count())
        .where(col(PlanningJob.service_date) >= first_day)
        .group_by(col(PlanningJob.status))
    ).all()
    return {str(status): count for status, count in rows}


def oldest_queued_job(session: Session, first_day: date) -> datetime | None:
    return session.exec(
        select(func.min(PlanningJob.created_at)).where(
            col(PlanningJob.service_date) >= first_day, PlanningJob.status == JobStatus.QUEUED
        )
    ).one()


def notices_waiting(session: Session) -> dict[str, int]:
    rows = session.exec(
        select(Notification.status, func.count())
        .where(col(Notification.status).in_(WAITING))
        .group_by(col(Notification.status))
    ).all()
    return {str(status): count for status, count in rows}


def notices_done_since(session: Session, since: datetime) -> dict[str, int]:
    """Messages sent, failed or skipped that were last due since `since` (a message's last
    attempt is at its due time), by status."""
    rows = session.exec(
        select(Notification.status, func.count())
        .where(col(Notification.next_attempt_at) >= since, col(Notification.status).not_in(WAITING))
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


def outcomes_of_day(session: Session, day: date) -> dict[str, int]:
    """The outcomes recorded at the doors of `day`'s plans, by kind."""
    rows = session.exec(
        select(Outcome.kind, func.count())
        .join(PlanStop, col(PlanStop.id) == Outcome.plan_stop_id)
        .join(Plan, col(Plan.id) == PlanStop.plan_id)
        .where(Plan.service_date == day)
        .group_by(col(Outcome.kind))
    ).all()
    return {str(kind): count for kind, count in rows}


def last_anchor(session: Session) -> datetime | None:
    return session.exec(
        select(AuditAnchor.at).order_by(col(AuditAnchor.id).desc()).limit(1)
    ).first()
