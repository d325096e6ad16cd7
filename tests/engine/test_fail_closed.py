"""What the new forms and joins do with input they cannot read: never exit 0 and no word. An
unreadable protocol opens every port, an unknown direction or action is not known yet, a route whose
lists cannot be read is reported, a form whose own reader trips is unjudged."""
import pytest

from cases import CASES, COMBINED, STACKS, Member, StackCase
from cases.k8s_ingress_paths import KAFKA_SVC
from cases.k8s_proxies import ISTIO_FRONT, ISTIO_GW, ISTIO_VS, istio_gateway, virtual_service
from kafka_guardrails import MANDATORY, Resource, judge_resource, judge_stack
from kafka_guardrails.coverage import COVERAGE_ID, UNJUDGED, assess
from kafka_guardrails.registry import FORMS
from table import engine_resources

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

# (type, properties, the finding must be "not known yet") — each would have been passed silently before
ODD = [
    ("alicloud:ecs/securityGroupRule:SecurityGroupRule",
     {"type": "ingress", "ipProtocol": "weird", "portRange": "1/1", "cidrIp": "0.0.0.0/0"}, False),
    ("alicloud:ecs/securityGroupRule:SecurityGroupRule",
     {"type": UNKNOWN, "ipProtocol": "tcp", "portRange": "9092/9092", "cidrIp": "0.0.0.0/0"}, True),
    ("linode:index/firewall:Firewall", {"inboundPolicy": "DROP", "inbounds": [
        {"action": "ACCEPT", "protocol": "SCTPX", "ports": "22", "ipv4s": ["0.0.0.0/0"]}]}, False),
    ("linode:index/firewall:Firewall", {"inboundPolicy": "DROP", "inbounds": [
        {"action": UNKNOWN, "protocol": "TCP", "ports": "9092", "ipv4s": ["0.0.0.0/0"]}]}, True),
    ("vultr:index/firewallRule:FirewallRule", {"protocol": "??", "subnet": "0.0.0.0", "subnetSize": 0, "port": "22"},
     False),
    ("scaleway:index/instanceSecurityGroup:InstanceSecurityGroup", {"inboundDefaultPolicy": "drop", "inboundRules": [
        {"action": "accept", "protocol": "x", "port": 22, "ipRange": "0.0.0.0/0"}]}, False),
    ("exoscale:index/securityGroupRule:SecurityGroupRule",
     {"type": "INGRESS", "protocol": "zz", "cidr": "0.0.0.0/0", "startPort": 22, "endPort": 22}, False),
    ("oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule",
     {"direction": UNKNOWN, "protocol": "6", "source": "0.0.0.0/0"}, True),
    ("openstack:networking/secGroupRule:SecGroupRule", {"direction": UNKNOWN, "protocol": "tcp"}, True),
    ("digitalocean:index/firewall:Firewall",
     {"inboundRules": [{"protocol": UNKNOWN, "portRange": "9092", "sourceAddresses": ["0.0.0.0/0"]}]}, True),
    ("digitalocean:index/firewall:Firewall",
     {"inboundRules": [{"protocol": "tpc", "portRange": "22", "sourceAddresses": ["0.0.0.0/0"]}]}, False),
    ("hcloud:index/firewall:Firewall",
     {"rules": [{"direction": "in", "protocol": UNKNOWN, "port": "9092", "sourceIps": ["0.0.0.0/0"]}]}, True),
    ("hcloud:index/firewall:Firewall",
     {"rules": [{"direction": UNKNOWN, "protocol": "tcp", "port": "9092", "sourceIps": ["0.0.0.0/0"]}]}, True),
    ("hcloud:index/firewall:Firewall",
     {"rules": [{"direction": "in", "protocol": True, "port": "22", "sourceIps": ["0.0.0.0/0"]}]}, False),
    ("azure-native:network:SecurityRule", {"direction": "Inbound", "access": "Allow", "protocol": "Tpc",
                                           "destinationPortRange": "22", "sourceAddressPrefix": "*"}, False),
    ("azure-native:network:SecurityRule", {"direction": "Inbound", "access": "Allow", "protocol": 6,
                                           "destinationPortRange": "22", "sourceAddressPrefix": "Internet"}, False),
]


