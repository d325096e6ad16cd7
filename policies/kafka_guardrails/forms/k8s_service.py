"""Kubernetes Services, every way they reach outside the cluster: LoadBalancer (unless internal
or limited to private source ranges), NodePort (always: source ranges do not apply to node
ports), routable `spec.externalIPs` on any type; a named `targetPort` is resolved against the
workloads in the stack; a ServicePatch is judged alone and merged onto its Service."""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Optional

from .. import cidr
from ..model import Resource
from ..net import WORLD, Entry, Net, verdict
from ..ports import UNKNOWN_SPAN, exactly, unreadable_port
from ..registry import Extractor, form
from ..stack import Path, Stack, join
from ..values import MISSING, UNKNOWN, as_int, as_text, get, is_unknown, items, known, mapping

# Annotations with which cloud controllers keep a load balancer off the internet, by cloud.
INTERNAL: dict[str, dict[str, tuple[str, ...]]] = {
    "aws": {"service.beta.kubernetes.io/aws-load-balancer-internal": ("true", "0.0.0.0/0")},
    "gcp": {"networking.gke.io/load-balancer-type": ("internal",),
            "cloud.google.com/load-balancer-type": ("internal",)},
    "azure": {"service.beta.kubernetes.io/azure-load-balancer-internal": ("true",)},
    "oci": {"service.beta.kubernetes.io/oci-load-balancer-internal": ("true",),
            "service.kubernetes.io/oci-load-balancer-internal": ("true",)},
    "openstack": {"service.beta.kubernetes.io/openstack-internal-load-balancer": ("true",)},
    "alibaba": {"service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type": ("intranet",)},
    "ibm": {"service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type": ("private",)},
}
# OCI: the cloud controller provisions a network load balancer with `oci.oraclecloud.com/load-balancer-type:
# nlb`, and then only its own annotation makes it internal (the classic LB's annotation is ignored);
# oracle/oci-cloud-controller-manager, pkg/cloudprovider/providers/oci/load_balancer_spec.go.
OCI_TYPE = "oci.oraclecloud.com/load-balancer-type"
OCI_NLB_INTERNAL = {"oci-network-load-balancer.oraclecloud.com/internal": ("true",)}
AWS_SCHEME = "service.beta.kubernetes.io/aws-load-balancer-scheme"
AWS_CLASSES = frozenset({"service.k8s.aws/nlb", "eks.amazonaws.com/nlb"})
SOURCE_RANGES = "service.beta.kubernetes.io/load-balancer-source-ranges"
FIX = ("Keep Kafka Services ClusterIP; a load balancer must be internal (for AWS: "
       "service.beta.kubernetes.io/aws-load-balancer-scheme: internal) with private loadBalancerSourceRanges.")


def _text(value: Any) -> Optional[str]:
    if isinstance(value, bool):  # YAML and HCL read an unquoted true as a boolean
        return "true" if value else "false"
    text = as_text(value)
    return text.lower() if text is not None else None


def internal(annotations: dict[str, Any], lb_class: Any = None) -> Any:
    """Whether a load balancer with these annotations is kept off the internet: True, False, or
    UNKNOWN. The AWS Load Balancer Controller's scheme annotation beats its legacy `internal`
    one; with an AWS `loadBalancerClass` only AWS annotations count; with a class we do not know,
    none do (fail closed)."""
    if is_unknown(annotations) or is_unknown(lb_class):
        return UNKNOWN
    annotations = mapping(annotations)
    scheme = annotations.get(AWS_SCHEME)
    if is_unknown(scheme):
        return UNKNOWN
    if scheme is not None:
        return _text(scheme) == "internal"
    cls = as_text(lb_class)
    clouds = ["aws"] if cls in AWS_CLASSES else [] if cls else list(INTERNAL)
    oci_type = annotations.get(OCI_TYPE)
    if is_unknown(oci_type) and "oci" in clouds:
        return UNKNOWN
    for cloud in clouds:
        table = OCI_NLB_INTERNAL if cloud == "oci" and _text(oci_type) == "nlb" else INTERNAL[cloud]
        for key, allowed in table.items():
            value = annotations.get(key)
            if is_unknown(value):
                return UNKNOWN
            if _text(value) in allowed:
                return True
    return False


def lb_sources(ranges: Any, annotations: dict[str, Any], path: str) -> tuple[list[Any], bool]:
    """The sources a load balancer admits: its source ranges, or everyone (implicit)."""
    out = [(f"{path}.loadBalancerSourceRanges[{i}]", v) for i, v in enumerate(items(ranges))]
    if not out:
        note = mapping(annotations).get(SOURCE_RANGES)
        if isinstance(note, str):
            out = [(f"metadata.annotations[{SOURCE_RANGES}]", part.strip())
                   for part in note.split(",") if part.strip()]
    return (out, False) if out else (list(WORLD), True)


