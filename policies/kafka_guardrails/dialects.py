"""Front ends: each dialect is turned into the canonical shape once per resource.

Canonical = the Pulumi engine's inputs: camelCase keys, plain JSON values, Pulumi's unknown
sentinels for values not known yet, and `Ref` for a reference to another resource of the
same stack. Pulumi inputs and Kubernetes manifests are canonical already; Terraform (HCL as
checkov reads it, or plan JSON) and CloudFormation are converted here, so no rule ever tries
a second spelling.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Mapping, Optional

from .model import Resource
from .registry import FORMS, UNIVERSAL, Form
from .values import UNKNOWN, Ref

# --- Terraform -----------------------------------------------------------------------------

_TF_REFERENCE = re.compile(
    r"^\$?\{?(?:module\.[\w-]+\.)*(?:data\.)?([a-z][a-z0-9]*_[a-z0-9_]+)\.([A-Za-z_][\w-]*)"
    r"(?:\[[^\]]*\])?(?:\.[\w]+)?\}?$")
_TF_MAPS = frozenset({"tags", "tagsAll", "annotations", "labels", "selector", "matchLabels",
                      "data", "nodeSelector", "binaryData"})


@lru_cache(maxsize=4096)
def camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def terraform_reference(text: str) -> Optional[Ref]:
    """`aws_lb.front.arn`, `${aws_lb.front.id}` -> Ref('tf:aws_lb.front')."""
    found = _TF_REFERENCE.match(text.strip())
    if found is None:
        return None
    return Ref(f"tf:{found.group(1)}.{found.group(2)}")


def from_terraform(value: Any, form: Optional[Form] = None, path: str = "") -> Any:
    """snake_case -> camelCase; HCL's one-element wrapping of scalars and lists removed;
    references to other resources -> Ref; the form's renames applied by canonical path."""
    renames = form.renames if form else {}
    maps = _TF_MAPS | (form.maps if form else frozenset())
    return _tf(value, path, renames, maps)


def _tf(value: Any, path: str, renames: Mapping[str, str], maps: frozenset[Any]) -> Any:
    if isinstance(value, list):
        if len(value) == 1 and not isinstance(value[0], dict):
            return _tf(value[0], path, renames, maps)
        return [_tf(v, path, renames, maps) for v in value]
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str) or key.startswith("__") or key in _PARSER_KEYS:
                continue
            name = camel(key)
            full = f"{path}.{name}" if path else name
            name = renames.get(full, name)
            full = f"{path}.{name}" if path else name
            if name in maps:
                out[name] = _tf_map(item)
            else:
                out[name] = _tf(item, full, renames, maps)
        return out
    if isinstance(value, str):
        return terraform_reference(value) or value
    return value


_PARSER_KEYS = frozenset({"start_line", "end_line"})  # checkov's plan parser adds these to every object


def _tf_map(value: Any) -> Any:
    """A free-form map: keys kept as written, parser bookkeeping dropped, one-element values unwrapped."""
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        if isinstance(key, str) and (key.startswith("__") or key in _PARSER_KEYS):
            continue
        while isinstance(item, list) and len(item) == 1 and not isinstance(item[0], dict):
            item = item[0]
        out[key] = item
    return out


# --- CloudFormation ---------------------------------------------------------------------

_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z]|\d|$)|[A-Z]?[a-z]+|\d+|[A-Z]+")
_PSEUDO = frozenset({"AWS::Region", "AWS::AccountId", "AWS::StackName", "AWS::StackId",
                     "AWS::Partition", "AWS::URLSuffix", "AWS::NoValue", "AWS::NotificationARNs"})


@lru_cache(maxsize=4096)
def cfn_key(name: str) -> str:
    """PascalCase -> camelCase as aws-native spells it: DataVolumeKMSKeyId -> dataVolumeKmsKeyId."""
    words = _WORDS.findall(name)
    if not words:
        return name
    return str(words[0]).lower() + "".join(w[:1].upper() + w[1:].lower() if w.isupper() else w for w in words[1:])


# Properties whose values are documents of another language (IAM policy JSON): kept as written.
_CFN_VERBATIM = frozenset({"Policy", "PolicyDocument", "AssumeRolePolicyDocument", "KeyPolicy"})


