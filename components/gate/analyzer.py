"""A client for a policy pack, speaking the Analyzer gRPC protocol as the Pulumi CLI does.

The pack is started the way the CLI starts a Python pack (`python -u -m pulumi.policy
<engine-address> <pack-dir>` with PULUMI_PROJECT/STACK/DRY_RUN set); it prints its port
on stdout and serves pulumirpc.Analyzer on 127.0.0.1.
"""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence

import grpc
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

LEVELS = {"advisory": analyzer_pb2.ADVISORY, "mandatory": analyzer_pb2.MANDATORY,
          "remediate": analyzer_pb2.REMEDIATE, "disabled": analyzer_pb2.DISABLED}
LEVEL_NAMES = {v: k for k, v in LEVELS.items()}


@dataclass(frozen=True)
class Diagnostic:
    policy: str
    level: str
    message: str
    urn: str


@dataclass
class StackResource:
    """A resource as AnalyzeStack carries it."""

    type: str
    name: str
    urn: str
    properties: Mapping[str, Any]
    parent: str = ""
    dependencies: Sequence[str] = ()
    property_dependencies: Mapping[str, Sequence[str]] = field(default_factory=dict)
    custom: bool = True
    ignore_changes: Sequence[str] = ()
    secret_inputs: Sequence[str] = ()
    source: str = ""  # file:line of the user's code that registered it (the gate's reports point there)


def to_struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(_jsonable(props))
    return struct


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def policy_config_request(info: analyzer_pb2.AnalyzerInfo,
                          config: Mapping[str, Any]) -> analyzer_pb2.ConfigureAnalyzerRequest:
    """Resolve a `--policy-pack-config` mapping as the CLI does before Configure: every policy
    gets an entry whose level is its own default, then `all`, then its own setting."""
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    unknown = set(config) - {p.name for p in info.policies} - {"all"}
    if unknown:
        raise ValueError(f"policy config names unknown policies: {', '.join(sorted(unknown))}")
    for policy in info.policies:
        entry = analyzer_pb2.PolicyConfig(enforcementLevel=policy.enforcementLevel)
        if "all" in config:
            entry.enforcementLevel = LEVELS[config["all"]]
        value = config.get(policy.name)
        if isinstance(value, str):
            entry.enforcementLevel = LEVELS[value]
        elif isinstance(value, Mapping):
            props = dict(value)
            level = props.pop("enforcementLevel", None)
            if level is not None:
                entry.enforcementLevel = LEVELS[level]
            entry.properties.update(_jsonable(props))
        request.policyConfig[policy.name].CopyFrom(entry)
    return request


class PolicyPack:
    """A running policy pack process and a channel to it. Use as a context manager."""

    def __init__(self, pack_dir: Path | str, *, project: str = "secure-kafka", stack: str = "dev",
                 preview: bool = True, python: Optional[str] = None,
                 engine_address: str = "127.0.0.1:1") -> None:
        self.pack_dir = Path(pack_dir).resolve()
        env = dict(os.environ)
        env.update(PULUMI_PROJECT=project, PULUMI_STACK=stack,
                   PULUMI_DRY_RUN="true" if preview else "false", PYTHONUNBUFFERED="1")
        # The CLI's own engine address; pulumi.policy accepts it and does not call it.
        self.process = subprocess.Popen(
            [python or sys.executable, "-u", "-m", "pulumi.policy", engine_address, str(self.pack_dir)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=str(self.pack_dir))
        assert self.process.stdout is not None and self.process.stderr is not None  # both are PIPEs
        line = self.process.stdout.readline().decode().strip()
        if not line.isdigit():
            err = self.process.stderr.read().decode() if self.process.poll() is not None else ""
            self.close()
            raise RuntimeError(f"policy pack at {self.pack_dir} did not start: {line!r} {err}")
        self.port = int(line)
        self.channel = grpc.insecure_channel(
            f"127.0.0.1:{self.port}", options=[("grpc.max_receive_message_length", 400 << 20),
                                              ("grpc.max_send_message_length", 400 << 20)])
        self.stub = analyzer_pb2_grpc.AnalyzerStub(self.channel)
        grpc.channel_ready_future(self.channel).result(timeout=30)

    def __enter__(self) -> "PolicyPack":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        if getattr(self, "channel", None) is not None:
            self.channel.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            if stream:
                stream.close()

    # --- the protocol ----------------------------------------------------------------
    def info(self) -> analyzer_pb2.AnalyzerInfo:
        info: analyzer_pb2.AnalyzerInfo = self.stub.GetAnalyzerInfo(empty_pb2.Empty())
        return info

    def configure(self, config: Mapping[str, Any]) -> None:
        self.stub.Configure(policy_config_request(self.info(), config))

    def configure_stack(self, *, project: str, stack: str, preview: bool) -> None:
        self.stub.ConfigureStack(analyzer_pb2.AnalyzerStackConfigureRequest(
            project=project, stack=stack, organization="organization", dry_run=preview))

    def analyze(self, type_: str, props: Mapping[str, Any], urn: str = "", name: str = "",
                custom: bool = True) -> list[Diagnostic]:
        """As the engine sends it: a custom resource with its (default) provider, a component without."""
        request = analyzer_pb2.AnalyzeRequest(
            type=type_, properties=to_struct(props), urn=urn or f"urn:pulumi:s::p::{type_}::{name}", name=name)
        if custom and not type_.startswith("pulumi:providers:"):
            package = type_.split(":", 1)[0]
            request.provider.CopyFrom(analyzer_pb2.AnalyzerProviderResource(
                type=f"pulumi:providers:{package}", name="default",
                urn=f"urn:pulumi:s::p::pulumi:providers:{package}::default"))
        return _diagnostics(self.stub.Analyze(request))

    def analyze_raw(self, request: analyzer_pb2.AnalyzeRequest) -> list[Diagnostic]:
        return _diagnostics(self.stub.Analyze(request))

    def analyze_stack(self, resources: Iterable[StackResource]) -> list[Diagnostic]:
        request = analyzer_pb2.AnalyzeStackRequest()
        for r in resources:
            item = analyzer_pb2.AnalyzerResource(
                type=r.type, properties=to_struct(r.properties), urn=r.urn, name=r.name,
                parent=r.parent, dependencies=list(r.dependencies))
            for key, urns in r.property_dependencies.items():
                item.propertyDependencies[key].urns.extend(urns)
            request.resources.append(item)
        return _diagnostics(self.stub.AnalyzeStack(request))


def _diagnostics(response: analyzer_pb2.AnalyzeResponse) -> list[Diagnostic]:
    return [Diagnostic(d.policyName, LEVEL_NAMES.get(d.enforcementLevel, str(d.enforcementLevel)),
                       d.message, d.urn) for d in response.diagnostics]
