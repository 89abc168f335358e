"""A coordinator's record pages in a real headless Chromium: the demo's teams and village
point, its client who volunteers (each of the two records pointing to the other), and its
monthly gathering with whom it invites. Screenshots in test-artifacts/."""

from datetime import date, timedelta

from playwright.sync_api import Browser, expect
from sqlmodel import Session, select

from models import Client, Volunteer
from scripts.demo_station import CLIENT_VOLUNTEER_ID, load_demo_station
from tests.browser.conftest import ARTIFACTS, log_in
from tests.conftest import RunningServer


def test_the_client_who_volunteers_has_both_records_linked(
    browser: object, server: RunningServer, session: Session
) -> None:
    assert isinstance(browser, Browser)
    load_demo_station(session)
    session.commit()
    client = session.exec(select(Client).where(Client.external_id == CLIENT_VOLUNTEER_ID)).one()
    volunteer = session.exec(select(Volunteer).where(Volunteer.client_id == client.id)).one()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, server.url, "coordinator", "demo-coord-2026")

    page.goto(f"{server.url}/records/teams")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator("table")).to_contain_text("五台山服务点")
    expect(page.locator("table")).to_contain_text("村级服务点")
    expect(page.locator("table")).to_contain_text("社区团队")
    page.screenshot(path=str(ARTIFACTS / "teams.png"), full_page=True)

    page.goto(f"{server.url}/records/clients/{client.id}")
    same = page.locator("#same-person")
    expect(same).to_contain_text("此人同时是志愿者")
    expect(same.locator("a")).to_have_text(volunteer.name)
    page.screenshot(path=str(ARTIFACTS / "client-who-volunteers.png"), full_page=True)
    same.locator("a").click()
    expect(page).to_have_url(f"{server.url}/records/volunteers/{volunteer.id}")
    expect(page.locator("#same-person")).to_contain_text("此人同时是服务对象")
    expect(page.locator("#same-person a")).to_have_text(client.name)

    # The month's gathering for elders who live alone, with whom it invites.
    page.goto(f"{server.url}/records/activities")
    expect(page.locator("h1")).to_contain_text("集体活动")
    expect(page.locator("table tbody tr")).to_have_count(1)
    expect(page.locator("table")).to_contain_text("独居老人月度聚会")
    expect(page.locator("table")).to_contain_text("聚会")
    page.screenshot(path=str(ARTIFACTS / "activities.png"), full_page=True)
    page.goto(f"{server.url}/records/invitations")
    expect(page.locator("h1")).to_contain_text("邀请")
    expect(page.locator("table tbody tr")).to_have_count(8)
    page.screenshot(path=str(ARTIFACTS / "invitations.png"), full_page=True)


def test_a_coordinator_pauses_a_clients_meals_from_the_clients_file(
    browser: object, server: RunningServer, session: Session
) -> None:
    """From the household's file to its lunch, a week typed as paused, saved as the browser
    posts the form (without the client, who is in the heading), back to the file."""
    assert isinstance(browser, Browser)
    load_demo_station(session)
    session.commit()
    client = session.exec(select(Client).where(Client.external_id == "demo-client-001")).one()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, server.url, "coordinator", "demo-coord-2026")

    page.goto(f"{server.url}/records/clients/{client.id}")
    page.locator("#beside a", has_text="餐食").first.click()
    expect(page.locator("h1")).to_contain_text(client.name)
    first, last = date.today() + timedelta(days=30), date.today() + timedelta(days=34)
    page.fill("textarea[name=holds]", f"{first} – {last} 女儿接去小住")
    page.click("#save")
    expect(page).to_have_url(f"{server.url}/records/clients/{client.id}")
    paused = f"暂停 {first:%m-%d}–{last:%m-%d} (女儿接去小住)"
    expect(page.locator("#beside")).to_contain_text(paused)
    page.screenshot(path=str(ARTIFACTS / "client-paused.png"), full_page=True)


def test_every_kind_of_record_saves_unchanged_as_the_browser_posts_its_form(
    browser: object, server: RunningServer, session: Session
) -> None:
    """Each record's form, opened and saved as it is, is taken: nothing the form does not
    show (a record's owner, its station) is read as a change and refused."""
    assert isinstance(browser, Browser)
    load_demo_station(session)
    session.commit()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, server.url, "coordinator", "demo-coord-2026")
    kinds = ["clients", "volunteers", "teams", "activities", "invitations", "schedules"]
    for kind in [*kinds, "availability"]:  # the kinds the demo has records of
        page.goto(f"{server.url}/records/{kind}")
        page.locator("table tbody tr a").last.click()
        opened = page.url
        page.click("#save")
        page.wait_for_load_state()
        assert page.url != opened, f"{kind}: {page.locator('.problem, .message').all_inner_texts()}"
