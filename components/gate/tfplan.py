"""Write what a Pulumi program registers as a Terraform plan JSON, so checkov's own checks
(and ours) can scan the same inputs the policy pack judges.

pulumi-aws is bridged from the Terraform AWS provider, so its inputs are the Terraform
arguments in camelCase; nested blocks become one-element lists as in `terraform show -json`.
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Mapping, Optional

from pulumi.runtime import rpc

from kafka_guardrails import FORMS

from ..model.naming import snake
from .analyzer import StackResource

# Tokens the engine does not judge whose Terraform name is not aws_<module>_<resource>; the
# judged forms carry their own Terraform names in the form registry.
RENAMED = {
    "aws:ec2/instance:Instance": "aws_instance",
    "aws:ec2/launchTemplate:LaunchTemplate": "aws_launch_template",
    "aws:ec2/volume:Volume": "aws_ebs_volume",
    "aws:iam/role:Role": "aws_iam_role",
}
MAPS = frozenset({"tags", "tags_all"})  # Terraform maps, not nested blocks: keys stay as written


def terraform_type(token: str) -> Optional[str]:
    """`aws:msk/cluster:Cluster` -> `aws_msk_cluster`; None for components and other providers."""
    registered = FORMS.terraform_type(token)
    if registered:
        return registered
    if token in RENAMED:
        return RENAMED[token]
    parts = re.match(r"^aws:([a-z0-9]+)/([a-zA-Z0-9]+):[A-Za-z0-9]+$", token)
    if not parts:
        return None
    return f"aws_{parts.group(1)}_{snake(parts.group(2))}"


def terraform_values(value: Any, key: str = "", top: bool = True) -> Any:
    """camelCase inputs -> Terraform argument names; nested objects -> one-element block lists."""
    if isinstance(value, Mapping):
        if key in MAPS:
            return dict(value)
        body = {snake(k): terraform_values(v, snake(k), top=False) for k, v in value.items()}
        return body if top else [body]
    if isinstance(value, list):
        out: list[Any] = []
        for item in value:
            converted = terraform_values(item, key, top=False)
            out.extend(converted if isinstance(item, Mapping) else [converted])
        return out
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


REDACTED = "REDACTED"


def redact(value: Any) -> Any:
    """Every string of a secret input replaced: a plan on disk never holds a password or a key."""
    if isinstance(value, Mapping):
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return REDACTED if isinstance(value, str) else value


def hide_secrets(value: Any) -> Any:
    """Secret envelopes anywhere in the inputs, redacted (their shape kept)."""
    if isinstance(value, Mapping):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return redact(value.get("value"))
        return {k: hide_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [hide_secrets(v) for v in value]
    return value


def terraform_plan(resources: Iterable[StackResource]) -> dict[str, Any]:
    """A plan checkov reads with `--framework terraform_plan`; resources with no Terraform twin are left out."""
    planned, changes, used = [], [], set()
    for r in resources:
        kind = terraform_type(r.type)
        if kind is None or not r.custom:
            continue
        name = re.sub(r"[^a-zA-Z0-9_]", "_", r.name)
        while f"{kind}.{name}" in used:
            name += "_"
        address = f"{kind}.{name}"
        used.add(address)
        values = terraform_values({k: redact(v) if k in r.secret_inputs else hide_secrets(v)
                                   for k, v in r.properties.items()})
        common = {"address": address, "mode": "managed", "type": kind, "name": name,
                  "provider_name": "registry.terraform.io/hashicorp/aws"}
        planned.append({**common, "schema_version": 0, "values": values})
        changes.append({**common, "change": {"actions": ["create"], "before": None, "after": values,
                                             "after_unknown": {}}})
    return {"format_version": "1.2", "terraform_version": "1.9.8",
            "planned_values": {"root_module": {"resources": planned}},
            "resource_changes": changes, "configuration": {"root_module": {}}}
