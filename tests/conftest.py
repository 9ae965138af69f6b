"""Shared fixtures. Every test gets its own database: a SQLite file in a temp dir, and (when
TEST_DATABASE_URL is set) a fresh schema on PostgreSQL. Database tests run on both."""

import os
import shutil
import sys
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import core.models  # noqa: F401 - registers every table
from api.main import create_app
from core.config import Settings
from core.db import make_engine

TEST_API_KEY = "nk_test_" + "k" * 32
TEST_ADMIN_PASSWORD = "correct horse battery staple"
PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def _pg_url() -> str:
    assert PG_URL
    return PG_URL.replace("postgresql://", "postgresql+psycopg://", 1)


def make_test_engine(backend: str, tmp_path) -> tuple[Engine, callable]:
    """A fresh, empty database with every table; returns the engine and its cleanup."""
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
        SQLModel.metadata.create_all(engine)
        return engine, engine.dispose
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = make_engine(_pg_url())
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(_pg_url(), connect_args={"options": f"-csearch_path={schema}"})
    SQLModel.metadata.create_all(engine)

    def cleanup() -> None:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return engine, cleanup


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def engine(backend, tmp_path) -> Iterator[Engine]:
    engine, cleanup = make_test_engine(backend, tmp_path)
    yield engine
    cleanup()


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(
        _env_file=None,
        environment="test",
        database_url=f"sqlite:///{tmp_path / 'unused.db'}",
        nudge_api_key=TEST_API_KEY,
        admin_password=TEST_ADMIN_PASSWORD,
        secret_key="test-secret-" + uuid.uuid4().hex,
        temporal_address="127.0.0.1:1",  # nothing listens: tests that need Temporal start one
    )


@pytest.fixture
def app(settings, engine):
    return create_app(settings, engine=engine)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    """An authenticated client (bearer API key)."""
    with TestClient(app, headers={"Authorization": f"Bearer {TEST_API_KEY}"}) as test_client:
        yield test_client


@pytest.fixture
def anon_client(app) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def temporal_binary(name: str) -> str:
    path = shutil.which(name) or shutil.which(name, path=os.path.dirname(sys.executable))
    if not path:
        pytest.fail(f"`{name}` is not installed: run the README's test command (make test)")
    return path


@pytest.fixture
async def time_skipping_env():
    """A fresh time-skipping test server per test (it starts in ~0.1 s): virtual time is global
    to a server, so a workflow left behind by one test must not hold or skip another's clock.
    No Schedules or update-with-start here: use dev_server_env.
    """
    from temporalio.contrib.pydantic import pydantic_data_converter
    from temporalio.testing import WorkflowEnvironment

    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=temporal_binary("temporal-test-server"),
        data_converter=pydantic_data_converter,
    )
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
async def dev_server_env():
    """A real Temporal dev server (in memory) with Nudge's search attributes registered."""
    from temporalio.contrib.pydantic import pydantic_data_converter
    from temporalio.testing import WorkflowEnvironment

    from core.temporal_names import ALL_SEARCH_ATTRIBUTES

    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_binary("temporal"),
        data_converter=pydantic_data_converter,
        search_attributes=ALL_SEARCH_ATTRIBUTES,
        ui=False,
    )
    yield env
    await env.shutdown()
