"""secure_kafka: Pulumi components that run Apache Kafka with secure defaults.

Every component and its typed arguments import from here; the platform modules load on first use,
so a stack that builds only an MSK cluster never imports pulumi_kubernetes.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

# name -> module that defines it
_EXPORTS = {
    "ConfigError": "errors",
    "ClientAccess": "network", "KafkaSecurityGroup": "network", "KafkaSecurityGroupArgs": "network",
    "CustomerKey": "encryption", "CustomerKeyArgs": "encryption",
    "TopicGrant": "access",
    "MskCluster": "msk", "MskClusterArgs": "msk",
    "NodeGroupArgs": "compute",
    "SelfManagedKafka": "brokers", "SelfManagedKafkaArgs": "brokers",
    "ZooKeeperEnsemble": "zookeeper", "ZooKeeperEnsembleArgs": "zookeeper",
    "KRaftControllerQuorum": "controllers", "KRaftControllerQuorumArgs": "controllers",
    "ClientQuota": "render.kafka",
    "BringYourOwnCa": "pki",
    "KafkaOnKubernetes": "kubernetes", "KafkaOnKubernetesArgs": "kubernetes", "ContainerResources": "kubernetes",
}
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from .access import TopicGrant
    from .brokers import SelfManagedKafka, SelfManagedKafkaArgs
    from .compute import NodeGroupArgs
    from .controllers import KRaftControllerQuorum, KRaftControllerQuorumArgs
    from .encryption import CustomerKey, CustomerKeyArgs
    from .errors import ConfigError
    from .kubernetes import ContainerResources, KafkaOnKubernetes, KafkaOnKubernetesArgs
    from .msk import MskCluster, MskClusterArgs
    from .network import ClientAccess, KafkaSecurityGroup, KafkaSecurityGroupArgs
    from .pki import BringYourOwnCa
    from .render.kafka import ClientQuota
    from .zookeeper import ZooKeeperEnsemble, ZooKeeperEnsembleArgs


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'secure_kafka' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
