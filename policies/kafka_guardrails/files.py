"""File front ends: what other tools produce, as the engine's resources (a whole stack each), so
joins across resources work on files as they do in the policy pack.

Each returns Resources in their own dialect; `dialects.canonical` converts them once when a rule
first reads them. Locations (`file:line` where known) travel with each resource for reports.
"""
from __future__ import annotations

import json
import re
from typing import Any, Iterable, Mapping, Optional

from .dialects import manifest_resource, terraform_reference
from .model import Resource
from .values import Param, Ref

_UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

def clean(value: Any) -> Any:
    """Plain JSON values out of a parser's nodes: the `__startline__`-style keys parsers add at
    every level dropped, and their str/int/float node subclasses turned into the plain types."""
    if isinstance(value, Mapping):
        return {str(k) if isinstance(k, str) else k: clean(v) for k, v in value.items()
                if not (isinstance(k, str) and k.startswith("__"))}
    if isinstance(value, list):
        return [clean(v) for v in value]
    if isinstance(value, str) and type(value) is not str and not isinstance(value, (Ref, Param)):
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool) and type(value) is not int:
        return int(value)
    if isinstance(value, float) and type(value) is not float:
        return float(value)
    return value


# --- Terraform plan JSON (`terraform show -json plan.out`) -------------------------------------


