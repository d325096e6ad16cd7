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
    # inspected by a security profile group, then let through: still open to the world
    Case("gcp-policy-security-profile-world", GCP_POLICY,
         policy("apply_security_profile_group", srcIpRanges=["0.0.0.0/0"]), True),
    Case("gcp-policy-goto-next", GCP_POLICY, policy("goto_next", srcIpRanges=["0.0.0.0/0"]), False),
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

# Oracle Cloud, OpenStack, Alibaba Cloud, Linode, Vultr, Scaleway, Exoscale (forms/more_clouds.py)
OCI_LIST = "oci:Core/securityList:SecurityList"
OCI_RULE = "oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule"
OPENSTACK = "openstack:networking/secGroupRule:SecGroupRule"
ALICLOUD = "alicloud:ecs/securityGroupRule:SecurityGroupRule"
LINODE = "linode:index/firewall:Firewall"
VULTR = "vultr:index/firewallRule:FirewallRule"
SCALEWAY = "scaleway:index/instanceSecurityGroup:InstanceSecurityGroup"
EXOSCALE = "exoscale:index/securityGroupRule:SecurityGroupRule"


def oci_list(source="0.0.0.0/0", protocol="6", tcp=(9092, 9092), **extra) -> dict:
    rule: dict = {"protocol": protocol, "source": source, **extra}
    if tcp:
        rule["tcpOptions"] = {"min": tcp[0], "max": tcp[1]}
    return {"compartmentId": "ocid1.compartment", "vcnId": "ocid1.vcn", "ingressSecurityRules": [rule]}


def oci_rule(direction="INGRESS", source="0.0.0.0/0", source_type="CIDR_BLOCK", port=9092) -> dict:
    return {"networkSecurityGroupId": "ocid1.nsg", "direction": direction, "protocol": "6", "source": source,
            "sourceType": source_type, "tcpOptions": {"destinationPortRange": {"min": port, "max": port}}}


def openstack(direction="ingress", low=9092, high=9092, **extra) -> dict:
    out = {"direction": direction, "ethertype": "IPv4", "protocol": "tcp", "securityGroupId": "sg", **extra}
    if low is not None:
        out.update(portRangeMin=low, portRangeMax=high)
    return out


def alicloud(port="9092/9092", cidr="0.0.0.0/0", kind="ingress", policy="accept", proto="tcp") -> dict:
    return {"type": kind, "ipProtocol": proto, "portRange": port, "cidrIp": cidr, "policy": policy,
            "securityGroupId": "sg-1", "nicType": "intranet"}


def linode(ports="9092", ipv4s=("0.0.0.0/0",), policy="DROP", action="ACCEPT") -> dict:
    return {"label": "kafka", "inboundPolicy": policy, "outboundPolicy": "ACCEPT",
            "inbounds": [{"label": "kafka", "action": action, "protocol": "TCP", "ports": ports,
                          "ipv4s": list(ipv4s)}]}


def vultr(subnet="0.0.0.0", size=0, port="9092", **extra) -> dict:
    return {"firewallGroupId": "fw", "protocol": "tcp", "ipType": "v4", "subnet": subnet, "subnetSize": size,
            "port": port, **extra}


def scaleway(policy="drop", rules=()) -> dict:
    return {"name": "kafka", "inboundDefaultPolicy": policy, "outboundDefaultPolicy": "accept",
            "inboundRules": list(rules)}


def exoscale(kind="INGRESS", cidr="0.0.0.0/0", start=9092, end=9092) -> dict:
    out = {"securityGroupId": "sg", "type": kind, "protocol": "TCP", "startPort": start, "endPort": end}
    if cidr:
        out["cidr"] = cidr
    return out


