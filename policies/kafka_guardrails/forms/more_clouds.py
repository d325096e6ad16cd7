"""Other clouds' firewalls with their own spellings and defaults, read exactly (the generic detector
only catches what looks like a rule; these know what an absent field means):

- Oracle Cloud: security lists (`ingressSecurityRules`, protocol "6"/"all", `tcpOptions.min/max`;
  no tcpOptions = every port) and NSG rules (`direction`, `tcpOptions.destinationPortRange`).
- OpenStack: security-group rules (`portRangeMin/Max`; no remote prefix and no remote group = everyone;
  no protocol = every protocol).
- Alibaba Cloud: security-group rules (`portRange` "9092/9092", "-1/-1"; `policy` accept/drop).
- Linode: firewalls (`inbounds` with `ports` "80, 443, 9000-9100"; `inboundPolicy` ACCEPT opens
  every port no rule drops).
- Vultr: firewall rules (`subnet` + `subnetSize`, `port` "9092" or "8000:9000"; source cloudflare).
- Scaleway: instance security groups (`inboundDefaultPolicy` defaults to accept; rules without
  `ipRange` admit 0.0.0.0/0).
- Exoscale: security-group rules (`startPort`/`endPort`, `cidr`, `type` INGRESS/EGRESS).
"""
from __future__ import annotations

from typing import Any, Callable, Optional

from ..model import Resource
from ..net import Entry, Net, not_known, sources_at, world
from ..ports import EVERY, NONE, UNKNOWN_SPAN, Span, assumed, kafka_protocol, port_text, protocol, protocol_span, span
from ..registry import form
from ..values import MISSING, UNKNOWN, as_int, as_text, blocks, known, mapping

FIX = "Admit Kafka/ZooKeeper ports only from named private client ranges or groups; never from everyone."


def _text(value: Any) -> str:
    return (as_text(known(value)) or "").lower()


def _is(value: Any, word: str) -> Any:
    """Whether a switch-like field (direction, action, type) says `word`: True, False or UNKNOWN. An
    unknown value is never read as the harmless answer."""
    return UNKNOWN if known(value) is UNKNOWN else _text(value) == word


def _not_inbound(rule: dict[str, Any], key: str) -> Optional[Net]:
    """What a rule whose `key` (direction, type) is not plainly "ingress" comes to: nothing for an outbound
    rule, an unknown entry where the value is not known yet; None for an inbound rule, to be read on."""
    inbound = _is(rule.get(key), "ingress")
    if inbound is UNKNOWN:
        return Net([not_known(key)], "", ())
    return None if inbound else Net([], "", ())


# --- Oracle Cloud ------------------------------------------------------------------------------

def _oci_span(proto: Any, options: Any) -> Span:
    kind = protocol(known(proto))
    if kind is UNKNOWN:
        return UNKNOWN_SPAN
    if kind == "all":
        return EVERY
    if kind != "tcp":
        return NONE if kind is not None else assumed(f"the protocol {proto!r} cannot be read")
    options = known(options)
    if options is UNKNOWN:
        return UNKNOWN_SPAN
    options = mapping(options)
    if not options:
        return EVERY  # TCP without tcpOptions: every destination port
    ranged = mapping(options.get("destinationPortRange")) or options
    if "min" not in ranged and "max" not in ranged:
        return EVERY
    return span("tcp", known(ranged.get("min")), known(ranged.get("max", ranged.get("min"))))


def oci_security_list(resource: Resource, props: Any) -> Net:
    entries = []
    for path, rule in blocks(mapping(props), "ingressSecurityRules"):
        if rule is UNKNOWN:
            entries.append(not_known(path))
            continue
        rule = mapping(rule)
        if _text(rule.get("sourceType")) == "service_cidr_block":
            continue  # an Oracle service's address range, not the internet
        entries.append(Entry(path, _oci_span(rule.get("protocol"), rule.get("tcpOptions")),
                             tuple(sources_at(rule, path, "source"))))
    return Net(entries, "", ())


