"""Customer-managed prefix lists referenced by security-group rules on Kafka ports."""
from . import COMBINED, NONE, UNSEEN, Case, Member, StackCase

PL = "aws:ec2/managedPrefixList:ManagedPrefixList"
PL_ENTRY = "aws:ec2/managedPrefixListEntry:ManagedPrefixListEntry"
NATIVE_PL = "aws-native:ec2:PrefixList"
VPC_IN = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG = "aws:ec2/securityGroup:SecurityGroup"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
NATIVE_IN = "aws-native:ec2:SecurityGroupIngress"


def plist(*cidrs: str) -> dict:
    return {"name": "clients", "addressFamily": "IPv4", "maxEntries": 10,
            "entries": [{"cidr": c, "description": "client"} for c in cidrs]}


def rule_on(port: int = 9092) -> dict:
    return {"securityGroupId": "sg-0123456789abcdef0", "ipProtocol": "tcp", "fromPort": port, "toPort": port}


CASES = [
    # A list alone exposes nothing: only a rule that admits it on a Kafka port does.
    Case("prefix-list-alone-public", PL, plist("0.0.0.0/0"), False),
    Case("prefix-list-entry-alone", PL_ENTRY, {"prefixListId": "pl-0123", "cidr": "0.0.0.0/0"}, False),
]

STACKS = [
    StackCase("rule-admits-a-public-prefix-list",
              (Member("clients", PL, plist("10.0.0.0/8", "0.0.0.0/0")),
               Member("kafka-in", VPC_IN, rule_on(), {"prefixListId": "clients"})),
              COMBINED, ("kafka-in", "clients")),
    StackCase("inline-entry-admits-a-public-prefix-list",
              (Member("clients", PL, plist("52.0.0.0/8")),
               Member("brokers", SG, {"vpcId": "vpc-1", "description": "kafka", "ingress": [
                   {"protocol": "tcp", "fromPort": 9094, "toPort": 9094, "prefixListIds": ["pl-x"]}]},
                      {"ingress[0].prefixListIds[0]": "clients"})),
              COMBINED, ("brokers", "clients"), 9094),
    StackCase("ec2-rule-admits-a-public-prefix-list",
              (Member("clients", PL, plist("0.0.0.0/0")),
               Member("kafka-in", SG_RULE, {"type": "ingress", "securityGroupId": "sg-0123456789abcdef0",
                                           "protocol": "tcp", "fromPort": 9092, "toPort": 9092},
                      {"prefixListIds[0]": "clients"})),
              COMBINED, ("kafka-in", "clients")),
    StackCase("a-separate-entry-makes-the-list-public",
              (Member("clients", PL, plist("10.0.0.0/8")),
               Member("extra", PL_ENTRY, {"cidr": "0.0.0.0/0"}, {"prefixListId": "clients"}),
               Member("kafka-in", VPC_IN, rule_on(), {"prefixListId": "clients"})),
              COMBINED, ("kafka-in", "clients", "extra")),
    StackCase("rule-admits-a-private-prefix-list",
              (Member("clients", PL, plist("10.0.0.0/8", "192.168.0.0/16")),
               Member("kafka-in", VPC_IN, rule_on(), {"prefixListId": "clients"})), NONE),
    StackCase("public-prefix-list-on-https-only",
              (Member("clients", PL, plist("0.0.0.0/0")),
               Member("web-in", VPC_IN, rule_on(443), {"prefixListId": "clients"})), NONE),
    StackCase("prefix-list-outside-the-stack",
              (Member("kafka-in", VPC_IN, {**rule_on(), "prefixListId": "pl-0a1b2c3d4e5f"}),), UNSEEN,
              ("kafka-in",), checkov=False),
    StackCase("cfn-ingress-admits-a-public-prefix-list",
              (Member("clients", NATIVE_PL, {"prefixListName": "clients", "addressFamily": "IPv4", "maxEntries": 5,
                                             "entries": [{"cidr": "0.0.0.0/0"}]}),
               Member("kafka-in", NATIVE_IN, {"groupId": "sg-0123456789abcdef0", "ipProtocol": "tcp",
                                              "fromPort": 9092, "toPort": 9092}, {"sourcePrefixListId": "clients"})),
              COMBINED, ("kafka-in", "clients")),
]
