"""No input shape crashes the engine, and world-open Kafka rules are always caught."""
from hypothesis import HealthCheck, given, settings, strategies as st

from cases import CASES
from kafka_guardrails import Resource, Settings, judge_resource, judge_stack
from kafka_guardrails import RULES

TYPES = sorted({t for rule in RULES for t in rule.types})
KEYS = ["ingress", "egress", "protocol", "ipProtocol", "fromPort", "toPort", "from_port", "FromPort",
        "cidrBlocks", "cidr_blocks", "ipv6CidrBlocks", "cidrIpv4", "cidrIpv6", "CidrIp", "self",
        "securityGroups", "type", "spec", "ports", "port", "targetPort", "metadata", "annotations",
        "loadBalancerSourceRanges", "securityGroupIngress", "securityGroupId", "encryptionInfo",
        "encryptionInTransit", "clientBroker", "inCluster", "clientAuthentication", "sasl", "iam",
        "unauthenticated", "tls", "loggingInfo", "brokerLogs", "serverProperties", "enabled"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(-70000, 70000), st.floats(allow_nan=True),
                    st.text(max_size=12), st.sampled_from(["0.0.0.0/0", "::/0", "tcp", "-1", "all",
                                                           "LoadBalancer", "NodePort", "10.0.0.0/8",
                                                           "04da6b54-80e4-46f7-96ec-b56ff0331ba9"]))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=5)), max_leaves=25)
props = st.one_of(values, st.dictionaries(st.sampled_from(KEYS), values, max_size=6))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(TYPES), props, st.booleans())
def test_any_shape_is_judged_without_raising(type_, raw, preview):
    resource = Resource(type_, raw)
    findings = judge_resource(resource, Settings(preview=preview))
    assert all(f.rule_id.startswith("KAFKA-") for f in findings)
    assert all("could not read" not in f.message for f in findings), findings
    judge_stack([resource, Resource(type_, raw, urn="urn:2")], Settings(preview=preview))


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 9092), st.integers(9092, 65535), st.sampled_from(["tcp", "TCP", "6", 6, 6.0]),
       st.sampled_from(["0.0.0.0/0", "::/0", "::0/0", "0:0:0:0:0:0:0:0/0", "0.0.0.0/1"]))
def test_any_tcp_range_over_9092_open_to_the_world_is_caught(low, high, proto, cidr):
    key = "ipv6CidrBlocks" if ":" in cidr else "cidrBlocks"
    props = {"ingress": [{"protocol": proto, "fromPort": low, "toPort": high, key: [cidr]}]}
    findings = judge_resource(Resource("aws:ec2/securityGroup:SecurityGroup", props))
    assert findings and 9092 in findings[0].ports


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([c for c in CASES if c.exposed]), st.lists(st.sampled_from(
    ["10.0.0.0/8", "172.16.0.0/12", "192.168.1.0/24", "sg-0aaaaaaaaaaaaaaaa"]), max_size=3))
def test_adding_private_sources_never_hides_an_exposure(case, extra):
    import copy
    props = copy.deepcopy(case.props)
    for entry in props.get("ingress", []):
        entry.setdefault("cidrBlocks", []).extend(e for e in extra if not e.startswith("sg-"))
        entry.setdefault("securityGroups", []).extend(e for e in extra if e.startswith("sg-"))
    assert judge_resource(Resource(case.type, props))
