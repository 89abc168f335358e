"""Writing the audit trail: who changed what, with before and after values."""

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session

from dispatch.access import Principal
from models import AuditEvent


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value changed, as {field: [before, after]} (JSON-ready values)."""
    keys = before.keys() | after.keys()
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def record(
    session: Session,
    principal: Principal,
    *,
    action: str,
    entity: str,
    entity_id: int | None,
    station_id: int | None,
    changes: dict[str, Any],
) -> None:
    session.add(
        AuditEvent(
            actor_user_id=principal.user_id,
            interface=principal.interface,
            action=action,
            entity=entity,
            entity_id=entity_id,
            station_id=station_id,
            changes=changes,
        )
    )
