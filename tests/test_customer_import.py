"""CSV import: upsert by email, rejects with their line numbers, and nothing half-written."""

import io

from sqlmodel import Session, select

from core.models import Customer, CustomerMetrics, CustomerPreferences


def _import(client, text: str, multipart: bool = False):
    if multipart:
        return client.post(
            "/api/customers/import",
            files={"file": ("customers.csv", io.BytesIO(text.encode()), "text/csv")},
        )
    return client.post(
        "/api/customers/import", content=text.encode(), headers={"content-type": "text/csv"}
    )


def test_import_creates_updates_and_lists_rejects(client, engine):
    client.post(
        "/api/customers",
        json={"email": "old@example.com", "first_name": "Old", "attributes": {"tier": "gold"}},
    )
    csv_text = (
        "email,first_name,last_name,country,timezone,email_opt_in,attributes.vip,attributes.age\n"
        "new@example.com,New,Person,us,America/New_York,true,true,41\n"
        "OLD@example.com,Renamed,,GB,,no,,\n"
        "broken-email,X,Y,FR,,,,\n"
        "bad@example.com,Bad,Zone,FR,Mars/Base,,,\n"
        "short@example.com,Only,Two\n"
        "\n"
        "third@example.com,Third,,,,maybe,,\n"
    )
    response = _import(client, csv_text, multipart=True)
    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["created"], result["updated"], result["rejected"]) == (1, 1, 4)
    rejects = {r["row"]: r["reason"] for r in result["rejects"]}
    assert set(rejects) == {4, 5, 6, 8}
    assert "email" in rejects[4]
    assert "timezone" in rejects[5]
    assert "expected 8 columns" in rejects[6]
    assert "email_opt_in" in rejects[8]

    with Session(engine) as session:
        new = session.exec(select(Customer).where(Customer.email == "new@example.com")).one()
        old = session.exec(select(Customer).where(Customer.email == "old@example.com")).one()
        assert (new.country, new.timezone) == ("US", "America/New_York")
        assert new.attributes == {"vip": True, "age": 41}
        assert session.get(CustomerMetrics, new.id) is not None
        assert old.first_name == "Renamed" and old.country == "GB"
        assert old.attributes == {"tier": "gold"}  # an empty cell keeps what was there
        prefs = session.get(CustomerPreferences, old.id)
        assert prefs.email_opt_in is False and prefs.email_unsubscribed_at is not None


def test_import_twice_is_an_update(client):
    text = "email,first_name\na@example.com,A\nb@example.com,B\na@example.com,A2\n"
    first = _import(client, text).json()
    assert (first["created"], first["updated"]) == (2, 1)
    second = _import(client, text).json()
    assert (second["created"], second["updated"], second["rejected"]) == (0, 3, 0)
    names = {c["email"]: c["first_name"] for c in client.get("/api/customers").json()["data"]}
    assert names == {"a@example.com": "A2", "b@example.com": "B"}


def test_a_wrong_header_imports_nothing(client):
    for text, mention in [
        ("first_name,last_name\nA,B\n", "email"),
        ("email,colour\na@example.com,red\n", "colour"),
        ("email,email\na@example.com,b@example.com\n", "twice"),
        ("", "empty"),
    ]:
        response = _import(client, text)
        assert response.status_code == 422, response.text
        assert mention in response.json()["detail"]
    not_utf8 = client.post(
        "/api/customers/import",
        content="email\n\xe9@x.com\n".encode("latin-1"),
        headers={"content-type": "text/csv"},
    )
    assert not_utf8.status_code == 422 and "UTF-8" in not_utf8.json()["detail"]
    wrong_type = client.post(
        "/api/customers/import", content=b"{}", headers={"content-type": "application/json"}
    )
    assert wrong_type.status_code == 415
    assert client.get("/api/customers").json()["data"] == []
