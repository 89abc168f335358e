"""Paper route sheets of the demo day: one page per volunteer, Chinese text in an embedded
CJK font, a QR code that opens the route page; rendered to PNG as a test artifact."""

import os
import time
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from models import Station, User
from scripts.demo_station import DEMO_PASSWORDS, STATION_CODE, load_demo_station
from tests.builders.accounts import sign_in
from tests.pdf_checks import embedded_cjk_fonts, pdf_text

ARTIFACTS = Path(os.environ.get("CAREROUTE_TEST_ARTIFACTS", "test-artifacts"))
DAY = "2026-11-24"


def test_route_sheets_of_the_demo_day_print_in_chinese_with_a_qr_code(
    api: httpx.Client, session: Session
) -> None:
    pytest.importorskip("weasyprint", reason="WeasyPrint needs Pango: apt-get install libpango")
    import pypdfium2

    load_demo_station(session)
    session.commit()
    station = session.exec(select(Station).where(Station.code == STATION_CODE)).one()
    sign_in(api, "coordinator", DEMO_PASSWORDS["coordinator"])
    day = f"/api/stations/{station.id}/days/{DAY}"
    api.post(f"{day}/generate").raise_for_status()
    job = api.post(f"{day}/plan", json={"time_limit_seconds": 2}).json()
    deadline = time.monotonic() + 120
    while job["status"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.3)
        job = api.get(f"/api/planning-jobs/{job['id']}").json()
    plan = api.get(f"{day}/plan").json()
    route = plan["routes"][0]
    doors = [stop for stop in route["stops"] if stop["kind"] == "door"]

    page = api.get(f"/plans/{plan['id']}/routes", params={"volunteer": route["volunteer_id"]})
    assert page.status_code == 200
    assert page.text.count('class="route"') == 1
    assert "<svg" in page.text  # the QR code
    assert "草稿" in page.text  # not yet published: the sheet says so

    sheet = api.get(f"/plans/{plan['id']}/routes.pdf", params={"volunteer": route["volunteer_id"]})
    assert sheet.headers["content-type"] == "application/pdf"
    text = pdf_text(sheet.content)
    assert route["volunteer_name"] in text
    assert doors[0]["client_name"] in text
    assert "无人应门" in text  # a box to tick
    fonts = embedded_cjk_fonts(sheet.content)
    assert fonts
    assert any(font.endswith("Noto-Sans-CJK-SC") for font in fonts), fonts

    document = pypdfium2.PdfDocument(sheet.content)
    image = document[0].render(scale=100 / 72).to_pil().convert("L")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    image.save(ARTIFACTS / "route-sheet.png")
    assert image.width > 700
    dark = image.histogram()[:128]  # pixels darker than mid-grey
    dark_pixels = sum(dark)
    assert dark_pixels > 0.01 * image.width * image.height  # ink on the page, not a blank render

    everyone = api.get(f"/plans/{plan['id']}/routes.pdf")
    assert len(pypdfium2.PdfDocument(everyone.content)) >= len(plan["routes"])

    volunteer = session.exec(select(User).where(User.username == "volunteer")).one()
    assert volunteer.volunteer_id is not None
    with httpx.Client(base_url=str(api.base_url)) as phone:
        sign_in(phone, "volunteer", DEMO_PASSWORDS["volunteer"])
        assert phone.get(f"/plans/{plan['id']}/routes.pdf").status_code == 403
