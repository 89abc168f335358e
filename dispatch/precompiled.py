"""Statements compiled once and run on the database driver's own cursor.

Recording an outcome runs six statements, and SQLAlchemy's work around each one (its
execution context, parameter and result wrapping) costs several times what the driver and
the database do: about 200,000 instructions a statement on PostgreSQL (docs/benchmarks).
The hottest statements are therefore compiled by SQLAlchemy once per dialect, with their
types' bind and result processors, and run on the cursor of the session's own connection:
the same SQL, the same transaction, the same conversions, the same errors
(`sqlalchemy.exc.DBAPIError` and its kinds). Everything else goes through SQLAlchemy as usual.

What is refused at compile time, so that it cannot silently differ: an IN list of
parameters (rendered anew at each use) and an insert that leaves a column to a default
computed in Python.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class _Compiled:
    """A statement as one dialect runs it."""

    sql: str
    # The arguments in order from the parameters by name, for positional drivers.
    in_order: Callable[[dict[str, Any]], tuple[Any, ...]] | None
    constants: dict[str, Any]  # parameters the statement carries, already converted
    given: tuple[str, ...]  # parameters given at each run, as they are
    converted: tuple[tuple[str, Processor], ...]  # parameters given at each run, converted
    results: tuple[Processor | None, ...]  # one per returned column
    converted_results: tuple[tuple[int, Processor], ...]  # the columns that are converted


class PrecompiledStatement:
    """A Core statement (select, insert, update) run with few of SQLAlchemy's per-run costs.

    `columns`: for an insert or update given a mapping, the keys it will be given (as
    SQLAlchemy compiles one statement per set of keys)."""

    def __init__(self, statement: ClauseElement, columns: Sequence[str] | None = None) -> None:
        self.statement = statement
        self.columns = list(columns) if columns is not None else None
        self._by_dialect: dict[str, _Compiled] = {}

    def rows(self, connection: Connection, parameters: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run once; the rows it returns (none for a statement that returns none)."""
        compiled = self._compiled(connection.dialect)
        arguments = _arguments(compiled, parameters)
        cursor = connection.connection.cursor()
        try:
            cursor.execute(compiled.sql, arguments)
            # Known when compiled: asking the cursor (its description) builds an object
            # for each column, at every run.
            found: list[tuple[Any, ...]] = list(cursor.fetchall()) if compiled.results else []
        except connection.dialect.loaded_dbapi.Error as error:
            raise _wrapped(connection, compiled, arguments, error) from error
        finally:
            cursor.close()
        if not compiled.converted_results:
            return found
        return [_converted(compiled, row) for row in found]

    def first(self, connection: Connection, parameters: Mapping[str, Any]) -> Any:
        """Run once; the first row it returns, or None."""
        found = self.rows(connection, parameters)
        return found[0] if found else None

    def run_many(self, connection: Connection, parameters: Sequence[Mapping[str, Any]]) -> int:
        """Run once for each set of parameters (an insert or update of several rows); the
        number of rows written in all."""
        compiled = self._compiled(connection.dialect)
        if compiled.results:
            raise ValueError("run_many is for statements that return no rows")
        arguments = [_arguments(compiled, each) for each in parameters]
        cursor = connection.connection.cursor()
        try:
            if len(arguments) == 1:  # a driver's executemany costs more for one
                cursor.execute(compiled.sql, arguments[0])
            else:
                cursor.executemany(compiled.sql, arguments)
            written: int = cursor.rowcount
        except connection.dialect.loaded_dbapi.Error as error:
            raise _wrapped(connection, compiled, arguments, error) from error
        finally:
            cursor.close()
        return written

    def _compiled(self, dialect: Dialect) -> _Compiled:
        found = self._by_dialect.get(dialect.name)
        if found is None:
            found = self._by_dialect[dialect.name] = _compile(self, dialect)
        return found


def _compile(statement: PrecompiledStatement, dialect: Dialect) -> _Compiled:
    compiled = statement.statement.compile(dialect=dialect, column_keys=statement.columns)
    assert isinstance(compiled, SQLCompiler)
    if compiled.insert_prefetch or compiled.update_prefetch:
        prefetch = [*compiled.insert_prefetch, *compiled.update_prefetch]
        names = [column.key for column in prefetch]
        raise ValueError(f"columns left to a default computed in Python: {names}")
    constants: dict[str, Any] = {}
    given: list[str] = []
    converted: list[tuple[str, Processor]] = []
    for bind, name in compiled.bind_names.items():
        if bind.expanding:
            raise ValueError(f"an IN list of parameters ({name}) is rendered at each use")
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if not (bind.required or bind.callable is not None):
            constants[name] = process(bind.value) if process else bind.value
        elif process is None:
            given.append(name)
        else:
            converted.append((name, process))
    returned = getattr(statement.statement, "exported_columns", [])
    results = tuple(
        column.type.dialect_impl(dialect).result_processor(dialect, None) for column in returned
    )
    return _Compiled(
        sql=compiled.string,
        in_order=_in_order(compiled.positiontup or ()) if compiled.positional else None,
        constants=constants,
        given=tuple(given),
        converted=tuple(converted),
        results=results,
        converted_results=tuple(
            (place, process) for place, process in enumerate(results) if process is not None
        ),
    )


def _in_order(names: Sequence[str]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    if len(names) == 1:  # itemgetter of one name gives the value, not a tuple
        [name] = names
        return lambda values: (values[name],)
    if not names:
        return lambda _values: ()
    return itemgetter(*names)


def _arguments(compiled: _Compiled, parameters: Mapping[str, Any]) -> Any:
    values = dict(compiled.constants)
    for name in compiled.given:
        values[name] = parameters[name]
    for name, process in compiled.converted:
        values[name] = process(parameters[name])
    return values if compiled.in_order is None else compiled.in_order(values)


def _converted(compiled: _Compiled, row: Sequence[Any]) -> tuple[Any, ...]:
    if len(row) != len(compiled.results):
        raise ValueError(f"{len(row)} columns returned, {len(compiled.results)} expected")
    values = list(row)
    for place, process in compiled.converted_results:
        values[place] = process(values[place])
    return tuple(values)


def _wrapped(connection: Connection, compiled: _Compiled, arguments: Any, error: Any) -> DBAPIError:
    """The driver's error as SQLAlchemy raises it (IntegrityError, DataError...); a lost
    connection is given back to the pool as unusable."""
    dialect = connection.dialect
    lost = dialect.is_disconnect(error, connection.connection.dbapi_connection, None)
    if lost:
        connection.invalidate(error)
    wrapped = DBAPIError.instance(
        compiled.sql,
        arguments,
        error,
        dialect.loaded_dbapi.Error,
        connection_invalidated=lost,
        dialect=dialect,
    )
    assert isinstance(wrapped, DBAPIError)
    return wrapped
