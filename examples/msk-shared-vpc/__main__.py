"""The orders team's MSK cluster, placed in the VPC another stack (acme/network/<env>) owns.

The VPC, its subnets, the application security group and the data key are Outputs of that stack:
secure-kafka checks each one when it resolves, and creates nothing if one is wrong.
"""
import pulumi

from secure_kafka import ClientAccess, MskCluster, MskClusterArgs, TopicGrant

config = pulumi.Config()
network = pulumi.StackReference(config.require("networkStack"))
subnets = network.require_output("privateSubnetIds")

cluster = MskCluster("orders", MskClusterArgs(
    vpc_id=network.require_output("vpcId"),
    vpc_cidr=network.require_output("vpcCidr"),
    subnet_ids=[subnets.apply(lambda ids, i=i: ids[i]) for i in range(3)],
    kms_key_arn=network.require_output("dataKeyArn"),
    clients=[
        ClientAccess("orders-api", security_group_id=network.require_output("appSecurityGroupId")),
        ClientAccess("analytics", cidr="10.20.64.0/20"),
    ],
    auth_modes=("iam",),
    access=(
        TopicGrant("orders-api", produce=("orders",), consume=("payments",)),
        TopicGrant("analytics", consume=("orders", "payments")),
    ),
    tags={"team": "orders"},
))

pulumi.export("bootstrapBrokersSaslIam", cluster.bootstrap_brokers_sasl_iam)
pulumi.export("securityGroupId", cluster.security_group_id)
pulumi.export("clientPolicyArns", {name: policy.arn for name, policy in cluster.client_policies.items()})
