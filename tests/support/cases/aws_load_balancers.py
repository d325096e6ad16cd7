"""AWS load balancers in front of Kafka: NLB/ALB chains (listener -> target group -> load
balancer -> its security groups) and classic ELBs, in the aws/Terraform and aws-native/CFN shapes."""
from . import COMBINED, NONE, UNSEEN, Case, Member, StackCase

LB = "aws:lb/loadBalancer:LoadBalancer"
ALB = "aws:alb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
RULE = "aws:lb/listenerRule:ListenerRule"
TG = "aws:lb/targetGroup:TargetGroup"
ATTACH = "aws:lb/targetGroupAttachment:TargetGroupAttachment"
ELB = "aws:elb/loadBalancer:LoadBalancer"
SG = "aws:ec2/securityGroup:SecurityGroup"
NATIVE_LB = "aws-native:elasticloadbalancingv2:LoadBalancer"
NATIVE_LISTENER = "aws-native:elasticloadbalancingv2:Listener"
NATIVE_TG = "aws-native:elasticloadbalancingv2:TargetGroup"


def nlb(internal: bool = False, **extra) -> Member:
    return Member("front", LB, {"name": "front", "internal": internal, "loadBalancerType": "network",
                                "subnets": ["subnet-1", "subnet-2"], **extra})


def listener(port: int, protocol: str = "TCP", **refs) -> Member:
    return Member("listen", LISTENER, {"port": port, "protocol": protocol,
                                       "defaultActions": [{"type": "forward", "targetGroupArn": "placeholder"}]},
                  {"loadBalancerArn": "front", "defaultActions[0].targetGroupArn": "brokers", **refs})


def target_group(port: int, protocol: str = "TCP") -> Member:
    return Member("brokers", TG, {"port": port, "protocol": protocol, "vpcId": "vpc-1", "targetType": "ip"})


def group(cidr: str, port: int) -> Member:
    return Member("front-sg", SG, {"vpcId": "vpc-1", "description": "lb", "ingress": [
        {"protocol": "tcp", "fromPort": port, "toPort": port, "cidrBlocks": [cidr]}]})


def elb(internal: bool, listeners: list, **extra) -> dict:
    return {"name": "legacy", "internal": internal, "availabilityZones": ["eu-west-1a"], "listeners": listeners,
            **extra}


def elb_listener(lb_port: int, instance_port: int) -> dict:
    return {"lbPort": lb_port, "lbProtocol": "tcp", "instancePort": instance_port, "instanceProtocol": "tcp"}


CASES = [
    Case("elb-internet-9092-no-groups", ELB, elb(False, [elb_listener(9092, 9092)]), True),
    Case("elb-internet-443-to-instance-9094", ELB, elb(False, [elb_listener(443, 9094)]), True, 9094),
    Case("elb-internal-9092", ELB, elb(True, [elb_listener(9092, 9092)]), False),
    Case("elb-internet-https-only", ELB, elb(False, [elb_listener(443, 8443)]), False),
    # With groups of its own, a classic ELB is judged in the stack, where its groups are seen.
    Case("elb-with-own-groups-alone", ELB, elb(False, [elb_listener(9092, 9092)], securityGroups=["sg-1"]), False),
    Case("cfn-elb-internet-facing-9092", "AWS::ElasticLoadBalancing::LoadBalancer", {
        "scheme": "internet-facing", "listeners": [{"loadBalancerPort": 9092, "instancePort": 9092, "protocol": "TCP"}]},
        True),
    Case("cfn-elb-internal-9092", "AWS::ElasticLoadBalancing::LoadBalancer", {
        "scheme": "internal", "listeners": [{"loadBalancerPort": 9092, "instancePort": 9092, "protocol": "TCP"}]},
        False),
    Case("nlb-alone", LB, {"internal": False, "loadBalancerType": "network"}, False),
    Case("listener-alone", LISTENER, {"port": 9092, "protocol": "TCP", "loadBalancerArn": "arn:lb"}, False),
]

