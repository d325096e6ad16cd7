"""SelfManagedKafka: Kafka brokers on EC2 with their own metadata quorum: dedicated KRaft controllers
(default, Kafka 4.4) or a dedicated ZooKeeper ensemble (Kafka 3.9, with its risks accepted by name).

TLS (mutual) and SASL_SSL listeners only, brokers talk SSL to each other and TLS to ZooKeeper,
ACLs deny by default with the brokers' own principal as the only super user, default client
quotas applied at boot.
"""
from __future__ import annotations

import shlex
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, Callable, Optional, Sequence

import pulumi

from kafka_guardrails.versions import APACHE

from ..certificates import generate_ca, issue_certificates
from ..model import configtypes, pki
from ..model.access import TopicGrant, acl_arguments, kafka_acls, rollout_acls, validate_grants
from ..model.checks import check_environment, check_int, check_replication, check_security_group_id
from ..model.errors import ConfigError
from ..model.oauth import DEFAULT_SCOPES, OAUTH_SCOPES, OAuthArgs, validate_oauth
from ..model.outputs import checked, hold_children
from ..model.problems import Problems
from ..model.releases import check_release
from ..model.renames import renamed
from ..render import render_properties
from ..render.cloudinit import CLOUDWATCH_START, KAFKA_HOME, LOG_DIR, NodeBoot, cloud_config, cloudwatch_agent_config
from ..render.kafka import (LISTENER_PORTS, BrokerSettings, ClientQuota, admin_client_properties,
                            quota_arguments, server_properties)
from ..render.kraft import CONTROLLER_PORT, KRaftBrokerSettings, Voter, format_command, kraft_broker_properties
from ..render.oauth import with_oauth
from ..render.zookeeper import SECURE_CLIENT_PORT
from . import nodes, rollout
from .alarms import SecurityAlarms, SecurityAlarmsArgs, validate_alarm_args
from .cluster_pki import ClusterPki, ClusterPkiArgs
from .controllers import KRaftControllerQuorum, KRaftControllerQuorumArgs, validate_quorum_args, voters
from .keys import CustomerKey, CustomerKeyArgs
from .security_groups import ClientAccess, validate_clients
from .zookeeper import (DATA_DEVICE, NODE_FILES, ZooKeeperEnsemble, ZooKeeperEnsembleArgs, validate_ensemble_args,
                        validate_nodes)


