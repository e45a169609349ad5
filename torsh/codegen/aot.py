"""Shape-generic kernels, compiled ahead of time for the C API (DESIGN.md: "The C API is
eager and calls kernels that torsh/codegen compiled ahead of time at build time").

The JIT path bakes every size into a kernel; these kernels read sizes and strides from
the kernel ABI's ``sizes`` argument instead, so one compiled function serves every shape
and every view (strides are in elements and may be 0 for broadcast dims). Three layouts:

- ``elementwise(func)``: ``func`` computes scalar (0-d) results from scalar arguments, for
  example an op, the VJP rule of an op or an optimizer's update traced by ``torsh._aot``.
  The kernel runs it over a 4-d index space. ``buffers`` = outputs, then inputs;
  ``sizes`` = ``[d0, d1, d2, d3]`` then 4 strides per buffer, in the buffers' order. The
  parallel range is ``d0 * d1 * d2`` rows; the inner loop runs over ``d3`` so LLVM
  vectorizes it (it versions the loop on unit strides).
- ``reduction(op, dtype)``: input viewed as ``(outer, red, inner)`` with strides
  ``sizes = [outer, red, inner, s_outer, s_red, s_inner]``; output contiguous
  ``(outer, inner)``; range = ``outer``. Float32 sums of a contiguous run accumulate in
  float64.
- ``matmul(dtype)``: ``C[b] = A[b] @ B[b]`` with ``sizes = [B, M, N, K, a_sb, a_sm, a_sk,
  b_sb, b_sk, b_sn]``, C contiguous ``(B, M, N)``; range = ``B * M`` rows. Each row is an
  axpy over B's rows when B's rows are contiguous, else a dot product per column (B
  transposed, as in ``x @ W.T``).

Each kernel has the DESIGN.md kernel ABI and hidden visibility (libtorsh exports only
torsh.h). ``compile_object`` turns the module into an object file for the host CPU.
"""

from __future__ import annotations

from collections.abc import Callable

import llvmlite.binding as llvm
from llvmlite import ir

from torsh.codegen import jit
from torsh.codegen.emitter import Emitter
from torsh.codegen.loops import counted_loop
from torsh.codegen.lowering import (
    F32,
    F64,
    I64,
    LOWER,
    PTR,
    Ctx,
    compute_type,
    convert,
    storage_type,
)
from torsh.errors import CompileError
from torsh.ir.core import Func
from torsh.ir.types import DType

RANK = 4  # dims of the elementwise index space (the C side coalesces and loops beyond it)
FAST = ["reassoc", "contract", "nsz"]
KERNEL_TYPE = ir.FunctionType(ir.VoidType(), [PTR, PTR, I64, I64])


class _Kernel:
    """One kernel function being built: its arguments, builder and loop helper."""

    def __init__(self, module: ir.Module, name: str):
        self.module = module
        self.fn = ir.Function(module, KERNEL_TYPE, name)
        self.fn.linkage = "external"
        self.bufs, self.sizes, self.start, self.end = self.fn.args
        self.bufs.add_attribute("noalias")
        self.sizes.add_attribute("noalias")
        self.entry = self.fn.append_basic_block("entry")
        self.b = ir.IRBuilder(self.entry)
        self.ctx = Ctx(self.b, module)

    def alloca(self, ty: ir.Type) -> ir.Value:
        """A stack slot in the entry block (where mem2reg turns it into a register)."""
        at = ir.IRBuilder(self.entry)
        at.position_at_start(self.entry)
        return at.alloca(ty)

    def size(self, i: int) -> ir.Value:
        return self.b.load(self.b.gep(self.sizes, [ir.Constant(I64, i)], source_etype=I64),
                           typ=I64)

    def buffer(self, i: int) -> ir.Value:
        return self.b.load(self.b.gep(self.bufs, [ir.Constant(I64, i)], source_etype=PTR),
                           typ=PTR)

    def loop(self, lo: ir.Value, hi: ir.Value, body: Callable[[ir.Value], None],
             tag: str) -> None:
        """for (i = lo; i < hi; i++) body(i)"""
        counted_loop(self.fn, self.b, lo, hi, body, tag)

    def branch(self, cond: ir.Value, then: Callable[[], None],
               otherwise: Callable[[], None]) -> None:
        with self.b.if_else(cond) as (yes, no):
            with yes:
                then()
            with no:
                otherwise()

    def madd(self, *terms: tuple[ir.Value, ir.Value]) -> ir.Value:
        """sum of a * b over terms (index arithmetic, no overflow for valid tensors)."""
        total = ir.Constant(I64, 0)
        for a, b_ in terms:
            total = self.b.add(total, self.b.mul(a, b_, flags=["nsw"]), flags=["nsw"])
        return total

    def finish(self) -> None:
        self.b.ret_void()


def _element_ptr(k: _Kernel, base: ir.Value, offset: ir.Value, dt: DType) -> ir.Value:
    return k.b.gep(base, [offset], source_etype=storage_type(dt))