@pytest.mark.parametrize("type_,props,unknown", ODD, ids=[f"{t.split(':')[0]}-{i}" for i, (t, _, _) in enumerate(ODD)])
def test_odd_firewall_input_is_reported(type_, props, unknown):
    findings = judge_resource(Resource(type_, props, name="odd"))
    assert len(findings) == 1 and findings[0].level == MANDATORY  # `check`/`up` block; preview says advisory
    assert findings[0].unknown is unknown
    if not unknown:
        assert "all ports" in findings[0].message


def _stack(*members):
    return engine_resources(StackCase("odd", tuple(members), frozenset()))


@pytest.mark.parametrize("what,props", [
    ("routes not known yet", virtual_service() | {"spec": {"gateways": ["edge/edge"], "tls": UNKNOWN}}),
    ("routes not a list", virtual_service() | {"spec": {"gateways": ["edge/edge"], "tcp": {"route": "kafka"}}}),
])
def test_a_route_that_cannot_be_read_is_reported(what, props):
    findings = judge_stack(_stack(Member("edge", ISTIO_GW, istio_gateway()), Member("kafka-vs", ISTIO_VS, props),
                                  ISTIO_FRONT, KAFKA_SVC))
    mine = [f for f in findings if "kafka-vs" in " ".join(f.resources)]
    assert len(mine) == 1, [f.message for f in findings]
    assert ("not known yet" in mine[0].message) == (what == "routes not known yet")
    assert what == "routes not known yet" or "cannot be read" in mine[0].message


def test_an_istio_gateway_whose_servers_are_not_known_is_reported():
    gateway = istio_gateway() | {"spec": {"selector": {"istio": "ingressgateway"}, "servers": UNKNOWN}}
    findings = judge_stack(_stack(Member("edge", ISTIO_GW, gateway), Member("kafka-vs", ISTIO_VS, virtual_service()),
                                  ISTIO_FRONT, KAFKA_SVC))
    assert [f.unknown for f in findings] == [True] and "spec.servers" in findings[0].message


def test_a_partial_form_whose_reader_trips_is_unjudged():
    form = FORMS.lookup("kubernetes:helm.sh/v3:Release")[0]
    original = form.reads

    def broken(resource, props):
        raise KeyError("values")

    object.__setattr__(form, "reads", broken)  # a frozen record: swapped for this test only
    try:
        found = assess(Resource("kubernetes:helm.sh/v3:Release", {"chart": "kafka"}))
    finally:
        object.__setattr__(form, "reads", original)
    assert found.state == UNJUDGED and "could not be read" in found.reason


PROTOCOL_KEYS = frozenset({"protocol", "ipProtocol", "IpProtocol", "ip_protocol", "Protocol"})


