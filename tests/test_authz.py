"""Every /api route, enumerated from the OpenAPI schema, refuses a caller without credentials,
with a wrong key and with a revoked key. Routes added later are covered without editing this."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from core.models import ApiKey
from core.timeutil import utcnow
from tests.conftest import TEST_API_KEY

# The only /api operations that take no credentials.
PUBLIC_API_OPERATIONS = {("POST", "/api/auth/login")}
METHODS = ("get", "post", "put", "patch", "delete")


def api_operations(app) -> list[tuple[str, str]]:
    ops = []
    for path, item in app.openapi()["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method in METHODS:
            if method in item and (method.upper(), path) not in PUBLIC_API_OPERATIONS:
                ops.append((method.upper(), path))
    return ops


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


@pytest.fixture
def revoked_key(client, engine) -> str:
    created = client.post("/api/api-keys", json={"name": "soon revoked"}).json()
    assert client.delete(f"/api/api-keys/{created['id']}").status_code == 204
    return created["key"]


def test_every_api_route_needs_credentials(app, anon_client, revoked_key, engine):
    ops = api_operations(app)
    assert len(ops) >= 15  # customers, products, orders, events, auth, api-keys at least
    credentials = {
        "none": {},
        "wrong key": {"Authorization": "Bearer nk_not_a_key"},
        "revoked key": {"Authorization": f"Bearer {revoked_key}"},
        "malformed header": {"Authorization": "Basic dXNlcjpwYXNz"},
        "unknown session": {"Cookie": "nudge_session=forged"},
    }
    failures = []
    for method, path in ops:
        for label, headers in credentials.items():
            # No body: authentication is decided before the body is validated.
            response = anon_client.request(method, _concrete(path), headers=headers)
            if response.status_code != 401:
                failures.append(f"{method} {path} with {label}: {response.status_code}")
            elif "detail" not in response.json():
                failures.append(f"{method} {path} with {label}: 401 without a message")
    assert not failures, "\n".join(failures)


def test_the_admin_key_still_works_and_revoking_it_locks_it_out(app, engine):
    with TestClient(app, headers={"Authorization": f"Bearer {TEST_API_KEY}"}) as c:
        assert c.get("/api/customers").status_code == 200
        with Session(engine) as session:
            key = session.exec(select(ApiKey)).one()
            key.revoked_at = utcnow()
            session.add(key)
            session.commit()
        refused = c.get("/api/customers")
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]


def test_public_endpoints_stay_public(anon_client):
    assert anon_client.get("/healthz").status_code == 200
    assert anon_client.get("/metrics").status_code == 200
    login = anon_client.post("/api/auth/login", json={"email": "x@y.z", "password": "nope"})
    assert login.status_code == 401 and login.json()["detail"] == "wrong email or password"
