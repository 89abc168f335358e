"""A station's settings as a page: its name and phone, where it is, its time zone and
language, public holidays, proof of delivery, the no-answer ladder and whom each step tells."""

from zoneinfo import available_timezones

from fastapi import APIRouter, Request
from fastapi.responses import Response

from dispatch.access import Principal
from dispatch.deps import SessionDep, StationsDep
from dispatch.i18n import LOCALES
from dispatch.stations.schemas import StationUpdate
from dispatch.web.kit import PageUserDep, action, language, render, valid
from models.alert import USUALLY_TOLD
from models.enums import LadderStep, Notify

router = APIRouter(include_in_schema=False)
# The form's fields that are typed (or chosen) as they are stored; empty clears them.
_TEXT_FIELDS = ("name", "phone", "address", "lat", "lon", "timezone", "locale")


@router.get("/stations/{station_id}/settings", response_model=None)
def settings_page(
    station_id: int,
    request: Request,
    principal: PageUserDep,
    session: SessionDep,
    stations: StationsDep,
) -> Response:
    station = stations.editable(session, principal, station_id)
    return render(
        request,
        "settings.html",
        language(request, station),
        station=station,
        notify_choices=[who.value for who in Notify],
        locales=LOCALES,
        # Offered as the coordinator types; a name not among them is refused on save.
        timezones=sorted(available_timezones()),
        # A step not used yet is offered with the people it usually tells ticked.
        usually_told={step.value: [w.value for w in who] for step, who in USUALLY_TOLD.items()},
    )


@router.post("/stations/{station_id}/settings", response_model=None)
async def save_settings(
    station_id: int, request: Request, session: SessionDep, stations: StationsDep
) -> Response:
    """The station's name, phone, place, time zone and language, holidays, proof of
    delivery and no-answer ladder, from the form: a step without minutes is left out of
    the ladder; each step tells whom is ticked beside it."""
    form = await request.form()
    ladder: list[dict[str, object]] = sorted(
        (
            {
                "step": step.value,
                "due_minutes": str(form[step.value]).strip(),
                "notify": [str(who) for who in form.getlist(f"notify_{step.value}")],
            }
            for step in LadderStep
            if str(form.get(step.value, "")).strip()
        ),
        key=lambda rung: int(str(rung["due_minutes"])) if str(rung["due_minutes"]).isdigit() else 0,
    )
    # A field the form did not send is left as it is.
    given = {
        name: str(form[name]).strip() or None
        for name in (*_TEXT_FIELDS, "hot_meal_minutes")
        if name in form
    }
    if given.get("address", "") is None:
        given["address"] = ""  # an address cleared is an empty one

    def do(who: Principal) -> None:
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