def oci_nsg_rule(resource: Resource, props: Any) -> Net:
    rule = mapping(props)
    skipped = _not_inbound(rule, "direction")
    if skipped is not None:
        return skipped
    if _text(rule.get("sourceType")) in ("network_security_group", "service_cidr_block"):
        return Net([], "", ())
    return Net([Entry("", _oci_span(rule.get("protocol"), rule.get("tcpOptions")),
                      tuple(sources_at(rule, "", "source")))], "", ())


# --- OpenStack ---------------------------------------------------------------------------------

def openstack_rule(resource: Resource, props: Any) -> Net:
    rule = mapping(props)
    skipped = _not_inbound(rule, "direction")
    if skipped is not None:
        return skipped
    raw = known(rule.get("protocol"))
    kind = "all" if raw in (None, MISSING, "") else protocol(raw)
    low, high = known(rule.get("portRangeMin")), known(rule.get("portRangeMax"))
    if kind in ("tcp", "all") and low in (None, MISSING) and high in (None, MISSING):
        ports = EVERY
    else:
        ports = span(kind, low, high if high not in (None, MISSING) else low)
    if rule.get("remoteGroupId") not in (None, MISSING, ""):
        return Net([Entry("", ports, (), (f"remoteGroupId={rule.get('remoteGroupId')}",))], "", ())
    sources = sources_at(rule, "", "remoteIpPrefix")
    if not sources:
        ether = "::/0" if _text(rule.get("ethertype")) == "ipv6" else "0.0.0.0/0"
        return Net([Entry("", ports, (("", ether),), implicit_world=True,
                          note="a rule with no remote prefix and no remote group admits every address")], "", ())
    return Net([Entry("", ports, tuple(sources))], "", ())


# --- Alibaba Cloud -----------------------------------------------------------------------------

def alicloud_rule(resource: Resource, props: Any) -> Net:
    rule = mapping(props)
    if _text(rule.get("policy")) == "drop":
        return Net([], "", ())
    skipped = _not_inbound(rule, "type")
    if skipped is not None:
        return skipped
    kind = kafka_protocol(rule.get("ipProtocol"))
    if kind is None:
        return Net([], "", ())
    raw = known(rule.get("portRange"))
    ports = protocol_span(kind, rule.get("ipProtocol"),
                           lambda: EVERY if raw in ("-1/-1", None, MISSING) else port_text(raw))
    refs = tuple(f"sourceSecurityGroupId={rule['sourceSecurityGroupId']}"
                 for _ in [0] if rule.get("sourceSecurityGroupId") not in (None, MISSING, ""))
    return Net([Entry("", ports, tuple(sources_at(rule, "", "cidrIp", "ipv6CidrIp")), refs)], "", ())


# --- Linode ------------------------------------------------------------------------------------

def _comma_ports(value: Any) -> list[Span]:
    value = known(value)
    if value is UNKNOWN:
        return [UNKNOWN_SPAN]
    if value in (None, MISSING, ""):
        return [EVERY]
    return [port_text(part.strip()) for part in str(value).split(",") if part.strip()]


def linode_firewall(resource: Resource, props: Any) -> Net:
    props = mapping(props)
    entries: list[Entry] = []
    for path, rule in blocks(props, "inbounds"):
        if rule is UNKNOWN:
            entries.append(not_known(path))
            continue
        rule = mapping(rule)
        accept, kind = _is(rule.get("action"), "accept"), kafka_protocol(rule.get("protocol"))
        if accept is False or kind is None:
            continue
        if accept is UNKNOWN:
            entries.append(not_known(f"{path}.action"))
            continue
        spans = _comma_ports(rule.get("ports")) if kind == "tcp" else \
            [protocol_span(kind, rule.get("protocol"), lambda: EVERY)]
        for ports in spans:
            entries.append(Entry(path, ports, tuple(sources_at(rule, path, "ipv4s", "ipv6s"))))
    policy = _text(props.get("inboundPolicy"))
    if policy == "accept":
        entries.append(Entry("inboundPolicy", EVERY, **world(
            "the inbound policy is ACCEPT: every port that no rule drops is open to every address")))
    elif known(props.get("inboundPolicy")) is UNKNOWN:
        entries.append(not_known("inboundPolicy"))
    return Net(entries, "", ())


