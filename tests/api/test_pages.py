"""The coordinator's pages over real HTTP: login, the day in both languages, actions."""

import re
import time as time_module
from datetime import date, time, timedelta
from urllib.parse import unquote

import httpx
import pytest
from sqlmodel import Session, select

from models import ServiceSchedule
from models.enums import (
    AvailabilityKind,
    ClientStatus,
    Recurrence,
    Role,
    ServiceKind,
    SiteKind,
)
from tests.builders.accounts import create_user, sign_in
from tests.builders.days import DAY, plan_day, planned
from tests.builders.records import (
    create_availability,
    create_client,
    create_schedule,
    create_site,
    create_station,
    create_volunteer,
    ident,
)
from tests.pdf_checks import embedded_cjk_fonts, pdf_text


def test_pages_need_a_login_and_render_in_chinese_and_english(
    api: httpx.Client, session: Session
) -> None:
    station = create_station(session, name="新街口社工站")
    client = create_client(session, station=station, name="王秀英")
    create_schedule(session, client=client, site=create_site(session, station=station))
    volunteer = create_volunteer(session, station=station)
    create_availability(session, volunteer=volunteer, weekday=1, start_time=time(10))
    user = create_user(session, role=Role.COORDINATOR, stations=(station,))
    day = f"/days/{ident(station)}/2026-11-24"

    assert api.get(day).headers["location"] == "/login"
    wrong = api.post("/login", data={"username": user.username, "password": "nope"})
    assert wrong.status_code == 303
    assert "message=" in wrong.headers["location"]
    signed = sign_in(api, user.username)
    assert signed.status_code == 303
    assert "careroute_session" in signed.headers["set-cookie"]

    page = api.get(day)
    assert page.status_code == 200
    assert "生成当日任务" in page.text  # the station's locale: zh-CN
    assert api.post(f"{day}/generate").status_code == 303
    after = api.get(day).text
    assert re.search(r"1 项任务，1 位志愿者有空", after)

    switched = api.get("/language/en", headers={"referer": day})
    assert switched.headers["location"] == day
    for elsewhere in ("https://evil.example/phish", "//evil.example/x", "/\\evil.example"):
        away = api.get("/language/en", headers={"referer": elsewhere})
        where = away.headers["location"]
        assert where.startswith("/")  # this site's own paths only
        assert "evil" not in where
    api.cookies.set("careroute_lang", "en")  # as the browser keeps it
    english = api.get(day).text
    assert "Plan this day" in english
    assert "1 task, 1 volunteer free" in english  # one of each, in the singular
    assert api.get("/vendor/leaflet/leaflet.js").status_code == 200


def test_sheets_and_labels_print_as_pages_and_as_pdf_with_an_embedded_cjk_font(
    api: httpx.Client, session: Session
) -> None:
    pytest.importorskip("weasyprint", reason="WeasyPrint needs Pango: apt-get install libpango")
    station = create_station(session)
    kitchen = create_site(session, station=station, name="长者食堂")
    for n in range(3):
        client = create_client(session, station=station, name=f"客户{n}", lat=32.04 + n / 500)
        create_schedule(session, client=client, site=kitchen)
    volunteer = create_volunteer(session, station=station, name="李志愿")
    create_availability(session, volunteer=volunteer, weekday=1, start_time=time(10))
    user = create_user(session, role=Role.COORDINATOR, stations=(station,))
    sign_in(api, user.username)
    day = f"/api/stations/{ident(station)}/days/2026-11-24"
    api.post(f"{day}/generate").raise_for_status()
    job = api.post(f"{day}/plan", json={"time_limit_seconds": 1}).json()
    deadline = time_module.monotonic() + 60
    while job["status"] in ("queued", "running"):
        assert time_module.monotonic() < deadline
        time_module.sleep(0.2)
        job = api.get(f"/api/planning-jobs/{job['id']}").json()
    plan_id = job["plan_id"]

    sheet = api.get(f"/plans/{plan_id}/sheets").text
    assert "长者食堂" in sheet
    assert "李志愿" in sheet
    labels = api.get(f"/plans/{plan_id}/labels").text
    assert labels.count('class="who"') == 3  # a label per meal
    for name, text in (("sheets", "长者食堂"), ("labels", "客户2")):
        pdf = api.get(f"/plans/{plan_id}/{name}.pdf")
        assert pdf.headers["content-type"] == "application/pdf"
        assert text in pdf_text(pdf.content)
        assert embedded_cjk_fonts(pdf.content)  # a subset of Noto CJK, in the file


