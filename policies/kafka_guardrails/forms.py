"""Every resource form that can open a port, reduced to one shape: a Permission.

Pulumi (aws, aws-native, kubernetes), Terraform (HCL or plan, through checkov),
CloudFormation and Kubernetes manifests all land here; the names differ only in
case, so one table per form serves them all (see values.spellings).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional

from .ports import Span, protocol, span
from .values import (MISSING, UNKNOWN, as_bool, as_mapping, entries, field, is_unknown,
                     items, scalar, unwrap)

SG_INLINE = frozenset({
    "aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    "aws_security_group", "aws_default_security_group",
})
SG_RULE = frozenset({"aws:ec2/securityGroupRule:SecurityGroupRule", "aws_security_group_rule"})
VPC_INGRESS = frozenset({
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "aws_vpc_security_group_ingress_rule",
})
NATIVE_SG = frozenset({"aws-native:ec2:SecurityGroup", "AWS::EC2::SecurityGroup"})
NATIVE_INGRESS = frozenset({"aws-native:ec2:SecurityGroupIngress", "AWS::EC2::SecurityGroupIngress"})
K8S_SERVICE = frozenset({
    "kubernetes:core/v1:Service", "Service", "kubernetes_service", "kubernetes_service_v1",
})
SEPARATE_RULES = SG_RULE | VPC_INGRESS | NATIVE_INGRESS
NETWORK_TYPES = SG_INLINE | NATIVE_SG | SEPARATE_RULES | K8S_SERVICE

WORLD = ("0.0.0.0/0", "::/0")

# Annotations with which cloud controllers keep a load balancer off the internet.
INTERNAL_ANNOTATIONS = {
    "service.beta.kubernetes.io/aws-load-balancer-internal": ("true", "0.0.0.0/0"),
    "service.beta.kubernetes.io/aws-load-balancer-scheme": ("internal",),
    "networking.gke.io/load-balancer-type": ("internal",),
    "cloud.google.com/load-balancer-type": ("internal",),
    "service.beta.kubernetes.io/azure-load-balancer-internal": ("true",),
    "service.beta.kubernetes.io/oci-load-balancer-internal": ("true",),
    "service.kubernetes.io/oci-load-balancer-internal": ("true",),
    "service.beta.kubernetes.io/openstack-internal-load-balancer": ("true",),
    "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type": ("intranet",),
    "service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type": ("private",),
}
SOURCE_RANGES_ANNOTATION = "service.beta.kubernetes.io/load-balancer-source-ranges"


@dataclass(slots=True)
class Permission:
    """One way in: the TCP ports it opens and the sources it admits."""

    path: str
    span: Span
    cidrs: tuple[tuple[str, Any], ...]
    block: Any = None  # the raw entry; other sources are read from it only for messages
    ref_keys: tuple[str, ...] = ()
    proto: str = "tcp"
    from_port: Any = None
    to_port: Any = None
    implicit_world: bool = False
    note: str = ""

    @property
    def refs(self) -> tuple[str, ...]:
        return _refs(self.block, self.ref_keys) if self.ref_keys else ()


def _cidrs(block: Any, path: str, names: tuple[str, ...]) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for name in names:
        value = field(block, name)
        if value is MISSING or value is None:
            continue
        for index, item in enumerate(items(value)):
            out.append((f"{path}.{name}[{index}]" if path else f"{name}[{index}]", item))
    return out


def _refs(block: Any, names: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    for name in names:
        if name == "self":
            if as_bool(field(block, "self")) is True:
                out.append("self")
            continue
        for item in items(field(block, name)):
            if item is not None and item != "":
                out.append(f"{name}={item if not is_unknown(item) else '<unknown>'}")
    return tuple(out)


def _entry(block: Any, path: str, proto_key: str, cidr_keys: tuple[str, ...],
           ref_keys: tuple[str, ...]) -> Permission:
    if is_unknown(block) or not isinstance(unwrap(block), dict):
        if is_unknown(block):
            return Permission(path, Span(0, 65535, unknown=True), ((path, UNKNOWN),))
        return Permission(path, Span(0, 65535, assumed="the entry cannot be read"),
                          ((path, block),))
    block = unwrap(block)
    proto = protocol(field(block, proto_key))
    low, high = scalar(block, "fromPort"), scalar(block, "toPort")
    return Permission(path, span(proto, low, high), tuple(_cidrs(block, path, cidr_keys)),
                      block, ref_keys, proto if isinstance(proto, str) else "tcp", low, high)


_SG_CIDRS = ("cidrBlocks", "ipv6CidrBlocks")
_SG_REFS = ("securityGroups", "prefixListIds", "self")
_NATIVE_CIDRS = ("cidrIp", "cidrIpv6")
_NATIVE_REFS = ("sourceSecurityGroupId", "sourceSecurityGroupName", "sourcePrefixListId")


def _sg_inline(props: dict) -> list[Permission]:
    return [_entry(b, p, "protocol", _SG_CIDRS, _SG_REFS) for p, b in entries(props, "ingress")]


def _native_sg(props: dict) -> list[Permission]:
    return [_entry(b, p, "ipProtocol", _NATIVE_CIDRS, _NATIVE_REFS)
            for p, b in entries(props, "securityGroupIngress")]


def _sg_rule(props: dict) -> list[Permission]:
    kind = scalar(props, "type")
    if isinstance(kind, str) and kind.strip().lower() == "egress":
        return []
    return [_entry(props, "", "protocol", _SG_CIDRS,
                   ("sourceSecurityGroupId", "prefixListIds", "self"))]


def _vpc_ingress(props: dict) -> list[Permission]:
    return [_entry(props, "", "ipProtocol", ("cidrIpv4", "cidrIpv6"),
                   ("referencedSecurityGroupId", "prefixListId"))]


def _native_ingress(props: dict) -> list[Permission]:
    return [_entry(props, "", "ipProtocol", _NATIVE_CIDRS, _NATIVE_REFS)]


def annotations(props: dict) -> dict:
    metadata = as_mapping(field(props, "metadata")) or {}
    found = as_mapping(field(metadata, "annotations"))
    return found if isinstance(found, dict) else {}


def is_internal(notes: dict) -> bool:
    for key, allowed in INTERNAL_ANNOTATIONS.items():
        value = unwrap(notes.get(key))
        if isinstance(value, bool):  # HCL and YAML read an unquoted true as a boolean
            value = "true" if value else "false"
        if isinstance(value, str) and value.strip().lower() in allowed:
            return True
    return False


def _service(props: dict) -> list[Permission]:
    if is_unknown(field(props, "spec")):
        return [Permission("spec", Span(0, 65535, unknown=True), (("spec", UNKNOWN),))]
    spec = as_mapping(field(props, "spec"))
    if spec is None:
        return []
    kind = scalar(spec, "type")
    if is_unknown(kind):
        kind_text = "<unknown>"
    else:
        kind_text = kind.strip() if isinstance(kind, str) else "ClusterIP"
    if kind_text not in ("LoadBalancer", "NodePort", "<unknown>"):
        return []
    notes = annotations(props)
    if is_internal(notes):
        return []
    sources: list[tuple[str, Any]] = []
    implicit = False
    if kind_text == "LoadBalancer" or kind_text == "<unknown>":
        sources = _cidrs(spec, "spec", ("loadBalancerSourceRanges",))
        if not sources and isinstance(notes.get(SOURCE_RANGES_ANNOTATION), str):
            sources = [(f"metadata.annotations[{SOURCE_RANGES_ANNOTATION}]", part)
                       for part in notes[SOURCE_RANGES_ANNOTATION].split(",") if part.strip()]
    if not sources:
        implicit = True
        sources = [("spec", w) for w in WORLD]
    note = ("a NodePort opens the port on every node; Kubernetes does not apply "
            "loadBalancerSourceRanges to node ports" if kind_text == "NodePort" else "")
    out: list[Permission] = []
    port_blocks = entries(spec, "ports") + entries(spec, "port")
    for path, block in port_blocks:
        path = f"spec.{path}"
        if is_unknown(block):
            out.append(Permission(path, Span(0, 65535, unknown=True), tuple(sources),
                                  implicit_world=implicit, note=note))
            continue
        block = as_mapping(block)
        if block is None:
            continue
        proto = scalar(block, "protocol")
        if isinstance(proto, str) and proto.strip().upper() in ("UDP", "SCTP"):
            continue
        numbers = [scalar(block, "port"), scalar(block, "targetPort")]
        if any(is_unknown(n) for n in numbers):
            out.append(Permission(path, Span(0, 65535, unknown=True), tuple(sources),
                                  implicit_world=implicit, note=note))
            continue
        opened = tuple(sorted({v for v in map(_int_port, numbers) if v is not None}))
        if opened:
            out.append(Permission(path, Span(opened[0], opened[-1], only=opened), tuple(sources),
                                  from_port=opened[0], to_port=opened[-1],
                                  implicit_world=implicit, note=note))
    return out


def _int_port(value: Any) -> Optional[int]:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None  # a named targetPort: the name says nothing about the number


EXTRACTORS: dict[str, Callable[[dict], list[Permission]]] = {}
for _types, _fn in ((SG_INLINE, _sg_inline), (NATIVE_SG, _native_sg), (SG_RULE, _sg_rule),
                    (VPC_INGRESS, _vpc_ingress), (NATIVE_INGRESS, _native_ingress),
                    (K8S_SERVICE, _service)):
    for _t in _types:
        EXTRACTORS[_t] = _fn


def permissions(type_: str, props: Any) -> list[Permission]:
    extractor = EXTRACTORS.get(type_)
    if extractor is None:
        return []
    if not isinstance(props, dict):
        return [Permission("", Span(0, 65535, assumed="the properties cannot be read"),
                           (("", props),))]
    return extractor(props)


def target_group(type_: str, props: Any) -> Any:
    """The security group a separate rule attaches to (value, UNKNOWN or None)."""
    if type_ not in SEPARATE_RULES or not isinstance(props, dict):
        return None
    for name in ("securityGroupId", "groupId", "groupName"):
        value = scalar(props, name)
        if value is not MISSING and value is not None:
            return value
    return None