# --- Vultr -------------------------------------------------------------------------------------

def vultr_rule(resource: Resource, props: Any) -> Net:
    rule = mapping(props)
    kind = kafka_protocol(rule.get("protocol"))
    if kind is None:
        return Net([], "", ())
    ports = protocol_span(kind, rule.get("protocol"), lambda: _comma_ports(rule.get("port"))[0])
    if _text(rule.get("source")) == "cloudflare":
        return Net([Entry("", ports, **world("the source is Cloudflare's public address ranges: anyone can reach "
                                             "the port through Cloudflare"))], "", ())
    subnet, size = known(rule.get("subnet")), as_int(known(rule.get("subnetSize")))
    if subnet is UNKNOWN or size is UNKNOWN:
        return Net([Entry("", ports, (("subnet", UNKNOWN),))], "", ())
    return Net([Entry("", ports, (("subnet/subnetSize", f"{subnet}/{size}"),))], "", ())


# --- Scaleway ----------------------------------------------------------------------------------

def _gaps(drops: list[tuple[int, int]]) -> list[Span]:
    """The port ranges no world-wide drop rule covers."""
    out, start = [], 0
    for low, high in sorted(drops):
        if low > start:
            out.append(Span(start, low - 1))
        start = max(start, high + 1)
    if start <= 65535:
        out.append(Span(start, 65535))
    return out


def _scaleway_ports(rule: dict[str, Any]) -> Span:
    kind = kafka_protocol(rule.get("protocol", "TCP"))
    if kind is None:
        return NONE

    def ports() -> Span:
        for key in ("portRange", "port"):
            if rule.get(key) not in (None, MISSING):
                return port_text(known(rule.get(key)))
        return EVERY
    return protocol_span(kind, rule.get("protocol"), ports)


def scaleway_group(resource: Resource, props: Any) -> Net:
    props = mapping(props)
    entries: list[Entry] = []
    drops: list[tuple[int, int]] = []
    unsure: list[Entry] = []  # drop rules whose ports are not known yet or cannot be read: they close nothing
    for path, rule in blocks(props, "inboundRules"):
        if rule is UNKNOWN:
            entries.append(not_known(path))
            continue
        rule = mapping(rule)
        ports = _scaleway_ports(rule)
        sources = sources_at(rule, path, "ipRange", "ip")
        if _text(rule.get("action")) == "drop":
            if ports.unknown or ports.assumed:
                unsure.append(not_known(path) if ports.unknown else Entry(path, ports, **world(
                    "a drop rule whose ports cannot be read closes nothing under an accept default")))
            elif not sources or any(str(raw) in ("0.0.0.0/0", "::/0") for _, raw in sources):
                drops.append((ports.low, ports.high))
            continue
        if sources:
            entries.append(Entry(path, ports, tuple(sources)))
        else:
            entries.append(Entry(path, ports, **world("a rule without ipRange admits 0.0.0.0/0")))
    policy = known(props.get("inboundDefaultPolicy"))
    if policy is UNKNOWN:
        entries.append(not_known("inboundDefaultPolicy"))
    elif _text(policy) in ("", "accept"):
        note = ("the inbound default policy is accept (Scaleway's default when none is set): every port that no "
                "rule drops is open to every address")
        entries += [Entry("inboundDefaultPolicy", gap, **world(note)) for gap in _gaps(drops)] + unsure
    return Net(entries, "", ())


# --- Exoscale ----------------------------------------------------------------------------------