def test_records_pages_list_create_validate_edit_and_import(
    api: httpx.Client, session: Session
) -> None:
    station = create_station(session)
    create_client(session, station=station, name="王秀英")
    user = create_user(session, role=Role.COORDINATOR, stations=(station,))
    sign_in(api, user.username)

    listing = api.get("/records/clients")
    assert "王秀英" in listing.text
    assert "客户" in listing.text
    form = api.get("/records/clients/new")
    assert 'name="emergency_contact_phone"' in form.text

    bad = api.post("/records/clients/new", data={"name": "李桂兰", "lat": "95", "lon": "118.78"})
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("text/html")  # the form again, marked
    assert "field invalid" in bad.text
    created = api.post(
        "/records/clients/new",
        data={"name": "李桂兰", "lat": "32.05", "lon": "118.78", "lives_alone": "on"},
    )
    assert created.status_code == 303
    assert "李桂兰" in api.get("/records/clients?q=李").text

    client_id = re.search(r'/records/clients/(\d+)">', api.get("/records/clients?q=李").text)
    assert client_id is not None
    edited = api.post(
        f"/records/clients/{client_id.group(1)}",
        data={"name": "李桂兰", "lat": "32.05", "lon": "118.78", "diet": "diabetic"},
    )
    assert edited.status_code == 303
    listed = api.get("/records/clients?q=李").text
    assert "糖尿病餐" in listed  # the diet by its name, in the page's language
    assert ">diabetic<" not in listed  # never the code
    edit_page = api.get(f"/records/clients/{client_id.group(1)}").text
    assert '<option value="diabetic" selected>糖尿病餐</option>' in edit_page

    csv = "姓名,电话,地址,纬度,经度\n赵大爷,13912345678,南京市中山路2号,32.04,118.78\n"
    imported = api.post(
        "/records/clients/import/file",
        files={"file": ("clients.csv", csv.encode(), "text/csv")},
    )
    assert imported.status_code == 303
    assert "赵大爷" in api.get("/records/clients").text


def test_a_clients_familiar_volunteers_are_picked_by_name_not_typed_as_ids(
    api: httpx.Client, session: Session
) -> None:
    station = create_station(session)
    client = create_client(session, station=station, name="王秀英")
    known = create_volunteer(session, station=station, name="陈志强")
    also = create_volunteer(session, station=station, name="林晓雨")
    create_volunteer(session, station=create_station(session), name="别站志愿者")
    user = create_user(session, role=Role.COORDINATOR, stations=(station,))
    sign_in(api, user.username)
    page = f"/records/clients/{ident(client)}"
    new = api.get("/records/clients/new").text
    assert '<select name="preferred_volunteer_ids" multiple' in new
    assert "PydanticUndefined" not in new  # an empty list, not the words of a missing default

    form = api.get(page).text
    assert '<select name="preferred_volunteer_ids" multiple' in form
    assert f'<option value="{ident(known)}" >陈志强</option>' in form
    assert "别站志愿者" not in form  # another station's volunteers are not offered
    picked = [str(ident(known)), str(ident(also))]  # a multiple choice posts each value
    saved = api.post(
        page,
        data={"name": "王秀英", "lat": "32.05", "lon": "118.78", "preferred_volunteer_ids": picked},
    )
    assert saved.status_code == 303
    session.refresh(client)
    assert client.preferred_volunteer_ids == [ident(known), ident(also)]
    again = api.get(page).text
    assert f'<option value="{ident(known)}" selected>陈志强</option>' in again
    assert f'<option value="{ident(also)}" selected>林晓雨</option>' in again

    cleared = api.post(page, data={"name": "王秀英", "lat": "32.05", "lon": "118.78"})
    assert cleared.status_code == 303  # nothing chosen: a multiple choice posts nothing
    session.rollback()  # a new transaction sees what the server wrote
    session.refresh(client)
    assert client.preferred_volunteer_ids == []


def test_availability_closures_and_menus_are_kept_from_their_pages(
    api: httpx.Client, session: Session
) -> None:
    station = create_station(session)
    volunteer = create_volunteer(session, station=station, name="周阿姨")
    kitchen = create_site(session, station=station)
    user = create_user(session, role=Role.COORDINATOR, stations=(station,))
    sign_in(api, user.username)

    slot = {"volunteer_id": str(ident(volunteer)), "kind": "weekly", "weekday": "1"}
    assert api.post("/records/availability/new", data=slot).status_code == 422  # no times
    slot |= {"start_time": "09:00", "end_time": "12:00"}
    assert api.post("/records/availability/new", data=slot).status_code == 303
    slots = api.get("/records/availability").text
    assert "<th>时段类型</th>" in slots  # a slot's kind, not a "service"
    assert "<th>服务</th>" not in slots
    closure = {"date_from": "2026-11-24", "date_to": "2026-11-24", "reason": "消防演练"}
    assert api.post("/records/closures/new", data=closure).status_code == 303
    menu = {
        "site_id": str(ident(kitchen)),
        "service_date": "2026-11-24",
        "diet": "regular",
        "dish": "番茄炒蛋",
        "allergens": "鸡蛋，番茄",
    }
    assert api.post("/records/menus/new", data=menu).status_code == 303
    assert "鸡蛋, 番茄" in api.get("/records/menus").text

    day = api.get(f"/api/stations/{ident(station)}/days/2026-11-24").json()
    assert day["closed_reason"] == "消防演练"
    tuesday = api.get(f"/api/stations/{ident(station)}/days/2026-12-01").json()
    assert [v["name"] for v in tuesday["volunteers"]] == ["周阿姨"]


