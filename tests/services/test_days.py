"""The day's work: tasks derived from schedules, across weeks, holidays and closures, and
the volunteers free on the day."""

import warnings
from datetime import date, time, timedelta

import pytest
from sqlmodel import Session, select

from dispatch.access import Principal
from dispatch.days.schemas import DayDrift
from dispatch.days.service import DayService
from dispatch.planning.repository import plannable_tasks
from dispatch.schedules.schemas import ScheduleCreate, ScheduleUpdate
from dispatch.schedules.service import ScheduleService
from models import AuditEvent, Client, Hold, ServiceSchedule, Station, StationClosure, Task
from models.enums import (
    AvailabilityKind,
    ClientStatus,
    Recurrence,
    Role,
    TaskStatus,
)
from tests.builders.records import (
    create_availability,
    create_client,
    create_schedule,
    create_site,
    create_station,
    create_volunteer,
    ident,
    save,
)

DAYS = DayService()
TUESDAY = date(2026, 11, 24)


@pytest.fixture
def station(session: Session) -> Station:
    return create_station(session)


@pytest.fixture
def coordinator(station: Station) -> Principal:
    return Principal(user_id=None, role=Role.COORDINATOR, station_ids=frozenset({ident(station)}))


@pytest.fixture
def client(session: Session, station: Station) -> Client:
    return create_client(session, station=station)


def meals(session: Session, client: Client, **fields: object) -> ServiceSchedule:
    station = session.get(Station, client.station_id)
    assert station is not None
    return create_schedule(
        session, client=client, site=create_site(session, station=station), **fields
    )


def tasks_between(
    session: Session, who: Principal, station: Station, first: date, days: int
) -> list[Task]:
    for n in range(days):
        DAYS.generate(session, who, ident(station), first + timedelta(days=n))
    session.commit()
    return list(session.exec(select(Task).where(Task.status == TaskStatus.OPEN)).all())


def test_a_weekday_schedule_brings_a_task_with_its_window(
    session: Session, station: Station, coordinator: Principal, client: Client
) -> None:
    schedule = meals(session, client, window_start=time(11), window_end=time(12))
    day = DAYS.generate(session, coordinator, ident(station), TUESDAY)
    [task] = day.tasks
    assert (task.schedule_id, task.client_id) == (schedule.id, client.id)
    assert (task.window_start, task.window_end) == (time(11), time(12))
    assert day.open
    assert day.created == 1
    saturday = DAYS.generate(session, coordinator, ident(station), date(2026, 11, 28))
    assert saturday.tasks == []


def test_without_its_own_window_a_task_takes_the_clients_preferred_one(
    session: Session, station: Station, coordinator: Principal
) -> None:
    client = create_client(
        session,
        station=station,
        preferred_window_start=time(10, 30),
        preferred_window_end=time(11, 30),
    )
    meals(session, client, window_start=None, window_end=None)
    [task] = DAYS.generate(session, coordinator, ident(station), TUESDAY).tasks
    assert (task.window_start, task.window_end) == (time(10, 30), time(11, 30))


def test_four_weeks_of_holds_skips_intervals_and_a_paused_client(
    session: Session, station: Station, coordinator: Principal
) -> None:
    monday = date(2026, 11, 2)
    alone = create_client(session, station=station, name="独居老人")
    meals(  # Mon, Wed, Fri every other week from 2 Nov: weeks 1 and 3
        session,
        alone,
        weekdays=[0, 2, 4],
        interval_weeks=2,
        start_date=monday,
        skip_dates=["2026-11-04"],  # as the JSON column stores it
    )
    daily = create_client(session, station=station, name="每日送餐")
    schedule = meals(
        session,
        daily,
        weekdays=[0, 1, 2, 3, 4],
        start_date=monday,
        holds=[{"start": "2026-11-09", "end": "2026-11-13", "reason": "回老家"}],
    )
    paused = create_client(
        session,
        station=station,
        name="住院",
        status=ClientStatus.PAUSED,
        status_from=date(2026, 11, 16),
        status_until=date(2026, 11, 22),
        status_reason="住院",
    )
    meals(session, paused, weekdays=[1], start_date=monday)
    once = meals(
        session, daily, recurrence=Recurrence.ONCE, weekdays=[], start_date=date(2026, 11, 21)
    )

    tasks = tasks_between(session, coordinator, station, monday, 28)

    def dates(client: Client, schedule: ServiceSchedule | None = None) -> list[int]:
        return sorted(
            t.service_date.day
            for t in tasks
            if t.client_id == client.id and (schedule is None or t.schedule_id == schedule.id)
        )

    assert dates(alone) == [2, 6, 16, 18, 20]  # week 1 without the 4th, week 3
    assert dates(daily, schedule) == [2, 3, 4, 5, 6, 16, 17, 18, 19, 20, 23, 24, 25, 26, 27]
    assert dates(daily, once) == [21]
    assert dates(paused) == [3, 10, 24]  # not on the 17th, in hospital