def _with_protocol(value, odd, swapped):
    """`value` with every TCP protocol field replaced by `odd`; the paths replaced are appended to `swapped`."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in PROTOCOL_KEYS and isinstance(item, (str, int)) and str(item).lower() in ("tcp", "6"):
                swapped.append(key)
                out[key] = odd
            else:
                out[key] = _with_protocol(item, odd, swapped)
        return out
    if isinstance(value, list):
        return [_with_protocol(item, odd, swapped) for item in value]
    return value


def _swapped(props) -> list:
    swapped: list = []
    _with_protocol(props, "x", swapped)
    return swapped


ODD_PROTOCOLS = [(UNKNOWN, True), ("tpc", False), (True, False), (3.5, False)]
TCP_CASES = [case for case in CASES if case.exposed and _swapped(case.props)]
PROTOCOL_CASES = [(case, odd, unknown) for case in TCP_CASES for odd, unknown in ODD_PROTOCOLS]


@pytest.mark.parametrize("case,odd,unknown", PROTOCOL_CASES,
                         ids=[f"{c.name}-{o!r}" for c, o, _ in PROTOCOL_CASES])
def test_an_exposure_whose_protocol_is_unknown_or_unreadable_is_still_reported(case, odd, unknown):
    """Every exposed case of the table, its TCP protocol replaced by a value not known yet (preview) or by one
    no cloud names: the exposure stays reported (as not known yet, or on every port)."""
    props = _with_protocol(case.props, odd, [])
    findings = judge_resource(Resource(case.type, props, name="odd"))
    mine = [f for f in findings if case.port in f.ports]
    assert mine, (case.name, [f.message for f in findings])
    assert all(f.level == MANDATORY for f in mine)  # at `up` and in `check`, whether known or not
    if not unknown:  # a value that is there and unreadable is judged now, never deferred
        assert not any(f.unknown for f in mine), [f.message for f in mine]


def test_the_protocol_cases_span_the_clouds():
    assert {c.type.split(":")[0] for c in TCP_CASES} >= {"aws", "azure-native", "gcp", "digitalocean", "hcloud",
                                                          "oci", "openstack", "alicloud", "kubernetes"}


def _with_port(value, port, odd, swapped):
    """`value` with every field (or list item) holding the guarded `port` replaced by `odd`."""
    def hit(item):
        return not isinstance(item, bool) and (item == port or item == str(port))
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if hit(item):
                swapped.append(key)
                out[key] = odd
            else:
                out[key] = _with_port(item, port, odd, swapped)
        return out
    if isinstance(value, list):
        return [odd if hit(item) and not swapped.append("[]") else _with_port(item, port, odd, swapped)
                for item in value]
    return value


def _port_fields(case) -> list:
    swapped: list = []
    _with_port(case.props, case.port, 0, swapped)
    return swapped


# A port not known yet, and values no API takes as a port. A string is left out where a port's name is
# legal (a targetPort names a container port, resolved in the stack); an absent port means what each API
# says, which the table's own cases cover.
ODD_PORTS = [UNKNOWN, "nine", True, 3.5, {"port": 9092}, 70000]
PORT_CASES = [(case, odd) for case in CASES if case.exposed and _port_fields(case) for odd in ODD_PORTS
              if not (isinstance(odd, str) and odd != UNKNOWN and "targetPort" in _port_fields(case))]


@pytest.mark.parametrize("case,odd", PORT_CASES, ids=[f"{c.name}-{o!r}" for c, o in PORT_CASES])
def test_an_exposure_whose_port_is_unknown_or_unreadable_is_still_reported(case, odd):
    findings = judge_resource(Resource(case.type, _with_port(case.props, case.port, odd, []), name="odd"))
    # the finding names the case's port, every port, or (a Kafka listener) the listener's own port
    listener_port = type(odd) is int and str(odd) in " ".join(str(p) for f in findings for p in f.ports)
    mine = [f for f in findings if case.port in f.ports or "all ports" in f.message or listener_port]
    assert mine, (case.name, [f.message for f in findings])
    assert all(f.level == MANDATORY for f in mine)
    if odd != UNKNOWN:
        assert not any(f.unknown for f in mine), [f.message for f in mine]


def test_the_port_cases_span_the_forms():
    types = {c.type for c, _ in PORT_CASES}
    assert {"aws:ec2/securityGroup:SecurityGroup", "aws:elb/loadBalancer:LoadBalancer", "kubernetes:core/v1:Service",
            "kubernetes:core/v1:Pod", "kubernetes:gateway.networking.k8s.io/v1:Gateway",
            "kubernetes:networking.k8s.io/v1:Ingress", "kubernetes:route.openshift.io/v1:Route"} <= types


def _parts(value, where=()):
    """Every path into a resource's properties: each key, each list item, down to the leaves."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield where + (key,)
            yield from _parts(item, where + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield where + (index,)
            yield from _parts(item, where + (index,))


def _unknown_at(value, where):
    if not where:
        return UNKNOWN
    if isinstance(value, dict):
        return {k: _unknown_at(v, where[1:]) if k == where[0] else v for k, v in value.items()}
    return [_unknown_at(v, where[1:]) if i == where[0] else v for i, v in enumerate(value)]


EXPOSED = [case for case in CASES if case.exposed]


@pytest.mark.parametrize("case", EXPOSED, ids=[c.name for c in EXPOSED])
def test_any_part_of_an_exposure_not_known_yet_keeps_it_reported(case):
    """A preview sees values other resources compute as unknown: whichever part of an exposed resource that is
    (a field, a rule, a whole spec), the gate reports something, and at `up` it blocks."""
    silent = []
    for where in _parts(case.props):
        findings = judge_resource(Resource(case.type, _unknown_at(case.props, where), name="odd"))
        # blocking at `up`, or reported as not judged (which the gate never counts as a pass)
        if not any(f.level == MANDATORY or f.rule_id == COVERAGE_ID for f in findings):
            silent.append(where)
    assert silent == []


def test_the_unknown_cases_reach_every_family():
    assert len(EXPOSED) >= 140
    assert {c.type.split(":")[0] for c in EXPOSED} >= {"aws", "kubernetes", "gcp", "azure-native", "scaleway",
                                                      "digitalocean", "hcloud", "oci", "openstack", "alicloud"}


def _silent_variants(stack, unseen_counts: bool = True, keep=lambda where: True) -> list:
    """Each part of each member of a stack case made unknown in turn (those `keep` takes): the variants the gate
    passes with no word — nothing mandatory, unjudged or (where it counts) unseen."""
    silent = []
    for index, member in enumerate(stack.members):
        for where in filter(keep, _parts(member.props)):
            members = list(stack.members)
            members[index] = Member(member.name, member.type, _unknown_at(member.props, where), member.refs)
            resources = engine_resources(StackCase(stack.name, tuple(members), stack.policies))
            findings = judge_stack(resources) + [f for r in resources for f in judge_resource(r)]
            if not any(f.level == MANDATORY or f.rule_id == COVERAGE_ID
                       or (unseen_counts and f.policy == "kafka-exposure-unseen") for f in findings):
                silent.append((member.name, where))
    return silent


UNION_STACKS = [s for s in STACKS if s.policies == COMBINED and all("ecurityGroup" in m.type for m in s.members)]


@pytest.mark.parametrize("stack", UNION_STACKS, ids=[s.name for s in UNION_STACKS])
def test_any_part_of_a_security_group_union_not_known_yet_keeps_it_reported(stack):
    """Rules that only together admit the internet: whichever part of one of them is not known yet (its ports,
    its protocol, its source, the rule itself), the stack is still reported, as not known yet at the least."""
    assert _silent_variants(stack, unseen_counts=False) == []


def test_the_union_stacks_are_found():
    assert {"sg-rules-together-admit-a-slash16", "sg-rule-kinds-mixed-together", "sg-inline-entry-and-rule-together",
            "cfn-ingress-rules-together"} <= {s.name for s in UNION_STACKS}


AWS = ("aws:", "aws-native:", "AWS::")
LB_STACKS = [s for s in STACKS if s.policies and all(m.type.startswith(AWS) for m in s.members)
             and any("elb" in m.type.lower() or "globalaccelerator" in m.type.lower() or "lb/" in m.type
                     for m in s.members)]


def _port_part(where) -> bool:
    return any(isinstance(key, str) and ("port" in key.lower() or key in ("listeners", "destinationConfigurations"))
               for key in where)


@pytest.mark.parametrize("stack", LB_STACKS, ids=[s.name for s in LB_STACKS])
def test_a_port_not_known_yet_on_a_load_balancer_chain_keeps_it_reported(stack):
    """Listener, target group, attachment, classic listener or accelerator ports not known yet: the chain
    may still end on Kafka, so it is reported (not known yet; or unseen where a part is outside the stack)."""
    assert _silent_variants(stack, keep=_port_part) == []


def test_the_load_balancer_stacks_are_found():
    names = {s.name for s in LB_STACKS}
    assert {"nlb-tls-443-in-front-of-9092", "classic-elb-open-group", "ga-listener-range-covers-9092",
            "attachment-port-overrides-to-kafka", "listener-rule-forwards-to-kafka"} <= names


JOINED = [s for s in STACKS if s.policies]
K8S_STACKS = [s for s in JOINED if all(m.type.startswith("kubernetes:") for m in s.members)]


@pytest.mark.parametrize("stack", JOINED, ids=[s.name for s in JOINED])
def test_any_part_of_any_reported_stack_case_not_known_yet_keeps_it_reported(stack):
    """Every stack case the gate reports, with each part of each member made unknown in turn: a reference not
    known yet that no dependency names can only point outside the stack (unseen), and any other part not known
    yet keeps the case reported (not known yet at the least)."""
    assert _silent_variants(stack) == []


def test_the_reported_stack_cases_cover_every_family_of_joins():
    assert len(JOINED) >= 45
    assert {"alb-groups-outside-the-stack", "prefix-list-outside-the-stack", "sg-rules-together-admit-a-slash16",
            "tls-route-through-a-public-gateway-to-kafka", "listener-rule-forwards-to-kafka"} <= {s.name for s in JOINED}


@pytest.mark.parametrize("stack", K8S_STACKS, ids=[s.name for s in K8S_STACKS])
def test_any_link_of_a_kubernetes_path_not_known_yet_keeps_it_reported(stack):
    """The Kubernetes joins follow names, namespaces, labels, selectors, references and ports from a way in to
    Kafka: whichever of them is not known yet (a preview sees values computed from other resources as unknown),
    the chain may still end on Kafka, so the stack is still reported (not known yet at the least)."""
    assert _silent_variants(stack) == []


def test_the_kubernetes_join_stacks_are_found():
    names = {s.name for s in K8S_STACKS}
    assert {"tls-route-through-a-public-gateway-to-kafka", "tcp-services-behind-a-public-controller",
            "istio-tls-passthrough-to-kafka", "traefik-tcp-to-kafka", "contour-tcpproxy-to-kafka",
            "patch-turns-an-internal-lb-public", "named-target-port-reaches-kafka"} <= names


def _web_behind_a_public_gateway(image: str, labels) -> list[Member]:
    """A public Gateway routing TLS to a web app, and Kafka in the same stack behind a ClusterIP Service."""
    from cases.k8s_ingress_paths import GATEWAY, SERVICE, TLS_ROUTE, gateway, listener, route, service
    web = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "kafka"},
           "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": labels}, "spec": {
               "containers": [{"name": "web", "image": image, "ports": [{"name": "https", "containerPort": 8443}]}]}}}}
    brokers = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "kafka", "namespace": "kafka"},
               "spec": {"selector": {"matchLabels": {"app": "kafka"}}, "template": {
                   "metadata": {"labels": {"app": "kafka"}}, "spec": {"containers": [
                       {"name": "kafka", "image": "apache/kafka:4.1.1", "ports": [{"containerPort": 9092}]}]}}}}
    return [Member("edge", GATEWAY, gateway(listener("tls", 443, "TLS", "Passthrough"))),
            Member("to-web", TLS_ROUTE, route("TLSRoute", "web", 443)),
            Member("web-svc", SERVICE, service("web", [{"name": "https", "port": 443, "targetPort": 8443}])),
            Member("web", "kubernetes:apps/v1:Deployment", web),
            Member("kafka-svc", SERVICE, service("kafka", [{"name": "plain", "port": 9092}])),
            Member("kafka", "kubernetes:apps/v1:StatefulSet", brokers)]


