"""The gate: the README's main job (a stack's program offline under mocks, judged by the pack), any
other Pulumi project, files produced elsewhere, every output format, and bad input."""
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import jsonschema

from kafka_guardrails import RULES
import pytest
import yaml
from junitparser import JUnitXml

from secure_kafka.cli import main
from secure_kafka.gate import run_program
from secure_kafka.gate.verdict import judge, mandatory_count

ROOT = Path(__file__).resolve().parents[2]
OPEN_KAFKA = """
import pulumi_aws as aws
aws.ec2.SecurityGroup("open-kafka", ingress=[aws.ec2.SecurityGroupIngressArgs(
    protocol="tcp", from_port=9092, to_port=9092, cidr_blocks=["0.0.0.0/0"])])
aws.ec2.SecurityGroup("private", ingress=[aws.ec2.SecurityGroupIngressArgs(
    protocol="tcp", from_port=9092, to_port=9092, cidr_blocks=["10.0.0.0/8"])])
"""


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_every_stack_passes_the_gate(stack):
    run = run_program(ROOT, stack)
    types = [r.type for r in run.resources]
    assert "secure-kafka:aws:MskCluster" in types and "secure-kafka:aws:KafkaSecurityGroup" in types
    assert types.count("aws:ec2/securityGroup:SecurityGroup") == 1
    rules = [r for r in run.resources if r.type == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"]
    assert len(rules) >= 2 and all(r.properties["fromPort"] != 9092 for r in rules)
    assert all(r.parent.endswith(f"secure-kafka:aws:KafkaSecurityGroup::kafka-{stack}-clients") for r in rules)
    verdicts, stack_diags = judge(ROOT / "policies", run.resources, project="secure-kafka", stack=stack,
                                  preview=True)
    assert len(verdicts) == len(run.resources) >= 15
    assert mandatory_count(verdicts, stack_diags) == 0
    assert run.outputs["securityGroupId"].startswith("sg-")


def project(tmp_path, program=OPEN_KAFKA, name="another-team", stack_dir="config", stack="ci"):
    """Another team's Pulumi project: its own name, stackConfigDir and config namespace."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "Pulumi.yaml").write_text(f"name: {name}\nruntime: python\nstackConfigDir: {stack_dir}\n")
    (tmp_path / stack_dir).mkdir(exist_ok=True)
    (tmp_path / stack_dir / f"Pulumi.{stack}.yaml").write_text(f"config:\n  aws:region: eu-west-1\n  {name}:team: data\n")
    (tmp_path / "__main__.py").write_text(textwrap.dedent(program))
    return tmp_path


def test_another_project_is_judged_with_its_own_layout_by_the_shipped_pack(tmp_path, capsys):
    root = project(tmp_path, OPEN_KAFKA + "\nimport pulumi\npulumi.export('team', pulumi.Config().require('team'))\n")
    code = main(["preview", "--project-dir", str(root), "--stack", "ci"])
    out = capsys.readouterr().out
    assert code == 1
    assert "Stack ci of another-team" in out and "FAIL" in out and "open-kafka" in out and "KAFKA-NET-001" in out
    assert "team: data" in out  # its own config namespace reached the program
    assert out.count("FAIL") == 1 and "PASS" in out


def test_formats_are_valid_deterministic_and_say_the_same(tmp_path, capsys, sarif_schema):
    root = project(tmp_path / "p")
    reports = {}
    for fmt in ("json", "sarif", "junit", "table"):
        first, second = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
        assert main(["preview", "--project-dir", str(root), "--stack", "ci", "--format", fmt, "--output", str(first),
                     "--quiet"]) == 1
        assert main(["preview", "--project-dir", str(root), "--stack", "ci", "--format", fmt, "--output", str(second),
                     "--quiet"]) == 1
        assert first.read_bytes() == second.read_bytes(), f"{fmt} output is not deterministic"
        reports[fmt] = first.read_text()
    data = json.loads(reports["json"])
    assert data["summary"]["mandatory"] == 1 and data["summary"]["resources"] == 2
    [finding] = data["findings"]
    assert finding["rule_id"] == "KAFKA-NET-001" and finding["resource"].endswith("::open-kafka")

    sarif = json.loads(reports["sarif"])
    jsonschema.validate(sarif, sarif_schema)
    run = sarif["runs"][0]
    listed = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert sorted(listed) == sorted(f"{r.id}/{r.name}" for r in RULES)  # every rule of the engine, once
    assert all(r["help"]["text"] and r["defaultConfiguration"]["level"] in ("error", "warning")
               for r in run["tool"]["driver"]["rules"])
    [result] = run["results"]
    assert result["ruleId"] == "KAFKA-NET-001/kafka-no-public-port" and result["level"] == "error"
    # the line of the program that registered it, not the stack file
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "__main__.py"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]

    xml = JUnitXml.fromstring(reports["junit"])
    cases = [case for suite in xml for case in suite]
    assert len(cases) == 2
    failed = [c for c in cases if not c.is_passed]
    assert [c.name for c in failed] == ["open-kafka"] and "KAFKA-NET-001" in failed[0].result[0].message
    assert failed[0]._elem.get("file") == str(root.resolve() / "__main__.py") and failed[0]._elem.get("line") == "3"
    assert "open-kafka" in reports["table"]


def test_terraform_plan_and_manifests_written_by_the_gate_hold_no_secret(tmp_path, capsys):
    plan, manifests = tmp_path / "plan.json", tmp_path / "k8s"
    assert main(["preview", "--stack", "dev", "--terraform-plan", str(plan), "--quiet"]) == 0
    assert main(["preview", "--stack", "k8s", "--kubernetes-manifests", str(manifests), "--quiet"]) == 0
    run = run_program(ROOT, "dev")
    [secret_version] = [r for r in run.resources if r.type == "aws:secretsmanager/secretVersion:SecretVersion"]
    password = json.loads(secret_version.properties["secretString"]["value"])["password"]
    text = plan.read_text()
    assert len(password) == 32 and password not in text and "REDACTED" in text
    assert "aws_secretsmanager_secret_version" in text
    written = "".join(p.read_text() for p in manifests.glob("*.yaml"))
    assert len(list(manifests.glob("*.yaml"))) >= 20 and "PRIVATE KEY" not in written and "REDACTED" in written


@pytest.mark.parametrize("argv,expected", [
    (["preview", "--stack", "nope"], "stack 'nope' has no config file"),
    (["preview", "--stack", "dev", "--policy-config", "MISSING"], "does not exist"),
    (["preview", "--stack", "dev", "--policy-config", "BAD_JSON"], "is not valid JSON"),
    (["preview", "--stack", "dev", "--policy-config", "UNKNOWN_POLICY"], "'kafka-no-public-prot' is not a policy"),
    (["preview", "--stack", "dev", "--policy-config", "BAD_VALUE"], "ipv4PublicPrefix=99 is not allowed"),
    (["preview", "--stack", "dev", "--project-dir", "NOT_A_PROJECT"], "is not a Pulumi project"),
    (["preview", "--stack", "dev", "--policy-pack", "NOT_A_PROJECT"], "is not a policy pack"),
    (["check", "MISSING"], "does not exist"),
    (["check", "BAD_JSON"], "is not valid JSON"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, argv, expected):
    files = {"BAD_JSON": tmp_path / "bad.json", "UNKNOWN_POLICY": tmp_path / "u.json",
             "BAD_VALUE": tmp_path / "v.json", "NOT_A_PROJECT": tmp_path / "empty", "MISSING": tmp_path / "missing.json"}
    files["BAD_JSON"].write_text("{oops")
    files["UNKNOWN_POLICY"].write_text(json.dumps({"kafka-no-public-prot": "advisory"}))
    files["BAD_VALUE"].write_text(json.dumps({"kafka-no-public-port": {"ipv4PublicPrefix": 99}}))
    files["NOT_A_PROJECT"].mkdir()
    argv = [str(files[a]) if a in files else a for a in argv]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.strip().splitlines()) == 1 and expected in captured.err, captured.err


def test_a_bad_stack_file_is_one_line(tmp_path, capsys):
    root = project(tmp_path)
    (root / "config" / "Pulumi.ci.yaml").write_text("config:\n  aws:region: [eu\n")
    assert main(["preview", "--project-dir", str(root), "--stack", "ci"]) == 2
    err = capsys.readouterr().err
    assert "is not valid YAML at line" in err and len(err.strip().splitlines()) == 1


def test_policy_config_changes_levels_and_settings(tmp_path, capsys):
    root = project(tmp_path / "p")
    config = tmp_path / "policy.json"
    config.write_text(json.dumps({"kafka-no-public-port": {"enforcementLevel": "advisory"}}))
    assert main(["preview", "--project-dir", str(root), "--stack", "ci", "--policy-config", str(config),
                 "--format", "json", "--quiet"]) == 0
    [finding] = json.loads(capsys.readouterr().out)["findings"]
    assert finding["level"] == "advisory"
    config.write_text(json.dumps({"kafka-no-public-port": {"ports": [2181]}}))
    assert main(["preview", "--project-dir", str(root), "--stack", "ci", "--policy-config", str(config), "--quiet"]) == 0


def test_help_has_an_example_for_every_mode(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    for example in ("secure-kafka preview --stack dev", "secure-kafka check", "--format sarif", "--format junit",
                    "secure-kafka pack-dir", "secure-kafka checkov-dir", "secure-kafka audit"):
        assert example in text, example


def test_readme_command_runs_as_a_process():
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "secure-kafka"), "preview", "--stack", "prod"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 mandatory" in done.stdout and "PASS" in done.stdout
    old = subprocess.run([sys.executable, "-m", "secure_kafka.gate", "--stack", "prod"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert old.returncode == 0 and old.stdout == done.stdout


def test_two_registrations_with_one_urn_fail_as_the_engine_fails_them(tmp_path, capsys):
    root = project(tmp_path, 'import pulumi_aws as aws\naws.kms.Key("key", description="a")\n'
                             'aws.kms.Key("other", description="b")\naws.kms.Key("key", description="c")\n')
    assert main(["preview", "--project-dir", str(root), "--stack", "ci"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "duplicate resource URN" in err
    assert err.count("aws:kms/key:Key 'key'") == 2 and "'other'" not in err


def test_reports_point_at_the_users_own_module_and_the_line_that_made_a_component(tmp_path, capsys):
    """A resource made in the user's module points there; a component's children point at the line of the
    user's program that created the component (the library's own frames are passed over)."""
    root = project(tmp_path, "import infra\ninfra.build()\n")
    (root / "infra.py").write_text("import pulumi_aws as aws\n\n\ndef build():\n" + textwrap.indent(
        textwrap.dedent(OPEN_KAFKA).strip(), "    ").replace("    import pulumi_aws as aws\n", "") + "\n")
    assert main(["preview", "--project-dir", str(root), "--stack", "ci", "--format", "sarif", "--quiet"]) == 1
    [result] = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    where = result["locations"][0]["physicalLocation"]
    assert where["artifactLocation"]["uri"] == "infra.py"
    assert (root / "infra.py").read_text().splitlines()[where["region"]["startLine"] - 1].strip().startswith(
        'aws.ec2.SecurityGroup("open-kafka"')
    assert main(["preview", "--project-dir", str(ROOT), "--stack", "dev", "--format", "json", "--quiet"]) == 0
    report = json.loads(capsys.readouterr().out)
    line = next(n for n, text in enumerate((ROOT / "__main__.py").read_text().splitlines(), 1) if "build(" in text)
    assert {r["location"] for r in report["resources"]} == {f"{ROOT / '__main__.py'}:{line}"}


def _stack_copy(tmp_path, stack, edit=lambda text: text):
    root = tmp_path / "program"
    (root / "stacks").mkdir(parents=True)
    for name in ("Pulumi.yaml", "__main__.py"):
        (root / name).write_text((ROOT / name).read_text())
    (root / "stacks" / f"Pulumi.{stack}.yaml").write_text(edit((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text()))
    return root


def test_simulated_outputs_are_plausible_and_marked(tmp_path, capsys):
    """Node addresses inside the stack's VPC range, one bootstrap address per broker, the stack's own region;
    and the table says the outputs are simulated."""
    import ipaddress
    root = _stack_copy(tmp_path, "selfmanaged", lambda t: t.replace("aws:region: eu-west-1", "aws:region: us-east-2"))
    assert main(["preview", "--project-dir", str(root), "--stack", "selfmanaged", "--format", "json", "--quiet"]) == 0
    report = json.loads(capsys.readouterr().out)
    config = yaml.safe_load((root / "stacks" / "Pulumi.selfmanaged.yaml").read_text())["config"]
    vpc = ipaddress.ip_network(config["secure-kafka:vpcCidr"])
    outputs = report["outputs"]
    brokers = [hp.rsplit(":", 1) for hp in outputs["bootstrapServers"].split(",")]
    assert len(brokers) == config["secure-kafka:selfManaged"]["brokerCount"] == len({h for h, _ in brokers})
    zookeepers = [hp.rsplit(":", 1)[0] for hp in outputs["zookeeperConnect"].split(",")]
    assert all(ipaddress.ip_address(h) in vpc for h, _ in brokers) and all(ipaddress.ip_address(h) in vpc for h in zookeepers)
    assert ":us-east-2:" in outputs["kmsKeyArn"] and report["outputs_simulated"] is True
    assert main(["preview", "--project-dir", str(ROOT), "--stack", "prod", "--quiet"]) == 0
    table = capsys.readouterr().out
    assert "Outputs (simulated by the offline mocks" in table
    prod = yaml.safe_load((ROOT / "stacks" / "Pulumi.prod.yaml").read_text())["config"]
    tls = next(line for line in table.splitlines() if line.strip().startswith("bootstrapBrokersTls:"))
    assert len(tls.split(":", 1)[1].split(",")) == prod["secure-kafka:msk"]["brokerCount"] == 6


ID_SHAPED = re.compile(r"\b(?:vpc|subnet|sg)-[0-9a-f]{8,}\b|arn:aws[\w-]*:|\bcidr: |vpcCidr: ")


@pytest.mark.parametrize("stack", sorted(p.name.split(".")[1] for p in (ROOT / "stacks").glob("Pulumi.*.yaml")))
def test_placeholders_in_the_shipped_stacks_are_named_before_anyone_deploys_them(stack, capsys):
    """Every account-specific value of a shipped stack (ids, ARNs, the VPC's and clients' ranges) is marked
    `# placeholder`, and the preview lists each one with its file and line."""
    lines = (ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text().splitlines()
    specific = [n for n, line in enumerate(lines, 1) if ID_SHAPED.search(line.split("#")[0])]
    assert specific and all("# placeholder:" in lines[n - 1] for n in specific), stack
    assert main(["preview", "--project-dir", str(ROOT), "--stack", stack, "--format", "json", "--quiet"]) == 0
    listed = json.loads(capsys.readouterr().out)["placeholders"]
    assert [p.split(" ", 1)[0] for p in listed] == [f"stacks/Pulumi.{stack}.yaml:{n}" for n in specific]
