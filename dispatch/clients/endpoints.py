"""Client files over HTTP."""

from dispatch.clients.schemas import (
    ClientCreate,
    ClientFilters,
    ClientPublic,
    ClientUpdate,
    DeliveryCard,
)
from dispatch.crud.endpoints import record_router
from dispatch.deps import ClientsDep, PrincipalDep, SessionDep, client_service
from dispatch.errors import Forbidden, NotFound
from dispatch.http import error_responses

router = record_router(
    client_service,
    prefix="/api/clients",
    label="clients",
    public=ClientPublic,
    create=ClientCreate,
    update=ClientUpdate,
    filters=ClientFilters,
)


@router.post(
    "/{client_id}/card",
    response_model=DeliveryCard,
    responses=error_responses(Forbidden, NotFound),
)
def issue_card(
    client_id: int, clients: ClientsDep, session: SessionDep, principal: PrincipalDep
) -> DeliveryCard:
    """Issue a delivery card (proof of delivery): a new code; the previous card stops
    working."""
    client = clients.issue_card(session, principal, client_id)
    assert client.card_code is not None
    return DeliveryCard(client_id=client_id, code=client.card_code)
