"""Deterministic, distinct resource mixes for the benchmarks.

A realistic estate: mostly private ranges and group references, the odd public web port, a few
percent world-open Kafka entries; security groups and their rules, load balancers with listeners
and target groups, Kubernetes Services and workloads, MSK clusters, and resources no rule reads.
No two resources are alike (each carries its own index, ranges and ports), so no cache can serve
a repeat on a first pass; `distinct()` checks that.
"""
from __future__ import annotations

import json
import random

SG = "aws:ec2/securityGroup:SecurityGroup"
VPC_IN = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
KINDS = ["private"] * 10 + ["sg-ref"] * 5 + ["world-443"] * 3 + ["slash24"] * 2 + ["world-9092", "v6-world"]
PORTS = [9092, 9094, 9096, 443, 2181, 8080, 5432, 6379]


def _private(rng: random.Random) -> str:
    return rng.choice([f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.0/24",
                       f"172.{rng.randint(16, 31)}.{rng.randint(0, 255)}.0/24",
                       f"192.168.{rng.randint(0, 255)}.{rng.randint(0, 255)}/32"])


def security_group(rng: random.Random, index: int) -> dict:
    entries = []
    for _ in range(rng.randint(1, 4)):
        kind = rng.choice(KINDS)
        port = rng.choice(PORTS)
        entry = {"protocol": rng.choice(["tcp", "tcp", "6", "-1"]), "fromPort": port, "toPort": port,
                 "description": f"rule {index}"}
        if kind == "private":
            entry["cidrBlocks"] = [_private(rng)]
        elif kind == "sg-ref":
            entry["securityGroups"] = [f"sg-{rng.getrandbits(64):016x}"]
        elif kind == "world-443":
            entry.update(fromPort=443, toPort=443, protocol="tcp", cidrBlocks=["0.0.0.0/0"])
        elif kind == "world-9092":
            entry["cidrBlocks"] = ["0.0.0.0/0"]
        elif kind == "v6-world":
            entry["ipv6CidrBlocks"] = ["::/0"]
        else:
            entry["cidrBlocks"] = [f"{rng.randint(1, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.0/24"]
        entries.append(entry)
    return {"vpcId": f"vpc-{index:08x}", "description": f"group {index}", "ingress": entries,
            "egress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": [_private(rng)]}]}


def groups(count: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    return [security_group(rng, i) for i in range(count)]


def _service(rng: random.Random, i: int) -> dict:
    kind = rng.choice(["ClusterIP"] * 6 + ["LoadBalancer"] * 3 + ["NodePort"])
    annotations = {"team": f"t{i}"}
    if kind == "LoadBalancer" and rng.random() < 0.7:
        annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"] = "internal"
    spec: dict = {"type": kind, "selector": {"app": f"app-{i}"},
                  "ports": [{"name": "main", "port": rng.choice(PORTS), "targetPort": rng.choice([8080, 9094, "main"])}]}
    if kind == "LoadBalancer" and rng.random() < 0.5:
        spec["loadBalancerSourceRanges"] = [_private(rng)]
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": f"svc-{i}", "namespace": f"ns-{i % 50}", "annotations": annotations}, "spec": spec}


def _workload(rng: random.Random, i: int) -> dict:
    image = rng.choice(["apache/kafka:3.9.1", "nginx:1.27", "postgres:16", f"registry.local/app-{i}:1"])
    container = {"name": "main", "image": image,
                 "ports": [{"name": "main", "containerPort": rng.choice(PORTS)}],
                 "securityContext": {"runAsNonRoot": True, "readOnlyRootFilesystem": rng.random() < 0.9,
                                     "allowPrivilegeEscalation": False},
                 "resources": {"limits": {"cpu": f"{rng.randint(1, 8)}", "memory": f"{rng.randint(1, 16)}Gi"}}}
    pod = {"containers": [container]}
    if rng.random() < 0.03:
        pod["hostNetwork"] = True
    return {"apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": f"wl-{i}", "namespace": f"ns-{i % 50}"},
            "spec": {"serviceName": f"wl-{i}", "selector": {"matchLabels": {"app": f"app-{i}"}},
                     "template": {"metadata": {"labels": {"app": f"app-{i}"}}, "spec": pod}}}


