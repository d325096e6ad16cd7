"""Run a Pulumi program offline under the SDK's mocks and record what it registers.

The record has what the engine would hand a policy pack: type, name, URN, parent,
dependencies, property dependencies and the inputs in the engine's camelCase form.
"""
from __future__ import annotations

import functools
import gc
import hashlib
import logging
import runpy
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Optional

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from ..model.errors import UsageError
from .analyzer import StackResource
from .project import Project, load_project

ACCOUNT = "123456789012"
REGION = "eu-west-1"


@dataclass(frozen=True)
class Place:
    """Where the simulated stack lives: the region of its `aws:region` config and the VPC range its
    config names (`...:vpcCidr`), so that simulated ARNs, endpoints and node addresses look like the
    ones `pulumi up` will print, not like another region's."""

    region: str = REGION
    network: str = "10.0.0.0/16"

    @classmethod
    def of(cls, config: Mapping[str, str]) -> "Place":
        import ipaddress
        region = config.get("aws:region") or REGION
        network = "10.0.0.0/16"
        for key, value in sorted(config.items()):
            if key.lower().endswith(":vpccidr"):
                try:
                    found = ipaddress.ip_network(str(value).strip('"'), strict=True)
                except ValueError:
                    continue
                if found.version == 4 and found.num_addresses >= 64:
                    network = str(found)
                    break
        return cls(str(region).strip('"'), network)

    def address(self, name: str) -> str:
        """A stable host address inside the VPC's range (skipping the range's first and last hosts)."""
        import ipaddress
        net = ipaddress.ip_network(self.network)
        digest = int(hashlib.sha1(name.encode()).hexdigest(), 16)
        return str(net.network_address + 16 + digest % (net.num_addresses - 32))


def fake_id(type_: str, name: str) -> str:
    digest = hashlib.sha1(f"{type_}/{name}".encode()).hexdigest()[:17]
    prefix = {"aws:ec2/securityGroup:SecurityGroup": "sg-",
              "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr-",
              "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr-",
              "aws:kms/key:Key": ""}.get(type_, "")
    return f"{prefix}{digest}" if prefix else f"{name}-{digest[:8]}"


STACK_REFERENCE = "pulumi:pulumi:StackReference"


class Mocks(pulumi.runtime.Mocks):
    """Deterministic ids and ARNs; invokes answer with one account, region and three AZs.
    A StackReference answers with the outputs given for it (e.g. `pulumi stack output --json`)."""

    def __init__(self, stack_outputs: Optional[Mapping[str, Mapping[str, Any]]] = None,
                 config: Optional[Mapping[str, str]] = None) -> None:
        self.stack_outputs = dict(stack_outputs or {})
        self.place = Place.of(config or {})

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[Optional[str], dict[Any, Any]]:
        if args.typ == STACK_REFERENCE:
            return self._stack_reference(str(args.inputs.get("name") or args.name))
        resource_id = fake_id(args.typ, args.name)
        state = dict(args.inputs)
        if args.typ.startswith("aws:"):
            service = args.typ.split(":")[1].split("/")[0]
            state.setdefault("arn", f"arn:aws:{service}:{self.place.region}:{ACCOUNT}:{args.name}/{resource_id}")
        state.update(_computed(args.typ, args.name, resource_id, state, self.place))
        return resource_id, state

    def _stack_reference(self, name: str) -> tuple[str, dict[str, Any]]:
        if name not in self.stack_outputs:
            given = ", ".join(sorted(self.stack_outputs)) or "none"
            raise UsageError(f"the program reads StackReference {name!r}, whose outputs are not known offline "
                             f"(given: {given}): pass --stack-outputs {name}=FILE, FILE written by "
                             f"`pulumi stack output --json --stack {name}`")
        return name, {"name": name, "outputs": dict(self.stack_outputs[name]), "secretOutputNames": []}

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[Any, Any], Optional[list[tuple[str, str]]]]:
        return _invoke(args, self.place), []


def _invoke(args: pulumi.runtime.MockCallArgs, place: Place = Place()) -> dict[str, Any]:
    """What the provider functions the components call answer, for one account and region."""
    token = args.token
    region = place.region
    if token == "aws:index/getCallerIdentity:getCallerIdentity":
        return {"accountId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/ci", "userId": "ci"}
    if token == "aws:index/getRegion:getRegion":
        return {"name": region, "region": region, "id": region}
    if token == "aws:index/getPartition:getPartition":
        return {"partition": "aws", "dnsSuffix": "amazonaws.com"}
    if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
        short = "".join(part[0] for part in region.split("-")[:-1]) + region.split("-")[-1]
        return {"names": [f"{region}a", f"{region}b", f"{region}c"],
                "zoneIds": [f"{short}-az{i}" for i in (1, 2, 3)]}
    if token == "aws:ec2/getAmi:getAmi":
        return {"id": "ami-0a1b2c3d4e5f60718", "name": "al2023-ami-2023.6-x86_64", "architecture": "x86_64"}
    if token == "aws:ec2/getVpc:getVpc":
        return {"id": args.args.get("id", "vpc-0"), "cidrBlock": place.network}
    return {}


