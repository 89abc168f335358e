"""The coordinator's day page and lists, filtered to one team."""

import httpx
from sqlmodel import Session

from models import Client, Team, Volunteer
from tests.builders.accounts import sign_in
from tests.builders.days import DAY, plan_day
from tests.builders.records import create_station, ident, save


def test_the_day_page_and_the_lists_show_one_teams_clients_and_volunteers(
    api: httpx.Client, session: Session
) -> None:
    day = plan_day(api, session, clients=8, volunteers=2)
    routed = [r for r in day.plan["routes"] if r["stops"]]
    assert len(routed) == 2
    east = save(session, Team(name="东片", station_id=ident(day.station)))
    west = save(session, Team(name="西片", station_id=ident(day.station)))
    # The first route's volunteer and clients are the east team's, the rest the west's.
    for team, route in ((east, routed[0]), (west, routed[1])):
        volunteer = session.get(Volunteer, route["volunteer_id"])
        assert volunteer is not None
        volunteer.team_id = team.id
        session.add(volunteer)
        for stop in route["stops"]:
            client = session.get(Client, stop["client_id"])
            assert client is not None
            client.team_id = team.id
            session.add(client)
    session.commit()
    sign_in(api, day.coordinator.user.username)
    whole = api.get(f"/days/{ident(day.station)}/{DAY}").text
    only_east = api.get(f"/days/{ident(day.station)}/{DAY}", params={"team": ident(east)}).text
    east_names = {s["client_name"] for s in routed[0]["stops"] if s["kind"] == "door"}
    west_names = {s["client_name"] for s in routed[1]["stops"] if s["kind"] == "door"}
    assert all(name in whole for name in east_names | west_names)
    assert all(name in only_east for name in east_names)
    assert not any(name in only_east for name in west_names - east_names)
    assert routed[0]["volunteer_name"] in only_east
    assert routed[1]["volunteer_name"] not in only_east
    assert f'<option value="{ident(east)}" selected>东片</option>' in only_east
    assert "只显示本团队的老人和志愿者" in only_east
    # The client list too: one team's clients.
    listed = api.get("/records/clients", params={"team": ident(east)}).text
    assert all(name in listed for name in east_names)
    assert not any(name in listed for name in west_names - east_names)
    assert "整个站点" in api.get("/records/volunteers").text  # the choice of team
    # A team of another station is not there to filter by.
    elsewhere = create_station(session, name="别的站")
    other = save(session, Team(name="别站", station_id=ident(elsewhere)))
    refused = api.get(f"/days/{ident(day.station)}/{DAY}", params={"team": ident(other)})
    assert refused.status_code == 404
