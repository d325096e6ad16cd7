"""The audit / revoke / back-out tool against the EC2 API, served by moto on 127.0.0.1."""
import socket
import subprocess
import sys
import time

import pytest

from secure_kafka.audit import ip_permission, main, rule_resource

HOST = "127.0.0.1"


@pytest.fixture(scope="module")
def endpoint():
    with socket.socket() as s:
        s.bind((HOST, 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection((HOST, port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "moto did not start"
                time.sleep(0.2)
        yield f"http://{HOST}:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def ec2(endpoint, monkeypatch):
    import boto3

    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": "eu-west-1"}.items():
        monkeypatch.setenv(key, value)
    client = boto3.client("ec2", endpoint_url=endpoint, region_name="eu-west-1")
    # a clean account for every test: delete groups the previous test left
    for group in client.describe_security_groups()["SecurityGroups"]:
        if group["GroupName"] != "default":
            client.delete_security_group(GroupId=group["GroupId"])
    return client


def ingress(ec2, target, protocol, port, **source):
    perm = {"IpProtocol": protocol}
    if protocol != "-1":
        perm.update(FromPort=port, ToPort=port)
    if "cidr" in source:
        perm["IpRanges"] = [{"CidrIp": source["cidr"], "Description": source.get("why", "")}]
    if "cidr6" in source:
        perm["Ipv6Ranges"] = [{"CidrIpv6": source["cidr6"]}]
    if "group" in source:
        perm["UserIdGroupPairs"] = [{"GroupId": source["group"]}]
    return ec2.authorize_security_group_ingress(GroupId=target, IpPermissions=[perm])["SecurityGroupRules"][0]


def estate(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    kafka = ec2.create_security_group(GroupName="kafka", Description="k", VpcId=vpc)["GroupId"]
    web = ec2.create_security_group(GroupName="web", Description="w", VpcId=vpc)["GroupId"]
    bad = [ingress(ec2, kafka, "tcp", 9092, cidr="0.0.0.0/0", why="quick test"),
           ingress(ec2, kafka, "tcp", 2181, cidr6="::/0"),
           ingress(ec2, web, "-1", None, cidr="0.0.0.0/0")]
    good = [ingress(ec2, kafka, "tcp", 9094, cidr="10.0.0.0/8"), ingress(ec2, web, "tcp", 443, cidr="0.0.0.0/0"),
            ingress(ec2, kafka, "tcp", 9094, group=web)]
    return kafka, web, bad, good


def ingress_rules(ec2):
    rules = ec2.describe_security_group_rules()["SecurityGroupRules"]
    return {(r["GroupId"], r["IpProtocol"], r.get("FromPort"), r.get("ToPort"), r.get("CidrIpv4"), r.get("CidrIpv6"),
             r.get("Description") or "") for r in rules if not r["IsEgress"]}


def test_audit_finds_exactly_the_exposing_rules(ec2, endpoint, capsys):
    _, _, bad, good = estate(ec2)
    assert main(["--endpoint-url", endpoint]) == 1
    out = capsys.readouterr().out
    for rule in bad:
        assert rule["SecurityGroupRuleId"] in out
    for rule in good:
        assert rule["SecurityGroupRuleId"] not in out
    assert "3 ingress rule(s) expose" in out and "0.0.0.0/0" in out and "::/0" in out


def test_revoke_then_back_out_restores_every_rule_exactly(ec2, endpoint, tmp_path, capsys):
    _, _, bad, good = estate(ec2)
    before = ingress_rules(ec2)
    undo = tmp_path / "undo.json"
    assert main(["--endpoint-url", endpoint, "--revoke", "--back-out", str(undo)]) == 0
    after = ingress_rules(ec2)
    assert len(before - after) == 3 and after <= before
    assert main(["--endpoint-url", endpoint]) == 0  # the audit is clean now
    assert main(["--endpoint-url", endpoint, "--restore", str(undo)]) == 0
    assert ingress_rules(ec2) == before  # back-out: the same rules, descriptions included
    assert main(["--endpoint-url", endpoint]) == 1
    assert "restored 3 rule(s)" in capsys.readouterr().out


def test_revoke_refuses_to_run_without_a_back_out_file(endpoint):
    with pytest.raises(SystemExit) as error:
        main(["--endpoint-url", endpoint, "--revoke"])
    assert error.value.code == 2


def test_custom_ports_change_what_counts(ec2, endpoint):
    kafka, _, _, _ = estate(ec2)
    ingress(ec2, kafka, "tcp", 19092, cidr="0.0.0.0/0")
    assert main(["--endpoint-url", endpoint, "--ports", "19092"]) == 1
    with pytest.raises(SystemExit):
        main(["--endpoint-url", endpoint, "--ports", "nine"])


def test_api_rules_map_to_the_engine_and_back():
    rule = {"SecurityGroupRuleId": "sgr-1", "GroupId": "sg-1", "IsEgress": False, "IpProtocol": "tcp",
            "FromPort": 9092, "ToPort": 9096, "PrefixListId": "pl-1", "Description": "d"}
    assert rule_resource(rule).props == {"securityGroupId": "sg-1", "ipProtocol": "tcp", "fromPort": 9092,
                                         "toPort": 9096, "prefixListId": "pl-1"}
    assert ip_permission(rule) == {"IpProtocol": "tcp", "FromPort": 9092, "ToPort": 9096,
                                   "PrefixListIds": [{"PrefixListId": "pl-1", "Description": "d"}]}
    everything = {**rule, "IpProtocol": "-1", "FromPort": -1, "ToPort": -1, "PrefixListId": None,
                  "ReferencedGroupInfo": {"GroupId": "sg-2"}}
    assert rule_resource(everything).props == {"securityGroupId": "sg-1", "ipProtocol": "-1",
                                               "referencedSecurityGroupId": "sg-2"}
    assert ip_permission(everything) == {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-2", "Description": "d"}]}