def test_a_part_the_joins_do_not_read_leaves_a_clean_stack_clean_and_a_link_they_read_does_not():
    """Precision: a web app's image computed from another resource (common: a registry URL) says nothing about
    where traffic goes, so the stack stays clean; its pod labels not known yet break the Service's selector,
    so whether the route ends on Kafka cannot be judged, and the stack is reported as not known yet."""
    def findings(members):
        resources = engine_resources(StackCase("web-and-kafka", tuple(members), COMBINED))
        return [f for f in judge_stack(resources) + [f for r in resources for f in judge_resource(r)]
                if f.policy.startswith("kafka-no-public-port") or f.policy == "kafka-exposure-unseen"
                or f.rule_id == COVERAGE_ID]  # the exposure rules (the hardening rules judge the pods too)

    assert findings(_web_behind_a_public_gateway("registry.example.com/web:1", {"app": "web"})) == []
    assert findings(_web_behind_a_public_gateway(UNKNOWN, {"app": "web"})) == []
    unknown = findings(_web_behind_a_public_gateway("registry.example.com/web:1", {"app": UNKNOWN}))
    assert [(f.policy, f.level) for f in unknown] == [("kafka-no-public-port-combined", MANDATORY)]
    assert "spec.template.metadata.labels.app is not known yet" in unknown[0].message
