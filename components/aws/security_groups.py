"""Security groups that admit only named clients, judged by the same engine as the pack."""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

import pulumi
import pulumi_aws as aws

from kafka_guardrails import Resource, Settings, cidr, judge_resource

from ..model.checks import NAME, check_security_group_id, check_vpc_id
from ..model.errors import ConfigError
from ..model.outputs import check_now, checked, hold_children
from ..model.problems import Problems


@dataclass(frozen=True)
class ClientAccess:
    """A named client: a private CIDR or a client security group, never both.

    Attributes:
        name: lowercase letters, digits and '-'; unique; names the rules made for it.
        cidr: a private or narrow range (IPv4 or IPv6, no host bits). Plain text: it decides the
            rule's address family and is judged by the guardrail before anything is registered.
        security_group_id: the client's security group (`sg-...`); may be an Output of another
            stack, checked when it resolves.
    """

    name: str
    cidr: Optional[str] = None
    security_group_id: Optional["pulumi.Input[str]"] = None


@dataclass(frozen=True)
class KafkaSecurityGroupArgs:
    """A broker security group's inputs.

    Attributes:
        vpc_id / vpc_cidr: the VPC and its private CIDR (egress is limited to it); may be Outputs
            of another stack, checked when they resolve, before anything is created.
        ports: the listener ports clients may reach (TCP 1-65535), one rule per client and port.
        clients: `ClientAccess` entries, at least one; each a private CIDR or a security group.
        description / tags: of the security group.
    """

    vpc_id: "pulumi.Input[str]"
    vpc_cidr: "pulumi.Input[str]"
    ports: Sequence[int]
    clients: Sequence[ClientAccess]
    description: str = "Kafka brokers: named clients only"
    tags: dict[str, Any] = field(default_factory=dict)


def validate_clients(clients: Sequence[ClientAccess], ports: Sequence[int], setting: str = "clients") -> None:
    """Refuse unnamed, duplicate, malformed or world-open clients with the engine's own words; every
    bad client at once (the first thing wrong with each)."""
    if not clients:
        raise ConfigError(setting, [], "list at least one client (a private CIDR or a security group id)")
    problems = Problems()
    seen: set[str] = set()
    for index, client in enumerate(clients):
        with problems:
            _validate_client(client, f"{setting}[{index}]", ports, seen)
    problems.raise_all()


def _validate_client(client: ClientAccess, where: str, ports: Sequence[int], seen: set[str]) -> None:
    if not isinstance(client.name, str) or not NAME.match(client.name):
        raise ConfigError(f"{where}.name", client.name, "a lowercase name of letters, digits and '-'")
    if client.name in seen:
        raise ConfigError(f"{where}.name", client.name, "client names must be unique")
    seen.add(client.name)
    if (client.cidr is None) == (client.security_group_id is None):
        raise ConfigError(where, {"cidr": client.cidr, "securityGroupId": client.security_group_id},
                          "set exactly one of cidr or securityGroupId")
    if client.security_group_id is not None:
        check_now(client.security_group_id, check_security_group_id, f"{where}.securityGroupId")
    if client.cidr is not None:
        problem = cidr_problem(client.cidr)
        if problem:
            raise ConfigError(f"{where}.cidr", client.cidr, f"a CIDR such as 10.0.32.0/20; {problem}")
        probe = Resource("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", {
            "ipProtocol": "tcp", "fromPort": min(ports), "toPort": max(ports),
            ("cidrIpv6" if ":" in client.cidr else "cidrIpv4"): client.cidr}, name=client.name)
        findings = judge_resource(probe, Settings(ports=tuple(sorted(set(ports)))))
        if findings:
            raise ConfigError(f"{where}.cidr", client.cidr,
                              "a private or narrow client range; the guardrail says: " + findings[0].message)


def cidr_problem(value: object) -> str:
    """What is wrong with a CIDR, naming the part ("" when it is a valid network): a user who typed
    10.0.300.0/16 learns that 300 is the problem, not only that the whole is invalid."""
    text = str(value).strip()
    address, slash, prefix = text.partition("/")
    if not slash:
        return f"the prefix length is missing (write {address}/NN)"
    v6 = ":" in address
    top = 128 if v6 else 32
    if not prefix.isdigit():
        return f"the prefix length {prefix!r} is not a whole number 0-{top}"
    if int(prefix) > top:
        return f"the prefix length /{prefix} is more than {top}, the most an IPv{6 if v6 else 4} network has"
    if not v6:
        parts = address.split(".")
        if len(parts) != 4:
            return f"the address {address!r} has {len(parts)} dotted part(s), an IPv4 address has 4"
        for index, part in enumerate(parts, 1):
            if not part.isdigit() or int(part) > 255 or (len(part) > 1 and part.startswith("0")):
                return f"part {index} of the address, {part!r}, is not a number 0-255"
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError as error:
        return f"the address {address!r} is not valid ({error})"
    if str(network.network_address) != str(ipaddress.ip_address(address)):
        return f"host bits are set after /{prefix}: the network is {network}"
    return ""


