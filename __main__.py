"""secure-kafka: typed stack config -> one Kafka platform -> stack outputs."""
import pulumi

from secure_kafka import MskCluster
from secure_kafka.config import load

settings = load()
cluster = MskCluster(settings.cluster_name, settings.msk)
pulumi.export("clusterArn", cluster.arn)
pulumi.export("bootstrapBrokersTls", cluster.bootstrap_brokers_tls)
pulumi.export("bootstrapBrokersSaslScram", cluster.bootstrap_brokers_sasl_scram)
pulumi.export("bootstrapBrokersSaslIam", cluster.bootstrap_brokers_sasl_iam)
pulumi.export("zookeeperConnectString", cluster.zookeeper_connect_string)
pulumi.export("securityGroupId", cluster.security_group_id)
pulumi.export("kmsKeyArn", cluster.kms_key_arn)
pulumi.export("scramPasswords", pulumi.Output.secret(cluster.scram_passwords))
