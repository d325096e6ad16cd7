"""EC2 nodes for self-managed Kafka and ZooKeeper: no public address, IMDSv2 only, encrypted
volumes under the customer key, no SSH key (operators use SSM), a least-privilege role."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

from ..model.checks import check_kms_arn, check_subnet_id, check_vpc_id
from ..model.outputs import checked
from ..model.releases import accepted_marks, default_release
from .security_groups import validate_vpc_cidr

if TYPE_CHECKING:
    from ..model.pki import BringYourOwnCa

SSM_POLICY = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"


@dataclass(frozen=True)
class NodeGroupArgs:
    """What every EC2 node group of a platform shares (brokers, ZooKeeper ensembles).

    Attributes:
        cluster: the cluster's name (lowercase, digits, '-'); it goes into certificate subjects.
        vpc_id / vpc_cidr / subnet_ids: where the nodes run; may be Outputs of another stack
            (checked when they resolve). The CIDR must be private; subnets private, one per AZ.
        environment: dev, staging or prod (prod demands 3+ nodes and no internet-wide egress).
        instance_type: an EC2 type; ami_id: your AMI (default: latest Amazon Linux 2023).
        root_gib / data_gib: encrypted gp3 volumes under the customer key.
        kms_key_arn: your customer key (may be an Output); by default one is created with rotation.
        ca: `BringYourOwnCa` to issue node certificates from your CA instead of a generated one.
        log_retention_days: CloudWatch retention of server and audit logs (365).
        https_egress_cidrs: where nodes may reach AWS APIs on 443 (default: the VPC, for endpoints).
        tags: added to every resource.
        kafka_version: the Apache Kafka release the nodes download (ZooKeeper nodes run the ZooKeeper
            it ships); default: the version table's release for the metadata mode (KRaft 4.4.0,
            ZooKeeper 3.9.2). A release with a known CVE or ended support is refused unless each risk is
            named in `accept_version_risks` (README, "Kafka versions").
        accept_version_risks: CVE ids (and `end-of-support`) accepted for `kafka_version`; written on
            every resource as the tag `secure-kafka:accepted-version-risks`, which the pack reports.
    """

    cluster: str
    vpc_id: pulumi.Input[str]
    vpc_cidr: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    environment: str = "prod"
    instance_type: str = "m6i.large"
    ami_id: Optional[str] = None
    root_gib: int = 20
    data_gib: int = 50
    kms_key_arn: Optional[pulumi.Input[str]] = None
    ca: Optional["BringYourOwnCa"] = None
    log_retention_days: int = 365
    https_egress_cidrs: Sequence[str] = ()
    tags: Mapping[str, str] = field(default_factory=dict)
    kafka_version: Optional[str] = None
    accept_version_risks: Sequence[str] = ()


def release(args: NodeGroupArgs, mode: str) -> str:
    """The Kafka release a node group runs in a metadata mode: the one given, or the table's default."""
    return args.kafka_version or default_release(mode)


def group_tags(args: NodeGroupArgs, role: str) -> dict[str, str]:
    """Every resource's tags: the caller's, the cluster and role, and any accepted version risk."""
    return {**args.tags, "secure-kafka:cluster": args.cluster, "secure-kafka:role": role,
            **accepted_marks(args.accept_version_risks)}


@dataclass(frozen=True)
class Placement:
    """A node group's network and key inputs as handed to resources: each one checked now when it
    is known, or when it resolves when it is an Output of another stack."""

    vpc_id: pulumi.Input[str]
    vpc_cidr: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    kms_key_arn: Optional[pulumi.Input[str]]

    def checks(self) -> list[Any]:
        return [self.vpc_id, self.vpc_cidr, *self.subnet_ids, self.kms_key_arn]


def placement(args: NodeGroupArgs) -> Placement:
    return Placement(vpc_id=checked(args.vpc_id, check_vpc_id, "vpc_id"),
                     vpc_cidr=checked(args.vpc_cidr, validate_vpc_cidr, "vpc_cidr"),
                     subnet_ids=[checked(s, check_subnet_id, "subnet_ids") for s in args.subnet_ids],
                     kms_key_arn=None if args.kms_key_arn is None else checked(args.kms_key_arn, check_kms_arn,
                                                                                  "kms_key_arn"))


def assume_role_policy() -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def node_policy(secret_arns: Sequence[str], key_arn: str, log_group_arn: str, region: str) -> dict[str, Any]:
    """Read this group's TLS secrets, decrypt them only through Secrets Manager, ship logs."""
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "ReadOwnTlsSecrets", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
         "Resource": sorted(secret_arns)},
        {"Sid": "DecryptThroughSecretsManager", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": key_arn,
         "Condition": {"StringEquals": {"kms:ViaService": f"secretsmanager.{region}.amazonaws.com"}}},
        {"Sid": "ShipLogs", "Effect": "Allow",
         "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
         "Resource": [log_group_arn, f"{log_group_arn}:*"]},
    ]}


