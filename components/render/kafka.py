"""server.properties, JAAS and log4j for a ZooKeeper-mode Kafka broker (Apache Kafka 3.9.x).

Only encrypted listeners exist: SSL with client certificates required, and optionally SASL_SSL
(SCRAM-SHA-512, certificates still required). Brokers talk SSL to each other and TLS to
ZooKeeper, authenticate to ZooKeeper by certificate and lock their znodes with ACLs.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Protocol, Sequence

from kafka_guardrails.versions import parse

from ..model.pki import principal_mapping_rules
from .properties import Value

AUTHORIZER = "kafka.security.authorizer.AclAuthorizer"
SCRAM_MECHANISM = "SCRAM-SHA-512"
TLS_PROTOCOLS = "TLSv1.3,TLSv1.2"
# Forward-secret AEAD suites only: the TLS 1.3 ones, and ECDHE with GCM or ChaCha20 for TLS 1.2
# (RSA and ECDSA certificates). No static-RSA key exchange, no CBC, no 3DES: the JDK's own defaults
# still allow some of those.
CIPHER_SUITES = ",".join((
    "TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"))
# The only listeners a broker gets: mutual TLS, and SCRAM over mutual TLS.
LISTENER_PORTS = {"SSL": 9094, "SASL_SSL": 9096}


@dataclass(frozen=True)
class PemFiles:
    """PEM files on the host: `keystore` holds the private key and the certificate chain."""

    keystore: str
    truststore: str


@dataclass(frozen=True)
class BrokerSettings:
    broker_id: int
    cluster: str
    advertised_host: str
    zookeeper_connect: str
    log_dirs: str
    tls: PemFiles
    bind_host: str = "0.0.0.0"
    tls_port: int = LISTENER_PORTS["SSL"]
    sasl_port: Optional[int] = None
    super_users: Sequence[str] = ("User:kafka-broker",)
    replication_factor: int = 3
    min_insync_replicas: int = 2
    num_partitions: int = 3
    # A chroot matters for security: ZooKeeper checks DELETE on the parent, and "/" is
    # world-writable, so without one anybody who reaches ZooKeeper can delete /controller.
    zookeeper_chroot: str = "/kafka"


class BrokerListeners(Protocol):
    """What ZooKeeper-mode and KRaft broker settings share for listeners and topic defaults."""

    @property
    def tls_port(self) -> int: ...
    @property
    def sasl_port(self) -> Optional[int]: ...
    @property
    def replication_factor(self) -> int: ...
    @property
    def min_insync_replicas(self) -> int: ...


def validate_listeners_and_defaults(settings: BrokerListeners, broker_count: int) -> None:
    if not 2 <= settings.min_insync_replicas <= settings.replication_factor <= broker_count:
        raise ValueError("need 2 <= min.insync.replicas <= replication factor <= broker count")
    if settings.sasl_port == settings.tls_port:
        raise ValueError("the SASL_SSL and SSL listeners need different ports")


def validate_broker(settings: BrokerSettings, broker_count: int) -> None:
    """Guard the invariants the rendered file relies on (the components check them earlier, with names)."""
    validate_listeners_and_defaults(settings, broker_count)
    if not settings.zookeeper_chroot.startswith("/") or settings.zookeeper_chroot == "/":
        raise ValueError("the ZooKeeper chroot must be a path below / such as /kafka")


def listeners(settings: BrokerListeners, host: str) -> str:
    out = [f"SSL://{host}:{settings.tls_port}"]
    if settings.sasl_port:
        out.append(f"SASL_SSL://{host}:{settings.sasl_port}")
    return ",".join(out)


def server_properties(settings: BrokerSettings, broker_count: int) -> dict[str, Value]:
    """The broker's configuration as a mapping (render with `render_properties`)."""
    validate_broker(settings, broker_count)
    rf, isr = settings.replication_factor, settings.min_insync_replicas
    props: dict[str, Value] = {
        "broker.id": settings.broker_id,
        "listeners": listeners(settings, settings.bind_host),
        "advertised.listeners": listeners(settings, settings.advertised_host),
        "security.inter.broker.protocol": "SSL",
        "log.dirs": settings.log_dirs,
        **tls_properties(settings.tls, settings.cluster),
        **authorization(AUTHORIZER, settings.super_users),
        **durability(rf, isr, settings.num_partitions),
        # ZooKeeper over TLS, authenticated by certificate, znodes locked by ACLs
        "zookeeper.connect": settings.zookeeper_connect + settings.zookeeper_chroot,
        "zookeeper.ssl.client.enable": True,
        "zookeeper.clientCnxnSocket": "org.apache.zookeeper.ClientCnxnSocketNetty",
        "zookeeper.ssl.protocol": "TLSv1.3",
        "zookeeper.ssl.enabled.protocols": TLS_PROTOCOLS,
        "zookeeper.ssl.cipher.suites": CIPHER_SUITES,
        "zookeeper.ssl.keystore.type": "PEM",
        "zookeeper.ssl.keystore.location": settings.tls.keystore,
        "zookeeper.ssl.truststore.type": "PEM",
        "zookeeper.ssl.truststore.location": settings.tls.truststore,
        "zookeeper.ssl.endpoint.identification.algorithm": "HTTPS",
        "zookeeper.set.acl": True,
    }
    if settings.sasl_port:
        props.update(scram_listener())
    return props


