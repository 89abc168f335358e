"""The `careroute` command: serve, demo, db upgrade, user create-admin, geocode, import."""

import gc
import getpass
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
import uvicorn
from sqlalchemy import Engine
from sqlmodel import Session

from dispatch import migrate
from dispatch.access import system_principal
from dispatch.app import create_app
from dispatch.audit import chain
from dispatch.config import Settings
from dispatch.container import build_services
from dispatch.db import make_engine, session_scope
from dispatch.geocoding.service import build_geocoder
from dispatch.users.schemas import UserCreate
from models.enums import Role

app = typer.Typer(
    help="CareRoute: dispatch for community social-work stations.", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema migrations.", no_args_is_help=True)
user_app = typer.Typer(help="Accounts.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")


def _upgrade(engine: Engine, revision: str = "head") -> None:
    """The schema brought up to date; a database that cannot serve is said so, plainly."""
    try:
        migrate.upgrade(engine, revision)
    except migrate.UnsuitableDatabase as unsuitable:
        typer.echo(f"error: {unsuitable}", err=True)
        raise typer.Exit(2) from unsuitable


@audit_app.command("verify")
def audit_verify(
    station: Annotated[
        int | None, typer.Option(help="Only this station's chain (and its anchored heads).")
    ] = None,
) -> None:
    """Check the audit trail's hash chains: no event edited, removed or slipped in, no chain
    cut short or removed since it was anchored."""
    settings = Settings()
    with Session(make_engine(settings.resolved_database_url)) as session:
        report = chain.verify(session, None if station is None else [station])
    if report.intact:
        typer.echo(
            f"audit trail intact: {report.events} events in {report.chains} chains, "
            f"{report.anchors} anchors"
        )
        return
    typer.echo(f"audit trail BROKEN ({report.events} events checked):", err=True)
    for problem in report.problems:
        typer.echo(f"  {problem}", err=True)
    raise typer.Exit(1)


@audit_app.command("anchor")
def audit_anchor() -> None:
    """Record the heads of every chain now (writers also do every few minutes): run it from
    a timer where days pass without changes."""
    settings = Settings()
    with Session(make_engine(settings.resolved_database_url)) as session:
        row = chain.anchor(session)
        session.commit()
    typer.echo("nothing new to anchor" if row is None else f"anchor {row.seq} written")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, help="Server processes (more than one needs PostgreSQL).")
    ] = 1,
) -> None:
    """Bring the database schema up to date and serve the API and pages."""
    settings = Settings()
    url = settings.resolved_database_url
    if workers > 1 and url.startswith("sqlite"):
        typer.echo(
            "--workers above 1 needs PostgreSQL (CAREROUTE_DATABASE_URL): SQLite lets one "
            "process write at a time, so one server process is all it can use",
            err=True,
        )
        raise typer.Exit(2)
    if workers > 1 and not settings.broker_url:
        typer.echo(
            "note: without CAREROUTE_BROKER_URL each server process plans its own jobs and "
            "counts failed logins on its own",
            err=True,
        )
    _upgrade(make_engine(url))
    typer.echo(f"CareRoute on http://{host}:{port}/  (API docs: http://{host}:{port}/docs)")
    proxy = {
        "proxy_headers": bool(settings.forwarded_allow_ips),
        "forwarded_allow_ips": settings.forwarded_allow_ips or None,
    }
    if workers > 1:  # each process builds its own app from the same settings
        uvicorn.run(
            "dispatch.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
            **proxy,  # type: ignore[arg-type]
        )
        return
    app_ = create_app(settings)
    # What is loaded by now (the planner's libraries among it) lives as long as the server:
    # kept out of the garbage collector's full passes, which would otherwise stop every
    # request for a tenth of a second or more now and then.
    gc.collect()
    gc.freeze()
    uvicorn.run(app_, host=host, port=port, log_level="info", **proxy)  # type: ignore[arg-type]


@app.command()
def worker(
    solvers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Jobs planned at a time, each on CAREROUTE_PLANNER_CORES cores (two at most "
            "unless set).",
        ),
    ] = 1,
    lanes: Annotated[
        str,
        typer.Option(
            help="The queue lanes served, first first: urgent, bulk, notify (sends messages)."
        ),
    ] = "urgent,bulk,notify",
) -> None:
    """Plan jobs from the planning queue (needs CAREROUTE_BROKER_URL) until stopped."""
    from dispatch.planning.queue import LANES
    from dispatch.worker import run_worker

    settings = Settings()
    if not settings.broker_url:
        typer.echo("a worker needs the planning queue: set CAREROUTE_BROKER_URL", err=True)
        raise typer.Exit(2)
    chosen = [lane.strip() for lane in lanes.split(",") if lane.strip()]
    unknown = [lane for lane in chosen if lane not in LANES]
    if unknown or not chosen:
        typer.echo(f"unknown lanes {unknown}: choose from {', '.join(LANES)}", err=True)
        raise typer.Exit(2)
    _upgrade(make_engine(settings.resolved_database_url))
    run_worker(settings, chosen, solvers)


