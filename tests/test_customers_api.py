"""Customers, products, orders and metrics through the API, on every database backend."""

from datetime import UTC, datetime, timedelta


def _customer(client, email="ada@example.com", **extra):
    body = {"email": email, "first_name": "Ada", "last_name": "Lovelace", **extra}
    response = client.post("/api/customers", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _product(client, sku="SKU-1", price="40.00", category="shoes"):
    response = client.post(
        "/api/products",
        json={"name": f"Product {sku}", "sku": sku, "category": category, "price": price},
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_two_orders_give_the_right_metrics(client):
    customer = _customer(client)
    shoes = _product(client, "SHOE", "80.00")
    socks = _product(client, "SOCK", "5.50", "accessories")
    first = datetime(2026, 3, 1, 10, tzinfo=UTC)
    second = datetime(2026, 4, 15, 18, 30, tzinfo=UTC)
    r1 = client.post(
        "/api/orders",
        json={
            "customer_id": customer["id"],
            "placed_at": first.isoformat(),
            "items": [
                {"product_id": shoes["id"], "quantity": 1, "unit_price": "80.00"},
                {"product_id": socks["id"], "quantity": 2, "unit_price": "5.50"},
            ],
        },
    )
    assert r1.status_code == 201, r1.text
    assert r1.json()["total"] == 91.0
    r2 = client.post(
        "/api/orders",
        json={
            "customer_id": customer["id"],
            "placed_at": second.isoformat(),
            "items": [{"product_id": socks["id"], "quantity": 3}],
        },
    )  # current price: 5.50
    assert r2.status_code == 201, r2.text

    metrics = client.get(f"/api/customers/{customer['id']}/metrics").json()
    assert metrics["total_spent"] == 107.5
    assert metrics["order_count"] == 2
    assert metrics["avg_order_value"] == 53.75
    assert metrics["first_order_at"] == "2026-03-01T10:00:00Z"
    assert metrics["last_order_at"] == "2026-04-15T18:30:00Z"

    orders = client.get(f"/api/customers/{customer['id']}/orders").json()["data"]
    assert [o["total"] for o in orders] == [16.5, 91.0]
    timeline = client.get(f"/api/customers/{customer['id']}/timeline").json()
    assert [item["kind"] for item in timeline] == ["order", "order"]


def test_order_updates_product_metrics_and_affinity(client, engine):
    from sqlmodel import Session

    from core.models import CustomerProductAffinity, ProductSalesMetrics

    customer = _customer(client)
    shoes = _product(client, "SHOE", "80.00")
    for quantity in (1, 2):
        client.post(
            "/api/orders",
            json={
                "customer_id": customer["id"],
                "items": [{"product_id": shoes["id"], "quantity": quantity}],
            },
        )
    with Session(engine) as session:
        sales = session.get(ProductSalesMetrics, shoes["id"])
        affinity = session.get(CustomerProductAffinity, (customer["id"], shoes["id"]))
    assert (sales.units_sold, sales.order_count, float(sales.revenue)) == (3, 2, 240.0)
    assert (affinity.units, affinity.order_count, float(affinity.total_spent)) == (3, 2, 240.0)


def test_requests_without_a_key_get_401(anon_client):
    for method, path in [
        ("get", "/api/customers"),
        ("post", "/api/orders"),
        ("get", "/api/customers/1/metrics"),
        ("post", "/api/events"),
    ]:
        response = getattr(anon_client, method)(path)
        assert response.status_code == 401, (path, response.text)
    bad = anon_client.get("/api/customers", headers={"Authorization": "Bearer nk_wrong"})
    assert bad.status_code == 401
    assert anon_client.get("/healthz").status_code == 200


def test_login_sets_a_session_cookie_that_expires(anon_client, engine):
    from sqlmodel import Session, select

    from core.models import UserSession
    from tests.conftest import TEST_ADMIN_PASSWORD

    wrong = anon_client.post(
        "/api/auth/login", json={"email": "admin@nudge.local", "password": "nope"}
    )
    assert wrong.status_code == 401
    ok = anon_client.post(
        "/api/auth/login", json={"email": "admin@nudge.local", "password": TEST_ADMIN_PASSWORD}
    )
    assert ok.status_code == 200
    assert anon_client.get("/api/customers").status_code == 200
    with Session(engine) as session:
        row = session.exec(select(UserSession)).one()
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        session.add(row)
        session.commit()
    assert anon_client.get("/api/customers").status_code == 401


def test_search_and_cursor_pagination(client):
    for i in range(7):
        _customer(client, email=f"user{i}@example.com", first_name=f"Name{i}")
    _customer(client, email="zed@example.com", first_name="Zed")
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/customers", params=params).json()
        seen += [c["email"] for c in page["data"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 8 and len(set(seen)) == 8
    found = client.get("/api/customers", params={"q": "zed"}).json()["data"]
    assert [c["email"] for c in found] == ["zed@example.com"]
    assert client.get("/api/customers", params={"q": "100%"}).json()["data"] == []


def test_patch_delete_and_preferences(client):
    customer = _customer(client)
    patched = client.patch(
        f"/api/customers/{customer['id']}", json={"city": "London", "timezone": "Europe/London"}
    )
    assert patched.status_code == 200 and patched.json()["city"] == "London"
    prefs = client.patch(
        f"/api/customers/{customer['id']}/preferences", json={"email_opt_in": False}
    )
    assert prefs.status_code == 200
    assert prefs.json()["email_opt_in"] is False
    assert prefs.json()["email_unsubscribed_at"] is not None
    assert client.delete(f"/api/customers/{customer['id']}").status_code == 204
    assert client.get(f"/api/customers/{customer['id']}").status_code == 404


def test_bad_input_is_a_clear_4xx_and_changes_nothing(client):
    customer = _customer(client)
    product = _product(client)
    cases = [
        ("post", "/api/customers", {"email": "ada@example.com"}, 409, "email"),
        ("post", "/api/customers", {"email": "not-an-email"}, 422, "email"),
        ("post", "/api/customers", {"email": "x@example.com", "colour": "red"}, 422, "colour"),
        (
            "post",
            "/api/customers",
            {"email": "x@example.com", "timezone": "Mars/Olympus"},
            422,
            "timezone",
        ),
        (
            "post",
            "/api/products",
            {"name": "X", "sku": "SKU-1", "category": "c", "price": 1},
            409,
            "sku",
        ),
        (
            "post",
            "/api/products",
            {"name": "X", "sku": "N", "category": "c", "price": -1},
            422,
            "price",
        ),
        (
            "post",
            "/api/orders",
            {
                "customer_id": customer["id"],
                "items": [{"product_id": product["id"], "quantity": -2}],
            },
            422,
            "quantity",
        ),
        (
            "post",
            "/api/orders",
            {"customer_id": customer["id"], "items": [{"product_id": 9999, "quantity": 1}]},
            422,
            "9999",
        ),
        (
            "post",
            "/api/orders",
            {"customer_id": 9999, "items": [{"product_id": product["id"], "quantity": 1}]},
            404,
            "9999",
        ),
        ("post", "/api/orders", {"customer_id": customer["id"], "items": []}, 422, "items"),
    ]
    for method, path, body, status, mentions in cases:
        response = getattr(client, method)(path, json=body)
        assert response.status_code == status, (body, response.text)
        assert mentions in response.text, (body, response.text)
    malformed = client.post(
        "/api/customers", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert malformed.status_code == 422
    metrics = client.get(f"/api/customers/{customer['id']}/metrics").json()
    assert metrics["order_count"] == 0
    assert client.get("/api/orders").json()["data"] == []
    assert len(client.get("/api/customers").json()["data"]) == 1


def test_events_need_a_known_customer(client):
    customer = _customer(client)
    ok = client.post(
        "/api/events",
        json={"email": "ADA@example.com", "name": "viewed_product", "properties": {"sku": "SHOE"}},
    )
    assert ok.status_code == 201 and ok.json()["customer_id"] == customer["id"]
    unknown = client.post("/api/events", json={"email": "ghost@example.com", "name": "x"})
    assert unknown.status_code == 404 and "ghost@example.com" in unknown.text
    bad_name = client.post(
        "/api/events", json={"customer_id": customer["id"], "name": "drop table;"}
    )
    assert bad_name.status_code == 422
