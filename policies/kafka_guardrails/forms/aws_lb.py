"""AWS load balancers: an internet-facing NLB/ALB/classic ELB whose listener reaches a guarded
port (the listener's own port or the target port behind it, TLS termination included).

A classic ELB carries its listeners inline and is judged alone when it has no security group of
its own (AWS then gives it a group open on its listener ports). NLB/ALB listeners, target groups
and load balancers are separate resources, joined in the stack: listener -> load balancer
(scheme, security groups) and listener (or listener rule) -> target group -> attachments.
"""
from __future__ import annotations

from typing import Any, Iterable, Sequence

from .. import cidr
from ..model import Resource
from ..net import Entry, Net, key_label, keys_of, unresolved, world
from ..ports import UNKNOWN_SPAN, exactly, unreadable_port
from ..registry import Extractor, form
from ..stack import Path, Stack, join
from ..values import MISSING, UNKNOWN, as_bool, as_int, as_text, blocks, get, is_unknown, known, mapping

FIX = ("Make the load balancer internal (internal = true / Scheme: internal), or keep Kafka ports off its "
       "listeners and target groups; admit only named client ranges in its security groups.")
CLASSIC_NOTE = ("a classic load balancer without security groups of its own gets an AWS-made group open to "
                "the internet on its listener ports")


def _ports(*values: Any) -> list[int]:
    out = []
    for value in values:
        number = as_int(value)
        if isinstance(number, int) and 0 < number <= 65535:
            out.append(number)
    return out


def _odd_listener(ports: Sequence[Any]) -> Any:
    """A classic listener's ports judged whole when one is not known yet or is no port (both are required)."""
    if any(is_unknown(p) for p in ports):
        return UNKNOWN_SPAN
    for port in ports:
        odd = unreadable_port(port, absent="a listener names no port")
        if odd is not None:
            return odd
    return None


def _sg_keys(resource: Resource, props: dict[str, Any]) -> tuple[Any, ...]:
    groups = props.get("securityGroups")
    return (*keys_of(resource, groups, "securityGroups"), *unresolved(resource, groups, "securityGroups"))


def _scheme_internal(props: dict[str, Any], shape: str) -> Any:
    if shape == "cfn":
        scheme = known(props.get("scheme"))
        if scheme is UNKNOWN:
            return UNKNOWN
        text = as_text(scheme)
        return text is not None and text.lower() == "internal"
    flag = known(props.get("internal"))
    return UNKNOWN if flag is UNKNOWN else as_bool(flag) is True


def _lb(shape: str) -> Extractor:
    def extract(resource: Resource, props: Any) -> Net:
        props = mapping(props)
        kind = as_text(props.get("loadBalancerType") if shape != "cfn" else props.get("type")) or "application"
        data = {"internal": _scheme_internal(props, shape), "kind": kind.lower(),
                "groups": _sg_keys(resource, props), "has_groups": props.get("securityGroups") not in (None, MISSING, [])}
        # aws-native names its own ARN `loadBalancerArn` (an output the state holds)
        return Net([], "lb", (props.get("arn"), props.get("id"), props.get("name"), props.get("loadBalancerArn")),
                   {}, data)
    return extract


def _each(value: Any) -> list[Any]:
    value = known(value)
    return value if isinstance(value, list) else [value] if isinstance(value, dict) else []


def _targets(resource: Resource, actions: Any, prop: str) -> tuple[Any, ...]:
    """Target groups an action list forwards to (simple forward, weighted forward)."""
    keys: list[str] = []
    for action in _each(actions):
        action = mapping(action)
        keys.extend(keys_of(resource, action.get("targetGroupArn")))
        forward = get(action, "forward")
        if forward is MISSING:
            forward = get(action, "forwardConfig")
        for group in _each(get(forward, "targetGroups")):
            group = mapping(group)
            keys.extend(keys_of(resource, group.get("arn", group.get("targetGroupArn"))))
    keys.extend(f"urn:{u}" for u in resource.property_dependencies.get(prop, ()))
    return tuple(dict.fromkeys(keys))


def listener(resource: Resource, props: Any) -> Net:
    props = mapping(props)
    return Net([], "listener", (props.get("arn"), props.get("id"), props.get("listenerArn")),
               {"lb": keys_of(resource, props.get("loadBalancerArn"), "loadBalancerArn"),
                "tg": _targets(resource, props.get("defaultActions"), "defaultActions")},
               {"port": known(props.get("port")), "protocol": as_text(props.get("protocol")) or ""})


def listener_rule(resource: Resource, props: Any) -> Net:
    props = mapping(props)
    return Net([], "listener-rule", (props.get("arn"),),
               {"listener": keys_of(resource, props.get("listenerArn"), "listenerArn"),
                "tg": _targets(resource, props.get("actions"), "actions")})


