"""The audit / revoke / back-out tool against the AWS APIs (EC2, ELBv2, ELB, MSK, STS), served by moto
on 127.0.0.1."""
import json

import pytest

from secure_kafka.ops.audit import ip_permission, main, rule_resource

REGION = "eu-west-1"  # the moto fixtures' region (conftest.py)


def audit(endpoint, *args):
    return main(["--endpoint-url", endpoint, "--region", REGION, *args])


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
    if "prefix_list" in source:
        perm["PrefixListIds"] = [{"PrefixListId": source["prefix_list"]}]
    extra = {}
    if "tags" in source:
        extra["TagSpecifications"] = [{"ResourceType": "security-group-rule", "Tags": source["tags"]}]
    return ec2.authorize_security_group_ingress(GroupId=target, IpPermissions=[perm], **extra)["SecurityGroupRules"][0]


def estate(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    kafka = ec2.create_security_group(GroupName="kafka", Description="k", VpcId=vpc)["GroupId"]
    web = ec2.create_security_group(GroupName="web", Description="w", VpcId=vpc)["GroupId"]
    bad = [ingress(ec2, kafka, "tcp", 9092, cidr="0.0.0.0/0", why="quick test",
                   tags=[{"Key": "owner", "Value": "data-team"}]),
           ingress(ec2, kafka, "tcp", 2181, cidr6="::/0"),
           ingress(ec2, web, "-1", None, cidr="0.0.0.0/0")]
    good = [ingress(ec2, kafka, "tcp", 9094, cidr="10.0.0.0/8"), ingress(ec2, web, "tcp", 443, cidr="0.0.0.0/0"),
            ingress(ec2, kafka, "tcp", 9094, group=web)]
    return vpc, kafka, web, bad, good


def ingress_rules(ec2):
    rules = ec2.describe_security_group_rules()["SecurityGroupRules"]
    return {(r["GroupId"], r["IpProtocol"], r.get("FromPort"), r.get("ToPort"), r.get("CidrIpv4"), r.get("CidrIpv6"),
             r.get("Description") or "", tuple(sorted((t["Key"], t["Value"]) for t in r.get("Tags") or [])))
            for r in rules if not r["IsEgress"]}


def test_audit_finds_exactly_the_exposing_rules_each_with_its_revoke_command(aws, endpoint, capsys):
    _, _, _, bad, good = estate(aws("ec2"))
    assert audit(endpoint) == 1
    out = capsys.readouterr().out
    assert len(bad) == 3 and len(good) == 3
    for rule in bad:
        assert rule["SecurityGroupRuleId"] in out
        assert f"--security-group-rule-ids {rule['SecurityGroupRuleId']}" in out
    for rule in good:
        assert rule["SecurityGroupRuleId"] not in out
    assert "3 exposure(s)" in out and "0.0.0.0/0" in out and "::/0" in out


def test_load_balancers_prefix_lists_and_msk_are_judged_by_the_same_engine(aws, endpoint, capsys):
    ec2, elbv2, kafka = aws("ec2"), aws("elbv2"), aws("kafka")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{REGION}{z}")["Subnet"]["SubnetId"]
               for i, z in enumerate("ab")]
    front = ec2.create_security_group(GroupName="front", Description="lb", VpcId=vpc)["GroupId"]
    ingress(ec2, front, "tcp", 443, cidr="0.0.0.0/0")
    inside = ec2.create_security_group(GroupName="inside", Description="lb", VpcId=vpc)["GroupId"]
    ingress(ec2, inside, "tcp", 443, cidr="0.0.0.0/0")

    def chain(name, scheme, group, target_port):
        lb = elbv2.create_load_balancer(Name=name, Subnets=subnets, SecurityGroups=[group], Scheme=scheme,
                                        Type="application")["LoadBalancers"][0]["LoadBalancerArn"]
        tg = elbv2.create_target_group(Name=f"{name}-tg", Protocol="HTTP", Port=target_port, VpcId=vpc,
                                       TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
        return elbv2.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=443, DefaultActions=[
            {"Type": "forward", "TargetGroupArn": tg}])["Listeners"][0]["ListenerArn"]

    exposed_listener = chain("public-kafka", "internet-facing", front, 9094)
    internal_listener = chain("private-kafka", "internal", inside, 9094)
    web_listener = chain("public-web", "internet-facing", front, 8443)

    plist = ec2.create_managed_prefix_list(PrefixListName="partners", AddressFamily="IPv4", MaxEntries=5, Entries=[
        {"Cidr": "10.9.0.0/16"}, {"Cidr": "0.0.0.0/0"}])["PrefixList"]["PrefixListId"]
    quiet = ec2.create_managed_prefix_list(PrefixListName="office", AddressFamily="IPv4", MaxEntries=5,
                                           Entries=[{"Cidr": "10.8.0.0/16"}])["PrefixList"]["PrefixListId"]
    brokers = ec2.create_security_group(GroupName="brokers", Description="b", VpcId=vpc)["GroupId"]
    via_list = ingress(ec2, brokers, "tcp", 9096, prefix_list=plist)
    via_quiet = ingress(ec2, brokers, "tcp", 9096, prefix_list=quiet)

    def cluster(name, access):
        return kafka.create_cluster(ClusterName=name, KafkaVersion="3.6.0", NumberOfBrokerNodes=2, BrokerNodeGroupInfo={
            "InstanceType": "kafka.m5.large", "ClientSubnets": subnets, "SecurityGroups": [brokers],
            "ConnectivityInfo": {"PublicAccess": {"Type": access}}})["ClusterArn"]

    public_cluster, private_cluster = cluster("open", "SERVICE_PROVIDED_EIPS"), cluster("closed", "DISABLED")

    assert audit(endpoint, "--format", "json") == 1
    report = json.loads(capsys.readouterr().out)
    named = {label for f in report["exposed"] for label in f["resources"]}
    assert {exposed_listener, via_list["SecurityGroupRuleId"], plist, public_cluster} <= named
    assert not {internal_listener, web_listener, via_quiet["SecurityGroupRuleId"], quiet, private_cluster} & named
    rules = {f["rule"] for f in report["exposed"]}
    assert rules == {"KAFKA-NET-001", "KAFKA-MSK-001"}
    fixes = " ".join(f["fix"] for f in report["exposed"])
    assert f"aws elbv2 delete-listener --listener-arn {exposed_listener}" in fixes
    assert f"aws kafka update-connectivity --cluster-arn {public_cluster}" in fixes
    assert f"--prefix-list-id {plist}" in fixes
    assert len(report["exposed"]) == 3 and report["account"] == "123456789012" and report["regions"] == [REGION]