@renamed(zookeeper_nodes="zookeeper_count", controller_nodes="controller_count")
@dataclass(frozen=True)
class SelfManagedKafkaArgs(nodes.NodeGroupArgs):
    """Brokers on EC2 with their own metadata quorum; NodeGroupArgs (cluster, VPC, subnets, key,
    CA, retention, tags) plus:

    Attributes:
        clients: `ClientAccess` entries that may reach the listeners; at least one (none is refused).
        instance_type / data_gib: broker type (m6i.xlarge) and data volume (500 GiB, encrypted).
        broker_count: 2-60 (3 or more in prod; default 3).
        listeners: TLS listeners only, from SSL (mutual TLS, 9094; default) and SASL_SSL (9096).
            There is no PLAINTEXT listener to choose.
        replication_factor / min_insync_replicas: topic defaults (3 / 2); 2 <= min ISR <= RF <= brokers.
        quota: `ClientQuota` applied to every client at boot.
        metadata_mode: "kraft" (default: a dedicated KRaft controller quorum, Kafka 4.4.0) or "zookeeper"
            (a dedicated ZooKeeper ensemble, Kafka 3.9.2: only with the 3.9 line's unfixed risks accepted in
            `accept_version_risks`; README, "Kafka versions"). Switching a running cluster is a migration,
            not an update: see `secure-kafka migrate` in docs/self-managed.md.
        zookeeper_count / zookeeper_instance_type: the dedicated ensemble (3 or 5; 1 outside prod).
        controller_count / controller_instance_type: the KRaft quorum (3 or 5; 1 outside prod).
            0.2.0's `zookeeper_nodes` / `controller_nodes` still work for one release, with a warning.
        access: `TopicGrant`s: Kafka ACLs applied at boot, and one client certificate each (a Secrets
            Manager secret under the customer key).
        rollout_gate: True (default): `pulumi up` replaces brokers one at a time and waits, before
            each, until the cluster can spare it and, after, until it is back in every ISR
            (`secure-kafka roll-gate`, run where `pulumi up` runs, which must be a client admitted
            to the SSL listener). False: still one at a time, without waiting for the ISR.
        rollout_kafka_home: KRaft mode with the gate: where `pulumi up` runs, a Kafka installation
            (bin/kafka-metadata-quorum.sh). Given, each controller is replaced only while the quorum
            can lose a member and the next only once it is a caught-up voter again (asked through
            the brokers, so the gate's identity may also describe the cluster). None (default):
            controllers are replaced one after another without waiting.
        alarms: the security alarms on the brokers' and the quorum's log groups (failed logins,
            denials, access changes; `SecurityAlarmsArgs()` by default); None turns them off.
        oauth: None (default: no OAuth; every node allows no OAuth URL), or `OAuthArgs`: clients may
            also log in on the SASL_SSL listener with a JWT the brokers check against the provider's
            JWKS (allow-list, issuer, audience and validator required; docs/self-managed.md).
    """

    clients: Sequence[ClientAccess] = ()
    instance_type: str = "m6i.xlarge"
    data_gib: int = 500
    broker_count: int = 3
    listeners: Sequence[str] = ("SSL",)
    replication_factor: int = 3
    min_insync_replicas: int = 2
    quota: ClientQuota = ClientQuota()
    metadata_mode: str = "kraft"
    zookeeper_count: int = 3
    zookeeper_instance_type: str = "m6i.large"
    controller_count: int = 3
    controller_instance_type: str = "m6i.large"
    access: Sequence[TopicGrant] = ()
    rollout_gate: bool = True
    rollout_kafka_home: Optional[str] = None
    alarms: Optional[SecurityAlarmsArgs] = SecurityAlarmsArgs()
    oauth: Optional[OAuthArgs] = None


METADATA_MODES = ("zookeeper", "kraft")
# Settings that belong to one metadata mode: setting one in the other mode is a mistake.
_MODE_SETTINGS = {"zookeeper": ("zookeeper_count", "zookeeper_instance_type"),
                  "kraft": ("controller_count", "controller_instance_type")}


def client_ports(listeners: Sequence[str]) -> tuple[int, ...]:
    return tuple(sorted(LISTENER_PORTS[name] for name in set(listeners)))


