"""Coverage accounting and the generic detector: every input is judged, known harmless or reported
as unjudged, and an exposure through a form nobody has written yet still gets a verdict — in the
engine, over the Analyzer protocol, from `secure-kafka check` and from the real checkov."""
import json
from pathlib import Path

import pytest
import yaml

from cases import EXPOSED, SAFE, STACKS
from checkov_forms import run_checkov
from kafka_guardrails import ADVISORY, FORMS, Resource, Settings, judge_resource
from kafka_guardrails.coverage import HARMLESS, JUDGED, UNJUDGED, assess
from kafka_guardrails.fallback import detect
from secure_kafka.cli import main
from secure_kafka.gate import PolicyPack

PACK = Path(__file__).resolve().parents[2] / "policies"
STACKS_DIR = Path(__file__).resolve().parents[2] / "stacks"
COV, FALLBACK = "kafka-coverage", "kafka-unrecognised-exposure"

# Shapes of real clouds' firewalls under provider names no form claims (the real ones have exact forms
# in forms/more_clouds.py): what the generic detector must see in a form nobody has written yet.
OCI_LIST = "acme-oci:Core/securityList:SecurityList"
OCI_RULE = "acme-oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule"
OPENSTACK = "acme-openstack:networking/secGroupRule:SecGroupRule"
ALICLOUD = "acme-alicloud:ecs/securityGroupRule:SecurityGroupRule"
VULTR = "acme-vultr:index/firewallRule:FirewallRule"
SCALEWAY = "acme-scaleway:index/instanceSecurityGroup:InstanceSecurityGroup"


def oci(protocol="6", source="0.0.0.0/0", low=9092, high=9092, key="ingressSecurityRules"):
    return {"compartmentId": "c", "vcnId": "v", key: [
        {"protocol": protocol, "source": source, "tcpOptions": {"min": low, "max": high}}]}


# Forms no module reads: (name, type, properties, exposed). Exposed cases must be caught by the
# generic detector; their safe look-alikes (egress, denials, private or named sources, other ports and
# protocols, disabled rules) must not be.
UNKNOWN_FORMS = [
    ("oci-list-world-9092", OCI_LIST, oci(), True),
    ("oci-list-range", OCI_LIST, oci(low=9000, high=9999), True),
    ("oci-list-private", OCI_LIST, oci(source="10.0.0.0/16"), False),
    ("oci-list-egress", OCI_LIST, oci(key="egressSecurityRules"), False),
    ("oci-list-udp", OCI_LIST, oci(protocol="17"), False),
    ("oci-list-ssh-only", OCI_LIST, oci(low=22, high=22), False),
    ("oci-nsg-rule-world", OCI_RULE, {"direction": "INGRESS", "protocol": "6", "source": "0.0.0.0/0",
                                      "tcpOptions": {"destinationPortRange": {"min": 9092, "max": 9092}}}, True),
    ("oci-nsg-rule-egress", OCI_RULE, {"direction": "EGRESS", "protocol": "6", "destination": "0.0.0.0/0",
                                       "tcpOptions": {"destinationPortRange": {"min": 9092, "max": 9092}}}, False),
    ("openstack-no-remote-prefix", OPENSTACK, {"direction": "ingress", "ethertype": "IPv4", "protocol": "tcp",
                                               "portRangeMin": 9092, "portRangeMax": 9092}, True),
    ("openstack-world-v6", OPENSTACK, {"direction": "ingress", "ethertype": "IPv6", "protocol": "tcp",
                                       "portRangeMin": 2181, "portRangeMax": 2181, "remoteIpPrefix": "::/0"}, True),
    ("openstack-remote-group", OPENSTACK, {"direction": "ingress", "protocol": "tcp", "portRangeMin": 9092,
                                           "portRangeMax": 9092, "remoteGroupId": "clients"}, False),
    ("openstack-egress", OPENSTACK, {"direction": "egress", "protocol": "tcp", "portRangeMin": 9092,
                                     "portRangeMax": 9092}, False),
    ("alicloud-slash-range", ALICLOUD, {"type": "ingress", "ipProtocol": "tcp", "portRange": "9092/9092",
                                        "cidrIp": "0.0.0.0/0", "policy": "accept"}, True),
    ("alicloud-drop", ALICLOUD, {"type": "ingress", "ipProtocol": "tcp", "portRange": "9092/9092",
                                 "cidrIp": "0.0.0.0/0", "policy": "drop"}, False),
    ("alicloud-private", ALICLOUD, {"type": "ingress", "ipProtocol": "tcp", "portRange": "9092/9092",
                                    "cidrIp": "172.16.0.0/12"}, False),
    ("vultr-colon-range", VULTR, {"firewallGroupId": "g", "protocol": "tcp", "ipType": "v4",
                                  "subnet": "0.0.0.0", "subnetSize": 0, "port": "9092:9093"}, True),
    ("vultr-private-subnet", VULTR, {"firewallGroupId": "g", "protocol": "tcp", "ipType": "v4",
                                     "subnet": "10.0.0.0", "subnetSize": 8, "port": "9092:9093"}, False),
    ("scaleway-accept-all", SCALEWAY, {"inboundDefaultPolicy": "drop", "inboundRules": [
        {"action": "accept", "port": 9092, "ipRange": "0.0.0.0/0"}]}, True),
    ("scaleway-drop-rule", SCALEWAY, {"inboundRules": [{"action": "drop", "port": 9092, "ipRange": "0.0.0.0/0"}]},
     False),
    ("scaleway-web", SCALEWAY, {"inboundRules": [{"action": "accept", "port": 443, "ipRange": "0.0.0.0/0"}]}, False),
    ("disabled-rule", "acme:net:Rule", {"disabled": True, "direction": "in", "port": 9092, "source": "*"}, False),
]


