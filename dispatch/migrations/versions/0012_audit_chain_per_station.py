"""one audit chain per station, each with its own head, and anchors of all heads

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28
"""
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC
from typing import Any

import sqlalchemy as sa
import sqlmodel  # autogenerate writes sqlmodel.sql.sqltypes.AutoString
from alembic import op


revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _verify_single_chain()
    with op.batch_alter_table('audit_event') as batch:
        batch.add_column(sa.Column('chain', sa.Integer(), nullable=False, server_default='0'))
        batch.drop_constraint('uq_audit_event_seq', type_='unique')
    _rechain(lambda station_id: 0 if station_id is None else station_id)
    with op.batch_alter_table('audit_event') as batch:
        batch.alter_column('chain', server_default=None)
        batch.create_unique_constraint('uq_audit_event_chain_seq', ['chain', 'seq'])
    op.create_table(
        'audit_head',
        sa.Column('chain', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint('chain'),
    )
    op.create_table(
        'audit_anchor',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('heads', sa.JSON(), nullable=False),
        sa.Column('prev_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('seq'),
    )
    _heads_and_first_anchor()


def _events() -> sa.Table:
    return sa.Table('audit_event', sa.MetaData(), autoload_with=op.get_bind())


def _event(values: Mapping[str, Any], **changes: Any) -> 'AuditEvent':
    """An event as the application reads it (SQLite gives back its UTC times naive)."""
    from models import AuditEvent

    at = values['at']
    at = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return AuditEvent(**(dict(values) | {'at': at} | changes))


def _verify_single_chain() -> None:
    """The chain being moved must be intact: a broken link would be hidden by re-chaining."""
    from dispatch.audit.chain import GENESIS, digest

    table = _events()
    previous, expected = GENESIS, 1
    rows = op.get_bind().execute(sa.select(table).order_by(table.c.seq, table.c.id)).mappings()
    for values in rows:
        row = _event(values)
        if row.seq != expected or row.prev_hash != previous or row.hash != digest(row):
            raise RuntimeError(
                f"The audit trail is broken at event {row.id} (seq {row.seq}): it is not moved "
                "to per-station chains. `careroute audit verify` on the previous version "
                "lists the problems; restore the trail from a backup first."
            )
        previous, expected = row.hash, expected + 1


def _rechain(chain_of: Callable[[int | None], int]) -> None:
    """Every event, in the order it was written, joins the end of its chain."""
    from dispatch.audit.chain import GENESIS, digest

    bind = op.get_bind()
    table = _events()
    heads: dict[int, tuple[int, str]] = {}
    for values in bind.execute(sa.select(table).order_by(table.c.seq, table.c.id)).mappings():
        number = chain_of(values['station_id'])
        seq, previous = heads.get(number, (0, GENESIS))
        row = _event(values, chain=number, seq=seq + 1, prev_hash=previous)
        row.hash = digest(row)
        heads[number] = (seq + 1, row.hash)
        bind.execute(
            table.update()
            .where(table.c.id == row.id)
            .values(chain=number, seq=row.seq, prev_hash=row.prev_hash, hash=row.hash)
        )


def _heads_and_first_anchor() -> None:
    from dispatch.audit.chain import GENESIS, anchor_digest
    from models import AuditAnchor

    bind = op.get_bind()
    table = _events()
    heads: dict[str, list[object]] = {}
    last = sa.select(table.c.chain, sa.func.max(table.c.seq)).group_by(table.c.chain)
    for number, seq in bind.execute(last).all():
        digest_ = bind.execute(
            sa.select(table.c.hash).where(table.c.chain == number, table.c.seq == seq)
        ).scalar_one()
        heads[str(number)] = [seq, digest_]
        bind.execute(
            sa.table('audit_head', sa.column('chain'), sa.column('seq'), sa.column('hash'))
            .insert()
            .values(chain=number, seq=seq, hash=digest_)
        )
    if not heads:
        return
    anchor = AuditAnchor(seq=1, heads=heads, prev_hash=GENESIS, hash='')
    anchor.hash = anchor_digest(anchor)
    anchors = sa.Table('audit_anchor', sa.MetaData(), autoload_with=bind)
    bind.execute(
        anchors.insert().values(
            at=anchor.at, seq=1, heads=heads, prev_hash=GENESIS, hash=anchor.hash
        )
    )


def downgrade() -> None:
    op.drop_table('audit_anchor')
    op.drop_table('audit_head')
    with op.batch_alter_table('audit_event') as batch:
        batch.drop_constraint('uq_audit_event_chain_seq', type_='unique')
    _rechain_single()
    with op.batch_alter_table('audit_event') as batch:
        batch.drop_column('chain')
        batch.create_unique_constraint('uq_audit_event_seq', ['seq'])


def _rechain_single() -> None:
    """Back to one chain, in the order the events were written."""
    from dispatch.audit.chain import GENESIS, digest

    bind = op.get_bind()
    table = _events()
    previous = GENESIS
    for seq, values in enumerate(bind.execute(sa.select(table).order_by(table.c.id)).mappings(), 1):
        row = _event(values, seq=seq, prev_hash=previous)
        row.hash = previous = digest(row)
        bind.execute(
            table.update().where(table.c.id == row.id).values(seq=seq, prev_hash=row.prev_hash, hash=row.hash)
        )