def _module_resources(module: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    yield from module.get("resources") or []
    for child in module.get("child_modules") or []:
        yield from _module_resources(child)


def _config_resources(module: Mapping[str, Any], prefix: str = "",
                      calls: Optional[dict[str, Mapping[str, Any]]] = None) -> dict[str, Mapping[str, Any]]:
    """configuration.root_module resources by address, module calls included; `calls` collects each
    module call's configuration by its address prefix (`module.kafka.`), for its outputs."""
    out = {}
    for item in module.get("resources") or []:
        out[f"{prefix}{item.get('address')}"] = item
    for name, call in (module.get("module_calls") or {}).items():
        child = call.get("module") or {}
        if calls is not None:
            calls[f"{prefix}module.{name}."] = child
        out.update(_config_resources(child, f"{prefix}module.{name}.", calls))
    return out


def _references(texts: Iterable[Any], prefix: str, calls: Mapping[str, Mapping[str, Any]],
                depth: int = 0) -> list[Ref]:
    """Join keys of a configuration's references, inside the module they are written in: a resource
    of a child module is `tf:module.<name>.<type>.<name>`, and a module output is followed to the
    resources its expression names."""
    out: list[Ref] = []
    for text in texts:
        if not isinstance(text, str):
            continue
        if text.startswith("module.") and depth < 16:
            parts = text.split(".")
            call = calls.get(f"{prefix}module.{parts[1].split('[')[0]}.") if len(parts) >= 3 else None
            output = ((call or {}).get("outputs") or {}).get(parts[2].split("[")[0]) if len(parts) >= 3 else None
            found = ((output or {}).get("expression") or {}).get("references") or []
            out += _references(found, f"{prefix}module.{parts[1].split('[')[0]}.", calls, depth + 1)
            continue
        ref = terraform_reference(text)
        if ref is not None:
            out.append(Ref(f"tf:{prefix}{ref.removeprefix('tf:')}"))
    return list(dict.fromkeys(out))


def _fill(values: Any, expressions: Any, prefix: str = "",
          calls: Optional[Mapping[str, Mapping[str, Any]]] = None) -> Any:
    """Put a Ref where the plan leaves a value unknown but the configuration names the resource it
    comes from, at any depth (`default_action[0].target_group_arn` included), in child modules too."""
    if isinstance(expressions, list):
        if not isinstance(values, list):
            values = [{} for _ in expressions]
        return [_fill(values[i] if i < len(values) else {}, e, prefix, calls) for i, e in enumerate(expressions)]
    if not isinstance(expressions, Mapping):
        return values
    if "references" in expressions and isinstance(expressions["references"], list):
        refs = _references(expressions["references"], prefix, calls or {})
        if values in (None, "", []) and refs:
            return refs[0] if len(refs) == 1 else refs
        return values
    if "constant_value" in expressions or not isinstance(values, (Mapping, type(None))):
        return values
    out = dict(values) if isinstance(values, Mapping) else {}
    for key, expression in expressions.items():
        out[key] = _fill(out.get(key), expression, prefix, calls)
        if out[key] in (None, {}, []) and key not in (values or {}):
            del out[key]
    return out


_INDEX = re.compile(r"\[[^\]]*\]")


def terraform_plan(plan: Mapping[str, Any], path: str = "") -> list[Resource]:
    """Managed resources of a plan, their unknown-after-apply references filled from the config."""
    calls: dict[str, Mapping[str, Any]] = {}
    config = _config_resources((plan.get("configuration") or {}).get("root_module") or {}, "", calls)
    out = []
    for item in _module_resources((plan.get("planned_values") or {}).get("root_module") or {}):
        if item.get("mode", "managed") != "managed":
            continue
        address = str(item.get("address"))
        unindexed = _INDEX.sub("", address)
        prefix = unindexed[:len(unindexed) - len(f"{item.get('type')}.{item.get('name')}")]
        values = _fill(dict(item.get("values") or {}), (config.get(unindexed) or {}).get("expressions") or {},
                       prefix, calls)
        out.append(Resource(str(item.get("type")), values, name=f"tf:{unindexed}",
                            location=path))
    return out


# --- CloudFormation ---------------------------------------------------------------------------

def _parameters(template: Mapping[str, Any]) -> dict[str, Any]:
    """name -> its default as the engine reads it: a Param (judged by the default, known to be
    overridable), a list of them for list types, a number, or unknown when there is no default."""
    out: dict[str, Any] = {}
    for name, spec in (template.get("Parameters") or {}).items():
        if not isinstance(spec, Mapping):
            continue
        allowed = tuple(str(v) for v in spec.get("AllowedValues") or [] if isinstance(v, (str, int)))
        default = spec.get("Default")
        kind = str(spec.get("Type", "String"))
        if default is None:
            out[name] = _UNKNOWN_STRING
        elif isinstance(default, (int, float)) and not isinstance(default, bool):
            out[name] = default
        elif kind.startswith("List<") or kind == "CommaDelimitedList":
            items = default if isinstance(default, list) else str(default).split(",")
            out[name] = [Param.of(str(item).strip(), name, allowed) for item in items]
        else:
            out[name] = Param.of(str(default), name, allowed)
    return out


def _with_parameters(value: Any, parameters: Mapping[str, Any]) -> Any:
    if isinstance(value, Mapping):
        if len(value) == 1 and isinstance(value.get("Ref"), str) and value["Ref"] in parameters:
            return parameters[value["Ref"]]
        out = {k: _with_parameters(v, parameters) for k, v in value.items()}
        select = out.get("Fn::Select") if len(out) == 1 else None
        if isinstance(select, list) and len(select) == 2 and isinstance(select[1], list):
            index = select[0]
            if isinstance(index, str) and index.isdigit():
                index = int(index)
            if isinstance(index, int) and 0 <= index < len(select[1]):
                return select[1][index]  # !Select over a list parameter, as CloudFormation reads it
        return out
    if isinstance(value, list):
        return [_with_parameters(v, parameters) for v in value]
    return value


def cloudformation(template: Mapping[str, Any], path: str = "") -> list[Resource]:
    """Resources of a template; a `Ref` to a parameter reads as its default (a `Param`)."""
    out = []
    parameters = _parameters(template)
    for logical, body in (template.get("Resources") or {}).items():
        if not isinstance(body, Mapping):
            continue
        line = body.get("__startline__")
        props = clean(body.get("Properties")) if isinstance(body.get("Properties"), Mapping) else {}
        if parameters:
            props = _with_parameters(props, parameters)
        out.append(Resource(str(body.get("Type")), props, name=f"cfn:{logical}",
                            location=f"{path}:{line}" if path and line else path or logical))
    return out


# --- Kubernetes manifests ---------------------------------------------------------------------

def manifests(docs: Iterable[Any], path: str = "") -> list[Resource]:
    """Every object of a stream of documents; `kind: List` and `*List` items are unpacked."""
    out = []
    for doc in docs:
        if not isinstance(doc, Mapping) or "kind" not in doc:
            continue
        kind = str(doc.get("kind"))
        if kind == "List" or (kind.endswith("List") and isinstance(doc.get("items"), list)):
            out.extend(manifests(doc.get("items") or [], path))
            continue
        line = doc.get("__startline__")
        out.append(manifest_resource(clean(doc), f"{path}:{line}" if path and line else path))
    return out


# --- Pulumi: `pulumi preview --json` and `pulumi stack export` ------------------------------------

_SECRET_SIG = "4dabf18193072939515e22adb298388d"
_STRING_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def _unsecret(value: Any, found: Optional[list[str]] = None) -> Any:
    """Pulumi's secret envelopes: the value when it is there in plain text (`--show-secrets` writes it
    JSON-encoded), else not known (a ciphertext). Plain-text secret strings are collected in `found`
    so that reports can keep them out of what they print."""
    if isinstance(value, Mapping):
        if value.get(_SECRET_SIG) == "1b47061264138c4ac30d75fd1eb44270":
            if "plaintext" not in value:
                return _STRING_UNKNOWN
            plain = value["plaintext"]
            if isinstance(plain, str):
                try:
                    plain = json.loads(plain)
                except ValueError:
                    pass
            inner = _unsecret(plain, found)
            if found is not None:
                found.extend(_strings(inner))
            return inner
        return {k: _unsecret(v, found) for k, v in value.items()}
    if isinstance(value, list):
        return [_unsecret(v, found) for v in value]
    return value


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, Mapping):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [str(value)] if isinstance(value, (int, float)) and not isinstance(value, bool) else []