# --- the engine ------------------------------------------------------------------------------------

def test_every_kind_is_accounted_for():
    assert assess(Resource("aws:ec2/securityGroup:SecurityGroup", {})).state == JUDGED
    assert assess(Resource("aws:iam/role:Role", {"name": "x"})).state == HARMLESS
    assert assess(Resource("AWS::KMS::Key", {})).state == HARMLESS
    assert assess(Resource("kubernetes:core/v1:Secret", {})).state == HARMLESS
    assert assess(Resource("acme:index:Platform", {}, custom=False)).state == HARMLESS
    unknown = assess(Resource(OCI_LIST, oci()))
    assert unknown.state == UNJUDGED and OCI_LIST in unknown.reason
    assert assess(Resource(OCI_LIST, oci()), ("acme-oci:Core/*",)).state == HARMLESS


def test_a_command_is_harmless_only_when_it_runs_our_roll_gate():
    ours = {"create": "echo 'first boot: no running broker to protect'",
            "update": "secure-kafka roll-gate before --broker 0 --brokers 0,1,2 --bootstrap b:9094 --timeout 1800"}
    assert assess(Resource("command:local:Command", ours)).state == HARMLESS
    opens = {"create": "aws ec2 authorize-security-group-ingress --group-id sg-1 --port 9092 --cidr 0.0.0.0/0"}
    chained = {"create": ours["update"] + "; aws ec2 authorize-security-group-ingress --port 9092"}
    for props in (opens, chained, {}):
        found = judge_resource(Resource("command:local:Command", props, name="cmd"))
        assert [f.policy for f in found] == [COV], props


@pytest.mark.parametrize("name,type_,props,exposed", UNKNOWN_FORMS, ids=[c[0] for c in UNKNOWN_FORMS])
def test_unknown_forms_are_unjudged_and_the_fallback_catches_exposures(name, type_, props, exposed):
    assert FORMS.lookup(type_) is None
    findings = judge_resource(Resource(type_, props, name=name))
    policies = sorted(f.policy for f in findings)
    assert policies == ([COV, FALLBACK] if exposed else [COV])
    assert all(f.level == ADVISORY for f in findings)
    if exposed:
        [hit] = [f for f in findings if f.policy == FALLBACK]
        assert hit.rule_id == "KAFKA-NET-003" and hit.ports and hit.path
        assert hit.resources == (name,)


def test_the_fallback_has_no_false_positive_on_any_safe_case_of_the_table():
    """Run on every safe case of the exposure table, ignoring the registry (which would keep it away)."""
    assert len(SAFE) >= 90
    assert [c.name for c in SAFE if detect(c.props, Settings())] == []
    members = [(s.name, m.name, m.props) for s in STACKS if not s.policies for m in s.members]
    assert len(members) >= 40
    assert [(s, m) for s, m, props in members if detect(props, Settings())] == []


