"""The CIS-style control against a live AWS account: audit, revoke, back out.

    secure-kafka-audit --region eu-west-1                 # audit one region: exit 1 if anything is exposed
    secure-kafka-audit --all-regions --format json        # every enabled region, machine-readable
    secure-kafka-audit --region eu-west-1 --revoke --back-out undo-2026-11-29.json
    secure-kafka-audit --restore undo-2026-11-29.json     # back-out (region and account come from the file)

Judged with the same engine as the policy pack: security-group rules alone and per group together,
rules whose customer-managed prefix lists hold public ranges, internet-facing load balancers (ELBv2
and classic) whose listeners reach a guarded port through their security groups, and MSK clusters
with public access. Every finding prints the command that removes it now. `--revoke` removes the
exposing security-group rules (those on their own, together, or admitting a public prefix list) after
writing the back-out file; load balancers and clusters are left to their printed commands.
Exit codes: 0 nothing exposed (or all of it revoked), 1 exposure, 2 bad input, credentials or endpoint.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

from kafka_guardrails import Finding, SettingsError, from_config, judge_resource, judge_stack

from . import backout
from .collect import Estate, collect, ip_permission, rule_resource

REPORTED = {"KAFKA-NET-001", "KAFKA-MSK-001"}  # exposure; other MSK hardening is the pack's business
__all__ = ["judge", "main", "ip_permission", "rule_resource"]


class AuditError(Exception):
    """Bad input or an account that cannot be read: one line, exit 2."""


def judge(estate: Estate, settings: Any) -> tuple[list[Finding], list[Finding]]:
    """(exposures, unseen paths) of one region, each finding once."""
    findings: list[Finding] = []
    for resource in estate.resources:
        findings.extend(f for f in judge_resource(resource, settings) if f.rule_id in REPORTED)
    stack = judge_stack(estate.resources, settings)
    exposed = findings + [f for f in stack if f.rule_id in REPORTED]
    unseen = [f for f in stack if f.rule_id == "KAFKA-NET-002"]
    return exposed, unseen


def revocable(estate: Estate, exposed: Sequence[Finding]) -> list[dict[str, Any]]:
    """The security-group rules a revoke removes: every rule a KAFKA-NET-001 finding names."""
    ids = sorted({label for f in exposed if f.rule_id == "KAFKA-NET-001" for label in f.resources
                  if label in estate.rules})
    return [estate.rules[i] for i in ids]


def _session(args: argparse.Namespace) -> Any:
    try:
        import boto3
    except ImportError:
        raise AuditError("the audit reads AWS with boto3, which is the `audit` extra: "
                         "pip install 'secure-kafka[audit]'") from None
    return boto3.session.Session(region_name=args.region)


def _clients(session: Any, endpoint: Optional[str]) -> Callable[[str], Callable[[str], Any]]:
    cache: dict[tuple[str, str], Any] = {}

    def for_region(region: str) -> Callable[[str], Any]:
        def client(service: str) -> Any:
            key = (service, region)
            if key not in cache:
                cache[key] = session.client(service, region_name=region, endpoint_url=endpoint)
            return cache[key]
        return client
    return for_region


def _aws_error(error: Exception, what: str) -> AuditError:
    """One clear line for the ways an account cannot be read."""
    from botocore import exceptions as boto

    if isinstance(error, (boto.NoCredentialsError, boto.PartialCredentialsError)):
        return AuditError(f"no AWS credentials found while {what}: set AWS_PROFILE or AWS_ACCESS_KEY_ID/"
                          "AWS_SECRET_ACCESS_KEY (the audit only reads, except --revoke/--restore)")
    if isinstance(error, (boto.EndpointConnectionError, boto.ConnectTimeoutError)):
        return AuditError(f"cannot reach the AWS endpoint while {what}: {error}")
    if isinstance(error, boto.NoRegionError):
        return AuditError("no region: pass --region REGION or --all-regions (or set AWS_DEFAULT_REGION)")
    if isinstance(error, boto.ClientError):
        code = error.response.get("Error", {}).get("Code", "Error")
        message = error.response.get("Error", {}).get("Message", "")
        return AuditError(f"AWS refused while {what}: {code}: {message}")
    return AuditError(f"{what} failed: {type(error).__name__}: {error}")


def _print_text(region: str, exposed: list[Finding], unseen: list[Finding]) -> None:
    for finding in exposed:
        print(f"EXPOSED [{region}] [{finding.rule_id}] {finding.resource}: {finding.message}")
        if len(finding.resources) > 1:
            print(f"  resources: {', '.join(finding.resources)}")
        print(f"  fix: {finding.remediation}")
    for finding in unseen:
        print(f"UNSEEN  [{region}] [{finding.rule_id}] {finding.resource}: {finding.message}")


def _as_json(region: str, finding: Finding) -> dict[str, Any]:
    return {"region": region, "rule": finding.rule_id, "policy": finding.policy, "level": finding.level,
            "resource": finding.resource, "resources": list(finding.resources), "message": finding.message,
            "fix": finding.remediation, "ports": list(finding.ports), "sources": list(finding.sources)}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="secure-kafka-audit", description=__doc__.split("\n\n")[0],
                                epilog=__doc__.split("\n\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    where = p.add_mutually_exclusive_group()
    where.add_argument("--region", default=None, help="the region to audit (default: the AWS configuration's)")
    where.add_argument("--all-regions", action="store_true", help="audit every region enabled for the account")
    p.add_argument("--endpoint-url", default=None, help="one endpoint for every service (tests use moto on 127.0.0.1)")
    p.add_argument("--ports", default=None, help="guarded ports, comma-separated (default: the pack's)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--revoke", action="store_true", help="revoke every exposing security-group rule (needs --back-out)")
    p.add_argument("--back-out", type=Path, default=None, help="a NEW file for the back-out document")
    p.add_argument("--restore", type=Path, default=None, help="re-authorize the rules of a back-out document")
    return p


def run(args: argparse.Namespace) -> int:
    try:
        settings = from_config({"ports": [int(p) for p in args.ports.split(",")]} if args.ports else {}, preview=False)
    except (ValueError, SettingsError):
        raise AuditError(f"--ports={args.ports!r} is not allowed: use comma-separated TCP ports 1-65535 such as 9092,9094")
    session = _session(args)
    clients = _clients(session, args.endpoint_url)
    if args.restore:
        doc = backout.read(args.restore)
        try:
            restored, present = backout.restore(lambda region: clients(region)("ec2"), doc)
        except Exception as error:  # noqa: BLE001 - botocore's errors, said in one line
            raise _aws_error(error, f"restoring {args.restore}") from None
        print(f"restored {restored} rule(s) from {args.restore} (account {doc.get('account')}, revoked "
              f"{doc.get('time')}); {present} already present, skipped")
        return 0
    try:
        regions = [args.region or session.region_name]
        if args.all_regions:
            ec2 = clients(session.region_name or "us-east-1")("ec2")
            regions = sorted(r["RegionName"] for r in ec2.describe_regions()["Regions"])
        if regions == [None]:
            from botocore.exceptions import NoRegionError
            raise NoRegionError()
        account = clients(regions[0])("sts").get_caller_identity()["Account"]
        estates = [collect(clients(region), region) for region in regions]
    except AuditError:
        raise
    except Exception as error:  # noqa: BLE001 - botocore's errors, said in one line
        raise _aws_error(error, "reading the account") from None

    report: dict[str, Any] = {"account": account, "regions": regions, "exposed": [], "unseen": [], "revoked": 0}
    to_revoke: list[tuple[str, dict[str, Any]]] = []
    exposed_count = 0
    for estate in estates:
        exposed, unseen = judge(estate, settings)
        exposed_count += len(exposed)
        report["exposed"] += [_as_json(estate.region, f) for f in exposed]
        report["unseen"] += [_as_json(estate.region, f) for f in unseen]
        to_revoke += [(estate.region, rule) for rule in revocable(estate, exposed)]
        if args.format == "text":
            _print_text(estate.region, exposed, unseen)
    remaining = exposed_count
    if exposed_count and args.revoke:
        backout.write_new(args.back_out, backout.document(account, to_revoke))
        try:
            report["revoked"] = backout.revoke(lambda region: clients(region)("ec2"), to_revoke)
        except Exception as error:  # noqa: BLE001
            raise _aws_error(error, f"revoking (the back-out is in {args.back_out})") from None
        revoked_ids = {rule["SecurityGroupRuleId"] for _, rule in to_revoke}
        remaining = sum(1 for f in report["exposed"] if not set(f["resources"]) & revoked_ids)
    if args.format == "json":
        print(json.dumps(report, indent=1, sort_keys=True))
    else:
        print(f"account {account}, {len(regions)} region(s): {exposed_count} exposure(s) of Kafka or ZooKeeper "
              f"to the internet, {len(report['unseen'])} path(s) that cannot be judged")
        if report["revoked"]:
            print(f"revoked {report['revoked']} rule(s); back-out: secure-kafka-audit --restore {args.back_out}")
    return 1 if remaining else 0


def main(argv: Optional[list[str]] = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if args.revoke and not args.back_out:
        p.error("--revoke needs --back-out FILE, so that every revoked rule can be put back")
    if args.back_out and args.back_out.exists():
        p.error(f"--back-out {args.back_out} already exists: refusing to overwrite an earlier back-out")
    try:
        return run(args)
    except (AuditError, backout.BackOutError) as error:
        print(f"secure-kafka-audit: {error}", file=sys.stderr)
        return 2
