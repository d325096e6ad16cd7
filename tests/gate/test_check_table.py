"""The whole exposure table through `secure-kafka check` on files: the cases and stacks written as
Terraform plans, CloudFormation templates and Kubernetes manifests (the same files checkov reads in
tests/engine/test_checkov_checks), each judged by the console command with the stack joins. Counts first."""
import json

import pytest
import yaml

from cases import COMBINED, NET, STACKS
from checkov_forms import (cfn_id, cloudformation, manifest, terraform_plan, terraform_type, tf_name)
from kafka_guardrails import FORMS
from secure_kafka.cli import main
from checkov_forms import CFN_CASES, CFN_STACKS, K8S_CASES, K8S_STACKS, TF_CASES, TF_STACKS

JOINED = {"kafka-no-public-port-combined"}


def _judged(member) -> bool:
    found = FORMS.lookup(member.type)
    return found is not None and "net" in found[0].models


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    root = tmp_path_factory.mktemp("check-table")
    files = {}
    (root / "plan-cases.json").write_text(json.dumps(terraform_plan(TF_CASES)))
    files["plan-cases"] = root / "plan-cases.json"
    for stack in TF_STACKS:
        files[f"plan:{stack.name}"] = root / f"plan-{stack.name}.json"
        files[f"plan:{stack.name}"].write_text(json.dumps(terraform_plan(stack=stack)))
    (root / "cfn-cases.json").write_text(json.dumps(cloudformation(CFN_CASES)))
    files["cfn-cases"] = root / "cfn-cases.json"
    for stack in CFN_STACKS:
        files[f"cfn:{stack.name}"] = root / f"cfn-{stack.name}.json"
        files[f"cfn:{stack.name}"].write_text(json.dumps(cloudformation(stack=stack)))
    (root / "k8s-cases.yaml").write_text(yaml.safe_dump_all([manifest(c.type, c.props, c.name) for c in K8S_CASES]))
    files["k8s-cases"] = root / "k8s-cases.yaml"
    for stack in K8S_STACKS:
        files[f"k8s:{stack.name}"] = root / f"k8s-{stack.name}.yaml"
        files[f"k8s:{stack.name}"].write_text(yaml.safe_dump_all([manifest(m.type, m.props) for m in stack.members]))
    return {key: _check(path) for key, path in files.items()}


def _check(path):
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(["check", str(path), "--format", "json", "--quiet"])
    report = json.loads(buffer.getvalue())
    report["exit"] = code
    return report


def _flagged(report, policies) -> set:
    return {label for f in report["findings"] if f["policy"] in policies for label in f["resources"]}


def test_single_cases_in_every_dialect(reports):
    for key, cases, label in (("plan-cases", TF_CASES, lambda c: f"tf:{terraform_type(c.type)}.{tf_name(c.name)}"),
                              ("cfn-cases", CFN_CASES, lambda c: f"cfn:{cfn_id(c.name)}"),
                              ("k8s-cases", K8S_CASES, lambda c: f"{manifest(c.type, c.props, c.name)['kind']}/"
                               f"{(c.props.get('metadata') or {}).get('namespace', 'default')}/{c.name}")):
        report = reports[key]
        assert report["summary"]["resources"] == len(cases), key
        assert report["summary"]["unjudged"] == 0, key
        flagged = _flagged(report, {NET})
        for case in cases:
            assert (label(case) in flagged) == case.exposed, f"{key}: {case.name}"


def test_stacks_in_every_dialect(reports):
    checked = 0
    for prefix, stacks, label in (
            ("plan", TF_STACKS, lambda m: f"tf:{terraform_type(m.type)}.{tf_name(m.name)}"),
            ("cfn", CFN_STACKS, lambda m: f"cfn:{cfn_id(m.name)}"),
            ("k8s", K8S_STACKS, lambda m: "{kind}/{ns}/{name}".format(
                kind=manifest(m.type, m.props)["kind"], ns=(m.props.get("metadata") or {}).get("namespace", "default"),
                name=(m.props.get("metadata") or {}).get("name", "")))):
        for stack in stacks:
            report = reports[f"{prefix}:{stack.name}"]
            assert report["summary"]["resources"] == len(stack.members), stack.name
            flagged = _flagged(report, JOINED)
            for member in filter(_judged, stack.members):
                expected = stack.policies == COMBINED and member.name in stack.joins
                assert (label(member) in flagged) == expected, f"{prefix}:{stack.name}: {member.name}"
                checked += 1
            if stack.policies == COMBINED:
                assert report["exit"] == 1, stack.name
    assert checked >= 80
    assert len(STACKS) >= 60
