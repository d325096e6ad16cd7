"""The kafka-guardrails rule engine as checkov custom checks, derived from its registries.

One check per engine resource rule and framework (ids `CKV_KAFKA_NET_001`, `CKV_KAFKA_MSK_00N`,
`CKV_KAFKA_K8S_00N`), each supporting exactly the type names the form registry lists for the
model the rule reads. CKV_KAFKA_NET_001 also fails a resource that a stack join names (a load
balancer chain, a prefix list, a named target port…): the whole Terraform graph (HCL or plan), or
the whole CloudFormation template or manifest file, is judged once with the engine's stack rules.

Fail closed: when the engine cannot be loaded or a KAFKA_GUARDRAILS_* variable is bad, every
check id still loads and fails every resource with the reason, so the run cannot pass silently.
"""
from __future__ import annotations

import os
import sys
from typing import Any, Optional

from checkov.common.models.enums import CheckCategories, CheckResult

HERE = os.path.dirname(os.path.abspath(__file__))
FALLBACK_IDS = ("CKV_KAFKA_NET_001", "CKV_KAFKA_NET_003", *(f"CKV_KAFKA_MSK_00{i}" for i in range(1, 9)), "CKV_KAFKA_K8S_001",
                "CKV_KAFKA_K8S_002", "CKV_KAFKA_VER_001", "CKV_KAFKA_VER_002", "CKV_KAFKA_TOPIC_001", "CKV_KAFKA_LOG_001")
ENV = {"ports": "KAFKA_GUARDRAILS_PORTS", "extraPorts": "KAFKA_GUARDRAILS_EXTRA_PORTS",
       "ipv4PublicPrefix": "KAFKA_GUARDRAILS_IPV4_PREFIX", "ipv6PublicPrefix": "KAFKA_GUARDRAILS_IPV6_PREFIX",
       "versionsAsOf": "KAFKA_GUARDRAILS_VERSIONS_AS_OF"}


def _import_engine():
    """The engine, wherever these checks were found: importable already; installed with secure-kafka
    (these checks are then kafka_guardrails/checkov inside it: load that package alone, without the
    rest of its site-packages, whose pins may clash with checkov's); or a checkout (policies/checkov
    next to policies/kafka_guardrails)."""
    try:
        import kafka_guardrails
        return kafka_guardrails
    except ImportError:
        pass
    parent = os.path.dirname(HERE)
    if os.path.basename(parent) == "kafka_guardrails" and os.path.exists(os.path.join(parent, "__init__.py")):
        import importlib.util
        spec = importlib.util.spec_from_file_location("kafka_guardrails", os.path.join(parent, "__init__.py"),
                                                      submodule_search_locations=[parent])
        module = importlib.util.module_from_spec(spec)
        sys.modules["kafka_guardrails"] = module
        spec.loader.exec_module(module)
        return module
    sys.path.insert(0, parent)
    import kafka_guardrails
    return kafka_guardrails


ALLOWED = {"ports": "comma-separated TCP ports 1-65535 such as 9092,9094",
           "extraPorts": "comma-separated TCP ports 1-65535 such as 8083",
           "ipv4PublicPrefix": "a prefix length from 0 to 32", "ipv6PublicPrefix": "a prefix length from 0 to 128",
           "versionsAsOf": "a date as YYYY-MM-DD"}


def settings_from_env(engine: Any, environ: Any = os.environ) -> Any:
    """The pack's config keys from KAFKA_GUARDRAILS_* variables; a bad value names the variable."""
    config: dict[str, Any] = {}
    for key, name in ENV.items():
        raw = environ.get(name)
        if raw is None or raw.strip() == "":
            continue
        try:
            value: Any = [int(p) for p in raw.split(",") if p.strip()] if key in ("ports", "extraPorts") else \
                raw.strip() if key == "versionsAsOf" else int(raw)
            engine.from_config({key: value})
        except ValueError:  # SettingsError is one
            raise engine.SettingsError(f"{name}={raw!r} is not allowed: use {ALLOWED[key]}") from None
        config[key] = value
    return engine.from_config(config)


ENGINE: Any = None
SETTINGS: Any = None
ERROR: Optional[str] = None
try:
    ENGINE = _import_engine()
    SETTINGS = settings_from_env(ENGINE)
