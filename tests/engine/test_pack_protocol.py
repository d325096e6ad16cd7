"""The policy pack over the real Analyzer gRPC protocol, started as the Pulumi CLI starts it."""
from pathlib import Path

import pytest
import yaml

from cases import CASES, COMBINED, NET, SG, STACKS, VPC_IN, sg, tcp
from secure_kafka.gate import PolicyPack, StackResource
from table import labels, stack_resources, urn as member_urn

PACK = Path(__file__).resolve().parents[2] / "policies"
pytestmark = pytest.mark.pack
STRING_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


@pytest.fixture(scope="module")
def pack():
    with PolicyPack(PACK, preview=True) as running:
        running.configure({})
        yield running


@pytest.fixture(scope="module")
def up_pack():
    with PolicyPack(PACK, preview=False) as running:
        yield running


def urn(name, type_=SG):
    return f"urn:pulumi:dev::secure-kafka::{type_}::{name}"


def test_pack_is_a_publishable_python_pack():
    meta = yaml.safe_load((PACK / "PulumiPolicy.yaml").read_text())
    assert meta["runtime"]["name"] == "python"
    import secure_kafka
    assert str(meta["version"]) == secure_kafka.__version__  # one version: the package's
    requirements = (PACK / "requirements.txt").read_text()
    assert "pulumi-policy" in requirements
    assert (PACK / "__main__.py").exists()


def test_analyzer_info_lists_every_rule_mandatory_with_config(pack):
    info = pack.info()
    import secure_kafka
    assert info.name == "kafka-guardrails" and info.supportsConfig
    assert info.version == secure_kafka.__version__  # not pulumi-policy's 0.0.1
    by_name = {p.name: p for p in info.policies}
    assert {"kafka-no-public-port", "kafka-no-public-port-combined"} <= set(by_name)
    assert by_name["kafka-no-public-port"].enforcementLevel == 1  # MANDATORY
    assert "KAFKA-NET-001" in by_name["kafka-no-public-port"].description
    assert {"ports", "extraPorts", "ipv4PublicPrefix"} <= set(by_name["kafka-no-public-port"].configSchema.properties)
    ids = [p.description.split(":")[0] for p in info.policies]
    assert ids == sorted(ids)  # emitted in the registry's stable order


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_table_over_the_protocol(pack, case):
    diags = pack.analyze(case.type, case.props, urn(case.name, case.type), case.name)
    if case.exposed:
        assert len(diags) >= 1
        assert {d.policy for d in diags} == {NET}
        assert all(d.level == "mandatory" and "KAFKA-NET-001" in d.message for d in diags)
        assert any(str(case.port) in d.message for d in diags)
    else:
        assert diags == []


@pytest.mark.parametrize("stack", STACKS, ids=lambda s: s.name)
def test_stack_table_over_the_protocol(pack, stack):
    """Every member through Analyze (none exposed alone), then the whole stack through AnalyzeStack."""
    resources = stack_resources(stack)
    assert len(resources) == len(stack.members)
    alone = [d for r in resources for d in pack.analyze(r.type, r.properties, r.urn, r.name, r.custom) if d.policy == NET]
    assert alone == []
    diags = pack.analyze_stack(resources)
    assert {d.policy for d in diags} == set(stack.policies), [d.message for d in diags]
    if stack.policies == COMBINED:
        assert all(d.level == "mandatory" for d in diags)
        joined = labels(stack, stack.joins)
        assert any(all(label.rsplit("::", 1)[-1] in d.message for label in joined) for d in diags), \
            [d.message for d in diags]
        assert any(d.urn == member_urn(m) for d in diags for m in stack.members)


def test_unknown_source_in_preview_is_an_advisory_note_with_our_reason(pack):
    props = sg(tcp(9092, cidrBlocks=[STRING_UNKNOWN]))
    [diag] = pack.analyze(SG, props, urn("pending"), "pending")
    assert diag.level == "advisory" and "during preview" in diag.message
    assert "cannot be ruled out" in diag.message