def instance_profile(name: str, *, secret_arns: Sequence[pulumi.Input[str]], key_arn: pulumi.Input[str],
                     log_group_arn: pulumi.Input[str], tags: Mapping[str, str],
                     parent: pulumi.Resource) -> aws.iam.InstanceProfile:
    child = pulumi.ResourceOptions(parent=parent)
    role = aws.iam.Role(f"{name}-role", assume_role_policy=assume_role_policy(), tags=dict(tags),
                        description=f"secure-kafka {name}: SSM access, own TLS secrets, logs", opts=child)
    aws.iam.RolePolicyAttachment(f"{name}-ssm", role=role.name, policy_arn=SSM_POLICY, opts=child)
    region = aws.get_region_output(opts=pulumi.InvokeOptions(parent=parent)).region
    policy = pulumi.Output.all(list(secret_arns), key_arn, log_group_arn, region).apply(
        lambda v: json.dumps(node_policy(v[0], v[1], v[2], v[3])))
    aws.iam.RolePolicy(f"{name}-node", role=role.id, policy=policy, opts=child)
    return aws.iam.InstanceProfile(f"{name}-profile", role=role.name, tags=dict(tags), opts=child)


@dataclass(frozen=True)
class NodeSpec:
    """One instance: where it runs, how big, and what it boots with."""

    name: str
    subnet_id: pulumi.Input[str]
    instance_type: str
    root_gib: int
    data_gib: int


def network_interface(node: NodeSpec, security_group_id: pulumi.Input[str], tags: Mapping[str, str],
                      parent: pulumi.Resource) -> aws.ec2.NetworkInterface:
    """Created before the instance so its private IP can go into the node's certificate and the
    other nodes' configuration. A standalone interface never gets a public address."""
    return aws.ec2.NetworkInterface(f"{node.name}-eni", subnet_id=node.subnet_id,
                                    security_groups=[security_group_id], description=f"secure-kafka {node.name}",
                                    tags={**tags, "Name": node.name}, opts=pulumi.ResourceOptions(parent=parent))


def instance(node: NodeSpec, *, ami: pulumi.Input[str], eni: aws.ec2.NetworkInterface,
             profile: aws.iam.InstanceProfile, key_arn: pulumi.Input[str], user_data: pulumi.Input[str],
             tags: Mapping[str, str], parent: pulumi.Resource, data_device: str,
             depends_on: Sequence[pulumi.Resource] = ()) -> aws.ec2.Instance:
    """The node's primary interface is its own ENI, which two instances cannot hold at once: a
    replacement deletes the old instance first (the rolling chain makes that safe for brokers)."""
    return aws.ec2.Instance(
        node.name, ami=ami, instance_type=node.instance_type, iam_instance_profile=profile.name,
        primary_network_interface=aws.ec2.InstancePrimaryNetworkInterfaceArgs(network_interface_id=eni.id),
        metadata_options=aws.ec2.InstanceMetadataOptionsArgs(
            http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=1,
            instance_metadata_tags="disabled"),
        root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(
            encrypted=True, kms_key_id=key_arn, volume_type="gp3", delete_on_termination=True,
            volume_size=node.root_gib),
        ebs_block_devices=[aws.ec2.InstanceEbsBlockDeviceArgs(
            device_name=data_device, encrypted=True, kms_key_id=key_arn, volume_type="gp3",
            delete_on_termination=True, volume_size=node.data_gib)],
        user_data=user_data, user_data_replace_on_change=True, monitoring=True, ebs_optimized=True,
        disable_api_termination=False, tags={**tags, "Name": node.name}, volume_tags={**tags, "Name": node.name},
        opts=pulumi.ResourceOptions(parent=parent, delete_before_replace=True, depends_on=list(depends_on)))


def region(parent: pulumi.Resource) -> pulumi.Output[str]:
    """The region the provider deploys to (the nodes' boot documents name it for the AWS CLI)."""
    name: pulumi.Output[str] = aws.get_region_output(opts=pulumi.InvokeOptions(parent=parent)).region
    return name


def amazon_linux(parent: pulumi.Resource) -> pulumi.Output[str]:
    return aws.ec2.get_ami_output(most_recent=True, owners=["amazon"],
                                  filters=[aws.ec2.GetAmiFilterArgs(name="name", values=["al2023-ami-2023.*-x86_64"])],
                                  opts=pulumi.InvokeOptions(parent=parent)).id


