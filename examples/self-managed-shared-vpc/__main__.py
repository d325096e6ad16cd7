"""The ledger's own Kafka on EC2 (mutual TLS and SASL_SSL listeners, a dedicated TLS-only ZooKeeper
ensemble), in the VPC another stack owns; its Outputs are checked when they resolve."""
import pulumi

from secure_kafka import ClientAccess, SelfManagedKafka, SelfManagedKafkaArgs, TopicGrant

config = pulumi.Config()
network = pulumi.StackReference(config.require("networkStack"))
subnets = network.require_output("privateSubnetIds")

kafka = SelfManagedKafka("ledger", SelfManagedKafkaArgs(
    cluster="ledger",
    vpc_id=network.require_output("vpcId"),
    vpc_cidr=network.require_output("vpcCidr"),
    subnet_ids=[subnets.apply(lambda ids, i=i: ids[i]) for i in range(3)],
    kms_key_arn=network.require_output("dataKeyArn"),
    environment="prod",
    listeners=("SSL", "SASL_SSL"),
    clients=[ClientAccess("ledger-api", security_group_id=network.require_output("appSecurityGroupId"))],
    access=(TopicGrant("ledger-api", produce=("ledger.entries",), consume=("ledger.commands",)),),
    tags={"team": "ledger"},
))

pulumi.export("bootstrapServersTls", kafka.bootstrap_servers_tls)
pulumi.export("bootstrapServersSaslSsl", kafka.bootstrap_servers_sasl_ssl)
pulumi.export("caCertPem", kafka.ca_cert_pem)
pulumi.export("clientSecretArns", kafka.client_secret_arns)
