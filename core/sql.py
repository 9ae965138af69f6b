"""Small SQL helpers that hide the SQLite/PostgreSQL differences."""

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session


def dialect_insert(bind: Session | Connection | Engine, table):
    """`INSERT` with `.on_conflict_do_update/nothing` for the bind's dialect."""
    name = bind.get_bind().dialect.name if isinstance(bind, Session) else bind.dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"unsupported database dialect {name!r}")
