"""A PostgreSQL database in another encoding than UTF-8 is refused before anything is
written to it, with what to do instead: the audit trail's hashes would not verify there."""

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from dispatch.db import make_engine
from tests.conftest import POSTGRES_URL, create_database, drop_database

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="a PostgreSQL server's matter")


@pytest.fixture
def latin1_url() -> Iterator[str]:
    url = create_database("careroute_latin1", encoding="LATIN1")
    yield url
    drop_database(url)


def test_a_database_not_in_utf8_is_refused_saying_what_to_do(latin1_url: str) -> None:
    upgrade = subprocess.run(
        [sys.executable, "-c", "from dispatch.cli import app; app()", "db", "upgrade"],
        env=os.environ | {"CAREROUTE_DATABASE_URL": latin1_url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert upgrade.returncode == 2
    assert "Traceback" not in upgrade.stderr
    name = make_url(latin1_url).database
    assert f"the database {name} is in the LATIN1 encoding; CareRoute needs UTF-8" in (
        upgrade.stderr
    )
    assert f"createdb -E UTF8 -T template0 {name}" in upgrade.stderr
    engine = make_engine(latin1_url)
    try:
        assert inspect(engine).get_table_names() == []  # nothing written
    finally:
        engine.dispose()
