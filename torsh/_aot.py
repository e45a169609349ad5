"""The C API's kernels, generated ahead of time by torsh's compiler.

``python -m torsh._aot --out DIR`` (run by runtime/build.py) writes

- ``DIR/aot_kernels.o``: every kernel below, compiled for the host CPU by
  ``torsh.codegen.aot`` (shape-generic: sizes and strides are kernel arguments);
- ``DIR/aot_kernels.h`` and ``DIR/aot_kernels.c``: the tables the runtime's ops look
  kernels up in (``rt_aot_elementwise[op][dtype]`` and friends).

The elementwise kernels are traced from the Python front end itself, so the C API runs
the same definitions as Python torsh: each op through ``torsh.ops``, each backward
kernel from the op's VJP rule in ``torsh.autograd.vjp``, and each optimizer update from
``torsh.optim``'s ``_update`` (hyperparameters become kernel inputs). Tracing uses 0-d
placeholders, so every traced graph is a scalar function the AOT emitter can run over
any strided index space.

>>> funcs = elementwise_catalog()
>>> "exp_bwd" in {entry.op for entry in funcs}
True
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from llvmlite import ir

import torsh
from torsh import dtypes
from torsh._tensor import Tensor
from torsh.autograd.vjp import VJP
from torsh.codegen import aot
from torsh.ir.builder import Builder
from torsh.ir.core import Func
from torsh.ir.types import DType, TensorType
from torsh.ops import elementwise as E
from torsh.ops._core import cast
from torsh.optim.optimizers import SGD, Adam
from torsh.plan import traverse

# torsh_dtype_t codes (include/torsh.h) of the IR dtypes the C ops compute with. u8 is a
# storage type of the runtime only: the IR has no unsigned dtype, so no kernel takes it.
C_DTYPE = {DType.f32: 0, DType.f64: 1, DType.i32: 2, DType.i64: 3, DType.i1: 4,
           DType.f16: 5, DType.bf16: 6, DType.i8: 7}
C_DTYPE_COUNT = 9
FLOATS = (DType.f32, DType.f64)
NUMBERS = (DType.f32, DType.f64, DType.i32, DType.i64)

UNARY_FLOAT = ("exp", "log", "sqrt", "tanh", "sigmoid", "gelu")
UNARY_ANY = ("neg", "relu")
BINARY_ANY = ("add", "sub", "mul", "maximum")
BINARY_FLOAT = ("div", "pow")


@dataclass(frozen=True)
class Entry:
    """One elementwise kernel family: ``op`` for each dtype of ``dtypes``; ``trace`` gets
    0-d placeholder tensors of that dtype and returns the results."""

    op: str
    dtypes: tuple[DType, ...]
    n_in: int
    trace: Callable[..., list[Tensor]]
    in_dtypes: Callable[[DType], tuple[DType, ...]] | None = None


def _unary(name: str) -> Callable[..., list[Tensor]]:
    return lambda x: [getattr(E, name)(x)]


def _binary(name: str) -> Callable[..., list[Tensor]]:
    return lambda a, b: [getattr(E, name)(a, b)]


def _vjp(name: str, i: int, arity: int) -> Callable[..., list[Tensor]]:
    def trace(g, *x):
        return [VJP[name](list(x[:arity]), {}, g)[i]]

    return trace


def _adam(p, g, m, v, step, lr, beta1, beta2, eps) -> list[Tensor]:
    """Adam's update with the state and hyperparameters as inputs: outputs p, m, v. The
    C side keeps the step count (``step`` is the count before this step) and starts m and
    v at zero, which is exactly torch's first step."""
    group = {"betas": (beta1, beta2), "lr": lr, "weight_decay": 0.0, "eps": eps,
             "amsgrad": False}
    new_p, state = Adam._update(Adam.__new__(Adam), p, g,
                                {"step": step, "exp_avg": m, "exp_avg_sq": v}, group)
    return [new_p, state["exp_avg"], state["exp_avg_sq"]]


def _sgd(p, g, buf, lr, momentum) -> list[Tensor]:
    """SGD with momentum: outputs p and the momentum buffer. The buffer starts at zero, so
    the first step's buffer is g (torch's), and momentum 0 is plain SGD."""
    group = {"weight_decay": 0.0, "momentum": momentum, "dampening": 0.0,
             "nesterov": False, "lr": lr}
    new_p, state = SGD._update(SGD.__new__(SGD), p, g, {"momentum_buffer": buf}, group)
    return [new_p, state["momentum_buffer"]]


