"""The registries: a form is one module, a rule is one declaration, and every consumer — the pack,
the checkov checks, the Terraform-plan writer, the docs table — is derived from them."""
import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from kafka_guardrails import FORMS, RULES, Form, Resource, judge_resource
from kafka_guardrails.docs import END, START, forms_table
from secure_kafka.gate import PolicyPack
from secure_kafka.gate.tfplan import terraform_type

ROOT = Path(__file__).resolve().parents[2]

# A form for a firewall the engine has never heard of, written as a new module would be.
NEW_FORM = '''
"""Acme Cloud firewalls (a form added as one module)."""
from ..net import Entry, Net, world
from ..ports import exactly
from ..registry import form
from ..values import as_int, items, mapping


def acme(resource, props):
    props = mapping(props)
    entries = [Entry(f"openPorts[{i}]", exactly(as_int(p)), **world("acme opens a port to everyone"))
               for i, p in enumerate(items(props.get("openPorts")))]
    return Net(entries)


form(key="acme.firewall", family="Acme firewalls", summary="open ports (to everyone)",
     pulumi=("acme:index/firewall:Firewall",), terraform=("acme_firewall",), models={"net": acme},
     fix="Close the port.")
'''


@pytest.fixture
def acme(tmp_path):
    path = tmp_path / "acme_firewall.py"
    path.write_text(NEW_FORM)
    spec = importlib.util.spec_from_file_location("kafka_guardrails.forms.acme_firewall", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    yield module
    FORMS.remove("acme.firewall")


def test_a_new_form_module_reaches_every_consumer_in_process(acme):
    token, tf = "acme:index/firewall:Firewall", "acme_firewall"
    [finding] = judge_resource(Resource(token, {"openPorts": [9092, 443]}))
    assert finding.policy == "kafka-no-public-port" and finding.ports == (9092,)
    assert judge_resource(Resource(tf, {"open_ports": [[9092]]}))  # the Terraform dialect, HCL-wrapped
    assert judge_resource(Resource(token, {"openPorts": [443]})) == []
    assert token in RULES["kafka-no-public-port"].types and tf in RULES["kafka-no-public-port-combined"].types
    assert tf in FORMS.types("terraform", ["net"])  # what the checkov wrapper supports
    assert terraform_type(token) == tf  # what the plan writer emits
    assert "Acme firewalls" in forms_table() and "`acme_firewall`" in forms_table()


def test_a_new_form_module_dropped_into_the_pack_works_over_the_protocol_and_in_checkov(tmp_path):
    """Copy the pack, add one module under kafka_guardrails/forms/, touch nothing else."""
    pack = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", pack, ignore=shutil.ignore_patterns("__pycache__", "venv"))
    (pack / "kafka_guardrails" / "forms" / "acme_firewall.py").write_text(NEW_FORM)
    with PolicyPack(pack, preview=False) as running:
        running.configure({})
        diags = running.analyze("acme:index/firewall:Firewall", {"openPorts": [9094]}, "urn:acme", "acme")
        assert [d.policy for d in diags] == ["kafka-no-public-port"] and "9094" in diags[0].message
        assert running.analyze("acme:index/firewall:Firewall", {"openPorts": [22]}, "urn:ssh", "ssh") == []

    pytest.importorskip("yaml")
    from checkov_forms import CHECKOV, run_checkov

    if not CHECKOV.exists():
        pytest.skip("checkov's virtualenv is bootstrapped by make test")
    plan = {"format_version": "1.2", "terraform_version": "1.9.8", "planned_values": {"root_module": {"resources": [
        {"address": f"acme_firewall.{name}", "mode": "managed", "type": "acme_firewall", "name": name,
         "values": {"open_ports": ports}} for name, ports in (("exposed", [9092]), ("safe", [22]))]}},
        "resource_changes": [], "configuration": {"root_module": {}}}
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    import checkov_forms
    original = checkov_forms.CHECKS
    checkov_forms.CHECKS = pack / "checkov"
    try:
        results = run_checkov(tmp_path / "plan.json", "terraform_plan", file=True)
    finally:
        checkov_forms.CHECKS = original
    assert results == {("plan.json", "acme_firewall.exposed"): "FAILED", ("plan.json", "acme_firewall.safe"): "PASSED"}


def test_a_type_name_belongs_to_one_form_only():
    with pytest.raises(ValueError, match="claimed by"):
        FORMS.register(Form(key="copy", family="x", summary="x", pulumi=("aws:ec2/securityGroup:SecurityGroup",)))
    assert FORMS.lookup("aws:ec2/securityGroup:SecurityGroup")[0].key == "aws.security-group"


def test_the_readme_table_is_the_registry():
    readme = (ROOT / "docs" / "rules.md").read_text()
    assert START in readme and END in readme
    assert readme.split(START)[1].split(END)[0].strip() == forms_table().strip(), \
        "run: .venv/bin/python -m kafka_guardrails.docs docs/rules.md"
    assert len(forms_table().splitlines()) == len(FORMS) + 2 >= 50


def test_the_readme_harmless_list_is_the_coverage_registry():
    from kafka_guardrails.coverage import KINDS
    from kafka_guardrails.docs import HARMLESS_END, HARMLESS_START, harmless_table

    readme = (ROOT / "docs" / "rules.md").read_text()
    body = readme.split(HARMLESS_START)[1].split(HARMLESS_END)[0].strip()
    assert len(body.splitlines()) == len(KINDS) + 2 >= 18
    assert body == harmless_table().strip(), "run: .venv/bin/python -m kafka_guardrails.docs docs/rules.md"
    assert "`aws:iam/*`" in body and "`command:local:Command`" in body


def test_the_readme_not_judged_list_is_the_coverage_registry():
    from kafka_guardrails.coverage import NOT_JUDGED
    from kafka_guardrails.docs import UNJUDGED_END, UNJUDGED_START, unjudged_list

    readme = (ROOT / "docs" / "rules.md").read_text()
    body = readme.split(UNJUDGED_START)[1].split(UNJUDGED_END)[0].strip()
    assert len(body.splitlines()) == len(NOT_JUDGED) >= 5
    assert body == unjudged_list().strip(), "run: .venv/bin/python -m kafka_guardrails.docs docs/rules.md"
