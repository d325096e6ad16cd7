"""AWS security groups and their rules, in the Pulumi aws/Terraform shape and the
CloudFormation/aws-native shape; the stack join unions the rules of one group."""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Sequence

from ..exposure import union_issue
from ..model import Resource
from ..net import Entry, Net, keys_of, own_keys, sources_at
from ..ports import UNKNOWN_SPAN, assumed, protocol, span
from ..registry import form
from ..stack import Path, Stack, join
from ..values import MISSING, UNKNOWN, Ref, as_bool, as_text, blocks, is_unknown, items, known

FIX = "Then change the code to admit only named client CIDRs or a client security group."


def _refs(block: dict, names: Sequence[str]) -> tuple[str, ...]:
    out = []
    for name in names:
        if name == "self":
            if as_bool(block.get("self")) is True:
                out.append("self")
            continue
        for item in items(block.get(name)):
            if item is not None and item != "":
                out.append(f"{name}={'<unknown>' if is_unknown(item) else item}")
    return tuple(out)


def _entry(resource: Resource, block: Any, path: str, proto_key: str, cidr_keys: Sequence[str],
           ref_keys: Sequence[str], prefix_key: str, prop: str) -> Entry:
    """One ingress entry; `prop` is the top-level input whose dependencies may name prefix lists."""
    block = known(block)
    if block is UNKNOWN:
        return Entry(path, UNKNOWN_SPAN, ((path, UNKNOWN),))
    if not isinstance(block, dict):
        return Entry(path, assumed("the entry cannot be read"), ((path, block),))
    proto = protocol(known(block.get(proto_key)))
    lists = block.get(prefix_key)
    refs = _refs(block, ref_keys)
    if lists not in (None, MISSING, "", []):
        refs += tuple(f"{prefix_key}={'<unknown>' if is_unknown(i) else i}" for i in items(lists))
        lists = keys_of(resource, lists, prop)
    else:
        lists = ()
    return Entry(path, span(proto, known(block.get("fromPort")), known(block.get("toPort"))),
                 tuple(sources_at(block, path, *cidr_keys)), refs, lists,
                 proto if isinstance(proto, str) else "tcp")


def _group_net(resource: Resource, props: dict, entries: list) -> Net:
    return Net(entries, "group", own_keys(resource, props.get("id"), props.get("name"), props.get("groupName")))


def _rule_net(resource: Resource, props: dict, entries: list, *group_keys: str) -> Net:
    links = ()
    for key in group_keys:
        links += keys_of(resource, props.get(key), key)
    return Net(entries, "group-rule", own_keys(resource, props.get("id")), {"group": links})


# --- Pulumi aws / Terraform -----------------------------------------------------------------

_SG_CIDRS = ("cidrBlocks", "ipv6CidrBlocks")
_SG_REFS = ("securityGroups", "self")


def sg_inline(resource: Resource, props: Any) -> Net:
    if not isinstance(props, dict):
        return Net([Entry("", assumed("the properties cannot be read"), (("", props),))])
    entries = [_entry(resource, b, p, "protocol", _SG_CIDRS, _SG_REFS, "prefixListIds", "ingress")
               for p, b in blocks(props, "ingress")]
    return _group_net(resource, props, entries)


def sg_rule(resource: Resource, props: Any) -> Net:
    if not isinstance(props, dict):
        return Net([Entry("", assumed("the properties cannot be read"), (("", props),))])
    kind = as_text(props.get("type"))
    entries = [] if kind and kind.lower() == "egress" else [
        _entry(resource, props, "", "protocol", _SG_CIDRS, ("sourceSecurityGroupId", "self"), "prefixListIds",
               "prefixListIds")]
    return _rule_net(resource, props, entries, "securityGroupId")


def vpc_ingress(resource: Resource, props: Any) -> Net:
    if not isinstance(props, dict):
        return Net([Entry("", assumed("the properties cannot be read"), (("", props),))])
    entries = [_entry(resource, props, "", "ipProtocol", ("cidrIpv4", "cidrIpv6"), ("referencedSecurityGroupId",),
                      "prefixListId", "prefixListId")]
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
    entries = [_entry(resource, b, p, "ipProtocol", _NATIVE_CIDRS, _NATIVE_REFS, "sourcePrefixListId",
                      "securityGroupIngress") for p, b in blocks(props, "securityGroupIngress")]
    return _group_net(resource, props, entries)


def native_ingress(resource: Resource, props: Any) -> Net:
    if not isinstance(props, dict):
        return Net([Entry("", assumed("the properties cannot be read"), (("", props),))])
    entries = [_entry(resource, props, "", "ipProtocol", _NATIVE_CIDRS, _NATIVE_REFS, "sourcePrefixListId",
                      "sourcePrefixListId")]
    return _rule_net(resource, props, entries, "groupId", "groupName")


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
    buckets: dict[Any, list] = defaultdict(list)
    owners: dict[Any, Resource] = {}
    for resource, net in stack.role("group-rule"):
        groups = stack.find(net.links.get("group", ()), role="group")
        if groups:
            owner, owner_net = groups[0]
            bucket: Any = id(owner)
            owners[bucket] = owner
            if not buckets[bucket]:
                buckets[bucket].extend((owner, e) for e in owner_net.entries)
        elif net.links.get("group"):
            bucket = net.links["group"][0]
        else:
            continue
        buckets[bucket].extend((resource, e) for e in net.entries)
    out = []
    for bucket, entries in buckets.items():
        if len({id(r) for r, _ in entries}) < 2:
            continue
        issue = union_issue(entries, settings, per_resource=True, anchor=owners.get(bucket))
        if issue is not None:
            out.append(Path(issue.resources, issue.message, issue.ports, issue.sources, issue.fix))
    return out
