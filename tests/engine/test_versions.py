"""The Kafka version table and KAFKA-VER-*: the table stays honest (sources, dates, review), judging
is date-given and exact, and the rule reads every place a version is written — Pulumi, Terraform
(HCL and plan), CloudFormation, manifests and Strimzi — in-process, over the Analyzer protocol and
in the real checkov."""
import base64
import datetime
import json
import os
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from kafka_guardrails import ADVISORY, MANDATORY, Resource, Settings, from_config, judge_resource
from kafka_guardrails.settings import SettingsError
from kafka_guardrails.versions import (ADVISORIES, APACHE, DEFAULTS, END_OF_SUPPORT, LINES, MSK, REVIEWED, Table,
                                       image_version, judge, line_of, overdue)

PACK = Path(__file__).resolve().parents[2] / "policies"
README = Path(__file__).resolve().parents[2] / "README.md"
DAY = datetime.date(2026, 12, 3)
ON = Settings(today=DAY)
ZK_RISKS = ("CVE-2026-111115", "CVE-2026-111108", "CVE-2026-83525", "CVE-2026-111073", END_OF_SUPPORT)


def review_day() -> datetime.date:
    """The day the table is held to: a scheduled CI job passes today's date; otherwise the table's own
    review day (the suite never reads the clock)."""
    given = os.environ.get("SECURE_KAFKA_REVIEW_DATE")
    return datetime.date.fromisoformat(given) if given else REVIEWED


# --- the table -------------------------------------------------------------------------------------

def test_every_row_has_a_source_and_a_review_date_and_none_is_overdue():
    for line in LINES:
        assert line.source.startswith("https://") and line.reviewed <= REVIEWED, line
    for advisory in ADVISORIES:
        assert advisory.source.startswith("https://") and advisory.id in advisory.source, advisory
        assert advisory.fixed_in and advisory.affected and advisory.published <= REVIEWED
    assert overdue(review_day()) == []


def test_a_date_that_passes_after_the_review_makes_the_row_overdue():
    ending = replace(line_of(MSK, "3.9.x"), end_of_support=DAY + datetime.timedelta(days=30))
    assert overdue(DAY, [ending], []) == []
    late = overdue(DAY + datetime.timedelta(days=30), [ending], [])
    assert [(o.row, "support ended" in o.what) for o in late] == [("msk 3.9.x", True)]
    stale = overdue(REVIEWED + datetime.timedelta(days=121))
    assert {o.row for o in stale} == {f"{ln.platform} {ln.line}" for ln in LINES}
    unsourced = overdue(DAY, [replace(ending, source="", end_of_support=None)], [replace(ADVISORIES[0], source="")])
    assert [o.what for o in unsourced] == ["has no source", "has no source or no fixed-in release"]


def test_the_readme_carries_the_table():
    text = README.read_text()
    start, end = "<!-- versions:start -->", "<!-- versions:end -->"
    assert text.split(start)[1].split(end)[0].strip() == Table().markdown().strip(), \
        "run: .venv/bin/secure-kafka versions (and paste its table between the markers)"


# --- judging ---------------------------------------------------------------------------------------

def test_zookeeper_mode_has_no_release_without_the_2026_broker_advisories():
    verdict = judge(APACHE, "3.9.2", DAY, mode="zookeeper")
    assert tuple(r.id for r in verdict.risks) == ZK_RISKS
    assert verdict.nearest == "" and not any(r.fixed for r in verdict.risks)
    assert "no zookeeper-mode release fixes it" in verdict.explain()
    # the same release as a KRaft cluster has a way out: the nearest supported, unaffected line
    assert judge(APACHE, "3.9.2", DAY, mode="kraft").nearest == "4.2.2"
    older = judge(APACHE, "3.9.1", DAY, mode="zookeeper")
    assert {"CVE-2026-35554", "CVE-2026-33558"} <= {r.id for r in older.risks}


@pytest.mark.parametrize("version,risks,nearest", [
    ("4.4.0", (), ""), ("4.3.2", (), ""), ("4.2.2", (), ""),
    ("4.3.1", ("CVE-2026-111115", "CVE-2026-83525"), "4.3.2"),
    ("4.2.1", ("CVE-2026-111115", "CVE-2026-111108", "CVE-2026-83525", "CVE-2026-111073"), "4.2.2"),
    ("4.1.1", ("CVE-2026-111115", "CVE-2026-111108", "CVE-2026-83525", "CVE-2026-111073", "CVE-2026-35554",
               END_OF_SUPPORT), "4.2.2"),
])
def test_apache_releases(version, risks, nearest):
    verdict = judge(APACHE, version, DAY)
    assert (tuple(r.id for r in verdict.risks), verdict.nearest, verdict.ok) == (risks, nearest, not risks)


