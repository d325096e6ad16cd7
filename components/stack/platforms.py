"""Build the platform a stack's config names and return what the stack exports."""
from __future__ import annotations

from typing import Any

import pulumi

from ..aws.msk import MskCluster
from ..aws.self_managed import SelfManagedKafka
from ..kubernetes.component import KafkaOnKubernetes
from .config import PlatformConfig


def build(settings: PlatformConfig) -> dict[str, Any]:
    if settings.platform == "msk":
        cluster = MskCluster(settings.cluster_name, settings.args)
        outputs = {"clusterArn": cluster.arn, "bootstrapBrokersTls": cluster.bootstrap_brokers_tls,
                   "bootstrapBrokersSaslScram": cluster.bootstrap_brokers_sasl_scram,
                   "bootstrapBrokersSaslIam": cluster.bootstrap_brokers_sasl_iam,
                   "securityGroupId": cluster.security_group_id, "kmsKeyArn": cluster.kms_key_arn,
                   "scramPasswords": pulumi.Output.secret(cluster.scram_passwords)}
        if cluster.zookeeper_connect_string is not None:  # KRaft versions have none
            outputs["zookeeperConnectString"] = cluster.zookeeper_connect_string
        return outputs
    if settings.platform == "kubernetes":
        k8s = KafkaOnKubernetes(settings.cluster_name, settings.args)
        return {"namespace": k8s.namespace, "bootstrapServers": k8s.bootstrap_servers, "caCertPem": k8s.ca_cert_pem}
    kafka = SelfManagedKafka(settings.cluster_name, settings.args)
    listeners = {"bootstrapServersTls": kafka.bootstrap_servers_tls,
                 "bootstrapServersSaslSsl": kafka.bootstrap_servers_sasl_ssl}
    return {"bootstrapServers": kafka.bootstrap_servers,
            **{key: value for key, value in listeners.items() if value is not None},
            **({"zookeeperConnect": kafka.zookeeper_connect} if kafka.zookeeper_connect is not None else {}),
            **({"controllerQuorumVoters": kafka.controller_quorum_voters}
               if kafka.controller_quorum_voters is not None else {}),
            "securityGroupId": kafka.security_group_id, "kmsKeyArn": kafka.kms_key_arn,
            "caCertPem": kafka.ca_cert_pem}
