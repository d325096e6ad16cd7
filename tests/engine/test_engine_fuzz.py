"""No input shape crashes the engine or the stack joins, unreadable sources are reported, and
world-open Kafka rules are always caught."""
import copy

from hypothesis import HealthCheck, given, settings, strategies as st

from cases import CASES, STACKS
from kafka_guardrails import FORMS, RULES, Resource, Settings, cidr, judge_resource, judge_stack
from kafka_guardrails.values import UNKNOWN_SENTINELS
from table import engine_resources

TYPES = sorted({t for rule in RULES for t in rule.types})
KEYS = ["ingress", "egress", "protocol", "ipProtocol", "fromPort", "toPort", "from_port", "FromPort",
        "cidrBlocks", "cidr_blocks", "ipv6CidrBlocks", "cidrIpv4", "cidrIpv6", "CidrIp", "self",
        "securityGroups", "type", "spec", "ports", "port", "targetPort", "metadata", "annotations",
        "loadBalancerSourceRanges", "securityGroupIngress", "securityGroupId", "encryptionInfo",
        "encryptionInTransit", "clientBroker", "inCluster", "clientAuthentication", "sasl", "iam",
        "unauthenticated", "tls", "loggingInfo", "brokerLogs", "serverProperties", "enabled",
        # the newer families
        "internal", "scheme", "listeners", "lbPort", "instancePort", "defaultActions", "targetGroupArn",
        "loadBalancerArn", "entries", "cidr", "prefixListId", "prefixListIds", "externalIPs", "template",
        "containers", "hostNetwork", "hostPort", "containerPort", "kafka", "externalAccess", "values",
        "chart", "tcp", "controller", "service", "allows", "sourceRanges", "sourceTags", "direction",
        "securityRules", "sourceAddressPrefix", "destinationPortRange", "access", "portInfos", "cidrs",
        "inboundRules", "portRange", "sourceAddresses", "rules", "sourceIps", "parentRefs", "backendRefs",
        "data", "tls", "termination", "to", "match", "srcIpRanges", "layer4Configs",
        # coverage, the generic detector and the 2026-12 forms
        "portRanges", "endpointConfigurations", "endpointId", "portOverrides", "listenerPort", "endpointPort",
        "destinationConfigurations", "acceleratorArn", "listenerArn", "ingressSecurityRules", "tcpOptions", "min",
        "max", "source", "sourceType", "portRangeMin", "portRangeMax", "remoteIpPrefix", "remoteGroupId", "cidrIp",
        "policy", "inbounds", "inboundPolicy", "ipv4s", "action", "subnet", "subnetSize", "inboundDefaultPolicy",
        "ipRange", "startPort", "endPort", "servers", "gateways", "route", "destination", "host", "routes",
        "services", "backend", "serviceName", "servicePort", "tcpproxy", "virtualhost", "passthrough", "selector",
        "Statement", "Effect", "Principal", "Action", "Condition", "AWS", "kafkaUserConfig", "ipFilterObjects",
        "network", "projectVpcId", "publicAccess", "create", "update", "name", "id", "zookeeper", "cp-kafka",
        "nodeport", "replicas", "brokers", "broker"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(-70000, 70000), st.floats(allow_nan=True),
                    st.text(max_size=12), st.sampled_from(["0.0.0.0/0", "::/0", "tcp", "-1", "all", "*",
                                                           "LoadBalancer", "NodePort", "10.0.0.0/8", "9000-9999",
                                                           "loadbalancer", "Inbound", "Allow", "passthrough",
                                                           "04da6b54-80e4-46f7-96ec-b56ff0331ba9"]))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=5)), max_leaves=25)
props = st.one_of(values, st.dictionaries(st.sampled_from(KEYS), values, max_size=6))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(TYPES), props, st.booleans())
def test_any_shape_is_judged_without_raising(type_, raw, preview):
    resource = Resource(type_, raw)
    findings = judge_resource(resource, Settings(preview=preview))
    assert all(f.rule_id.startswith("KAFKA-") for f in findings)
    assert all("could not read" not in f.message for f in findings), findings
    stack = judge_stack([resource, Resource(type_, raw, urn="urn:2")], Settings(preview=preview))
    assert all("could not read" not in f.message for f in stack), stack


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(STACKS), st.sampled_from(TYPES), props)
def test_an_odd_member_never_breaks_a_stack_join(stack, type_, raw):
    resources = engine_resources(stack) + [Resource(type_, raw, urn="urn:odd")]
    findings = judge_stack(resources)
    assert all("could not read" not in f.message for f in findings), findings
    assert {f.policy for f in findings} >= set(stack.policies) - {"kafka-exposure-unseen"}


def has_world(value) -> bool:
    if isinstance(value, dict):
        return any(has_world(v) for v in value.values())
    if isinstance(value, list):
        return any(has_world(v) for v in value)
    return value == "0.0.0.0/0"


EXPOSED_SOURCES = [c for c in CASES if c.exposed and has_world(c.props)]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(EXPOSED_SOURCES),
       st.one_of(st.integers(), st.floats(allow_nan=True), st.booleans(), st.lists(st.integers(), min_size=1, max_size=2),
                 st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
                 st.text(max_size=8).filter(lambda t: cidr.parse(t) is None and t not in UNKNOWN_SENTINELS)))
def test_a_source_that_cannot_be_read_is_reported(case, odd):
    """Put a non-string (or nonsense) where a world CIDR stood: the engine reports it, never passes it."""
    done = []

    def swap(value):
        if value == "0.0.0.0/0" and not done:
            done.append(True)
            return odd
        if isinstance(value, dict):
            return {k: swap(v) for k, v in value.items()}
        if isinstance(value, list):
            return [swap(v) for v in value]
        return value

    props = swap(case.props)
    assert done == [True]
    findings = judge_resource(Resource(case.type, props))
    assert len(findings) >= 1, (case.name, odd)
    assert any(case.port in f.ports for f in findings)


def test_the_fuzzed_types_cover_every_form():
    assert len(EXPOSED_SOURCES) >= 30
    assert len(TYPES) >= 120
    assert len(list(FORMS)) == len(FORMS) >= 50
    assert all(set(f.pulumi + f.terraform + f.cloudformation) & set(TYPES) for f in FORMS)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 9092), st.integers(9092, 65535), st.sampled_from(["tcp", "TCP", "6", 6, 6.0]),
       st.sampled_from(["0.0.0.0/0", "::/0", "::0/0", "0:0:0:0:0:0:0:0/0", "0.0.0.0/1"]))
def test_any_tcp_range_over_9092_open_to_the_world_is_caught(low, high, proto, cidr):
    key = "ipv6CidrBlocks" if ":" in cidr else "cidrBlocks"
    props = {"ingress": [{"protocol": proto, "fromPort": low, "toPort": high, key: [cidr]}]}
    findings = judge_resource(Resource("aws:ec2/securityGroup:SecurityGroup", props))
    assert findings and 9092 in findings[0].ports


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([c for c in CASES if c.exposed and "ingress" in c.props]), st.lists(st.sampled_from(
    ["10.0.0.0/8", "172.16.0.0/12", "192.168.1.0/24", "sg-0aaaaaaaaaaaaaaaa"]), max_size=3))
def test_adding_private_sources_never_hides_an_exposure(case, extra):
    props = copy.deepcopy(case.props)
    for entry in props.get("ingress", []):
        entry.setdefault("cidrBlocks", []).extend(e for e in extra if not e.startswith("sg-"))
        entry.setdefault("securityGroups", []).extend(e for e in extra if e.startswith("sg-"))
    assert judge_resource(Resource(case.type, props))