def _msk(rng: random.Random, i: int) -> dict:
    return {"clusterName": f"kafka-{i}", "kafkaVersion": "3.6.0", "numberOfBrokerNodes": 3,
            "brokerNodeGroupInfo": {"instanceType": "kafka.m7g.large", "clientSubnets": [f"subnet-{i}a", f"subnet-{i}b"],
                                    "securityGroups": [f"sg-{i:017x}"],
                                    "connectivityInfo": {"publicAccess": {"type": rng.choice(["DISABLED"] * 19 + ["SERVICE_PROVIDED_EIPS"])}}},
            "encryptionInfo": {"encryptionAtRestKmsKeyArn": f"arn:aws:kms:eu-west-1:123456789012:key/{i}",
                               "encryptionInTransit": {"clientBroker": "TLS", "inCluster": True}},
            "clientAuthentication": {"sasl": {"iam": True, "scram": rng.random() < 0.5}, "unauthenticated": False},
            "loggingInfo": {"brokerLogs": {"cloudwatchLogs": {"enabled": True, "logGroup": f"lg-{i}"}}}}


def mixed(count: int, seed: int = 11) -> list[tuple[str, dict]]:
    """Security groups and rules, load balancers, Services, workloads, MSK, and unjudged resources."""
    rng = random.Random(seed)
    out: list[tuple[str, dict]] = []
    for i in range(count):
        pick = i % 20
        if pick < 7:
            out.append((SG, security_group(rng, i)))
        elif pick < 10:
            out.append((VPC_IN, {"securityGroupId": f"sg-{i:017x}", "ipProtocol": "tcp", "fromPort": rng.choice(PORTS),
                                 "toPort": 9094, "description": f"rule {i}",
                                 "cidrIpv4": rng.choice([_private(rng)] * 9 + ["0.0.0.0/0"])}))
        elif pick == 10:
            out.append((SG_RULE, {"type": "ingress", "securityGroupId": f"sg-{i:017x}", "protocol": "tcp",
                                  "fromPort": rng.choice(PORTS), "toPort": 9100, "cidrBlocks": [_private(rng)]}))
        elif pick == 11:
            out.append(("aws:lb/loadBalancer:LoadBalancer", {"name": f"lb-{i}", "internal": rng.random() < 0.7,
                                                             "loadBalancerType": "network", "subnets": [f"subnet-{i}"]}))
        elif pick == 12:
            out.append(("aws:lb/listener:Listener", {"port": rng.choice([443, 9094, 8443]), "protocol": "TLS",
                                                     "loadBalancerArn": f"arn:lb/{i}", "defaultActions": [
                                                         {"type": "forward", "targetGroupArn": f"arn:tg/{i}"}]}))
        elif pick == 13:
            out.append(("aws:lb/targetGroup:TargetGroup", {"name": f"tg-{i}", "port": rng.choice(PORTS),
                                                           "protocol": "TCP", "vpcId": f"vpc-{i}"}))
        elif pick < 16:
            out.append(("kubernetes:core/v1:Service", _service(rng, i)))
        elif pick < 18:
            out.append(("kubernetes:apps/v1:StatefulSet", _workload(rng, i)))
        elif pick == 18:
            out.append(("aws:msk/cluster:Cluster", _msk(rng, i)))
        else:
            out.append(("aws:s3/bucket:Bucket", {"bucket": f"bucket-{i}", "tags": {"team": f"t{i}"}}))
    return out


def worst_case(count: int) -> list[tuple[str, dict]]:
    """Every resource world-open on Kafka, each on its own port range and description."""
    return [(SG, {"description": f"open {i}", "ingress": [
        {"protocol": "tcp", "fromPort": 9092 - (i % 1000), "toPort": 9092, "cidrBlocks": ["0.0.0.0/0"]}]})
        for i in range(count)]


def distinct(items: list[tuple[str, dict]]) -> int:
    """How many different resources the list holds (the benchmarks assert it equals its length)."""
    return len({json.dumps(item, sort_keys=True) for item in items})
