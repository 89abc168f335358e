"""A station's settings as a page: public holidays, proof of delivery, the no-answer ladder."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from dispatch.access import Principal
from dispatch.deps import SessionDep, StationsDep
from dispatch.stations.schemas import StationUpdate
from dispatch.web.kit import PageUserDep, action, language, render, valid
from models.enums import LadderStep

router = APIRouter(include_in_schema=False)


@router.get("/stations/{station_id}/settings", response_model=None)
def settings_page(
    station_id: int,
    request: Request,
    principal: PageUserDep,
    session: SessionDep,
    stations: StationsDep,
) -> Response:
    station = stations.editable(session, principal, station_id)
    return render(request, "settings.html", language(request, station), station=station)


@router.post("/stations/{station_id}/settings", response_model=None)
async def save_settings(
    station_id: int, request: Request, session: SessionDep, stations: StationsDep
) -> Response:
    """The station's holidays, proof of delivery and no-answer ladder, from the form: a
    step without minutes is left out of the ladder."""
    form = await request.form()
    ladder: list[dict[str, object]] = sorted(
        (
            {"step": step.value, "due_minutes": str(form[step.value]).strip()}
            for step in LadderStep
            if str(form.get(step.value, "")).strip()
        ),
        key=lambda rung: int(str(rung["due_minutes"])) if str(rung["due_minutes"]).isdigit() else 0,
    )

    # A field the form did not send is left as it is.
    given = {"hot_meal_minutes": form["hot_meal_minutes"]} if "hot_meal_minutes" in form else {}

    def do(who: Principal) -> None:
        # The form sets minutes only: whom each step tells stays as it was.
        told = {
            rung.step.value: rung.notify
            for rung in stations.get(session, who, station_id).alert_ladder
        }
        for rung in ladder:
            rung["notify"] = told.get(str(rung["step"]))
        update = valid(
            StationUpdate,
            observes_public_holidays="observes_public_holidays" in form,
            proof_of_delivery="proof_of_delivery" in form,
            managers_see_private_notes="managers_see_private_notes" in form,
            alert_ladder=ladder,
            **given,
        )
        stations.update(session, who, station_id, update)

    return action(request, session, f"/stations/{station_id}/settings", do)