def elementwise_catalog() -> list[Entry]:
    entries: list[Entry] = []
    entries += [Entry(op, NUMBERS, 1, _unary(op)) for op in UNARY_ANY]
    entries += [Entry(op, FLOATS, 1, _unary(op)) for op in UNARY_FLOAT]
    entries += [Entry(op, NUMBERS, 2, _binary(op)) for op in BINARY_ANY]
    entries += [Entry(op, FLOATS, 2, _binary(op)) for op in BINARY_FLOAT]
    entries.append(Entry("eq", NUMBERS, 2, _binary("eq")))
    # Backward kernels: input 0 is the result's gradient, then the op's inputs.
    for op in UNARY_ANY + UNARY_FLOAT:
        entries.append(Entry(f"{op}_bwd", FLOATS, 2, _vjp(op, 0, 1)))
    for op in ("add", "sub", "mul") + BINARY_FLOAT:
        for i in (0, 1):
            entries.append(Entry(f"{op}_bwd{i}", FLOATS, 3, _vjp(op, i, 2)))
    for dst in C_DTYPE:
        entries.append(Entry(f"cast_to_{dst.value}", tuple(C_DTYPE), 1,
                             lambda x, dst=dst: [cast(x, dtypes.dtype.of(dst))]))
    entries.append(Entry("adam", FLOATS, 9, _adam))
    entries.append(Entry("sgd", FLOATS, 5, _sgd))
    return entries


class _Input:
    """The buffer of a placeholder: a marker only. Tracing builds lazy graphs and never
    reads a placeholder, so generating kernels needs no runtime library (the library being
    built is the one these kernels go into)."""


class _Placeholder(Tensor):
    """A 0-d input of a traced function. Truthy, so a rule's ``if hyperparameter:`` traces
    the general branch (the kernel then also handles a zero value: see ``_sgd``)."""

    __slots__ = ()

    def __bool__(self) -> bool:
        return True


def _placeholder(dt: DType) -> Tensor:
    return _Placeholder._from_buffer(_Input(), TensorType((), dt))


def trace(entry: Entry, dt: DType) -> Func:
    """The scalar IR function of ``entry`` at dtype ``dt``."""
    placeholders = [_placeholder(dt) for _ in range(entry.n_in)]
    with torsh.no_grad():
        results = entry.trace(*placeholders)
    arg_of = {id(p._buf): i for i, p in enumerate(placeholders)}
    order, leaves = traverse(results)
    b = Builder()
    with b.func(f"{entry.op}_{dt.value}", [p._type for p in placeholders]) as args:
        values = {}
        for leaf in leaves:
            if id(leaf._buf) not in arg_of:
                raise RuntimeError(f"{entry.op}: the trace read a tensor that is not an input")
            values[id(leaf)] = args[arg_of[id(leaf._buf)]]
        for t in order:
            values[id(t)] = b.op(t._op, [values[id(s)] for s in t._srcs], t._attrs,
                                 result_type=t._type)
        b.ret(*(values[id(t)] for t in results))
    return b.module.funcs[0]


def kernel_name(family: str, dt: DType | None = None) -> str:
    return f"rt_aot_{family}" + (f"_{dt.value}" if dt is not None else "")


def build_module() -> tuple[ir.Module, list[Entry]]:
    module = ir.Module(name="torsh_aot")
    catalog = elementwise_catalog()
    for entry in catalog:
        for dt in entry.dtypes:
            aot.elementwise(module, kernel_name(entry.op, dt), trace(entry, dt))
    for op in ("sum", "max"):
        for dt in NUMBERS:
            aot.reduction(module, kernel_name(op, dt), op, dt)
    for dt in FLOATS:
        aot.matmul(module, kernel_name("matmul", dt), dt)
    aot.iota(module, kernel_name("iota", DType.i64))
    return module, catalog


def _table(name: str, rows: list[str]) -> str:
    return f"{name} = {{\n" + ",\n".join(rows) + "\n};\n"


