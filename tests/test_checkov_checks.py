"""The same rule as checkov custom checks, run by the real checkov CLI (own venv, offline)."""
import json

import pytest
import yaml

from cases import CASES
from checkov_forms import (FIXTURES, TF_TYPES, cfn_id, cfn_resource, cloudformation, kubernetes_docs,
                           run_checkov, terraform_plan, tf_name)

pytestmark = pytest.mark.checkov


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    root = tmp_path_factory.mktemp("checkov")
    (root / "plan.json").write_text(json.dumps(terraform_plan([c for c in CASES if c.type in TF_TYPES])))
    (root / "template.json").write_text(json.dumps(cloudformation(CASES)))
    (root / "services.yaml").write_text(yaml.safe_dump_all(kubernetes_docs(CASES)))
    return {
        "plan": run_checkov(root / "plan.json", "terraform_plan", file=True),
        "cfn": run_checkov(root / "template.json", "cloudformation", file=True),
        "k8s": run_checkov(root / "services.yaml", "kubernetes", file=True),
    }


def _expect(results, key, case):
    assert key in results, f"checkov did not judge {key}: are the checks loading?"
    assert results[key] == ("FAILED" if case.exposed else "PASSED"), case.name


@pytest.mark.parametrize("case", [c for c in CASES if c.type in TF_TYPES], ids=lambda c: c.name)
def test_terraform_plan(generated, case):
    _expect(generated["plan"], f"{TF_TYPES[case.type]}.{tf_name(case)}", case)


@pytest.mark.parametrize("case", [c for c in CASES if cfn_resource(c)], ids=lambda c: c.name)
def test_cloudformation(generated, case):
    _expect(generated["cfn"], f"{cfn_resource(case)['Type']}.{cfn_id(case)}", case)


@pytest.mark.parametrize("case", [c for c in CASES if c.type.endswith(":Service")], ids=lambda c: c.name)
def test_kubernetes(generated, case):
    _expect(generated["k8s"], f"Service.kafka.{case.name}", case)


@pytest.mark.parametrize("framework,folder", [("terraform", "terraform"),
                                              ("cloudformation", "cloudformation"),
                                              ("kubernetes", "kubernetes")])
def test_hand_written_fixtures(framework, folder):
    results = run_checkov(FIXTURES / folder, framework)
    exposed = {k: v for k, v in results.items() if ".exposed" in k.lower() or ".Exposed" in k}
    safe = {k: v for k, v in results.items() if ".safe" in k.lower()}
    assert exposed and safe and len(exposed) + len(safe) == len(results), results
    assert set(exposed.values()) == {"FAILED"}, exposed
    assert set(safe.values()) == {"PASSED"}, safe
