"""KAFKA-MSK-008: an MSK cluster policy may not let any AWS account reach the cluster — in-process,
over the Analyzer protocol, by `secure-kafka check` on CloudFormation, and by the real checkov on a
Terraform plan and a CloudFormation template."""
import json
from pathlib import Path

import pytest
import yaml

from checkov_forms import _plan_entry, run_checkov, write_plan
from kafka_guardrails import MANDATORY, Resource, judge_resource
from secure_kafka.cli import main
from secure_kafka.gate import PolicyPack

PACK = Path(__file__).resolve().parents[2] / "policies"
TOKEN = "aws:msk/clusterPolicy:ClusterPolicy"
CHECK = "CKV_KAFKA_MSK_008"
ORG = {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}


def statement(principal, actions, condition=None, effect="Allow"):
    out = {"Effect": effect, "Principal": principal, "Action": actions}
    if condition:
        out["Condition"] = condition
    return out


# (name, statements, exposed)
POLICIES = [
    ("any-account-vpc-connection", [statement({"AWS": "*"}, ["kafka:CreateVpcConnection",
                                                             "kafka:GetBootstrapBrokers"])], True),
    ("star-principal-kafka-star", [statement("*", "kafka:*")], True),
    ("any-account-in-a-list", [statement({"AWS": ["arn:aws:iam::111122223333:root", "*"]},
                                         ["kafka:DescribeClusterV2"])], True),
    ("wildcard-action-prefix", [statement({"AWS": "*"}, "kafka:Get*")], True),
    ("data-plane-connect", [statement({"AWS": "*"}, ["kafka-cluster:Connect"])], True),
    ("not-principal", [{"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::1:root"},
                        "Action": "kafka:CreateVpcConnection"}], True),
    ("named-accounts", [statement({"AWS": ["arn:aws:iam::111122223333:root"]},
                                  ["kafka:CreateVpcConnection", "kafka:GetBootstrapBrokers"])], False),
    ("any-account-in-our-organisation", [statement({"AWS": "*"}, "kafka:*", ORG)], False),
    ("deny-everyone", [statement("*", "kafka:*", effect="Deny")], False),
    ("any-account-unrelated-action", [statement({"AWS": "*"}, ["kafka:ListClusters"])], False),
]


def policy(statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


@pytest.mark.parametrize("name,statements,exposed", POLICIES, ids=[p[0] for p in POLICIES])
def test_in_process(name, statements, exposed):
    findings = judge_resource(Resource(TOKEN, {"clusterArn": "arn:aws:kafka:eu-west-1:1:cluster/c/1",
                                               "policy": policy(statements)}, name=name))
    assert [f.rule_id for f in findings] == (["KAFKA-MSK-008"] if exposed else [])
    assert all(f.level == MANDATORY and f.path.startswith("policy") for f in findings)


def test_unreadable_and_unknown_policies_are_reported_not_passed():
    [bad] = judge_resource(Resource(TOKEN, {"clusterArn": "a", "policy": "{not json"}))
    assert "cannot be read" in bad.message and bad.level == MANDATORY
    unknown = judge_resource(Resource(TOKEN, {"clusterArn": "a", "policy": "04da6b54-80e4-46f7-96ec-b56ff0331ba9"}))
    assert [f.unknown for f in unknown] == [True]


@pytest.mark.pack
def test_over_the_analyzer_protocol():
    with PolicyPack(PACK, preview=False) as pack:
        pack.configure({})
        for name, statements, exposed in POLICIES:
            found = pack.analyze(TOKEN, {"clusterArn": "a", "policy": policy(statements)}, name=name)
            assert [(d.policy, d.level) for d in found] == \
                ([("msk-cluster-policy-named-accounts", "mandatory")] if exposed else []), name


def cfn_template() -> dict:
    return {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {
        "".join(part.title() for part in name.split("-")): {
            "Type": "AWS::MSK::ClusterPolicy",
            "Properties": {"ClusterArn": "arn:aws:kafka:eu-west-1:1:cluster/c/1",
                           "Policy": {"Version": "2012-10-17", "Statement": statements}}}
        for name, statements, _ in POLICIES}}


def test_check_on_cloudformation(tmp_path, capsys):
    (tmp_path / "t.yaml").write_text(yaml.safe_dump(cfn_template()))
    assert main(["check", str(tmp_path / "t.yaml"), "--format", "json", "--quiet"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["resources"] == len(POLICIES)
    failed = {f["resource"] for f in report["findings"] if f["rule_id"] == "KAFKA-MSK-008"}
    assert failed == {"cfn:" + "".join(p.title() for p in n.split("-")) for n, _, e in POLICIES if e}


@pytest.mark.checkov
def test_real_checkov_on_a_terraform_plan_and_a_template(tmp_path):
    entries = [_plan_entry("aws_msk_cluster_policy", name.replace("-", "_"),
                           {"cluster_arn": "arn:aws:kafka:eu-west-1:1:cluster/c/1", "policy": policy(statements)})
               for name, statements, _ in POLICIES]
    write_plan(tmp_path / "plan" / "plan.json", entries)
    (tmp_path / "cfn").mkdir()
    (tmp_path / "cfn" / "t.json").write_text(json.dumps(cfn_template()))
    plan = run_checkov(tmp_path / "plan", "terraform_plan", check_ids=(CHECK,))
    plan_details = _details(tmp_path / "plan")
    cfn = run_checkov(tmp_path / "cfn", "cloudformation", check_ids=(CHECK,))
    assert len(plan) == len(POLICIES) and len(cfn) == len(POLICIES)
    for name, _, exposed in POLICIES:
        verdict = "FAILED" if exposed else "PASSED"
        details = plan_details.get(f"aws_msk_cluster_policy.{name.replace('-', '_')}", "")
        assert "cannot be read" not in details, details
        assert plan[("plan.json", f"aws_msk_cluster_policy.{name.replace('-', '_')}")] == verdict, name
        logical = "".join(p.title() for p in name.split("-"))
        assert cfn[("t.json", f"AWS::MSK::ClusterPolicy.{logical}")] == verdict, name


def _details(target: Path) -> dict:
    """resource -> the check's details text, from checkov's JSON output (what the finding says)."""
    from checkov_forms import CHECKS, checkov
    done = checkov(["-d", str(target), "--framework", "terraform_plan", "--external-checks-dir", str(CHECKS),
                    "--check", CHECK, "-o", "json", "--compact", "--skip-download"], timeout=600)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    results = json.loads(done.stdout)["results"]
    return {r["resource"]: " ".join(r.get("details") or []) for r in results.get("failed_checks", [])}