def tls_properties(tls: PemFiles, cluster: str) -> dict[str, Value]:
    """TLS on every listener: client certificates required, names verified, strong suites only."""
    return {
        "ssl.client.auth": "required",
        "ssl.protocol": "TLSv1.3",
        "ssl.enabled.protocols": TLS_PROTOCOLS,
        "ssl.cipher.suites": CIPHER_SUITES,
        "ssl.endpoint.identification.algorithm": "https",
        "ssl.keystore.type": "PEM",
        "ssl.keystore.location": tls.keystore,
        "ssl.truststore.type": "PEM",
        "ssl.truststore.location": tls.truststore,
        "ssl.principal.mapping.rules": principal_mapping_rules(cluster),
    }


def authorization(authorizer: str, super_users: Sequence[str]) -> dict[str, Value]:
    """ACLs deny by default; only the cluster's own nodes are super users."""
    return {"authorizer.class.name": authorizer, "allow.everyone.if.no.acl.found": False,
            "super.users": ";".join(super_users)}


def durability(rf: int, isr: int, partitions: int) -> dict[str, Value]:
    return {
        "default.replication.factor": rf,
        "min.insync.replicas": isr,
        "offsets.topic.replication.factor": rf,
        "transaction.state.log.replication.factor": rf,
        "transaction.state.log.min.isr": isr,
        "unclean.leader.election.enable": False,
        "auto.create.topics.enable": False,
        "num.partitions": partitions,
    }


def scram_listener() -> dict[str, Value]:
    return {
        "sasl.enabled.mechanisms": SCRAM_MECHANISM,
        # Kafka ignores the broker-wide ssl.client.auth on SASL_SSL listeners (KIP-684):
        # without this a SASL client needs no certificate at all.
        "listener.name.sasl_ssl.ssl.client.auth": "required",
        f"listener.name.sasl_ssl.{SCRAM_MECHANISM.lower()}.sasl.jaas.config": scram_server_jaas(),
    }


def scram_server_jaas() -> str:
    """The broker side of SCRAM needs no secret: credentials live (hashed) in ZooKeeper."""
    return "org.apache.kafka.common.security.scram.ScramLoginModule required;"


def scram_client_jaas(username: str, password: str) -> str:
    """A client's `sasl.jaas.config`; the password is quoted as JAAS requires."""
    for value in (username, password):
        if '"' in value or "\\" in value or "\n" in value:
            raise ValueError("SCRAM user names and passwords may not contain quotes, backslashes or newlines")
    return f'org.apache.kafka.common.security.scram.ScramLoginModule required username="{username}" password="{password}";'


# The broker log and a separate audit log. The authorizer writes denials at INFO and allowed requests at
# DEBUG: the audit log keeps both by default, since "who read this topic, from where" is the question an
# incident asks first (`allowed=False` keeps denials only, for clusters whose request rate makes that
# volume too much). The authorizer logger carries no credentials (KAFKA-LOG-001 does not count it).
_LOG_PATTERN = "[%d] %p %m (%c)%n"
_LOG_FILES = (("server", "server.log"), ("audit", "kafka-authorizer.log"))
AUDIT_LOGGER = "kafka.authorizer.logger"
# Where a platform has no log service we can assume (Kubernetes), the security events also go to stdout,
# each line prefixed, for whatever collects the pods' output: every authorizer line, and the network
# layer's INFO lines, among which the failed logins ("Failed authentication with ...").
SECURITY_STREAM_PREFIX = "SECURE-KAFKA-AUDIT"
SELECTOR_LOGGER = "org.apache.kafka.common.network.Selector"


def _audit_level(allowed: bool) -> str:
    return "DEBUG" if allowed else "INFO"


def _stream_pattern(prefix: str) -> str:
    return f"{prefix} {_LOG_PATTERN}"


def log4j_properties(log_dir: str, allowed: bool = True, stream: Optional[str] = None) -> dict[str, Value]:
    """Kafka 3.x (log4j 1 / reload4j): broker log plus the audit log (and the prefixed `stream` to stdout)."""
    props: dict[str, Value] = {"log4j.rootLogger": "INFO, server"}
    for name, file in _LOG_FILES:
        props.update({
            f"log4j.appender.{name}": "org.apache.log4j.DailyRollingFileAppender",
            f"log4j.appender.{name}.DatePattern": "'.'yyyy-MM-dd-HH",
            f"log4j.appender.{name}.File": f"{log_dir}/{file}",
            f"log4j.appender.{name}.layout": "org.apache.log4j.PatternLayout",
            f"log4j.appender.{name}.layout.ConversionPattern": _LOG_PATTERN,
        })
    props.update({f"log4j.logger.{AUDIT_LOGGER}": f"{_audit_level(allowed)}, audit" + (", stream" if stream else ""),
                  f"log4j.additivity.{AUDIT_LOGGER}": False})
    if stream:
        props.update({"log4j.appender.stream": "org.apache.log4j.ConsoleAppender",
                      "log4j.appender.stream.Target": "System.out",
                      "log4j.appender.stream.layout": "org.apache.log4j.PatternLayout",
                      "log4j.appender.stream.layout.ConversionPattern": _stream_pattern(stream),
                      f"log4j.logger.{SELECTOR_LOGGER}": "INFO, stream"})  # and the root's file (additive)
    return props