def test_a_release_newer_than_the_table_is_unknown_and_an_older_one_long_ended():
    newer = judge(APACHE, "4.5.0", DAY)
    assert (newer.known, newer.ok, newer.risks) == (False, False, ())
    older = judge(APACHE, "3.8.1", DAY)
    assert older.known and END_OF_SUPPORT in {r.id for r in older.risks} and older.nearest == "4.2.2"
    [finding] = [f for f in judge_resource(Resource("aws:ec2/instance:Instance", {"userData": BOOT.format(v="4.5.0")}),
                                            ON) if f.rule_id.startswith("KAFKA-VER")]
    assert finding.rule_id == "KAFKA-VER-001" and "not an Apache Kafka release the table knows" in finding.message


def test_oauth_advisories_count_only_where_oauth_is_on():
    assert "CVE-2026-33557" not in {r.id for r in judge(APACHE, "4.1.1", DAY).risks}
    assert "CVE-2026-33557" in {r.id for r in judge(APACHE, "4.1.1", DAY, scopes=("broker", "oauth")).risks}


def test_msk_support_ends_on_its_date_not_before():
    assert judge(MSK, "3.7.x", datetime.date(2026, 8, 31)).ok
    ended = judge(MSK, "3.7.x", datetime.date(2026, 9, 1))
    assert [r.id for r in ended.risks] == [END_OF_SUPPORT] and ended.nearest == "3.8.x"
    assert judge(MSK, "3.7.x.kraft", DAY).nearest == "3.8.x.kraft"
    unknown = judge(MSK, "2.8.2-tiered", DAY)
    assert not unknown.known and not unknown.ok and unknown.nearest == "3.9.x"


def test_acknowledgements_cover_exactly_the_named_risks():
    verdict = judge(APACHE, "3.9.2", DAY, mode="zookeeper")
    assert verdict.unaccepted(ZK_RISKS) == ()
    assert [r.id for r in verdict.unaccepted(ZK_RISKS[1:])] == ["CVE-2026-111115"]
    assert verdict.stale(("CVE-2026-35554", *ZK_RISKS)) == ("CVE-2026-35554",)


def test_defaults_are_what_the_table_accepts_in_each_mode():
    assert judge(APACHE, DEFAULTS["kraft"], DAY, mode="kraft").ok
    assert DEFAULTS["zookeeper"] == line_of(APACHE, "3.9.0").latest  # the newest ZooKeeper-mode release


@pytest.mark.parametrize("image,version", [
    ("apache/kafka:4.4.0", "4.4.0"), ("docker.io/apache/kafka-native:4.3.2", "4.3.2"),
    ("bitnami/kafka:3.9.1-debian-12-r3", "3.9.1"), ("quay.io/strimzi/kafka:0.49.0-kafka-4.1.0", "4.1.0"),
    ("mirror.local:5000/apache/kafka:4.4.0", "4.4.0"),
    ("apache/kafka@sha256:" + "a" * 64, None), ("apache/kafka", None), ("apache/kafka:latest", None),
    ("confluentinc/cp-kafka:7.9.0", None),
])
def test_image_references(image, version):
    read = image_version(image)
    assert read is not None and read.version == version and (read.why == "") == (version is not None)


@pytest.mark.parametrize("image", ["zookeeper:3.9.3", "nginx:1.27", "example/broker:1", "apache/zookeeper:3.9.3"])
def test_images_that_are_not_a_kafka_distribution(image):
    assert image_version(image) is None


# --- the rule, in every dialect --------------------------------------------------------------------

def statefulset(image: str, annotations: dict | None = None) -> dict:
    meta = {"name": "kafka", "namespace": "kafka", **({"annotations": annotations} if annotations else {})}
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": meta,
            "spec": {"serviceName": "kafka", "selector": {"matchLabels": {"app": "kafka"}},
                     "template": {"metadata": {"labels": {"app": "kafka"}},
                                  "spec": {"containers": [{"name": "kafka", "image": image}]}}}}


BOOT = "#!/bin/sh\ncurl -fsSLO https://archive.apache.org/dist/kafka/{v}/kafka_2.13-{v}.tgz\n"