@dataclass(slots=True)
class ServicePort:
    path: str
    name: str
    port: Any
    target: Any        # an int, a name (resolved against workloads), or UNKNOWN
    node_port: Any


@dataclass(slots=True)
class ServiceData:
    namespace: str
    name: str
    kind: str                      # ClusterIP, LoadBalancer, NodePort, ExternalName, <unknown>, or "" (patch: unset)
    selector: Any
    ports: list[Any]
    exposures: list[Any]                # [(how, sources, implicit, note)] through which the ports are reached
    patch: bool = False
    spec: Any = None


def _ports(spec: dict[str, Any]) -> list[Any]:
    out = []
    listed = get(spec, "ports")
    if listed is MISSING:
        listed = get(spec, "port")  # the Terraform provider's block name
    if listed is UNKNOWN:
        return [ServicePort("spec.ports", "", UNKNOWN, UNKNOWN, UNKNOWN)]
    for index, block in enumerate(listed if isinstance(listed, list) else [listed] if isinstance(listed, dict) else []):
        block = known(block)
        path = f"spec.ports[{index}]"
        if block is UNKNOWN:
            out.append(ServicePort(path, "", UNKNOWN, UNKNOWN, UNKNOWN))
            continue
        if not isinstance(block, dict):
            continue
        proto = as_text(block.get("protocol"))
        if proto and proto.upper() in ("UDP", "SCTP"):
            continue
        port = known(block.get("port"))
        target = known(block.get("targetPort"))
        if target is None or target is MISSING:
            target = port
        out.append(ServicePort(path, as_text(block.get("name")) or "", port, target, known(block.get("nodePort"))))
    return out


def exposures(props: dict[str, Any], spec: Any, kind: str) -> list[Any]:
    """How the Service is reached from outside the cluster, as (how, sources, implicit, note)."""
    meta = mapping(props.get("metadata"))
    annotations = known(meta.get("annotations")) if meta.get("annotations") is not None else {}
    out = []
    if kind in ("LoadBalancer", "<unknown>"):
        verdict_internal = internal(annotations, known(spec.get("loadBalancerClass")))
        if verdict_internal is UNKNOWN:
            out.append(("load balancer", [("metadata.annotations", UNKNOWN)], False, ""))
        elif verdict_internal is False:
            sources, implicit = lb_sources(known(spec.get("loadBalancerSourceRanges")), annotations, "spec")
            note = "no loadBalancerSourceRanges are set, so the load balancer admits everyone" if implicit else ""
            out.append(("load balancer", sources, implicit, note))
    if kind == "NodePort":
        out.append(("node port", list(WORLD), True, "a NodePort opens the port on every node; Kubernetes does "
                    "not apply loadBalancerSourceRanges to node ports"))
    elif kind == "<unknown>":  # it may yet be a NodePort, which no source range limits
        out.append(("node port", [("spec.type", UNKNOWN)], False, ""))
    external = known(spec.get("externalIPs", spec.get("externalIps")))
    if external is UNKNOWN:
        out.append(("externalIPs", [("spec.externalIPs", UNKNOWN)], False, ""))
    else:
        listed = list(enumerate(items(external)))
        # an address not known yet, or one that is no address, is judged as a source: reported, never skipped
        odd = [(f"spec.externalIPs[{i}]", UNKNOWN if is_unknown(ip) else ip) for i, ip in listed
               if is_unknown(ip) or not isinstance(ip, str) or cidr.parse(ip) is None]
        if odd:
            out.append(("externalIPs", odd, False, ""))
        routable = [ip for _, ip in listed if isinstance(ip, str) and (net := cidr.parse(ip)) is not None
                    and cidr.touches_internet(net)]
        if routable:
            out.append(("externalIPs", list(WORLD), True,
                        f"spec.externalIPs {', '.join(routable)} are internet-routable, and traffic to them on "
                        "the Service's ports reaches its pods from any source"))
    return out


