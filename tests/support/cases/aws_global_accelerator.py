"""AWS Global Accelerator in front of Kafka: accelerator -> listener (port ranges) -> endpoint group
(port overrides, endpoints). An internal NLB or a private instance behind it is reachable from the
internet, so the endpoint's scheme never excuses it."""
from . import COMBINED, NONE, UNSEEN, Member, StackCase

ACC = "aws:globalaccelerator/accelerator:Accelerator"
LISTENER = "aws:globalaccelerator/listener:Listener"
GROUP = "aws:globalaccelerator/endpointGroup:EndpointGroup"
CR_ACC = "aws:globalaccelerator/customRoutingAccelerator:CustomRoutingAccelerator"
CR_LISTENER = "aws:globalaccelerator/customRoutingListener:CustomRoutingListener"
CR_GROUP = "aws:globalaccelerator/customRoutingEndpointGroup:CustomRoutingEndpointGroup"
NATIVE_ACC = "aws-native:globalaccelerator:Accelerator"
NATIVE_LISTENER = "aws-native:globalaccelerator:Listener"
NATIVE_GROUP = "aws-native:globalaccelerator:EndpointGroup"
LB = "aws:lb/loadBalancer:LoadBalancer"
INTERNAL_NLB = "arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/net/internal-kafka/0123456789abcdef"


def accelerator(enabled=True, type_=ACC) -> Member:
    return Member("edge", type_, {"name": "edge", "ipAddressType": "IPV4", "enabled": enabled})


def ga_listener(low, high, protocol="TCP", type_=LISTENER) -> Member:
    props = {"acceleratorArn": "placeholder", "portRanges": [{"fromPort": low, "toPort": high}]}
    if type_ != CR_LISTENER:
        props["protocol"] = protocol
    return Member("front-door", type_, props, {"acceleratorArn": "edge"})


def group(overrides=(), endpoints=(INTERNAL_NLB,), type_=GROUP) -> Member:
    props = {"listenerArn": "placeholder", "endpointGroupRegion": "eu-west-1",
             "endpointConfigurations": [{"endpointId": e, "weight": 100} for e in endpoints]}
    if overrides:
        props["portOverrides"] = [{"listenerPort": a, "endpointPort": b} for a, b in overrides]
    return Member("kafka-endpoints", type_, props, {"listenerArn": "front-door"})


def custom_group(low, high) -> Member:
    return Member("kafka-endpoints", CR_GROUP, {"listenerArn": "placeholder", "endpointGroupRegion": "eu-west-1",
                                                "destinationConfigurations": [
                                                    {"fromPort": low, "toPort": high, "protocols": ["TCP"]}]},
                  {"listenerArn": "front-door"})


JOINS = ("edge", "front-door", "kafka-endpoints")

STACKS = [
    StackCase("ga-internal-nlb-on-9092", (accelerator(), ga_listener(9092, 9092), group()), COMBINED, JOINS),
    StackCase("ga-listener-range-covers-9092", (accelerator(), ga_listener(9000, 9100), group()), COMBINED, JOINS),
    StackCase("ga-port-override-443-to-9094", (accelerator(), ga_listener(443, 443), group([(443, 9094)])),
              COMBINED, JOINS, port=9094),
    StackCase("ga-private-instance-endpoint", (accelerator(), ga_listener(2181, 2181),
                                               group(endpoints=("i-0123456789abcdef0",))), COMBINED, JOINS, port=2181),
    StackCase("ga-custom-routing-destinations", (accelerator(type_=CR_ACC), ga_listener(10000, 20000, type_=CR_LISTENER),
                                                 custom_group(9000, 9100)), COMBINED, JOINS),
    StackCase("ga-native-internal-nlb", (accelerator(type_=NATIVE_ACC), ga_listener(9092, 9092, type_=NATIVE_LISTENER),
                                         group(type_=NATIVE_GROUP)), COMBINED, JOINS),
    StackCase("ga-web-only", (accelerator(), ga_listener(443, 443), group()), NONE),
    StackCase("ga-override-moves-9092-away", (accelerator(), ga_listener(9092, 9092), group([(9092, 8443)])), NONE),
    StackCase("ga-disabled-accelerator", (accelerator(enabled=False), ga_listener(9092, 9092), group()), NONE),
    StackCase("ga-udp-listener", (accelerator(), ga_listener(9092, 9092, "UDP"), group()), NONE),
    StackCase("ga-no-endpoints", (accelerator(), ga_listener(9092, 9092), group(endpoints=())), NONE),
    StackCase("ga-custom-routing-web", (accelerator(type_=CR_ACC), ga_listener(10000, 20000, type_=CR_LISTENER),
                                        custom_group(443, 443)), NONE),
    StackCase("ga-accelerator-outside-the-stack",
              (Member("front-door", LISTENER, {"acceleratorArn": "arn:aws:globalaccelerator::1:accelerator/abc",
                                              "protocol": "TCP", "portRanges": [{"fromPort": 9092, "toPort": 9092}]}),
               group()), UNSEEN,
              ("front-door", "kafka-endpoints"), checkov=False),
]
