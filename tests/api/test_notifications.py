"""Telling people: messages written with their events, sent through real protocols to
stand-ins on this machine (SMTP, webhooks through Apprise, Tencent Cloud SMS)."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import Engine, event
from sqlmodel import Session

from dispatch.config import Settings
from dispatch.notifications import service as notices
from models.enums import Role
from tests.builders.accounts import create_account, sign_in
from tests.builders.days import DAY, outcome, plan_day, planned, published, record_outcome
from tests.builders.notifications import (
    coordinator_on_duty_in_chat,
    make_sender,
    no_answer_raised,
    outbox,
    prefer,
)
from tests.builders.records import ident
from tests.conftest import RunningServer
from tests.standins import (
    HttpStandIn,
    SmtpServer,
    smtp_server,
    tencent_sms_server,
    webhook_server,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def hooks() -> Iterator[HttpStandIn]:
    with webhook_server() as server:
        yield server


@pytest.fixture
def sms() -> Iterator[HttpStandIn]:
    with tencent_sms_server() as server:
        yield server


def test_a_published_route_is_emailed_to_its_volunteer_in_their_language_with_its_link(
    api: httpx.Client,
    session: Session,
    engine: Engine,
    settings: Settings,
    server: RunningServer,
    smtp: SmtpServer,
) -> None:
    day = plan_day(api, session, clients=8, volunteers=2, publish=False)  # 6 meals a bag
    chinese, english = sorted(r["volunteer_id"] for r in day.plan["routes"] if r["stops"])
    prefer(
        api, day, audience="volunteer", person_id=chinese, channel="email", address="a@example.org"
    )
    prefer(
        api,
        day,
        audience="volunteer",
        person_id=english,
        channel="email",
        address="b@example.org",
        locale="en",
    )
    published(api, day.plan, day.coordinator.headers)
    written = outbox(api, day)
    assert sorted(m["event"] for m in written) == ["route_published"] * 2
    assert all(m["status"] == "pending" for m in written)  # written with the publication

    mailer = make_sender(engine, settings, server, smtp=smtp)
    assert mailer.run_once() == 2
    assert mailer.run_once() == 0  # each message once
    mails = {m["To"]: m for m in smtp.messages}
    assert sorted(mails) == ["a@example.org", "b@example.org"]
    assert mails["a@example.org"]["Subject"] == f"您 {DAY} 的路线"
    assert mails["b@example.org"]["Subject"] == f"Your route for {DAY}"
    body = mails["b@example.org"].get_content()
    routed = {r["volunteer_id"]: r for r in day.plan["routes"]}
    doors = sum(s["kind"] == "door" for s in routed[english]["stops"])
    assert f"{doors} stops" in body
    link = re.search(rf"{re.escape(server.url)}(/r/[\w.-]+)", body)
    assert link, body
    assert api.get(link.group(1)).status_code == 200  # the route page, no password
    route = api.get(f"{link.group(1)}/api/route").json()
    assert route["volunteer_id"] == english
    assert [s["stop_id"] for s in route["stops"]] == [
        s["id"] for s in routed[english]["stops"] if s["kind"] == "door"
    ]
    assert "/n/" in body  # and a way to stop the messages
    sent = outbox(api, day)
    assert {m["status"] for m in sent} == {"sent"}
    assert all(len(m["log"]) == 1 and m["log"][0]["ok"] for m in sent)
    assert mails["a@example.org"]["Message-ID"] != mails["b@example.org"]["Message-ID"]

    # The office's pages: the preferences and the outbox, in words, not codes.
    sign_in(api, day.coordinator.user.username)
    contacts = api.get("/records/contacts").text
    assert "电子邮件" in contacts
    assert ">email<" not in contacts
    page = api.get(f"/stations/{ident(day.station)}/notifications").text
    assert page.count("路线发布") == 2
    assert "已发送" in page
    assert 'id="older"' not in page  # one page holds both

    # A busy station's outbox comes a page at a time, and by status.
    messages = f"/api/stations/{ident(day.station)}/notifications"
    first, second = (
        api.get(messages, params={"page_size": 1, "page": n}, headers=day.coordinator.headers)
        for n in (1, 2)
    )
    assert (first.json()["total"], len(first.json()["items"])) == (2, 1)
    assert first.json()["items"][0]["id"] > second.json()["items"][0]["id"]  # newest first
    failed = api.get(messages, params={"status": "failed"}, headers=day.coordinator.headers)
    assert (failed.json()["total"], failed.json()["items"]) == (0, [])
    paged = api.get(f"/stations/{ident(day.station)}/notifications?page_size=1").text
    assert paged.count("路线发布") == 1
    assert 'id="older"' in paged
    assert "较早的消息" in paged
    assert "共 2 条消息" in paged
    assert "最近 7 天的消息" in paged
    month = api.get(f"/stations/{ident(day.station)}/notifications?days=30&page_size=1").text
    assert "最近 30 天的消息" in month
    # The older page keeps the period and the page size: it holds the other message.
    assert "?days=30&amp;page_size=1&amp;page=2" in month
    older = api.get(f"/stations/{ident(day.station)}/notifications?days=30&page_size=1&page=2")
    assert older.text.count("路线发布") == 1
    assert 'id="newer"' in older.text
    assert 'id="older"' not in older.text
    only_failed = api.get(f"/stations/{ident(day.station)}/notifications?status=failed").text
    assert "路线发布" not in only_failed


def test_a_no_answer_tells_the_coordinator_on_duty_and_the_chat_and_each_step_due(
    api: httpx.Client,
    session: Session,
    engine: Engine,
    settings: Settings,
    server: RunningServer,
    hooks: HttpStandIn,
) -> None:
    day = plan_day(api, session)
    other = create_account(session, role=Role.COORDINATOR, stations=(day.station,))
    manager = create_account(session, role=Role.MANAGER, stations=(day.station,))
    chat = f"json://{hooks.url}"
    coordinator_on_duty_in_chat(api, day, f"{chat}/on-duty")
    prefer(
        api,
        day,
        audience="staff",
        person_id=ident(other.user),
        channel="chat",
        address=f"{chat}/off-duty",
    )
    prefer(
        api,
        day,
        audience="staff",
        person_id=ident(manager.user),
        channel="chat",
        address=f"{chat}/manager",
        locale="en",
    )
    prefer(
        api,
        day,
        audience="station",
        person_id=ident(day.station),
        channel="chat",
        address=f"{chat}/station",
    )
    volunteer_id = day.first_route["volunteer_id"]
    door = day.doors(volunteer_id)[0]
    me = day.volunteers[volunteer_id]
    no_answer = outcome("no_answer")
    for _ in range(2):  # sent twice (lost signal): one alert, one message each
        record_outcome(api, door["id"], me.headers, no_answer)

    chatter = make_sender(engine, settings, server)
    sent = chatter.run_once()
    assert sent == 2, [(r.path, r.json()) for r in hooks.posts()]
    posted = {r.path: r.json() for r in hooks.posts()}
    assert sorted(posted) == ["/on-duty", "/station"]  # not the coordinator off duty
    assert door["client_name"] in posted["/on-duty"]["title"]
    assert posted["/on-duty"]["title"] == f"警报：{door['client_name']}家无人应门"
    assert f"{server.url}/days/{ident(day.station)}/{DAY}" in posted["/on-duty"]["message"]

    alert = api.get(
        f"/api/stations/{ident(day.station)}/alerts", headers=day.coordinator.headers
    ).json()[0]
    raised = datetime.fromisoformat(alert["raised_at"])
    # The emergency contact is called before that step falls due: no message for it.
    api.post(
        f"/api/alerts/{alert['id']}/steps",
        json={"step": "call_emergency_contact", "result": "女儿说老人去医院了"},
        headers=day.coordinator.headers,
    ).raise_for_status()
    assert chatter.run_once(raised + timedelta(minutes=11)) == 1  # call the client: due
    assert chatter.run_once(raised + timedelta(minutes=35)) == 0  # taken: nothing
    assert chatter.run_once(raised + timedelta(minutes=125)) == 5
    steps = [r.json()["title"] for r in hooks.posts("/on-duty")]
    assert len(steps) == 4
    assert steps[1] == f"{door['client_name']}的警报：“致电老人”已到时间"
    manager_posts = [r.json()["title"] for r in hooks.posts("/manager")]
    assert len(manager_posts) == 1  # emergency services: managers are told too, in English
    assert manager_posts[0] == f"Alert for {door['client_name']}: “emergency services” is due"
    assert len(hooks.posts("/station")) == 3  # raised, a social worker's visit, emergency services
    assert hooks.posts("/off-duty") == []
    assert chatter.run_once(raised + timedelta(minutes=200)) == 0  # each step once


def test_with_nobody_on_duty_a_no_answer_tells_every_active_coordinator_of_the_station(
    api: httpx.Client, session: Session
) -> None:
    """Not a coordinator whose account is off, nor one whose preference is archived, nor one
    of another station, nor a manager (told only from a later step of the ladder)."""
    day = plan_day(api, session)
    elsewhere = plan_day(api, session)
    second = create_account(session, role=Role.COORDINATOR, stations=(day.station,))
    off = create_account(session, role=Role.COORDINATOR, stations=(day.station,))
    archived = create_account(session, role=Role.COORDINATOR, stations=(day.station,))
    manager = create_account(session, role=Role.MANAGER, stations=(day.station,))
    preferences = {}
    for name, account in [
        ("first", day.coordinator),
        ("second", second),
        ("off", off),
        ("archived", archived),
        ("manager", manager),
    ]:
        address = f"{name}@example.org"
        preferences[name] = prefer(
            api,
            day,
            audience="staff",
            person_id=ident(account.user),
            channel="email",
            address=address,
        )
    other = elsewhere.coordinator
    prefer(
        api,
        elsewhere,
        audience="staff",
        person_id=ident(other.user),
        channel="email",
        address="elsewhere@example.org",
        on_duty=True,
    )
    api.post(
        f"/api/contact-preferences/{preferences['archived']['id']}/archive",
        headers=day.coordinator.headers,
    ).raise_for_status()
    off.user.active = False
    session.add(off.user)
    session.commit()

    no_answer_raised(api, day)
    told = {m["person_id"] for m in outbox(api, day) if m["event"] == "alert_raised"}
    assert told == {ident(day.coordinator.user), ident(second.user)}
    assert outbox(api, elsewhere) == []


def test_a_scan_asks_no_more_of_the_database_for_many_alerts_told_than_for_one(
    api: httpx.Client,
    session: Session,
    engine: Engine,
    settings: Settings,
    server: RunningServer,
    hooks: HttpStandIn,
) -> None:
    """The scan comes back every few seconds and after each alert over every open alert:
    the steps already told are found at once, not alert by alert (at lunch a city has
    hundreds open)."""
    day = plan_day(api, session)
    coordinator_on_duty_in_chat(api, day, f"json://{hooks.url}/on-duty")
    doors = [
        (door, day.volunteers[route["volunteer_id"]])
        for route in day.plan["routes"]
        for door in day.doors(route["volunteer_id"])
    ]
    assert len(doors) >= 4
    chatter = make_sender(engine, settings, server)
    later = datetime.now(UTC) + timedelta(minutes=125)  # every step of the ladder due

    def statements_of_a_scan() -> int:
        counted: list[str] = []

        def count(*args: object) -> None:
            counted.append(str(args[2]))

        event.listen(engine, "before_cursor_execute", count)
        try:
            with Session(engine) as scanning:
                assert notices.scan(scanning, later, time(23, 59)) == 0  # all told
                scanning.rollback()
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(counted)

    door, volunteer = doors[0]
    record_outcome(api, door["id"], volunteer.headers, outcome("no_answer"))
    first = chatter.run_once(later)
    assert first == 5  # the alert, and the four steps due to the coordinator on duty
    one = statements_of_a_scan()
    for door, volunteer in doors[1:]:
        record_outcome(api, door["id"], volunteer.headers, outcome("no_answer"))
    assert chatter.run_once(later) == 5 * (len(doors) - 1)
    assert statements_of_a_scan() == one
    assert chatter.run_once(later) == 0  # each step once


def test_a_ladder_changed_while_an_alert_is_open_is_walked_anew_and_nothing_told_twice(
    api: httpx.Client,
    session: Session,
    engine: Engine,
    settings: Settings,
    server: RunningServer,
    hooks: HttpStandIn,
) -> None:
    day = plan_day(api, session)
    coordinator_on_duty_in_chat(api, day, f"json://{hooks.url}/on-duty")
    door, raised = no_answer_raised(api, day)
    chatter = make_sender(engine, settings, server)
    assert chatter.run_once() == 1  # the alert
    assert chatter.run_once(raised + timedelta(minutes=11)) == 1  # call the client (10 min)

    # The emergency contact is now called at 15 minutes, not 30; a last step is added.
    ladder = [
        {"step": "call_client", "due_minutes": 10},
        {"step": "call_emergency_contact", "due_minutes": 15},
        {"step": "social_worker_visit", "due_minutes": 90},
    ]
    api.patch(
        f"/api/stations/{ident(day.station)}",
        json={"alert_ladder": ladder},
        headers=day.coordinator.headers,
    ).raise_for_status()
    assert chatter.run_once(raised + timedelta(minutes=16)) == 1  # the contact, once
    titles = [r.json()["title"] for r in hooks.posts("/on-duty")]
    assert titles[-1] == f"{door['client_name']}的警报：“致电紧急联系人”已到时间"
    assert chatter.run_once(raised + timedelta(minutes=31)) == 0  # not again at its old time

    # Steps removed and put back: the alert has told all it had to; the visit is new.
    api.patch(
        f"/api/stations/{ident(day.station)}",
        json={"alert_ladder": ladder[:2]},
        headers=day.coordinator.headers,
    ).raise_for_status()
    assert chatter.run_once(raised + timedelta(minutes=95)) == 0
    api.patch(
        f"/api/stations/{ident(day.station)}",
        json={"alert_ladder": ladder},
        headers=day.coordinator.headers,
    ).raise_for_status()
    assert chatter.run_once(raised + timedelta(minutes=96)) == 1  # the visit, due since 90
    assert len(hooks.posts("/on-duty")) == 4
    assert chatter.run_once(raised + timedelta(minutes=200)) == 0


def test_a_coordinator_who_comes_on_duty_while_an_alert_is_open_is_told_the_steps_due(
    api: httpx.Client,
    session: Session,
    engine: Engine,
    settings: Settings,
    server: RunningServer,
    hooks: HttpStandIn,
) -> None:
    """The alert, and a step that fell due while nobody was to be told, are told to whoever
    is now, once. Before, the alert had already moved on to its next step's time: neither
    was ever told."""
    day = plan_day(api, session)
    door, raised = no_answer_raised(api, day)
    chatter = make_sender(engine, settings, server)
    assert chatter.run_once(raised + timedelta(minutes=11)) == 0  # call the client: nobody

    coordinator_on_duty_in_chat(api, day, f"json://{hooks.url}/on-duty")
    assert chatter.run_once(raised + timedelta(minutes=12)) == 2
    titles = sorted(r.json()["title"] for r in hooks.posts("/on-duty"))
    assert titles == [
        f"{door['client_name']}的警报：“致电老人”已到时间",
        f"警报：{door['client_name']}家无人应门",
    ]
    assert chatter.run_once(raised + timedelta(minutes=13)) == 0  # once
    assert chatter.run_once(raised + timedelta(minutes=31)) == 1  # the emergency contact


def test_a_family_contact_who_consented_gets_an_sms_that_tencent_would_accept(
    api: httpx.Client,
    session: Session,
    engine: Engine,
    settings: Settings,
    server: RunningServer,
    sms: HttpStandIn,
) -> None:
    day = plan_day(api, session)
    volunteer_id = day.first_route["volunteer_id"]
    first, second = day.doors(volunteer_id)[:2]
    refused = api.post(
        "/api/contact-preferences",
        json={
            "station_id": ident(day.station),
            "audience": "family",
            "person_id": first["client_id"],
            "channel": "sms",
            "address": "13900000001",
        },
        headers=day.coordinator.headers,
    )
    assert refused.status_code == 422
    assert "consent" in refused.text
    prefer(
        api,
        day,
        audience="family",
        person_id=first["client_id"],
        channel="sms",
        address="13900000001",
        consent_on="2026-11-01",
    )
    again = api.post(
        "/api/contact-preferences",
        json={
            "station_id": ident(day.station),
            "audience": "family",
            "person_id": first["client_id"],
            "channel": "email",
            "address": "x@example.org",
            "consent_on": "2026-11-01",
        },
        headers=day.coordinator.headers,
    )
    assert again.status_code == 409  # one preference per person
    me = day.volunteers[volunteer_id]
    for door, kind in ((first, "delivered"), (second, "delivered")):
        record_outcome(api, door["id"], me.headers, outcome(kind))
    [message] = outbox(api, day)  # the second client's family did not opt in
    assert message["event"] == "family_delivered"

    forger = make_sender(engine, settings, server, sms=sms, sms_key="a-wrong-key")
    assert forger.run_once() == 0
    assert sms.refused == 1
    [held] = outbox(api, day)
    assert held["status"] == "pending"  # tried again later
    assert "SignatureFailure" in held["last_error"]
    retry_at = datetime.fromisoformat(held["next_attempt_at"])
    assert retry_at > datetime.now(UTC) + timedelta(seconds=20)

    texter = make_sender(engine, settings, server, sms=sms)
    assert texter.run_once() == 0  # not before its time
    assert texter.run_once(retry_at + timedelta(seconds=1)) == 1
    [request] = sms.posts()
    sent = request.json()
    assert sent["PhoneNumberSet"] == ["+8613900000001"]
    assert sent["TemplateId"] == "100001"
    assert sent["SmsSdkAppId"] == "1400000000"
    assert first["client_name"] in sent["TemplateParamSet"]
    assert sent["TemplateParamSet"][-1].startswith(f"{server.url}/n/")  # the way out
    [done] = outbox(api, day)
    assert done["status"] == "sent"
    assert [a["ok"] for a in done["log"]] == [False, True]


def test_quiet_hours_hold_a_message_until_they_end_but_not_an_alert_to_staff(
    api: httpx.Client,
    session: Session,
    engine: Engine,
    settings: Settings,
    server: RunningServer,
    smtp: SmtpServer,
) -> None:
    day = plan_day(api, session, publish=False)
    volunteer_id = day.first_route["volunteer_id"]
    # Quiet from an hour ago until twenty minutes from now, in the station's time: around
    # midnight the window passes it, as a night's quiet hours do.
    now = datetime.now(SHANGHAI).replace(second=0, microsecond=0)
    quiet = {
        "quiet_start": (now - timedelta(hours=1)).strftime("%H:%M"),
        "quiet_end": (now + timedelta(minutes=20)).strftime("%H:%M"),
    }
    prefer(
        api,
        day,
        audience="volunteer",
        person_id=volunteer_id,
        channel="email",
        address="v@example.org",
        **quiet,
    )
    prefer(
        api,
        day,
        audience="staff",
        person_id=ident(day.coordinator.user),
        channel="email",
        address="boss@example.org",
        **quiet,
    )
    published(api, day.plan, day.coordinator.headers)
    door = day.doors(volunteer_id)[0]
    record_outcome(api, door["id"], day.volunteers[volunteer_id].headers, outcome("no_answer"))
    mailer = make_sender(engine, settings, server, smtp=smtp)
    assert mailer.run_once() == 1  # the alert, urgent, goes to the coordinator at once
    assert [m["To"] for m in smtp.messages] == ["boss@example.org"]
    route = next(m for m in outbox(api, day) if m["event"] == "route_published")
    assert route["status"] == "pending"
    assert route["attempts"] == 0  # held is not tried
    end = now + timedelta(minutes=20)
    assert datetime.fromisoformat(route["next_attempt_at"]) == end
    mailer.run_once(end - timedelta(minutes=1))
    assert "v@example.org" not in [m["To"] for m in smtp.messages]
    mailer.run_once(end + timedelta(minutes=1))
    assert [m["To"] for m in smtp.messages].count("v@example.org") == 1


def test_an_opt_out_link_stops_every_later_message(
    api: httpx.Client,
    session: Session,
    engine: Engine,
    settings: Settings,
    server: RunningServer,
    smtp: SmtpServer,
) -> None:
    day = plan_day(api, session)
    volunteer_id = day.first_route["volunteer_id"]
    first, second, *_ = day.doors(volunteer_id)
    prefer(
        api,
        day,
        audience="family",
        person_id=first["client_id"],
        channel="email",
        address="family@example.org",
        consent_on="2026-11-01",
    )
    prefer(
        api,
        day,
        audience="family",
        person_id=second["client_id"],
        channel="email",
        address="family@example.org",
        consent_on="2026-11-01",
    )
    me = day.volunteers[volunteer_id]

    record_outcome(api, first["id"], me.headers, outcome("delivered"))
    mailer = make_sender(engine, settings, server, smtp=smtp)
    assert mailer.run_once() == 1
    [mail] = smtp.messages
    body = mail.get_content()
    assert f"已为{first['client_name']}完成服务" in body
    stop = re.search(rf"{re.escape(server.url)}(/n/[\w.-]+)", body)
    assert stop, body
    asked = api.get(stop.group(1))
    assert asked.status_code == 200
    assert "family@example.org" in asked.text
    assert outbox(api, day)[0]["status"] == "sent"  # opening the link alone changes nothing
    done = api.post(stop.group(1))
    assert done.status_code == 200
    # Of the other client, whose preference was not opted out: still told.
    record_outcome(api, second["id"], me.headers, outcome("delivered"))
    assert mailer.run_once() == 1
    # The opted-out preference gets nothing more, even for a new event of its client.
    record_outcome(api, first["id"], me.headers, outcome("delivered", note="补记"))
    assert mailer.run_once() == 0
    assert len(smtp.messages) == 2
    assert api.get("/n/not-a-real-token").status_code == 404
    trail = api.get(
        "/api/audit", params={"station_id": ident(day.station)}, headers=day.coordinator.headers
    )
    assert trail.status_code == 200
    assert "opt_out" in trail.text


def test_a_route_changed_by_hand_and_published_again_is_told_to_both_volunteers(
    api: httpx.Client,
    session: Session,
    engine: Engine,
    settings: Settings,
    server: RunningServer,
    smtp: SmtpServer,
) -> None:
    day = plan_day(api, session, clients=8, volunteers=2)
    giver, taker = sorted(r["volunteer_id"] for r in day.plan["routes"] if r["stops"])
    for volunteer_id in (giver, taker):
        prefer(
            api,
            day,
            audience="volunteer",
            person_id=volunteer_id,
            channel="email",
            address=f"v{volunteer_id}@example.org",
        )
    path = f"/api/stations/{ident(day.station)}/days/{DAY}"
    draft = planned(api, path, day.coordinator.headers)
    door = next(
        s
        for r in draft["routes"]
        if r["volunteer_id"] == giver
        for s in r["stops"]
        if s["kind"] == "door"
    )
    moved = api.post(
        f"/api/plans/{draft['id']}/stops/{door['id']}/move",
        json={"revision": draft["revision"], "volunteer_id": taker},
        headers=day.coordinator.headers,
    )
    assert moved.status_code == 200, moved.text
    draft = api.get(f"{path}/plan", headers=day.coordinator.headers).json()
    published(api, draft, day.coordinator.headers)
    assert make_sender(engine, settings, server, smtp=smtp).run_once() == 2
    subjects = sorted((m["To"], m["Subject"]) for m in smtp.messages)
    assert subjects == [
        (f"v{giver}@example.org", f"您 {DAY} 的路线有变化"),
        (f"v{taker}@example.org", f"您 {DAY} 的路线有变化"),
    ]
    body = next(m for m in smtp.messages if m["To"] == f"v{taker}@example.org").get_content()
    doors = sum(
        s["kind"] == "door"
        for r in draft["routes"]
        if r["volunteer_id"] == taker
        for s in r["stops"]
    )
    assert f"现在 {doors} 个服务点" in body


def test_the_evening_before_each_volunteer_with_a_route_is_reminded_once(
    api: httpx.Client,
    session: Session,
    engine: Engine,
    settings: Settings,
    server: RunningServer,
    smtp: SmtpServer,
) -> None:
    day = plan_day(api, session, clients=8, volunteers=2)  # published: 6 meals a bag
    routed = sorted(r["volunteer_id"] for r in day.plan["routes"] if r["stops"])
    assert len(routed) == 2
    prefer(
        api,
        day,
        audience="volunteer",
        person_id=routed[0],
        channel="email",
        address="first@example.org",
    )
    prefer(
        api,
        day,
        audience="volunteer",
        person_id=routed[1],
        channel="email",
        address="second@example.org",
        opted_out_at=datetime.now(UTC).isoformat(),
    )
    mailer = make_sender(engine, settings, server, smtp=smtp)
    evening = datetime.fromisoformat(DAY).replace(tzinfo=SHANGHAI) - timedelta(hours=6)
    assert evening.hour == 18
    assert mailer.run_once(evening - timedelta(minutes=30)) == 0  # not yet
    assert mailer.run_once(evening + timedelta(minutes=30)) == 1  # only who did not opt out
    assert mailer.run_once(evening + timedelta(hours=2)) == 0  # once
    [mail] = smtp.messages
    assert mail["To"] == "first@example.org"
    assert mail["Subject"] == f"明天（{DAY}）的路线"
    doors = len(day.doors(routed[0]))
    assert f"明天（{DAY}）您有 {doors} 个服务点" in mail.get_content()
    assert f"{server.url}/r/" in mail.get_content()