# (name, type, properties, expected rule ids)
CASES = [
    ("msk-supported", "aws:msk/cluster:Cluster", {"kafkaVersion": "3.9.x"}, []),
    ("msk-ended", "aws:msk/cluster:Cluster", {"kafkaVersion": "3.7.x"}, ["KAFKA-VER-001"]),
    ("msk-ended-accepted", "aws:msk/cluster:Cluster",
     {"kafkaVersion": "3.6.0", "tags": {"secure-kafka:accepted-version-risks": "end-of-support"}}, ["KAFKA-VER-002"]),
    ("msk-not-offered", "aws:msk/cluster:Cluster", {"kafkaVersion": "2.8.2-tiered"}, ["KAFKA-VER-001"]),
    ("msk-config-ended", "aws:msk/configuration:Configuration",
     {"kafkaVersions": ["3.9.x", "3.7.x"], "serverProperties": "auto.create.topics.enable=false"}, ["KAFKA-VER-001"]),
    ("tf-msk-ended", "aws_msk_cluster", {"kafka_version": ["3.6.0"]}, ["KAFKA-VER-001"]),
    ("cfn-msk-ended", "AWS::MSK::Cluster", {"KafkaVersion": "3.7.x"}, ["KAFKA-VER-001"]),
    ("cfn-msk-supported", "AWS::MSK::Cluster", {"KafkaVersion": "4.1.x.kraft"}, []),
    ("instance-downloads-3.9.1", "aws:ec2/instance:Instance", {"userData": BOOT.format(v="3.9.1")}, ["KAFKA-VER-001"]),
    ("instance-downloads-4.4.0", "aws:ec2/instance:Instance", {"userData": BOOT.format(v="4.4.0")}, []),
    ("instance-no-kafka", "aws:ec2/instance:Instance", {"userData": "#!/bin/sh\necho hello\n"}, []),
    ("tf-launch-template-base64", "aws_launch_template",
     {"user_data": [base64.b64encode(BOOT.format(v="4.1.1").encode()).decode()]}, ["KAFKA-VER-001"]),
    ("cfn-instance", "AWS::EC2::Instance", {"UserData": BOOT.format(v="3.8.1")}, ["KAFKA-VER-001"]),
    ("statefulset-old", "kubernetes:apps/v1:StatefulSet", statefulset("apache/kafka:3.9.1"), ["KAFKA-VER-001"]),
    ("statefulset-current", "kubernetes:apps/v1:StatefulSet", statefulset("apache/kafka:4.4.0"), []),
    ("statefulset-digest", "kubernetes:apps/v1:StatefulSet",
     statefulset("apache/kafka@sha256:" + "b" * 64), ["KAFKA-VER-002"]),
    ("statefulset-accepted", "kubernetes:apps/v1:StatefulSet",
     statefulset("apache/kafka:3.9.2", {"secure-kafka.io/accepted-version-risks": " ".join(ZK_RISKS)}),
     ["KAFKA-VER-002"]),
    ("statefulset-partly-accepted", "kubernetes:apps/v1:StatefulSet",
     statefulset("apache/kafka:3.9.2", {"secure-kafka.io/accepted-version-risks": "CVE-2026-111108"}),
     ["KAFKA-VER-001", "KAFKA-VER-002"]),
    ("tf-deployment", "kubernetes_deployment", {"metadata": [{"name": ["k"]}], "spec": [{"template": [{"spec": [
        {"container": [{"name": ["kafka"], "image": ["bitnami/kafka:3.8.1"]}]}]}]}]}, ["KAFKA-VER-001"]),
    ("strimzi-old", "kubernetes:kafka.strimzi.io/v1beta2:Kafka",
     {"metadata": {"name": "e"}, "spec": {"kafka": {"version": "4.0.0", "listeners": []}}}, ["KAFKA-VER-001"]),
    ("strimzi-no-version", "kubernetes:kafka.strimzi.io/v1beta2:Kafka",
     {"metadata": {"name": "e"}, "spec": {"kafka": {"listeners": []}}}, ["KAFKA-VER-002"]),
]


def version_ids(findings) -> list[str]:
    return sorted(f.rule_id for f in findings if f.rule_id.startswith("KAFKA-VER"))


@pytest.mark.parametrize("name,type_,props,expected", CASES, ids=[c[0] for c in CASES])
def test_in_process(name, type_, props, expected):
    findings = judge_resource(Resource(type_, props, name=name), ON)
    assert version_ids(findings) == expected
    for finding in findings:
        if finding.rule_id.startswith("KAFKA-VER"):
            assert finding.level == (MANDATORY if finding.rule_id == "KAFKA-VER-001" else ADVISORY)
            assert finding.message and finding.remediation


def test_the_message_names_the_risks_and_the_way_out():
    [finding] = judge_resource(Resource("aws:ec2/instance:Instance", {"userData": BOOT.format(v="4.3.1")}), ON)
    assert "CVE-2026-111115" in finding.message and "Nearest without them: 4.3.2." in finding.message
    [zk] = judge_resource(Resource("aws:ec2/instance:Instance",
                                   {"userData": BOOT.format(v="3.9.2") + "zookeeper.connect=z:2182\n"}), ON)
    assert "move to KRaft" in zk.message and "no zookeeper-mode release fixes it" in zk.message


