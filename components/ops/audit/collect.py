"""Read an account's network surface through the AWS APIs and hand it to the engine as resources,
each in the dialect whose shape the API already speaks, so the audit judges with the same forms
and joins as the policy pack.

    security groups and their rules        -> Pulumi shapes (rules carry their rule ids, for revoking)
    customer-managed prefix lists          -> aws:ec2/managedPrefixList (entries included)
    ELBv2 load balancers, listeners, rules, target groups -> the CloudFormation shapes (PascalCase)
    classic load balancers                 -> AWS::ElasticLoadBalancing::LoadBalancer
    MSK clusters                           -> AWS::MSK::Cluster (public access is KAFKA-MSK-001)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from kafka_guardrails import Resource

RULE_TYPE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
GROUP_TYPE = "aws:ec2/securityGroup:SecurityGroup"
PREFIX_LIST_TYPE = "aws:ec2/managedPrefixList:ManagedPrefixList"


def rule_resource(rule: dict[str, Any], region: str = "") -> Resource:
    """An EC2 API security-group rule in the engine's (Pulumi) shape; its id is the label."""
    props: dict[str, Any] = {"securityGroupId": rule["GroupId"], "ipProtocol": rule.get("IpProtocol", "-1"),
                             "securityGroupRuleId": rule["SecurityGroupRuleId"]}
    if rule.get("IpProtocol") not in ("-1", None):
        props.update(fromPort=rule.get("FromPort"), toPort=rule.get("ToPort"))
    for api, ours in (("CidrIpv4", "cidrIpv4"), ("CidrIpv6", "cidrIpv6"), ("PrefixListId", "prefixListId")):
        if rule.get(api):
            props[ours] = rule[api]
    referenced = (rule.get("ReferencedGroupInfo") or {}).get("GroupId")
    if referenced:
        props["referencedSecurityGroupId"] = referenced
    return Resource(RULE_TYPE, props, name=rule["SecurityGroupRuleId"], urn=rule["SecurityGroupRuleId"],
                    location=region)


def ip_permission(rule: dict[str, Any]) -> dict[str, Any]:
    """The rule as `authorize-security-group-ingress` takes it back."""
    perm: dict[str, Any] = {"IpProtocol": rule.get("IpProtocol", "-1")}
    if perm["IpProtocol"] != "-1":
        perm.update(FromPort=rule.get("FromPort"), ToPort=rule.get("ToPort"))
    described = {"Description": rule["Description"]} if rule.get("Description") else {}
    if rule.get("CidrIpv4"):
        perm["IpRanges"] = [{"CidrIp": rule["CidrIpv4"], **described}]
    if rule.get("CidrIpv6"):
        perm["Ipv6Ranges"] = [{"CidrIpv6": rule["CidrIpv6"], **described}]
    if rule.get("PrefixListId"):
        perm["PrefixListIds"] = [{"PrefixListId": rule["PrefixListId"], **described}]
    if (rule.get("ReferencedGroupInfo") or {}).get("GroupId"):
        perm["UserIdGroupPairs"] = [{"GroupId": rule["ReferencedGroupInfo"]["GroupId"], **described}]
    return perm


@dataclass
class Estate:
    """One region's resources for the engine, and the raw security-group rules by id (to revoke)."""

    region: str
    resources: list[Resource] = field(default_factory=list)
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)


def _pages(client: Any, operation: str, key: str, **kwargs: Any) -> Iterable[dict[str, Any]]:
    if client.can_paginate(operation):
        for page in client.get_paginator(operation).paginate(**kwargs):
            yield from page.get(key, [])
    else:
        yield from getattr(client, operation)(**kwargs).get(key, [])


def security_groups(ec2: Any, estate: Estate) -> None:
    for group in _pages(ec2, "describe_security_groups", "SecurityGroups"):
        estate.resources.append(Resource(GROUP_TYPE, {"id": group["GroupId"], "name": group.get("GroupName"),
                                                      "vpcId": group.get("VpcId")},
                                         name=group["GroupId"], urn=group["GroupId"], location=estate.region))
    for rule in _pages(ec2, "describe_security_group_rules", "SecurityGroupRules"):
        if not rule.get("IsEgress"):
            estate.rules[rule["SecurityGroupRuleId"]] = rule
            estate.resources.append(rule_resource(rule, estate.region))