except Exception as error:  # noqa: BLE001 - reported on every resource, below
    ERROR = f"kafka-guardrails cannot run: {error}"
    print(ERROR, file=sys.stderr)


def check_id(rule: Any) -> str:
    """KAFKA-MSK-004 -> CKV_KAFKA_MSK_004."""
    return "CKV_" + rule.id.replace("-", "_")


def _name(rule: Any) -> str:
    return f"Ensure {rule.title[0].lower()}{rule.title[1:]} ({rule.id})"


# --- the whole file or graph, for the joins -------------------------------------------------------

_JOINED: dict[Any, dict[str, list]] = {}


def _joined(key: Any, load) -> dict[str, list]:
    """label -> messages of the stack findings (KAFKA-NET-001 joins) naming it, computed once per key."""
    if key not in _JOINED:
        resources = load()
        rule = ENGINE.RULES["kafka-no-public-port-combined"]
        found: dict[str, list] = {}
        for finding in ENGINE.judge_stack(resources, SETTINGS, [rule]):
            for label in finding.resources:
                found.setdefault(label, []).append(finding.message)
        _JOINED[key] = found
    return _JOINED[key]


def _terraform_graph(graph: Any) -> list:
    """Resources of checkov's Terraform graph (HCL or plan), as the engine's Terraform dialect."""
    out = []
    nodes = graph.nodes() if graph is not None else []
    for node in nodes:
        attrs = node[1] if isinstance(node, tuple) else node
        if not isinstance(attrs, dict) or attrs.get("block_type_") != "resource":
            continue
        kind = attrs.get("resource_type")
        config = (attrs.get("config_") or {}).get(kind) or {}
        for name, conf in config.items():
            address = attrs.get("__address__") or f"{kind}.{name}"
            out.append(ENGINE.Resource(kind, conf, name=f"tf:{address}"))
    return out


def _resolve(path: str) -> Optional[str]:
    """The file checkov names in an entity path, wherever checkov was started from. checkov writes
    it relative to its -d root, or to the working directory for -f, with a leading '/'."""
    relative = path.lstrip("/")
    candidates = [path, relative]
    argv = sys.argv
    for index, arg in enumerate(argv[:-1]):
        if arg in ("-d", "--directory", "-f", "--file"):
            for value in argv[index + 1].split(","):
                value = value.strip()
                candidates += [os.path.join(value, relative), os.path.join(os.path.dirname(value), relative)]
                if os.path.isfile(value) and os.path.abspath(value).endswith(os.sep + relative):
                    candidates.append(value)
    for candidate in candidates:
        if candidate and os.path.isfile(candidate):
            return os.path.abspath(candidate)
    return None


def _terraform_plan_file(path: str) -> list:
    import json
    from kafka_guardrails.files import terraform_plan
    with open(path, encoding="utf-8") as handle:
        return terraform_plan(json.load(handle), path)


def _cloudformation_file(path: str) -> list:
    from checkov.cloudformation.parser import parse
    from kafka_guardrails.files import cloudformation
    template, _ = parse(path)
    return cloudformation(template if isinstance(template, dict) else {}, path)


def _kubernetes_file(path: str) -> list:
    from checkov.kubernetes.parser.parser import parse
    from kafka_guardrails.files import manifests
    parsed = parse(path)
    return manifests(parsed[0] if parsed else [], path)


# --- the checks ------------------------------------------------------------------------------------

def _verdict(check: Any, resource: Any, rule: Any, joined: dict[str, list]) -> CheckResult:
    findings = ENGINE.rules.run(rule, resource, SETTINGS) if resource.type in rule.types else []
    messages = [f.message for f in findings] + joined.get(resource.label, [])
    check.details = messages
    return CheckResult.FAILED if messages else CheckResult.PASSED


def _failing(check: Any) -> CheckResult:
    check.details = [ERROR]
    return CheckResult.FAILED


def _check_class(base: type, category: Any, entities: str, read: Any) -> type:
    """One check class per checkov framework: the frameworks differ only in their base class, the keyword
    naming the types, and how a scanned entity becomes an engine resource (`read(check, conf)` gives it and
    the stack findings joined to it)."""

    class EngineCheck(base):
        def __init__(self, rule: Any, check: str, types: tuple) -> None:
            self.rule = rule
            super().__init__(name=_name(rule) if rule else f"kafka-guardrails ({check})", id=check,
                             categories=(category,), **{entities: types})

        def _scan(self, conf):
            if ERROR:
                return _failing(self)
            resource, joined = read(self, conf)
            return _verdict(self, resource, self.rule, joined)

        scan_resource_conf = scan_spec_conf = _scan

    return EngineCheck