def test_revoke_then_back_out_restores_every_rule_exactly_and_twice_is_a_no_op(aws, endpoint, tmp_path, capsys):
    ec2 = aws("ec2")
    *_, bad, good = estate(ec2)
    before = ingress_rules(ec2)
    assert any(tags for *_, tags in before)  # a tagged rule is among the revoked ones
    undo = tmp_path / "undo.json"
    assert audit(endpoint, "--revoke", "--back-out", str(undo)) == 0
    after = ingress_rules(ec2)
    assert len(before - after) == 3 and after <= before
    doc = json.loads(undo.read_text())
    assert doc["account"] == "123456789012" and doc["time"][:4].isdigit() and len(doc["rules"]) == 3
    assert {r["Region"] for r in doc["rules"]} == {REGION}
    assert audit(endpoint) == 0  # the audit is clean now
    capsys.readouterr()
    assert main(["--endpoint-url", endpoint, "--restore", str(undo)]) == 0  # the file is all it needs
    assert ingress_rules(ec2) == before  # the same rules, descriptions and tags included
    assert "restored 3 rule(s)" in capsys.readouterr().out
    assert main(["--endpoint-url", endpoint, "--restore", str(undo)]) == 0
    assert "restored 0 rule(s)" in capsys.readouterr().out and ingress_rules(ec2) == before
    assert audit(endpoint) == 1


