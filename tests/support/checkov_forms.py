"""Turn the exposure table into what other tools read — Terraform plans, CloudFormation templates,
Kubernetes manifests — using the form registry's names for each dialect, and run the real checkov
CLI on them (its own virtualenv, offline)."""
from __future__ import annotations

import copy
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any, Optional

import yaml

from cases import CASES, STACKS, Case, StackCase
from kafka_guardrails import FORMS
from kafka_guardrails.dialects import kubernetes_token
from secure_kafka.model.naming import snake as snake_key
from table import set_path, steps

ROOT = Path(__file__).resolve().parents[2]
CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"
CHECKS = ROOT / "policies" / "checkov"
CHECK_ID = "CKV_KAFKA_NET_001"
FIXTURES = ROOT / "tests" / "fixtures" / "checkov"
MAPS = {"tags", "annotations", "labels", "selector", "matchLabels", "data", "limits", "requests"}


def _form(type_: str):
    found = FORMS.lookup(type_)
    return found[0] if found else None


# --- Terraform ----------------------------------------------------------------------------------

def terraform_type(type_: str) -> Optional[str]:
    """The Terraform twin of a case's type: the registry's pairing for bridged providers, the
    form's first Terraform name for Kubernetes tokens."""
    form = _form(type_)
    if form is None or not form.terraform:
        return None
    if type_.startswith("kubernetes:") and "helm.sh" not in type_:
        return form.terraform[0] if not type_.endswith("Patch") else None
    if type_.startswith("kubernetes:helm.sh/v3"):
        return form.terraform[0]
    return FORMS.terraform_type(type_)


def _inverse_renames(form) -> dict[str, str]:
    out = {}
    for path, canonical in form.renames.items():
        parent, _, tf_name = path.rpartition(".")
        out[f"{parent}.{canonical}" if parent else canonical] = tf_name
    return out


def to_terraform(value: Any, inverse: dict[str, str], path: str = "", top: bool = True) -> Any:
    """Canonical camelCase -> `terraform show -json` values: snake_case keys, nested objects as
    one-element block lists, the form's renames undone."""
    if isinstance(value, dict):
        body = {}
        for key, item in value.items():
            full = f"{path}.{key}" if path else key
            name = snake_key(inverse.get(full, key))
            body[name] = copy.deepcopy(item) if key in MAPS else to_terraform(item, inverse, full, top=False)
        return body if top else [body]
    if isinstance(value, list):
        out = []
        for item in value:
            converted = to_terraform(item, inverse, path, top=False)
            out.extend(converted if isinstance(item, dict) else [converted])
        return out
    return value


def terraform_values(type_: str, props: dict) -> dict:
    form = _form(type_)
    props = copy.deepcopy(props)
    props.pop("apiVersion", None)
    props.pop("kind", None)
    if type_.startswith("kubernetes:helm.sh"):  # helm_release takes values as YAML documents
        repo = (props.pop("repositoryOpts", None) or {}).get("repo")
        values = props.pop("values", {})
        out = to_terraform(props, {})
        if repo:
            out["repository"] = repo
        out["values"] = [yaml.safe_dump(values)]
        return out
    return to_terraform(props, _inverse_renames(form))


def tf_name(name: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_]", "_", name)


def _plan_entry(kind: str, name: str, values: dict) -> tuple[dict, dict]:
    address = f"{kind}.{name}"
    common = {"address": address, "mode": "managed", "type": kind, "name": name,
              "provider_name": f"registry.terraform.io/hashicorp/{kind.split('_')[0]}"}
    return ({**common, "schema_version": 0, "values": values},
            {**common, "change": {"actions": ["create"], "before": None, "after": values, "after_unknown": {}}})


