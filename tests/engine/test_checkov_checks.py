"""The same rules as checkov custom checks, run by the real checkov CLI (own venv, offline) over
the whole exposure table turned into Terraform plans, CloudFormation templates and manifests —
single resources and stacks (the joins), every family where its dialect exists."""
import json

import pytest
import yaml

from cases import COMBINED
from kafka_guardrails import FORMS
from checkov_forms import (CFN_CASES, CFN_STACKS, FIXTURES, K8S_CASES, K8S_STACKS, TF_CASES, TF_STACKS, cfn_id,
                           cfn_type, cloudformation, k8s_id, manifest, run_checkov, terraform_plan, terraform_type,
                           tf_name)

pytestmark = pytest.mark.checkov



@pytest.fixture(scope="module")
def results(tmp_path_factory):
    root = tmp_path_factory.mktemp("checkov")
    for name in ("plan", "cfn", "k8s"):
        (root / name).mkdir()
    (root / "plan" / "cases.json").write_text(json.dumps(terraform_plan(TF_CASES)))
    for stack in TF_STACKS:
        (root / "plan" / f"{stack.name}.json").write_text(json.dumps(terraform_plan(stack=stack)))
    (root / "cfn" / "cases.json").write_text(json.dumps(cloudformation(CFN_CASES)))
    for stack in CFN_STACKS:
        (root / "cfn" / f"{stack.name}.json").write_text(json.dumps(cloudformation(stack=stack)))
    (root / "k8s" / "cases.yaml").write_text(yaml.safe_dump_all(
        [manifest(c.type, c.props, c.name) for c in K8S_CASES]))
    for stack in K8S_STACKS:
        (root / "k8s" / f"{stack.name}.yaml").write_text(yaml.safe_dump_all(
            [manifest(m.type, m.props) for m in stack.members]))
    return {"plan": run_checkov(root / "plan", "terraform_plan"),
            "cfn": run_checkov(root / "cfn", "cloudformation"),
            "k8s": run_checkov(root / "k8s", "kubernetes")}


def _judged(member) -> bool:
    found = FORMS.lookup(member.type)
    return found is not None and "net" in found[0].models


def _expect(found: dict, key, exposed: bool, what: str) -> None:
    assert key in found, f"checkov did not judge {key}: are the checks loading? ({len(found)} results)"
    assert found[key] == ("FAILED" if exposed else "PASSED"), what


def test_every_dialect_has_cases():
    assert len(TF_CASES) >= 90 and len(TF_STACKS) >= 15
    assert len(CFN_CASES) >= 8 and len(CFN_STACKS) >= 3
    assert len(K8S_CASES) >= 50 and len(K8S_STACKS) >= 8


@pytest.mark.parametrize("case", TF_CASES, ids=lambda c: c.name)
def test_terraform_plan(results, case):
    _expect(results["plan"], ("cases.json", f"{terraform_type(case.type)}.{tf_name(case.name)}"), case.exposed, case.name)


@pytest.mark.parametrize("stack", TF_STACKS, ids=lambda s: s.name)
def test_terraform_plan_stacks(results, stack):
    for member in filter(_judged, stack.members):
        key = (f"{stack.name}.json", f"{terraform_type(member.type)}.{tf_name(member.name)}")
        _expect(results["plan"], key, stack.policies == COMBINED and member.name in stack.joins,
                f"{stack.name}: {member.name}")


@pytest.mark.parametrize("case", CFN_CASES, ids=lambda c: c.name)
def test_cloudformation(results, case):
    _expect(results["cfn"], ("cases.json", f"{cfn_type(case.type)}.{cfn_id(case.name)}"), case.exposed, case.name)


@pytest.mark.parametrize("stack", CFN_STACKS, ids=lambda s: s.name)
def test_cloudformation_stacks(results, stack):
    for member in filter(_judged, stack.members):
        key = (f"{stack.name}.json", f"{cfn_type(member.type)}.{cfn_id(member.name)}")
        _expect(results["cfn"], key, stack.policies == COMBINED and member.name in stack.joins,
                f"{stack.name}: {member.name}")


@pytest.mark.parametrize("case", K8S_CASES, ids=lambda c: c.name)
def test_kubernetes(results, case):
    _expect(results["k8s"], ("cases.yaml", k8s_id(manifest(case.type, case.props, case.name))), case.exposed, case.name)


@pytest.mark.parametrize("stack", K8S_STACKS, ids=lambda s: s.name)
def test_kubernetes_stacks(results, stack):
    for member in filter(_judged, stack.members):
        key = (f"{stack.name}.yaml", k8s_id(manifest(member.type, member.props)))
        _expect(results["k8s"], key, stack.policies == COMBINED and member.name in stack.joins,
                f"{stack.name}: {member.name}")


@pytest.mark.parametrize("framework,folder", [("terraform", "terraform"),
                                              ("cloudformation", "cloudformation"),
                                              ("kubernetes", "kubernetes")])
def test_hand_written_fixtures(framework, folder):
    results = run_checkov(FIXTURES / folder, framework)
    exposed = {k: v for k, v in results.items() if ".exposed" in k[1].lower()}
    safe = {k: v for k, v in results.items() if ".safe" in k[1].lower()}
    assert len(exposed) >= 2 and len(safe) >= 2 and len(exposed) + len(safe) == len(results), results
    assert set(exposed.values()) == {"FAILED"}, exposed
    assert set(safe.values()) == {"PASSED"}, safe


def test_the_forked_checkov_of_the_tests_reports_exactly_what_the_cli_reports(results, tmp_path):
    """The tests run checkov in children forked from one process that imported it (checkov_zygote.py):
    over the plans the table renders (-d, a working directory elsewhere, the checks resolving files
    from argv), its report equals a `checkov` process's, result for result."""
    import os
    import subprocess

    from checkov_forms import BASE_ENV, CHECK_ID, CHECKOV, CHECKS, checkov

    def verdicts(report: str) -> set:
        parsed = json.loads(report)
        return {(item["check_id"], item["file_path"], item["resource"], item["check_result"]["result"])
                for rep in (parsed if isinstance(parsed, list) else [parsed])
                for bucket in ("failed_checks", "passed_checks") for item in rep["results"].get(bucket, [])}

    target = tmp_path / "plans"
    target.mkdir()
    for stack in TF_STACKS:
        (target / f"{stack.name}.json").write_text(json.dumps(terraform_plan(stack=stack)))
    argv = ["-d", "plans", "--framework", "terraform_plan", "--external-checks-dir", str(CHECKS), "-o", "json",
            "--compact", "--skip-download", "--check", CHECK_ID]
    forked = checkov(argv, cwd=tmp_path)
    process = subprocess.run([str(CHECKOV), *argv], cwd=tmp_path, capture_output=True, text=True, timeout=900,
                             env={**os.environ, **BASE_ENV})
    assert forked.returncode == process.returncode == 1, (forked.stderr[-2000:], process.stderr[-2000:])
    ours, theirs = verdicts(forked.stdout), verdicts(process.stdout)
    assert {v[3] for v in theirs} == {"PASSED", "FAILED"} and len(theirs) >= len(TF_STACKS)
    assert ours == theirs