def test_a_volunteer_reads_their_published_route_on_a_phone_page(
    api: httpx.Client, session: Session
) -> None:
    station = create_station(session)
    kitchen = create_site(session, station=station, name="长者食堂")
    client = create_client(session, station=station, name="钱奶奶", key_box="1234", floor=5)
    create_schedule(session, client=client, site=kitchen)
    volunteer = create_volunteer(session, station=station, name="孙志愿")
    create_availability(session, volunteer=volunteer, weekday=1, start_time=time(10))
    coordinator = create_user(session, role=Role.COORDINATOR, stations=(station,))
    me = create_user(session, role=Role.VOLUNTEER, stations=(station,), volunteer=volunteer)
    sign_in(api, coordinator.username)
    day = f"/api/stations/{ident(station)}/days/2026-11-24"
    api.post(f"{day}/generate").raise_for_status()
    job = api.post(f"{day}/plan", json={"time_limit_seconds": 1}).json()
    while job["status"] in ("queued", "running"):
        time_module.sleep(0.2)
        job = api.get(f"/api/planning-jobs/{job['id']}").json()
    plan = api.get(f"{day}/plan").json()

    sign_in(api, me.username)
    assert "钱奶奶" not in api.get("/me/2026-11-24").text  # not published yet
    sign_in(api, coordinator.username)
    api.post(f"/api/plans/{plan['id']}/publish", json={"revision": plan["revision"]})

    sign_in(api, me.username)
    assert api.get("/", follow_redirects=False).headers["location"].startswith("/me/")
    page = api.get("/me/2026-11-24").text
    assert "钱奶奶" in page
    assert "长者食堂" in page
    assert "1234" in page
    assert 'href="tel:' in page
    assert 'href="geo:' in page
    assert "13800000001" not in page  # the emergency contact stays with the coordinator
    assert "高血压" not in page  # and so do the health notes


def test_the_day_page_shows_each_reader_only_the_actions_they_may_take(
    api: httpx.Client, session: Session
) -> None:
    """A manager reads the day; only a coordinator sees the buttons that change it. With no
    alert, there is no alert box; every page has a favicon."""
    day = plan_day(api, session, clients=3, volunteers=1)
    url = f"/days/{ident(day.station)}/{DAY}"
    actions = ("/generate", '/plan"', "/paper", 'class="link"', "route-sheets-links")

    manager = create_user(session, role=Role.MANAGER, stations=(day.station,))
    sign_in(api, manager.username)
    page = api.get(url)
    assert page.status_code == 200
    assert [a for a in actions if a in page.text] == []
    assert 'class="alerts calm" hidden' in page.text  # no alert at all: no alert box

    coordinator = create_user(session, role=Role.COORDINATOR, stations=(day.station,))
    sign_in(api, coordinator.username)
    page = api.get(url)
    assert [a for a in actions if a in page.text] == list(actions)
    assert '<link rel="icon" href="/static/favicon.svg"' in page.text
    icon = api.get("/favicon.ico", follow_redirects=True)
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg")


def test_every_answer_carries_the_security_headers(api: httpx.Client) -> None:
    """Pages run only the app's own scripts and cannot be framed; the API docs page, which
    loads its viewer from a CDN, is the one page without the content policy."""
    for path in ("/login", "/api/auth/me", "/static/app.css"):
        headers = api.get(path).headers
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["x-frame-options"] == "DENY", path
        assert headers["referrer-policy"] == "same-origin", path
        policy = headers["content-security-policy"]
        assert "script-src 'self';" in policy, path
        assert "frame-ancestors 'none'" in policy, path
    docs = api.get("/docs")
    assert docs.status_code == 200
    assert "content-security-policy" not in docs.headers
    assert docs.headers["x-frame-options"] == "DENY"


def test_a_page_of_another_site_cannot_act_with_the_coordinators_session(
    api: httpx.Client, session: Session
) -> None:
    """The same form posted from another origin (another port, a sibling subdomain) is
    refused before anything runs; from the app's own page it works; an API client with a
    bearer token is not concerned."""
    day = plan_day(api, session, clients=2, volunteers=1, publish=False)
    coordinator = create_user(session, role=Role.COORDINATOR, stations=(day.station,))
    sign_in(api, coordinator.username)
    generate = f"/days/{ident(day.station)}/{DAY}/generate"
    host = api.base_url.netloc.decode()

    for header in (
        {"Origin": "http://evil.example"},
        {"Origin": f"http://{host.split(':')[0]}:1"},  # the same host, another port
        {"Sec-Fetch-Site": "same-site"},
        {"Sec-Fetch-Site": "cross-site", "Origin": f"http://{host}"},
    ):
        refused = api.post(generate, headers=header)
        assert refused.status_code == 403, header
        assert refused.json()["code"] == "cross_site"
    assert api.post(generate, headers={"Sec-Fetch-Site": "same-origin"}).status_code == 303
    assert api.post(generate, headers={"Origin": f"http://{host}"}).status_code == 303
    api.cookies.clear()
    url = f"/api/stations/{ident(day.station)}/days/{DAY}/generate"
    by_token = api.post(url, headers={"Origin": "http://evil.example", **day.coordinator.headers})
    assert by_token.status_code == 200, by_token.text