def from_cloudformation(value: Any) -> Any:
    """Keys to aws-native's camelCase; Ref/GetAtt -> Ref; other intrinsics are not known; policy
    documents are kept as written."""
    if isinstance(value, list):
        return [from_cloudformation(v) for v in value]
    if isinstance(value, dict):
        if len(value) == 1:
            (key, arg), = value.items()
            if key == "Ref":
                return Ref(f"cfn:{arg}") if isinstance(arg, str) and arg not in _PSEUDO else UNKNOWN
            if key == "Fn::GetAtt":
                target = arg[0] if isinstance(arg, list) and arg else str(arg).split(".")[0]
                return Ref(f"cfn:{target}")
            if isinstance(key, str) and (key.startswith("Fn::") or key == "Condition"):
                return UNKNOWN
        return {cfn_key(k) if isinstance(k, str) else k: v if k in _CFN_VERBATIM else from_cloudformation(v)
                for k, v in value.items()}
    return value


# --- Kubernetes manifests -----------------------------------------------------------------

def kubernetes_token(api_version: Any, kind: Any) -> str:
    """apiVersion + kind -> the Pulumi token (`v1` + `Service` -> `kubernetes:core/v1:Service`)."""
    version = str(api_version or "v1")
    if "/" not in version:
        version = f"core/{version}"
    return f"kubernetes:{version}:{kind}"


def _as_map(value: Any) -> Any:
    """checkov's manifest reader turns `annotations` into a list of one-key maps: join them back."""
    if isinstance(value, list) and all(isinstance(item, dict) for item in value):
        merged: dict[str, Any] = {}
        for item in value:
            merged.update(item)
        return merged
    return value


def manifest_resource(doc: Mapping[str, Any], location: str = "") -> Resource:
    found = doc.get("metadata")
    meta: dict[str, Any] = found if isinstance(found, dict) else {}
    if any(isinstance(meta.get(key), list) for key in ("annotations", "labels")):
        meta = {**meta, **{key: _as_map(meta[key]) for key in ("annotations", "labels") if key in meta}}
        doc = {**doc, "metadata": meta}
    token = kubernetes_token(doc.get("apiVersion"), doc.get("kind"))
    name = f"{doc.get('kind')}/{meta.get('namespace') or 'default'}/{meta.get('name') or ''}"
    return Resource(token, dict(doc), name=name, location=location)


# --- one entry point ----------------------------------------------------------------------

def form_of(resource: Resource) -> Optional[Form]:
    if resource._form is None:
        found = FORMS.lookup(resource.type)
        resource._form = found if found is not None else False
    return resource._form[0] if resource._form else None


def canonical(resource: Resource) -> Any:
    """The resource's properties in the canonical shape, converted once and kept."""
    if resource._canonical is None:
        form_of(resource)
        props = resource.props
        dialect = resource._form[1] if resource._form else "pulumi"
        if dialect == "terraform":
            props = from_terraform(props, resource._form[0])
            if not resource.name and isinstance(resource.props, dict):
                address = resource.props.get("__address__")
                if isinstance(address, str):
                    resource.name = f"tf:{address}"
        elif dialect == "cloudformation":
            props = from_cloudformation(props)
        resource._canonical = props
    return resource._canonical


def model(resource: Resource, name: str) -> Any:
    """The model `name` (e.g. "net", "msk", "workload") of a resource, extracted once per judgement
    (or per stack); None when its form does not feed that model. The hot path: no helper calls."""
    models = resource._models
    if models is None:
        models = resource._models = {}
    else:
        found = models.get(name, _ABSENT)
        if found is not _ABSENT:
            return found
    registered = resource._form
    if registered is None:
        registered = resource._form = FORMS.lookup(resource.type) or False
    extractor = (registered[0].models.get(name) if registered else None) or UNIVERSAL.get(name)
    if extractor is None:
        models[name] = None
        return None
    props = resource._canonical
    if props is None:
        props = canonical(resource)
    models[name] = value = extractor(resource, props)
    return value


_ABSENT = object()