def c_sources(catalog: list[Entry]) -> tuple[str, str]:
    """(aot_kernels.h, aot_kernels.c): the enums and lookup tables of the kernels."""
    ops = [e.op for e in catalog]
    header = [
        "/* Generated by torsh/_aot.py: the ahead-of-time kernels of the C API. */",
        "#ifndef TORSH_AOT_KERNELS_H", "#define TORSH_AOT_KERNELS_H", '#include "torsh.h"', "",
        f"#define RT_AOT_RANK {aot.RANK}", "",
        "typedef enum rt_ew_op {",
        *[f"    RT_EW_{op.upper()}," for op in ops],
        "    RT_EW_COUNT", "} rt_ew_op_t;", "",
        "typedef struct rt_ew_kernel {", "    torsh_kernel_fn fn; /* NULL: no kernel */",
        "    int n_out, n_in;", "} rt_ew_kernel_t;", "",
        "typedef enum rt_red_op { RT_RED_SUM, RT_RED_MAX, RT_RED_COUNT } rt_red_op_t;", "",
        "extern const rt_ew_kernel_t rt_aot_elementwise[RT_EW_COUNT][TORSH_DTYPE_COUNT];",
        "extern const torsh_kernel_fn rt_aot_reduction[RT_RED_COUNT][TORSH_DTYPE_COUNT];",
        "extern const torsh_kernel_fn rt_aot_matmul[TORSH_DTYPE_COUNT];",
        "extern const torsh_kernel_fn rt_aot_iota;", "", "#endif", ""]
    sig = "(void *const *, const int64_t *, int64_t, int64_t)"
    names: list[str] = []
    ew_rows = []
    for entry in catalog:
        n_out = len(trace(entry, entry.dtypes[0]).return_op.operands)
        cells = ["{NULL, 0, 0}"] * C_DTYPE_COUNT
        for dt in entry.dtypes:
            names.append(kernel_name(entry.op, dt))
            cells[C_DTYPE[dt]] = f"{{{names[-1]}, {n_out}, {entry.n_in}}}"
        ew_rows.append("    {" + ", ".join(cells) + "}")

    def by_dtype(family: str, dts) -> str:
        cells = ["NULL"] * C_DTYPE_COUNT
        for dt in dts:
            names.append(kernel_name(family, dt))
            cells[C_DTYPE[dt]] = names[-1]
        return "{" + ", ".join(cells) + "}"

    red_rows = ["    " + by_dtype(op, NUMBERS) for op in ("sum", "max")]
    mm_row = by_dtype("matmul", FLOATS)
    names.append(kernel_name("iota", DType.i64))
    source = [
        "/* Generated by torsh/_aot.py. */", '#include "aot_kernels.h"', "",
        *[f"void {n}{sig};" for n in names], "",
        _table("const rt_ew_kernel_t rt_aot_elementwise[RT_EW_COUNT][TORSH_DTYPE_COUNT]",
               ew_rows),
        _table("const torsh_kernel_fn rt_aot_reduction[RT_RED_COUNT][TORSH_DTYPE_COUNT]",
               red_rows),
        f"const torsh_kernel_fn rt_aot_matmul[TORSH_DTYPE_COUNT] = {mm_row};",
        f"const torsh_kernel_fn rt_aot_iota = {names[-1]};", ""]
    return "\n".join(header), "\n".join(source)


def source_digest() -> str:
    """A hash of everything the kernels are generated from (the torsh package sources and
    the LLVM/CPU the object is compiled for), so builds regenerate only when it changes."""
    from torsh.codegen.jit import host

    h = hashlib.sha256(repr(host()).encode())
    root = Path(torsh.__file__).parent
    for path in sorted(root.rglob("*.py")) + sorted(root.rglob("*.lark")):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def generate(out: Path) -> bool:
    """Write the object file and its tables into ``out``; False when they are current."""
    out.mkdir(parents=True, exist_ok=True)
    stamp = out / "aot_kernels.stamp"
    digest = source_digest()
    files = [out / n for n in ("aot_kernels.o", "aot_kernels.h", "aot_kernels.c")]
    if stamp.exists() and stamp.read_text() == digest and all(f.exists() for f in files):
        return False
    module, catalog = build_module()
    header, source = c_sources(catalog)
    for path, data in zip(files, (aot.compile_object(module), header.encode(),
                                  source.encode())):
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # concurrent builds
        tmp.write_bytes(data)
        tmp.replace(path)
    stamp.write_text(digest)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate the C API's AOT kernels.")
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args(argv)
    fresh = generate(args.out)
    print(f"{'generated' if fresh else 'up to date'}: {args.out / 'aot_kernels.o'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
