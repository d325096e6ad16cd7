"""server.properties for Kafka in KRaft mode (Apache Kafka 3.9 and 4.x): a dedicated controller
quorum and brokers, no ZooKeeper.

The CONTROLLER listener is TLS with client certificates required, like every other listener;
controllers and brokers authenticate by certificate; StandardAuthorizer denies by default and only
the brokers' and controllers' own principals are super users. No PLAINTEXT listener exists to map.
"""
from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from typing import Optional, Sequence

from ..model.pki import BROKER_IDENTITY, CONTROLLER_IDENTITY
from .kafka import (LISTENER_PORTS, PemFiles, authorization, durability, listeners, scram_listener, tls_properties,
                    validate_listeners_and_defaults)
from .loginpolicy import policy_properties
from .properties import Value

CONTROLLER_PORT = 9093
CONTROLLER_LISTENER = "CONTROLLER"
STANDARD_AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
SUPER_USERS = (f"User:{BROKER_IDENTITY}", f"User:{CONTROLLER_IDENTITY}")
# Controllers take node ids from here, brokers from 0: the two never collide.
CONTROLLER_ID_BASE = 1000
_CLUSTER_ID_NAMESPACE = uuid.UUID("5b0f6f0e-6a1d-4c53-9b3e-2f5d2b7f4a11")


def cluster_id(seed: str) -> str:
    """A KRaft cluster id (Kafka's 22-character base64url UUID) derived from `seed`, so every
    update of a stack formats new nodes into the same cluster. Never starts with '-', which the
    storage tool would read as an option."""
    for attempt in range(100):
        raw = uuid.uuid5(_CLUSTER_ID_NAMESPACE, f"{seed}#{attempt}" if attempt else seed).bytes
        text = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        if not text.startswith("-"):
            return text
    raise ValueError(f"no usable cluster id from {seed!r}")  # pragma: no cover - 1 in 64 per try


def format_command(kafka_home: str, cluster: str, config_path: str, classpath: Sequence[str] = ()) -> list[str]:
    """Format the node's metadata log once, before its first start (a formatted log is kept). The tool
    reads the whole config, so a class it names (a controller's policy) must be on `classpath`."""
    env = ["env", f"CLASSPATH={':'.join(classpath)}"] if classpath else []
    return [*env, f"{kafka_home}/bin/kafka-storage.sh", "format", "--ignore-formatted", "-t", cluster, "-c", config_path]


@dataclass(frozen=True)
class Voter:
    node_id: int
    host: str
    port: int = CONTROLLER_PORT


@dataclass(frozen=True)
class ControllerSettings:
    node_id: int
    cluster: str
    host: str
    voters: Sequence[Voter]
    log_dirs: str
    tls: PemFiles
    bind_host: str = "0.0.0.0"
    port: int = CONTROLLER_PORT
    super_users: Sequence[str] = SUPER_USERS
    # In KRaft the controller creates topics: the defaults a topic takes are the controller's.
    replication_factor: int = 3
    min_insync_replicas: int = 2
    num_partitions: int = 3


@dataclass(frozen=True)
class KRaftBrokerSettings:
    node_id: int
    cluster: str
    advertised_host: str
    voters: Sequence[Voter]
    log_dirs: str
    tls: PemFiles
    bind_host: str = "0.0.0.0"
    tls_port: int = LISTENER_PORTS["SSL"]
    sasl_port: Optional[int] = None
    replication_factor: int = 3
    min_insync_replicas: int = 2
    num_partitions: int = 3
    super_users: Sequence[str] = field(default=SUPER_USERS)


def validate_quorum(voters: Sequence[Voter]) -> None:
    """A controller quorum has 1, 3 or 5 voters with distinct ids (a majority must survive)."""
    ids = [v.node_id for v in voters]
    if len(voters) not in (1, 3, 5) or len(set(ids)) != len(ids):
        raise ValueError("a controller quorum has 1, 3 or 5 voters with distinct node ids")


def quorum_voters(voters: Sequence[Voter]) -> str:
    return ",".join(f"{v.node_id}@{v.host}:{v.port}" for v in voters)


def _quorum(voters: Sequence[Voter]) -> dict[str, Value]:
    validate_quorum(voters)
    return {"controller.quorum.voters": quorum_voters(voters), "controller.listener.names": CONTROLLER_LISTENER}


def controller_properties(settings: ControllerSettings) -> dict[str, Value]:
    """A controller: only the TLS CONTROLLER listener, the metadata log, the authorizer."""
    if settings.node_id not in {v.node_id for v in settings.voters}:
        raise ValueError(f"controller {settings.node_id} is not one of the quorum's voters")
    return {
        "process.roles": "controller",
        "node.id": settings.node_id,
        **_quorum(settings.voters),
        "listeners": f"{CONTROLLER_LISTENER}://{settings.bind_host}:{settings.port}",
        "listener.security.protocol.map": f"{CONTROLLER_LISTENER}:SSL",
        "log.dirs": settings.log_dirs,
        **tls_properties(settings.tls, settings.cluster),
        **authorization(STANDARD_AUTHORIZER, settings.super_users),
        # found on the real servers: without these a topic created with defaults gets replication 1
        **durability(settings.replication_factor, settings.min_insync_replicas, settings.num_partitions),
        # no runtime change of a listener's login modules (the jar must be on the controller's CLASSPATH)
        **policy_properties(),
    }


def kraft_broker_properties(settings: KRaftBrokerSettings, broker_count: int) -> dict[str, Value]:
    """A broker that reaches the controllers over TLS and serves clients on TLS listeners only."""
    validate_listeners_and_defaults(settings, broker_count)
    if settings.node_id in {v.node_id for v in settings.voters}:
        raise ValueError(f"broker node id {settings.node_id} is taken by a controller")
    protocols = [f"{CONTROLLER_LISTENER}:SSL", "SSL:SSL"] + (["SASL_SSL:SASL_SSL"] if settings.sasl_port else [])
    props: dict[str, Value] = {
        "process.roles": "broker",
        "node.id": settings.node_id,
        **_quorum(settings.voters),
        "listeners": listeners(settings, settings.bind_host),
        "advertised.listeners": listeners(settings, settings.advertised_host),
        "listener.security.protocol.map": ",".join(protocols),
        "inter.broker.listener.name": "SSL",
        "log.dirs": settings.log_dirs,
        **tls_properties(settings.tls, settings.cluster),
        **authorization(STANDARD_AUTHORIZER, settings.super_users),
        **durability(settings.replication_factor, settings.min_insync_replicas, settings.num_partitions),
    }
    if settings.sasl_port:
        props.update(scram_listener())
    return props