def _computed(typ: str, name: str, resource_id: str, inputs: Mapping[str, Any],
              place: Place = Place()) -> dict[str, Any]:
    """Outputs the provider would compute, shaped like the real ones, in the stack's region and VPC."""
    region = place.region
    if typ == "aws:kms/key:Key":
        return {"keyId": resource_id, "arn": f"arn:aws:kms:{region}:{ACCOUNT}:key/{resource_id}"}
    if typ == "aws:msk/configuration:Configuration":
        return {"latestRevision": 1, "arn": f"arn:aws:kafka:{region}:{ACCOUNT}:configuration/{name}/{resource_id}"}
    if typ == "aws:msk/cluster:Cluster":
        return _msk_endpoints(inputs.get("clusterName", name), resource_id, inputs, region)
    if typ == "aws:secretsmanager/secret:Secret":
        return {"arn": f"arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:{inputs.get('name', name)}-AbCdEf"}
    if typ == "aws:ec2/networkInterface:NetworkInterface":
        return {"privateIp": place.address(name)}
    if typ.startswith("tls:index/"):
        pem = f"-----BEGIN CERTIFICATE-----\nMOCK{resource_id}\n-----END CERTIFICATE-----\n"
        return {"privateKeyPem": f"-----BEGIN PRIVATE KEY-----\nMOCK{resource_id}\n-----END PRIVATE KEY-----\n",
                "certPem": pem, "certRequestPem": pem.replace("CERTIFICATE", "CERTIFICATE REQUEST")}
    if typ == "aws:iam/instanceProfile:InstanceProfile":
        return {"name": name, "arn": f"arn:aws:iam::{ACCOUNT}:instance-profile/{name}"}
    if typ == "aws:iam/role:Role":
        return {"name": name, "arn": f"arn:aws:iam::{ACCOUNT}:role/{name}"}
    if typ == "random:index/randomPassword:RandomPassword":
        return {"result": hashlib.sha256(name.encode()).hexdigest()[: int(inputs.get("length", 32))]}
    return {}


def _msk_endpoints(cluster: str, resource_id: str, inputs: Mapping[str, Any], region: str) -> dict[str, Any]:
    """Bootstrap strings exist only for the listeners the cluster's authentication enables, as on AWS;
    one address per broker."""
    auth = inputs.get("clientAuthentication") or {}
    sasl = auth.get("sasl") or {}
    count = int(inputs.get("numberOfBrokerNodes", 3))
    hosts = [f"b-{i}.{cluster}.abc123.c2.kafka.{region}.amazonaws.com" for i in range(1, count + 1)]
    def brokers(enabled: bool, port: int) -> str:
        return ",".join(f"{h}:{port}" for h in hosts) if enabled else ""
    return {"arn": f"arn:aws:kafka:{region}:{ACCOUNT}:cluster/{cluster}/{resource_id}",
            "bootstrapBrokersTls": brokers(bool(auth.get("tls")) or bool(auth.get("unauthenticated")), 9094),
            "bootstrapBrokersSaslScram": brokers(bool(sasl.get("scram")), 9096),
            "bootstrapBrokersSaslIam": brokers(bool(sasl.get("iam")), 9098),
            "zookeeperConnectStringTls": ",".join(
                f"z-{i}.{cluster}.abc123.c2.kafka.{region}.amazonaws.com:2182" for i in (1, 2, 3))}


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """The SDK's mock monitor, keeping each registration as AnalyzeStack would see it."""

    def __init__(self, mocks: pulumi.runtime.Mocks, root: Optional[Path] = None) -> None:
        super().__init__(mocks)
        self.root = root
        self.recorded: list[StackResource] = []
        self.by_urn: dict[str, str] = {}
        self.duplicates: list[str] = []

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        where = f"{request.type} {request.name!r}" + (f" (parent {request.parent})" if request.parent else "")
        if response.urn in self.by_urn:  # the engine refuses this: "Duplicate resource URN"
            self.duplicates.append(f"{response.urn}: first {self.by_urn[response.urn]}, again {where}")
        self.by_urn.setdefault(response.urn, where)
        if request.type != "pulumi:pulumi:Stack":
            inputs = rpc.deserialize_properties(request.object)
            self.recorded.append(StackResource(
                type=request.type, name=request.name, urn=response.urn,
                properties=_plain(inputs), parent=request.parent,
                dependencies=list(request.dependencies),
                property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items()},
                custom=bool(request.custom), ignore_changes=tuple(request.ignoreChanges),
                secret_inputs=_secret_keys(request.object), source=self._source(request)))
        return response

    def _source(self, request: Any) -> str:
        """The line of the program that registered this resource: the innermost frame of the SDK's
        stack trace that lies in the project and outside installed libraries (so a component's child
        points at the line that created the component, in `__main__.py` or the user's own module)."""
        if self.root is None:
            return ""
        for frame in request.stackTrace.frames:
            where = _user_file(frame.pc.uri, self.root)
            if where is not None and frame.pc.line:
                return f"{where}:{frame.pc.line}"
        return ""