def log4j2_properties(log_dir: str, allowed: bool = True, stream: Optional[str] = None) -> dict[str, Value]:
    """Kafka 4.x (log4j 2): the same two files, the same lines, hourly rolled (and the same stream)."""
    props: dict[str, Value] = {"status": "warn", "name": "secure-kafka"}
    for name, file in _LOG_FILES:
        props.update({
            f"appender.{name}.type": "RollingFile", f"appender.{name}.name": name,
            f"appender.{name}.fileName": f"{log_dir}/{file}",
            f"appender.{name}.filePattern": f"{log_dir}/{file}.%d{{yyyy-MM-dd-HH}}",
            f"appender.{name}.layout.type": "PatternLayout", f"appender.{name}.layout.pattern": _LOG_PATTERN,
            f"appender.{name}.policies.type": "Policies",
            f"appender.{name}.policies.time.type": "TimeBasedTriggeringPolicy",
        })
    props.update({"rootLogger.level": "INFO", "rootLogger.appenderRef.server.ref": "server",
                  "logger.audit.name": AUDIT_LOGGER, "logger.audit.level": _audit_level(allowed),
                  "logger.audit.additivity": False,
                  "logger.audit.appenderRef.audit.ref": "audit"})
    if stream:
        props.update({"appender.stream.type": "Console", "appender.stream.name": "stream",
                      "appender.stream.target": "SYSTEM_OUT", "appender.stream.layout.type": "PatternLayout",
                      "appender.stream.layout.pattern": _stream_pattern(stream),
                      "logger.audit.appenderRef.stream.ref": "stream",
                      "logger.network.name": SELECTOR_LOGGER, "logger.network.level": "INFO",
                      "logger.network.appenderRef.stream.ref": "stream"})  # and the root's file (additive)
    return props


@dataclass(frozen=True)
class LogConfig:
    """The log configuration a Kafka release reads: its file name, its text, and the JVM option that
    points the server at it (KAFKA_LOG4J_OPTS)."""

    file: str
    properties: dict[str, Value]

    def option(self, directory: str) -> str:
        key = "log4j2.configurationFile" if self.file.startswith("log4j2") else "log4j.configuration"
        return f"-D{key}=file:{directory}/{self.file}"


def log_config(kafka_version: str, log_dir: str, allowed: bool = True, stream: Optional[str] = None) -> LogConfig:
    """log4j 2 from Kafka 4.0 on (KIP-653), log4j 1 before; `allowed`: audit allowed requests too;
    `stream`: also write the security events to stdout, each line starting with this prefix."""
    if (parse(kafka_version) or (0,)) >= (4,):
        return LogConfig("log4j2.properties", log4j2_properties(log_dir, allowed, stream))
    return LogConfig("log4j.properties", log4j_properties(log_dir, allowed, stream))


@dataclass(frozen=True)
class ClientQuota:
    """Default limits for every client; Kafka throttles (never drops) a client that goes over them.

    Attributes:
        producer_byte_rate: bytes per second per client a broker accepts (default 10 MiB/s).
        consumer_byte_rate: bytes per second per client a broker serves (default 20 MiB/s).
        request_percentage: percent of a broker's request threads one client may use (default 50).
    """

    producer_byte_rate: int = 10 * 1024 * 1024
    consumer_byte_rate: int = 20 * 1024 * 1024
    request_percentage: int = 50


def quota_arguments(quota: ClientQuota, bootstrap: str, command_config: str, user: Optional[str] = None) -> list[str]:
    """Arguments of kafka-configs.sh (kafka.admin.ConfigCommand) that set the quota for every
    user (`--entity-default`) or for one user."""
    values = (f"producer_byte_rate={quota.producer_byte_rate},consumer_byte_rate={quota.consumer_byte_rate},"
              f"request_percentage={quota.request_percentage}")
    entity = ["--entity-name", user] if user else ["--entity-default"]
    return ["--bootstrap-server", bootstrap, "--command-config", command_config, "--alter",
            "--add-config", values, "--entity-type", "users", *entity]


def admin_client_properties(tls: PemFiles) -> dict[str, Value]:
    """Client settings for the Kafka admin tools, authenticating with a node's certificate."""
    return {"security.protocol": "SSL", "ssl.keystore.type": "PEM", "ssl.keystore.location": tls.keystore,
            "ssl.truststore.type": "PEM", "ssl.truststore.location": tls.truststore,
            "ssl.enabled.protocols": TLS_PROTOCOLS, "ssl.cipher.suites": CIPHER_SUITES,
            "ssl.endpoint.identification.algorithm": "https"}
