"""Translate the exposure table into Terraform plans, CloudFormation and Kubernetes YAML,
and run the real checkov CLI on them (its own virtualenv, offline)."""
from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

from secure_kafka.naming import snake as snake_key

from cases import DEFAULT_SG, NATIVE_IN, NATIVE_SG, SERVICE, SG, SG_RULE, VPC_IN, Case

ROOT = Path(__file__).resolve().parents[1]
CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"
CHECKS = ROOT / "policies" / "checkov"
CHECK_ID = "CKV_KAFKA_NET_001"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "checkov"
TF_TYPES = {SG: "aws_security_group", DEFAULT_SG: "aws_default_security_group",
            SG_RULE: "aws_security_group_rule", VPC_IN: "aws_vpc_security_group_ingress_rule"}


def snake(value):
    if isinstance(value, dict):
        return {snake_key(k): snake(v) for k, v in value.items()}
    if isinstance(value, list):
        return [snake(v) for v in value]
    return value


def tf_name(case: Case) -> str:
    return case.name.replace("-", "_")


def terraform_plan(cases: list[Case]) -> dict:
    resources, changes = [], []
    for case in cases:
        kind = TF_TYPES[case.type]
        values = snake(case.props)
        address = f"{kind}.{tf_name(case)}"
        resources.append({"address": address, "mode": "managed", "type": kind, "name": tf_name(case),
                          "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 1,
                          "values": values})
        changes.append({"address": address, "mode": "managed", "type": kind, "name": tf_name(case),
                        "provider_name": "registry.terraform.io/hashicorp/aws",
                        "change": {"actions": ["create"], "before": None, "after": values,
                                   "after_unknown": {}}})
    return {"format_version": "1.2", "terraform_version": "1.9.8",
            "planned_values": {"root_module": {"resources": resources}},
            "resource_changes": changes, "configuration": {"root_module": {}}}


def cfn_id(case: Case) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^a-zA-Z0-9]+", case.name))


def _pascal(value):
    if isinstance(value, dict):
        return {k[:1].upper() + k[1:]: _pascal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_pascal(v) for v in value]
    return value


def _cfn_entries(entry: dict) -> list[dict]:
    base = {"IpProtocol": str(entry.get("protocol", "-1"))}
    for src, dst in (("fromPort", "FromPort"), ("toPort", "ToPort")):
        if src in entry:
            base[dst] = entry[src]
    out = [{**base, "CidrIp": c} for c in entry.get("cidrBlocks", [])]
    out += [{**base, "CidrIpv6": c} for c in entry.get("ipv6CidrBlocks", [])]
    out += [{**base, "SourceSecurityGroupId": g} for g in entry.get("securityGroups", [])]
    out += [{**base, "SourcePrefixListId": p} for p in entry.get("prefixListIds", [])]
    if entry.get("self"):
        out.append({**base, "SourceSecurityGroupId": "sg-0selfselfselfself"})
    return out


def cfn_resource(case: Case) -> dict | None:
    if case.type in (NATIVE_SG, NATIVE_IN):
        kind = "AWS::EC2::SecurityGroup" if case.type == NATIVE_SG else "AWS::EC2::SecurityGroupIngress"
        return {"Type": kind, "Properties": _pascal(case.props)}
    if case.type in (SG, DEFAULT_SG) and "ingress" in case.props:
        entries = [e for entry in case.props["ingress"] for e in _cfn_entries(entry)]
        return {"Type": "AWS::EC2::SecurityGroup",
                "Properties": {"GroupDescription": "kafka", "VpcId": "vpc-1", "SecurityGroupIngress": entries}}
    if case.type == VPC_IN:
        props = {"GroupId": case.props["securityGroupId"], "IpProtocol": case.props["ipProtocol"]}
        for src, dst in (("fromPort", "FromPort"), ("toPort", "ToPort"), ("cidrIpv4", "CidrIp"),
                         ("cidrIpv6", "CidrIpv6"), ("referencedSecurityGroupId", "SourceSecurityGroupId"),
                         ("prefixListId", "SourcePrefixListId")):
            if src in case.props:
                props[dst] = case.props[src]
        return {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": props}
    return None


def cloudformation(cases: list[Case]) -> dict:
    resources = {}
    for case in cases:
        resource = cfn_resource(case)
        if resource is not None:
            resources[cfn_id(case)] = resource
    return {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}


def kubernetes_docs(cases: list[Case]) -> list[dict]:
    docs = []
    for case in cases:
        if case.type == SERVICE:
            doc = json.loads(json.dumps(case.props))
            doc["metadata"]["name"] = case.name
            docs.append(doc)
    return docs


def run_checkov(target: Path, framework: str, *, file: bool = False,
                check_ids: tuple[str, ...] | None = (CHECK_ID,)) -> dict:
    """Run checkov on `target` with only our checks; return {resource: result}, or
    {(check id, resource): result} when several checks run. `check_ids=None` runs checkov's
    own checks and ours together."""
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"}
    cmd = [str(CHECKOV), "-f" if file else "-d", str(target), "--framework", framework,
           "--external-checks-dir", str(CHECKS), "-o", "json", "--compact", "--skip-download"]
    if check_ids is not None:
        cmd += ["--check", ",".join(check_ids)]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"checkov failed ({done.returncode}): {done.stderr[-3000:]}")
    report = json.loads(done.stdout)
    reports = report if isinstance(report, list) else [report]
    results: dict[str, str] = {}
    for rep in reports:
        for bucket, verdict in (("failed_checks", "FAILED"), ("passed_checks", "PASSED")):
            for item in rep.get("results", {}).get(bucket, []):
                assert check_ids is None or item["check_id"] in check_ids
                key = item["resource"] if check_ids and len(check_ids) == 1 else (item["check_id"], item["resource"])
                results[key] = verdict
    return results