def test_a_change_with_the_session_cookie_needs_the_pages_token(
    api: httpx.Client, session: Session
) -> None:
    """Even from this site (a page an attacker placed on it, a tool that sends no origin), a
    form or script acting on the session cookie must send the token its page carries."""
    day = plan_day(api, session, clients=2, volunteers=1, publish=False)
    coordinator = create_user(session, role=Role.COORDINATOR, stations=(day.station,))
    sign_in(api, coordinator.username)
    token = api.headers.pop("X-CSRF-Token")
    page = f"/days/{ident(day.station)}/{DAY}"
    assert f'name="csrf_token" value="{token}"' in api.get(page).text  # in every form

    forged = api.post(f"{page}/generate", headers={"Referer": f"{api.base_url}{page}"})
    assert forged.status_code == 303
    assert forged.headers["location"].startswith(f"{page}?message=")  # back, saying why
    api_url = f"/api/stations/{ident(day.station)}/days/{DAY}/generate"
    refused = api.post(api_url)
    assert (refused.status_code, refused.json()["code"]) == (403, "form_token")
    assert api.post(api_url, headers={"X-CSRF-Token": "0" * 64}).status_code == 403

    posted = api.post(f"{page}/generate", data={"csrf_token": token})
    assert posted.headers["location"] == page  # done, no message
    assert api.post(api_url, headers={"X-CSRF-Token": token}).status_code == 200
    sign_in(api, coordinator.username)  # a new session: a new token, the old one is dead
    assert api.headers["X-CSRF-Token"] != token
    stale = api.post(api_url, headers={"X-CSRF-Token": token})
    assert stale.status_code == 403


def test_record_lists_and_forms_name_choices_and_weekdays_never_codes(
    api: httpx.Client, session: Session
) -> None:
    station = create_station(session, name="新街口社工站")
    client = create_client(session, station=station, name="王秀英")
    create_schedule(session, client=client, site=create_site(session, station=station))
    user = create_user(session, role=Role.COORDINATOR, stations=(station,))
    sign_in(api, user.username)

    speaker = create_volunteer(
        session, station=station, name="南京话志愿者", skills=["medicine", "dialect:南京话"]
    )
    session.commit()
    assert "药品、方言：南京话" in api.get("/records/volunteers").text
    # Known skills ticked by name, any other typed beside them.
    opened = api.get(f"/records/volunteers/{speaker.id}").text
    ticked = re.findall(r'name="skills" value="(\w+)" (checked)?> (\S+)</label>', opened)
    assert ("medicine", "checked", "药品") in ticked
    assert ("first_aid", "", "急救") in ticked
    assert 'name="skills" value="方言：南京话"' in opened  # and read back as kept (test_forms)
    schedules = api.get("/records/schedules").text
    assert "周一、周二、周三、周四、周五" in schedules
    assert "0, 1, 2" not in schedules
    assert ">餐食<" in schedules  # the service, not "meal"
    form = api.get("/records/schedules/new").text
    assert '<option value="weekly" >每周</option>' in form
    # The days are ticked by name, not typed as numbers; saved as ticked.
    (schedule,) = session.exec(select(ServiceSchedule))
    opened = api.get(f"/records/schedules/{schedule.id}").text
    days = re.findall(
        r'<input type="checkbox" name="weekdays" value="(\d)" (checked)?> (\S+)</label>', opened
    )
    assert [(value, bool(ticked), name) for value, ticked, name in days] == [
        ("0", True, "周一"),
        ("1", True, "周二"),
        ("2", True, "周三"),
        ("3", True, "周四"),
        ("4", True, "周五"),
        ("5", False, "周六"),
        ("6", False, "周日"),
    ]
    kept = {
        "client_id": str(client.id),
        "kind": "meal",
        "recurrence": "weekly",
        "start_date": "2026-11-02",
        "window_start": "11:00",
        "window_end": "12:30",
    }
    posted = api.post(
        f"/records/schedules/{schedule.id}",
        data={**kept, "site_id": str(schedule.site_id), "weekdays": ["0", "2"]},
    )
    assert posted.status_code == 303, posted.text
    assert "周一、周三<" in api.get("/records/schedules").text
    assert ">11:00<" in schedules  # a time of day as people read it
    assert "11:00:00" not in schedules
    api.get("/language/en")
    listed = api.get("/records/schedules").text
    assert "Mon, Wed<" in listed  # each language's own separator
    assert "、" not in listed
    assert "dialect: 南京话" in api.get("/records/volunteers").text