def validate_kafka_args(args: SelfManagedKafkaArgs, label: Callable[[str], str] = lambda n: n) -> None:
    """Every bad argument at once (a ConfigError each), in the order below, the metadata quorum's too."""
    configtypes.check_types(args, label)  # types first: every check below relies on them
    problems = Problems()
    with problems:
        check_environment(args.environment, label("environment"))
    with problems:
        validate_nodes(args, label)
    listeners = list(args.listeners) if not isinstance(args.listeners, str) else args.listeners
    with problems:
        if (not isinstance(listeners, list) or not listeners
                or any(name not in LISTENER_PORTS for name in listeners) or len(set(listeners)) != len(listeners)):
            raise ConfigError(label("listeners"), args.listeners,
                              "TLS listeners only: a non-empty list from SSL (mutual TLS, 9094) and SASL_SSL (9096)")
    if problems.ok(label("environment")):
        low = 3 if args.environment == "prod" else 2
        with problems:
            check_int(args.broker_count, label("broker_count"), low, 60, f"an integer {low}-60 in {args.environment}")
    check_replication(problems, label, args.broker_count, args.replication_factor, args.min_insync_replicas,
                      prod=args.environment == "prod", after=(label("environment"),))
    with problems:
        if not isinstance(args.quota, ClientQuota) or min(args.quota.producer_byte_rate, args.quota.consumer_byte_rate,
                                                            args.quota.request_percentage) <= 0:
            raise ConfigError(label("quota"), args.quota, "a ClientQuota with positive limits")
    with problems:
        validate_grants(args.access, label("access"))
    with problems:
        if args.rollout_gate not in (True, False):
            raise ConfigError(label("rollout_gate"), args.rollout_gate, "true or false")
        if args.rollout_gate and "SSL" not in listeners and problems.ok(label("listeners")):
            raise ConfigError(label("rollout_gate"), args.rollout_gate,
                              "false, or the SSL listener in listeners: the gate observes the cluster over mutual TLS")
    with problems:
        if args.metadata_mode not in METADATA_MODES:
            raise ConfigError(label("metadata_mode"), args.metadata_mode,
                              "zookeeper (a dedicated ensemble) or kraft (a dedicated controller quorum)")
    with problems:
        if args.rollout_kafka_home is not None and (
                not isinstance(args.rollout_kafka_home, str) or not args.rollout_kafka_home.startswith("/")
                or args.metadata_mode != "kraft" or not args.rollout_gate):
            raise ConfigError(label("rollout_kafka_home"), args.rollout_kafka_home,
                              "an absolute path to a Kafka installation, with metadata_mode kraft and rollout_gate on")
    if problems.ok(label("metadata_mode")):
        for mode, names in _MODE_SETTINGS.items():
            for setting in names if mode != args.metadata_mode else ():
                default = SelfManagedKafkaArgs.__dataclass_fields__[setting].default
                with problems:
                    if getattr(args, setting) != default:
                        raise ConfigError(label(setting), getattr(args, setting),
                                          f"nothing with metadata_mode {args.metadata_mode}: it sets up the {mode} nodes")
        check_release(problems, label, APACHE, nodes.release(args, args.metadata_mode), args.metadata_mode,
                      args.accept_version_risks, scopes=OAUTH_SCOPES if args.oauth is not None else DEFAULT_SCOPES)
        # the quorum's own checks (a node-group error it shares with the brokers is reported once)
        with problems:
            if args.metadata_mode == "kraft":
                validate_quorum_args(controller_args(args, security_group_id=None), _role_label(label, "controller"))
            else:
                validate_ensemble_args(zookeeper_args(args, security_group_id=None), _role_label(label, "zookeeper"))
    if problems.ok(label("listeners")):
        with problems:
            validate_clients(args.clients, client_ports(listeners), label("clients"))
    if args.alarms is not None:
        validate_alarm_args(problems, args.alarms, label)
    if problems.ok(label("metadata_mode")):  # which release the validator must suit
        validate_oauth(problems, args.oauth, nodes.release(args, args.metadata_mode), listeners, label)
    problems.raise_all()


def _role_label(label: Callable[[str], str], role: str) -> Callable[[str], str]:
    """The quorum's own argument names as the SelfManagedKafka settings that feed them."""
    names = {"instance_type": f"{role}_instance_type"}
    return lambda name: label(names.get(name, name))


def _quorum_fields(args: SelfManagedKafkaArgs, key_arn: Optional[pulumi.Input[str]],
                   ca: Optional[pki.BringYourOwnCa]) -> dict[str, Any]:
    """What the brokers' metadata quorum shares with them: placement, key, CA, logs, tags."""
    return dict(cluster=args.cluster, vpc_id=args.vpc_id, vpc_cidr=args.vpc_cidr, subnet_ids=args.subnet_ids,
                environment=args.environment, ami_id=args.ami_id, kms_key_arn=key_arn, ca=ca or args.ca,
                log_retention_days=args.log_retention_days, https_egress_cidrs=args.https_egress_cidrs,
                tags=args.tags, kafka_version=nodes.release(args, args.metadata_mode),
                accept_version_risks=args.accept_version_risks)


