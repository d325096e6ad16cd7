"""Kafka on an EKS cluster another stack owns (acme/eks/<env>): its kubeconfig drives the provider,
its KMS key encrypts the brokers' volumes. 3 brokers and 3 ZooKeeper pods, TLS only, deny-by-default
network policies, restricted pods."""
import pulumi
import pulumi_kubernetes as k8s

from secure_kafka import KafkaOnKubernetes, KafkaOnKubernetesArgs, TopicGrant

config = pulumi.Config()
eks = pulumi.StackReference(config.require("clusterStack"))
provider = k8s.Provider("eks", kubeconfig=eks.require_output("kubeconfig"))

kafka = KafkaOnKubernetes("events", KafkaOnKubernetesArgs(
    cluster="events",
    namespace="events-kafka",
    eks_kms_key_arn=eks.require_output("ebsKeyArn"),
    access=(TopicGrant("checkout", produce=("events.checkout",), namespace="shop"),
            TopicGrant("reporting", consume=("events.checkout",), namespace="bi")),
), opts=pulumi.ResourceOptions(providers=[provider]))

pulumi.export("bootstrapServers", kafka.bootstrap_servers)
pulumi.export("caCertPem", kafka.ca_cert_pem)
