"""A volunteer's round on a phone-sized headless Chromium, with the signal lost halfway: one
outcome sent at once, two kept on the phone while offline (the page says so), all sent when
the signal returns, each stored exactly once; the no-answer shows up as an alert on the
coordinator's day page. Screenshots go to test-artifacts/ (or $CAREROUTE_TEST_ARTIFACTS)."""

import re

import httpx
from sqlmodel import Session, select

from models import Outcome
from tests.browser.conftest import ARTIFACTS, log_in
from tests.builders.days import DAY, plan_day
from tests.conftest import RunningServer

PHONE = 360, 740  # a cheap phone's screen, in CSS pixels


def test_a_volunteer_records_outcomes_through_a_lost_signal(
    browser: object, server: RunningServer, api: httpx.Client, session: Session
) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    day = plan_day(api, session, clients=4, volunteers=1)
    volunteer_id = day.first_route["volunteer_id"]
    doors = day.doors(volunteer_id)
    assert len(doors) >= 3
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    phone = browser.new_context(
        viewport={"width": PHONE[0], "height": PHONE[1]},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    page = phone.new_page()
    page.set_default_timeout(30_000)
    log_in(page, server.url, day.volunteers[volunteer_id].user.username)
    expect(page).to_have_url(f"{server.url}/me/" + page.url.rsplit("/", 1)[-1])  # today's
    page.goto(f"{server.url}/me/{DAY}")
    door = [page.locator(f'li.door[data-stop="{stop["id"]}"]') for stop in doors[:3]]
    expect(door[0]).to_contain_text(doors[0]["client_name"])
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]

    door[0].locator("button.kind.delivered").click()
    expect(door[0].locator(".state")).to_contain_text("✓ 已送达")
    expect(page.locator("#outbox")).to_be_hidden()  # sent at once
    page.screenshot(path=str(ARTIFACTS / "route-phone-delivered.png"), full_page=True)

    phone.set_offline(True)
    door[1].locator("summary").click()
    door[1].locator("textarea[name=note]").fill("敲门无人应，邻居说早上见过")
    door[1].locator("button.kind.no_answer").click()
    door[2].locator("button.kind.not_home").click()
    expect(page.locator("#outbox")).to_be_visible()
    expect(page.locator("#outbox .count")).to_contain_text("2")
    expect(door[1].locator(".state")).to_contain_text("⚠ 无人应门 · 未发送")
    expect(door[1]).to_have_class(re.compile(r"\boutcome-no_answer\b"))
    expect(door[1].locator(".alerted")).to_have_count(0)  # not until the server has it
    page.screenshot(path=str(ARTIFACTS / "route-phone-offline.png"), full_page=True)
    stored = session.exec(select(Outcome).where(Outcome.volunteer_id == volunteer_id)).all()
    assert len(stored) == 1

    phone.set_offline(False)
    expect(page.locator("#outbox")).to_be_hidden()
    # A no-answer is a safety event: never shown like a delivery, and the volunteer knows
    # the coordinator has it.
    expect(door[1].locator(".state")).to_contain_text("⚠ 无人应门 · 已通知协调员")
    delivered, unanswered = (
        d.evaluate("e => getComputedStyle(e).backgroundColor") for d in door[:2]
    )
    assert delivered != unanswered
    page.screenshot(path=str(ARTIFACTS / "route-phone-sent.png"), full_page=True)
    expect(page.locator("#rejected")).to_be_hidden()
    session.rollback()  # end the earlier read: see what the server stored since
    stored = session.exec(select(Outcome).where(Outcome.volunteer_id == volunteer_id)).all()
    assert sorted((o.plan_stop_id, o.kind.value) for o in stored) == sorted(
        [
            (doors[0]["id"], "delivered"),
            (doors[1]["id"], "no_answer"),
            (doors[2]["id"], "not_home"),
        ]
    )
    assert len({o.client_event_id for o in stored}) == 3
    page.reload()  # the server's page says the same
    expect(door[1].locator(".state")).to_contain_text("⚠ 无人应门 · 已通知协调员")
    expect(door[2].locator(".state")).to_contain_text("⚠")
    expect(door[2].locator(".alerted")).to_have_count(0)  # not at home: no alert
    expect(door[0].locator(".state")).to_contain_text("✓ 已送达")
    phone.close()

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    office = desk.new_page()
    office.set_default_timeout(30_000)
    log_in(office, server.url, day.coordinator.user.username)
    office.goto(f"{server.url}/days/{day.station.id}/{DAY}")
    alert = office.locator('#alerts article.alert[data-reason="no_answer"]')
    expect(alert).to_have_count(1)
    expect(alert).to_contain_text(doors[1]["client_name"])
    expect(alert).to_contain_text("李强 13800000001")  # the emergency contact, for the coordinator
    expect(alert).to_contain_text("敲门无人应")
    office.locator("#alerts").screenshot(path=str(ARTIFACTS / "day-alert.png"))
    alert.locator("form.step input[name=result]").fill("电话无人接听")
    alert.locator("form.step button").click()
    expect(office.locator("#alerts .ladder li.done")).to_contain_text("电话无人接听")
    alert.locator("form.resolve select").select_option("in_hospital")
    alert.locator("form.resolve button").click()
    expect(office.locator("#alerts article.alert.resolved")).to_have_count(1)
    desk.close()


def test_every_volunteer_page_fits_a_phone_and_names_its_days(
    browser: object, server: RunningServer, api: httpx.Client, session: Session
) -> None:
    """At 360 px nothing is wider than the screen (login, a route, a day without one, a
    route link); a day is named with its weekday, a day without a route names the next one,
    and the date opens a picker that goes to the chosen day."""
    from playwright.sync_api import Browser, Page, expect

    assert isinstance(browser, Browser)
    day = plan_day(api, session, clients=4, volunteers=1)
    volunteer_id = day.first_route["volunteer_id"]
    ask = {"volunteer_id": volunteer_id, "service_date": DAY, "hours": 12}
    link = api.post("/api/route-links", json=ask, headers=day.coordinator.headers).json()["url"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    phone = browser.new_context(
        viewport={"width": PHONE[0], "height": PHONE[1]}, is_mobile=True, locale="zh-CN"
    )
    page = phone.new_page()
    page.set_default_timeout(30_000)

    def fits(page: Page, name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"phone-{name}.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE[0], f"{name} is {width} px wide"

    page.goto(f"{server.url}/login")
    fits(page, "login")
    log_in(page, server.url, day.volunteers[volunteer_id].user.username)
    page.goto(f"{server.url}/me/{DAY}")
    expect(page.locator("nav.days")).to_contain_text("11月24日周二")
    fits(page, "route")
    page.goto(f"{server.url}/me/2026-11-23")
    expect(page.locator(".next-route")).to_contain_text("下一次路线：11月24日周二")
    fits(page, "no-route")
    page.fill("#pick-day", DAY)
    expect(page).to_have_url(f"{server.url}/me/{DAY}")
    page.goto(link)
    expect(page.locator("li.door").first).to_be_visible()
    fits(page, "route-link")
    phone.close()
