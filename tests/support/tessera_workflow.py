"""The Tessera workflow driven by tessera-sdk 0.1.5 itself, written once and run twice: in-process
(tests/integration/test_contracts_sdk.py) and over HTTP through the local runtime
(tests/e2e/test_registry.py). `w` gives SDK clients: w.admin() (tenant admin), w.team(team_id) (a
read/write key acting for that team) and w.foreign() (an admin of another tenant)."""
import pytest
from tessera_sdk.http import ConflictError, NotFoundError, TesseraError, ValidationError
from tessera_sdk.models import AcknowledgmentResponseType, DependencyType

BASE = {"type": "object", "properties": {"id": {"type": "integer"}, "email": {"type": "string"},
                                         "name": {"type": "string"}}, "required": ["id"]}
V11 = {**BASE, "properties": {**BASE["properties"], "phone": {"type": "string"}}}
BREAKING = {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                             "phone": {"type": "string"}},
            "required": ["id"], "additionalProperties": False}



def tessera_workflow(w):
    """team → asset → v1.0.0 → consumer registers → impact → breaking publish → proposal →
    acknowledge → publish v2.0.0, and every read on the way."""
    root = w.admin()
    producer_team = root.teams.create(name="Data Platform", metadata={"slack": "#dp"})
    consumer_team = root.teams.create(name="Analytics")
    assert [t.name for t in root.teams.list()] == ["Data Platform", "Analytics"]
    producer = w.team(producer_team.id)
    consumer = w.team(consumer_team.id)

    asset = producer.assets.create(fqn="warehouse.analytics.users", owner_team_id=producer_team.id,
                                   metadata={"description": "Core users table"})
    assert producer.assets.get(asset.id).fqn == "warehouse.analytics.users"
    assert [a.id for a in consumer.assets.search("users")] == [asset.id]
    updated = producer.assets.update(asset.id, metadata={"tags": ["pii"]})
    assert updated.metadata == {"description": "Core users table", "tags": ["pii"]}

    v1 = producer.assets.publish_contract(asset.id, schema=BASE, version="1.0.0")
    assert v1.contract.version == "1.0.0" and v1.proposal is None
    again = producer.assets.publish_contract(asset.id, schema=BASE, version="1.0.0")
    assert again.contract.id == v1.contract.id  # identical: unchanged
    v11 = producer.assets.publish_contract(asset.id, schema=V11, version="1.1.0")
    assert v11.contract.version == "1.1.0"

    reg = consumer.registrations.create(contract_id=v1.contract.id, consumer_team_id=consumer_team.id)
    assert consumer.registrations.get(reg.id).consumer_team_id == consumer_team.id
    assert [r.id for r in consumer.contracts.get_registrations(v11.contract.id)] == [reg.id]

    impact = consumer.assets.check_impact(asset.id, proposed_schema=BREAKING)
    assert impact.safe_to_publish is False and impact.change_type == "major"
    assert [b.column for b in impact.breaking_changes] == ["email"]
    assert [c["team_id"] for c in impact.impacted_consumers] == [str(consumer_team.id)]

    result = producer.assets.publish_contract(asset.id, schema=BREAKING, version="2.0.0")
    assert result.contract is None and result.proposal.status == "pending"
    proposal = result.proposal
    with pytest.raises(TesseraError) as denied:
        producer.proposals.acknowledge(proposal.id, consumer_team.id, AcknowledgmentResponseType.APPROVED)
    assert denied.value.status_code == 403
    ack = consumer.proposals.acknowledge(proposal.id, consumer_team.id, AcknowledgmentResponseType.APPROVED,
                                         notes="ok")
    assert ack.response == "approved"
    status = consumer.proposals.get_status(proposal.id)
    assert status.proposal.status == "approved" and status.received_acknowledgments == 1
    with pytest.raises(ConflictError):
        consumer.proposals.acknowledge(proposal.id, consumer_team.id, AcknowledgmentResponseType.APPROVED)

    v2 = producer.proposals.publish(proposal.id)
    assert v2.version == "2.0.0" and v2.status == "active"
    contracts = producer.assets.list_contracts(asset.id)
    assert [(c.version, c.status) for c in contracts] == [("2.0.0", "active"), ("1.1.0", "deprecated"),
                                                          ("1.0.0", "deprecated")]
    assert [h["version"] for h in producer.assets.get_contract_history(asset.id)] == ["2.0.0", "1.1.0", "1.0.0"]
    diff = producer.assets.diff_contracts(asset.id, "1.1.0", "2.0.0")
    assert diff.change_type == "major" and [b.column for b in diff.breaking_changes] == ["email"]
    assert producer.contracts.get(v2.id).version == "2.0.0"
    assert {c.version for c in producer.contracts.list(asset_id=asset.id)} == {"1.0.0", "1.1.0", "2.0.0"}
    assert producer.contracts.compare(BASE, BREAKING)["is_breaking"] is True


