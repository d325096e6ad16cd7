"""The CIS-style control against a live AWS account: audit, revoke, back out.

    python -m secure_kafka.audit --region eu-west-1                     # audit: exit 1 if exposed
    python -m secure_kafka.audit --region eu-west-1 --revoke --back-out undo.json
    python -m secure_kafka.audit --region eu-west-1 --restore undo.json # back-out

Every ingress rule is judged by the same engine as the policy pack (KAFKA-NET-001), rule by rule
and per group together. Revoking writes the back-out file first, so nothing is removed that
cannot be put back exactly.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

from kafka_guardrails import Finding, Resource, SettingsError, from_config, judge_resource, judge_stack

RULE_TYPE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


def rule_resource(rule: dict) -> Resource:
    """An EC2 API security-group rule in the engine's (Pulumi) shape; its id is the label."""
    props: dict[str, Any] = {"securityGroupId": rule["GroupId"], "ipProtocol": rule.get("IpProtocol", "-1")}
    if rule.get("IpProtocol") not in ("-1", None):
        props.update(fromPort=rule.get("FromPort"), toPort=rule.get("ToPort"))
    for api, ours in (("CidrIpv4", "cidrIpv4"), ("CidrIpv6", "cidrIpv6"), ("PrefixListId", "prefixListId")):
        if rule.get(api):
            props[ours] = rule[api]
    referenced = (rule.get("ReferencedGroupInfo") or {}).get("GroupId")
    if referenced:
        props["referencedSecurityGroupId"] = referenced
    return Resource(RULE_TYPE, props, name=rule["SecurityGroupRuleId"], urn=rule["SecurityGroupRuleId"])


def ip_permission(rule: dict) -> dict:
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


@dataclass(frozen=True)
class Exposure:
    rule: dict
    findings: tuple[Finding, ...]


def judge_rules(rules: Sequence[dict], settings) -> list[Exposure]:
    """Mandatory KAFKA-NET-001 findings per ingress rule, plus rules that only together expose a group."""
    ingress = [r for r in rules if not r.get("IsEgress")]
    resources = {r["SecurityGroupRuleId"]: rule_resource(r) for r in ingress}
    by_rule: dict[str, list[Finding]] = {}
    for rule_id, resource in resources.items():
        by_rule[rule_id] = [f for f in judge_resource(resource, settings) if f.rule_id == "KAFKA-NET-001"]
    for finding in judge_stack(list(resources.values()), settings):
        if finding.rule_id != "KAFKA-NET-001":
            continue
        for label in finding.resources:  # a combined finding names every rule it joins
            if label in by_rule:
                by_rule[label].append(finding)
    return [Exposure(r, tuple(by_rule[r["SecurityGroupRuleId"]])) for r in ingress if by_rule[r["SecurityGroupRuleId"]]]


def fetch_rules(ec2) -> list[dict]:
    rules: list[dict] = []
    for page in ec2.get_paginator("describe_security_group_rules").paginate():
        rules.extend(page["SecurityGroupRules"])
    return rules


def backout_document(exposures: Iterable[Exposure]) -> list[dict]:
    return [{"GroupId": e.rule["GroupId"], "SecurityGroupRuleId": e.rule["SecurityGroupRuleId"],
             "IpPermissions": [ip_permission(e.rule)]} for e in exposures]


def revoke(ec2, exposures: Sequence[Exposure]) -> None:
    by_group: dict[str, list[str]] = {}
    for e in exposures:
        by_group.setdefault(e.rule["GroupId"], []).append(e.rule["SecurityGroupRuleId"])
    for group, rule_ids in sorted(by_group.items()):
        ec2.revoke_security_group_ingress(GroupId=group, SecurityGroupRuleIds=sorted(rule_ids))


def restore(ec2, document: Sequence[dict]) -> int:
    for entry in document:
        ec2.authorize_security_group_ingress(GroupId=entry["GroupId"], IpPermissions=entry["IpPermissions"])
    return len(document)


def main(argv: Optional[list[str]] = None, client=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m secure_kafka.audit", description=__doc__.split("\n\n")[0])
    parser.add_argument("--region", default=None)
    parser.add_argument("--endpoint-url", default=None, help="an EC2 endpoint (tests use moto on 127.0.0.1)")
    parser.add_argument("--ports", default=None, help="guarded ports, comma-separated (default: the pack's)")
    parser.add_argument("--revoke", action="store_true", help="revoke every exposing rule (needs --back-out)")
    parser.add_argument("--back-out", type=Path, default=None, help="where to write the back-out document")
    parser.add_argument("--restore", type=Path, default=None, help="re-authorize the rules in a back-out document")
    args = parser.parse_args(argv)
    if args.revoke and not args.back_out:
        parser.error("--revoke needs --back-out FILE, so that every revoked rule can be put back")
    try:
        settings = from_config({"ports": [int(p) for p in args.ports.split(",")]} if args.ports else {}, preview=False)
    except (ValueError, SettingsError) as error:
        parser.error(f"--ports={args.ports!r}: {error}")
    if client is None:
        import boto3

        client = boto3.client("ec2", region_name=args.region, endpoint_url=args.endpoint_url)
    if args.restore:
        count = restore(client, json.loads(args.restore.read_text()))
        print(f"restored {count} rule(s) from {args.restore}")
        return 0
    exposures = judge_rules(fetch_rules(client), settings)
    for e in exposures:
        for f in e.findings:
            print(f"EXPOSED {e.rule['GroupId']} {e.rule['SecurityGroupRuleId']}: {f.message}")
    print(f"{len(exposures)} ingress rule(s) expose Kafka or ZooKeeper to the internet")
    if exposures and args.revoke:
        args.back_out.write_text(json.dumps(backout_document(exposures), indent=1))
        revoke(client, exposures)
        print(f"revoked {len(exposures)} rule(s); back-out: python -m secure_kafka.audit --restore {args.back_out}")
        return 0
    return 1 if exposures else 0


if __name__ == "__main__":
    sys.exit(main())
