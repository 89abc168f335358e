"""The coordinator's morning in a real headless Chromium: log in, generate and plan the demo
day, move a stop, take a volunteer off sick (re-plan), publish, switch language.
Screenshots of the day overview and the map are saved in test-artifacts/ (or
$CAREROUTE_TEST_ARTIFACTS)."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from scripts.demo_station import STATION_CODE, load_demo_station
from tests.conftest import RunningServer

CHROMIUM = Path(os.environ.get("CAREROUTE_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(os.environ.get("CAREROUTE_TEST_ARTIFACTS", "test-artifacts"))
DAY = "2026-11-24"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"no Chromium at {CHROMIUM}: apt-get install chromium (or set CAREROUTE_CHROMIUM)",
)


@pytest.fixture
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield browser
        browser.close()


def test_a_coordinator_plans_adjusts_and_publishes_the_demo_day(
    browser: object, server: RunningServer, session: Session
) -> None:
    from playwright.sync_api import Browser, expect

    from models import Station

    assert isinstance(browser, Browser)
    load_demo_station(session)
    session.commit()
    station = session.exec(select(Station).where(Station.code == STATION_CODE)).one()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(90_000)

    page.goto(f"{server.url}/days/{station.id}/{DAY}")
    expect(page).to_have_url(f"{server.url}/login")
    page.fill("input[name=username]", "coordinator")
    page.fill("input[name=password]", "demo-coord-2026")
    page.click("button[type=submit]")
    page.goto(f"{server.url}/days/{station.id}/{DAY}")
    expect(page.locator("#generate")).to_have_text("生成当日任务")

    page.click("#generate")
    expect(page.locator(".summary")).to_contain_text("项任务")
    page.fill("input[name=seconds]", "3")
    page.click("#plan")
    expect(page.locator("#plan-title")).to_contain_text("草稿", timeout=120_000)
    expect(page.locator("#job .job-status")).to_contain_text("规划完成")
    routes = page.locator("article.route")
    assert routes.count() >= 2
    page.screenshot(path=str(ARTIFACTS / "day-overview-zh.png"), full_page=True)
    page.locator("#map").screenshot(path=str(ARTIFACTS / "day-map.png"))

    # Move the first client of the second route to the front of the first route.
    taker = routes.nth(0).get_attribute("data-volunteer")
    client = routes.nth(1).locator("li.door").first
    task = client.get_attribute("data-task")
    client.locator("select[name=volunteer_id]").select_option(taker)
    client.locator("input[name=position]").fill("0")
    client.locator("form.move button").click()
    first_door = page.locator(f'article.route[data-volunteer="{taker}"] li.door').first
    expect(first_door).to_have_attribute("data-task", task or "")
    expect(first_door).to_contain_text("已指定")

    sick = routes.first.get_attribute("data-volunteer")
    routes.first.locator("button.sick").click()
    expect(page.locator("#plan-title")).to_contain_text("第 2 版", timeout=120_000)
    expect(page.locator(f'article.route[data-volunteer="{sick}"]')).to_have_count(0)
    expect(page.locator(".totals")).to_contain_text("站有调整")

    page.click("#publish")
    expect(page.locator("#plan-title")).to_contain_text("已发布")

    page.click('a[data-language="en"]')
    expect(page.locator("#plan-title")).to_contain_text("Published, version 2")
    expect(page.locator("#plan")).to_have_text("Plan this day")
    page.screenshot(path=str(ARTIFACTS / "day-overview-en.png"), full_page=True)

    page.click("#sheets")
    expect(page.locator("h1")).to_contain_text("Kitchen and pharmacy sheets")
    page.screenshot(path=str(ARTIFACTS / "kitchen-sheets-en.png"), full_page=True)
