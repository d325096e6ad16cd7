"""AWS security groups and their rules, in the Pulumi aws/Terraform shape and the
CloudFormation/aws-native shape; the stack join unions the rules of one group."""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Optional, Sequence

from ..cidr import classify
from ..exposure import union_issue
from ..model import Resource
from ..net import Entry, Later, Net, keys_of, not_known, unresolved
from ..ports import FAST_PROTOCOLS, assumed, port_range, protocol, span
from ..registry import form
from ..stack import Path, Stack, join
from ..values import UNKNOWN, Ref, as_text, is_unknown, items, known

FIX = "Then change the code to admit only named client CIDRs or a client security group."


def _entry(resource: Resource, block: Any, where: Any, proto_key: str, cidr_keys: Sequence[str],
           ref_keys: Sequence[str], prefix_key: str, prop: str) -> Optional[Entry]:
    """One ingress entry, or None when it can expose nothing (not TCP, or only private sources and
    no prefix list): the hot path of the engine, so nothing is formatted that a finding does not
    need. `where` is the entry's path, or (name, index) to format only when it is kept; `prop` is the
    top-level input whose dependencies may name prefix lists."""
    if type(block) is not dict:
        path = where if type(where) is str else f"{where[0]}[{where[1]}]"
        block = known(block)
        if block is UNKNOWN:
            return not_known(path)
        if not isinstance(block, dict):
            return Entry(path, assumed("the entry cannot be read"), ((path, block),))
    raw = block.get(proto_key)
    proto = FAST_PROTOCOLS.get(raw) if type(raw) is str else None
    if proto is None:
        proto = protocol(raw)
    low, high = block.get("fromPort"), block.get("toPort")
    if proto == "tcp" and type(low) is int and type(high) is int and 0 <= low <= high <= 65535:
        ports = port_range(low, high)
    else:
        ports = span(proto, low, high)
        if ports.high < ports.low:
            return None  # not TCP: nothing it admits is Kafka
    lists = block.get(prefix_key)
    interesting = ports.unknown or bool(ports.assumed) or (lists is not None and lists != "" and lists != [])
    if not interesting:
        for key in cidr_keys:
            value = block.get(key)
            if value is None:
                continue
            if type(value) is list and len(value) == 1 and type(value[0]) is str:
                if classify(value[0]) is False:
                    continue
            elif type(value) is str and classify(value) is False:
                continue
            elif type(value) is list and value and all(type(v) is str and classify(v) is False for v in value):
                continue
            interesting = True  # public, unreadable or not known yet
            break
        else:
            return None  # only private sources: it can expose nothing, alone or joined
    path = where if type(where) is str else f"{where[0]}[{where[1]}]"
    sources: list[Any] = []
    for key in cidr_keys:
        value = block.get(key)
        if value is not None:
            at = f"{path}.{key}" if path else key
            sources.extend((at, item) for item in items(value))
    lists = (*keys_of(resource, lists, prop), *unresolved(resource, lists, prop)) \
        if lists is not None and lists != "" and lists != [] else ()
    return Entry(path, ports, tuple(sources), ("@", *ref_keys, prefix_key), lists,
                 proto if type(proto) is str else "tcp", detail=block)


def _inline(resource: Resource, props: dict[str, Any], name: str, proto_key: str, cidr_keys: Sequence[str],
            ref_keys: Sequence[str], prefix_key: str) -> list[Any]:
    listed = props.get(name)
    if listed is None:
        return []
    if type(listed) is not list:
        entry = _entry(resource, listed, name, proto_key, cidr_keys, ref_keys, prefix_key, name)
        return [entry] if entry is not None else []
    out = []
    for index, block in enumerate(listed):
        entry = _entry(resource, block, (name, index), proto_key, cidr_keys, ref_keys, prefix_key, name)
        if entry is not None:
            out.append(entry)
    return out


def _group_net(resource: Resource, props: dict[str, Any], entries: list[Any]) -> Net:
    return Net(entries, "group", (props.get("id"), props.get("name"), props.get("groupName"), props.get("groupId")))


def _rule_net(resource: Resource, props: dict[str, Any], entries: list[Any], group_key: str) -> Net:
    return Net(entries, "group-rule", (props.get("id"),), {"group": Later(props.get(group_key), group_key)})


# --- Pulumi aws / Terraform -----------------------------------------------------------------

_SG_CIDRS = ("cidrBlocks", "ipv6CidrBlocks")
_SG_REFS = ("securityGroups", "self")


def sg_inline(resource: Resource, props: Any) -> Net:
    if not isinstance(props, dict):
        return Net([Entry("", assumed("the properties cannot be read"), (("", props),))])
    entries = _inline(resource, props, "ingress", "protocol", _SG_CIDRS, _SG_REFS, "prefixListIds")
    return _group_net(resource, props, entries)


def sg_rule(resource: Resource, props: Any) -> Net:
    if not isinstance(props, dict):
        return Net([Entry("", assumed("the properties cannot be read"), (("", props),))])
    kind = as_text(props.get("type"))
    entry = None if kind and kind.lower() == "egress" else \
        _entry(resource, props, "", "protocol", _SG_CIDRS, ("sourceSecurityGroupId", "self"), "prefixListIds",
               "prefixListIds")
    entries = [entry] if entry is not None else []
    return _rule_net(resource, props, entries, "securityGroupId")


def vpc_ingress(resource: Resource, props: Any) -> Net:
    if not isinstance(props, dict):
        return Net([Entry("", assumed("the properties cannot be read"), (("", props),))])
    entry = _entry(resource, props, "", "ipProtocol", ("cidrIpv4", "cidrIpv6"), ("referencedSecurityGroupId",),
                   "prefixListId", "prefixListId")
    entries = [entry] if entry is not None else []
    return _rule_net(resource, props, entries, "securityGroupId")


