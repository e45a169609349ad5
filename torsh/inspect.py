"""Inspection: the IR of every stage for a tensor or a function, and Graphviz drawings.

Levels: ``graph`` (the traced graph), ``kernels`` (after canonicalize, cse, dce and fusion:
one function per kernel plus the calling main), ``llvm`` (optimized LLVM IR of every
kernel), ``asm`` (its assembly). Every dump starts with a comment header naming the torsh
and LLVM versions and the target.
"""

from __future__ import annotations

from torsh.codegen.compiler import kernel_artifacts
from torsh.codegen.jit import host
from torsh.errors import InvalidArgumentError
from torsh.ir import print_module, run_pipeline
from torsh.plan import PIPELINE, build_graph

LEVELS = ("graph", "kernels", "llvm", "asm")


def dump_tensors(tensors, level: str = "graph") -> str:
    if level not in LEVELS:
        raise InvalidArgumentError(f"unknown dump level {level!r}; use one of {', '.join(LEVELS)}")
    module, _ = build_graph(list(tensors))
    header = host().header()
    if level == "graph":
        return print_module(module, header=header)
    run_pipeline(module, PIPELINE)
    if level == "kernels":
        return print_module(module, header=header)
    comment = ";" if level == "llvm" else "#"
    parts = [f"{comment} {header}"]
    for f in module.funcs[1:]:
        parts.append(f"{comment} ---- {f.name} ----")
        parts.append(kernel_artifacts(f)[level])
    return "\n".join(parts)
