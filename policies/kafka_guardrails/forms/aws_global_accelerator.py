"""AWS Global Accelerator: accelerator -> listener (TCP port ranges) -> endpoint group (port
overrides) -> endpoints (NLBs, ALBs, EC2 instances, Elastic IPs). An accelerator's anycast addresses
are public, and it delivers to internal load balancers and private instances alike: an endpoint
group that lands internet traffic on a Kafka/ZooKeeper port is an exposure whatever the endpoint's
scheme. Custom routing accelerators deliver their destination port ranges to instances in subnets.
"""
from __future__ import annotations

from typing import Any

from ..model import Resource
from ..net import Net, keys_of
from ..registry import form
from ..stack import Path, Stack, join
from ..values import MISSING, UNKNOWN, as_bool, as_int, as_text, is_unknown, known, mapping

FIX = ("Take Kafka/ZooKeeper ports out of the accelerator (its listener's port ranges and the endpoint group's "
       "port overrides), or remove the endpoint group; reach Kafka from other networks over PrivateLink or MSK "
       "multi-VPC connectivity.")
WORLD = ("0.0.0.0/0", "::/0")


def _ranges(value: Any, low_key: str = "fromPort", high_key: str = "toPort") -> Any:
    """[(low, high)] of a list of port-range blocks; UNKNOWN when any bound is not known."""
    value = known(value)
    if value is UNKNOWN:
        return UNKNOWN
    out = []
    for item in value if isinstance(value, list) else [value] if isinstance(value, dict) else []:
        if is_unknown(item):
            return UNKNOWN
        item = mapping(known(item))
        low, high = as_int(item.get(low_key)), as_int(item.get(high_key, item.get(low_key)))
        if low is UNKNOWN or high is UNKNOWN:
            return UNKNOWN
        if isinstance(low, int) and isinstance(high, int):
            out.append((low, high))
    return out


def accelerator(resource: Resource, props: Any) -> Net:
    props = mapping(props)
    enabled = as_bool(props.get("enabled")) if props.get("enabled") not in (None, MISSING) else True
    return Net([], "ga-accelerator", (props.get("arn"), props.get("id"), props.get("acceleratorArn")), {},
               {"enabled": enabled})


def listener(resource: Resource, props: Any) -> Net:
    props = mapping(props)
    protocol = (as_text(known(props.get("protocol"))) or "TCP").upper()
    return Net([], "ga-listener", (props.get("arn"), props.get("id"), props.get("listenerArn")),
               {"accelerator": keys_of(resource, props.get("acceleratorArn"), "acceleratorArn")},
               {"ranges": _ranges(props.get("portRanges")), "protocol": protocol})


def endpoint_group(resource: Resource, props: Any) -> Net:
    props = mapping(props)
    overrides: Any = {}
    raw = known(props.get("portOverrides"))
    if raw is UNKNOWN:
        overrides = UNKNOWN
    else:
        for item in raw if isinstance(raw, list) else []:
            if is_unknown(item):
                overrides = UNKNOWN
                break
            item = mapping(known(item))
            front, back = as_int(item.get("listenerPort")), as_int(item.get("endpointPort"))
            if front is UNKNOWN or back is UNKNOWN:
                overrides = UNKNOWN
                break
            if isinstance(front, int) and isinstance(back, int):
                overrides[front] = back
    endpoints = known(props.get("endpointConfigurations"))
    ids = [] if endpoints in (None, MISSING) else [UNKNOWN] if endpoints is UNKNOWN else \
        [mapping(e).get("endpointId", UNKNOWN) for e in (endpoints if isinstance(endpoints, list) else [endpoints])]
    destinations = None
    if props.get("destinationConfigurations") not in (None, MISSING):  # custom routing
        destinations = _ranges(props.get("destinationConfigurations"))
    return Net([], "ga-endpoint-group", (), {"listener": keys_of(resource, props.get("listenerArn"), "listenerArn")},
               {"overrides": overrides, "endpoints": ids, "destinations": destinations})


def _reached(ranges: list[tuple[int, int]], overrides: dict[int, int], guarded: set[int]) -> list[int]:
    """Endpoint ports that internet traffic to the listener's ranges lands on, as far as they are guarded."""
    out = set()
    for low, high in ranges:
        for port in guarded:
            if low <= port <= high and port not in overrides:
                out.add(port)
        for front, back in overrides.items():
            if low <= front <= high and back in guarded:
                out.add(back)
    return sorted(out)


