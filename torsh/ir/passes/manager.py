"""The pass manager: a pipeline written as a string (``"canonicalize,cse,dce"``), with
optional printing of the IR and verification after each pass (MLIR's
``--mlir-print-ir-after-all`` and ``--verify-each``)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

from torsh.errors import InvalidArgumentError, IRVerifyError
from torsh.ir.core import Module

Pass = Callable[[Module], bool]  # returns whether it changed the module
PASSES: dict[str, Pass] = {}


def register_pass(name: str):
    """Decorator: make a ``fn(module) -> changed`` pass available to pipelines by name."""

    def deco(fn: Pass) -> Pass:
        PASSES[name] = fn
        return fn

    return deco


class PassManager:
    """Runs passes in order. ``print_after_each`` writes the IR after every pass to
    ``stream``; ``verify_each`` runs the verifier after every pass and names the pass that
    broke the module."""

    def __init__(self, passes: list[str], print_after_each: bool = False,
                 verify_each: bool = True, stream: TextIO | None = None):
        unknown = [p for p in passes if p not in PASSES]
        if unknown:
            raise InvalidArgumentError(f"unknown pass(es) {', '.join(unknown)}; available: "
                                       f"{', '.join(sorted(PASSES))}")
        self.passes = passes
        self.print_after_each = print_after_each
        self.verify_each = verify_each
        self.stream = stream

    @classmethod
    def parse(cls, pipeline: str, **options) -> PassManager:
        names = [p.strip() for p in pipeline.split(",") if p.strip()]
        return cls(names, **options)

    def run(self, module: Module) -> dict[str, bool]:
        """Run the pipeline in place; returns {pass name: changed} of the last run of each."""
        from torsh.ir.printer import print_module
        from torsh.ir.verifier import verify

        changed: dict[str, bool] = {}
        for name in self.passes:
            changed[name] = PASSES[name](module)
            if self.verify_each:
                try:
                    verify(module)
                except IRVerifyError as e:
                    raise IRVerifyError(f"after pass '{name}': {e}") from None
            if self.print_after_each:
                out = self.stream or sys.stderr
                out.write(f"// -----// IR Dump After {name} //----- //\n")
                out.write(print_module(module))
        return changed


def run_pipeline(module: Module, pipeline: str, **options) -> None:
    """Parse and run a pipeline string on ``module`` in place."""
    PassManager.parse(pipeline, **options).run(module)
