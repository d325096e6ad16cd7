"""KafkaSecurityGroup and the stack config under Pulumi SDK mocks."""
import pytest

from secure_kafka import ClientAccess, ConfigError, KafkaSecurityGroup, KafkaSecurityGroupArgs
from secure_kafka.gate.mockrun import record

GOOD = [ClientAccess("orders", cidr="10.1.0.0/20"), ClientAccess("bi", security_group_id="sg-0a1b2c3d4e5f60718")]


def build(clients=GOOD, ports=(9094,), cidr="10.1.0.0/16"):
    return KafkaSecurityGroup("k", KafkaSecurityGroupArgs("vpc-0a1b2c3d", cidr, list(ports), list(clients)))


def test_ingress_only_for_named_clients_and_listener_ports():
    run = record(lambda: build(ports=(9094, 9096)))
    by_type = {}
    for r in run.resources:
        by_type.setdefault(r.type, []).append(r)
    rules = by_type["aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"]
    assert len(rules) == 4
    assert {(r.properties.get("cidrIpv4"), r.properties.get("referencedSecurityGroupId"), r.properties["fromPort"])
            for r in rules} == {("10.1.0.0/20", None, 9094), ("10.1.0.0/20", None, 9096),
                                (None, "sg-0a1b2c3d4e5f60718", 9094), (None, "sg-0a1b2c3d4e5f60718", 9096)}
    [group] = by_type["aws:ec2/securityGroup:SecurityGroup"]
    assert all(r.properties["securityGroupId"].startswith("sg-") for r in rules)
    [egress] = by_type["aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"]
    assert egress.properties["cidrIpv4"] == "10.1.0.0/16"
    assert "ingress" not in group.properties and group.properties["revokeRulesOnDelete"] is True
    custom = [r for r in run.resources if r.custom]
    assert len(custom) == 1 + 4 + 1  # the group, four ingress rules, one egress rule
    assert all(r.parent.endswith("secure-kafka:aws:KafkaSecurityGroup::k") for r in custom)


@pytest.mark.parametrize("clients,setting,fragment", [
    ([ClientAccess("web", cidr="0.0.0.0/0")], "clients[0].cidr", "whole IPv4 internet"),
    ([ClientAccess("web", cidr="52.0.0.0/8")], "clients[0].cidr", "internet-routable"),
    ([ClientAccess("web", cidr="::/0")], "clients[0].cidr", "IPv6"),
    ([ClientAccess("web", cidr="10.1.0.1/16")], "clients[0].cidr", "host bits are set after /16: the network is 10.1.0.0/16"),
    ([ClientAccess("web")], "clients[0]", "exactly one"),
    ([ClientAccess("web", cidr="10.0.0.0/8", security_group_id="sg-0a1b2c3d")], "clients[0]", "exactly one"),
    ([ClientAccess("Web!", cidr="10.0.0.0/8")], "clients[0].name", "lowercase"),
    ([ClientAccess("a", cidr="10.0.0.0/8"), ClientAccess("a", cidr="10.2.0.0/16")], "clients[1].name", "unique"),
    ([ClientAccess("a", security_group_id="sg-nothex")], "clients[0].securityGroupId", "sg-"),
    ([], "clients", "at least one"),
])
def test_bad_clients_are_refused_before_anything_is_registered(monitor, clients, setting, fragment):
    with pytest.raises(ConfigError) as error:
        build(clients=clients)
    assert error.value.setting == setting and fragment in str(error.value)
    assert repr(error.value.value) in str(error.value)
    assert monitor.recorded == []


@pytest.mark.parametrize("ports", [[], [0], [70000], ["9094"]])
def test_bad_ports_are_refused(monitor, ports):
    with pytest.raises(ConfigError, match="ports"):
        build(ports=ports)
    assert monitor.recorded == []
