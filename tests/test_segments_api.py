"""The segments API: CRUD with stored counts, preview, members, fields, and bad input."""

import pytest

from core.segments import MAX_DEPTH


def _customers(client, n: int, country: str = "US", start: int = 0) -> list[int]:
    ids = []
    for i in range(start, start + n):
        response = client.post(
            "/api/customers",
            json={
                "email": f"c{i}@example.com",
                "first_name": f"C{i}",
                "last_name": "Test",
                "country": country,
                "attributes": {"vip": i % 2 == 0},
            },
        )
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids


US = {"match": "all", "conditions": [{"field": "country", "op": "eq", "value": "US"}]}


def test_crud_stores_counts(client):
    us = _customers(client, 3, "US")
    _customers(client, 2, "GB", start=10)
    created = client.post("/api/segments", json={"name": "Americans", "criteria": US})
    assert created.status_code == 201, created.text
    segment = created.json()
    assert segment["customer_count"] == 3 and segment["computed_at"].endswith("Z")
    assert segment["criteria"] == US

    listed = client.get("/api/segments").json()
    assert [s["id"] for s in listed["data"]] == [segment["id"]] and listed["next_cursor"] is None

    gb = {"match": "all", "conditions": [{"field": "country", "op": "eq", "value": "GB"}]}
    patched = client.patch(f"/api/segments/{segment['id']}", json={"criteria": gb}).json()
    assert patched["customer_count"] == 2 and patched["name"] == "Americans"
    renamed = client.patch(f"/api/segments/{segment['id']}", json={"name": "Brits"}).json()
    assert renamed["name"] == "Brits" and renamed["criteria"] == gb

    client.delete(f"/api/customers/{us[0]}")
    client.patch(f"/api/segments/{segment['id']}", json={"criteria": US})
    fetched = client.get(f"/api/segments/{segment['id']}").json()
    assert fetched["customer_count"] == 2
    _customers(client, 1, "US", start=20)
    assert client.get(f"/api/segments/{segment['id']}").json()["customer_count"] == 2
    refreshed = client.get(f"/api/segments/{segment['id']}", params={"refresh": True}).json()
    assert refreshed["customer_count"] == 3

    assert client.delete(f"/api/segments/{segment['id']}").status_code == 204
    assert client.get(f"/api/segments/{segment['id']}").status_code == 404


def test_preview_counts_and_samples_first_20(client):
    ids = _customers(client, 25, "US")
    _customers(client, 3, "FR", start=100)
    response = client.post("/api/segments/preview", json={"criteria": US})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == 25
    assert [c["id"] for c in body["sample"]] == ids[:20]
    assert body["sample"][0]["email"] == "c0@example.com"
    assert client.get("/api/segments").json()["data"] == []  # a preview saves nothing