def test_known_exposure_is_mandatory_even_when_a_neighbour_is_unknown(pack):
    props = sg(tcp(9092, cidrBlocks=[STRING_UNKNOWN]), tcp(9094, cidrBlocks=["0.0.0.0/0"]))
    levels = sorted(d.level for d in pack.analyze(SG, props, urn("mixed"), "mixed"))
    assert levels == ["advisory", "mandatory"]


def test_unknown_at_up_is_mandatory(up_pack):
    props = sg(tcp(9092, cidrBlocks=[STRING_UNKNOWN]))
    [diag] = up_pack.analyze(SG, props, urn("pending"), "pending")
    assert diag.level == "mandatory"


@pytest.mark.parametrize("props", [
    {"ingress": "not-a-list"}, {"ingress": [42, None, "x"]}, {"ingress": [{"protocol": {"a": 1}}]},
    {"ingress": [{"protocol": "tcp", "fromPort": "nine", "toPort": [], "cidrBlocks": [1, 2]}]}, {},
])
def test_odd_input_never_crashes_the_pack(pack, props):
    diags = pack.analyze(SG, props, urn("odd"), "odd")
    assert all(d.policy == "kafka-no-public-port" for d in diags)


def test_config_changes_ports_and_enforcement():
    world_9094 = sg(tcp(9094, cidrBlocks=["0.0.0.0/0"]))
    world_8083 = sg(tcp(8083, cidrBlocks=["0.0.0.0/0"]))
    with PolicyPack(PACK) as pack:
        pack.configure({"kafka-no-public-port": {"ports": [9092]}})
        assert pack.analyze(SG, world_9094, urn("a"), "a") == []
        pack.configure({"kafka-no-public-port": {"extraPorts": [8083]}})
        assert pack.analyze(SG, world_8083, urn("b"), "b")[0].level == "mandatory"
        pack.configure({"kafka-no-public-port": {"enforcementLevel": "advisory"}})
        assert pack.analyze(SG, world_9094, urn("c"), "c")[0].level == "advisory"
        pack.configure({"kafka-no-public-port": "disabled"})
        assert pack.analyze(SG, world_9094, urn("d"), "d") == []
        pack.configure({"kafka-no-public-port": {"ipv4PublicPrefix": 99}})
        [diag] = pack.analyze(SG, world_9094, urn("e"), "e")
        assert "invalid policy config" in diag.message and "ipv4PublicPrefix" in diag.message


def _rule(name, cidr, group_urn=None, group_id="sg-01"):
    props = {"securityGroupId": group_id, "ipProtocol": "tcp", "fromPort": 9092, "toPort": 9092,
             "cidrIpv4": cidr}
    deps = {"securityGroupId": [group_urn]} if group_urn else {}
    return StackResource(VPC_IN, name, urn(name, VPC_IN), props, property_dependencies=deps)


def test_analyze_stack_unions_rules_attached_to_one_group():
    group = StackResource(SG, "brokers", urn("brokers"), {"id": "sg-01", "vpcId": "vpc-1"})
    with PolicyPack(PACK) as pack:
        pack.configure({"kafka-no-public-port-combined": {"ipv4PublicPrefix": 0},
                        "kafka-no-public-port": {"ipv4PublicPrefix": 0}})
        resources = [group, _rule("low", "0.0.0.0/1", group.urn), _rule("high", "128.0.0.0/1", group.urn)]
        assert all(pack.analyze(r.type, r.properties, r.urn, r.name, r.custom) == [] for r in resources)
        [diag] = pack.analyze_stack(resources)
        assert diag.policy == "kafka-no-public-port-combined" and diag.level == "mandatory"
        assert diag.urn == group.urn and "whole IPv4 internet" in diag.message
        # Different groups are not mixed.
        other = _rule("high", "128.0.0.0/1", None, "sg-02")
        assert pack.analyze_stack([group, _rule("low", "0.0.0.0/1", group.urn), other]) == []