def blocked_force_withdraw_and_direct_breaking(w):
    """blocked → rejected; withdraw; force (admin only); breaking publish with no consumers;
    lineage and error mapping through the SDK."""
    root = w.admin()
    p_team, c_team = root.teams.create(name="Producer"), root.teams.create(name="Consumer")
    producer = w.team(p_team.id)
    consumer = w.team(c_team.id)
    lonely = producer.assets.create(fqn="lake.lonely", owner_team_id=p_team.id)
    producer.assets.publish_contract(lonely.id, schema=BASE, version="1.0.0")
    direct = producer.assets.publish_contract(lonely.id, schema=BREAKING, version="2.0.0")
    assert direct.contract.version == "2.0.0" and direct.proposal is None  # nobody to ask

    asset = producer.assets.create(fqn="lake.shared", owner_team_id=p_team.id)
    v1 = producer.assets.publish_contract(asset.id, schema=BASE, version="1.0.0")
    consumer.registrations.create(contract_id=v1.contract.id, consumer_team_id=c_team.id)

    blocked = producer.assets.publish_contract(asset.id, schema=BREAKING, version="2.0.0").proposal
    consumer.proposals.acknowledge(blocked.id, c_team.id, AcknowledgmentResponseType.BLOCKED, notes="we read email")
    assert consumer.proposals.get(blocked.id).status == "rejected"
    with pytest.raises(ConflictError):
        producer.proposals.publish(blocked.id)

    withdrawn = producer.assets.publish_contract(asset.id, schema=BREAKING, version="2.0.0").proposal
    assert producer.proposals.withdraw(withdrawn.id).status == "withdrawn"

    forced = producer.assets.publish_contract(asset.id, schema=BREAKING, version="2.0.0").proposal
    with pytest.raises(TesseraError) as denied:
        producer.proposals.force(forced.id)
    assert denied.value.status_code == 403
    assert root.proposals.force(forced.id).status == "approved"
    assert producer.proposals.publish(forced.id).version == "2.0.0"
    assert [p.status for p in producer.proposals.list(asset_id=asset.id)
            if p.id in (blocked.id, withdrawn.id)] == ["withdrawn", "rejected"]

    # lineage and errors through the SDK
    mart = consumer.assets.create(fqn="analytics.mart", owner_team_id=c_team.id)
    dep = consumer.assets.add_dependency(mart.id, asset.id, DependencyType.CONSUMES)
    assert [d.id for d in consumer.assets.list_dependencies(mart.id)] == [dep.id]
    lineage = producer.assets.get_lineage(asset.id, depth=2)
    assert [n["fqn"] for n in lineage.downstream] == ["analytics.mart"]
    consumer.assets.remove_dependency(mart.id, dep.id)
    assert consumer.assets.list_dependencies(mart.id) == []
    with pytest.raises(NotFoundError):
        producer.assets.get("00000000-0000-4000-8000-000000000000")
    with pytest.raises(TesseraError) as invalid:
        producer.assets.publish_contract(asset.id, schema={"type": "strin"}, version="9.0.0")
    assert invalid.value.status_code == 400 and "type" in str(invalid.value.response_body["detail"])
    with pytest.raises(ValidationError):  # 422 with FastAPI-shaped detail
        producer.assets.update(asset.id, fqn="a..b")
    with pytest.raises(ConflictError):
        producer.assets.create(fqn="lake.shared", owner_team_id=p_team.id)
    other = w.foreign()
    with pytest.raises(NotFoundError):
        other.assets.get(asset.id)