def _pulumi_resource(state: Mapping[str, Any], path: str) -> Optional[Resource]:
    kind = str(state.get("type", ""))
    if not kind or kind.startswith("pulumi:"):
        return None
    found = state.get("inputs")
    inputs: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    urn = str(state.get("urn", ""))
    deps = {k: list(v) for k, v in (state.get("propertyDependencies") or {}).items() if isinstance(v, list)}
    secrets: list[str] = []
    props = dict(inputs)
    # What other resources' inputs point at is often only in the state's outputs (ids and ARNs, in each
    # provider's own names): carry those identities, never other outputs, so joins can follow them.
    outputs = state.get("outputs") if isinstance(state.get("outputs"), Mapping) else {}
    for key in _IDENTITIES:
        value = state.get("id") if key == "id" else outputs.get(key)  # type: ignore[union-attr]
        if isinstance(value, str) and value and key not in props:
            props[key] = value
    resource = Resource(kind, _unsecret(props, secrets), name=urn.rsplit("::", 1)[-1], urn=urn,
                        property_dependencies=deps, location=path, custom=state.get("custom") is not False)
    resource.secrets = tuple(sorted(set(secrets), key=len, reverse=True))
    return resource


_IDENTITIES = ("id", "arn", "loadBalancerArn", "targetGroupArn", "listenerArn", "groupId", "prefixListId")

_NO_STATE = ("the step carries no inputs (an unchanged `same` step of `pulumi preview --json` without "
             "`--show-sames`): run `pulumi preview --json --show-sames`, or judge `pulumi stack export`")


def pulumi_preview(document: Mapping[str, Any], path: str = "",
                   unread: Optional[list[tuple[str, str]]] = None) -> list[Resource]:
    """The steps of `pulumi preview --json`: each resource's new state (inputs as the engine sends them);
    an unchanged (`same`) step's old state when the new one is not given. A step with neither is
    listed in `unread`: it is never passed as if it had been judged."""
    out = []
    for step in document.get("steps") or []:
        if not isinstance(step, Mapping) or step.get("op") in ("delete", "delete-replaced", "discard"):
            continue
        state = step.get("newState") or (step.get("oldState") if step.get("op") in ("same", "refresh", "read")
                                         else None) or {}
        urn = str(step.get("urn") or (state.get("urn") if isinstance(state, Mapping) else "") or "")
        if not isinstance(state, Mapping) or "inputs" not in state:
            if unread is not None and not urn.split("::")[2:3] == ["pulumi:pulumi:Stack"] \
                    and "::pulumi:providers:" not in urn:
                unread.append((urn or path, _NO_STATE))
            continue
        resource = _pulumi_resource({**state, "urn": state.get("urn") or urn}, path)
        if resource is not None:
            out.append(resource)
    return out


def pulumi_state(document: Mapping[str, Any], path: str = "",
                 unread: Optional[list[tuple[str, str]]] = None) -> list[Resource]:
    """The resources of `pulumi stack export` (checkpoint version 3)."""
    deployment = document.get("deployment") or document.get("checkpoint", {}).get("latest") or {}
    out = []
    for state in deployment.get("resources") or []:
        if isinstance(state, Mapping) and not state.get("delete"):
            resource = _pulumi_resource(state, path)
            if resource is not None:
                out.append(resource)
    return out


FRONT_ENDS = {"terraform-plan": terraform_plan, "cloudformation": cloudformation, "pulumi-preview": pulumi_preview,
              "pulumi-state": pulumi_state}


def detect(document: Any) -> Optional[str]:
    """Which front end a parsed document needs: terraform-plan, cloudformation, pulumi-preview,
    pulumi-state, kubernetes; None for anything else."""
    if isinstance(document, Mapping):
        if "planned_values" in document or "resource_changes" in document:
            return "terraform-plan"
        if "Resources" in document and isinstance(document.get("Resources"), Mapping):
            return "cloudformation"
        if isinstance(document.get("steps"), list) and ("changeSummary" in document or "config" in document
                                                          or any(isinstance(s, Mapping) and "urn" in s
                                                                 for s in document["steps"])):
            return "pulumi-preview"
        if isinstance(document.get("deployment"), Mapping) and "version" in document:
            return "pulumi-state"
        if "apiVersion" in document and "kind" in document:
            return "kubernetes"
    return None