def test_generating_again_changes_nothing_and_follows_the_schedule(
    session: Session, station: Station, coordinator: Principal, client: Client
) -> None:
    schedule = meals(session, client)
    first = DAYS.generate(session, coordinator, ident(station), TUESDAY)
    again = DAYS.generate(session, coordinator, ident(station), TUESDAY)
    assert [t.id for t in again.tasks] == [t.id for t in first.tasks]
    assert (again.created, again.updated, again.cancelled) == (0, 0, 0)

    schedules = ScheduleService()  # as the app changes a schedule: JSON columns as stored
    schedules.update(session, coordinator, ident(schedule), ScheduleUpdate(quantity=2))
    [task] = DAYS.generate(session, coordinator, ident(station), TUESDAY).tasks
    assert task.quantity == 2

    schedules.update(session, coordinator, ident(schedule), ScheduleUpdate(skip_dates=[TUESDAY]))
    skipped = DAYS.generate(session, coordinator, ident(station), TUESDAY)
    [task] = skipped.tasks
    assert (task.status, task.status_reason) == (TaskStatus.CANCELLED, "skipped on this date")
    assert skipped.cancelled == 1

    schedules.update(session, coordinator, ident(schedule), ScheduleUpdate(skip_dates=[]))
    [task] = DAYS.generate(session, coordinator, ident(station), TUESDAY).tasks
    assert task.status is TaskStatus.OPEN  # due again: reopened, same task
    session.commit()  # the audit trail is written, and chained, when the changes commit
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.entity == "task")).all()
    assert actions.count("generate") == 3  # created, quantity changed, reopened
    assert actions.count("cancel") == 1


def test_skip_dates_and_holds_are_dates_whether_just_saved_or_read_back(
    session: Session, station: Station, coordinator: Principal, client: Client
) -> None:
    schedules = ScheduleService()
    hold = {"start": "2026-11-30", "end": "2026-12-04", "reason": "回老家"}
    created = schedules.create(
        session,
        coordinator,
        ScheduleCreate.model_validate(  # as a form or a JSON body gives it: text
            {
                "client_id": ident(client),
                "site_id": ident(create_site(session, station=station)),
                "kind": "meal",
                "recurrence": "weekly",
                "weekdays": [0, 1, 2, 3, 4],
                "start_date": "2026-11-02",
                "skip_dates": ["2026-12-31"],
                "holds": [hold],
            }
        ),
    )
    typed = (
        [date(2026, 12, 31)],
        [Hold(start=date(2026, 11, 30), end=date(2026, 12, 4), reason="回老家")],
    )
    assert (created.skip_dates, created.holds) == typed  # as saved in this session
    session.commit()
    session.expire_all()
    loaded = session.get(ServiceSchedule, ident(created))
    assert loaded is not None
    assert (loaded.skip_dates, loaded.holds) == typed  # as read back
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a page dumping the record warned: strings for dates
        assert loaded.model_dump(mode="json")["skip_dates"] == ["2026-12-31"]
    trail = session.exec(
        select(AuditEvent).where(AuditEvent.entity == "schedule", AuditEvent.action == "create")
    ).one()
    assert trail.changes["holds"] == [None, [hold]]  # the trail keeps the text it always kept
    away = tasks_between(session, coordinator, station, date(2026, 11, 30), 5)
    assert away == []  # and the days follow the hold


def test_a_planned_task_is_never_dropped_only_flagged(
    session: Session, station: Station, coordinator: Principal, client: Client
) -> None:
    schedule = meals(session, client)
    DAYS.generate(session, coordinator, ident(station), TUESDAY)
    task = session.exec(select(Task)).one()
    task.status = TaskStatus.PLANNED
    save(session, task)
    client.status = ClientStatus.ENDED
    save(session, client)
    day = DAYS.generate(session, coordinator, ident(station), TUESDAY)
    [kept] = day.tasks
    assert kept.status is TaskStatus.PLANNED
    assert kept.status_reason == "no longer due: client ended"
    assert day.kept == 1
    assert kept.schedule_id == schedule.id


