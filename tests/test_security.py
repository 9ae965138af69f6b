"""Security around the whole app: CORS, headers, rate limits, session expiry, API keys."""

import re
import time

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.security.rate_limit import TokenBuckets
from core.config import ROOT_DIR
from tests.conftest import TEST_ADMIN_PASSWORD, TEST_API_KEY

ALLOWED = "http://localhost:5173"


def _app(settings, engine, **overrides):
    return create_app(settings.model_copy(update=overrides), engine=engine)


# --- CORS -------------------------------------------------------------------------------------


def test_cors_answers_only_configured_origins(client):
    ok = client.get("/api/customers", headers={"Origin": ALLOWED})
    assert ok.headers["access-control-allow-origin"] == ALLOWED
    assert ok.headers["access-control-allow-credentials"] == "true"

    evil = client.get("/api/customers", headers={"Origin": "https://evil.example"})
    assert evil.status_code == 200  # CORS is enforced by the browser, from the missing header
    assert "access-control-allow-origin" not in evil.headers

    preflight = client.options(
        "/api/customers",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers


def test_a_wildcard_origin_is_never_echoed_with_credentials(settings, engine):
    app = _app(settings, engine, cors_origins=["*"])
    with TestClient(app, headers={"Authorization": f"Bearer {TEST_API_KEY}"}) as c:
        response = c.get("/api/customers", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers


# --- headers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/healthz", "/", "/api/customers", "/docs"])
def test_security_headers_on_every_response(anon_client, path):
    response = anon_client.get(path)
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in csp
    assert "object-src 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "strict-transport-security" not in response.headers  # PUBLIC_URL is http here
    if path == "/docs":
        assert "https://cdn.jsdelivr.net" in csp  # Swagger UI's assets
    else:
        assert "script-src 'self';" in csp  # the React app: no inline or foreign scripts


def test_hsts_when_public_url_is_https(settings, engine):
    with TestClient(_app(settings, engine, public_url="https://nudge.example")) as c:
        response = c.get("/healthz")
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")


# --- rate limits ------------------------------------------------------------------------------


def test_login_is_rate_limited_per_client(settings, engine):
    app = _app(settings, engine, rate_limit_login_per_minute=3)
    with TestClient(app) as c:
        wrong = {"email": "admin@nudge.local", "password": "guess"}
        assert [c.post("/api/auth/login", json=wrong).status_code for _ in range(3)] == [401] * 3
        limited = c.post("/api/auth/login", json={**wrong, "password": TEST_ADMIN_PASSWORD})
        assert limited.status_code == 429  # even the right password, once the bucket is empty
        assert 1 <= int(limited.headers["retry-after"]) <= 20  # one token refills in 20 s
        assert "too many requests" in limited.json()["detail"]
        assert limited.headers["x-content-type-options"] == "nosniff"
        assert c.get("/healthz").status_code == 200  # other routes are not limited


def test_public_link_endpoints_are_rate_limited(settings, engine):
    app = _app(settings, engine, rate_limit_public_per_minute=5)
    with TestClient(app, follow_redirects=False) as c:
        codes = [c.get(f"/t/o/token{i}").status_code for i in range(5)]
        assert 429 not in codes
        assert c.get("/u/some-token").status_code == 429  # /t/ and /u/ share one bucket per IP
        assert c.get("/healthz").status_code == 200


def test_a_limit_of_zero_turns_the_rule_off(settings, engine):
    app = _app(settings, engine, rate_limit_public_per_minute=0)
    with TestClient(app) as c:
        assert 429 not in {c.get("/t/o/x").status_code for _ in range(30)}


def test_token_bucket_refills_evenly_and_keys_by_client():
    now = [1000.0]
    buckets = TokenBuckets(per_minute=2, clock=lambda: now[0])
    assert buckets.take("a") == 0 and buckets.take("a") == 0
    assert buckets.take("a") == pytest.approx(30.0)  # 2/min: one token every 30 s
    assert buckets.take("b") == 0  # another client has its own bucket
    now[0] += 30
    assert buckets.take("a") == 0
    assert buckets.take("a") > 0


def test_token_buckets_forget_the_least_recent_clients():
    buckets = TokenBuckets(per_minute=1, clock=lambda: 0.0, max_clients=2)
    buckets.take("a")
    buckets.take("b")
    buckets.take("c")  # evicts "a"
    assert buckets.take("a") == 0  # a fresh bucket
    assert buckets.take("c") > 0


# --- sessions ---------------------------------------------------------------------------------


def test_session_cookie_expires(settings, engine):
    app = _app(settings, engine, session_ttl_seconds=1)
    with TestClient(app) as c:
        login = c.post(
            "/api/auth/login", json={"email": "admin@nudge.local", "password": TEST_ADMIN_PASSWORD}
        )
        assert login.status_code == 200, login.text
        assert "Max-Age=1" in login.headers["set-cookie"]
        assert "HttpOnly" in login.headers["set-cookie"]
        token = login.cookies["nudge_session"]
        assert c.get("/api/auth/me").json()["kind"] == "user"
        time.sleep(1.2)
        assert c.get("/api/customers").status_code == 401  # the browser dropped the cookie
        # ... and the server refuses it too, if a client keeps sending it.
        c.cookies.clear()
        expired = c.get("/api/customers", headers={"Cookie": f"nudge_session={token}"})
        assert expired.status_code == 401
        assert "expired" in expired.json()["detail"]


# --- API keys ---------------------------------------------------------------------------------


def test_api_keys_create_list_revoke(client, anon_client):
    created = client.post("/api/api-keys", json={"name": "  CI deploys "})
    assert created.status_code == 201, created.text
    body = created.json()
    key = body["key"]
    assert key.startswith("nk_") and body["prefix"] == key[:10] and body["name"] == "CI deploys"

    headers = {"Authorization": f"Bearer {key}"}
    assert anon_client.get("/api/auth/me", headers=headers).json()["api_key_prefix"] == key[:10]

    listed = client.get("/api/api-keys").json()
    assert listed["next_cursor"] is None
    mine = next(k for k in listed["data"] if k["id"] == body["id"])
    assert mine["prefix"] == key[:10] and mine["last_used_at"] is not None
    assert key not in created.request.content.decode() + str(listed)  # never listed again
    assert all("key" not in k and "key_hash" not in k for k in listed["data"])

    assert client.delete(f"/api/api-keys/{body['id']}").status_code == 204
    refused = anon_client.get("/api/customers", headers=headers)
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    assert client.delete(f"/api/api-keys/{body['id']}").status_code == 204  # idempotent
    active = client.get("/api/api-keys", params={"include_revoked": False}).json()["data"]
    assert body["id"] not in [k["id"] for k in active]
    revoked = next(k for k in client.get("/api/api-keys").json()["data"] if k["id"] == body["id"])
    assert revoked["revoked_at"] is not None


def test_api_key_bad_input_is_a_clear_4xx(client):
    assert client.post("/api/api-keys", json={"name": "   "}).status_code == 422
    extra = client.post("/api/api-keys", json={"name": "x", "admin": True})
    assert extra.status_code == 422 and "admin" in extra.json()["message"]
    missing = client.delete("/api/api-keys/999999")
    assert missing.status_code == 404 and "999999" in missing.json()["detail"]
    assert client.delete(f"/api/api-keys/{2**70}").status_code == 422
    # Out-of-range ids on routes that do not bound them are a 422 too (a handler, not a route).
    assert client.get(f"/api/customers/{2**70}").status_code == 422
    assert len(client.get("/api/api-keys").json()["data"]) == 1  # nothing half-written


def test_the_web_app_fits_the_content_security_policy():
    """The CSP allows only same-origin scripts: the app's HTML (which Vite keeps as is in the
    build) must not carry inline scripts or load them from elsewhere."""
    html = (ROOT_DIR / "frontend" / "index.html").read_text()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
    assert scripts, "the app has an entry script"
    for attributes, body in scripts:
        assert 'src="/' in attributes and not body.strip(), attributes
