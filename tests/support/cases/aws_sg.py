"""AWS security groups and their rules: inline, default, separate (ec2 and vpc), aws-native/CFN."""
from __future__ import annotations

from typing import Any

from . import COMBINED, NONE, Case, Member, StackCase

SG = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
VPC_IN = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
NATIVE_SG = "aws-native:ec2:SecurityGroup"
NATIVE_IN = "aws-native:ec2:SecurityGroupIngress"


def tcp(low: int, high: int | None = None, **sources: Any) -> dict:
    return {"protocol": "tcp", "fromPort": low, "toPort": high if high is not None else low, **sources}


def sg(*ingress: dict, **extra: Any) -> dict:
    return {"vpcId": "vpc-1", "description": "kafka", "ingress": list(ingress), **extra}


def rule(kind: str = "ingress", **props: Any) -> dict:
    return {"type": kind, "securityGroupId": "sg-0123456789abcdef0", **props}


def vpc_in(**props: Any) -> dict:
    return {"securityGroupId": "sg-0123456789abcdef0", **props}


W4, W6 = ["0.0.0.0/0"], ["::/0"]

CASES: list[Case] = [
    # --- aws:ec2 SecurityGroup, inline ingress -----------------------------------------
    Case("sg-world-v4-9092", SG, sg(tcp(9092, cidrBlocks=W4)), True),
    Case("sg-world-v6-9092", SG, sg(tcp(9092, ipv6CidrBlocks=W6)), True),
    Case("sg-world-v6-long-zero", SG, sg(tcp(9092, ipv6CidrBlocks=["::0/0"])), True),
    Case("sg-world-v6-expanded", SG, sg(tcp(9092, ipv6CidrBlocks=["0:0:0:0:0:0:0:0/0"])), True),
    Case("sg-all-traffic-minus-one", SG, sg({"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": W4}), True),
    Case("sg-all-traffic-word", SG, sg({"protocol": "all", "fromPort": 0, "toPort": 0, "cidrBlocks": W4}), True),
    Case("sg-protocol-number-6", SG, sg({"protocol": "6", "fromPort": 9000, "toPort": 9100, "cidrBlocks": W4}), True),
    Case("sg-protocol-upper-tcp", SG, sg({"protocol": "TCP", "fromPort": 9092, "toPort": 9092, "cidrBlocks": W4}), True),
    Case("sg-full-range", SG, sg(tcp(1, 65535, cidrBlocks=W4)), True),
    Case("sg-world-next-to-sg-ref", SG, sg(tcp(9092, cidrBlocks=W4, securityGroups=["sg-0aaaaaaaaaaaaaaaa"])), True),
    Case("sg-world-next-to-self", SG, sg(tcp(9092, cidrBlocks=W4, self=True)), True),
    Case("sg-world-next-to-prefix-list", SG, sg(tcp(9092, cidrBlocks=W4, prefixListIds=["pl-12345678"])), True),
    Case("sg-split-halves", SG, sg(tcp(9092, cidrBlocks=["0.0.0.0/1", "128.0.0.0/1"])), True),
    Case("sg-zookeeper-2181", SG, sg(tcp(2181, cidrBlocks=W4)), True, 2181),
    Case("sg-zookeeper-tls-2182", SG, sg(tcp(2182, cidrBlocks=W4)), True, 2182),
    Case("sg-tls-9094", SG, sg(tcp(9094, cidrBlocks=W4)), True, 9094),
    Case("sg-msk-public-9194", SG, sg(tcp(9194, cidrBlocks=W4)), True, 9194),
    Case("sg-broad-global-slash8", SG, sg(tcp(9092, cidrBlocks=["52.0.0.0/8"])), True),
    Case("sg-global-slash16-at-bound", SG, sg(tcp(9092, cidrBlocks=["52.95.0.0/16"])), True),
    Case("sg-broad-global-v6", SG, sg(tcp(9092, ipv6CidrBlocks=["2600::/32"])), True),
    Case("sg-bad-cidr", SG, sg(tcp(9092, cidrBlocks=["0.0.0.0/33"])), True),
    Case("sg-garbage-cidr", SG, sg(tcp(9092, cidrBlocks=["everyone"])), True),
    Case("sg-float-ports", SG, sg({"protocol": "tcp", "fromPort": 9092.0, "toPort": 9092.0, "cidrBlocks": W4}), True),
    Case("sg-whitespace-cidr", SG, sg(tcp(9092, cidrBlocks=[" 0.0.0.0/0 "])), True),
    Case("sg-host-bits-world", SG, sg(tcp(9092, cidrBlocks=["1.2.3.4/0"])), True),
    Case("sg-tcp-minus-one-ports", SG, sg({"protocol": "tcp", "fromPort": -1, "toPort": -1, "cidrBlocks": W4}), True),
    Case("sg-second-entry-exposed", SG, sg(tcp(443, cidrBlocks=W4), tcp(9092, cidrBlocks=W4)), True),
    Case("sg-private-10", SG, sg(tcp(9092, cidrBlocks=["10.0.0.0/8"])), False),
    Case("sg-private-172", SG, sg(tcp(9092, cidrBlocks=["172.16.0.0/12"])), False),
    Case("sg-private-192", SG, sg(tcp(9092, cidrBlocks=["192.168.0.0/16"])), False),
    Case("sg-shared-100-64", SG, sg(tcp(9092, cidrBlocks=["100.64.0.0/10"])), False),
    Case("sg-documentation", SG, sg(tcp(9092, cidrBlocks=["198.51.100.0/24"])), False),
    Case("sg-ula-v6", SG, sg(tcp(9092, ipv6CidrBlocks=["fc00::/7"])), False),
    Case("sg-trusted-host-32", SG, sg(tcp(9092, cidrBlocks=["52.12.34.56/32"])), False),
    Case("sg-global-slash24", SG, sg(tcp(9092, cidrBlocks=["52.1.2.0/24"])), False),
    Case("sg-global-v6-slash64", SG, sg(tcp(9092, ipv6CidrBlocks=["2600:1f18:1:2::/64"])), False),
    Case("sg-443-world", SG, sg(tcp(443, cidrBlocks=W4)), False),
    Case("sg-range-stops-9091", SG, sg(tcp(9000, 9091, cidrBlocks=W4)), False),
    Case("sg-range-between-ports", SG, sg(tcp(9099, 9193, cidrBlocks=W4)), False),
    Case("sg-udp-9092", SG, sg({"protocol": "udp", "fromPort": 9092, "toPort": 9092, "cidrBlocks": W4}), False),
    Case("sg-icmp-world", SG, sg({"protocol": "icmp", "fromPort": -1, "toPort": -1, "cidrBlocks": W4}), False),
    Case("sg-sg-reference-only", SG, sg(tcp(9092, securityGroups=["sg-0aaaaaaaaaaaaaaaa"])), False),
    Case("sg-self-only", SG, sg(tcp(9092, self=True)), False),
    Case("sg-egress-world", SG, {"vpcId": "vpc-1", "egress": [tcp(9092, cidrBlocks=W4)]}, False),
    Case("sg-no-ingress", SG, sg(), False),
    Case("default-sg-world", DEFAULT_SG, {"vpcId": "vpc-1", "ingress": [tcp(9092, cidrBlocks=W4)]}, True),
    Case("default-sg-self", DEFAULT_SG, {"vpcId": "vpc-1", "ingress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "self": True}]}, False),
    # --- aws:ec2 SecurityGroupRule --------------------------------------------------------
    Case("rule-ingress-world", SG_RULE, rule(**tcp(9092, cidrBlocks=W4)), True),
    Case("rule-ingress-world-v6", SG_RULE, rule(**tcp(9096, ipv6CidrBlocks=W6)), True, 9096),
    Case("rule-all-traffic", SG_RULE, rule(protocol="-1", fromPort=0, toPort=0, cidrBlocks=W4), True),
    Case("rule-egress-world", SG_RULE, rule("egress", **tcp(9092, cidrBlocks=W4)), False),
    Case("rule-ingress-sg-source", SG_RULE, rule(**tcp(9092, sourceSecurityGroupId="sg-0bbbbbbbbbbbbbbbb")), False),
    Case("rule-ingress-private", SG_RULE, rule(**tcp(9092, cidrBlocks=["10.20.0.0/16"])), False),
    # --- aws:vpc SecurityGroupIngressRule ---------------------------------------------------
    Case("vpc-in-world", VPC_IN, vpc_in(ipProtocol="tcp", fromPort=9092, toPort=9092, cidrIpv4="0.0.0.0/0"), True),
    Case("vpc-in-all-no-ports-v6", VPC_IN, vpc_in(ipProtocol="-1", cidrIpv6="::/0"), True),
    Case("vpc-in-all-no-ports-v4", VPC_IN, vpc_in(ipProtocol="-1", cidrIpv4="0.0.0.0/0"), True),
    Case("vpc-in-zk-quorum", VPC_IN, vpc_in(ipProtocol="tcp", fromPort=2888, toPort=3888, cidrIpv4="0.0.0.0/0"), True, 2888),
    Case("vpc-in-sg-reference", VPC_IN, vpc_in(ipProtocol="tcp", fromPort=9092, toPort=9092, referencedSecurityGroupId="sg-0ccccccccccccccc0"), False),
    Case("vpc-in-prefix-list", VPC_IN, vpc_in(ipProtocol="tcp", fromPort=9092, toPort=9092, prefixListId="pl-12345678"), False),
    Case("vpc-in-private", VPC_IN, vpc_in(ipProtocol="tcp", fromPort=9092, toPort=9092, cidrIpv4="10.1.0.0/16"), False),
    Case("vpc-in-443-world", VPC_IN, vpc_in(ipProtocol="tcp", fromPort=443, toPort=443, cidrIpv4="0.0.0.0/0"), False),
    # --- aws-native -------------------------------------------------------------------------
    Case("native-sg-world", NATIVE_SG, {"groupDescription": "k", "securityGroupIngress": [{"ipProtocol": "tcp", "fromPort": 9092, "toPort": 9092, "cidrIp": "0.0.0.0/0"}]}, True),
    Case("native-sg-all-v6", NATIVE_SG, {"groupDescription": "k", "securityGroupIngress": [{"ipProtocol": "-1", "cidrIpv6": "::/0"}]}, True),
    Case("native-sg-private", NATIVE_SG, {"groupDescription": "k", "securityGroupIngress": [{"ipProtocol": "tcp", "fromPort": 9092, "toPort": 9092, "cidrIp": "10.0.0.0/16"}]}, False),
    Case("native-in-world-v6", NATIVE_IN, {"groupId": "sg-0123456789abcdef0", "ipProtocol": "tcp", "fromPort": 9096, "toPort": 9096, "cidrIpv6": "::/0"}, True, 9096),
    Case("native-in-tcp-no-ports", NATIVE_IN, {"groupId": "sg-0123456789abcdef0", "ipProtocol": "tcp", "cidrIp": "0.0.0.0/0"}, True),
    Case("native-in-sg-source", NATIVE_IN, {"groupId": "sg-0123456789abcdef0", "ipProtocol": "tcp", "fromPort": 9092, "toPort": 9092, "sourceSecurityGroupId": "sg-0ddddddddddddddd0"}, False),
]



def _half(name: str, cidr: str, kind: str = VPC_IN, group: str = "group") -> Member:
    if kind == VPC_IN:
        return Member(name, VPC_IN, {"ipProtocol": "tcp", "fromPort": 9092, "toPort": 9092, "cidrIpv4": cidr},
                      {"securityGroupId": group})
    return Member(name, SG_RULE, {"type": "ingress", "protocol": "tcp", "fromPort": 9000, "toPort": 9100,
                                  "cidrBlocks": [cidr]}, {"securityGroupId": group})


_GROUP = Member("group", SG, {"vpcId": "vpc-1", "description": "kafka"})
# Each half is narrower than the /16 bound; together they are the routable block 52.0.0.0/16.
LOW, HIGH = "52.0.0.0/17", "52.0.128.0/17"

STACKS = [
    StackCase("sg-rules-together-admit-a-slash16", (_GROUP, _half("low", LOW), _half("high", HIGH)),
              COMBINED, ("group", "low", "high")),
    StackCase("sg-rule-kinds-mixed-together", (_GROUP, _half("low", LOW), _half("high", HIGH, SG_RULE)),
              COMBINED, ("group", "low", "high")),
    StackCase("sg-inline-entry-and-rule-together",
              (Member("group", SG, sg(tcp(9092, cidrBlocks=[LOW]))), _half("high", HIGH)),
              COMBINED, ("group", "high")),
    StackCase("sg-rules-together-private", (_GROUP, _half("a", "10.0.0.0/9"), _half("b", "10.128.0.0/9")), NONE),
    StackCase("sg-rules-together-narrow", (_GROUP, _half("a", "52.0.0.0/18"), _half("b", "52.0.128.0/18")), NONE),
    StackCase("sg-rules-of-two-groups-are-not-mixed",
              (_GROUP, Member("other", SG, {"vpcId": "vpc-1", "description": "other"}),
               _half("low", LOW), _half("high", HIGH, group="other")), NONE),
    StackCase("cfn-ingress-rules-together",
              (Member("group", NATIVE_SG, {"groupDescription": "kafka"}),
               *(Member(name, NATIVE_IN, {"ipProtocol": "tcp", "fromPort": 9092, "toPort": 9092, "cidrIp": cidr},
                        {"groupId": "group"}) for name, cidr in (("low", LOW), ("high", HIGH)))),
              COMBINED, ("group", "low", "high")),
]