@app.command()
def notify(
    once: Annotated[bool, typer.Option(help="One pass, then stop.")] = False,
) -> None:
    """Send the outbox's messages (and write the reminders and alert steps due) until
    stopped: a sender of its own, beside servers that do not send (README: "Telling people")."""
    import threading

    from dispatch.notifications.sender import sender

    settings = Settings()
    engine = make_engine(settings.resolved_database_url)
    _upgrade(engine)
    running = sender(engine, settings)
    if once:
        typer.echo(f"{running.run_once()} sent")
        return
    running.run(threading.Event(), settings.notify_interval_seconds)


@app.command()
def demo() -> None:
    """Create or refresh the demo station (Xinjiekou, Nanjing) and its demo accounts: its
    first week is this week, and the weeks before it have been planned and delivered."""
    from scripts.demo_station import DEMO, DEMO_PASSWORDS, TIMEZONE, load_demo_station, week_of
    from scripts.simulate_history import demo_history, demo_past

    settings = Settings()
    engine = make_engine(settings.resolved_database_url)
    _upgrade(engine)
    today = datetime.now(ZoneInfo(TIMEZONE)).date()
    shape = replace(DEMO, monday=week_of(today))
    with session_scope(engine) as session:
        counts = load_demo_station(session, shape=shape)
    typer.echo("Demo station loaded: " + ", ".join(f"{n} {what}" for what, n in counts.items()))
    first, last = demo_past(shape.monday, today)
    past = demo_history(engine, (first, last))
    if past["days"]:
        typer.echo(
            f"Its past ({first} to {last}): {past['days']} days planned and delivered, "
            f"{past['outcomes']} outcomes, {past['alerts']} alerts"
        )
    typer.echo(f"Its week begins on {shape.monday}; today is {today}.")
    typer.echo("Demo logins (username / password):")
    for username, password in DEMO_PASSWORDS.items():
        typer.echo(f"  {username:<12} {password}")


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    settings = Settings()
    _upgrade(make_engine(settings.resolved_database_url), revision)
    typer.echo(f"database at {revision}")


@user_app.command("create-admin")
def create_admin(
    username: Annotated[str, typer.Option(prompt=True)],
    display_name: Annotated[str, typer.Option(help="Name shown in the app.")] = "Administrator",
    password: Annotated[str | None, typer.Option(help="Read from a prompt when not given.")] = None,
) -> None:
    """Create an admin account (the first account of a new installation)."""
    password = password or getpass.getpass("Password (10 characters or more): ")
    settings = Settings()
    engine = make_engine(settings.resolved_database_url)
    _upgrade(engine)
    from dispatch.users import service as user_service

    data = UserCreate(
        username=username, display_name=display_name, role=Role.ADMIN, password=password
    )
    with session_scope(engine) as session:
        user_service.create_user(session, system_principal("cli"), data)
    typer.echo(f"admin {username} created")


@app.command()
def geocode(
    station: Annotated[int | None, typer.Option(help="Only this station's records.")] = None,
) -> None:
    """Geocode the clients and volunteers whose address is still pending."""
    from dispatch.geocoding.pending import geocode_pending

    settings = Settings()
    geocoder = build_geocoder(settings)
    if geocoder is None:
        typer.echo("geocoding is off (CAREROUTE_GEOCODER=none)")
        raise typer.Exit(1)
    with session_scope(make_engine(settings.resolved_database_url)) as session:
        result = geocode_pending(session, geocoder, system_principal("cli"), station_id=station)
    typer.echo(f"located {result.located}, still needing a location {result.failed}")


@app.command("import")
def import_file(
    kind: Annotated[str, typer.Argument(help="clients or volunteers")],
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    station: Annotated[int, typer.Option(help="The station the records belong to.")],
) -> None:
    """Import clients or volunteers from a CSV or XLSX file (all rows, or none)."""
    from dispatch.errors import ImportRejected
    from dispatch.imports.service import import_records

    settings = Settings()
    services = build_services(build_geocoder(settings))
    engine = make_engine(settings.resolved_database_url)
    _upgrade(engine)
    try:
        with session_scope(engine) as session:
            report = import_records(
                session,
                services,
                system_principal("import"),
                kind,
                station,
                path.name,
                path.read_bytes(),
                settings.import_max_rows,
            )
    except ImportRejected as rejected:
        typer.echo(rejected.message, err=True)
        for problem in rejected.problems:
            typer.echo(
                f"  row {problem['row']}, {problem['column']}: {problem['message']}", err=True
            )
        if rejected.omitted:
            typer.echo(f"  and {rejected.omitted} more", err=True)
        raise typer.Exit(1) from rejected
    typer.echo(f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}")
