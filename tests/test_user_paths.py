"""secure-kafka as a new user gets it: a non-editable install into a fresh virtualenv, used from a
directory outside this repository, with nothing of the repository on the path. Every mode of the
console command, the shipped pack and checkov checks, the examples and bad input."""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.user
SKIP_COPY = shutil.ignore_patterns(".git", ".venv*", ".cache", "build", "*.egg-info", "__pycache__", "bench",
                                   "policies/venv", ".pytest_cache", ".hypothesis")


@pytest.fixture(scope="module")
def user(workflow_install, tmp_path_factory):
    """(venv bin dir, a working directory outside the repository, a clean environment): the package as
    the shipped workflow installs it (a pinned git URL, no extras)."""
    bin_dir = workflow_install.temp / "secure-kafka" / "bin"
    assert (bin_dir / "secure-kafka").exists()
    work = tmp_path_factory.mktemp("user-work")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return bin_dir, work, env


def sh(user, *argv, cwd=None):
    bin_dir, work, env = user
    exe = argv[0] if "/" in argv[0] else str(bin_dir / argv[0])
    return subprocess.run([exe, *argv[1:]], cwd=cwd or work, env=env, capture_output=True, text=True, timeout=600)


def test_installed_package_is_the_one_used_and_documents_itself(user):
    bin_dir, work, _ = user
    done = sh(user, "python", "-c", "import secure_kafka, kafka_guardrails, inspect; "
              "from secure_kafka import MskClusterArgs, SelfManagedKafkaArgs, KafkaOnKubernetesArgs; "
              "print(secure_kafka.__file__); print(kafka_guardrails.__file__); "
              "print(all('Attributes:' in (inspect.getdoc(c) or '') for c in "
              "(MskClusterArgs, SelfManagedKafkaArgs, KafkaOnKubernetesArgs)))")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.split()
    assert len(lines) == 3
    venv = bin_dir.parent.resolve()
    assert all(Path(p).resolve().is_relative_to(venv) for p in lines[:2])
    assert lines[2] == "True"
    version = sh(user, "secure-kafka", "--version")
    assert version.returncode == 0 and version.stdout.strip().startswith("secure-kafka 0.")


@pytest.mark.parametrize("example, reference, outputs", [
    ("msk-shared-vpc", "acme/network/prod", "network-prod.json"),
    ("self-managed-shared-vpc", "acme/network/prod", "network-prod.json"),
    ("kubernetes-eks", "acme/eks/prod", "eks-prod.json"),
])
def test_an_example_program_passes_the_gate_from_its_own_directory(user, example, reference, outputs, tmp_path):
    project = tmp_path / example
    shutil.copytree(ROOT / "examples" / example, project)
    done = sh(user, "secure-kafka", "preview", "--stack", "prod", "--quiet", "--format", "sarif",
              "--stack-outputs", f"{reference}={outputs}", cwd=project)
    assert done.returncode == 0, done.stderr
    sarif = json.loads(done.stdout)
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"] == []
    missing = sh(user, "secure-kafka", "preview", "--stack", "prod", "--quiet", cwd=project)
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1
    assert f"--stack-outputs {reference}=FILE" in missing.stderr


def test_check_judges_a_terraform_plan_and_fails_on_exposure(user, tmp_path):
    plan = {"format_version": "1.2", "planned_values": {"root_module": {"resources": [{
        "address": "aws_security_group.kafka", "mode": "managed", "type": "aws_security_group", "name": "kafka",
        "values": {"name": "kafka", "vpc_id": "vpc-0c0ffee0c0ffee001", "ingress": [{
            "from_port": 9092, "to_port": 9092, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"],
            "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [], "self": False,
            "description": "kafka"}]}}]}}}
    (tmp_path / "tfplan.json").write_text(json.dumps(plan))
    done = sh(user, "secure-kafka", "check", str(tmp_path / "tfplan.json"), "--format", "json", "--quiet")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["summary"]["mandatory"] == 1
    [finding] = report["findings"]
    assert finding["rule_id"] == "KAFKA-NET-001" and "aws_security_group.kafka" in finding["resource"]