def _terraform_resource(check: Any, conf: dict) -> tuple:
    address = conf.get("__address__") or check.entity_path.rsplit(":", 1)[-1]
    resource = ENGINE.Resource(check.entity_type, conf, name=f"tf:{address.split('[')[0]}")
    joined: dict = {}
    if check.rule.id == "KAFKA-NET-001":
        path = _resolve(check.entity_path.split(f":{check.entity_type}:")[0]) or ""
        if path.endswith(".json"):  # a plan: our own reader follows nested references too
            joined = _joined(("tfplan", path), lambda: _terraform_plan_file(path))
        elif check.graph is not None:
            joined = _joined(("tf", id(check.graph)), lambda: _terraform_graph(check.graph))
    return resource, joined


def _cloudformation_resource(check: Any, conf: dict) -> tuple:
    from kafka_guardrails.files import clean
    kind = conf.get("Type", check.entity_type)
    where, _, logical = check.entity_path.partition(f":{kind}:")
    resource = ENGINE.Resource(kind, clean(conf.get("Properties") or {}), name=f"cfn:{logical}")
    joined: dict = {}
    if check.rule.id == "KAFKA-NET-001":
        path = _resolve(where) or ""
        if path:
            joined = _joined(("cfn", path), lambda: _cloudformation_file(path))
    return resource, joined


def _kubernetes_resource(check: Any, conf: dict) -> tuple:
    from kafka_guardrails.dialects import manifest_resource
    from kafka_guardrails.files import clean
    resource = manifest_resource(clean(conf))
    joined: dict = {}
    if check.rule.id == "KAFKA-NET-001":
        path = _resolve(check.entity_path.split(f":{conf.get('kind')}:")[0]) or ""
        if path:
            joined = _joined(("k8s", path), lambda: _file_stack(("k8s", path), lambda: _kubernetes_file(path)))
    return resource, joined


def terraform_checks() -> list:
    from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
    return _make(_check_class(BaseResourceCheck, CheckCategories.NETWORKING, "supported_resources",
                              _terraform_resource), "terraform")


def cloudformation_checks() -> list:
    from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
    return _make(_check_class(BaseResourceCheck, CheckCategories.NETWORKING, "supported_resources",
                              _cloudformation_resource), "cloudformation")


def kubernetes_checks() -> list:
    from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check
    return _make(_check_class(BaseK8Check, CheckCategories.KUBERNETES, "supported_entities",
                              _kubernetes_resource), "kubernetes")


_FILES: dict[Any, list] = {}


def _file_stack(key: Any, load) -> list:
    if key not in _FILES:
        _FILES[key] = load()
    return _FILES[key]


# Rules that are advisory by nature and would only fail checkov runs where the gate warns: checkov
# renders a CloudFormation parameter's default itself, and has no advisory level.
NOT_CHECKS = frozenset({"kafka-overridable-source"})


def _make(cls: Any, framework: str) -> list:
    """One check per engine resource rule with types in this framework; all failing if broken."""
    if ERROR:
        return [cls(None, check, ("*",)) for check in FALLBACK_IDS]
    from kafka_guardrails import FORMS
    from kafka_guardrails.registry import UNIVERSAL
    out = []
    for rule in ENGINE.RULES.resource_rules():
        if rule.name in NOT_CHECKS:
            continue
        if rule.model in UNIVERSAL:
            # The generic detector reads every type no form claims; coverage is the gate's own
            # accounting (checkov lists what it checked itself), so it is not a check here.
            if rule.model == "fallback":
                out.append(cls(rule, check_id(rule), ("*",)))
            continue
        if framework == "kubernetes":
            types = tuple(sorted({kind for form in FORMS if set(form.models) & {rule.model} for kind in form.kinds}))
        else:
            types = tuple(sorted(FORMS.types(framework, [rule.model])))
        if types:
            out.append(cls(rule, check_id(rule), types))
    return out
