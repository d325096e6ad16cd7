"""Shared by our checkov checks: find the rule engine next to this folder and judge with it.

Terraform (HCL and plan), CloudFormation and Kubernetes checks all end up in `judge`,
so checkov reports exactly what the Pulumi pack reports.
"""
from __future__ import annotations

import os
import sys
from typing import Any

try:
    import kafka_guardrails  # noqa: F401 - installed with the project
except ImportError:  # `checkov --external-checks-dir policies/checkov` from a checkout
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from checkov.common.models.enums import CheckResult  # noqa: E402
from kafka_guardrails import RULES, Resource, Settings, from_config, judge_resource  # noqa: E402

CHECK_ID = "CKV_KAFKA_NET_001"
CHECK_NAME = "Ensure no Kafka or ZooKeeper port is reachable from the internet (KAFKA-NET-001)"


def _settings() -> Settings:
    """Ports and bounds as the pack's config keys, from KAFKA_GUARDRAILS_* variables."""
    config: dict[str, Any] = {}
    for key, env in (("ports", "KAFKA_GUARDRAILS_PORTS"), ("extraPorts", "KAFKA_GUARDRAILS_EXTRA_PORTS")):
        if os.environ.get(env):
            config[key] = [int(p) for p in os.environ[env].split(",") if p.strip()]
    for key, env in (("ipv4PublicPrefix", "KAFKA_GUARDRAILS_IPV4_PREFIX"),
                     ("ipv6PublicPrefix", "KAFKA_GUARDRAILS_IPV6_PREFIX")):
        if os.environ.get(env):
            config[key] = int(os.environ[env])
    return from_config(config)


SETTINGS = _settings()


def judge(check: Any, type_: str, props: Any, name: str = "", rule_name: str = "") -> CheckResult:
    """PASSED or FAILED for one resource under one engine rule (KAFKA-NET-001 unless named)."""
    rules = [RULES[rule_name or "kafka-no-public-port"]]
    findings = judge_resource(Resource(type_, props if props is not None else {}, name=name), SETTINGS, rules)
    check.details = [f.message for f in findings]
    return CheckResult.FAILED if findings else CheckResult.PASSED


def check_id(rule_name: str) -> str:
    """KAFKA-MSK-004 -> CKV_KAFKA_MSK_004."""
    return "CKV_" + RULES[rule_name].id.replace("-", "_")


MSK_RULES = [r.name for r in RULES.resource_rules() if r.id.startswith("KAFKA-MSK")]