def test_the_clients_list_and_file_say_what_each_household_receives_and_who_receives_nothing(
    api: httpx.Client, session: Session
) -> None:
    station = create_station(session)
    site = create_site(session, station=station)
    today = date.today()
    served = create_client(session, station=station, name="王秀英")
    create_schedule(session, client=served, site=site)
    create_schedule(
        session,
        client=served,
        site=None,
        kind=ServiceKind.VISIT,
        weekdays=[1],
        interval_weeks=2,
        window_start=time(14, 0),
        window_end=time(16, 0),
    )
    ended = create_client(session, station=station, name="李建国")
    create_schedule(session, client=ended, site=site, end_date=today - timedelta(days=1))
    past_order = create_client(session, station=station, name="孙爷爷")
    create_schedule(
        session,
        client=past_order,
        site=site,
        recurrence=Recurrence.ONCE,
        weekdays=[],
        start_date=today - timedelta(days=3),
    )
    never = create_client(session, station=station, name="赵大爷")
    create_client(session, station=station, name="钱奶奶", status=ClientStatus.ENDED)
    user = create_user(session, role=Role.COORDINATOR, stations=(station,))
    sign_in(api, user.username)

    def row_of(page: str, name: str) -> str:
        found = re.search(rf"<tr><td>{name}</td>.*?</tr>", page, re.S)
        assert found is not None, name
        return found.group(0)

    listing = api.get("/records/clients").text
    assert "餐食 周一至周五" in row_of(listing, "王秀英")
    assert "探访 每 2 周的周二" in row_of(listing, "王秀英")
    for name in ("李建国", "孙爷爷", "赵大爷"):  # ended, a past one-off, never entered
        assert "无服务安排" in row_of(listing, name)
    assert "无服务安排" not in row_of(listing, "钱奶奶")  # no longer served: nothing owed
    assert "3 位服务中的客户没有在执行的服务安排" in listing
    unserved = api.get("/records/clients?unserved=true").text
    assert {"李建国", "孙爷爷", "赵大爷"} == set(re.findall(r"<tr><td>(\S+?)</td>", unserved))

    file = api.get(f"/records/clients/{ident(served)}").text
    receives = re.search(r'<section class="beside" id="beside">.*?</section>', file, re.S)
    assert receives is not None
    assert "餐食 周一至周五 · 11:00–12:30</a>" in receives.group(0)
    nothing = api.get(f"/records/clients/{ident(never)}").text
    assert "该客户没有在执行的服务安排：什么都收不到" in nothing
    # The file in the parts people look for, the name first and the coordinates with the
    # address, not at the top.
    parts = re.findall(
        r'<fieldset class="section"><legend>(.*?)</legend>(.*?)</fieldset>', file, re.S
    )
    assert [title for title, _ in parts] == [
        "基本信息",
        "住址与入户",
        "需求与时间",
        "紧急联系人与健康（仅协调员可见）",
        "志愿者",
        "服务状态",
        "其他",
    ]
    named = {title: re.findall(r'name="(\w+)"', body) for title, body in parts}
    assert named["基本信息"][0] == "name"
    assert {"lat", "lon", "address"} <= set(named["住址与入户"])
    assert named["其他"] == ["external_id", "notes"]

    # A service added from the file is the client's: the form opens on them.
    new = api.get(f"/records/schedules/new?client_id={ident(never)}").text
    assert f'<option value="{ident(never)}" selected>赵大爷</option>' in new
    added = api.post(
        "/records/schedules/new",
        data={
            "client_id": str(ident(never)),
            "kind": "meal",
            "site_id": str(ident(site)),
            "recurrence": "weekly",
            "weekdays": ["0", "2", "4"],
            "start_date": str(today),
        },
    )
    assert added.status_code == 303, added.text
    assert added.headers["location"] == f"/records/clients/{ident(never)}"
    listing = api.get("/records/clients").text
    assert "餐食 周一、周三、周五" in row_of(listing, "赵大爷")
    assert "2 位服务中的客户没有在执行的服务安排" in listing
    # A schedule's page says whose it is: its client cannot be changed there.
    (schedule,) = session.exec(
        select(ServiceSchedule).where(ServiceSchedule.client_id == ident(never))
    )
    opened = api.get(f"/records/schedules/{schedule.id}").text
    assert f'<a href="/records/clients/{ident(never)}">赵大爷</a></h1>' in opened

    api.get("/language/en")
    assert "meal Mon–Fri" in row_of(api.get("/records/clients").text, "王秀英")