def _group_id(resource: Resource) -> str:
    props = resource._canonical if isinstance(resource._canonical, dict) else {}
    for key in ("id", "securityGroupId", "groupId"):
        value = props.get(key)
        if isinstance(value, str) and value and not is_unknown(value) and not isinstance(value, Ref):
            return value
    return "<security-group-id>"


def revoke(resource: Resource, entry: Entry, offending: Sequence[str]) -> str:
    """The AWS CLI command that takes the exposure away now, before the code fix lands."""
    group = _group_id(resource)
    props = resource._canonical if isinstance(resource._canonical, dict) else {}
    rule_id = props.get("securityGroupRuleId")
    if isinstance(rule_id, str) and rule_id.startswith("sgr-"):
        return f"aws ec2 revoke-security-group-ingress --group-id {group} --security-group-rule-ids {rule_id}"
    proto = "-1" if entry.proto == "all" else "tcp"
    v4 = [s for s in offending if ":" not in s]
    v6 = [s for s in offending if ":" in s]
    ranges = []
    if v4:
        ranges.append("IpRanges=[" + ",".join(f"{{CidrIp={s}}}" for s in v4) + "]")
    if v6:
        ranges.append("Ipv6Ranges=[" + ",".join(f"{{CidrIpv6={s}}}" for s in v6) + "]")
    ports = "" if proto == "-1" else f"FromPort={entry.span.low},ToPort={entry.span.high},"
    return (f"aws ec2 revoke-security-group-ingress --group-id {group} --ip-permissions "
            f"'IpProtocol={proto},{ports}{','.join(ranges)}'")


form(key="aws.security-group", family="AWS security groups",
     summary="every inline ingress entry (egress ignored); `-1`/`all` covers every port",
     pulumi=("aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"),
     terraform=("aws_security_group", "aws_default_security_group"),
     models={"net": sg_inline}, fix=FIX, revoke=revoke)
form(key="aws.security-group-rule", family="AWS security groups",
     summary="an ingress rule (egress ignored), unioned with the other rules of its group in the stack",
     pulumi=("aws:ec2/securityGroupRule:SecurityGroupRule",), terraform=("aws_security_group_rule",),
     models={"net": sg_rule}, fix=FIX, revoke=revoke)
form(key="aws.vpc-ingress-rule", family="AWS security groups",
     summary="one ingress rule; `-1` without ports covers every port",
     pulumi=("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",),
     terraform=("aws_vpc_security_group_ingress_rule",), models={"net": vpc_ingress}, fix=FIX, revoke=revoke)

# --- CloudFormation / aws-native ---------------------------------------------------------------

_NATIVE_CIDRS = ("cidrIp", "cidrIpv6")
_NATIVE_REFS = ("sourceSecurityGroupId", "sourceSecurityGroupName")


def native_sg(resource: Resource, props: Any) -> Net:
    if not isinstance(props, dict):
        return Net([Entry("", assumed("the properties cannot be read"), (("", props),))])
    entries = _inline(resource, props, "securityGroupIngress", "ipProtocol", _NATIVE_CIDRS, _NATIVE_REFS,
                      "sourcePrefixListId")
    return _group_net(resource, props, entries)


def native_ingress(resource: Resource, props: Any) -> Net:
    if not isinstance(props, dict):
        return Net([Entry("", assumed("the properties cannot be read"), (("", props),))])
    entry = _entry(resource, props, "", "ipProtocol", _NATIVE_CIDRS, _NATIVE_REFS, "sourcePrefixListId",
                   "sourcePrefixListId")
    entries = [entry] if entry is not None else []
    return _rule_net(resource, props, entries, "groupId" if props.get("groupId") is not None else "groupName")


form(key="aws.security-group.cfn", family="AWS security groups",
     summary="every `SecurityGroupIngress` entry",
     pulumi=("aws-native:ec2:SecurityGroup",), cloudformation=("AWS::EC2::SecurityGroup",),
     models={"net": native_sg}, fix=FIX, revoke=revoke)
form(key="aws.security-group-ingress.cfn", family="AWS security groups",
     summary="one ingress rule, unioned with the other rules of its group in the stack",
     pulumi=("aws-native:ec2:SecurityGroupIngress",), cloudformation=("AWS::EC2::SecurityGroupIngress",),
     models={"net": native_ingress}, fix=FIX, revoke=revoke)


@join("security-group-union")
def union(stack: Stack, settings: Any) -> list[Path]:
    """Separate rules of one group that only together open a guarded port to the internet
    (single resources are reported on their own)."""
    buckets: dict[Any, list[Any]] = defaultdict(list)
    owners: dict[Any, Resource] = {}
    for resource, net in stack.role("group-rule"):
        groups = stack.find(stack.linked(resource, net, "group"), role="group")
        if groups:
            owner, owner_net = groups[0]
            bucket: Any = id(owner)
            owners[bucket] = owner
            if not buckets[bucket]:
                buckets[bucket].extend((owner, e) for e in owner_net.entries)
        elif stack.linked(resource, net, "group"):
            bucket = stack.linked(resource, net, "group")[0]
        else:
            continue
        buckets[bucket].extend((resource, e) for e in net.entries)
    out = []
    for bucket, entries in buckets.items():
        if len({id(r) for r, _ in entries}) < 2:
            continue
        issue = union_issue(entries, settings, per_resource=True, anchor=owners.get(bucket))
        if issue is not None:
            out.append(Path(issue.resources, issue.message, issue.ports, issue.sources, issue.fix, issue.unknown))
    return out