@functools.lru_cache(maxsize=1)
def _library_dirs() -> tuple[Path, ...]:
    """Where installed code lives: site-packages, and the secure-kafka packages (editable or not)."""
    import sysconfig

    import kafka_guardrails

    from .. import __file__ as package
    dirs = {Path(sysconfig.get_paths()[k]).resolve() for k in ("purelib", "platlib")}
    dirs |= {Path(package).resolve().parent, Path(kafka_guardrails.__file__).resolve().parent}
    return tuple(dirs)


def _user_file(uri: str, root: Path) -> Optional[str]:
    if not uri.startswith("file://"):
        return None
    from urllib.parse import unquote, urlparse
    path = Path(unquote(urlparse(uri).path)).resolve()
    if not path.is_relative_to(root) or any(path.is_relative_to(d) for d in _library_dirs()) \
            or "site-packages" in path.parts:
        return None
    return str(path)


def _secret_keys(struct: Any) -> tuple[str, ...]:
    """Top-level inputs the SDK sent wrapped as secrets (the engine keeps them encrypted)."""
    return tuple(sorted(key for key, value in struct.fields.items()
                        if value.HasField("struct_value")
                        and value.struct_value.fields.get(rpc._special_sig_key, None) is not None
                        and value.struct_value.fields[rpc._special_sig_key].string_value == rpc._special_secret_sig))


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


@dataclass
class Run:
    resources: list[StackResource]
    outputs: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # what the program logged (pulumi.log.warn/error)


class _ProgramLog(logging.Handler):
    """The program's `pulumi.log` warnings and errors: diagnostics `pulumi up` would print, kept for the report."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname.lower()}: {record.getMessage()}")


def record(fn: Callable[[], Any], *, project: str = "secure-kafka", stack: str = "dev",
           preview: bool = True, config: Optional[Mapping[str, str]] = None,
           stack_outputs: Optional[Mapping[str, Mapping[str, Any]]] = None,
           monitor: Optional[RecordingMonitor] = None, root: Optional[Path] = None) -> Run:
    """Run `fn` as a Pulumi program under mocks until every registration has settled. Pass a
    `monitor` to see what was registered even when the program fails."""
    if monitor is None:
        monitor = RecordingMonitor(Mocks(stack_outputs, config), root=root)
    elif stack_outputs is not None:
        raise ValueError("give stack_outputs to the monitor's Mocks")
    log = _ProgramLog()
    logger = logging.getLogger(f"{__name__}.program")
    logger.propagate = False
    logger.handlers[:] = [log]
    pulumi_mocks.set_mocks(monitor.mocks, project=project, stack=stack, preview=preview, monitor=monitor,
                           logger=logger)
    pulumi.runtime.set_all_config(dict(config or {}))
    outputs: dict[str, Any] = {}
    real_export = pulumi.export

    def export(name: str, value: Any) -> None:
        outputs[name] = value
        real_export(name, value)

    pulumi.export = export
    try:
        _sync_await(run_pulumi_func(fn))
    except BaseException:
        _sync_await(_settle())
        # The SDK abandons coroutines of the failed program's Outputs; collect them now, not in the
        # middle of whatever the caller does next (CPython 3.11 can fail compiling when a finaliser
        # warns during ast.parse).
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="coroutine .* was never awaited", category=RuntimeWarning)
            gc.collect()
        raise
    finally:
        pulumi.export = real_export
    if monitor.duplicates:
        raise UsageError(f"two registrations share a URN, which the Pulumi engine refuses (duplicate resource URN): "
                         f"{'; '.join(monitor.duplicates)}. Give one of them another name.")
    return Run(monitor.recorded, {k: _resolve(v) for k, v in outputs.items()}, log.lines)


async def _settle() -> None:
    """After a failed program the SDK stops at the first failed registration; let the others
    finish, so that no registration thread still runs when the caller goes on."""
    from pulumi.runtime.settings import _get_rpc_manager

    manager = _get_rpc_manager()
    while manager.rpcs:
        try:
            await manager.rpcs.pop()
        except Exception:  # noqa: BLE001 - the first failure is the one reported
            pass


def run_program(project_dir: Path | str | Project, stack: str, *, preview: bool = True,
                project: Optional[str] = None, program: Optional[Path] = None,
                stack_outputs: Optional[Mapping[str, Mapping[str, Any]]] = None) -> Run:
    """Execute the Pulumi program of a project for `stack` with mocks; return what it registered.
    The project's own name, program and stackConfigDir are read from its Pulumi.yaml."""
    found = project_dir if isinstance(project_dir, Project) else load_project(Path(project_dir))
    config, _ = found.config(stack)
    main = program or found.main
    sys.path.insert(0, str(found.dir))
    try:
        return record(lambda: runpy.run_path(str(main), run_name="__main__"), project=project or found.name,
                      stack=stack, preview=preview, config=config, stack_outputs=stack_outputs, root=found.dir)
    finally:
        sys.path.remove(str(found.dir))


def _resolve(value: Any) -> Any:
    """An export's value with every Output inside it (dicts and lists too) resolved; secrets masked."""
    output = pulumi.Output.from_input(value)
    secret = _sync_await(output.is_secret())
    known = _sync_await(output.future())
    return "[secret]" if secret else known