def test_an_existing_back_out_file_is_never_overwritten(aws, endpoint, tmp_path, capsys):
    ec2 = aws("ec2")
    estate(ec2)
    undo = tmp_path / "undo.json"
    undo.write_text("an earlier back-out")
    before = ingress_rules(ec2)
    with pytest.raises(SystemExit) as error:
        audit(endpoint, "--revoke", "--back-out", str(undo))
    assert error.value.code == 2 and "refusing to overwrite" in capsys.readouterr().err
    assert undo.read_text() == "an earlier back-out" and ingress_rules(ec2) == before


def test_all_regions_are_audited(aws, endpoint, capsys):
    for region in (REGION, "us-east-2"):
        ec2 = aws("ec2", region)
        group = ec2.create_security_group(GroupName="kafka", Description="k")["GroupId"]
        ingress(ec2, group, "tcp", 9092, cidr="0.0.0.0/0")
    assert main(["--endpoint-url", endpoint, "--all-regions", "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert len(report["regions"]) >= 10 and {REGION, "us-east-2"} <= set(report["regions"])
    assert sorted(f["region"] for f in report["exposed"]) == sorted([REGION, "us-east-2"])


def test_revoke_refuses_to_run_without_a_back_out_file(endpoint):
    with pytest.raises(SystemExit) as error:
        main(["--endpoint-url", endpoint, "--revoke"])
    assert error.value.code == 2


@pytest.mark.parametrize("bad,expected", [
    (["--restore", "MISSING"], "cannot be read"),
    (["--restore", "NOT_JSON"], "not a back-out document"),
    (["--ports", "nine"], "--ports='nine' is not allowed"),
])
def test_bad_input_is_one_line_and_exit_2(aws, endpoint, tmp_path, capsys, bad, expected):
    (tmp_path / "NOT_JSON").write_text("{not json")
    args = [str(tmp_path / a) if a in ("MISSING", "NOT_JSON") else a for a in bad]
    assert main(["--endpoint-url", endpoint, "--region", REGION, *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and expected in err, err


def test_missing_credentials_and_an_unreachable_endpoint_are_exit_2(monkeypatch, tmp_path, capsys):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert main(["--region", REGION, "--endpoint-url", "http://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert "no AWS credentials" in err and len(err.strip().splitlines()) == 1
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    assert main(["--region", REGION, "--endpoint-url", "http://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert "cannot reach the AWS endpoint" in err and len(err.strip().splitlines()) == 1


def test_custom_ports_change_what_counts(aws, endpoint):
    ec2 = aws("ec2")
    kafka = ec2.create_security_group(GroupName="kafka", Description="k")["GroupId"]
    ingress(ec2, kafka, "tcp", 9092, cidr="0.0.0.0/0")
    ingress(ec2, kafka, "tcp", 19092, cidr="10.0.0.0/8")
    assert audit(endpoint) == 1
    assert audit(endpoint, "--ports", "19092") == 0  # 9092 is not guarded under this list
    ingress(ec2, kafka, "tcp", 19092, cidr="0.0.0.0/0")
    assert audit(endpoint, "--ports", "19092") == 1


def test_api_rules_map_to_the_engine_and_back():
    rule = {"SecurityGroupRuleId": "sgr-1", "GroupId": "sg-1", "IsEgress": False, "IpProtocol": "tcp",
            "FromPort": 9092, "ToPort": 9096, "PrefixListId": "pl-1", "Description": "d"}
    assert rule_resource(rule).props == {"securityGroupId": "sg-1", "ipProtocol": "tcp", "fromPort": 9092,
                                         "toPort": 9096, "prefixListId": "pl-1", "securityGroupRuleId": "sgr-1"}
    assert ip_permission(rule) == {"IpProtocol": "tcp", "FromPort": 9092, "ToPort": 9096,
                                   "PrefixListIds": [{"PrefixListId": "pl-1", "Description": "d"}]}
    everything = {**rule, "IpProtocol": "-1", "FromPort": -1, "ToPort": -1, "PrefixListId": None,
                  "ReferencedGroupInfo": {"GroupId": "sg-2"}}
    assert rule_resource(everything).props == {"securityGroupId": "sg-1", "ipProtocol": "-1",
                                               "referencedSecurityGroupId": "sg-2", "securityGroupRuleId": "sgr-1"}
    assert ip_permission(everything) == {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-2", "Description": "d"}]}
