"""Every query of alerts: a station's alerts, an alert's steps, the names of who took them.
Nothing here commits."""

from collections.abc import Iterable
from datetime import date

from sqlmodel import Session, col, select

from models import Alert, AlertStep, Plan, PlanStop, User
from models.enums import AlertStatus


def alerts_of_station(
    session: Session,
    station_id: int,
    status: AlertStatus | None,
    first: date | None,
    last: date | None,
) -> list[Alert]:
    """The station's alerts, newest first; with `first`, those raised at the stops of the
    service days from `first` to `last` (that day alone if None)."""
    query = select(Alert).where(Alert.station_id == station_id)
    if status is not None:
        query = query.where(Alert.status == status)
    if first is not None:
        query = (
            query.join(PlanStop, col(PlanStop.id) == Alert.plan_stop_id)
            .join(Plan, col(Plan.id) == PlanStop.plan_id)
            .where(col(Plan.service_date) >= first, col(Plan.service_date) <= (last or first))
        )
    return list(session.exec(query.order_by(col(Alert.raised_at).desc(), col(Alert.id).desc())))


def steps_of(session: Session, alert_id: int | None) -> list[AlertStep]:
    return list(
        session.exec(
            select(AlertStep).where(AlertStep.alert_id == alert_id).order_by(col(AlertStep.done_at))
        )
    )


def user_names(session: Session, ids: Iterable[int | None]) -> dict[int | None, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    users = session.exec(select(User).where(col(User.id).in_(wanted))).all()
    return {user.id: user.display_name or user.username for user in users}