STACKS = [
    StackCase("nlb-internet-listener-9092", (nlb(), listener(9092), target_group(9092)),
              COMBINED, ("front", "listen", "brokers")),
    StackCase("nlb-tls-443-in-front-of-9092", (nlb(), listener(443, "TLS"), target_group(9092)),
              COMBINED, ("front", "listen", "brokers")),
    StackCase("alb-443-to-9094-open-security-group",
              (Member("front", ALB, {"internal": False, "loadBalancerType": "application",
                                     "securityGroups": ["placeholder"]}, {"securityGroups[0]": "front-sg"}),
               listener(443, "HTTPS"), target_group(9094, "HTTPS"), group("0.0.0.0/0", 443)),
              COMBINED, ("front", "listen", "brokers", "front-sg"), 9094),
    StackCase("alb-443-to-9094-private-security-group",
              (Member("front", ALB, {"internal": False, "loadBalancerType": "application",
                                     "securityGroups": ["placeholder"]}, {"securityGroups[0]": "front-sg"}),
               listener(443, "HTTPS"), target_group(9094, "HTTPS"), group("10.0.0.0/8", 443)), NONE),
    StackCase("nlb-internal-9092", (nlb(internal=True), listener(9092), target_group(9092)), NONE),
    StackCase("nlb-internet-https-only", (nlb(), listener(443, "TLS"), target_group(8443)), NONE),
    StackCase("listener-rule-forwards-to-kafka",
              (nlb(), Member("listen", LISTENER, {"port": 443, "protocol": "HTTPS", "defaultActions": [
                  {"type": "fixed-response", "fixedResponse": {"contentType": "text/plain", "statusCode": "404"}}]},
                  {"loadBalancerArn": "front"}),
               Member("route", RULE, {"priority": 10, "actions": [{"type": "forward", "targetGroupArn": "placeholder"}],
                                      "conditions": [{"pathPattern": {"values": ["/kafka"]}}]},
                      {"listenerArn": "listen", "actions[0].targetGroupArn": "brokers"}),
               target_group(9092)),
              COMBINED, ("front", "listen", "route", "brokers")),
    StackCase("attachment-port-overrides-to-kafka",
              (nlb(), listener(443, "TLS"), target_group(8443),
               Member("broker-0", ATTACH, {"targetId": "10.0.1.10", "port": 9094}, {"targetGroupArn": "brokers"})),
              COMBINED, ("front", "listen", "brokers", "broker-0"), 9094),
    StackCase("listener-of-a-load-balancer-outside-the-stack",
              (Member("listen", LISTENER, {"port": 9092, "protocol": "TCP",
                                           "loadBalancerArn": "arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/net/x/y"}),),
              UNSEEN, ("listen",), checkov=False),
    StackCase("alb-groups-outside-the-stack",
              (Member("front", ALB, {"internal": False, "securityGroups": ["sg-0fedcba9876543210"]}),
               listener(9092), target_group(9092)), UNSEEN, ("front", "listen"), checkov=False),
    StackCase("classic-elb-open-group",
              (Member("legacy", ELB, elb(False, [elb_listener(443, 9092)], securityGroups=["placeholder"]),
                      {"securityGroups[0]": "front-sg"}), group("0.0.0.0/0", 443)),
              COMBINED, ("legacy", "front-sg")),
    StackCase("classic-elb-private-group",
              (Member("legacy", ELB, elb(False, [elb_listener(443, 9092)], securityGroups=["placeholder"]),
                      {"securityGroups[0]": "front-sg"}), group("10.0.0.0/8", 443)), NONE),
    StackCase("cfn-internet-facing-nlb-9092",
              (Member("front", NATIVE_LB, {"scheme": "internet-facing", "type": "network", "subnets": ["subnet-1"]}),
               Member("listen", NATIVE_LISTENER, {"port": 9092, "protocol": "TCP", "defaultActions": [
                   {"type": "forward", "targetGroupArn": "placeholder"}]},
                   {"loadBalancerArn": "front", "defaultActions[0].targetGroupArn": "brokers"}),
               Member("brokers", NATIVE_TG, {"port": 9092, "protocol": "TCP", "vpcId": "vpc-1"})),
              COMBINED, ("front", "listen", "brokers")),
    StackCase("cfn-internal-nlb-9092",
              (Member("front", NATIVE_LB, {"scheme": "internal", "type": "network", "subnets": ["subnet-1"]}),
               Member("listen", NATIVE_LISTENER, {"port": 9092, "protocol": "TCP", "defaultActions": [
                   {"type": "forward", "targetGroupArn": "placeholder"}]},
                   {"loadBalancerArn": "front", "defaultActions[0].targetGroupArn": "brokers"}),
               Member("brokers", NATIVE_TG, {"port": 9092, "protocol": "TCP", "vpcId": "vpc-1"})), NONE),
]