def exoscale_rule(resource: Resource, props: Any) -> Net:
    rule = mapping(props)
    skipped = _not_inbound(rule, "type")
    if skipped is not None:
        return skipped
    kind = kafka_protocol(rule.get("protocol"))
    if kind is None:
        return Net([], "", ())
    low, high = known(rule.get("startPort")), known(rule.get("endPort"))
    ports = protocol_span(kind, rule.get("protocol"), lambda: EVERY if low in (None, MISSING) and high in (
        None, MISSING) else span("tcp", low, high if high not in (None, MISSING) else low))
    group = rule.get("userSecurityGroupId", rule.get("publicSecurityGroup"))
    if group not in (None, MISSING, ""):
        return Net([Entry("", ports, (), (f"securityGroup={group}",))], "", ())
    sources = sources_at(rule, "", "cidr")
    if not sources:
        return Net([Entry("", ports, **world("a rule with neither a CIDR nor a security group is read as "
                                               "admitting everyone"))], "", ())
    return Net([Entry("", ports, tuple(sources))], "", ())


FAMILY = "Other clouds' firewalls"
form(key="oci.security-list", family=FAMILY,
     summary="Oracle Cloud security lists: `ingressSecurityRules` (protocol \"6\"/\"all\", `tcpOptions.min/max`; "
             "no tcpOptions = every port)",
     pulumi=("oci:Core/securityList:SecurityList",), terraform=("oci_core_security_list",),
     models={"net": oci_security_list}, fix=FIX,
     renames={"ingressSecurityRule": "ingressSecurityRules", "egressSecurityRule": "egressSecurityRules"})
form(key="oci.nsg-rule", family=FAMILY,
     summary="Oracle Cloud NSG rules: `direction`, `source`/`sourceType`, `tcpOptions.destinationPortRange`",
     pulumi=("oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule",),
     terraform=("oci_core_network_security_group_security_rule",), models={"net": oci_nsg_rule}, fix=FIX)
form(key="openstack.secgroup-rule", family=FAMILY,
     summary="OpenStack security-group rules: `portRangeMin/Max`, `remoteIpPrefix` (none and no remote group = "
             "everyone)",
     pulumi=("openstack:networking/secGroupRule:SecGroupRule",), terraform=("openstack_networking_secgroup_rule_v2",),
     models={"net": openstack_rule}, fix=FIX)
form(key="alicloud.secgroup-rule", family=FAMILY,
     summary="Alibaba Cloud security-group rules: `portRange` \"9092/9092\" or \"-1/-1\", `cidrIp`, `policy`",
     pulumi=("alicloud:ecs/securityGroupRule:SecurityGroupRule",), terraform=("alicloud_security_group_rule",),
     models={"net": alicloud_rule}, fix=FIX)
form(key="linode.firewall", family=FAMILY,
     summary="Linode firewalls: `inbounds` (`ports` \"80, 443, 9000-9100\", `ipv4s`/`ipv6s`), `inboundPolicy` ACCEPT",
     pulumi=("linode:index/firewall:Firewall",), terraform=("linode_firewall",),
     models={"net": linode_firewall}, fix=FIX, renames={"inbound": "inbounds", "outbound": "outbounds"})
form(key="vultr.firewall-rule", family=FAMILY,
     summary="Vultr firewall rules: `subnet` + `subnetSize`, `port` \"9092\" or \"8000:9000\", source cloudflare",
     pulumi=("vultr:index/firewallRule:FirewallRule",), terraform=("vultr_firewall_rule",),
     models={"net": vultr_rule}, fix=FIX)
form(key="scaleway.security-group", family=FAMILY,
     summary="Scaleway instance security groups: `inboundDefaultPolicy` (accept by default), `inboundRules` "
             "(no ipRange = 0.0.0.0/0, drop rules)",
     pulumi=("scaleway:index/instanceSecurityGroup:InstanceSecurityGroup", "scaleway:instance/securityGroup:SecurityGroup"),
     terraform=("scaleway_instance_security_group",), models={"net": scaleway_group}, fix=FIX,
     renames={"inboundRule": "inboundRules", "outboundRule": "outboundRules"})
form(key="exoscale.secgroup-rule", family=FAMILY,
     summary="Exoscale security-group rules: `type` INGRESS, `startPort`/`endPort`, `cidr` or a group",
     pulumi=("exoscale:index/securityGroupRule:SecurityGroupRule",), terraform=("exoscale_security_group_rule",),
     models={"net": exoscale_rule}, fix=FIX)
