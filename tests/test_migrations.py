"""Alembic migrations build exactly the schema the models describe, on every backend."""

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from core.config import ROOT_DIR
from core.db import make_engine
from tests.conftest import PG_URL, _pg_url


def _config() -> Config:
    config = Config(str(ROOT_DIR / "alembic.ini"))
    config.attributes["configure_logger"] = False
    return config


def test_one_head():
    heads = ScriptDirectory.from_config(_config()).get_heads()
    assert len(heads) == 1, f"migrations have several heads, merge them: {heads}"


def _upgrade_and_check(engine) -> None:
    config = _config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.check(config)  # raises if models and migrations differ
    tables = set(inspect(engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables


def test_migrations_match_models_on_sqlite(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'migrated.db'}")
    _upgrade_and_check(engine)
    engine.dispose()


def test_migrations_match_models_on_postgresql():
    import pytest

    if not PG_URL:
        pytest.skip("TEST_DATABASE_URL not set")
    admin = make_engine(_pg_url())
    with admin.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS t_migrations CASCADE; CREATE SCHEMA t_migrations"))
    engine = make_engine(_pg_url(), connect_args={"options": "-csearch_path=t_migrations"})
    try:
        _upgrade_and_check(engine)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text("DROP SCHEMA t_migrations CASCADE"))
        admin.dispose()