def elementwise(module: ir.Module, name: str, func: Func) -> None:
    """Emit ``func`` (scalar arguments and results) as a strided 4-d elementwise kernel."""
    outs = list(func.return_op.operands)
    args = list(func.args)
    for v in outs + args:
        if v.type.rank != 0:
            raise CompileError(f"@{func.name}: AOT elementwise functions take and return 0-d "
                               f"values, not {v.type}")
    k = _Kernel(module, name)
    b = k.b
    dims = [k.size(i) for i in range(RANK)]
    values = outs + args
    strides = [[k.size(RANK + RANK * n + i) for i in range(RANK)] for n in range(len(values))]
    ptrs = [k.buffer(n) for n in range(len(values))]

    def row(r: ir.Value) -> None:
        i2 = b.urem(r, dims[2])
        q = b.udiv(r, dims[2])
        i1 = b.urem(q, dims[1])
        i0 = b.udiv(q, dims[1])
        bases = [k.madd((i0, s[0]), (i1, s[1]), (i2, s[2])) for s in strides]

        def element(j: ir.Value) -> None:
            at = [_element_ptr(k, p, b.add(base, b.mul(j, s[3], flags=["nsw"]), flags=["nsw"]),
                               v.type.dtype)
                  for p, base, s, v in zip(ptrs, bases, strides, values)]
            em = Emitter(k.ctx, dict(zip(args, at[len(outs):])))
            results = [em.value(v, []) for v in outs]
            for v, p, res in zip(outs, at, results):
                em.store(p, ir.Constant(I64, 0), res, v.type.dtype)

        k.loop(ir.Constant(I64, 0), dims[3], element, "j")

    # Rows divide by d2 and d1, which may be 0 only when there are no rows (range 0).
    k.loop(k.start, k.end, row, "row")
    k.finish()


def _combine(k: _Kernel, op: str, dt: DType, acc: ir.Value, x: ir.Value) -> ir.Value:
    if op == "sum" and dt.is_float:
        return k.b.fadd(acc, x, flags=FAST)
    return LOWER["add" if op == "sum" else "maximum"](k.ctx, dt, [acc, x], {})


def _reduction_init(op: str, ty: ir.Type) -> ir.Constant:
    if op == "sum":
        return ir.Constant(ty, 0.0 if ty in (F32, F64) else 0)
    if ty in (F32, F64):
        return ir.Constant(ty, float("-inf"))
    return ir.Constant(ty, -(1 << (ty.width - 1)))


def reduction(module: ir.Module, name: str, op: str, dt: DType) -> None:
    """Emit a sum or max over the middle axis of a strided (outer, red, inner) view."""
    if op not in ("sum", "max"):
        raise CompileError(f"unknown AOT reduction {op!r}")
    k = _Kernel(module, name)
    b = k.b
    outer, red, inner, s_outer, s_red, s_inner = (k.size(i) for i in range(6))
    out, x = k.buffer(0), k.buffer(1)
    ty = compute_type(dt)
    one = ir.Constant(I64, 1)
    em = Emitter(k.ctx, {})

    def load(offset: ir.Value) -> ir.Value:
        return em.load(x, offset, dt)

    def each_output(o: ir.Value) -> None:
        base = b.mul(o, s_outer, flags=["nsw"])
        out_row = b.mul(o, inner, flags=["nsw"])

        def contiguous_run() -> None:  # one output: a scalar accumulator over red
            wide = F64 if op == "sum" and dt is DType.f32 else ty
            slot = k.alloca(wide)
            b.store(_reduction_init(op, wide), slot)

            def step(r: ir.Value) -> None:
                v = load(b.add(base, b.mul(r, s_red, flags=["nsw"]), flags=["nsw"]))
                if wide is not ty:
                    v = b.fpext(v, wide)
                b.store(_combine(k, op, DType.f64 if wide is F64 and dt.is_float else dt,
                                 b.load(slot, typ=wide), v), slot)

            k.loop(ir.Constant(I64, 0), red, step, "r")
            acc = b.load(slot, typ=wide)
            em.store(out, out_row, convert(k.ctx, acc, DType.f64, dt) if wide is not ty
                     else acc, dt)

        def row_accumulate() -> None:  # inner outputs updated together, row by row of red
            k.loop(ir.Constant(I64, 0), inner,
                   lambda i: em.store(out, b.add(out_row, i), _reduction_init(op, ty), dt), "i0")

            def step(r: ir.Value) -> None:
                rbase = b.add(base, b.mul(r, s_red, flags=["nsw"]), flags=["nsw"])

                def upd(i: ir.Value) -> None:
                    at = b.add(out_row, i, flags=["nsw"])
                    v = load(b.add(rbase, b.mul(i, s_inner, flags=["nsw"]), flags=["nsw"]))
                    em.store(out, at, _combine(k, op, dt, em.load(out, at, dt), v), dt)

                k.loop(ir.Constant(I64, 0), inner, upd, "i")

            k.loop(ir.Constant(I64, 0), red, step, "r")

        k.branch(b.icmp_signed("==", inner, one), contiguous_run, row_accumulate)

    k.loop(k.start, k.end, each_output, "o")
    k.finish()


