"""The flows API: definitions, versions and status, with bad input refused (nothing started)."""

import pytest
from sqlmodel import Session, select

from core.models import Event, Flow, FlowRun, FlowVersion
from tests.test_flows_support import WELCOME, make_customer


def create(client, body=None):
    response = client.post("/api/flows", json=body or WELCOME)
    assert response.status_code == 201, response.text
    return response.json()


def test_simple_form_is_accepted_and_keys_assigned(client):
    flow = create(client)
    assert flow["status"] == "draft" and flow["version"] is None
    assert [s["key"] for s in flow["steps"]] == ["s1", "s2", "s3", "s4"]
    assert flow["steps"][1] == {"key": "s2", "type": "WAIT", "duration_seconds": 259200}
    assert client.get(f"/api/flows/{flow['id']}").json()["name"] == "Welcome"
    listed = client.get("/api/flows").json()
    assert [f["id"] for f in listed["data"]] == [flow["id"]] and listed["next_cursor"] is None


def test_activate_freezes_versions_and_edits_make_new_ones(client, engine):
    flow = create(client)
    active = client.post(f"/api/flows/{flow['id']}/activate").json()
    assert active["status"] == "active" and active["version"] == 1
    # activating again without changes keeps the version
    assert client.post(f"/api/flows/{flow['id']}/activate").json()["version"] == 1
    steps = WELCOME["steps"][:1]
    edited = client.patch(f"/api/flows/{flow['id']}", json={"steps": steps})
    assert edited.status_code == 200, edited.text
    assert edited.json()["version"] == 2
    with Session(engine) as session:
        versions = session.exec(select(FlowVersion).order_by(FlowVersion.version)).all()
        assert [len(v.definition["steps"]) for v in versions] == [4, 1]  # v1 is unchanged
    paused = client.post(f"/api/flows/{flow['id']}/pause").json()
    assert paused["status"] == "paused"


BAD_FLOWS = [
    ({**WELCOME, "steps": []}, "steps"),
    ({**WELCOME, "steps": [{"type": "SEND_SMS", "body": "x"}]}, "steps[0]"),
    ({**WELCOME, "steps": [{"type": "WAIT"}]}, "duration_seconds"),
    ({**WELCOME, "steps": [{"type": "WAIT", "duration_seconds": -5}]}, "duration_seconds"),
    (
        {
            **WELCOME,
            "steps": [{"type": "CONDITION", "criteria": {"match": "all", "conditions": [{}]}}],
        },
        "criteria",
    ),
    (
        {
            **WELCOME,
            "steps": [
                {
                    "type": "CONDITION",
                    "criteria": {
                        "match": "all",
                        "conditions": [{"field": "no_such_field", "op": "eq", "value": 1}],
                    },
                }
            ],
        },
        "no_such_field",
    ),
    ({**WELCOME, "trigger": {"type": "event"}}, "trigger"),
    ({**WELCOME, "trigger": {"type": "event", "event": "bad name!"}}, "trigger"),
    ({**WELCOME, "trigger": {"type": "webhook"}}, "trigger"),
    ({**WELCOME, "trigger": "manual"}, "trigger"),
    ({**WELCOME, "reentry": "sometimes"}, "reentry"),
    ({**WELCOME, "quiet_hours": {"start": "25:00", "end": "08:00"}}, "quiet_hours"),
]


@pytest.mark.parametrize(("body", "mentions"), BAD_FLOWS)
def test_bad_definitions_are_422_naming_the_problem(client, engine, body, mentions):
    response = client.post("/api/flows", json=body)
    assert response.status_code == 422, response.text
    assert mentions in response.text
    with Session(engine) as session:
        assert session.exec(select(Flow)).first() is None


def test_bad_patch_changes_nothing(client):
    flow = create(client)
    response = client.patch(f"/api/flows/{flow['id']}", json={"steps": [{"type": "WAIT"}]})
    assert response.status_code == 422
    assert client.get(f"/api/flows/{flow['id']}").json()["steps"] == flow["steps"]


def test_archived_flow_cannot_be_activated_or_enrolled(client, engine):
    flow = create(client)
    assert client.post(f"/api/flows/{flow['id']}/archive").json()["status"] == "archived"
    response = client.post(f"/api/flows/{flow['id']}/activate")
    assert response.status_code == 409 and "archived" in response.json()["detail"]
    customer = make_customer(engine)
    response = client.post(f"/api/flows/{flow['id']}/enroll", json={"customer_ids": [customer]})
    assert response.status_code == 409


def test_enrolling_unknown_customer_is_404_and_starts_nothing(client, engine):
    flow = create(client)
    client.post(f"/api/flows/{flow['id']}/activate")
    known = make_customer(engine)
    response = client.post(
        f"/api/flows/{flow['id']}/enroll", json={"customer_ids": [known, 987654321]}
    )
    assert response.status_code == 404
    assert "987654321" in response.json()["detail"]
    assert response.json()["field"] == "customer_ids"
    bad = client.post(f"/api/flows/{flow['id']}/enroll", json={})
    assert bad.status_code == 422
    with Session(engine) as session:
        assert session.exec(select(FlowRun)).first() is None


def test_event_for_unknown_customer_is_rejected(client, engine):
    response = client.post("/api/events", json={"customer_id": 987654321, "name": "signed_up"})
    assert response.status_code == 404 and "987654321" in response.json()["detail"]
    response = client.post("/api/events", json={"email": "nobody@example.com", "name": "x"})
    assert response.status_code == 404
    with Session(engine) as session:
        assert session.exec(select(Event)).first() is None


def test_unknown_flow_and_run_are_404(client):
    assert client.get("/api/flows/424242").status_code == 404
    assert client.get("/api/flow-runs/424242").status_code == 404
    assert client.post("/api/flow-runs/424242/cancel").status_code == 404
