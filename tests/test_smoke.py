import httpx
from sqlmodel import Session

from models.enums import Role
from tests.builders.accounts import create_account
from tests.builders.records import create_client, create_station


def test_coordinator_lists_clients_of_their_station(api: httpx.Client, session: Session) -> None:
    station = create_station(session)
    create_client(session, station=station, name="王秀英")
    coordinator = create_account(session, role=Role.COORDINATOR, stations=(station,))

    response = api.get("/api/clients", headers=coordinator.headers)

    assert response.status_code == 200, response.text
    assert [c["name"] for c in response.json()["items"]] == ["王秀英"]