def target_group(resource: Resource, props: Any) -> Net:
    props = mapping(props)
    return Net([], "target-group", (props.get("arn"), props.get("id"), props.get("name"), props.get("targetGroupArn")),
               {},
               {"port": known(props.get("port"))})


def attachment(resource: Resource, props: Any) -> Net:
    props = mapping(props)
    return Net([], "tg-attachment", (), {"tg": keys_of(resource, props.get("targetGroupArn"),
                                                                       "targetGroupArn")},
               {"port": known(props.get("port"))})


def _classic(shape: str) -> Extractor:
    def extract(resource: Resource, props: Any) -> Net:
        props = mapping(props)
        internal = _scheme_internal(props, shape)
        listeners = []
        for path, item in blocks(props, "listeners"):
            item = known(item)
            if item is UNKNOWN:
                listeners.append((path, (UNKNOWN, UNKNOWN)))
                continue
            item = mapping(item)
            if shape == "cfn":
                ports = (known(item.get("loadBalancerPort")), known(item.get("instancePort")))
            else:
                ports = (known(item.get("lbPort")), known(item.get("instancePort")))
            listeners.append((path, ports))
        has_groups = props.get("securityGroups") not in (None, MISSING, [])
        entries = []
        if internal is not True and not has_groups:  # with groups of its own, the stack judges them
            for path, ports in listeners:
                numbers = _ports(*ports)
                odd = _odd_listener(ports)
                reached = odd or (exactly(*numbers) if numbers else None)
                if reached is None:
                    continue
                if internal is UNKNOWN:
                    entries.append(Entry(path, reached, ((f"{path} (scheme)", UNKNOWN),), detail=("elb", numbers)))
                else:
                    entries.append(Entry(path, reached, **world(CLASSIC_NOTE), detail=("elb", numbers)))
        data = {"internal": internal, "kind": "classic", "groups": _sg_keys(resource, props),
                "has_groups": has_groups, "listeners": listeners}
        return Net(entries, "lb", (props.get("name"), props.get("loadBalancerName")), {}, data)
    return extract


def revoke(resource: Resource, entry: Entry, offending: Sequence[str]) -> str:
    props = mapping(resource._canonical)
    name = props.get("name") or props.get("loadBalancerName") or "<load-balancer-name>"
    ports = " ".join(str(p) for p in (entry.detail[1] if entry and entry.detail else []))
    return f"aws elb delete-load-balancer-listeners --load-balancer-name {name} --load-balancer-ports {ports}"


form(key="aws.load-balancer", family="AWS load balancers",
     summary="scheme (`internal`), type and security groups of an NLB/ALB, joined with its listeners",
     pulumi=("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"),
     terraform=("aws_lb", "aws_alb"), models={"net": _lb("tf")}, fix=FIX)
form(key="aws.load-balancer.cfn", family="AWS load balancers",
     summary="`Scheme`, `Type`, `SecurityGroups`, joined with its listeners",
     pulumi=("aws-native:elasticloadbalancingv2:LoadBalancer",),
     cloudformation=("AWS::ElasticLoadBalancingV2::LoadBalancer",), models={"net": _lb("cfn")}, fix=FIX)
form(key="aws.lb-listener", family="AWS load balancers",
     summary="listener port and the target groups its default actions forward to",
     pulumi=("aws:lb/listener:Listener", "aws:alb/listener:Listener"),
     terraform=("aws_lb_listener", "aws_alb_listener"), models={"net": listener}, fix=FIX,
     renames={"defaultAction": "defaultActions", "defaultActions.forward.targetGroup": "targetGroups"})
form(key="aws.lb-listener.cfn", family="AWS load balancers",
     summary="`Port` and the target groups of `DefaultActions` (`TargetGroupArn`, `ForwardConfig`)",
     pulumi=("aws-native:elasticloadbalancingv2:Listener",),
     cloudformation=("AWS::ElasticLoadBalancingV2::Listener",), models={"net": listener}, fix=FIX)
form(key="aws.lb-listener-rule", family="AWS load balancers",
     summary="the target groups a listener rule forwards to",
     pulumi=("aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule",
             "aws-native:elasticloadbalancingv2:ListenerRule"),
     terraform=("aws_lb_listener_rule", "aws_alb_listener_rule"),
     cloudformation=("AWS::ElasticLoadBalancingV2::ListenerRule",), models={"net": listener_rule}, fix=FIX,
     renames={"action": "actions", "actions.forward.targetGroup": "targetGroups"})