def test_the_fallback_has_no_false_positive_on_what_our_stacks_render():
    from secure_kafka.gate.mockrun import run_program
    from secure_kafka.gate.project import load_project

    project = load_project(Path(__file__).resolve().parents[2])
    stacks = sorted(p.name.split(".")[1] for p in STACKS_DIR.glob("Pulumi.*.yaml"))
    assert {"dev", "prod", "k8s", "kraft"} <= set(stacks)
    seen = 0
    for stack in stacks:
        for resource in run_program(project, stack, preview=False).resources:
            seen += 1
            assert detect(resource.properties, Settings()) == [], (stack, resource.type, resource.name)
            state = assess(Resource(resource.type, resource.properties, custom=resource.custom)).state
            assert state in (JUDGED, HARMLESS), (stack, resource.type)
    assert seen >= 250


def test_the_fallback_reads_checkov_hcl_and_terraform_spellings():
    wrapped = {"ingress_security_rules": [{"protocol": ["6"], "source": ["0.0.0.0/0"],
                                           "tcp_options": [{"min": [9092], "max": [9092]}]}]}
    [hit] = detect(wrapped, Settings())
    assert hit.ports == (9092,) and hit.sources == ("0.0.0.0/0",)
    assert detect({"rule": [{"direction": ["egress"], "port_range_min": [9092], "port_range_max": [9092]}]},
                  Settings()) == []


def test_the_fallback_uses_the_configured_ports_and_prefix_bounds():
    props = {"direction": "in", "port": 8083, "source": "0.0.0.0/0"}
    assert detect(props, Settings()) == []
    assert detect(props, Settings(ports=(8083,)))[0].ports == (8083,)
    narrow = {"direction": "in", "port": 9092, "source": "8.8.0.0/24"}
    assert detect(narrow, Settings()) == [] and detect(narrow, Settings(ipv4_public_prefix=24))


# --- the pack over the Analyzer protocol --------------------------------------------------------------

@pytest.fixture(scope="module")
def pack():
    with PolicyPack(PACK, preview=False) as running:
        running.configure({})
        yield running


@pytest.mark.pack
def test_the_pack_reports_what_it_did_not_judge(pack):
    exposed = pack.analyze(ALICLOUD, UNKNOWN_FORMS[12][2], name="ali")
    assert sorted(d.policy for d in exposed) == [COV, FALLBACK]
    assert all(d.level == "advisory" for d in exposed)
    assert "9092" in next(d.message for d in exposed if d.policy == FALLBACK)
    assert [d.policy for d in pack.analyze(OCI_LIST, oci(source="10.0.0.0/8"), name="quiet")] == [COV]
    # judged, harmless and component resources say nothing
    assert pack.analyze("aws:iam/role:Role", {"name": "r"}, name="r") == []
    assert pack.analyze("acme:index:Platform", {}, name="p", custom=False) == []
    assert pack.analyze("aws:ec2/securityGroup:SecurityGroup", {"ingress": []}, name="sg") == []


@pytest.mark.pack
def test_the_pack_config_makes_the_detector_mandatory_and_accepts_harmless_types():
    with PolicyPack(PACK, preview=False) as running:
        running.configure({FALLBACK: "mandatory", COV: {"harmlessTypes": ["acme-alicloud:*"]}})
        found = running.analyze(ALICLOUD, UNKNOWN_FORMS[12][2], name="ali")
    assert [(d.policy, d.level) for d in found] == [(FALLBACK, "mandatory")]


# --- secure-kafka check -----------------------------------------------------------------------------

SG_TF = """
variable "clients" {
  default = ["10.20.0.0/16"]
}
locals {
  port = 9092
}
resource "aws_security_group" "kafka" {
  name = "kafka"
  dynamic "ingress" {
    for_each = var.clients
    content {
      from_port   = local.port
      to_port     = local.port
      protocol    = "tcp"
      cidr_blocks = [ingress.value]
    }
  }
}
"""


def estate_of_every_kind(root: Path) -> Path:
    """One clean input of every kind `check` reads."""
    root.mkdir()
    (root / "tf").mkdir()
    (root / "tf" / "main.tf").write_text(SG_TF)
    sg = {"type": "aws:ec2/securityGroup:SecurityGroup", "custom": True,
          "urn": "urn:pulumi:p::x::aws:ec2/securityGroup:SecurityGroup::k",
          "inputs": {"ingress": [{"protocol": "tcp", "fromPort": 9092, "toPort": 9092, "cidrBlocks": ["10.0.0.0/8"]}]}}
    (root / "state.json").write_text(json.dumps({"version": 3, "deployment": {"resources": [sg]}}))
    (root / "preview.json").write_text(json.dumps({"config": {}, "steps": [
        {"op": "same", "urn": sg["urn"], "oldState": sg}]}))
    (root / "plan.json").write_text(json.dumps({"format_version": "1.2", "planned_values": {"root_module": {
        "resources": [{"address": "aws_iam_role.r", "mode": "managed", "type": "aws_iam_role", "name": "r",
                       "values": {"name": "r"}}]}}}))
    (root / "template.yaml").write_text(yaml.safe_dump({"Resources": {"Key": {"Type": "AWS::KMS::Key",
                                                                              "Properties": {}}}}))
    (root / "k8s.yaml").write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "Service",
                                                   "metadata": {"name": "kafka"},
                                                   "spec": {"ports": [{"port": 9092}]}}))
    (root / "README.md").write_text("not infrastructure")
    return root