def test_the_day_says_how_the_files_changed_since_it_was_generated_and_a_new_plan_follows(
    session: Session, station: Station, coordinator: Principal, client: Client
) -> None:
    """A client gone into hospital after the day was generated and planned would be
    visited in vain; a schedule added since would be forgotten. The day says both, and a
    plan made after generating again leaves out what is no longer due."""
    meals(session, client)
    other = create_client(session, station=station, name="李建国")
    DAYS.generate(session, coordinator, ident(station), TUESDAY)
    assert DAYS.drift(session, coordinator, ident(station), TUESDAY) == DayDrift()
    task = session.exec(select(Task).where(Task.client_id == client.id)).one()
    task.status = TaskStatus.PLANNED  # on the day's plan
    save(session, task)
    client.status = ClientStatus.PAUSED
    client.status_from, client.status_until = TUESDAY, TUESDAY + timedelta(days=3)
    client.status_reason = "住院"
    save(session, client)
    meals(session, other)  # added after the day was generated

    drift = DAYS.drift(session, coordinator, ident(station), TUESDAY)
    assert [(g.client_name, g.reason, g.planned) for g in drift.gone] == [
        (client.name, "client paused: 住院", True)
    ]
    assert drift.new == 1
    assert {t.id for t in plannable_tasks(session, ident(station), TUESDAY)} == {task.id}

    DAYS.generate(session, coordinator, ident(station), TUESDAY)
    # Kept, as planned tasks are, but a new plan of the day leaves it out.
    assert [t.client_id for t in plannable_tasks(session, ident(station), TUESDAY)] == [other.id]
    drift = DAYS.drift(session, coordinator, ident(station), TUESDAY)
    assert drift.new == 0
    assert [g.client_name for g in drift.gone] == [client.name]  # until the plan is made again

    client.status = ClientStatus.ACTIVE  # back home: due, and planned again
    save(session, client)
    DAYS.generate(session, coordinator, ident(station), TUESDAY)
    assert {t.client_id for t in plannable_tasks(session, ident(station), TUESDAY)} == {
        client.id,
        other.id,
    }
    assert DAYS.drift(session, coordinator, ident(station), TUESDAY) == DayDrift()


def test_public_holidays_close_the_station_and_make_up_days_run_the_day_given_up(
    session: Session, station: Station, coordinator: Principal, client: Client
) -> None:
    meals(session, client, weekdays=[2], start_date=date(2026, 9, 1))  # Wednesdays
    national_day = DAYS.generate(session, coordinator, ident(station), date(2026, 10, 1))
    assert not national_day.open
    assert national_day.closed_reason == "国庆节"
    assert national_day.tasks == []
    # Saturday 10 October 2026 is worked in exchange for Wednesday 7 October.
    make_up = DAYS.generate(session, coordinator, ident(station), date(2026, 10, 10))
    assert make_up.open
    assert make_up.schedule_weekday == 2
    assert len(make_up.tasks) == 1

    station.observes_public_holidays = False
    save(session, station)
    assert len(DAYS.generate(session, coordinator, ident(station), date(2026, 10, 7)).tasks) == 1


def test_a_closure_of_the_station_cancels_open_tasks(
    session: Session, station: Station, coordinator: Principal, client: Client
) -> None:
    meals(session, client)
    DAYS.generate(session, coordinator, ident(station), TUESDAY)
    save(
        session,
        StationClosure(
            station_id=ident(station), date_from=TUESDAY, date_to=TUESDAY, reason="消防演练"
        ),
    )
    day = DAYS.generate(session, coordinator, ident(station), TUESDAY)
    assert (day.open, day.closed_reason) == (False, "消防演练")
    [task] = day.tasks
    assert (task.status, task.status_reason) == (TaskStatus.CANCELLED, "消防演练")


def test_volunteers_free_on_the_day_with_leave_and_extra_days(
    session: Session, station: Station, coordinator: Principal
) -> None:
    weekly = create_volunteer(session, station=station, name="每周二")
    create_availability(session, volunteer=weekly, weekday=1, start_time=time(9), end_time=time(13))
    create_availability(
        session,
        volunteer=weekly,
        kind=AvailabilityKind.LEAVE,
        weekday=None,
        date_from=TUESDAY,
        start_time=time(9),
        end_time=time(10, 30),
    )
    away = create_volunteer(session, station=station, name="请假")
    create_availability(session, volunteer=away, weekday=1)
    create_availability(
        session,
        volunteer=away,
        kind=AvailabilityKind.LEAVE,
        weekday=None,
        date_from=date(2026, 11, 20),
        date_to=date(2026, 11, 30),
        start_time=None,
        end_time=None,
    )
    extra = create_volunteer(session, station=station, name="加班")
    create_availability(
        session,
        volunteer=extra,
        kind=AvailabilityKind.EXTRA,
        weekday=None,
        date_from=TUESDAY,
        start_time=time(14),
        end_time=time(17),
    )
    idle = create_volunteer(session, station=station, name="停用", active=False)
    create_availability(session, volunteer=idle, weekday=1)
    other_day = create_volunteer(session, station=station, name="周一")
    create_availability(session, volunteer=other_day, weekday=0)

    free = {
        v.name: (v.shift.start, v.shift.end)
        for v in DAYS.get(session, coordinator, ident(station), TUESDAY).volunteers
    }
    assert free == {"每周二": (time(10, 30), time(13)), "加班": (time(14), time(17))}