def prefix_lists(ec2: Any, estate: Estate) -> None:
    """Customer-managed lists with their entries (AWS-managed lists are AWS's own service ranges)."""
    for listed in _pages(ec2, "describe_managed_prefix_lists", "PrefixLists"):
        if listed.get("OwnerId") == "AWS":
            continue
        entries = [{"cidr": e["Cidr"]} for e in _pages(ec2, "get_managed_prefix_list_entries", "Entries",
                                                          PrefixListId=listed["PrefixListId"])]
        estate.resources.append(Resource(PREFIX_LIST_TYPE, {"id": listed["PrefixListId"], "name": listed.get("PrefixListName"),
                                                            "entries": entries},
                                         name=listed["PrefixListId"], urn=listed["PrefixListId"], location=estate.region))


def load_balancers(elbv2: Any, estate: Estate) -> None:
    for lb in _pages(elbv2, "describe_load_balancers", "LoadBalancers"):
        arn = lb["LoadBalancerArn"]
        estate.resources.append(Resource("AWS::ElasticLoadBalancingV2::LoadBalancer", {
            "Arn": arn, "Name": lb.get("LoadBalancerName"), "Scheme": lb.get("Scheme", "internet-facing"),
            "Type": lb.get("Type", "application"), "SecurityGroups": lb.get("SecurityGroups") or []},
            name=arn, urn=arn, location=estate.region))
        for listener in _pages(elbv2, "describe_listeners", "Listeners", LoadBalancerArn=arn):
            estate.resources.append(Resource("AWS::ElasticLoadBalancingV2::Listener", {
                "Arn": listener["ListenerArn"], "LoadBalancerArn": arn, "Port": listener.get("Port"),
                "Protocol": listener.get("Protocol"), "DefaultActions": listener.get("DefaultActions") or []},
                name=listener["ListenerArn"], urn=listener["ListenerArn"], location=estate.region))
            for rule in _pages(elbv2, "describe_rules", "Rules", ListenerArn=listener["ListenerArn"]):
                if rule.get("IsDefault"):
                    continue
                estate.resources.append(Resource("AWS::ElasticLoadBalancingV2::ListenerRule", {
                    "Arn": rule["RuleArn"], "ListenerArn": listener["ListenerArn"], "Actions": rule.get("Actions") or []},
                    name=rule["RuleArn"], urn=rule["RuleArn"], location=estate.region))
    for group in _pages(elbv2, "describe_target_groups", "TargetGroups"):
        estate.resources.append(Resource("AWS::ElasticLoadBalancingV2::TargetGroup", {
            "Arn": group["TargetGroupArn"], "Name": group.get("TargetGroupName"), "Port": group.get("Port"),
            "Protocol": group.get("Protocol")},
            name=group["TargetGroupArn"], urn=group["TargetGroupArn"], location=estate.region))


def classic_load_balancers(elb: Any, estate: Estate) -> None:
    for lb in _pages(elb, "describe_load_balancers", "LoadBalancerDescriptions"):
        listeners = [{"LoadBalancerPort": d["Listener"].get("LoadBalancerPort"),
                      "InstancePort": d["Listener"].get("InstancePort"), "Protocol": d["Listener"].get("Protocol")}
                     for d in lb.get("ListenerDescriptions") or [] if d.get("Listener")]
        estate.resources.append(Resource("AWS::ElasticLoadBalancing::LoadBalancer", {
            "LoadBalancerName": lb["LoadBalancerName"], "Scheme": lb.get("Scheme", "internet-facing"),
            "Listeners": listeners, "SecurityGroups": lb.get("SecurityGroups") or []},
            name=lb["LoadBalancerName"], urn=lb["LoadBalancerName"], location=estate.region))


def msk_clusters(kafka: Any, estate: Estate) -> None:
    for listed in _pages(kafka, "list_clusters", "ClusterInfoList"):
        cluster = kafka.describe_cluster(ClusterArn=listed["ClusterArn"])["ClusterInfo"]
        props = {key: cluster[key] for key in ("BrokerNodeGroupInfo", "ClientAuthentication", "EncryptionInfo",
                                               "LoggingInfo", "ClusterName") if cluster.get(key) is not None}
        estate.resources.append(Resource("AWS::MSK::Cluster", props, name=cluster["ClusterArn"],
                                         urn=cluster["ClusterArn"], location=estate.region))


COLLECTORS: tuple[tuple[str, Callable[[Any, Estate], None]], ...] = (
    ("ec2", security_groups), ("ec2", prefix_lists), ("elbv2", load_balancers), ("elb", classic_load_balancers),
    ("kafka", msk_clusters))


def collect(clients: Callable[[str], Any], region: str) -> Estate:
    """Everything the audit judges in one region; `clients(service)` gives a boto3 client."""
    estate = Estate(region)
    for service, collector in COLLECTORS:
        collector(clients(service), estate)
    return estate