form(key="aws.lb-target-group", family="AWS load balancers",
     summary="the target port",
     pulumi=("aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup",
             "aws-native:elasticloadbalancingv2:TargetGroup"),
     terraform=("aws_lb_target_group", "aws_alb_target_group"),
     cloudformation=("AWS::ElasticLoadBalancingV2::TargetGroup",), models={"net": target_group}, fix=FIX)
form(key="aws.lb-target-group-attachment", family="AWS load balancers",
     summary="a per-target port that overrides the group's",
     pulumi=("aws:lb/targetGroupAttachment:TargetGroupAttachment",
             "aws:alb/targetGroupAttachment:TargetGroupAttachment"),
     terraform=("aws_lb_target_group_attachment", "aws_alb_target_group_attachment"),
     models={"net": attachment}, fix=FIX)
form(key="aws.elb", family="AWS load balancers",
     summary="classic ELB: scheme, inline listeners (`lbPort`, `instancePort`), security groups",
     pulumi=("aws:elb/loadBalancer:LoadBalancer",), terraform=("aws_elb",),
     models={"net": _classic("tf")}, fix=FIX, revoke=revoke, renames={"listener": "listeners"})
form(key="aws.elb.cfn", family="AWS load balancers",
     summary="classic ELB: `Scheme`, `Listeners` (`LoadBalancerPort`, `InstancePort`), `SecurityGroups`",
     cloudformation=("AWS::ElasticLoadBalancing::LoadBalancer",), models={"net": _classic("cfn")}, fix=FIX,
     revoke=revoke)


def _group_sources(stack: Stack, keys: Iterable[str], port: int) -> tuple[list[Any], list[Any], list[Any]]:
    """(sources that the load balancer's groups admit on `port`, the groups found, keys not found)."""
    sources, found, missing = [], [], []
    for key in keys:
        groups = stack.find([key], role="group")
        if not groups:
            missing.append(key)
            continue
        for group, net in groups:
            found.append(group)
            entries = list(net.entries)
            for rule_resource, rule_net in stack.role("group-rule"):
                if stack.find(stack.linked(rule_resource, rule_net, "group"), role="group") == [(group, net)]:
                    entries.extend(rule_net.entries)
                    found.append(rule_resource)
            for entry in entries:
                if entry.span.low <= port <= entry.span.high and (not entry.span.only or port in entry.span.only):
                    sources.extend(entry.sources)
    return sources, found, missing


def _close(lb: Resource, chain: list[Resource], front_port: Any) -> str:
    """The command that takes the path away now: delete the listener (classic: its port)."""
    if chain:
        arn = mapping(chain[0]._canonical).get("arn")
        return f"To close it now: aws elbv2 delete-listener --listener-arn {arn if isinstance(arn, str) else '<listener-arn>'}"
    props = mapping(lb._canonical)
    name = props.get("loadBalancerName") or props.get("name") or "<load-balancer-name>"
    return (f"To close it now: aws elb delete-load-balancer-listeners --load-balancer-name {name} "
            f"--load-balancer-ports {front_port}")


def _judge_path(stack: Stack, settings: Any, lb: Resource, data: dict[str, Any], front_port: Any, kafka: list[int],
                chain: list[Resource], what: str) -> list[Path]:
    paths = _paths(stack, settings, lb, data, front_port, kafka, chain, what)
    fix = _close(lb, chain, front_port)
    return [Path(p.resources, p.message, p.ports, p.sources, fix, p.unknown, p.unseen) for p in paths]


def _paths(stack: Stack, settings: Any, lb: Resource, data: dict[str, Any], front_port: Any, kafka: list[int],
           chain: list[Resource], what: str) -> list[Path]:
    ports = tuple(sorted(set(kafka)))
    label = f"{what} reaches Kafka/ZooKeeper port(s) {', '.join(map(str, ports))}"
    if data["internal"] is UNKNOWN:
        return [Path((lb, *chain), f"{label}, and the load balancer's scheme is not known yet.", ports,
                     unknown=True)]
    if not data["has_groups"]:
        why = ("a network load balancer without security groups admits every source"
               if data["kind"] == "network" else
               "it has no security groups of its own, so it relies on the VPC's default group, which "
               "nothing here shows to keep the internet out")
        return [Path((lb, *chain), f"{label} through the internet-facing load balancer {lb.label}: {why}.",
                     ports, ("0.0.0.0/0", "::/0"))]
    port = as_int(front_port)
    if not isinstance(port, int):
        return [Path((lb, *chain), f"{label}, and its listener port is not known yet.", ports, unknown=True)]
    sources, groups, missing = _group_sources(stack, data["groups"], port)
    nets = [n for n in (cidr.parse(raw) for _, raw in sources if isinstance(raw, str)) if n is not None]
    reach = cidr.reach(nets, settings.ipv4_public_prefix, settings.ipv6_public_prefix)
    if reach.public:
        offending = cidr.offending(nets, reach)
        return [Path((lb, *chain, *groups), f"{label} through the internet-facing load balancer {lb.label}, "
                     f"whose security groups admit {', '.join(offending)} on its port {port}: {reach.reason}.",
                     ports, tuple(offending))]
    if any(is_unknown(raw) for _, raw in sources):
        return [Path((lb, *chain, *groups), f"{label} through the internet-facing load balancer {lb.label}; "
                     "its security groups' sources are not known yet.", ports, unknown=True)]
    if missing:
        return [Path((lb, *chain), f"{label} through the internet-facing load balancer {lb.label}, whose "
                     f"security group(s) {', '.join(map(key_label, missing))} are not in the stack: nothing shows they keep the "
                     "internet out.", ports, unseen=True)]
    return []