def test_copied_pack_is_self_contained_and_judges_a_program(user, tmp_path):
    pack = tmp_path / "pack"
    done = sh(user, "secure-kafka", "pack-dir", "--copy-to", str(pack))
    assert done.returncode == 0 and Path(done.stdout.strip()) == pack.resolve(), done.stderr
    assert (pack / "PulumiPolicy.yaml").exists() and (pack / "kafka_guardrails" / "rules.py").exists()
    # as the Pulumi CLI loads it: the pack's own virtualenv, with the versions this installation runs
    version = sh(user, "secure-kafka", "--version").stdout.split()[-1]
    assert f"version: {version}" in (pack / "PulumiPolicy.yaml").read_text()
    python = pack / "venv" / "bin" / "python"
    assert python.exists() and "pulumi install" in (pack / "README.md").read_text()
    # the pack asks the CLI for no provider plugin: its virtualenv holds pulumi and pulumi-policy only
    for requirements in (pack / "requirements.txt", ROOT / "policies" / "requirements.txt"):
        names = {re.split(r"[=<>~ ]", line)[0] for line in requirements.read_text().splitlines()
                 if line.strip() and not line.startswith("#")}
        assert names == {"pulumi", "pulumi-policy"}, requirements
    listed = sh(user, str(python), "-m", "pip", "list", "--format", "freeze").stdout.lower()
    assert "pulumi-policy" in listed.replace("_", "-") and "pulumi-aws" not in listed.replace("_", "-")
    from secure_kafka.gate import PolicyPack
    with PolicyPack(pack, preview=False, python=str(python)) as running:
        running.configure({})
        found = running.analyze("aws:ec2/securityGroup:SecurityGroup", {"ingress": [
            {"protocol": "tcp", "fromPort": 9092, "toPort": 9092, "cidrBlocks": ["0.0.0.0/0"]}]}, name="open")
    assert [(d.policy, d.level) for d in found] == [("kafka-no-public-port", "mandatory")]
    project = tmp_path / "msk"
    shutil.copytree(ROOT / "examples" / "msk-shared-vpc", project)
    bad = {**json.loads((project / "network-prod.json").read_text())}
    (project / "network-prod.json").write_text(json.dumps(bad))
    # a program that opens the brokers to the world: the copied pack must say so
    (project / "__main__.py").write_text(
        "import pulumi_aws as aws\n"
        "aws.ec2.SecurityGroup('open', vpc_id='vpc-0c0ffee0c0ffee001', ingress=[{'protocol': 'tcp',"
        " 'from_port': 9092, 'to_port': 9092, 'cidr_blocks': ['0.0.0.0/0']}])\n")
    judged = sh(user, "secure-kafka", "preview", "--stack", "prod", "--quiet", "--format", "json",
                "--policy-pack", str(pack), "--stack-outputs", "acme/network/prod=network-prod.json", cwd=project)
    assert judged.returncode == 1, judged.stderr
    findings = json.loads(judged.stdout)["findings"]
    assert [f["rule_id"] for f in findings if f["level"] == "mandatory"] == ["KAFKA-NET-001"]


def test_a_pack_copy_that_cannot_install_its_dependencies_says_so_in_one_line(user, tmp_path):
    bin_dir, work, env = user
    offline = {**env, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(tmp_path)}
    done = subprocess.run([str(bin_dir / "secure-kafka"), "pack-dir", "--copy-to", str(tmp_path / "pack")],
                          cwd=work, env=offline, capture_output=True, text=True, timeout=600)
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "pulumi install" in done.stderr and "--no-install" in done.stderr
    skipped = sh(user, "secure-kafka", "pack-dir", "--copy-to", str(tmp_path / "bare"), "--no-install")
    assert skipped.returncode == 0 and not (tmp_path / "bare" / "venv").exists()
    assert "pulumi install" in skipped.stderr


