"""Revoking exposing security-group rules and putting them back exactly.

The back-out document is written before anything is revoked, is never overwritten, and holds
everything a restore needs (account, region and time of the revoke; each rule's group,
permission, description and tags), so `--restore FILE` needs no other input. Restoring is
idempotent: a rule that is already there again is skipped and reported.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable

from .collect import ip_permission

VERSION = 1


class BackOutError(ValueError):
    """A back-out file that cannot be written or read; the message says which and why."""


def document(account: str, revoked: Iterable[tuple[str, dict[str, Any]]], now: datetime | None = None) -> dict[str, Any]:
    """`revoked` holds (region, EC2 API rule) pairs."""
    return {"version": VERSION, "account": account,
            "time": (now or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
            "rules": [{"Region": region, "GroupId": rule["GroupId"], "SecurityGroupRuleId": rule["SecurityGroupRuleId"],
                       "IpPermissions": [ip_permission(rule)], "Tags": rule.get("Tags") or []}
                      for region, rule in revoked]}


def write_new(path: Path, doc: dict[str, Any]) -> None:
    """Create the file; refuse to replace one (an earlier back-out would be lost)."""
    try:
        with path.open("x", encoding="utf-8") as handle:
            json.dump(doc, handle, indent=1)
    except FileExistsError:
        raise BackOutError(f"--back-out {path} already exists: refusing to overwrite an earlier back-out; "
                           "choose a new file name") from None
    except OSError as error:
        raise BackOutError(f"--back-out {path} cannot be written: {error.strerror or error}") from None


def read(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise BackOutError(f"--restore {path} cannot be read: {error.strerror or error}") from None
    except json.JSONDecodeError as error:
        raise BackOutError(f"--restore {path} is not a back-out document (invalid JSON at line {error.lineno})") from None
    if not isinstance(doc, dict) or doc.get("version") != VERSION or not isinstance(doc.get("rules"), list):
        raise BackOutError(f"--restore {path} is not a back-out document of version {VERSION} "
                           "(it needs version, account, time and rules)")
    for index, rule in enumerate(doc["rules"]):
        if not isinstance(rule, dict) or not {"Region", "GroupId", "IpPermissions"} <= set(rule):
            raise BackOutError(f"--restore {path}: rule {index} lacks Region, GroupId or IpPermissions")
    return doc


def revoke(ec2_for: Callable[[str], Any], revoked: Iterable[tuple[str, dict[str, Any]]]) -> int:
    by_group: dict[tuple[str, str], list[str]] = {}
    for region, rule in revoked:
        by_group.setdefault((region, rule["GroupId"]), []).append(rule["SecurityGroupRuleId"])
    for (region, group), rule_ids in sorted(by_group.items()):
        ec2_for(region).revoke_security_group_ingress(GroupId=group, SecurityGroupRuleIds=sorted(rule_ids))
    return sum(len(ids) for ids in by_group.values())


def _present(ec2: Any, group: str, permission: dict[str, Any]) -> bool:
    """Whether the group already has this exact rule (protocol, ports, source, description)."""
    wanted = dict(permission)
    for rule in ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group]}])["SecurityGroupRules"]:
        if rule.get("IsEgress"):
            continue
        if ip_permission(rule) == wanted:
            return True
    return False


def restore(ec2_for: Callable[[str], Any], doc: dict[str, Any]) -> tuple[int, int]:
    """(restored, already present) — rules that are back already are skipped, so a second run is a no-op."""
    restored = present = 0
    for rule in doc["rules"]:
        ec2 = ec2_for(rule["Region"])
        permission = rule["IpPermissions"][0]
        if _present(ec2, rule["GroupId"], permission):
            present += 1
            continue
        extra = {}
        if rule.get("Tags"):
            extra["TagSpecifications"] = [{"ResourceType": "security-group-rule", "Tags": rule["Tags"]}]
        ec2.authorize_security_group_ingress(GroupId=rule["GroupId"], IpPermissions=[permission], **extra)
        restored += 1
    return restored, present