def test_members_pages_by_keyset(client):
    ids = _customers(client, 23, "US")
    _customers(client, 2, "GB", start=50)
    vip_us = {
        "match": "all",
        "conditions": [
            {"field": "country", "op": "eq", "value": "US"},
            {"field": "attributes.vip", "op": "eq", "value": True},
        ],
    }
    segment = client.post("/api/segments", json={"name": "VIP US", "criteria": vip_us}).json()
    seen, cursor = [], None
    while True:
        params = {"limit": 5} | ({"cursor": cursor} if cursor else {})
        page = client.get(f"/api/segments/{segment['id']}/members", params=params).json()
        seen += [m["id"] for m in page["data"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == ids[::2]


def test_fields_registry(client):
    body = client.get("/api/segments/fields").json()
    by_name = {f["name"]: f for f in body["data"]}
    assert by_name["total_spent"]["type"] == "number"
    assert "between" in by_name["total_spent"]["operators"]
    assert "within_last" in by_name["last_order_at"]["operators"]
    assert by_name["email_opt_in"]["operators"] == ["eq", "ne"]
    assert {"attributes.<key>", "event", "product"} <= set(by_name)
    assert by_name["event"]["operators"] == ["count_gte", "count_lte", "count_eq", "never"]
    assert body["max_depth"] == MAX_DEPTH and "months" in body["units"]


def _nest(depth: int) -> dict:
    group = {"match": "all", "conditions": [{"field": "country", "op": "eq", "value": "US"}]}
    for _ in range(depth - 1):
        group = {"match": "any", "conditions": [group]}
    return group


def _group(*conditions) -> dict:
    return {"match": "all", "conditions": list(conditions)}


OK = {"field": "country", "op": "eq", "value": "US"}
BAD = [
    (_group({"field": "favourite_colour", "op": "eq", "value": "red"}), "conditions[0].field"),
    (_group(OK, {"field": "total_spent", "op": "contains", "value": "5"}), "conditions[1].op"),
    (_group({"field": "total_spent", "op": "gt", "value": "500"}), "conditions[0].value"),
    (_group({"field": "email_opt_in", "op": "eq", "value": "yes"}), "conditions[0].value"),
    (
        _group(OK, OK, {"match": "any", "conditions": [{"field": "city", "op": "in", "value": 3}]}),
        "conditions[2].conditions[0].value",
    ),
    (
        _group(
            {"field": "last_order_at", "op": "within_last", "value": {"amount": 0, "unit": "days"}}
        ),
        "conditions[0].value.amount",
    ),
    (
        _group(
            {"field": "last_order_at", "op": "within_last", "value": {"amount": 3, "unit": "eons"}}
        ),
        "conditions[0].value.unit",
    ),
    (
        _group({"field": "created_at", "op": "before", "value": "last tuesday"}),
        "conditions[0].value",
    ),
    (_group({"field": "total_spent", "op": "between", "value": [500, 5]}), "conditions[0].value"),
    (_nest(MAX_DEPTH + 1), "conditions[0]"),
    ({"match": "all", "conditions": []}, "criteria.conditions"),
    (_group(OK, {"match": "any", "conditions": []}), "conditions[1].conditions"),
    ({"match": "most", "conditions": [OK]}, "criteria.match"),
    (
        _group({"field": "country; DROP TABLE customer", "op": "eq", "value": "US"}),
        "conditions[0].field",
    ),
    (_group({"field": "attributes.x') OR 1=1 --", "op": "eq", "value": 1}), "conditions[0].field"),
    (_group({"field": "country", "op": "eq", "value": "US' OR '1'='1"}), "conditions[0].value"),
    (_group({"event": "x'; DELETE FROM event; --", "op": "never"}), "conditions[0].event"),
    (
        _group({"event": "viewed", "op": "count_gte", "value": 1, "properties": {"a b": 1}}),
        "properties",
    ),
    (_group({"event": "viewed", "op": "at_least", "value": 1}), "conditions[0].op"),
    (_group({"product": {"colour": "red"}, "op": "purchased"}), "conditions[0].product.colour"),
    (_group({"field": "country", "op": "eq", "value": "US", "extra": 1}), "conditions[0].extra"),
    (_group({"field": "country", "op": "is_set", "value": "US"}), "conditions[0].value"),
    (_group({"field": "attributes.vip", "op": "gt", "value": True}), "conditions[0].op"),
    (_group("country = 'US'"), "conditions[0]"),
    ([OK], "criteria"),
]


@pytest.mark.parametrize(("criteria", "path"), BAD, ids=[p for _c, p in BAD])
def test_bad_criteria_is_422_naming_the_path_and_saves_nothing(client, criteria, path):
    for url, body in (
        ("/api/segments", {"name": "bad", "criteria": criteria}),
        ("/api/segments/preview", {"criteria": criteria}),
    ):
        response = client.post(url, json=body)
        assert response.status_code == 422, response.text
        assert path in response.json()["message"], response.json()
    assert client.get("/api/segments").json()["data"] == []


def test_bad_criteria_in_patch_changes_nothing(client):
    segment = client.post("/api/segments", json={"name": "US", "criteria": US}).json()
    bad = _group({"field": "nope", "op": "eq", "value": 1})
    response = client.patch(f"/api/segments/{segment['id']}", json={"name": "x", "criteria": bad})
    assert response.status_code == 422
    assert "criteria.conditions[0].field" in response.json()["message"]
    assert client.get(f"/api/segments/{segment['id']}").json()["name"] == "US"


def test_every_error_is_listed(client):
    criteria = _group(
        {"field": "nope", "op": "eq", "value": 1},
        {"field": "total_spent", "op": "gt", "value": "x"},
    )
    detail = client.post("/api/segments/preview", json={"criteria": criteria}).json()["detail"]
    assert [d["loc"][2:] for d in detail] == [
        ["conditions", 0, "field"],
        ["conditions", 1, "value"],
    ]


def test_segments_need_auth(anon_client):
    assert anon_client.get("/api/segments").status_code == 401
    assert anon_client.post("/api/segments/preview", json={"criteria": US}).status_code == 401


def test_invalid_stored_criteria_is_409_not_500(client, engine):
    from sqlmodel import Session

    from core.models import Segment

    with Session(engine) as session:
        broken = Segment(
            name="legacy", criteria={"match": "all", "conditions": [{"field": "gone"}]}
        )
        session.add(broken)
        session.commit()
        segment_id = broken.id
    for url in (f"/api/segments/{segment_id}/members", f"/api/segments/{segment_id}?refresh=true"):
        response = client.get(url)
        assert response.status_code == 409, response.text
        assert "conditions[0].field" in response.json()["detail"]
