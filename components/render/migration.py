"""The configs of each phase of moving a running, secured ZooKeeper-mode cluster to KRaft
(Kafka 3.9; Kafka 4.x cannot run ZooKeeper mode or the migration). Pure: each phase's files are
derived from the same renderers as the start and the end state, so the phases cannot drift.

  1. controllers  a KRaft quorum in migration mode: it reaches ZooKeeper over TLS (as the brokers'
                  ZooKeeper identity, which owns the znodes) and the ZooKeeper-mode brokers over
                  their inter-broker SSL listener
  2. brokers      rolled, still in ZooKeeper mode, with migration enabled and the quorum known;
                  once all have registered, the controller copies the metadata (topics, configs,
                  ACLs, SCRAM users, quotas) and takes over, writing to ZooKeeper too (dual write)
  3. kraft        brokers rolled to KRaft (`process.roles=broker`, StandardAuthorizer, no ZooKeeper)
  4. finalised    controllers rolled without ZooKeeper; from here there is no way back
  5. retired      ZooKeeper stopped

Until phase 4, rolling back is possible (Kafka's documented steps: roll brokers back to ZooKeeper
mode, stop the controllers, delete `/controller` and `/migration` in ZooKeeper).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from .kafka import AUTHORIZER, BrokerSettings, PemFiles, server_properties
from .kraft import (CONTROLLER_LISTENER, SUPER_USERS, ControllerSettings, KRaftBrokerSettings, Voter,
                    controller_properties, kraft_broker_properties, quorum_voters)
from .properties import Value

PHASES = ("controllers", "brokers", "kraft", "finalised", "retired")
ZOOKEEPER = "zookeeper"  # the phase a rollback ends in: the config before the migration
# The inter-broker protocol a ZooKeeper-mode broker must speak to be migrated by a 3.9 controller.
MIGRATION_IBP = "3.9"


def _zookeeper_client(broker_zk: dict[str, Value], zookeeper_identity: PemFiles) -> dict[str, Value]:
    """The brokers' ZooKeeper client settings, with the keystore of the identity that owns the
    znodes (ZooKeeper's x509 ACLs name the certificate's subject, so only that identity may write)."""
    out = {k: v for k, v in broker_zk.items() if k.startswith("zookeeper.")}
    out["zookeeper.ssl.keystore.location"] = zookeeper_identity.keystore
    out["zookeeper.ssl.truststore.location"] = zookeeper_identity.truststore
    return out


def migrating_controller(settings: ControllerSettings, broker: BrokerSettings, broker_count: int,
                         zookeeper_identity: PemFiles) -> dict[str, Value]:
    """Phase 1: a controller in migration mode. `broker` is any broker's ZooKeeper-mode settings
    (for ZooKeeper's address and TLS); the controller talks to ZooKeeper-mode brokers over SSL."""
    props = controller_properties(settings)
    zk_broker = server_properties(broker, broker_count)
    props.update({
        "zookeeper.metadata.migration.enable": True,
        **_zookeeper_client(zk_broker, zookeeper_identity),
        "inter.broker.listener.name": "SSL",
        "listener.security.protocol.map": f"{CONTROLLER_LISTENER}:SSL,SSL:SSL",
    })
    return props


def migrating_broker(broker: BrokerSettings, broker_count: int, voters: Sequence[Voter]) -> dict[str, Value]:
    """Phase 2: the ZooKeeper-mode broker, with migration enabled and the quorum known. The
    controllers become its super users too: they now send it LeaderAndIsr and UpdateMetadata."""
    with_controllers = replace(broker, super_users=tuple(sorted(set(broker.super_users) | set(SUPER_USERS))))
    props = server_properties(with_controllers, broker_count)
    protocols = str(props.get("listener.security.protocol.map", "SSL:SSL" + (
        ",SASL_SSL:SASL_SSL" if broker.sasl_port else "")))
    props.update({
        "zookeeper.metadata.migration.enable": True,
        "inter.broker.protocol.version": MIGRATION_IBP,
        "controller.quorum.voters": quorum_voters(voters),
        "controller.listener.names": CONTROLLER_LISTENER,
        "listener.security.protocol.map": f"{CONTROLLER_LISTENER}:SSL,{protocols}",
    })
    return props


def migrated_broker(broker: BrokerSettings, broker_count: int, voters: Sequence[Voter]) -> dict[str, Value]:
    """Phase 3: the same broker (same id, listeners, data) as a KRaft broker: exactly what a
    cluster born in KRaft mode runs."""
    return kraft_broker_properties(KRaftBrokerSettings(
        node_id=broker.broker_id, cluster=broker.cluster, advertised_host=broker.advertised_host, voters=voters,
        log_dirs=broker.log_dirs, tls=broker.tls, bind_host=broker.bind_host, tls_port=broker.tls_port,
        sasl_port=broker.sasl_port, replication_factor=broker.replication_factor,
        min_insync_replicas=broker.min_insync_replicas, num_partitions=broker.num_partitions), broker_count)


def finalised_controller(settings: ControllerSettings) -> dict[str, Value]:
    """Phase 4: the controller without ZooKeeper: exactly what a cluster born in KRaft mode runs."""
    return controller_properties(settings)


def no_zookeeper_left(props: dict[str, Value]) -> list[str]:
    """The keys of a config that still tie it to ZooKeeper or to the migration (empty when none)."""
    return sorted(k for k in props if k.startswith("zookeeper.") or k == "broker.id" or (
        k == "authorizer.class.name" and props[k] == AUTHORIZER))
