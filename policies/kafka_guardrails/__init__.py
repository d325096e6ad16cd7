"""kafka_guardrails: the rule engine behind the policy pack, the checkov checks and the
components. Pure Python with no Pulumi or checkov import, so every front end shares it.

    forms/       one module per family of resource forms (the form registry)
    dialects.py  Terraform / CloudFormation / manifests -> the canonical shape, once per resource
    rules.py     the rule registry; exposure.py, msk.py, k8s.py declare the rules
"""
from typing import Any

from . import forms  # noqa: F401 - registers every form
from . import coverage, exposure, fallback, k8s, log_rules, msk, topic_rules, version_rules  # noqa: F401 - registers every rule
from .model import ADVISORY, MANDATORY, Finding, Resource
from .registry import FORMS, Form
from .rules import RULES, Issue, Rule, judge_resource, judge_stack
from .settings import DEFAULT_PORTS, Settings, SettingsError, from_config
from .stack import Stack

__all__ = [
    "ADVISORY", "MANDATORY", "DEFAULT_PORTS", "FORMS", "Finding", "Form", "Issue", "Resource", "Rule", "RULES",
    "Settings", "SettingsError", "Stack", "cache_stats", "clear_caches", "from_config", "judge_resource",
    "judge_stack",
]


def _caches() -> list[Any]:
    from . import cidr, dialects, ports, versions
    return [*cidr.CACHES, dialects.camel, dialects.cfn_key, ports.port_range, versions.parse, versions._judged]


def clear_caches() -> None:
    """Forget every memo (parsed prefixes, key spellings, port ranges): benchmarks start cold."""
    for cache in _caches():
        cache.cache_clear()
    RULES.clear()


def cache_stats() -> tuple[int, int]:
    """(hits, misses) over every memo since the last clear."""
    infos = [cache.cache_info() for cache in _caches()]
    return sum(i.hits for i in infos), sum(i.misses for i in infos)