def validate_vpc_cidr(value: object, setting: str = "vpc_cidr") -> None:
    """The VPC's own range: a valid CIDR in private space. Egress rules are scoped to it, so a public
    (or world) range here would turn "only inside the VPC" into "anywhere"."""
    if not isinstance(value, str):
        raise ConfigError(setting, value, "the VPC's CIDR as a string, e.g. 10.0.0.0/16")
    problem = cidr_problem(value)
    if problem:
        raise ConfigError(setting, value, f"the VPC's CIDR, such as 10.0.0.0/16; {problem}")
    if cidr.classify(value) is not False:
        raise ConfigError(setting, value, "a private range (RFC 1918, 100.64.0.0/10 or IPv6 ULA): egress is "
                          "limited to the VPC's CIDR, and this one reaches the internet")


def network_checks(vpc_id: "pulumi.Input[str]", vpc_cidr: "pulumi.Input[str]",
                   clients: Sequence[ClientAccess]) -> list[Any]:
    """The VPC and client-group inputs as checked values (Outputs checked when they resolve)."""
    return [checked(vpc_id, check_vpc_id, "vpc_id"), checked(vpc_cidr, validate_vpc_cidr, "vpc_cidr"),
            *[checked(c.security_group_id, check_security_group_id, f"clients[{i}].securityGroupId")
              for i, c in enumerate(clients) if c.security_group_id is not None]]


def validate_ports(ports: Sequence[int], setting: str = "ports") -> None:
    if not ports or any(type(p) is not int or not 1 <= p <= 65535 for p in ports):
        raise ConfigError(setting, list(ports), "a non-empty list of TCP ports 1-65535")


def validate_security_group_args(args: KafkaSecurityGroupArgs) -> None:
    """Every bad argument at once: ports, then the clients on them, the VPC."""
    problems = Problems()
    with problems:
        validate_ports(args.ports)
    if problems.ok("ports"):
        with problems:
            validate_clients(args.clients, args.ports)
    with problems:
        check_now(args.vpc_id, check_vpc_id, "vpc_id")
    with problems:
        check_now(args.vpc_cidr, validate_vpc_cidr, "vpc_cidr")
    problems.raise_all()


class KafkaSecurityGroup(pulumi.ComponentResource):
    """A broker security group: ingress per named client and listener port, egress only to the VPC.

    Outputs: `security_group_id`; `ingress_rules` and `egress_rule` (one resource per rule, so a
    change to one client never rewrites the others).
    """

    security_group_id: pulumi.Output[str]

    def __init__(self, name: str, args: KafkaSecurityGroupArgs,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        validate_security_group_args(args)
        vpc_id, vpc_cidr, *_ = checks = network_checks(args.vpc_id, args.vpc_cidr, args.clients)
        super().__init__("secure-kafka:aws:KafkaSecurityGroup", name, None, hold_children(opts, checks))
        child = pulumi.ResourceOptions(parent=self)
        group = aws.ec2.SecurityGroup(
            f"{name}-sg", vpc_id=vpc_id, description=args.description,
            revoke_rules_on_delete=True, tags={**args.tags, "Name": f"{name}-kafka"}, opts=child)
        self.ingress_rules = []
        for index, client in enumerate(args.clients):
            for port in sorted(set(args.ports)):
                self.ingress_rules.append(aws.vpc.SecurityGroupIngressRule(
                    f"{name}-{client.name}-{port}", security_group_id=group.id, ip_protocol="tcp",
                    from_port=port, to_port=port, cidr_ipv4=client.cidr if client.cidr and ":" not in client.cidr else None,
                    cidr_ipv6=client.cidr if client.cidr and ":" in client.cidr else None,
                    referenced_security_group_id=None if client.security_group_id is None else checked(
                        client.security_group_id, check_security_group_id, f"clients[{index}].securityGroupId"),
                    description=f"Kafka client {client.name} on {port}", opts=child))
        self.egress_rule = aws.vpc.SecurityGroupEgressRule(
            f"{name}-egress-vpc", security_group_id=group.id, ip_protocol="tcp", from_port=0,
            to_port=65535, cidr_ipv4=vpc_cidr, description="Brokers talk only inside the VPC",
            opts=child)
        self.security_group = group
        self.security_group_id = group.id
        self.register_outputs({"securityGroupId": group.id})