def group_rule(name: str, group_id: pulumi.Input[str], port: int, *, peer_group: Optional[pulumi.Input[str]] = None,
               cidr: Optional[pulumi.Input[str]] = None, egress: bool = False, description: str,
               parent: pulumi.Resource) -> pulumi.Resource:
    """One TCP port, from/to one security group or one CIDR (an Output CIDR picks its family when known)."""
    kind = aws.vpc.SecurityGroupEgressRule if egress else aws.vpc.SecurityGroupIngressRule
    v4, v6 = _family(cidr, False), _family(cidr, True)
    return kind(name, security_group_id=group_id, ip_protocol="tcp", from_port=port, to_port=port,
                referenced_security_group_id=peer_group, cidr_ipv4=v4, cidr_ipv6=v6, description=description,
                opts=pulumi.ResourceOptions(parent=parent))


def _family(cidr: Optional[pulumi.Input[str]], v6: bool) -> Optional[pulumi.Input[str]]:
    """The CIDR when it is of the asked address family (IPv6 has ':'), else None."""
    if cidr is None:
        return None
    if isinstance(cidr, str):
        return cidr if (":" in cidr) == v6 else None
    resolved: pulumi.Output[str] = pulumi.Output.from_input(cidr)
    family: pulumi.Output[Optional[str]] = resolved.apply(
        lambda c: c if (":" in c) == v6 else None)
    return family  # type: ignore[return-value]  # Output[None] is how a provider input is left unset


def encrypted_log_group(name: str, cluster: str, role: str, key_arn: pulumi.Input[str], retention_days: int,
                        tags: Mapping[str, str], parent: pulumi.Resource) -> aws.cloudwatch.LogGroup:
    return aws.cloudwatch.LogGroup(f"{name}-logs", name=log_group_name(cluster, role), kms_key_id=key_arn,
                                   retention_in_days=retention_days, tags=dict(tags),
                                   opts=pulumi.ResourceOptions(parent=parent))


def log_group_name(cluster: str, role: str) -> str:
    return f"/secure-kafka/{cluster}/{role}"


def node_security_group(name: str, vpc_id: pulumi.Input[str], what: str, tags: Mapping[str, str],
                        parent: pulumi.Resource) -> aws.ec2.SecurityGroup:
    """A group with no inline rules: every rule is its own resource, named for what it admits."""
    return aws.ec2.SecurityGroup(f"{name}-sg", vpc_id=vpc_id, description=f"{what}: named peers only",
                                 revoke_rules_on_delete=True, tags={**tags, "Name": name},
                                 opts=pulumi.ResourceOptions(parent=parent))


def https_egress(name: str, group_id: pulumi.Input[str], cidrs: Sequence[pulumi.Input[str]],
                 parent: pulumi.Resource) -> None:
    """Nodes reach AWS APIs (SSM, Secrets Manager, CloudWatch) over 443: to VPC endpoints by default."""
    for index, cidr in enumerate(cidrs):
        group_rule(f"{name}-https-{index}", group_id, 443, cidr=cidr, egress=True,
                   description="HTTPS to AWS APIs (VPC endpoints) and package mirrors", parent=parent)


@dataclass(frozen=True)
class NodeLaunch:
    """One group's nodes as they are launched: names, sizes, the group's security group and key."""

    prefix: str  # instance names are f"{prefix}-{i}" (i from `first`)
    count: int
    instance_type: str
    root_gib: int
    data_gib: int
    first: int = 0


def launch(launch_spec: NodeLaunch, where: Placement, sg: pulumi.Input[str], tags: Mapping[str, str],
           parent: pulumi.Resource) -> tuple[list[NodeSpec], list[aws.ec2.NetworkInterface]]:
    """The nodes spread over the subnets, each with its own interface (its IP goes into certificates)."""
    nodes = [NodeSpec(f"{launch_spec.prefix}-{launch_spec.first + i}", where.subnet_ids[i % len(where.subnet_ids)],
                      launch_spec.instance_type, launch_spec.root_gib, launch_spec.data_gib)
             for i in range(launch_spec.count)]
    return nodes, [network_interface(n, sg, tags, parent) for n in nodes]


def peer_port(name: str, sg: pulumi.Input[str], port: int, what: str, parent: pulumi.Resource) -> None:
    """A port open only between the members of one group, both ways."""
    for direction, egress in (("in", False), ("out", True)):
        group_rule(f"{name}-{direction}", sg, port, peer_group=sg, egress=egress, description=what, parent=parent)