def _listener_paths(stack: Stack, settings: Any, resource: Resource, net: Any, kafka: list[int],
                    chain: list[Resource]) -> list[Path]:
    """The paths from the listener's load balancer(s) to the Kafka ports it forwards to."""
    lbs = stack.find(net.links.get("lb", ()), role="lb")
    if not lbs:
        return [Path(tuple(chain), f"the listener {resource.label} forwards to Kafka/ZooKeeper port(s) "
                     f"{', '.join(map(str, sorted(set(kafka))))}, and its load balancer is not in the stack, "
                     "so its scheme cannot be seen.", tuple(sorted(set(kafka))), unseen=True)]
    out: list[Path] = []
    for lb, lb_net in lbs:
        if lb_net.data["internal"] is not True:
            out.extend(_judge_path(stack, settings, lb, lb_net.data, net.data["port"], kafka, chain,
                                   f"the listener {resource.label} (port {net.data['port']})"))
    return out


def _not_known_yet(paths: list[Path]) -> list[Path]:
    """Paths that reach Kafka only if a port on the way that is not known yet turns out to be Kafka's."""
    return [Path(p.resources, f"{p.message} (if a port on the way, not known yet, is one of them)", p.ports,
                 p.sources, p.fix, True, p.unseen) for p in paths]


@join("load-balancers")
def load_balancers(stack: Stack, settings: Any) -> list[Path]:
    guarded = set(settings.ports)
    out: list[Path] = []
    rules_of: dict[int, list[Any]] = {}
    for resource, net in stack.role("listener-rule"):
        for owner, _ in stack.find(net.links.get("listener", ()), role="listener"):
            rules_of.setdefault(id(owner), []).append((resource, net))
    for resource, net in stack.role("listener"):
        chain = [resource]
        ports = _ports(net.data["port"])
        unknown = [net.data["port"]] if is_unknown(net.data["port"]) else []  # a port on the way not known yet
        tg_keys = list(net.links.get("tg", ()))
        for rule_resource, rule_net in rules_of.get(id(resource), ()):
            chain.append(rule_resource)
            tg_keys.extend(rule_net.links.get("tg", ()))
        for group, group_net in stack.find(tg_keys, role="target-group"):
            chain.append(group)
            ports.extend(_ports(group_net.data["port"]))
            unknown += [group] if is_unknown(group_net.data["port"]) else []
            for att, att_net in stack.role("tg-attachment"):
                if stack.find(att_net.links.get("tg", ()), role="target-group") == [(group, group_net)]:
                    chain.append(att)
                    ports.extend(_ports(att_net.data["port"]))
                    unknown += [att] if is_unknown(att_net.data["port"]) else []
        kafka = [p for p in ports if p in guarded]
        if not kafka and unknown:
            out.extend(_not_known_yet(_listener_paths(stack, settings, resource, net, sorted(guarded), chain)))
            continue
        if not kafka:
            continue
        out.extend(_listener_paths(stack, settings, resource, net, kafka, chain))
    for lb, net in stack.role("lb"):
        data = net.data
        if data["kind"] != "classic" or not data["has_groups"] or data["internal"] is True:
            continue
        for path, (front, back) in data["listeners"]:
            kafka = [p for p in _ports(front, back) if p in guarded]
            if kafka:
                out.extend(_judge_path(stack, settings, lb, data, front, kafka, [],
                                       f"the classic load balancer's listener {path} (port {front})"))
            elif is_unknown(front) or is_unknown(back):
                out.extend(_not_known_yet(_judge_path(stack, settings, lb, data, front, sorted(guarded), [],
                                                      f"the classic load balancer's listener {path}")))
    return out