def test_a_coordinator_pauses_a_service_for_a_period_on_its_form_and_the_file_says_so(
    api: httpx.Client, session: Session
) -> None:
    """A week away with family: the meals stop for those days only, typed on the schedule's
    form; the client's file says so until the pause is over, and the audit trail reads it."""
    station = create_station(session)
    site = create_site(session, station=station)
    client = create_client(session, station=station, name="王秀英")
    schedule = create_schedule(session, client=client, site=site)
    user = create_user(session, role=Role.COORDINATOR, stations=(station,))
    sign_in(api, user.username)
    today = date.today()
    first, last = today + timedelta(days=6), today + timedelta(days=12)
    kept = {  # what the form posts: not the client, whose schedule it stays
        "kind": "meal",
        "site_id": str(site.id),
        "recurrence": "weekly",
        "weekdays": ["0", "1", "2", "3", "4"],
        "start_date": "2026-11-02",
        "window_start": "11:00",
        "window_end": "12:30",
    }
    opened = api.get(f"/records/schedules/{ident(schedule)}").text
    assert '<textarea name="holds"' in opened

    # A line that is not a period is refused at the field, and nothing is saved.
    refused = api.post(
        f"/records/schedules/{ident(schedule)}",
        data={**kept, "holds": f"{last} – {first} 家人接去小住"},
    )
    assert refused.status_code == 422
    field = re.search(r'<textarea name="holds".*?</label>', refused.text, re.S)
    assert field is not None, refused.text
    assert 'class="problem"' in field.group(0)
    assert f'<a href="/records/clients/{ident(client)}">王秀英</a></h1>' in refused.text
    assert 'class="message" role="alert"' not in refused.text  # nothing else refused
    session.refresh(schedule)
    assert schedule.holds == []

    posted = api.post(
        f"/records/schedules/{ident(schedule)}",
        data={
            **kept,
            "holds": f"{first} – {last} 家人接去小住\n{today - timedelta(days=20)} 住院",
        },
    )
    assert posted.status_code == 303, posted.text
    session.rollback()  # a new transaction sees what the server wrote
    session.refresh(schedule)
    assert [(h.start, h.end, h.reason) for h in schedule.holds] == [
        (first, last, "家人接去小住"),
        (today - timedelta(days=20), today - timedelta(days=20), "住院"),  # one day
    ]
    file = api.get(f"/records/clients/{ident(client)}").text
    paused = f"暂停 {first:%m-%d}–{last:%m-%d}</span>"
    assert f"{paused[:-7]} (家人接去小住)</span>" in file
    assert "住院" not in file  # a pause over is no longer said
    reopened = api.get(f"/records/schedules/{ident(schedule)}").text
    assert f"{first} – {last} 家人接去小住\n{today - timedelta(days=20)} 住院</textarea>" in (
        reopened
    )
    assert f"{first} – {last} 家人接去小住" in api.get("/audit").text


def test_the_volunteers_list_and_file_say_when_each_is_free_and_who_the_planner_never_uses(
    api: httpx.Client, session: Session
) -> None:
    station = create_station(session)
    today = date.today()
    regular = create_volunteer(session, station=station, name="陈志强")
    for weekday in (0, 1, 2):
        create_availability(session, volunteer=regular, weekday=weekday)  # 10:30-13:00
    create_availability(
        session, volunteer=regular, weekday=4, start_time=time(14, 0), end_time=time(17, 0)
    )
    away = today + timedelta(days=2)
    create_availability(
        session,
        volunteer=regular,
        kind=AvailabilityKind.LEAVE,
        weekday=None,
        date_from=away,
        date_to=away + timedelta(days=2),
        start_time=None,
        end_time=None,
    )
    create_availability(  # an extra afternoon once back from leave
        session,
        volunteer=regular,
        kind=AvailabilityKind.EXTRA,
        weekday=None,
        date_from=today + timedelta(days=6),
        start_time=time(14, 0),
        end_time=time(17, 0),
    )
    create_availability(  # over: not shown
        session,
        volunteer=regular,
        kind=AvailabilityKind.LEAVE,
        weekday=None,
        date_from=today - timedelta(days=9),
        start_time=None,
        end_time=None,
    )
    unused = create_volunteer(session, station=station, name="林晓雨")
    create_volunteer(session, station=station, name="已离开", active=False)
    user = create_user(session, role=Role.COORDINATOR, stations=(station,))
    sign_in(api, user.username)

    listing = api.get("/records/volunteers").text
    row = re.search(r"<tr><td>陈志强</td>.*?</tr>", listing, re.S)
    assert row is not None
    leave = f"请假 {away:%m-%d}–{away + timedelta(days=2):%m-%d}"
    extra = f"额外有空 {today + timedelta(days=6):%m-%d} 14:00–17:00"
    assert f"周一至周三 10:30–13:00<br>周五 14:00–17:00<br>{leave}<br>{extra}" in row.group(0)
    flagged = re.findall(r'<tr><td>(\S+?)</td>(?:(?!</tr>).)*class="flag"', listing, re.S)
    assert flagged == ["林晓雨"]  # not whoever left the roster
    assert "1 位在岗志愿者之后没有有空时间" in listing

    file = api.get(f"/records/volunteers/{ident(regular)}").text
    hours = re.search(r'<section class="beside" id="beside">.*?</section>', file, re.S)
    assert hours is not None
    # The week first, then what is dated, in date order.
    lines = re.findall(r"<li><a [^>]+>(.*?)</a>", hours.group(0))
    week = ["周一 10:30–13:00", "周二 10:30–13:00", "周三 10:30–13:00", "周五 14:00–17:00"]
    assert lines == [*week, leave, extra]
    add = f'href="/records/availability/new?volunteer_id={ident(unused)}"'
    assert add in api.get(f"/records/volunteers/{ident(unused)}").text
    new = api.get(f"/records/availability/new?volunteer_id={ident(unused)}").text
    assert f'<option value="{ident(unused)}" selected>林晓雨</option>' in new


