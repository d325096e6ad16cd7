"""Azure network security groups and their rules (azure-native, the classic azure provider and
Terraform's azurerm): an inbound Allow rule over TCP (or `*`) whose destination ports cover a
guarded port and whose source is `*`, `Internet`, `Any` or a public prefix. Service tags other
than the virtual network's own cannot be shown private, so they are reported."""
from __future__ import annotations

from typing import Any

from ..model import Resource
from ..net import Entry, Net, not_known
from ..ports import assumed, port_text
from ..registry import form
from ..values import UNKNOWN, as_text, blocks, is_unknown, items, known, mapping

WORLD_TAGS = {"*": ("0.0.0.0/0", "::/0"), "internet": ("0.0.0.0/0", "::/0"), "any": ("0.0.0.0/0", "::/0")}
LOCAL_TAGS = frozenset({"virtualnetwork", "azureloadbalancer"})
NOT_TCP = frozenset({"udp", "icmp", "esp", "ah"})  # the protocols Azure names besides Tcp and *
FIX = "Restrict the rule's source to named private client prefixes or application security groups."


def _rule(path: str, rule: Any) -> list[Entry]:
    rule = known(rule)
    if rule is UNKNOWN:
        return [not_known(path)]
    rule = mapping(rule)
    if "properties" in rule and isinstance(rule["properties"], dict):  # ARM-shaped nesting
        rule = {**rule["properties"], "name": rule.get("name")}
    direction = known(rule.get("direction"))
    access = known(rule.get("access"))
    proto = known(rule.get("protocol"))
    if UNKNOWN in (direction, access, proto):
        return [not_known(path)]
    if (as_text(direction) or "").lower() != "inbound" or (as_text(access) or "").lower() != "allow":
        return []
    proto_text = (as_text(proto) or "").lower()
    if proto_text in NOT_TCP:
        return []
    sources: list[Any] = []
    for key in ("sourceAddressPrefix", "sourceAddressPrefixes"):
        for index, value in enumerate(items(rule.get(key))):
            where = f"{path}.{key}" + (f"[{index}]" if key.endswith("es") else "")
            if is_unknown(value):
                sources.append((where, UNKNOWN))
            elif isinstance(value, str) and value.strip().lower() in WORLD_TAGS:
                sources.extend((where, w) for w in WORLD_TAGS[value.strip().lower()])
            elif isinstance(value, str) and value.strip().lower() in LOCAL_TAGS:
                continue
            else:
                sources.append((where, value))
    spans = []
    for key in ("destinationPortRange", "destinationPortRanges"):
        for value in items(rule.get(key)):
            spans.append(port_text(value))
    if not spans:
        spans = [assumed("no destination port range is given")]
    if proto_text not in ("tcp", "*", "asterisk", "any"):  # a protocol Azure does not name: every port
        spans = [assumed(f"the protocol {proto!r} cannot be read")]
    all_traffic = proto_text != "tcp"
    return [Entry(path, span, tuple(sources), proto="all" if all_traffic else "tcp",
                  detail=as_text(rule.get("name"))) for span in spans]


def security_group(resource: Resource, props: Any) -> Net:
    props = mapping(props)
    entries = []
    for path, rule in blocks(props, "securityRules"):
        entries.extend(_rule(path, rule))
    return Net(entries, "", ())


def security_rule(resource: Resource, props: Any) -> Net:
    return Net(_rule("", props), "", ())


def revoke(resource: Resource, entry: Entry, offending: Any) -> str:
    props = mapping(resource._canonical)
    group = as_text(props.get("resourceGroupName")) or "<resource-group>"
    nsg = as_text(props.get("networkSecurityGroupName") or props.get("name")) or "<nsg>"
    rule = entry.detail or as_text(props.get("securityRuleName") or props.get("name")) or "<rule>"
    return f"az network nsg rule update -g {group} --nsg-name {nsg} -n {rule} --access Deny"


form(key="azure.network-security-group", family="Other clouds' firewalls",
     summary="Azure NSG inline `securityRules`: Inbound + Allow, TCP or `*`, destination port ranges "
             "(`9000-9999`, `*`), sources `*`/`Internet`/`Any`/prefixes",
     pulumi=("azure-native:network:NetworkSecurityGroup", "azure:network/networkSecurityGroup:NetworkSecurityGroup"),
     terraform=("azurerm_network_security_group",),
     models={"net": security_group}, fix=FIX, revoke=revoke, renames={"securityRule": "securityRules"})
form(key="azure.security-rule", family="Other clouds' firewalls",
     summary="Azure separate NSG rule resources, read like the inline ones",
     pulumi=("azure-native:network:SecurityRule", "azure:network/networkSecurityRule:NetworkSecurityRule"),
     terraform=("azurerm_network_security_rule",), models={"net": security_rule}, fix=FIX, revoke=revoke)
