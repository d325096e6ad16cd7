"""The offline gate: run a stack's program under mocks and judge it with the policy pack
over the Analyzer protocol, for CI without cloud credentials or a Pulumi CLI."""
from .analyzer import Diagnostic, PolicyPack, StackResource
from .mockrun import Run, run_program

__all__ = ["Diagnostic", "PolicyPack", "Run", "StackResource", "run_program"]