@join("global-accelerator")
def global_accelerator(stack: Stack, settings: Any) -> list[Path]:
    guarded = set(settings.ports)
    out: list[Path] = []
    for group, net in stack.role("ga-endpoint-group"):
        data = net.data
        if data["endpoints"] == [] and data["destinations"] is None:
            continue  # no endpoint: nothing is reached
        listeners = stack.find(net.links.get("listener", ()), role="ga-listener")
        if not listeners:
            out.append(Path((group,), f"the Global Accelerator endpoint group {group.label} belongs to a listener "
                            "that is not in the stack, so the ports it receives cannot be seen.", unseen=True))
            continue
        for lst, lst_net in listeners:
            if lst_net.data["protocol"] == "UDP":
                continue
            chain = (group, lst)
            if data["destinations"] is not None:  # custom routing: destination ranges to instances
                ranges, overrides = data["destinations"], {}
            else:
                ranges, overrides = lst_net.data["ranges"], data["overrides"]
            if ranges is UNKNOWN or overrides is UNKNOWN:
                out.append(Path(chain, f"the Global Accelerator listener {lst.label}'s ports or {group.label}'s "
                                "port overrides are not known yet, so it cannot be shown that no Kafka/ZooKeeper "
                                "port is reached.", unknown=True))
                continue
            ports = _reached(ranges, overrides, guarded)
            if not ports:
                continue
            accelerators = stack.find(lst_net.links.get("accelerator", ()), role="ga-accelerator")
            if not accelerators:
                out.append(Path(chain, f"the Global Accelerator listener {lst.label} sends traffic to "
                                f"Kafka/ZooKeeper port(s) {', '.join(map(str, ports))} on the endpoints of {group.label}, "
                                "and its accelerator is not in the stack.", tuple(ports), unseen=True))
                continue
            for acc, acc_net in accelerators:
                enabled = acc_net.data["enabled"]
                if enabled is False:
                    continue
                endpoints = ", ".join(str(e) if e is not UNKNOWN else "<not known yet>" for e in data["endpoints"]) \
                    or "the destination subnets"
                out.append(Path(
                    (acc, lst, group), f"the Global Accelerator {acc.label} takes internet traffic on its listener "
                    f"{lst.label} and delivers it to Kafka/ZooKeeper port(s) {', '.join(map(str, ports))} of "
                    f"{endpoints} (endpoint group {group.label}): an accelerator's addresses are public and it "
                    "reaches internal load balancers and private instances alike.", tuple(ports), WORLD, FIX,
                    unknown=enabled is UNKNOWN))
    return out


TF_RENAMES = {"portRange": "portRanges", "endpointConfiguration": "endpointConfigurations",
              "portOverride": "portOverrides", "destinationConfiguration": "destinationConfigurations"}

form(key="aws.global-accelerator", family="AWS Global Accelerator",
     summary="an accelerator (`enabled`): public anycast addresses, joined with its listeners",
     pulumi=("aws:globalaccelerator/accelerator:Accelerator",
             "aws:globalaccelerator/customRoutingAccelerator:CustomRoutingAccelerator",
             "aws-native:globalaccelerator:Accelerator"),
     terraform=("aws_globalaccelerator_accelerator", "aws_globalaccelerator_custom_routing_accelerator"),
     cloudformation=("AWS::GlobalAccelerator::Accelerator",), models={"net": accelerator}, fix=FIX)
form(key="aws.global-accelerator-listener", family="AWS Global Accelerator",
     summary="a listener's protocol and TCP `portRanges`",
     pulumi=("aws:globalaccelerator/listener:Listener",
             "aws:globalaccelerator/customRoutingListener:CustomRoutingListener",
             "aws-native:globalaccelerator:Listener"),
     terraform=("aws_globalaccelerator_listener", "aws_globalaccelerator_custom_routing_listener"),
     cloudformation=("AWS::GlobalAccelerator::Listener",), models={"net": listener}, fix=FIX, renames=TF_RENAMES)
form(key="aws.global-accelerator-endpoint-group", family="AWS Global Accelerator",
     summary="endpoints (internal or not) and `portOverrides`; custom routing `destinationConfigurations`",
     pulumi=("aws:globalaccelerator/endpointGroup:EndpointGroup",
             "aws:globalaccelerator/customRoutingEndpointGroup:CustomRoutingEndpointGroup",
             "aws-native:globalaccelerator:EndpointGroup"),
     terraform=("aws_globalaccelerator_endpoint_group", "aws_globalaccelerator_custom_routing_endpoint_group"),
     cloudformation=("AWS::GlobalAccelerator::EndpointGroup",), models={"net": endpoint_group}, fix=FIX,
     renames=TF_RENAMES)
