"""What `/healthz` reports: the database, and the planning workers when there is a queue."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text

from dispatch.config import Settings


def service_health(settings: Settings, engine: Engine) -> dict[str, Any]:
    health: dict[str, Any] = {"status": "ok", "database": "ok"}
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        health["status"], health["database"] = "unavailable", f"unreachable: {error}"[:300]
    if not settings.broker_url:
        return health
    from dispatch.planning.queue import LANES, workers_alive

    try:
        workers = workers_alive(settings)
    except Exception as error:
        health["status"], health["queue"] = "unavailable", f"unreachable: {error}"[:300]
        return health
    health["queue"] = "ok"
    health["workers"] = [
        {"name": w.name, "lanes": w.queues, "solvers": w.solvers, "busy": w.busy} for w in workers
    ]
    unserved = [
        lane for lane, queue in LANES.items() if not any(queue in w.queues for w in workers)
    ]
    if unserved:
        health["status"] = "unavailable"
        health["unserved_lanes"] = unserved
    return health
