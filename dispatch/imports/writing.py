"""An import's writes, in parts: each part of the file is written in a short transaction of
its own, in its own write turn, so that whoever writes meanwhile (a volunteer's outcome)
waits for a part, not for the whole file. The file is checked whole before anything is
written; if a part is refused after all, what the earlier parts wrote is taken back, so
that an import still counts all or nothing."""

from sqlalchemy import Engine

from dispatch.admission import WriteTurns, write_turn
from dispatch.db import session_scope
from dispatch.imports.service import StagedImport, apply_rows, undo

CHUNK_ROWS = 200  # rows a part: a fraction of a second of writing


def write_in_turns(engine: Engine, turns: WriteTurns, staged: StagedImport) -> None:
    for start in range(0, len(staged.rows), CHUNK_ROWS):
        created, updated = len(staged.created), len(staged.updated)
        try:
            with write_turn(turns), session_scope(engine) as session:
                apply_rows(session, staged, staged.rows[start : start + CHUNK_ROWS])
        except Exception:  # refused, or the database failed: nothing of the file stays
            del staged.created[created:], staged.updated[updated:]  # this part rolled back
            with write_turn(turns), session_scope(engine) as session:
                undo(session, staged)
            raise