CASES += [
    Case("oci-list-world-9092", OCI_LIST, oci_list(), True),
    Case("oci-list-tcp-without-options", OCI_LIST, oci_list(tcp=None), True),
    Case("oci-list-all-protocols", OCI_LIST, oci_list(protocol="all", tcp=None), True, 2181),
    Case("oci-list-private", OCI_LIST, oci_list("10.0.0.0/16"), False),
    Case("oci-list-service-cidr", OCI_LIST, oci_list("all-fra-services-in-oracle-services-network",
                                                     sourceType="SERVICE_CIDR_BLOCK"), False),
    Case("oci-list-ssh", OCI_LIST, oci_list(tcp=(22, 22)), False),
    Case("oci-nsg-rule-world", OCI_RULE, oci_rule(), True),
    Case("oci-nsg-rule-egress", OCI_RULE, oci_rule("EGRESS"), False),
    Case("oci-nsg-rule-from-nsg", OCI_RULE, oci_rule(source="ocid1.networksecuritygroup.oc1..clients",
                                                     source_type="NETWORK_SECURITY_GROUP"), False),
    Case("openstack-no-remote-means-everyone", OPENSTACK, openstack(), True),
    Case("openstack-world-prefix-all-ports", OPENSTACK, openstack(low=None, remoteIpPrefix="0.0.0.0/0"), True, 2181),
    Case("openstack-remote-group", OPENSTACK, openstack(remoteGroupId="clients"), False),
    Case("openstack-private-prefix", OPENSTACK, openstack(remoteIpPrefix="10.0.0.0/8"), False),
    Case("openstack-egress", OPENSTACK, openstack("egress"), False),
    Case("alicloud-9092-slash", ALICLOUD, alicloud(), True),
    Case("alicloud-all-ports", ALICLOUD, alicloud("-1/-1", proto="all"), True, 2181),
    Case("alicloud-drop", ALICLOUD, alicloud(policy="drop"), False),
    Case("alicloud-egress", ALICLOUD, alicloud(kind="egress"), False),
    Case("alicloud-private", ALICLOUD, alicloud(cidr="172.16.0.0/12"), False),
    Case("linode-world-9092", LINODE, linode(), True),
    Case("linode-port-list-range", LINODE, linode("80, 443, 9000-9100"), True),
    Case("linode-inbound-policy-accept", LINODE, linode("443", policy="ACCEPT"), True),
    Case("linode-private", LINODE, linode(ipv4s=("10.0.0.0/8",)), False),
    Case("linode-drop-rule", LINODE, linode(action="DROP"), False),
    Case("vultr-world-9092", VULTR, vultr(), True),
    Case("vultr-colon-range", VULTR, vultr(port="9000:9100"), True),
    Case("vultr-cloudflare", VULTR, vultr(source="cloudflare"), True),
    Case("vultr-private", VULTR, vultr("10.0.0.0", 8), False),
    Case("vultr-web", VULTR, vultr(port="443"), False),
    Case("scaleway-default-accept", SCALEWAY, {"name": "kafka"}, True),
    Case("scaleway-rule-without-range", SCALEWAY, scaleway(rules=[{"action": "accept", "port": 9092}]), True),
    Case("scaleway-accept-policy-drops-other-ports", SCALEWAY,
         scaleway("accept", [{"action": "drop", "portRange": "1-9000"}]), True),
    Case("scaleway-drop-policy-private", SCALEWAY,
         scaleway(rules=[{"action": "accept", "port": 9092, "ipRange": "10.0.0.0/8"}]), False),
    Case("scaleway-accept-policy-drops-everything", SCALEWAY,
         scaleway("accept", [{"action": "drop", "portRange": "1-65535"}, {"action": "drop", "port": 0}]), False),
    Case("exoscale-world", EXOSCALE, exoscale(), True),
    Case("exoscale-no-source", EXOSCALE, exoscale(cidr=None), True),
    Case("exoscale-private", EXOSCALE, exoscale(cidr="10.0.0.0/8"), False),
    Case("exoscale-egress", EXOSCALE, exoscale("EGRESS"), False),
]