def service_data(props: Any, patch: bool = False) -> Optional[ServiceData]:
    props = mapping(props)
    meta = mapping(props.get("metadata"))
    spec = known(props.get("spec"))
    namespace = as_text(meta.get("namespace")) or "default"
    name = as_text(meta.get("name")) or ""
    if spec is UNKNOWN:
        return ServiceData(namespace, name, "<unknown>", UNKNOWN, [ServicePort("spec", "", UNKNOWN, UNKNOWN, UNKNOWN)],
                           [("spec", [("spec", UNKNOWN)], False, "")], patch)
    spec = mapping(spec)
    kind_value = known(spec.get("type"))
    if kind_value is UNKNOWN:
        kind = "<unknown>"
    else:
        kind = as_text(kind_value) or ("" if patch else "ClusterIP")
    return ServiceData(namespace, name, kind, known(spec.get("selector")), _ports(spec),
                       exposures(props, spec, kind), patch, spec)


def entries_for(data: ServiceData, ports_by_name: Optional[dict[str, Any]] = None) -> list[Any]:
    """Entries for every port reachable through every exposure; a named target port is resolved
    with `ports_by_name` when given (else only the Service port counts)."""
    out = []
    for how, sources, implicit, note in data.exposures:
        for port in data.ports:
            if port.port is UNKNOWN or port.target is UNKNOWN:
                out.append(Entry(port.path, UNKNOWN_SPAN, tuple(sources), implicit_world=implicit, note=note,
                                 detail=how))
                continue
            odd = unreadable_port(port.port) or unreadable_port(port.node_port) or \
                unreadable_port(port.target, names=True) or unreadable_port(port.port, absent="no port is given")
            if odd is not None:  # the API server would refuse it; the gate does not guess which port was meant
                out.append(Entry(port.path, odd, tuple(sources), implicit_world=implicit, note=note, detail=how))
                continue
            numbers = [n for n in (as_int(port.port), as_int(port.target), as_int(port.node_port))
                       if isinstance(n, int)]
            if isinstance(port.target, str) and as_int(port.target) is None and ports_by_name:
                numbers.extend(ports_by_name.get(port.target, ()))
            if numbers:
                out.append(Entry(port.path, exactly(*numbers), tuple(sources), implicit_world=implicit,
                                 note=note, detail=how))
    return out


def info(resource: Resource, net: Net) -> ServiceData:
    """A Service's data for the joins; the per-resource fast path leaves it to be read here."""
    if net.data is None:
        from ..dialects import canonical
        net.data = service_data(canonical(resource))
    data: ServiceData = net.data
    return data


def _service(patch: bool) -> Extractor:
    def extract(resource: Resource, props: Any) -> Net:
        if not patch and type(props) is dict:  # the common ClusterIP Service: nothing to judge alone
            spec = props.get("spec")
            meta = props.get("metadata")
            if type(spec) is dict and type(meta) is dict and spec.get("type", "ClusterIP") == "ClusterIP" \
                    and not spec.get("externalIPs") and not spec.get("externalIps") \
                    and isinstance(meta.get("name"), str) and not is_unknown(meta.get("name")):
                namespace = meta.get("namespace") or "default"
                return Net([], "service", (f"k8s:Service/{namespace}/{meta['name']}",), {}, None)
        data = service_data(props, patch)
        keys = (f"k8s:Service/{data.namespace}/{data.name}",) if data and data.name else ()
        if data is None:
            return Net([], "service", keys)
        if patch and not data.ports:
            return Net([], "service-patch", keys, {}, data)
        return Net(entries_for(data), "service-patch" if patch else "service", keys, {}, data)
    return extract


def revoke(resource: Resource, entry: Entry, offending: Any) -> str:
    data = service_data(resource._canonical)
    where = f"-n {data.namespace} " if data else ""
    name = data.name if data and data.name else "<service>"
    if entry.detail == "externalIPs":
        return f"kubectl {where}patch service {name} --type=json -p '[{{\"op\":\"remove\",\"path\":\"/spec/externalIPs\"}}]'"
    return (f"kubectl {where}patch service {name} -p '{{\"spec\":{{\"type\":\"ClusterIP\"}}}}' "
            "(or add an internal load-balancer annotation and private loadBalancerSourceRanges)")


form(key="k8s.service", family="Kubernetes Services",
     summary="type LoadBalancer (internal annotations per cloud, AWS scheme precedence, `loadBalancerClass`, "
             "source ranges), NodePort, routable `externalIPs`; `port`, numeric and named `targetPort`",
     pulumi=("kubernetes:core/v1:Service",), terraform=("kubernetes_service", "kubernetes_service_v1"),
     models={"net": _service(False)}, fix=FIX, revoke=revoke, renames={"spec.port": "ports"})
