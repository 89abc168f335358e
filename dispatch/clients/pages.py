"""A client's delivery card, issued from their record and printed to hand over; a pause of
their services, from the day's page."""

from datetime import date
from typing import Annotated

import segno
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from dispatch.access import Principal
from dispatch.clients.schemas import ClientUpdate
from dispatch.deps import ClientsDep, SessionDep, StationsDep
from dispatch.web.kit import PageUserDep, action, language, own_path, printout, valid
from models.enums import ClientStatus

router = APIRouter(include_in_schema=False)


@router.post("/clients/{client_id}/card", response_model=None)
def issue_card(
    client_id: int, request: Request, session: SessionDep, clients: ClientsDep
) -> Response:
    """A new card (the old code stops working), then the card to print."""
    record = f"/records/clients/{client_id}"
    response = action(
        request, session, record, lambda who: clients.issue_card(session, who, client_id)
    )
    if response.headers.get("location") == record:
        return RedirectResponse(f"/clients/{client_id}/card", status_code=303)
    return response


@router.get("/clients/{client_id}/card", response_model=None)
@router.get("/clients/{client_id}/card.pdf", response_model=None)
def card_page(
    client_id: int,
    request: Request,
    principal: PageUserDep,
    session: SessionDep,
    clients: ClientsDep,
    stations: StationsDep,
) -> Response:
    """The client's delivery card: the code and its QR, to print (.pdf) and hand over."""
    client = clients.get(session, principal, client_id)
    station = stations.get(session, principal, client.station_id)
    qr = segno.make(client.card_code, error="m").svg_inline(scale=6) if client.card_code else ""
    return printout(
        "card.html",
        language(request, station),
        f"card-{client_id}.pdf",
        request.url.path.endswith(".pdf"),
        client=client,
        station=station,
        qr=Markup(qr),
    )


@router.post("/clients/{client_id}/pause", response_model=None)
def pause(
    client_id: int,
    request: Request,
    session: SessionDep,
    clients: ClientsDep,
    status_from: Annotated[date, Form()],
    back: Annotated[str, Form()],
    status_until: Annotated[date | None, Form()] = None,
    status_reason: Annotated[str, Form()] = "",
) -> Response:
    """The client's services paused from a day (to another, or until resumed by hand): the
    doors said they are in hospital or away."""

    def do(who: Principal) -> None:
        update = valid(
            ClientUpdate,
            status=ClientStatus.PAUSED,
            status_from=status_from,
            status_until=status_until,
            status_reason=status_reason.strip(),
        )
        clients.update(session, who, client_id, update)

    return action(request, session, own_path(back), do)


@router.post("/clients/{client_id}/home", response_model=None)
def home_after_all(
    client_id: int,
    request: Request,
    session: SessionDep,
    clients: ClientsDep,
    said_on: Annotated[date, Form()],
    back: Annotated[str, Form()],
) -> Response:
    """The doors said the client was away on `said_on`; the coordinator heard they are home:
    that word, and any before it, no longer offers a pause."""

    def do(who: Principal) -> None:
        clients.update(session, who, client_id, ClientUpdate(away_answered_on=said_on))

    return action(request, session, own_path(back), do)
