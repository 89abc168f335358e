"""Schema migrations with Alembic, driven from code (`careroute db upgrade`, tests)."""

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine


class UnsuitableDatabase(Exception):
    """A database CareRoute cannot keep its data in as it must."""


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", "dispatch:migrations")
    # Alembic's options are ConfigParser values: a "%" (a password's %40, a path's) doubled.
    url = engine.url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        _require_utf8(connection)
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    with engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def _require_utf8(connection: Connection) -> None:
    """PostgreSQL computes the audit trail's hashes over each event's text converted to
    UTF-8, and `audit verify` checks them in Python over the text it reads back: a database
    in another encoding may hand back other characters than were written (or refuse a name
    it cannot hold), and a sound trail would read as tampered with."""
    if connection.dialect.name != "postgresql":
        return
    encoding = connection.exec_driver_sql("SHOW server_encoding").scalar()
    if encoding != "UTF8":
        name = connection.engine.url.database
        raise UnsuitableDatabase(
            f"the database {name} is in the {encoding} encoding; CareRoute needs UTF-8: "
            f"create it with `createdb -E UTF8 -T template0 {name}` (docs/deploy.md)"
        )