def matmul(module: ir.Module, name: str, dt: DType) -> None:
    """Emit a batched strided matmul into a contiguous output."""
    if not dt.is_float:
        raise CompileError(f"AOT matmul is for float dtypes, not {dt}")
    k = _Kernel(module, name)
    b = k.b
    nb, m, n, kk, a_sb, a_sm, a_sk, b_sb, b_sk, b_sn = (k.size(i) for i in range(10))
    del nb  # the range (B * M) already bounds the batch index
    out, pa, pb = k.buffer(0), k.buffer(1), k.buffer(2)
    ty = compute_type(dt)
    zero = ir.Constant(ty, 0.0)
    em = Emitter(k.ctx, {})

    def row(r: ir.Value) -> None:
        batch = b.udiv(r, m)
        i = b.urem(r, m)
        a_row = k.madd((batch, a_sb), (i, a_sm))
        b_base = b.mul(batch, b_sb, flags=["nsw"])
        c_row = b.mul(r, n, flags=["nsw"])

        def axpy_rows() -> None:  # C[i, :] += A[i, k] * B[k, :], contiguous in B and C
            k.loop(ir.Constant(I64, 0), n,
                   lambda j: em.store(out, b.add(c_row, j), zero, dt), "j0")

            def step(kx: ir.Value) -> None:
                a = em.load(pa, b.add(a_row, b.mul(kx, a_sk, flags=["nsw"])), dt)
                brow = b.add(b_base, b.mul(kx, b_sk, flags=["nsw"]), flags=["nsw"])

                def upd(j: ir.Value) -> None:
                    at = b.add(c_row, j, flags=["nsw"])
                    bv = em.load(pb, b.add(brow, j, flags=["nsw"]), dt)
                    acc = b.fadd(em.load(out, at, dt), b.fmul(a, bv, flags=FAST), flags=FAST)
                    em.store(out, at, acc, dt)

                k.loop(ir.Constant(I64, 0), n, upd, "j")

            k.loop(ir.Constant(I64, 0), kk, step, "k")

        def dot_columns() -> None:  # C[i, j] = A[i, :] . B[:, j] (B's columns contiguous)
            def column(j: ir.Value) -> None:
                bcol = b.add(b_base, b.mul(j, b_sn, flags=["nsw"]), flags=["nsw"])
                slot = k.alloca(ty)
                b.store(zero, slot)

                def step(kx: ir.Value) -> None:
                    a = em.load(pa, b.add(a_row, b.mul(kx, a_sk, flags=["nsw"])), dt)
                    bv = em.load(pb, b.add(bcol, b.mul(kx, b_sk, flags=["nsw"])), dt)
                    b.store(b.fadd(b.load(slot, typ=ty), b.fmul(a, bv, flags=FAST),
                                   flags=FAST), slot)

                k.loop(ir.Constant(I64, 0), kk, step, "k")
                em.store(out, b.add(c_row, j), b.load(slot, typ=ty), dt)

            k.loop(ir.Constant(I64, 0), n, column, "j")

        k.branch(b.icmp_signed("==", b_sn, ir.Constant(I64, 1)), axpy_rows, dot_columns)

    k.loop(k.start, k.end, row, "row")
    k.finish()


def iota(module: ir.Module, name: str) -> None:
    """out[i] = i (int64), range = the element count."""
    k = _Kernel(module, name)
    out = k.buffer(0)
    em = Emitter(k.ctx, {})
    k.loop(k.start, k.end, lambda i: em.store(out, i, i, DType.i64), "i")
    k.finish()


def library_target_machine() -> llvm.TargetMachine:
    """The host CPU without its AVX-512 (and AMX) features. The library's kernels must
    run under valgrind, which implements x86 up to AVX2, so C programs can be checked for
    leaks and invalid accesses; on CPUs that split 512-bit ops in two (znver4), 256-bit
    code runs about as fast. The JIT's kernels keep every host feature."""
    h = jit.host()
    features = ",".join(f"-{f[1:]}" if f[1:].startswith(("avx512", "amx", "evex512")) else f
                        for f in h.features.split(",") if f)
    target = llvm.Target.from_triple(h.triple)
    return target.create_target_machine(cpu=h.cpu, features=features, opt=3, reloc="pic",
                                        codemodel="default")


def compile_object(module: ir.Module) -> bytes:
    """Optimize the module for the library's target and return an ELF object file. Every
    kernel gets hidden visibility, so linking it into libtorsh exports nothing new."""
    text = str(module)
    for fn in module.functions:
        if fn.is_declaration:
            continue
        # llvmlite prints the linkage when one was set (the kernels' "external"); the
        # visibility goes after it.
        for linkage in ("", "external "):
            for ref in (f'@"{fn.name}"', f"@{fn.name}("):
                text = text.replace(f"define {linkage}void {ref}",
                                    f"define {linkage}hidden void {ref}")
    tm = library_target_machine()
    return jit.object_code(jit.optimize(text, tm=tm), tm=tm)