def test_an_activitys_page_lists_its_guests_and_a_guest_is_invited_from_it(
    api: httpx.Client, session: Session
) -> None:
    station = create_station(session)
    hall = create_site(session, station=station, kind=SiteKind.VENUE, name="社区活动室")
    guests = [create_client(session, station=station, name=name) for name in ("王秀英", "李建国")]
    user = create_user(session, role=Role.COORDINATOR, stations=(station,))
    sign_in(api, user.username)
    made = api.post(
        "/records/activities/new",
        data={
            "title": "独居老人月度聚会",
            "kind": "gathering",
            "service_date": "2026-12-04",
            "start_time": "14:30",
            "end_time": "16:00",
            "site_id": str(ident(hall)),
        },
    )
    assert made.status_code == 303, made.text
    activity_id = re.search(r'/records/activities/(\d+)">', api.get("/records/activities").text)
    assert activity_id is not None
    page = f"/records/activities/{activity_id.group(1)}"
    assert "还没有邀请任何人" in api.get(page).text
    invite = api.get(page).text
    assert f'href="/records/invitations/new?activity_id={activity_id.group(1)}"' in invite
    for guest, escort in zip(guests, (True, False), strict=True):
        form = api.get(f"/records/invitations/new?activity_id={activity_id.group(1)}").text
        assert f'<option value="{activity_id.group(1)}" selected>' in form
        invited = api.post(
            "/records/invitations/new",
            data={
                "activity_id": activity_id.group(1),
                "client_id": str(ident(guest)),
                **({"needs_escort": "on"} if escort else {}),
            },
        )
        assert invited.status_code == 303, invited.text
        assert invited.headers["location"] == page  # back to the activity, where it is listed
    listed = re.search(
        r'<section class="beside" id="beside">.*?</section>', api.get(page).text, re.S
    )
    assert listed is not None
    assert "王秀英 · 需要陪同</a>" in listed.group(0)
    assert "李建国</a>" in listed.group(0)
    assert "2 位 (1 位需要陪同)" in api.get("/records/activities").text
    # An invitation's page names the activity and the guest, linked; attendance not yet
    # taken is neither yes nor no.
    first = re.search(r'href="(/records/invitations/\d+)">王秀英', listed.group(0))
    assert first is not None
    opened = api.get(first.group(1)).text
    heading = f'<a href="{page}">独居老人月度聚会 · 2026-12-04</a> · '
    assert heading + f'<a href="/records/clients/{ident(guests[0])}">王秀英</a></h1>' in opened
    attended = re.search(r'<select name="attended">(.*?)</select>', opened, re.S)
    assert attended is not None
    assert "selected" not in attended.group(1)
    assert ">是</option>" in attended.group(1)
    assert ">否</option>" in attended.group(1)


NOTHING_RECORDED = "未记录结果"


def test_the_completion_drill_down_names_figures_services_and_reasons(
    api: httpx.Client, session: Session
) -> None:
    day = plan_day(api, session, clients=2, volunteers=1)
    manager = create_user(session, role=Role.MANAGER, stations=(day.station,))
    sign_in(api, manager.username)
    span = f"first={DAY}&last={DAY}"
    page = api.get(f"/dashboard/{ident(day.station)}/stops?{span}&figure=missed").text
    title = page.split("</h1>")[0]
    assert title.endswith("· 未送达")  # the figure by its name, not "missed"
    assert ">餐食<" in page  # the service by its name
    assert ">meal<" not in page
    reason = api.get(
        f"/dashboard/{ident(day.station)}/stops?{span}&figure=missed&reason=no_outcome"
    ).text
    assert reason.split("</h1>")[0].endswith("· 未送达 · " + NOTHING_RECORDED)


def test_the_login_page_shows_no_menu_to_someone_not_signed_in(api: httpx.Client) -> None:
    page = api.get("/login").text
    assert 'name="password"' in page
    assert "/records/clients" not in page
    assert "/audit" not in page


