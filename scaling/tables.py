"""Creating the tables a server keeps beside Rasa's, once across replicas.

Replicas started together on a fresh PostgreSQL database race to create the
same tables. Each checks first, yet PostgreSQL refuses all but one CREATE
TABLE (a duplicate row in pg_type), and the loser fails: a tracker store that
cannot start, a delivery passed on unrecorded. Under a lock held for the
transaction one replica creates them; the others wait, then find them there.
"""

from __future__ import annotations

from sqlalchemy import MetaData, text
from sqlalchemy.engine import Engine

# the key of the PostgreSQL advisory lock under which tables are created
CREATE_TABLES_LOCK = 7_202_612_060


def create_tables(engine: Engine, metadata: MetaData) -> None:
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"),
                {"key": CREATE_TABLES_LOCK},
            )
        metadata.create_all(connection)
