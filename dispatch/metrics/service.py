"""What `/metrics` tells a city's monitoring (Prometheus' text format): the planning queue,
the messages, the open alerts, today's outcomes and the audit trail's anchoring, read from
the database at each scrape. So every server process answers the same, however many there
are, and nothing is counted per process. City-wide figures only: no station's own numbers
leave through here."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlmodel import Session

from dispatch.metrics import repository
from models.enums import JobStatus, NoticeStatus, OutcomeKind

WINDOW = timedelta(hours=24)  # the messages sent or given up: over the last day


@dataclass(frozen=True)
class Figures:
    jobs: dict[str, int]
    oldest_queued: datetime | None
    notices: dict[str, int]
    oldest_notice_due: datetime | None
    alerts_open: int
    oldest_alert: datetime | None
    outcomes: dict[str, int]
    last_anchor: datetime | None
    now: datetime


def figures(session: Session, now: datetime, today: date) -> Figures:
    """`today`: the city's date (its time zone's), whose rounds' outcomes are counted; the
    planning jobs are those of the days from yesterday on."""
    alerts_open, oldest_alert = repository.open_alerts(session)
    yesterday = today - timedelta(days=1)
    return Figures(
        jobs=repository.jobs_by_status(session, yesterday),
        oldest_queued=repository.oldest_queued_job(session, yesterday),
        notices=repository.notices_waiting(session)
        | repository.notices_done_since(session, now - WINDOW),
        oldest_notice_due=repository.oldest_notice_due(session, now),
        alerts_open=alerts_open,
        oldest_alert=oldest_alert,
        outcomes=repository.outcomes_of_day(session, today),
        last_anchor=repository.last_anchor(session),
        now=now,
    )


def exposition(session: Session, now: datetime, today: date) -> bytes:
    """The figures in Prometheus' text format."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Snapshot(figures(session, now, today)))
    return generate_latest(registry)


class _Snapshot(Collector):
    def __init__(self, figures: Figures) -> None:
        self.figures = figures

    def collect(self) -> Iterator[GaugeMetricFamily]:
        f = self.figures
        yield _by(
            "careroute_planning_jobs",
            "Planning jobs of the days from yesterday on, by status",
            "status",
            {s.value: f.jobs.get(s.value, 0) for s in JobStatus},
        )
        yield _age(
            "careroute_planning_queue_oldest_seconds",
            "How long the oldest queued planning job has waited (0: none waits)",
            f.oldest_queued,
            f.now,
        )
        yield _by(
            "careroute_notifications",
            "Messages waiting, and those sent, failed or skipped in the last 24 hours, by status",
            "status",
            {s.value: f.notices.get(s.value, 0) for s in NoticeStatus},
        )
        yield _age(
            "careroute_notifications_overdue_seconds",
            "How long the longest-waiting message has been due (0: none is late)",
            f.oldest_notice_due,
            f.now,
        )
        yield GaugeMetricFamily(
            "careroute_alerts_open", "Alerts open (no answer at a door, a concern)", f.alerts_open
        )
        yield _age(
            "careroute_alerts_open_oldest_seconds",
            "How long the oldest open alert has been open (0: none is)",
            f.oldest_alert,
            f.now,
        )
        yield _by(
            "careroute_outcomes",
            "Outcomes recorded at the doors of today's rounds, by kind",
            "kind",
            {k.value: f.outcomes.get(k.value, 0) for k in OutcomeKind},
        )
        yield _age(
            "careroute_audit_anchor_age_seconds",
            "Since the audit trail's chains were last anchored (-1: never)",
            f.last_anchor,
            f.now,
            never=-1.0,
        )


def _by(name: str, documentation: str, label: str, values: dict[str, int]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=[label])
    for key, value in values.items():
        family.add_metric([key], value)
    return family


def _age(
    name: str, documentation: str, since: datetime | None, now: datetime, never: float = 0.0
) -> GaugeMetricFamily:
    seconds = never if since is None else max(0.0, (now - since).total_seconds())
    return GaugeMetricFamily(name, documentation, value=seconds)