def test_checkov_runs_the_installed_checks_from_outside_the_repository(user, tmp_path):
    checks = sh(user, "secure-kafka", "checkov-dir")
    assert checks.returncode == 0
    where = Path(checks.stdout.strip())
    assert where.resolve().is_relative_to(user[0].parent.resolve()) and (where / "kafka_engine_bridge.py").exists()
    shutil.copy(ROOT / "tests" / "fixtures" / "checkov" / "terraform" / "main.tf", tmp_path / "main.tf")
    env = {**user[2], "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"}
    done = subprocess.run([str(ROOT / ".venv-checkov" / "bin" / "checkov"), "-d", str(tmp_path), "--framework",
                           "terraform", "--external-checks-dir", str(where), "--check", "CKV_KAFKA_NET_001",
                           "-o", "json", "--compact", "--skip-download"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 1, done.stderr[-2000:]
    report = json.loads(done.stdout)
    failed = report["results"]["failed_checks"]
    assert failed and all(f["check_id"] == "CKV_KAFKA_NET_001" for f in failed)
    assert not [r for r in report["results"]["failed_checks"] if "could not" in str(r.get("check_result"))]


def test_audit_command_is_installed_and_refuses_bad_input(user):
    help_ = sh(user, "secure-kafka-audit", "--help")
    assert help_.returncode == 0 and "--revoke" in help_.stdout
    bad = sh(user, "secure-kafka", "audit", "--ports", "not-a-port")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1 and "not-a-port" in bad.stderr


def test_audit_without_its_extra_names_the_extra_in_one_line(user):
    """Installed without `[audit]` (as the workflow installs it): no boto3, so the audit says which extra
    to add, in one line, exit 2 (bad input), never a traceback or exit 1 (which means "exposure")."""
    assert sh(user, "python", "-c", "import boto3").returncode != 0
    for argv in (["secure-kafka", "audit", "--region", "eu-west-1"], ["secure-kafka-audit", "--region", "eu-west-1"]):
        done = sh(user, *argv)
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 2 and len(lines) == 1, done.stderr
        assert "pip install 'secure-kafka[audit]'" in lines[0] and "Traceback" not in done.stderr


def test_investigate_is_installed_and_answers_in_every_format(user):
    """`secure-kafka investigate` as installed without extras: files answered in each format; AWS sources
    name the extra they need, in one line."""
    import json
    import shutil

    bin_dir, work, env = user
    logs = work / "incident-logs"
    shutil.copytree(ROOT / "tests" / "ops" / "fixtures", logs, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.md"))
    table = sh(user, "secure-kafka", "investigate", "incident-logs", "--result", "denied")
    assert table.returncode == 0 and "User:stranger" in table.stdout and "0 unreadable audit lines" in table.stderr
    for form, key in (("jsonl", "principal"), ("ecs", "@timestamp"), ("splunk", "sourcetype")):
        done = sh(user, "secure-kafka", "investigate", "incident-logs", "--principal", "User:stranger", "--format", form)
        docs = [json.loads(line) for line in done.stdout.splitlines()]
        assert done.returncode == 0 and docs and all(key in d for d in docs), (form, done.stdout, done.stderr)
    aws = sh(user, "secure-kafka", "investigate", "--cloudwatch-group", "/aws/msk/orders/broker")
    assert aws.returncode == 2 and aws.stderr.strip().splitlines() == [
        "secure-kafka: CloudWatch Logs group /aws/msk/orders/broker: reading AWS needs boto3: "
        "pip install 'secure-kafka[audit]'"], aws.stderr


def test_roll_gate_is_installed_and_names_what_it_needs(user):
    """The command `pulumi up` runs between broker replacements, as installed without extras."""
    help_ = sh(user, "secure-kafka", "roll-gate", "--help")
    assert help_.returncode == 0 and "--brokers" in help_.stdout and "before" in help_.stdout
    from secure_kafka.ops.rollgate import ENV
    assert all(name in help_.stdout for name in ENV.values()) and "secure-kafka[ops]" in help_.stdout
    bare = sh(user, "secure-kafka", "roll-gate", "after", "--broker", "0", "--brokers", "0", "--bootstrap", "10.0.0.1:9094")
    assert bare.returncode == 2 and bare.stderr.strip().splitlines() == [
        "secure-kafka: SECURE_KAFKA_GATE_CA_PEM is not set to a PEM value (the cluster CA's certificate)"], bare.stderr
    bin_dir, work, env = user
    pem = {name: f"-----BEGIN {kind}-----\nx\n-----END {kind}-----\n" for name, kind in (
        ("SECURE_KAFKA_GATE_CA_PEM", "CERTIFICATE"), ("SECURE_KAFKA_GATE_CERT_PEM", "CERTIFICATE"),
        ("SECURE_KAFKA_GATE_KEY_PEM", "PRIVATE KEY"))}
    done = subprocess.run([str(bin_dir / "secure-kafka"), "roll-gate", "after", "--broker", "0", "--brokers", "0",
                           "--bootstrap", "10.0.0.1:9094"], cwd=work, env={**env, **pem}, capture_output=True,
                          text=True, timeout=120)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and "pip install 'secure-kafka[ops]'" in lines[0], done.stderr
    controller = sh(user, "secure-kafka", "roll-gate", "before", "--controller", "1000", "--bootstrap", "10.0.0.1:9094",
                    "--kafka-home", str(work / "no-kafka"))
    assert controller.returncode == 2 and controller.stderr.strip().splitlines() == [
        f"secure-kafka: --kafka-home {work / 'no-kafka'}: with --controller, a Kafka installation with "
        "bin/kafka-metadata-quorum.sh"], controller.stderr


def test_migrate_is_installed_and_refuses_a_bad_plan_in_one_line(user):
    """`secure-kafka migrate` as installed: its help shows a plan file; a plan naming an unknown
    setting, a plan without credentials in the environment, and one without the ops extra each
    get one line that says what to change."""
    bin_dir, work, env = user
    help_ = sh(user, "secure-kafka", "migrate", "--help")
    assert help_.returncode == 0 and "restart_broker:" in help_.stdout and "--until" in help_.stdout
    tool = work / "kafka" / "bin" / "kafka-metadata-quorum.sh"
    tool.parent.mkdir(parents=True, exist_ok=True)
    tool.write_text("#!/bin/sh\nexit 1\n")
    plan = {"bootstrap": "10.0.1.10:9094", "bootstrap_controller": "10.0.1.20:9093", "brokers": [0, 1, 2],
            "controllers": [1000, 1001, 1002], "kafka_home": str(work / "kafka"),
            "commands": {"restart_broker": "restart.sh {node} {phase}", "migrated": "migrated.sh"}}
    (work / "plan.yaml").write_text(json.dumps({**plan, "zookeeper": "10.0.5.1:2182"}))
    unknown = sh(user, "secure-kafka", "migrate", "--plan", "plan.yaml", "--from", "brokers", "--until", "kraft")
    assert unknown.returncode == 2 and unknown.stderr.strip().splitlines() == [
        "secure-kafka: plan zookeeper: not a setting (allowed: bootstrap, bootstrap_controller, brokers, "
        "controllers, kafka_home, commands, timeout, interval)"], unknown.stderr
    (work / "plan.yaml").write_text(json.dumps(plan))
    bare = sh(user, "secure-kafka", "migrate", "--plan", "plan.yaml", "--from", "brokers", "--until", "kraft")
    assert bare.returncode == 2 and bare.stderr.strip().splitlines() == [
        "secure-kafka: SECURE_KAFKA_MIGRATE_CA_PEM is not set to a PEM value (the cluster CA's certificate)"]
    pem = {name: f"-----BEGIN {kind}-----\nx\n-----END {kind}-----\n" for name, kind in (
        ("SECURE_KAFKA_MIGRATE_CA_PEM", "CERTIFICATE"), ("SECURE_KAFKA_MIGRATE_CERT_PEM", "CERTIFICATE"),
        ("SECURE_KAFKA_MIGRATE_KEY_PEM", "PRIVATE KEY"))}
    done = subprocess.run([str(bin_dir / "secure-kafka"), "migrate", "--plan", "plan.yaml", "--from", "brokers",
                           "--until", "kraft"], cwd=work, env={**env, **pem}, capture_output=True, text=True,
                          timeout=120)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and "pip install 'secure-kafka[ops]'" in lines[0], done.stderr


@pytest.mark.parametrize("argv, fragment", [
    (["preview", "--project-dir", "/nonexistent/project"], "/nonexistent/project"),
    (["check", "/nonexistent/plan.json"], "/nonexistent/plan.json"),
    (["preview", "--stack-outputs", "no-equals-sign"], "expected STACK=FILE"),
])
def test_bad_input_outside_the_repository_is_one_line(user, argv, fragment):
    done = sh(user, "secure-kafka", *argv)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and fragment in lines[0], done.stderr


@pytest.fixture(scope="module")
def program_venv(tmp_path_factory):
    """A fresh clone's project as `pulumi up` prepares it: a virtualenv made from requirements.txt
    alone, in the project directory (as the Pulumi CLI does for `toolchain: pip`)."""
    clone = tmp_path_factory.mktemp("clone") / "secure-kafka"
    shutil.copytree(ROOT, clone, ignore=SKIP_COPY)
    subprocess.run([sys.executable, "-m", "venv", str(clone / ".venv")], check=True)
    done = subprocess.run([str(clone / ".venv" / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-compile",
                           "-r", "requirements.txt"], cwd=clone, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return clone, env


def test_program_requirements_alone_run_every_stack(program_venv):
    clone, env = program_venv
    python = clone / ".venv" / "bin" / "python"
    installed = subprocess.run([str(python), "-m", "pip", "list", "--format", "json"], capture_output=True,
                               text=True, env=env, check=True)
    names = {p["name"].lower().replace("_", "-") for p in json.loads(installed.stdout)}
    assert {"secure-kafka", "pulumi", "pulumi-aws", "pulumi-kubernetes", "pulumi-policy"} <= names
    assert not {"pytest", "hypothesis", "moto", "checkov", "boto3"} & names  # test tools and the audit extra stay out
    assert "confluent-kafka" in names  # the ops extra: `pulumi up` of selfmanaged/kraft runs the roll gate
    stacks = sorted(p.name.split(".")[1] for p in (clone / "stacks").glob("Pulumi.*.yaml"))
    assert len(stacks) >= 3
    for stack in stacks:
        done = subprocess.run([str(clone / ".venv" / "bin" / "secure-kafka"), "preview", "--stack", stack,
                               "--quiet", "--format", "json"], cwd=clone, capture_output=True, text=True,
                              env=env, timeout=600)
        assert done.returncode == 0, (stack, done.stderr)
        assert json.loads(done.stdout)["summary"]["mandatory"] == 0


def _program_copy(where: Path, stack: str, edit=lambda text: text) -> Path:
    """This repository's program (Pulumi.yaml, __main__.py, one stack file) copied elsewhere, run by the
    installed package alone."""
    (where / "stacks").mkdir(parents=True)
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / name, where / name)
    text = (ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text()
    (where / "stacks" / f"Pulumi.{stack}.yaml").write_text(edit(text))
    return where


@pytest.mark.parametrize("name, edit, fragment", [
    ("yaml-number-version", lambda t: t.replace("kafkaVersion: 3.9.x", "kafkaVersion: 3.9"),
     'quote one of the accepted values, e.g. "3.9.x"'),
    ("yes-for-a-boolean", lambda t: t.replace("    logRetentionDays: 30\n", "    logRetentionDays: 30\n"
                                              "    inClusterEncryption: yes\n"), "write true without quotes"),
    ("other-namespace", lambda t: t.replace("\nconfig:\n", "\nconfig:\n  secure_kafka:vpcId: vpc-0123456789abcdef0\n"),
     "secure_kafka:vpcId"),
    ("configs-typo", lambda t: t.replace("\nconfig:", "\nconfigs:"), "did you mean 'config'?"),
    ("cidr-part", lambda t: t.replace("vpcCidr: 10.10.0.0/16", "vpcCidr: 10.10.0.300/16"),
     "part 4 of the address, '300', is not a number 0-255"),
])
def test_stack_config_mistakes_as_installed(user, tmp_path, name, edit, fragment):
    project = _program_copy(tmp_path / name, "dev", edit)
    done = sh(user, "secure-kafka", "preview", "--stack", "dev", "--quiet", cwd=project)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and fragment in lines[0], done.stderr
    assert done.stdout == ""


def test_a_python_argument_of_the_wrong_type_as_installed(user):
    done = sh(user, "python", "-c", "from secure_kafka import ClientAccess, MskClusterArgs\n"
              "from secure_kafka.aws.msk import validate_msk_args\n"
              "validate_msk_args('orders', MskClusterArgs(vpc_id='vpc-0123456789abcdef0', vpc_cidr='10.0.0.0/16', "
              "subnet_ids=['subnet-0123456789abcdef%d' % i for i in range(3)], "
              "clients=[ClientAccess('app', cidr='10.0.1.0/24')], broker_count='3'))")
    assert done.returncode == 1 and "broker_count='3' is not allowed: a whole number" in done.stderr
    assert "not a whole number" in done.stderr


def test_the_installed_preview_names_placeholders_and_simulated_outputs(user, tmp_path):
    project = _program_copy(tmp_path / "selfmanaged", "selfmanaged",
                            lambda t: t.replace("aws:region: eu-west-1", "aws:region: ap-south-1"))
    done = sh(user, "secure-kafka", "preview", "--stack", "selfmanaged", "--quiet", cwd=project)
    assert done.returncode == 0, done.stderr
    assert "Outputs (simulated by the offline mocks" in done.stdout and ":ap-south-1:" in done.stdout
    listed = done.stdout.split("Placeholders to replace", 1)[1].splitlines()[1:]
    marked = [n for n, line in enumerate((project / "stacks" / "Pulumi.selfmanaged.yaml").read_text().splitlines(), 1)
              if "# placeholder:" in line]
    assert [line.split()[0] for line in listed if line.strip()] == \
        [f"stacks/Pulumi.selfmanaged.yaml:{n}" for n in marked] and len(marked) >= 4


def test_the_installed_gate_refuses_a_duplicate_urn_and_keeps_the_verdict_in_the_log(user, tmp_path):
    """Two registrations with one URN fail as the engine fails them (exit 2, naming both); with --output
    the verdict line still reaches stdout, and `check`'s table names each resource's file."""
    project = tmp_path / "dup"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: dup\nruntime: python\n")
    (project / "Pulumi.ci.yaml").write_text("config:\n  aws:region: eu-west-1\n")
    (project / "__main__.py").write_text("import pulumi_aws as aws\nfor _ in range(2):\n"
                                         "    aws.ec2.SecurityGroup('twice', vpc_id='vpc-0123456789abcdef0')\n")
    dup = sh(user, "secure-kafka", "preview", "--stack", "ci", "--quiet", cwd=project)
    lines = dup.stderr.strip().splitlines()
    assert dup.returncode == 2 and len(lines) == 1 and "duplicate resource URN" in lines[0]
    assert lines[0].count("aws:ec2/securityGroup:SecurityGroup 'twice'") == 2
    plan = tmp_path / "k8s.yaml"
    plan.write_text("apiVersion: v1\nkind: Service\nmetadata: {name: kafka, namespace: kafka}\n"
                    "spec: {type: LoadBalancer, selector: {app: kafka}, ports: [{port: 9092}]}\n")
    out = tmp_path / "report.sarif"
    done = sh(user, "secure-kafka", "check", str(plan), "--format", "sarif", "--output", str(out), "--quiet")
    assert done.returncode == 1 and out.exists()
    assert done.stdout.strip().endswith(f"Report: {out}") and "-> exit 1 (blocked" in done.stdout
    table = sh(user, "secure-kafka", "check", str(plan), "--quiet")
    header = table.stdout.splitlines()[0].split()
    assert header[-1] == "FILE" and f"{plan}:1" in table.stdout
