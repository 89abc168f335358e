"""The pages around a published day over real HTTP: a delivery card to print, outcomes
entered from paper on the day page (a form sent twice stores one), a volunteer releasing a
day and the coordinator offering the route, the volunteer seeing the offer."""

import re

import httpx
from sqlmodel import Session, select

from models import Client, Outcome
from models.enums import Diet
from tests.builders.accounts import browser
from tests.builders.days import DAY, plan_day
from tests.conftest import RunningServer
from tests.pdf_checks import embedded_cjk_fonts


def test_cards_paper_outcomes_and_released_days_on_the_pages(
    api: httpx.Client, session: Session, server: RunningServer
) -> None:
    day = plan_day(api, session, clients=10, volunteers=2)
    assert len(day.plan["routes"]) == 2, "the builder's day needs both volunteers"
    giver, taker = (route["volunteer_id"] for route in day.plan["routes"])
    door = day.doors(giver)[0]
    office = browser(server.url, day.coordinator.user.username)
    phone = browser(server.url, day.volunteers[giver].user.username)
    other_phone = browser(server.url, day.volunteers[taker].user.username)

    issued = office.post(f"/clients/{door['client_id']}/card")
    assert issued.headers["location"] == f"/clients/{door['client_id']}/card"
    client = session.get(Client, door["client_id"])
    assert client is not None
    session.refresh(client)
    card = office.get(f"/clients/{door['client_id']}/card").text
    assert client.card_code is not None
    assert client.card_code in card
    assert "<svg" in card
    assert phone.get(f"/clients/{door['client_id']}/card").status_code == 403
    pdf = office.get(f"/clients/{door['client_id']}/card.pdf")
    if pdf.status_code != 503:  # 503: this machine has no Pango for PDFs
        assert embedded_cjk_fonts(pdf.content)

    page = office.get(f"/days/{day.station.id}/{DAY}").text
    form = re.search(
        rf'action="/stops/{door["id"]}/paper">.*?<input type="hidden" name="client_event_id" '
        r'value="(\w+)"',
        page,
        re.DOTALL,
    )
    assert form is not None
    sent = {"kind": "refused", "client_event_id": form[1], "back": f"/days/{day.station.id}/{DAY}"}
    for _ in range(2):  # the coordinator clicks twice
        assert office.post(f"/stops/{door['id']}/paper", data=sent).status_code == 303
    session.rollback()
    stored = session.exec(select(Outcome).where(Outcome.task_id == door["task_id"])).all()
    assert [(o.kind.value, o.entered_by_coordinator) for o in stored] == [("refused", True)]
    assert "拒收 · 纸质单录入" in office.get(f"/days/{day.station.id}/{DAY}").text

    mine = phone.get(f"/me/{DAY}").text
    assert "这天我去不了" in mine
    phone.post(f"/me/{DAY}/release", data={"reason": "感冒发烧"})
    assert "协调员正在找人接手" in phone.get(f"/me/{DAY}").text
    page = office.get(f"/days/{day.station.id}/{DAY}").text
    assert "感冒发烧" in page
    release = re.search(r'action="/releases/(\d+)/offer"', page)
    assert release is not None
    back = f"/days/{day.station.id}/{DAY}"
    office.post(f"/releases/{release[1]}/offer", data={"volunteer_id": taker, "back": back})
    offer_page = other_phone.get(f"/me/{DAY}").text
    assert "您愿意接手这条路线吗" in offer_page
    other_phone.post(f"/me/offers/{release[1]}/accept", data={"back": f"/me/{DAY}"})
    assert "志愿者1 接手您的路线" in phone.get(f"/me/{DAY}").text
    assert "重新规划：交给接手人" in office.get(f"/days/{day.station.id}/{DAY}").text


def test_the_phone_lists_what_to_collect_in_the_reader_s_language(
    api: httpx.Client, session: Session, server: RunningServer
) -> None:
    day = plan_day(api, session, clients=3, volunteers=1)
    (rider,) = day.volunteers.values()
    diets = iter([Diet.REGULAR, Diet.SOFT, Diet.SOFT])
    for client in session.exec(select(Client).where(Client.station_id == day.station.id)):
        client.diet = next(diets)  # what is collected is read with the route
        session.add(client)
    session.commit()

    phone = browser(server.url, rider.user.username)
    phone.get("/language/en")
    page = phone.get(f"/me/{DAY}").text
    assert "<p>soft × 2, regular × 1</p>" in page  # not the Chinese "，"
    phone.get("/language/zh-CN")
    assert "<p>软食 × 2、普通餐 × 1</p>" in phone.get(f"/me/{DAY}").text
