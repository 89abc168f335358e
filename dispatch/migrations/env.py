"""Alembic environment: runs against the engine handed in by dispatch.migrate, or the URL."""

from typing import Any, Literal

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table on SQLModel.metadata)
from dispatch.db import make_engine
from models.common import EnumText, UtcDateTime

target_metadata = SQLModel.metadata


def _render_item(type_: str, item: Any, autogen_context: Any) -> str | Literal[False]:
    """Write UtcDateTime as the plain column type, so migrations never import models/."""
    if type_ == "type" and isinstance(item, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(item, EnumText):
        return f"sa.String(length={item.impl_instance.length})"  # type: ignore[attr-defined]
    return False


def _run(connection: Connection) -> None:
    context.configure(
        render_item=_render_item,
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite can only ALTER through table copies
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = make_engine(context.config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as new_connection:
        _run(new_connection)
