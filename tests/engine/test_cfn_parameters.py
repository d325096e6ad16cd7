"""CloudFormation parameters are judged by their default and reported as overridable; the console
command and the checkov twin give the same verdict on the same template, from any directory."""
import json
import os
from pathlib import Path

import pytest

from checkov_forms import CHECKS, checkov
from secure_kafka.cli import main

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  ClientCidr:
    Type: String
    Default: 0.0.0.0/0
  PrivateCidr:
    Type: String
    Default: 10.0.0.0/8
  PinnedCidr:
    Type: String
    Default: 10.1.0.0/16
    AllowedValues: [10.1.0.0/16, 10.2.0.0/16]
  ClientList:
    Type: CommaDelimitedList
    Default: "10.3.0.0/16,::/0"
  NoDefault:
    Type: String
Resources:
  Front:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Scheme: internet-facing
      Type: network
  Listen:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Front
      Port: 9092
      Protocol: TCP
      DefaultActions:
        - Type: forward
          TargetGroupArn: !Ref Brokers
  Brokers:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      Port: 9092
      Protocol: TCP
  Open:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: open
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 9092, ToPort: 9092, CidrIp: !Ref ClientCidr}
  Quiet:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: quiet
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 9092, ToPort: 9092, CidrIp: !Ref PrivateCidr}
  Pinned:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: pinned
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 9092, ToPort: 9092, CidrIp: !Ref PinnedCidr}
  Listed:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: sg-1
      IpProtocol: tcp
      FromPort: 2181
      ToPort: 2181
      CidrIpv6: !Select [1, !Ref ClientList]
  Unset:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: unset
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 9092, ToPort: 9092, CidrIp: !Ref NoDefault}
"""
FAILING = {"Front", "Listen", "Brokers", "Open", "Listed", "Unset"}


@pytest.fixture()
def template(tmp_path):
    (tmp_path / "infra").mkdir()
    path = tmp_path / "infra" / "template.yaml"
    path.write_text(TEMPLATE)
    return path


def console(path: Path, capsys) -> dict:
    main(["check", str(path), "--format", "json", "--quiet"])
    return json.loads(capsys.readouterr().out)


def test_parameters_are_judged_by_their_default_and_reported_as_overridable(template, capsys):
    report = console(template, capsys)
    assert report["summary"]["resources"] == 8
    mandatory = {label.removeprefix("cfn:") for f in report["findings"] if f["level"] == "mandatory"
                 for label in f["resources"]}
    assert mandatory == FAILING
    overridable = {f["resource"].removeprefix("cfn:"): f for f in report["findings"]
                   if f["policy"] == "kafka-overridable-source"}
    assert set(overridable) == {"Open", "Quiet", "Listed"}  # Pinned's AllowedValues are all private
    assert overridable["Quiet"]["level"] == "advisory" and "PrivateCidr" in overridable["Quiet"]["message"]
    assert "10.0.0.0/8" in overridable["Quiet"]["message"]
    unset = next(f for f in report["findings"] if f["resource"] == "cfn:Unset")
    assert "not known" in unset["message"]


@pytest.mark.checkov
@pytest.mark.parametrize("how", ["-d", "-f"])
@pytest.mark.parametrize("start", ["beside", "elsewhere"])
def test_checkov_gives_the_same_verdict_from_any_directory(template, capsys, tmp_path, how, start):
    expected = {name for name in FAILING if name != "Unset"}  # checkov cannot know a value with no default
    cwd = template.parent.parent if start == "beside" else tmp_path / "elsewhere"
    cwd.mkdir(exist_ok=True)
    target = template.parent if how == "-d" else template
    target_arg = os.path.relpath(target, cwd)
    done = checkov([how, target_arg, "--framework", "cloudformation", "--external-checks-dir", str(CHECKS),
                    "--check", "CKV_KAFKA_NET_001", "-o", "json", "--compact", "--skip-download"], cwd=cwd, timeout=600)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    results = json.loads(done.stdout)["results"]
    failed = {r["resource"].split(".")[-1] for r in results["failed_checks"]}
    passed = {r["resource"].split(".")[-1] for r in results.get("passed_checks", [])}
    assert failed | passed >= {"Front", "Listen", "Brokers", "Open", "Quiet", "Pinned"}
    assert failed - {"Unset"} == expected
    report = console(template, capsys)
    console_failed = {label.removeprefix("cfn:") for f in report["findings"] if f["level"] == "mandatory"
                      for label in f["resources"]}
    assert console_failed - {"Unset"} == failed - {"Unset"}