form(key="k8s.service-patch", family="Kubernetes Services",
     summary="a server-side-apply patch: judged alone, and merged onto its Service when that is in the stack",
     pulumi=("kubernetes:core/v1:ServicePatch",), models={"net": _service(True)}, fix=FIX, revoke=revoke)


def merge(base: Any, patch: Any) -> Any:
    """A JSON-merge of a patch onto its object; list entries with a `port` are merged by port."""
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for key, value in patch.items():
            out[key] = merge(base.get(key), value) if key in base else copy.deepcopy(value)
        return out
    if isinstance(base, list) and isinstance(patch, list) and all(isinstance(i, dict) and "port" in i for i in patch):
        merged = {item.get("port"): item for item in base if isinstance(item, dict)}
        for item in patch:
            merged[item["port"]] = merge(merged.get(item["port"], {}), item)
        return list(merged.values())
    return copy.deepcopy(patch)


def _container_ports(stack: Stack, data: ServiceData) -> tuple[dict[str, Any], list[Any]]:
    """Named container ports of the workloads the Service selects: {name: [numbers]}, workloads."""
    found: dict[str, list[Any]] = {}
    workloads: list[Resource] = []
    selector = mapping(data.selector)
    if not selector:
        return found, workloads
    for resource, net in stack.role("workload"):
        work = net.data
        if work.namespace != data.namespace or is_unknown(work.pod_labels):
            continue
        labels = mapping(work.pod_labels)
        if all(labels.get(k) == v for k, v in selector.items()):
            workloads.append(resource)
            for name, number in work.named_ports:
                found.setdefault(name, []).append(number)
    return found, workloads


@join("kubernetes-services")
def services(stack: Stack, settings: Any) -> list[Path]:
    """Named target ports resolved against the selected workloads, and patches merged onto
    their Services: what only the stack shows."""
    out: list[Path] = []
    for resource, net in stack.role("service"):
        data = info(resource, net)
        if not data or not data.exposures or not any(isinstance(p.target, str) and as_int(p.target) is None
                                                     for p in data.ports):
            continue
        named, workloads = _container_ports(stack, data)
        out.extend(_newly_exposed(resource, net.entries, entries_for(data, named), settings, workloads,
                                  "its named targetPort resolves to a container port of"))
    for resource, net in stack.role("service-patch"):
        data = net.data
        bases = stack.find([f"k8s:Service/{data.namespace}/{data.name}"], role="service")
        if not bases:
            if data.kind in ("LoadBalancer", "NodePort", "<unknown>") and not data.ports:
                made = "of a type not known yet" if data.kind == "<unknown>" else f"a {data.kind}"
                out.append(Path((resource,), f"the patch {resource.label} makes Service {data.namespace}/{data.name} "
                                f"{made}, and that Service is not in the stack, so its ports cannot be seen.",
                                unseen=True))
            continue
        base, base_net = bases[0]
        merged = merge(base._canonical, resource._canonical)
        merged_data = service_data(merged)
        if merged_data is None:
            continue
        named, workloads = _container_ports(stack, merged_data)
        before = base_net.entries + net.entries
        out.extend(_newly_exposed(resource, before, entries_for(merged_data, named), settings,
                                  [base, *workloads], "merged onto"))
    return out


def _newly_exposed(resource: Resource, before: list[Any], after: list[Any], settings: Any, joined: list[Resource],
                   how: str) -> list[Path]:
    """Paths for ports the joined view exposes that the resources alone did not."""
    already: set[int] = set()
    for entry in before:
        found = verdict(entry, settings)
        if found is not None and found.reach.public:
            already.update(found.covered)
    out = []
    for entry in after:
        found = verdict(entry, settings)
        if found is None:
            continue
        new_ports = tuple(p for p in found.covered if p not in already)
        if not new_ports:
            continue
        names = ", ".join(r.label for r in joined) or "nothing in the stack"
        if found.reach.public:
            out.append(Path((resource, *joined), f"{resource.type} {entry.path} ({how} {names}) reaches "
                            f"Kafka/ZooKeeper port(s) {', '.join(map(str, new_ports))} through its {entry.detail}, "
                            f"which admits {', '.join(found.offending)}: {found.reach.reason}."
                            + (f" {entry.note[0].upper()}{entry.note[1:]}." if entry.note else ""),
                            new_ports, tuple(found.offending), revoke(resource, entry, ())))
        elif found.unknown_paths:
            out.append(Path((resource, *joined), f"{resource.type} {entry.path} ({how} {names}) reaches "
                            f"Kafka/ZooKeeper port(s) {', '.join(map(str, new_ports))}; its sources are not known yet.",
                            new_ports, unknown=True))
    return out
