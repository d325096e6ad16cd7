"""Other clouds' firewalls used from Pulumi and Terraform: GCP, Azure, Lightsail, DigitalOcean, Hetzner."""
from . import Case

GCP_FW = "gcp:compute/firewall:Firewall"
GCP_POLICY = "gcp:compute/networkFirewallPolicyRule:NetworkFirewallPolicyRule"
AZ_NSG = "azure-native:network:NetworkSecurityGroup"
AZ_RULE = "azure-native:network:SecurityRule"
AZ_CLASSIC_RULE = "azure:network/networkSecurityRule:NetworkSecurityRule"
LIGHTSAIL = "aws:lightsail/instancePublicPorts:InstancePublicPorts"
DO = "digitalocean:index/firewall:Firewall"
HCLOUD = "hcloud:index/firewall:Firewall"


def gcp(ports=("9092",), protocol="tcp", **extra) -> dict:
    allow: dict = {"protocol": protocol}
    if ports is not None:
        allow["ports"] = list(ports)
    return {"name": "kafka", "network": "default", "allows": [allow], **extra}


def policy(action="allow", direction="INGRESS", **match) -> dict:
    return {"firewallPolicy": "p", "priority": 1000, "action": action, "direction": direction,
            "match": {"layer4Configs": [{"ipProtocol": "tcp", "ports": ["9092"]}], **match}}


def az(source="Internet", port="9092", access="Allow", direction="Inbound", protocol="Tcp") -> dict:
    return {"name": "kafka", "priority": 100, "direction": direction, "access": access, "protocol": protocol,
            "sourcePortRange": "*", "sourceAddressPrefix": source, "destinationPortRange": port,
            "destinationAddressPrefix": "*"}


def lightsail(**info) -> dict:
    return {"instanceName": "kafka-1", "portInfos": [{"protocol": "tcp", "fromPort": 9092, "toPort": 9092, **info}]}


def digitalocean(port="9092", **sources) -> dict:
    return {"name": "kafka", "inboundRules": [{"protocol": "tcp", "portRange": port, **sources}]}


def hetzner(port="9092", direction="in", **sources) -> dict:
    return {"name": "kafka", "rules": [{"direction": direction, "protocol": "tcp", "port": port, **sources}]}


CASES = [
    Case("gcp-world-9092", GCP_FW, gcp(sourceRanges=["0.0.0.0/0"]), True),
    Case("gcp-no-source-at-all", GCP_FW, gcp(), True),
    Case("gcp-range-of-ports", GCP_FW, gcp(("9000-9999",), sourceRanges=["0.0.0.0/0"]), True),
    Case("gcp-all-protocols-no-ports", GCP_FW, gcp(None, "all", sourceRanges=["::/0"]), True),
    Case("gcp-source-tags-only", GCP_FW, gcp(sourceTags=["kafka-clients"]), False),
    Case("gcp-private-ranges", GCP_FW, gcp(sourceRanges=["10.0.0.0/8"]), False),
    Case("gcp-disabled", GCP_FW, gcp(sourceRanges=["0.0.0.0/0"], disabled=True), False),
    Case("gcp-egress", GCP_FW, gcp(sourceRanges=["0.0.0.0/0"], direction="EGRESS"), False),
    Case("gcp-web-only", GCP_FW, gcp(("443",), sourceRanges=["0.0.0.0/0"]), False),
    Case("gcp-policy-world", GCP_POLICY, policy(srcIpRanges=["0.0.0.0/0"]), True),
    Case("gcp-policy-region-codes", GCP_POLICY, policy(srcRegionCodes=["US"]), True),
    Case("gcp-policy-deny", GCP_POLICY, policy("deny", srcIpRanges=["0.0.0.0/0"]), False),
    Case("gcp-policy-private", GCP_POLICY, policy(srcIpRanges=["10.0.0.0/8"]), False),
    Case("azure-nsg-internet-9092", AZ_NSG, {"resourceGroupName": "rg", "securityRules": [az()]}, True),
    Case("azure-nsg-star-range", AZ_NSG, {"resourceGroupName": "rg", "securityRules": [az("*", "9000-9999")]}, True),
    Case("azure-nsg-any-all", AZ_NSG, {"resourceGroupName": "rg", "securityRules": [az("Any", "*", protocol="*")]}, True),
    Case("azure-nsg-virtual-network", AZ_NSG, {"resourceGroupName": "rg", "securityRules": [az("VirtualNetwork")]}, False),
    Case("azure-nsg-deny", AZ_NSG, {"resourceGroupName": "rg", "securityRules": [az(access="Deny")]}, False),
    Case("azure-nsg-outbound", AZ_NSG, {"resourceGroupName": "rg", "securityRules": [az(direction="Outbound")]}, False),
    Case("azure-rule-world-prefixes", AZ_RULE, {**{k: v for k, v in az().items() if k != "sourceAddressPrefix"},
                                                "sourceAddressPrefixes": ["10.0.0.0/8", "0.0.0.0/0"],
                                                "networkSecurityGroupName": "nsg", "resourceGroupName": "rg"}, True),
    Case("azure-rule-cloud-tag", AZ_RULE, {**az("AzureCloud"), "networkSecurityGroupName": "nsg",
                                           "resourceGroupName": "rg"}, True),
    Case("azure-classic-rule-internet", AZ_CLASSIC_RULE, {**az(), "networkSecurityGroupName": "nsg",
                                                          "resourceGroupName": "rg"}, True),
    Case("azure-rule-udp", AZ_RULE, {**az(protocol="Udp"), "networkSecurityGroupName": "nsg"}, False),
    Case("lightsail-no-cidrs", LIGHTSAIL, lightsail(), True),
    Case("lightsail-world", LIGHTSAIL, lightsail(cidrs=["0.0.0.0/0"]), True),
    Case("lightsail-private", LIGHTSAIL, lightsail(cidrs=["10.0.0.0/8"]), False),
    Case("digitalocean-world", DO, digitalocean(sourceAddresses=["0.0.0.0/0", "::/0"]), True),
    Case("digitalocean-all-ports", DO, digitalocean("all", sourceAddresses=["::/0"]), True),
    Case("digitalocean-tagged-clients", DO, digitalocean(sourceTags=["kafka-clients"]), False),
    Case("digitalocean-private", DO, digitalocean("8000-9999", sourceAddresses=["10.10.0.0/16"]), False),
    Case("hetzner-world", HCLOUD, hetzner(sourceIps=["0.0.0.0/0", "::/0"]), True),
    Case("hetzner-any-port", HCLOUD, hetzner("any", sourceIps=["0.0.0.0/0"]), True),
    Case("hetzner-web-range", HCLOUD, hetzner("80-85", sourceIps=["0.0.0.0/0"]), False),
    Case("hetzner-outbound", HCLOUD, hetzner(direction="out", destinationIps=["0.0.0.0/0"]), False),
]