def test_a_stale_acknowledgement_is_reported():
    props = statefulset("apache/kafka:4.4.0", {"secure-kafka.io/accepted-version-risks": "CVE-2026-111115"})
    [finding] = [f for f in judge_resource(Resource("kubernetes:apps/v1:StatefulSet", props), ON)
                 if f.rule_id.startswith("KAFKA-VER")]
    assert finding.rule_id == "KAFKA-VER-002" and "does not have" in finding.message


def test_an_unknown_version_blocks_at_up_and_advises_in_preview():
    props = {"kafkaVersion": "04da6b54-80e4-46f7-96ec-b56ff0331ba9"}
    [up] = [f for f in judge_resource(Resource("aws:msk/cluster:Cluster", props), ON) if f.rule_id == "KAFKA-VER-001"]
    [preview] = [f for f in judge_resource(Resource("aws:msk/cluster:Cluster", props), ON.with_preview(True))
                 if f.rule_id == "KAFKA-VER-001"]
    assert (up.level, preview.level, up.unknown) == (MANDATORY, ADVISORY, True)


def test_the_judging_day_is_a_setting():
    assert from_config({"versionsAsOf": "2026-08-31"}).today == datetime.date(2026, 8, 31)
    with pytest.raises(SettingsError, match="versionsAsOf='yesterday' is not allowed: use a date as YYYY-MM-DD"):
        from_config({"versionsAsOf": "yesterday"})
    before = from_config({"versionsAsOf": "2026-08-31"})
    assert version_ids(judge_resource(Resource("aws:msk/cluster:Cluster", {"kafkaVersion": "3.7.x"}), before)) == []


@pytest.mark.pack
def test_over_the_analyzer_protocol():
    from secure_kafka.gate import PolicyPack

    pulumi_cases = [c for c in CASES if ":" in c[1] and not c[1].startswith("AWS::")]
    with PolicyPack(PACK, preview=False) as pack:
        pack.configure({name: {"versionsAsOf": DAY.isoformat()}
                        for name in ("kafka-version-supported", "kafka-version-risk-accepted")})
        for name, type_, props, expected in pulumi_cases:
            found = [d for d in pack.analyze(type_, props, name=name) if d.policy.startswith("kafka-version")]
            names = sorted({"KAFKA-VER-001": "kafka-version-supported",
                            "KAFKA-VER-002": "kafka-version-risk-accepted"}[i] for i in expected)
            assert sorted(d.policy for d in found) == names, name


@pytest.mark.checkov
def test_real_checkov_in_terraform_cloudformation_and_kubernetes(tmp_path):
    from checkov_forms import _plan_entry, run_checkov, write_plan

    checks = ("CKV_KAFKA_VER_001", "CKV_KAFKA_VER_002")
    env = {"KAFKA_GUARDRAILS_VERSIONS_AS_OF": DAY.isoformat()}
    entries = [_plan_entry("aws_msk_cluster", "ended", {"kafka_version": "3.7.x"}),
               _plan_entry("aws_msk_cluster", "current", {"kafka_version": "3.9.x"}),
               _plan_entry("aws_instance", "broker", {"user_data": BOOT.format(v="3.9.1")})]
    write_plan(tmp_path / "plan" / "plan.json", entries)
    (tmp_path / "cfn").mkdir()
    (tmp_path / "cfn" / "t.json").write_text(json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": {
        "Ended": {"Type": "AWS::MSK::Cluster", "Properties": {"KafkaVersion": "3.6.0", "ClusterName": "e"}},
        "Current": {"Type": "AWS::MSK::Cluster", "Properties": {"KafkaVersion": "4.1.x.kraft", "ClusterName": "c"}}}}))
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "kafka.yaml").write_text(yaml.safe_dump_all([
        statefulset("apache/kafka:3.9.1"), {**statefulset("apache/kafka:4.4.0"), "metadata": {"name": "new"}}]))
    plan = run_checkov(tmp_path / "plan", "terraform_plan", check_ids=checks, env=env)
    assert plan[("CKV_KAFKA_VER_001", "aws_msk_cluster.ended")] == "FAILED"
    assert plan[("CKV_KAFKA_VER_001", "aws_msk_cluster.current")] == "PASSED"
    assert plan[("CKV_KAFKA_VER_001", "aws_instance.broker")] == "FAILED"
    cfn = run_checkov(tmp_path / "cfn", "cloudformation", check_ids=checks, env=env)
    assert cfn[("CKV_KAFKA_VER_001", "AWS::MSK::Cluster.Ended")] == "FAILED"
    assert cfn[("CKV_KAFKA_VER_001", "AWS::MSK::Cluster.Current")] == "PASSED"
    k8s = run_checkov(tmp_path / "k8s", "kubernetes", check_ids=checks, env=env)
    assert k8s[("CKV_KAFKA_VER_001", "StatefulSet.kafka.kafka")] == "FAILED"
    assert k8s[("CKV_KAFKA_VER_001", "StatefulSet.default.new")] == "PASSED"
