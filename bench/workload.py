"""Deterministic resource mixes for the benchmarks: varied, mostly safe, some exposed."""
from __future__ import annotations

import random

SG = "aws:ec2/securityGroup:SecurityGroup"
# Weights: a real estate is mostly private ranges and group references, with the odd
# public web port and a few percent world-open Kafka entries for the engine to catch.
KINDS = ["private"] * 10 + ["sg-ref"] * 5 + ["world-443"] * 3 + ["slash24"] * 2 + ["world-9092", "v6-world"]


def security_group(rng: random.Random, index: int) -> dict:
    entries = []
    for _ in range(rng.randint(1, 4)):
        kind = rng.choice(KINDS)
        port = rng.choice([9092, 9094, 9096, 443, 2181, 8080])
        entry = {"protocol": rng.choice(["tcp", "tcp", "6", "-1"]), "fromPort": port, "toPort": port,
                 "description": f"rule {index}"}
        if kind == "private":
            entry["cidrBlocks"] = [f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.0/24"]
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
    return {"vpcId": "vpc-1", "description": f"group {index}", "ingress": entries,
            "egress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["10.0.0.0/8"]}]}


def groups(count: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    return [security_group(rng, i) for i in range(count)]


def worst_case(count: int) -> list[tuple[str, dict]]:
    """Every resource world-open on Kafka: every verdict builds a full finding."""
    return [(SG, {"ingress": [{"protocol": "tcp", "fromPort": 9092, "toPort": 9092,
                               "cidrBlocks": ["0.0.0.0/0"]}]}) for _ in range(count)]


def mixed(count: int, seed: int = 11) -> list[tuple[str, dict]]:
    """Security groups, separate rules and Services, as a real stack mixes them."""
    rng = random.Random(seed)
    out: list[tuple[str, dict]] = []
    for i in range(count):
        pick = i % 10
        if pick < 6:
            out.append((SG, security_group(rng, i)))
        elif pick < 8:
            out.append(("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", {
                "securityGroupId": "sg-01", "ipProtocol": "tcp", "fromPort": 9094, "toPort": 9094,
                "cidrIpv4": rng.choice(["10.1.0.0/16", f"172.16.{rng.randint(0, 255)}.0/24"] * 5 + ["0.0.0.0/0"])}))
        elif pick < 9:
            out.append(("kubernetes:core/v1:Service", {"metadata": {"name": f"s{i}"}, "spec": {
                "type": rng.choice(["ClusterIP", "LoadBalancer"]), "ports": [{"port": 9094}]}}))
        else:
            out.append(("aws:s3/bucket:Bucket", {"bucket": f"b{i}"}))
    return out
