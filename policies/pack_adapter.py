"""Turns the engine's rules into pulumi-policy policies.

Unknown values: pulumi-policy's proxy raises on them. We read the properties through
its public mapping interface and keep unknowns as the engine's UNKNOWN, so a known
world-open entry is still reported when a neighbouring value is unknown. A verdict that
only unknowns block is raised as UnknownValueError, which pulumi-policy reports as an
ADVISORY "can't run during preview" note, carrying our message.
"""
from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from typing import Any, Callable

from pulumi_policy import (EnforcementLevel, PolicyConfigSchema, ResourceValidationPolicy,
                           StackValidationPolicy)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from kafka_guardrails import (ADVISORY, MANDATORY, RULES, Finding, Resource, Rule, SettingsError, Stack,
                              from_config)
from kafka_guardrails.rules import run
from kafka_guardrails.values import UNKNOWN

CONFIG_SCHEMA = PolicyConfigSchema(properties={
    "ports": {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 65535},
              "description": "Kafka/ZooKeeper ports to guard; replaces the default list."},
    "extraPorts": {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 65535},
                   "description": "Ports guarded in addition to the default list."},
    "ipv4PublicPrefix": {"type": "integer", "minimum": 0, "maximum": 32,
                         "description": "A routable IPv4 block this wide or wider is public."},
    "ipv6PublicPrefix": {"type": "integer", "minimum": 0, "maximum": 128,
                         "description": "A routable IPv6 block this wide or wider is public."},
    "harmlessTypes": {"type": "array", "items": {"type": "string", "minLength": 1},
                      "description": "Type names or globs known to open no network path (kafka-coverage)."},
    "versionsAsOf": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
                     "description": "Judge Kafka versions on this day (YYYY-MM-DD); default: the day of the run."},
})

_LEVELS = {MANDATORY: EnforcementLevel.MANDATORY, ADVISORY: EnforcementLevel.ADVISORY}
_settings_cache: dict[str, Any] = {}


def plain(value: Any) -> Any:
    """Copy pulumi-policy's proxies into plain data. Unknowns stay as the engine's sentinel
    strings, which the engine reads as unknown; the proxies' raw target is used when offered
    (fast), else their public mapping interface."""
    if isinstance(value, Mapping):
        try:
            target = value["__target"]
        except (KeyError, UnknownValueError):
            target = None
        if isinstance(target, dict):
            return {key: plain(item) for key, item in target.items()}
        out = {}
        for key in value:
            try:
                out[key] = plain(value[key])
            except UnknownValueError:
                out[key] = UNKNOWN
        return out
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        try:
            target = value["__target"]
        except (KeyError, TypeError, IndexError, UnknownValueError):
            target = None
        if isinstance(target, list):
            return [plain(item) for item in target]
        items = []
        for index in range(len(value)):
            try:
                items.append(plain(value[index]))
            except UnknownValueError:
                items.append(UNKNOWN)
        return items
    return value


def _preview() -> bool:
    return os.environ.get("PULUMI_DRY_RUN", "false") == "true"


def _settings(config: Mapping[str, Any]):
    key = json.dumps(dict(config), sort_keys=True, default=str) + str(_preview())
    if key not in _settings_cache:
        _settings_cache[key] = from_config(config, preview=_preview())
    return _settings_cache[key]


def _report(findings: list[Finding], report_violation: Callable, urn: str | None) -> None:
    deferred = [f for f in findings if f.unknown and f.level == ADVISORY]
    for finding in findings:
        if finding not in deferred:
            report_violation(finding.text(), urn)
    if deferred:
        error = UnknownValueError(UNKNOWN_STRING_VALUE, [deferred[0].path or "props"])
        error.message = " | ".join(f.text() for f in deferred)
        raise error


def _resource_policy(rule: Rule) -> ResourceValidationPolicy:
    def validate(args, report_violation) -> None:
        if args.resource_type not in rule.types:
            return
        try:
            settings = _settings(args.get_config())
        except SettingsError as error:
            report_violation(f"[{rule.id}] invalid policy config: {error}")
            return
        props = plain(args.props)
        # A component reaches the pack without a provider and, in Python and TypeScript, without inputs.
        custom = args.provider is not None or bool(props) or args.resource_type.startswith("pulumi:")
        resource = Resource(args.resource_type, props, args.name, args.urn, custom=custom)
        _report(run(rule, resource, settings), report_violation, None)

    return ResourceValidationPolicy(
        name=rule.name, description=f"{rule.id}: {rule.title}", validate=validate,
        enforcement_level=_LEVELS[rule.level], config_schema=CONFIG_SCHEMA,
        remediation_steps=rule.fix)


def _stack_policy(rule: Rule) -> StackValidationPolicy:
    def validate(args, report_violation) -> None:
        try:
            settings = _settings(args.get_config())
        except SettingsError as error:
            report_violation(f"[{rule.id}] invalid policy config: {error}")
            return
        types = rule.types
        resources = Stack([
            Resource(r.resource_type, plain(r.props), r.name, r.urn,
                     {k: [d.urn for d in deps] for k, deps in (r.property_dependencies or {}).items()})
            for r in args.resources if r.resource_type in types
        ])
        findings = run(rule, resources, settings)
        for finding in findings:
            urn = finding.resource if finding.resource.startswith("urn:") else None
            report_violation(finding.text(), urn)

    return StackValidationPolicy(
        name=rule.name, description=f"{rule.id}: {rule.title}", validate=validate,
        enforcement_level=_LEVELS[rule.level], config_schema=CONFIG_SCHEMA,
        remediation_steps=rule.fix)


def build_policies() -> list:
    """One pulumi policy per engine rule, in the registry's stable order."""
    return [_stack_policy(r) if r.stack else _resource_policy(r) for r in RULES]


def report_pack_version() -> str:
    """pulumi-policy answers GetAnalyzerInfo with version 0.0.1 whatever the pack says (the CLI reads
    PulumiPolicy.yaml instead); answer with PulumiPolicy.yaml's version — the package's — so every
    consumer of the protocol sees the one version."""
    import re
    from pathlib import Path

    import pulumi_policy.policy as policy

    meta = (Path(__file__).resolve().parent / "PulumiPolicy.yaml").read_text(encoding="utf-8")
    found = re.search(r"(?m)^version:\s*['\"]?([^'\"\s]+)", meta)
    version = found.group(1) if found else "0.0.0"
    servicer = policy._PolicyAnalyzerServicer
    original = servicer.__init__

    def init(self: Any, name: str, _version: str, *rest: Any, **options: Any) -> None:
        original(self, name, version, *rest, **options)

    servicer.__init__ = init  # type: ignore[method-assign]
    return version