def test_each_role_has_one_navigation_and_sees_only_the_actions_it_may_take(
    api: httpx.Client, session: Session
) -> None:
    station = create_station(session)
    client = create_client(session, station=station)
    manager = create_user(session, role=Role.MANAGER, stations=(station,))
    coordinator = create_user(session, role=Role.COORDINATOR, stations=(station,))
    form = f"/records/clients/{ident(client)}"

    def sections(path: str) -> str:
        page = api.get(path)
        assert page.status_code == 200, path
        found = re.search(r'<nav class="sections">(.*?)</nav>', page.text, re.DOTALL)
        assert found is not None, path
        return found.group(1)

    sign_in(api, manager.username)
    pages = ["/records/clients", form, "/audit", f"/dashboard/{ident(station)}"]
    assert len({sections(path) for path in pages}) == 1  # the same on every page
    assert "/records/menus" not in sections("/audit")
    listing, record = api.get("/records/clients").text, api.get(form).text
    assert 'id="new"' not in listing
    assert "import/file" not in listing
    assert 'id="save"' not in record
    assert "disabled" in record
    assert '/card" class="card-issue"' in record  # the links stay ...
    assert "发放服务卡" not in record  # ... not the action
    assert api.get("/records/clients/new").status_code == 403

    sign_in(api, coordinator.username)
    day = f"/days/{ident(station)}/{DAY}"
    pages = ["/records/clients", form, "/audit", day, f"/stations/{ident(station)}/settings"]
    assert len({sections(path) for path in pages}) == 1
    assert f"/stations/{ident(station)}/settings" in sections("/audit")
    assert 'id="new"' in api.get("/records/clients").text
    assert 'id="save"' in api.get(form).text
    assert "发放服务卡" in api.get(form).text


def test_a_refusal_comes_back_to_the_page_in_the_readers_language(
    api: httpx.Client, session: Session
) -> None:
    day = plan_day(api, session, clients=2, volunteers=1)  # published: no longer a draft
    coordinator = create_user(session, role=Role.COORDINATOR, stations=(day.station,))
    sign_in(api, coordinator.username)
    page = f"/days/{ident(day.station)}/{DAY}"
    publish = {"revision": day.plan["revision"], "back": page}

    refused = api.post(f"/plans/{day.plan['id']}/publish", data=publish)
    assert "已不是草稿" in unquote(refused.headers["location"])
    api.cookies.set("careroute_lang", "en")
    refused = api.post(f"/plans/{day.plan['id']}/publish", data=publish)
    assert "is no longer a draft" in unquote(refused.headers["location"])
    api.cookies.delete("careroute_lang")
    api.cookies.clear()
    wrong = api.post("/login", data={"username": coordinator.username, "password": "nope"})
    assert "用户名或密码错误" in api.get(wrong.headers["location"]).text


def test_a_form_refused_says_why_in_the_readers_language(
    api: httpx.Client, session: Session
) -> None:
    station = create_station(session)
    client = create_client(session, station=station)
    coordinator = create_user(session, role=Role.COORDINATOR, stations=(station,))
    sign_in(api, coordinator.username)

    record = api.post(
        f"/records/clients/{ident(client)}", data={"lat": "91", "lon": "118.77", "floor": "x"}
    )
    assert record.status_code == 422
    assert "不能大于 90" in record.text or "超出 -90 到 90" in record.text
    assert "须为整数" in record.text  # the floor
    settings = api.post(
        f"/stations/{ident(station)}/settings", data={"hot_meal_minutes": "5", "call_client": "9"}
    )
    said = unquote(settings.headers["location"])
    assert "不能小于 10" in said
    assert "hot_meal_minutes" not in said  # the field under its label, not its code


def test_the_day_page_says_who_is_no_longer_due_until_the_day_is_planned_again(
    api: httpx.Client, session: Session
) -> None:
    day = plan_day(api, session, clients=3, volunteers=1)
    headers = day.coordinator.headers
    door = day.doors(day.first_route["volunteer_id"])[0]
    paused = api.patch(
        f"/api/clients/{door['client_id']}",
        json={
            "status": "paused",
            "status_from": DAY,
            "status_until": DAY,
            "status_reason": "住院",
        },
        headers=headers,
    )
    assert paused.status_code == 200, paused.text
    name = paused.json()["name"]
    sign_in(api, day.coordinator.user.username)
    page = f"/days/{day.station.id}/{DAY}"
    drift = re.search(r'<div class="message drift" id="drift".*?</div>', api.get(page).text, re.S)
    assert drift is not None
    assert f"{name}：暂停服务：住院 · <strong>仍在路线上</strong>" in drift.group(0)

    path = f"/api/stations/{day.station.id}/days/{DAY}"
    api.post(f"{path}/generate", headers=headers).raise_for_status()
    again = planned(api, path, headers)
    on_routes = {stop["client_id"] for route in again["routes"] for stop in route["stops"]}
    assert door["client_id"] not in on_routes
    assert len(on_routes) == 2
    assert 'id="drift"' not in api.get(page).text