def write_plan(path: Path, entries: list[tuple[dict, dict]]) -> Path:
    """A `terraform show -json` plan file of `_plan_entry` pairs (planned values and their changes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({
        "format_version": "1.2", "terraform_version": "1.9.8",
        "planned_values": {"root_module": {"resources": [p for p, _ in entries]}},
        "resource_changes": [c for _, c in entries]}))
    return path


def _expression(path: list, reference: list) -> Any:
    """A nested `configuration` expression naming `reference` at `path` (snake_case steps)."""
    head, *rest = path
    if isinstance(head, int):
        return [{}] * head + [_expression(rest, reference)] if rest else {"references": reference}
    if not rest or (len(rest) == 1 and isinstance(rest[0], int)):
        return {head: {"references": reference}}
    return {head: _expression(rest, reference)}


def _merge(a: Any, b: Any) -> Any:
    if isinstance(a, dict) and isinstance(b, dict):
        out = dict(a)
        for key, value in b.items():
            out[key] = _merge(a[key], value) if key in a else value
        return out
    if isinstance(a, list) and isinstance(b, list):
        return [_merge(a[i], b[i]) if i < len(a) and i < len(b) else (a[i] if i < len(a) else b[i])
                for i in range(max(len(a), len(b)))]
    return b


def terraform_plan(cases: list[Case] = (), stack: Optional[StackCase] = None) -> dict:
    planned, changes, config = [], [], []
    for case in cases:
        kind = terraform_type(case.type)
        values = terraform_values(case.type, case.props)
        p, c = _plan_entry(kind, tf_name(case.name), values)
        planned.append(p)
        changes.append(c)
    if stack is not None:
        kinds = {m.name: terraform_type(m.type) for m in stack.members}
        for member in stack.members:
            props = copy.deepcopy(member.props)
            expressions: dict = {}
            for path, target in member.refs.items():
                set_path(props, path, None)
                tf_steps = [snake_key(s) if isinstance(s, str) else s for s in steps(_tf_path(member.type, path))]
                reference = [f"{kinds[target]}.{tf_name(target)}.arn", f"{kinds[target]}.{tf_name(target)}"]
                expressions = _merge(expressions, _expression(tf_steps, reference))
            values = _strip_none(terraform_values(member.type, props))
            p, c = _plan_entry(kinds[member.name], tf_name(member.name), values)
            planned.append(p)
            changes.append(c)
            config.append({"address": p["address"], "mode": "managed", "type": p["type"], "name": p["name"],
                           "expressions": expressions})
    return {"format_version": "1.2", "terraform_version": "1.9.8",
            "planned_values": {"root_module": {"resources": planned}}, "resource_changes": changes,
            "configuration": {"root_module": {"resources": config}}}


def _tf_path(type_: str, path: str) -> str:
    inverse = _inverse_renames(_form(type_))
    parts, canonical, out = steps(path), "", []
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
            continue
        full = f"{canonical}.{part}" if canonical else part
        out.append(("." if out else "") + inverse.get(full, part))
        canonical = full
    return "".join(out)


def _strip_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_none(v) for k, v in value.items() if v is not None and v != [None]}
    if isinstance(value, list):
        return [_strip_none(v) for v in value if v is not None]
    return value


def tf_supported(case: Case | StackCase) -> bool:
    types = [case.type] if isinstance(case, Case) else [m.type for m in case.members]
    return case.checkov and all(terraform_type(t) for t in types)


# --- CloudFormation --------------------------------------------------------------------------------

def cfn_type(type_: str) -> Optional[str]:
    if type_.startswith("AWS::"):
        return type_
    form = _form(type_)
    if form is None or not form.cloudformation or not type_.startswith("aws-native:"):
        return None
    return form.cloudformation[0]


def _pascal(value: Any) -> Any:
    if isinstance(value, dict):
        return {k[:1].upper() + k[1:]: _pascal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_pascal(v) for v in value]
    return value


def cfn_id(name: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^a-zA-Z0-9]+", name))


def cloudformation(cases: list[Case] = (), stack: Optional[StackCase] = None) -> dict:
    resources = {}
    for case in cases:
        resources[cfn_id(case.name)] = {"Type": cfn_type(case.type), "Properties": _pascal(case.props)}
    for member in (stack.members if stack else ()):
        props = copy.deepcopy(member.props)
        for path, target in member.refs.items():
            set_path(props, path, {"Ref": cfn_id(target)})
        resources[cfn_id(member.name)] = {"Type": cfn_type(member.type), "Properties": _pascal(props)}
    return {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}


def cfn_supported(case: Case | StackCase) -> bool:
    types = [case.type] if isinstance(case, Case) else [m.type for m in case.members]
    return case.checkov and all(cfn_type(t) for t in types)


# --- Kubernetes manifests --------------------------------------------------------------------------

def manifest(type_: str, props: dict, name: Optional[str] = None) -> dict:
    doc = copy.deepcopy(props)
    _, version, kind = type_.split(":")
    doc.setdefault("apiVersion", version.removeprefix("core/"))
    doc.setdefault("kind", kind)
    assert kubernetes_token(doc["apiVersion"], doc["kind"]) == type_
    if name:
        doc.setdefault("metadata", {})["name"] = name
    return doc


def k8s_supported(case: Case | StackCase) -> bool:
    types = [case.type] if isinstance(case, Case) else [m.type for m in case.members]
    return case.checkov and all(t.startswith("kubernetes:") and "helm.sh" not in t and not t.endswith("Patch")
                                for t in types)


def k8s_id(doc: dict) -> str:
    meta = doc.get("metadata") or {}
    return f"{doc['kind']}.{meta.get('namespace', 'default')}.{meta.get('name')}"


# --- running checkov --------------------------------------------------------------------------------

BASE_ENV = {"BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"}
# variables checkov may read as it is imported: a run that changes one gets a process of its own
_IMPORT_TIME_ENV = ("BC_", "CKV_", "CHECKOV_", "PRISMA_", "LOG_LEVEL", "PYTHON")


class _Zygote:
    """tests/support/checkov_zygote.py, started once per test process: checkov imported once, a forked
    child per run (the import is most of a run's CPU)."""

    def __init__(self, env: dict) -> None:
        import atexit
        import threading

        self.env, self.lock = env, threading.Lock()
        self.process = subprocess.Popen([str(CHECKOV.parent / "python"), str(Path(__file__).with_name("checkov_zygote.py"))],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
                                        start_new_session=True)
        atexit.register(self.close)

    def run(self, argv: list[str], cwd: Path, env: dict, timeout: float) -> subprocess.CompletedProcess:
        import select
        import tempfile

        with self.lock, tempfile.TemporaryDirectory() as scratch:
            out, err = Path(scratch) / "stdout", Path(scratch) / "stderr"
            assert self.process.stdin is not None and self.process.stdout is not None
            self.process.stdin.write(json.dumps({"argv": argv, "cwd": str(cwd), "env": env, "stdout": str(out),
                                                 "stderr": str(err)}) + "\n")
            self.process.stdin.flush()
            ready, _, _ = select.select([self.process.stdout], [], [], timeout)
            answer = self.process.stdout.readline() if ready else ""
            if not answer:
                self.close(kill=True)
                raise subprocess.TimeoutExpired([str(CHECKOV), *argv], timeout)
            code = json.loads(answer)["rc"]
            return subprocess.CompletedProcess([str(CHECKOV), *argv], code, out.read_text(errors="replace"),
                                               err.read_text(errors="replace"))

    def close(self, kill: bool = False) -> None:
        import signal

        global _ZYGOTE
        _ZYGOTE = None
        if self.process.poll() is None:
            if kill:
                os.killpg(self.process.pid, signal.SIGKILL)
            else:
                assert self.process.stdin is not None
                self.process.stdin.close()
            self.process.wait(30)


_ZYGOTE: Optional[_Zygote] = None


def _import_time(env: dict) -> dict:
    return {k: v for k, v in env.items() if k.startswith(_IMPORT_TIME_ENV)}


def checkov(argv: list[str], *, cwd: Optional[Path] = None, env: Optional[dict] = None,
            timeout: float = 900) -> subprocess.CompletedProcess:
    """`checkov ARGV` (checkov's own virtualenv, offline): its exit code, stdout and stderr. Runs in a
    child forked from one process that imported checkov, unless `env` changes a variable checkov may
    read at import (then a process of its own)."""
    global _ZYGOTE
    base = {**os.environ, **BASE_ENV}
    environment = {**base, **(env or {})}
    if _import_time(environment) != _import_time(base):
        return subprocess.run([str(CHECKOV), *argv], cwd=cwd, capture_output=True, text=True, env=environment,
                              timeout=timeout)
    if _ZYGOTE is not None and (_import_time(_ZYGOTE.env) != _import_time(base) or _ZYGOTE.process.poll() is not None):
        _ZYGOTE.close(kill=True)
    if _ZYGOTE is None:
        _ZYGOTE = _Zygote(base)
    return _ZYGOTE.run(argv, Path(cwd or os.getcwd()).resolve(), environment, timeout)


def run_checkov(target: Path, framework: str, *, file: bool = False,
                check_ids: tuple[str, ...] | None = (CHECK_ID,), env: Optional[dict] = None) -> dict:
    """Run checkov on `target`; return {(file name, resource): result}, or with several check ids
    {(check id, resource): result}. `check_ids=None` runs checkov's own checks and ours together."""
    argv = ["-f" if file else "-d", str(target), "--framework", framework,
            "--external-checks-dir", str(CHECKS), "-o", "json", "--compact", "--skip-download"]
    if check_ids is not None:
        argv += ["--check", ",".join(check_ids)]
    done = checkov(argv, env=env)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"checkov failed ({done.returncode}): {done.stderr[-3000:]}")
    report = json.loads(done.stdout)
    reports = report if isinstance(report, list) else [report]
    results: dict = {}
    for rep in reports:
        for bucket, verdict in (("failed_checks", "FAILED"), ("passed_checks", "PASSED")):
            for item in rep.get("results", {}).get(bucket, []):
                assert check_ids is None or item["check_id"] in check_ids
                where = Path(item.get("file_path") or "").name
                if check_ids and len(check_ids) == 1:
                    results[(where, item["resource"])] = verdict
                else:
                    results[(item["check_id"], item["resource"])] = verdict
    return results


# The exposure table as each dialect can express it: what the checkov checks and `secure-kafka check` run over.
TF_CASES = [c for c in CASES if tf_supported(c)]
TF_STACKS = [s for s in STACKS if tf_supported(s)]
CFN_CASES = [c for c in CASES if cfn_supported(c)]
CFN_STACKS = [s for s in STACKS if cfn_supported(s)]
K8S_CASES = [c for c in CASES if k8s_supported(c)]
K8S_STACKS = [s for s in STACKS if k8s_supported(s)]