def zookeeper_args(args: SelfManagedKafkaArgs, security_group_id: Optional[pulumi.Input[str]],
                   key_arn: Optional[pulumi.Input[str]] = None,
                   ca: Optional[pki.BringYourOwnCa] = None) -> ZooKeeperEnsembleArgs:
    return ZooKeeperEnsembleArgs(
        **_quorum_fields(args, key_arn, ca), zookeeper_count=args.zookeeper_count,
        instance_type=args.zookeeper_instance_type,
        client_security_group_ids=[security_group_id] if security_group_id is not None else [])


def controller_args(args: SelfManagedKafkaArgs, security_group_id: Optional[pulumi.Input[str]],
                    key_arn: Optional[pulumi.Input[str]] = None,
                    ca: Optional[pki.BringYourOwnCa] = None) -> KRaftControllerQuorumArgs:
    return KRaftControllerQuorumArgs(
        **_quorum_fields(args, key_arn, ca), controller_count=args.controller_count,
        instance_type=args.controller_instance_type,
        broker_security_group_ids=[security_group_id] if security_group_id is not None else [],
        replication_factor=args.replication_factor, min_insync_replicas=args.min_insync_replicas)


class SelfManagedKafka(pulumi.ComponentResource):
    """N brokers over the subnets and a dedicated ZooKeeperEnsemble, sharing one CA and one key.

    Outputs: `bootstrap_servers_tls` (SSL listener) and `bootstrap_servers_sasl_ssl` (SASL_SSL; None
    when that listener is off), `bootstrap_servers` (the first listener's, one address per broker), `security_group_id`,
    `zookeeper_connect` (TLS port, for operators only; None in KRaft mode), `controller_quorum_voters`
    (KRaft mode; None with ZooKeeper), `ca_cert_pem` (clients' truststore), `kms_key_arn`,
    `client_secret_arns` (per TopicGrant client: its certificate and key).

    `pulumi up` runs `secure-kafka roll-gate` between broker replacements (with `rollout_gate`, the
    default), so the program's virtualenv needs the `ops` extra: pip install 'secure-kafka[ops]'.
    """

    bootstrap_servers: pulumi.Output[str]
    bootstrap_servers_tls: Optional[pulumi.Output[str]]
    bootstrap_servers_sasl_ssl: Optional[pulumi.Output[str]]
    security_group_id: pulumi.Output[str]
    zookeeper_connect: Optional[pulumi.Output[str]]
    controller_quorum_voters: Optional[pulumi.Output[str]]
    ca_cert_pem: pulumi.Output[str]

    def __init__(self, name: str, args: SelfManagedKafkaArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        validate_kafka_args(args)
        where = nodes.placement(args)
        peers = {c.name: checked(c.security_group_id, check_security_group_id, f"clients[{i}].securityGroupId")
                 for i, c in enumerate(args.clients) if c.security_group_id is not None}
        super().__init__("secure-kafka:aws:SelfManagedKafka", name, None,
                         hold_children(opts, where.checks() + list(peers.values())))
        child = pulumi.ResourceOptions(parent=self)
        tags = nodes.group_tags(args, "kafka")
        key_arn = where.kms_key_arn or CustomerKey(f"{name}-data", CustomerKeyArgs(
            description=f"Kafka {args.cluster}: volumes, TLS secrets, logs", alias=f"secure-kafka/{name}",
            log_group_names=[nodes.log_group_name(args.cluster, r) for r in ("kafka", _quorum_role(args))],
            alarm_topics=args.alarms is not None, tags=tags),
            opts=child).arn
        ca = args.ca or generate_ca(f"{name}-cluster", args.cluster, self)

        self.security_group = nodes.node_security_group(f"{name}-brokers", where.vpc_id, f"Kafka {args.cluster}", tags, self)
        sg = self.security_group.id
        self.zookeeper: Optional[ZooKeeperEnsemble] = None
        self.controllers: Optional[KRaftControllerQuorum] = None
        # the brokers' addresses come first: a gated controller chain asks the quorum through them
        launched, enis = nodes.launch(nodes.NodeLaunch(f"{name}-broker", args.broker_count, args.instance_type,
                                                        args.root_gib, args.data_gib), where, sg, tags, self)
        ips = [e.private_ip for e in enis]
        tls_bootstrap = pulumi.Output.all(*ips).apply(partial(_bootstrap, (LISTENER_PORTS["SSL"],)))
        gate = _gate_credentials(name, args, ca, self) if args.rollout_gate else None
        if args.metadata_mode == "kraft":
            quorum_rollout = (rollout.QuorumRollout(tls_bootstrap, gate, args.rollout_kafka_home)
                              if gate is not None and args.rollout_kafka_home else None)
            self.controllers = KRaftControllerQuorum(
                f"{name}-ctl", replace(controller_args(args, sg, key_arn, ca), rollout=quorum_rollout), opts=child)
            metadata: pulumi.Output[Any] = pulumi.Output.all(self.controllers.ips, self.controllers.cluster_id)
            quorum_group, quorum_port = self.controllers.security_group_id, CONTROLLER_PORT
        else:
            self.zookeeper = ZooKeeperEnsemble(f"{name}-zk", zookeeper_args(args, sg, key_arn, ca), opts=child)
            metadata = pulumi.Output.from_input(self.zookeeper.connect_string)
            quorum_group, quorum_port = self.zookeeper.security_group_id, SECURE_CLIENT_PORT
        self._rules(name, args, sg, where, peers, quorum_group, quorum_port)

        specs = pki.broker_certs(args.cluster, [[]] * len(launched))
        clients = [pki.PkiNode(pki.client_cert(args.cluster, g.client)) for g in args.access]
        self.pki = ClusterPki(f"{name}-pki", ClusterPkiArgs(
            args.cluster, [pki.PkiNode(s, pulumi.Output.all(ip).apply(list)) for s, ip in zip(specs, ips)] + clients,
            key_arn, ca=ca), opts=child)
        logs = nodes.encrypted_log_group(name, args.cluster, "kafka", key_arn, args.log_retention_days, tags, self)
        broker_secrets = [arn for spec_name, arn in self.pki.secret_arns.items() if spec_name.startswith("broker-")]
        profile = nodes.instance_profile(f"{name}-brokers", secret_arns=broker_secrets,
                                           key_arn=key_arn, log_group_arn=logs.arn, tags=tags, parent=self)
        # ACL and SCRAM changes are authorized (and logged) by the brokers in ZooKeeper mode, by the controllers in KRaft
        quorum: Any = self.controllers or self.zookeeper
        self.alarms = None if args.alarms is None else SecurityAlarms(
            f"{name}-security", [logs.name, nodes.log_group_name(args.cluster, _quorum_role(args))], key_arn,
            args.alarms, tags, after=[quorum], opts=child)
        ami = args.ami_id or nodes.amazon_linux(self)
        region = nodes.region(self)
        chain = rollout.RolloutChain(f"{name}-roll", args.broker_count, tls_bootstrap, gate, self)
        self.instances = []
        for index, (node, eni, spec) in enumerate(zip(launched, enis, specs)):
            user_data = pulumi.Output.all(ips, metadata, self.pki.secret_arns[spec.name],
                                          region, logs.name).apply(partial(_user_data, args, index))
            instance = nodes.instance(node, ami=ami, eni=eni, profile=profile, key_arn=key_arn, user_data=user_data,
                                        tags=tags, parent=self, data_device=DATA_DEVICE,
                                        depends_on=chain.before(index, user_data))
            chain.after(index, instance, instance.id)
            self.instances.append(instance)
        # One bootstrap string per listener, as clients configure them (a client speaks one protocol);
        # `bootstrap_servers` is the first listener's: one address per broker.
        self.bootstrap_servers_by_listener = {
            listener: pulumi.Output.all(*ips).apply(partial(_bootstrap, (LISTENER_PORTS[listener],)))
            for listener in sorted(set(args.listeners))}
        self.bootstrap_servers = self.bootstrap_servers_by_listener[args.listeners[0]]
        self.bootstrap_servers_tls = self.bootstrap_servers_by_listener.get("SSL")
        self.bootstrap_servers_sasl_ssl = self.bootstrap_servers_by_listener.get("SASL_SSL")
        self.security_group_id = sg
        self.zookeeper_connect = self.zookeeper.connect_string if self.zookeeper else None
        self.controller_quorum_voters = self.controllers.quorum_voters if self.controllers else None
        self.ca_cert_pem = pulumi.Output.from_input(ca.cert_pem)
        self.kms_key_arn = pulumi.Output.from_input(key_arn)
        self.client_secret_arns = {g.client: self.pki.secret_arns[f"client-{g.client}"] for g in args.access}
        self.register_outputs({"bootstrapServers": self.bootstrap_servers,
                               **({"bootstrapServersTls": self.bootstrap_servers_tls} if self.bootstrap_servers_tls else {}),
                               **({"bootstrapServersSaslSsl": self.bootstrap_servers_sasl_ssl}
                                  if self.bootstrap_servers_sasl_ssl else {}),
                               "securityGroupId": sg,
                               "clientSecretArns": self.client_secret_arns,
                               **({"zookeeperConnect": self.zookeeper_connect} if self.zookeeper_connect else {}),
                               **({"controllerQuorumVoters": self.controller_quorum_voters}
                                  if self.controller_quorum_voters else {}),
                               "caCertPem": self.ca_cert_pem,
                               "kmsKeyArn": self.kms_key_arn})

    def _rules(self, name: str, args: SelfManagedKafkaArgs, sg: pulumi.Output[str], where: nodes.Placement,
               peers: dict[str, pulumi.Input[str]], quorum_group: pulumi.Input[str], quorum_port: int) -> None:
        """Clients reach only the TLS listeners; brokers reach each other (SSL) and the metadata
        quorum's TLS port: ZooKeeper's 2182, or the controllers' 9093."""
        for client in args.clients:
            peer = peers.get(client.name)
            for port in client_ports(args.listeners):
                nodes.group_rule(f"{name}-{client.name}-{port}", sg, port, peer_group=peer,
                                   cidr=client.cidr, description=f"Kafka client {client.name}, TLS only", parent=self)
        tls_port = LISTENER_PORTS["SSL"]
        nodes.peer_port(f"{name}-interbroker", sg, tls_port, "inter-broker replication (SSL)", self)
        role = _quorum_role(args)
        nodes.group_rule(f"{name}-to-{role}", sg, quorum_port, peer_group=quorum_group, egress=True,
                           description=f"brokers to the {role} quorum, TLS port only", parent=self)
        nodes.https_egress(name, sg, args.https_egress_cidrs or [where.vpc_cidr], self)


def _bootstrap(ports: Sequence[int], ips: list[str]) -> str:
    return ",".join(f"{ip}:{port}" for ip in ips for port in ports)


def _gate_credentials(name: str, args: SelfManagedKafkaArgs, ca: pki.BringYourOwnCa,
                      parent: pulumi.Resource) -> rollout.GateCredentials:
    """The rollout identity's key and certificate, kept in state (secret), never on a node."""
    [(key_pem, cert_pem)] = issue_certificates(f"{name}-gate", [pki.PkiNode(pki.rollout_cert(args.cluster))],
                                                   ca, parent).values()
    return rollout.GateCredentials(ca.cert_pem, cert_pem, key_pem)


OAUTH_CA_FILE = "/etc/kafka/oauth/jwks-ca.pem"  # the identity provider's CA, when the JVM's does not hold it


def _quorum_role(args: SelfManagedKafkaArgs) -> str:
    return "controller" if args.metadata_mode == "kraft" else "zookeeper"


def _user_data(args: SelfManagedKafkaArgs, index: int, resolved: list[Any]) -> str:
    ips, metadata, secret_arn, region, log_group = resolved
    if args.metadata_mode == "kraft":
        controller_ips, cluster = metadata
        return broker_user_data(args, index, ips, "", secret_arn, region, log_group,
                                controllers=voters(controller_ips), cluster_id=cluster)
    return broker_user_data(args, index, ips, metadata, secret_arn, region, log_group)


def _server_properties(args: SelfManagedKafkaArgs, index: int, ips: Sequence[str], zookeeper: str,
                       controllers: Sequence[Voter]) -> dict[str, Any]:
    common: dict[str, Any] = dict(
        cluster=args.cluster, advertised_host=ips[index], log_dirs="/var/lib/kafka/data", tls=NODE_FILES,
        tls_port=LISTENER_PORTS["SSL"], sasl_port=LISTENER_PORTS["SASL_SSL"] if "SASL_SSL" in args.listeners else None,
        replication_factor=args.replication_factor, min_insync_replicas=args.min_insync_replicas)
    if controllers:
        props = kraft_broker_properties(KRaftBrokerSettings(node_id=index, voters=controllers, **common),
                                        args.broker_count)
    else:
        props = server_properties(BrokerSettings(broker_id=index, zookeeper_connect=zookeeper,
                                                 super_users=(pki.broker_certs(args.cluster, [[]])[0].kafka_principal,),
                                                 **common), args.broker_count)
    ca_file = OAUTH_CA_FILE if args.oauth is not None and args.oauth.jwks_ca_pem else None
    return with_oauth(props, args.oauth, nodes.release(args, args.metadata_mode), ca_file)


def broker_user_data(args: SelfManagedKafkaArgs, index: int, ips: Sequence[str], zookeeper: str,
                     secret_arn: str, region: str, log_group: str, controllers: Sequence[Voter] = (),
                     cluster_id: str = "") -> str:
    """Pure: one broker's boot document (ZooKeeper mode, or KRaft when `controllers` are given).
    Broker 0 also applies the default client quotas and the ACLs."""
    config_path = "/etc/kafka/server.properties"
    files = {
        config_path: render_properties(_server_properties(args, index, ips, zookeeper, controllers)),
        "/etc/kafka/admin.properties": render_properties(admin_client_properties(NODE_FILES)),
        "/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json": cloudwatch_agent_config(
            log_group, {"server": f"{LOG_DIR}/server.log", "audit": f"{LOG_DIR}/kafka-authorizer.log"}),
    }
    if args.oauth is not None and args.oauth.jwks_ca_pem:
        files[OAUTH_CA_FILE] = args.oauth.jwks_ca_pem
    post = [CLOUDWATCH_START]
    if index == 0:  # once per cluster: default quotas, then the ACLs of the access model
        bootstrap, admin = f"{ips[0]}:{LISTENER_PORTS['SSL']}", "/etc/kafka/admin.properties"
        commands = [("kafka-configs.sh", quota_arguments(args.quota, bootstrap, admin))]
        acls = kafka_acls(args.access) + (rollout_acls(f"User:{pki.ROLLOUT_IDENTITY}",
                                                       quorum=args.rollout_kafka_home is not None)
                                          if args.rollout_gate else [])
        commands += [("kafka-acls.sh", acl_arguments(e, bootstrap, admin)) for e in acls]
        for tool, arguments in commands:
            post.append(f"for i in $(seq 60); do runuser -u kafka -- {KAFKA_HOME}/bin/{tool} {shlex.join(arguments)} "
                        "&& break; sleep 10; done")
    pre = (format_command(KAFKA_HOME, cluster_id, config_path),) if controllers else ()
    return cloud_config(NodeBoot("kafka", f"broker-{index}", region, secret_arn, config_path, files,
                                 kafka_version=nodes.release(args, args.metadata_mode), heap="4g", oauth=args.oauth,
                                 data_device=DATA_DEVICE, log_group=log_group, pre_start=pre, post_start=tuple(post)))