def test_every_kind_judged_passes_and_one_unjudged_input_changes_the_exit_code(tmp_path, capsys):
    root = estate_of_every_kind(tmp_path / "estate")
    assert main(["check", str(root), "--format", "json", "--quiet"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["resources"] == 6
    assert report["summary"] == {"resources": 6, "judged": 4, "harmless": 2, "unjudged": 0, "mandatory": 0,
                                 "advisory": 0, "exit": 0}
    assert set(report["outputs"]["files"].values()) == {"terraform", "pulumi-state", "pulumi-preview",
                                                        "terraform-plan", "cloudformation", "kubernetes"}
    assert report["outputs"]["not infrastructure (passed over by suffix)"] == {".md": 1}

    (root / "helm-values.yaml").write_text("replicaCount: 3\n")  # a YAML the gate cannot read
    assert main(["check", str(root), "--format", "json", "--quiet"]) == 2
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["unjudged"] == 1 and report["summary"]["exit"] == 2
    [finding] = report["findings"]
    assert finding["policy"] == COV and finding["resource"].endswith("helm-values.yaml")
    assert main(["check", str(root), "--quiet", "--strict"]) == 1
    table = capsys.readouterr().out
    assert "FAIL     (input)" in table and "-> exit 1 (blocked" in table


def test_an_unknown_resource_type_is_unjudged_and_strict_blocks_the_detector(tmp_path, capsys):
    (tmp_path / "main.tf").write_text('resource "acme_security_group_rule" "open" {\n  type = "ingress"\n'
                                      '  ip_protocol = "tcp"\n  port_range = "9092/9092"\n  cidr_ip = "0.0.0.0/0"\n}\n')
    assert main(["check", str(tmp_path), "--format", "json", "--quiet"]) == 2
    report = json.loads(capsys.readouterr().out)
    assert sorted((f["policy"], f["level"]) for f in report["findings"]) == [(COV, "advisory"),
                                                                             (FALLBACK, "advisory")]
    assert report["findings"][0]["location"].endswith("main.tf:1")
    assert main(["check", str(tmp_path), "--format", "json", "--quiet", "--strict"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert {f["level"] for f in report["findings"]} == {"mandatory"}


def test_nothing_readable_exits_2(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.txt").write_text("x")
    (tmp_path / "vars.tf").write_text('variable "x" {\n  default = 1\n}\n')
    for target in ("empty", "notes", "vars.tf"):
        assert main(["check", str(tmp_path / target), "--quiet"]) == 2, target
        assert "not judged" in capsys.readouterr().out


# --- Terraform configuration (.tf) -------------------------------------------------------------------

def check_json(paths, capsys, code):
    assert main(["check", *map(str, paths), "--format", "json", "--quiet"]) == code
    return json.loads(capsys.readouterr().out)


def test_tf_variables_locals_and_dynamic_blocks_are_resolved(tmp_path, capsys):
    (tmp_path / "main.tf").write_text(SG_TF)
    assert check_json([tmp_path], capsys, 0)["summary"]["judged"] == 1
    (tmp_path / "terraform.tfvars").write_text('clients = ["10.20.0.0/16", "0.0.0.0/0"]\n')
    report = check_json([tmp_path / "main.tf"], capsys, 1)
    [finding] = report["findings"]
    assert finding["rule_id"] == "KAFKA-NET-001" and "0.0.0.0/0" in finding["message"]
    assert finding["location"] == f"{tmp_path / 'main.tf'}:8"


def test_tf_count_and_for_each_expand(tmp_path, capsys):
    (tmp_path / "main.tf").write_text("""
locals {
  rules = { kafka = 9092, zk = 2181 }
}
resource "aws_vpc_security_group_ingress_rule" "each" {
  for_each          = local.rules
  security_group_id = "sg-1"
  ip_protocol       = "tcp"
  from_port         = each.value
  to_port           = each.value
  cidr_ipv4         = "0.0.0.0/0"
}
resource "aws_vpc_security_group_ingress_rule" "none" {
  count             = 0
  security_group_id = "sg-1"
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}
""")
    report = check_json([tmp_path], capsys, 1)
    assert report["summary"]["resources"] == 2
    assert sorted(p for f in report["findings"] for p in [f["message"].split("port(s) ")[1].split(")")[0]]) == \
        ["2181", "9092"]


def test_tf_joins_across_files_and_local_modules(tmp_path, capsys):
    (tmp_path / "lb.tf").write_text('resource "aws_lb" "front" {\n  load_balancer_type = "network"\n'
                                    '  internal = false\n}\n')
    (tmp_path / "listener.tf").write_text("""
resource "aws_lb_listener" "kafka" {
  load_balancer_arn = aws_lb.front.arn
  port              = 9092
  protocol          = "TCP"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.brokers.arn
  }
}
resource "aws_lb_target_group" "brokers" {
  port     = 9092
  protocol = "TCP"
}
""")
    report = check_json([tmp_path], capsys, 1)
    joined = {label for f in report["findings"] for label in f["resources"]}
    assert {"tf:aws_lb.front", "tf:aws_lb_listener.kafka", "tf:aws_lb_target_group.brokers"} <= joined

    (tmp_path / "lb.tf").unlink()
    (tmp_path / "listener.tf").unlink()
    (tmp_path / "modules" / "kafka").mkdir(parents=True)
    (tmp_path / "modules" / "kafka" / "main.tf").write_text(SG_TF)
    (tmp_path / "main.tf").write_text('module "kafka" {\n  source = "./modules/kafka"\n  clients = ["0.0.0.0/0"]\n}\n'
                                      'module "remote" {\n  source = "terraform-aws-modules/msk-kafka-cluster/aws"\n}\n')
    report = check_json([tmp_path], capsys, 1)
    labels = {f["resource"]: f for f in report["findings"]}
    assert labels["tf:module.kafka.aws_security_group.kafka"]["rule_id"] == "KAFKA-NET-001"
    remote = [f for f in report["findings"] if f["policy"] == COV]
    assert len(remote) == 1 and "module remote" in remote[0]["message"]
    assert report["summary"]["resources"] == 2  # the child module is not read a second time as a root


def test_tf_that_cannot_be_parsed_is_one_line_and_exit_2(tmp_path, capsys):
    (tmp_path / "bad.tf").write_text('resource "aws_security_group" "x" {\n  name = \n')
    assert main(["check", str(tmp_path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "bad.tf is not valid Terraform HCL" in err and len(err.strip().splitlines()) == 1


# --- Pulumi preview JSON and state --------------------------------------------------------------------

def test_unchanged_steps_without_inputs_are_refused_with_a_hint(tmp_path, capsys):
    urn = "urn:pulumi:dev::p::aws:ec2/securityGroup:SecurityGroup::kafka"
    (tmp_path / "preview.json").write_text(json.dumps({"config": {}, "steps": [
        {"op": "same", "urn": urn}, {"op": "same", "urn": "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev"}]}))
    report = check_json([tmp_path / "preview.json"], capsys, 2)
    [finding] = report["findings"]
    assert finding["resource"] == urn and "--show-sames" in finding["message"]


def test_plaintext_secrets_are_judged_by_value_and_never_printed(tmp_path, capsys):
    secret = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
              "plaintext": json.dumps(["0.0.0.0/0"])}
    state = {"type": "aws:ec2/securityGroup:SecurityGroup", "custom": True,
             "urn": "urn:pulumi:p::x::aws:ec2/securityGroup:SecurityGroup::k",
             "inputs": {"ingress": [{"protocol": "tcp", "fromPort": 9092, "toPort": 9092, "cidrBlocks": secret}]}}
    (tmp_path / "state.json").write_text(json.dumps({"version": 3, "deployment": {"resources": [state]}}))
    for fmt in ("table", "json", "sarif", "junit"):
        assert main(["check", str(tmp_path / "state.json"), "--format", fmt, "--quiet"]) == 1
        out = capsys.readouterr().out
        assert "0.0.0.0/0" not in out and "[secret]" in out, fmt


# --- the real checkov ---------------------------------------------------------------------------------

@pytest.mark.checkov
def test_checkov_runs_the_detector_on_unknown_terraform_and_manifests(tmp_path, monkeypatch):
    (tmp_path / "tf").mkdir()
    (tmp_path / "tf" / "main.tf").write_text(
        'resource "acme_security_group_rule" "open" {\n  type = "ingress"\n  ip_protocol = "tcp"\n'
        '  port_range = "9092/9092"\n  cidr_ip = "0.0.0.0/0"\n}\n'
        'resource "acme_security_group_rule" "quiet" {\n  type = "ingress"\n  ip_protocol = "tcp"\n'
        '  port_range = "9092/9092"\n  cidr_ip = "10.0.0.0/8"\n}\n')
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "fw.yaml").write_text(yaml.safe_dump_all([
        {"apiVersion": "acme.io/v1", "kind": "Firewall", "metadata": {"name": "open", "namespace": "k"},
         "spec": {"inbound": [{"port": 9092, "source": "0.0.0.0/0"}]}},
        {"apiVersion": "acme.io/v1", "kind": "Firewall", "metadata": {"name": "quiet", "namespace": "k"},
         "spec": {"inbound": [{"port": 9092, "source": "10.0.0.0/8"}]}}]))
    monkeypatch.chdir(tmp_path / "k8s")  # started from another directory than its target
    tf = run_checkov(tmp_path / "tf", "terraform", check_ids=("CKV_KAFKA_NET_003",))
    k8s = run_checkov(tmp_path / "k8s", "kubernetes", check_ids=("CKV_KAFKA_NET_003",))
    assert len(tf) == 2 and len(k8s) == 2
    assert tf == {("main.tf", "acme_security_group_rule.open"): "FAILED",
                  ("main.tf", "acme_security_group_rule.quiet"): "PASSED"}
    assert sorted(k8s.values()) == ["FAILED", "PASSED"]
    assert [key for key, verdict in k8s.items() if verdict == "FAILED"][0][1].endswith("open")


def test_exposed_table_cases_the_detector_also_sees_are_counted():
    """A figure, not a bar: how much of the exact rules' table the generic detector alone would catch."""
    caught = [c for c in EXPOSED if detect(c.props, Settings())]
    assert 0 < len(caught) < len(EXPOSED)


def test_a_strimzi_node_pool_is_judged_only_without_per_broker_exposure_templates():
    pool = {"apiVersion": "kafka.strimzi.io/v1", "kind": "KafkaNodePool",
            "metadata": {"name": "brokers", "labels": {"strimzi.io/cluster": "events"},
                         "annotations": {"strimzi.io/next-node-ids": "[10-20]"}},
            "spec": {"replicas": 3, "roles": ["broker"], "storage": {"type": "ephemeral"}}}
    token = "kubernetes:kafka.strimzi.io/v1:KafkaNodePool"
    assert assess(Resource(token, pool)).state == JUDGED
    pool["spec"]["template"] = {"perPodService": {"metadata": {"annotations": {
        "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing"}}}}
    assert assess(Resource(token, pool)).state == UNJUDGED


def test_a_helm_release_of_a_chart_the_engine_does_not_read_is_unjudged():
    """A form that reads only some instances (Helm: known charts) reports the others, never passes them."""
    release = {"name": "kafka", "namespace": "kafka", "chart": "kafka", "version": "31.0.0",
               "repositoryOpts": {"repo": "https://charts.example.com"},
               "values": {"externalAccess": {"enabled": True}}}
    token = "kubernetes:helm.sh/v3:Release"
    found = assess(Resource(token, release))
    assert found.state == UNJUDGED and "charts.example.com" in found.reason
    assert [f.policy for f in judge_resource(Resource(token, release, name="r"))] == [COV]
    opened = dict(release, values={"service": {"type": "LoadBalancer", "ports": {"client": 9092},
                                               "loadBalancerSourceRanges": ["0.0.0.0/0"]}})
    assert sorted(f.policy for f in judge_resource(Resource(token, opened, name="r"))) == [COV, FALLBACK]
    bitnami = dict(release, repositoryOpts={"repo": "https://charts.bitnami.com/bitnami"})
    assert assess(Resource(token, bitnami)).state == JUDGED


def test_strimzi_node_ids_are_read_from_the_pool_annotation():
    from kafka_guardrails.forms.k8s_operators import node_ids

    assert node_ids("[0-2, 10]", 4) == [0, 1, 2, 10]
    assert node_ids("[100-199]", 3) == [100, 101, 102]
    assert node_ids("[0-1]", 3) is None          # fewer pinned ids than brokers: Strimzi picks the rest
    assert node_ids("[a-b]", 1) is None and node_ids(None, 3) is None
