"""The day of the demo's monthly gathering in a real headless Chromium: the coordinator plans
the Friday, and the three elders who cannot come alone are fetched from home and driven to the
gathering, then home again, with the lunch rounds; the driver's phone says where and when.
Screenshots in test-artifacts/."""

import httpx
import pytest
from sqlmodel import Session, col, select

from models import Availability, Invitation, Station, Volunteer
from models.enums import AvailabilityKind, Role, TravelMode
from scripts.demo_station import STATION_CODE, load_demo_station
from tests.browser.conftest import ARTIFACTS, log_in
from tests.browser.test_route_page import PHONE
from tests.builders.accounts import create_account
from tests.builders.records import ident
from tests.conftest import RunningServer

# Judges a plan made within a time limit: run with the machine to itself (scripts/test.py).
pytestmark = pytest.mark.solo

FRIDAY = "2026-11-27"  # the demo's gathering
VENUE = "新街口社工站办公室"


def test_the_gathering_s_escorts_are_planned_with_the_rounds_and_shown_to_the_driver(
    browser: object, server: RunningServer, api: httpx.Client, session: Session
) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    load_demo_station(session)
    station = session.exec(select(Station).where(Station.code == STATION_CODE)).one()
    escorted = session.exec(select(Invitation).where(col(Invitation.needs_escort))).all()
    assert len(escorted) == 3
    drivers = session.exec(
        select(Availability.volunteer_id).where(
            Availability.kind == AvailabilityKind.EXTRA,
            Availability.note == "开车接送月度聚会的老人",
        )
    ).all()
    assert len(drivers) == 2
    boss = create_account(session, role=Role.COORDINATOR, stations=(station,))
    session.commit()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(90_000)
    log_in(page, server.url, "coordinator", "demo-coord-2026")
    page.goto(f"{server.url}/days/{station.id}/{FRIDAY}")
    page.click("#generate")
    expect(page.locator(".summary")).to_contain_text("项任务")
    page.fill("input[name=seconds]", "3")
    page.click("#plan")
    expect(page.locator("#plan-title")).to_contain_text("草稿", timeout=120_000)
    # Each of the three: at the venue with the driver before it starts, fetched after it.
    expect(page.locator("li.stop.pickup", has_text=f"到达{VENUE}")).to_have_count(3)
    expect(page.locator("li.stop.pickup", has_text=f"到{VENUE}接")).to_have_count(3)
    expect(page.locator("li.unplanned-stop", has_text="陪同")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "gathering-day.png"), full_page=True)
    page.click("#publish")
    expect(page.locator("#plan-title")).to_contain_text("已发布")

    plan = api.get(
        f"/api/stations/{ident(station)}/days/{FRIDAY}/plan", headers=boss.headers
    ).json()
    legs = {
        route["volunteer_id"]: [s for s in route["stops"] if s["service"].startswith("escort")]
        for route in plan["routes"]
    }
    riders = session.exec(
        select(Volunteer.id).where(
            col(Volunteer.travel_mode).in_([TravelMode.BICYCLE, TravelMode.EBIKE])
        )
    ).all()
    assert not [v for v in riders if legs.get(v)], "walked or driven, never on a bicycle"
    driver = max(legs, key=lambda v: len(legs[v]))
    account = create_account(session, role=Role.VOLUNTEER, volunteer=session.get(Volunteer, driver))
    phone = browser.new_context(
        viewport={"width": PHONE[0], "height": PHONE[1]}, is_mobile=True, locale="zh-CN"
    )
    screen = phone.new_page()
    log_in(screen, server.url, account.user.username)
    screen.goto(f"{server.url}/me/{FRIDAY}")
    cards = screen.locator("p.escort")
    expect(cards.first).to_be_visible()
    doors = [s for s in legs[driver] if s["kind"] == "door"]
    expect(cards).to_have_count(len(doors))
    expect(cards.filter(has_text="独居老人月度聚会").first).to_contain_text(VENUE)
    assert screen.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
    screen.screenshot(path=str(ARTIFACTS / "gathering-phone.png"), full_page=True)
