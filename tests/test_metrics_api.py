"""Dashboard metrics: overview totals and per-day series, on every database backend."""

from datetime import UTC, datetime

from sqlmodel import Session

from core.models import Campaign, Flow, Message

DAY1 = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)  # late in the UTC day: must not spill over
DAY2 = datetime(2026, 3, 3, 0, 15, tzinfo=UTC)


def _customer(client, email):
    response = client.post("/api/customers", json={"email": email, "first_name": "A"})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _order(client, customer_id, product_id, quantity, placed_at):
    response = client.post(
        "/api/orders",
        json={
            "customer_id": customer_id,
            "placed_at": placed_at.isoformat(),
            "items": [{"product_id": product_id, "quantity": quantity, "unit_price": "10.00"}],
        },
    )
    assert response.status_code == 201, response.text


def _seed(client, engine):
    ada = _customer(client, "ada@example.com")
    bob = _customer(client, "bob@example.com")
    product = client.post(
        "/api/products", json={"name": "Mug", "sku": "MUG", "category": "home", "price": "10.00"}
    ).json()["id"]
    _order(client, ada, product, 2, DAY1)  # 20.00
    _order(client, bob, product, 1, DAY1)  # 10.00
    _order(client, ada, product, 5, DAY2)  # 50.00
    with Session(engine) as session:
        session.add(Campaign(name="live", status="sending"))
        session.add(Campaign(name="done", status="completed"))
        session.add(Flow(name="welcome", status="active"))
        session.add(Flow(name="old", status="archived"))
        for i, (customer, status, opened, clicked) in enumerate(
            [(ada, "sent", DAY1, DAY2), (bob, "sent", DAY2, None), (bob, "failed", None, None)]
        ):
            session.add(
                Message(
                    idempotency_key=f"test:{i}",
                    customer_id=customer,
                    channel="email",
                    status=status,
                    sent_at=DAY1 if status == "sent" else None,
                    first_opened_at=opened,
                    first_clicked_at=clicked,
                )
            )
        session.commit()


def test_overview_counts_everything(client, engine):
    _seed(client, engine)
    response = client.get("/api/metrics/overview")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["customers"] == 2
    assert body["orders"] == 3
    assert body["revenue"] == 80.0
    assert body["messages_sent"] == 2
    assert body["messages_opened"] == 2
    assert body["messages_clicked"] == 1
    assert body["messages_failed"] == 1
    assert body["open_rate"] == 1.0
    assert body["click_rate"] == 0.5
    assert body["active_campaigns"] == 1
    assert body["active_flows"] == 1


def test_overview_of_an_empty_database_is_zeros(client):
    body = client.get("/api/metrics/overview").json()
    assert body["customers"] == 0 and body["revenue"] == 0.0 and body["open_rate"] == 0.0


def test_timeseries_buckets_by_utc_day_and_fills_gaps(client, engine):
    _seed(client, engine)
    response = client.get("/api/metrics/timeseries?start=2026-02-28&end=2026-03-03")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["start"] == "2026-02-28" and body["end"] == "2026-03-03"
    days = {point["date"]: point for point in body["data"]}
    assert list(days) == ["2026-02-28", "2026-03-01", "2026-03-02", "2026-03-03"]
    assert days["2026-02-28"]["orders"] == 0 and days["2026-02-28"]["revenue"] == 0
    assert days["2026-03-01"]["orders"] == 2 and days["2026-03-01"]["revenue"] == 30.0
    assert days["2026-03-02"]["orders"] == 0
    assert days["2026-03-03"]["orders"] == 1 and days["2026-03-03"]["revenue"] == 50.0
    assert days["2026-03-01"]["messages_sent"] == 2
    assert days["2026-03-01"]["messages_opened"] == 1
    assert days["2026-03-03"]["messages_opened"] == 1
    assert days["2026-03-03"]["messages_clicked"] == 1
    # customers were created now, outside this range
    assert sum(point["new_customers"] for point in body["data"]) == 0


def test_timeseries_defaults_to_the_last_30_days_with_todays_customers(client):
    _customer(client, "new@example.com")
    body = client.get("/api/metrics/timeseries").json()
    assert len(body["data"]) == 30
    assert body["data"][-1]["new_customers"] == 1


def test_timeseries_refuses_bad_ranges(client):
    backwards = client.get("/api/metrics/timeseries?start=2026-03-05&end=2026-03-01")
    assert backwards.status_code == 422
    assert backwards.json()["field"] == "start"
    too_long = client.get("/api/metrics/timeseries?start=2020-01-01&end=2026-01-01")
    assert too_long.status_code == 422
    assert "366" in too_long.json()["detail"]
    not_a_date = client.get("/api/metrics/timeseries?start=yesterday")
    assert not_a_date.status_code == 422
    assert "start" in not_a_date.json()["message"]


def test_metrics_need_authentication(anon_client):
    assert anon_client.get("/api/metrics/overview").status_code == 401
    assert anon_client.get("/api/metrics/timeseries").status_code == 401
