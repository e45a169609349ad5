"""Kernel emitters: an IR function (one fused kernel) becomes one LLVM function with the
DESIGN.md kernel ABI

    void kernel(void *const *buffers, const int64_t *sizes, int64_t start, int64_t end)

``buffers`` holds the outputs' data pointers, then the inputs' (the function's arguments,
each contiguous). ``[start, end)`` is a slice of the kernel's parallel range
(``KernelInfo.range``), so the runtime can split it across threads. Three kinds:

- elementwise: every result has one shape; the range is the product of all output dims
  but the last, and the innermost loop runs over the last dim so LLVM vectorizes it. A
  row kernel (fusion inlined row reductions into it: softmax, layer norm) first runs one
  loop over the row per reduction, in order, keeping each result in a register for the
  rest of the row (a division by one becomes a multiply by its reciprocal, see
  ``Emitter.reciprocals``); the row stays in L1 between these passes. A float32 row sum
  of exp (or another costly op) adds chunks of ``ROW_SUM_CHUNK`` elements in float32
  (16 lanes) and the chunk totals in f64, and prefetches the next row meanwhile; a float
  max/min keeps NaN and sign-of-zero flags beside a plain vmaxps (see ``_Reducer``);
- reduction: one result ``reduce(expr)``; the range is the output's elements, the inner
  loops run over the reduced axes (float sums accumulate in f64, so results are as
  accurate as numpy's pairwise sums, and each output is computed by one thread:
  deterministic for any thread count). A reduction with few outputs and many reduced
  elements (``sum()`` of a large tensor) runs in two phases instead, so both cores work:
  the first reduced axis is cut into chunks of about ``SPLIT_CHUNK`` elements fixed by
  the shape alone, phase 0 (``sizes[0] == 0``) computes one partial accumulator per
  (output, chunk) into a scratch buffer (the last buffer), phase 1 combines each output's
  partials in chunk order. Chunk bounds and combine order never depend on the thread
  count, so 1 and 2 threads give the same bits;
- matmul: one result ``matmul(a, b)``, possibly through an epilogue; see ``matmul.py``
  (packed register-blocked GEMM; the range is row strips, column chunks or rows).

Operand expressions (elementwise and movement ops) are inlined by the value emitter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from llvmlite import ir

from torsh.codegen.emitter import Emitter, contiguous_strides
from torsh.codegen.jit import host_has_avx512
from torsh.codegen.loops import counted_loop
from torsh.codegen.lowering import (
    F32,
    F64,
    I1,
    I32,
    I64,
    PTR,
    Ctx,
    compute_type,
    convert,
    storage_type,
)
from torsh.codegen.matmul import MatmulEmitter
from torsh.codegen.microkernel import plain_loop_marker, with_plain_loops
from torsh.errors import CompileError
from torsh.ir.core import Func, OpResult
from torsh.ir.ops import lookup, with_defaults
from torsh.ir.types import DType

FAST = ["reassoc", "contract", "nsz"]  # lets LLVM vectorize reductions and use FMA
SPLIT_CHUNK = 1 << 16  # reduced elements per partial of a two-phase reduction
SPLIT_MAX_OUTPUTS = 8  # more outputs than this: the outputs alone keep the threads busy
SPLIT_OPS = ("sum", "mean", "prod", "max", "min")
# A row kernel's float32 sum of a costly operand (softmax's exp: see COSTLY_OPS) adds each
# chunk of this many elements in float32 (16-wide AVX-512 lanes: an f64 accumulator
# halves the vector width of the whole pass, exp included: 1.6 vs 2.2 ms for log_softmax
# 4096x1024 on one thread), then the chunk's total into the f64 accumulator: each lane
# adds at most ROW_SUM_CHUNK / 16 values, as accurate as numpy's pairwise float32 sum
# (blocks of 128). Cheap operands (layer_norm's sums: memory-bound) keep plain f64.
ROW_SUM_CHUNK = 128
# Row kernels whose last row reduction computes a costly op (softmax, log_softmax: exp)
# prefetch the next row of their full-size inputs (and, for writing, of their outputs)
# during that compute-bound chunked pass, so the next row's first pass (max,
# memory-bound) finds it in L1 and its stores need no read for ownership: each about 5%
# of softmax 4096x1024 on one thread. Not in cheap passes (layer_norm's sums): there the
# prefetches cost more issue slots than they save (measured 50% slower).
PREFETCH_ROWS_AHEAD = 1


@dataclass(frozen=True)
class KernelInfo:
    """What a launcher needs besides the code."""

    name: str
    kind: str  # "elementwise" | "reduction" | "matmul"
    n_outputs: int
    n_inputs: int
    range: int  # run the kernel over [0, range)
    work: int  # scalar operations per range step, roughly (for the thread split grain)
    # Two-phase reductions: the partial accumulators phase 0 writes (8 bytes each, in a
    # scratch buffer passed after the inputs) over [0, partials); 0: a one-phase kernel.
    partials: int = 0


def kernel_kind(func: Func) -> str:
    ret = func.return_op
    if ret is not None and len(ret.operands) == 1 and isinstance(ret.operands[0], OpResult):
        opdef = lookup(ret.operands[0].owner.name)
        if opdef is not None and opdef.has("reduction"):
            return "reduction"
        if _find_matmul(func) is not None:
            return "matmul"
    return "elementwise"


def _find_matmul(func: Func):
    found = [op for op in func.body.ops if (d := lookup(op.name)) is not None
             and d.has("contraction")]
    if len(found) > 1:
        raise CompileError(f"@{func.name}: a kernel holds at most one matmul")
    return found[0] if found else None


def emit_kernel(func: Func, name: str) -> tuple[str, KernelInfo]:
    """LLVM IR text of the kernel computing ``func``'s results, and its launch info."""
    ret = func.return_op
    if ret is None or not ret.operands:
        raise CompileError(f"@{func.name}: a kernel needs at least one result")
    for v in list(func.args) + list(ret.operands):
        if not v.type.is_static:
            raise CompileError(f"@{func.name}: dynamic shape {v.type} is not supported yet")
    kind = kernel_kind(func)
    k = _Kernel(func, name, noalias_body=kind == "matmul")
    rng, work = {"elementwise": k.elementwise, "reduction": k.reduction,
                 "matmul": k.matmul}[kind]()
    k.b.ret_void()
    text = with_plain_loops(str(k.module))
    info = KernelInfo(name, kind, len(ret.operands), len(func.args), rng, work, k.partials)
    return text, info


class _Kernel:
    def __init__(self, func: Func, name: str, noalias_body: bool = False):
        self.func = func
        self.outputs = list(func.return_op.operands)
        self.module = ir.Module(name=name)
        self.fn = ir.Function(self.module, ir.FunctionType(ir.VoidType(), [PTR, PTR, I64, I64]),
                              name)
        bufs, sizes, self.start, self.end = self.fn.args
        self.bufs, self.sizes = bufs, sizes
        self.partials = 0
        self._next_rows: list = []
        bufs.add_attribute("noalias")
        sizes.add_attribute("noalias")
        self.b = ir.IRBuilder(self.fn.append_basic_block("entry"))
        n_out = len(self.outputs)
        ptrs = [self.b.load(self.b.gep(bufs, [ir.Constant(I64, i)], source_etype=PTR), typ=PTR)
                for i in range(n_out + len(func.args))]
        if noalias_body:
            ptrs = self._noalias_body(name, ptrs)
        self.out_ptrs = ptrs[:n_out]
        self.em = Emitter(Ctx(self.b, self.module, avx512=host_has_avx512()),
                          dict(zip(func.args, ptrs[n_out:])))

    def _noalias_body(self, name: str, ptrs: list) -> list:
        """Move the body into an internal function whose buffer pointers are ``noalias``
        (an output is a fresh buffer, never one of the inputs), so LLVM may reorder and
        vectorize loads of the inputs around stores to the output without runtime alias
        checks; it inlines the body back, keeping the facts as alias scopes."""
        types = [PTR] * len(ptrs) + [I64, I64]
        body = ir.Function(self.module, ir.FunctionType(ir.VoidType(), types), name + ".body")
        body.linkage = "internal"
        for p in body.args[: len(ptrs)]:
            p.add_attribute("noalias")
        self.b.call(body, ptrs + [self.start, self.end])
        self.b.ret_void()
        self.fn = body
        self.start, self.end = body.args[-2:]
        self.b = ir.IRBuilder(body.append_basic_block("entry"))
        return list(body.args[: len(ptrs)])

    # -- loop helpers --------------------------------------------------------------
    def loop(self, lo, hi, body, tag: str, plain: bool = False) -> None:
        """for (i = lo; i < hi; i++) body(i); the emitter's memo is reset per body, since
        values computed in one loop body do not dominate other blocks. ``plain``: LLVM
        neither vectorizes nor unrolls it (cold or gather/scatter-only loops, whose
        vector versions cost compile time and code size for nothing)."""
        def run(i: ir.Value) -> None:
            self.em.memo.clear()
            body(i)

        latch = counted_loop(self.fn, self.b, lo, hi, run, tag)
        if plain:
            latch.set_metadata("llvm.loop", plain_loop_marker(self.module))
        self.em.memo.clear()

    def split(self, flat: ir.Value, shape) -> list[ir.Value]:
        """Row-major multi-index of a flat index over ``shape``."""
        idx = []
        for d in reversed(shape):
            if d == 1:
                idx.append(self.em.i64(0))
                continue
            idx.append(self.b.urem(flat, self.em.i64(d)))
            flat = self.b.udiv(flat, self.em.i64(d))
        return idx[::-1]

    def nest(self, shape, body, tag: str) -> None:
        """Nested loops over every index of ``shape`` (innermost = last dim)."""
        def level(k: int, idx: list) -> None:
            if k == len(shape):
                body(idx)
            else:
                self.loop(self.em.i64(0), self.em.i64(shape[k]),
                          lambda i: level(k + 1, idx + [i]), f"{tag}{k}")

        level(0, [])

    # -- kernels ---------------------------------------------------------------------
    def elementwise(self) -> tuple[int, int]:
        shape = self.outputs[0].type.shape
        for v in self.outputs:
            if v.type.shape != shape:
                raise CompileError(f"@{self.func.name}: elementwise kernel results must share "
                                   f"one shape, got {', '.join(str(r.type) for r in self.outputs)}")
        strides = contiguous_strides(shape)

        def body(idx):
            off = self.em.offset(idx, strides)
            for v, ptr in zip(self.outputs, self.out_ptrs):
                self.em.store(ptr, off, self.em.value(v, idx), v.type.dtype)

        row_reductions = [op for op in self.func.body.ops
                          if (d := lookup(op.name)) is not None and d.has("reduction")]
        if row_reductions:
            if not shape:
                raise CompileError(f"@{self.func.name}: a row reduction in a 0-d kernel")

            stash = self._stash(row_reductions[-1])

            prefetch = row_reductions[-1] if _costly(row_reductions[-1].operands[0]) else None

            def row(o):
                idx = self.split(o, shape[:-1])
                self._next_rows = self._next_row_ptrs(o, shape) if prefetch else []
                for op in row_reductions:
                    self.row_reduce(op, idx, strides if op is stash else None,
                                    prefetch=op is prefetch)
                self.loop(self.em.i64(0), self.em.i64(shape[-1]), lambda j: body(idx + [j]),
                          "j")
                self.em.overrides.clear()
                self.em.reciprocals.clear()

            self.loop(self.start, self.end, row, "o")
            passes = 1 + len(row_reductions)
            return math.prod(shape[:-1]), shape[-1] * len(self.func.body.ops) * passes

        if len(shape) <= 1:
            self.loop(self.start, self.end, lambda i: body([i][: len(shape)]), "i")
            return (shape[0] if shape else 1), len(self.func.body.ops)

        def outer(o):
            idx = self.split(o, shape[:-1])
            self.loop(self.em.i64(0), self.em.i64(shape[-1]), lambda j: body(idx + [j]), "j")

        self.loop(self.start, self.end, outer, "o")
        return math.prod(shape[:-1]), shape[-1] * len(self.func.body.ops)

    def _next_row_ptrs(self, o, shape) -> list:
        """(address of row o + PREFETCH_ROWS_AHEAD, storage type, element bytes, 1 if
        written) of each input shaped like the outputs and of each output (contiguous, so
        row o starts at o * n). Past the last row the address is out of bounds, which a
        prefetch may be: it never faults."""
        b, em = self.b, self.em
        row = b.add(o, em.i64(PREFETCH_ROWS_AHEAD), flags=["nsw", "nuw"])
        first = b.mul(row, em.i64(shape[-1]), flags=["nsw", "nuw"])
        rows = [(em.arg_ptrs[a], a.type.dtype, 0) for a in self.func.args
                if tuple(a.type.shape) == tuple(shape)]
        rows += [(p, v.type.dtype, 1) for v, p in zip(self.outputs, self.out_ptrs)]
        return [(b.gep(p, [first], source_etype=storage_type(dt)), storage_type(dt),
                 dt.itemsize, rw) for p, dt, rw in rows]

    def _prefetch_next(self, lo, count) -> None:
        """Prefetch elements [lo, lo + count) of the next row of the inputs and outputs
        (one prefetch per 64-byte line; prefetchw for outputs), spread over the chunks of
        this row's compute-bound pass so the next row's passes do not wait on memory."""
        if not self._next_rows:
            return
        fn = self.module.globals.get("llvm.prefetch.p0")
        if fn is None:
            fn = ir.Function(self.module, ir.FunctionType(ir.VoidType(), [PTR, I32, I32, I32]),
                             "llvm.prefetch.p0")
        for ptr, st, size, rw in self._next_rows:
            per_line = max(1, 64 // size)
            for k in range(0, count, per_line):
                at = self.b.add(lo, self.em.i64(k), flags=["nsw", "nuw"])
                self.b.call(fn, [self.b.gep(ptr, [at], source_etype=st), ir.Constant(I32, rw),
                                 ir.Constant(I32, 3), ir.Constant(I32, 1)])

    def _stash(self, last):
        """``last`` (the row's final reduction) when its operand is worth keeping in the
        output row for the output loop (softmax's exp(x - max): the output reads it, and it
        is no plain load), else None. Only when every reader of that operand outside the
        reductions is elementwise over the output's shape, so it is read exactly at the
        output index being written (never at one written already)."""
        e, out = last.operands[0], self.outputs[0]
        if len(self.outputs) != 1 or e.type != out.type or not isinstance(e, OpResult) \
                or lookup(e.owner.name).has("movement") or e.owner.name == "torsh.constant":
            return None
        read, stack, seen = False, [e], {e}
        while stack:
            for user, _ in stack.pop().uses:
                d = lookup(user.name)
                if d is not None and d.has("reduction"):
                    continue  # a row register, not a read at an index
                read = True
                if d is None:  # func.return
                    continue
                if not d.has("elementwise") or user.result.type.shape != out.type.shape:
                    return None
                if user.result not in seen:
                    seen.add(user.result)
                    stack.append(user.result)
        return last if read else None

    def row_reduce(self, op, idx: list, stash_strides: list | None = None,
                   prefetch: bool = False) -> None:
        """Reduce ``op``'s operand over the last axis at row ``idx``; readers of the
        result (at any index of this row, see fuse.py) get the register. With
        ``stash_strides``, the operand's values are also written to the output row, and
        the output loop reads them back instead of computing them again. ``prefetch``:
        this pass (when chunked) prefetches the next row (see ``_prefetch_next``)."""
        x = op.operands[0]
        opdef = lookup(op.name)
        if opdef.name not in ("sum", "mean", "max", "min", "prod") or \
                tuple(x.type.shape[:-1]) != tuple(self.outputs[0].type.shape[:-1]):
            raise CompileError(f"@{self.func.name}: {op.name} is not a row reduction of "
                               f"the kernel's rows")
        n = x.type.shape[-1]
        reducer = _Reducer(self, opdef.name, x.type.dtype, op.result.type.dtype,
                           split_minmax=True)
        reducer.init()
        em, out_ptr, dt = self.em, self.out_ptrs[0], x.type.dtype

        def step(j, acc=None):
            v = em.value(x, idx + [j])
            if acc is None:
                reducer.step(v, None)
            else:
                self.b.store(self.b.fadd(self.b.load(acc, typ=F32), v, flags=FAST), acc)
            if stash_strides is not None:
                em.store(out_ptr, em.offset(idx + [j], stash_strides), v, dt)

        chunk = ROW_SUM_CHUNK if reducer.acc_ty == F64 and compute_type(dt) == F32 and \
            opdef.name in ("sum", "mean") and _costly(x) else 0
        if chunk and n >= 2 * chunk:
            acc32 = reducer.chunk_acc()
            b = self.b

            def chunk_body(c):
                base = b.mul(c, em.i64(chunk), flags=["nsw", "nuw"])
                if prefetch:
                    self._prefetch_next(base, chunk)
                b.store(ir.Constant(F32, 0.0), acc32)
                self.loop(em.i64(0), em.i64(chunk),
                          lambda jj: step(b.add(base, jj, flags=["nsw", "nuw"]), acc32), "rc")
                reducer.step(b.load(acc32, typ=F32), None)

            self.loop(em.i64(0), em.i64(n // chunk), chunk_body, "rk")
            if n % chunk:
                self.loop(em.i64(n - n % chunk), em.i64(n), step, "rr")
        else:
            self.loop(em.i64(0), em.i64(n), step, "rr")
        value = reducer.result(n)
        em.overrides[op.result] = lambda _idx: value
        if op.result.type.dtype.is_float and any(
                u.name == "torsh.div" and u.operands[1] is op.result for u, _ in op.result.uses):
            em.reciprocals[op.result] = self.b.fdiv(ir.Constant(value.type, 1.0), value)
        if stash_strides is not None:
            em.overrides[x] = lambda at: em.load(out_ptr, em.offset(at, stash_strides), dt)

    def reduction(self) -> tuple[int, int]:
        out = self.outputs[0]
        op = out.owner
        opdef = lookup(op.name)
        attrs = with_defaults(opdef, op.attributes)
        x = op.operands[0]
        in_shape = x.type.shape
        rank = len(in_shape)
        if opdef.name in ("argmax", "argmin"):
            axes = (attrs["axis"] % rank,) if rank else ()
        else:
            axes = tuple(a % rank for a in attrs["axes"]) if rank else ()
        kept = [d for d in range(rank) if d not in axes]
        out_shape = out.type.shape
        numel = math.prod(out_shape)
        rsize = math.prod(in_shape[a] for a in axes)
        em = self.em
        dt = x.type.dtype
        reducer = _Reducer(self, opdef.name, dt, out.type.dtype)
        full_of = self._full_index(kept, axes, rank)
        if opdef.name in SPLIT_OPS and not dt.is_bool and numel <= SPLIT_MAX_OUTPUTS and axes:
            inner = math.prod(in_shape[a] for a in axes[1:])
            rows = max(1, SPLIT_CHUNK // max(inner, 1))
            chunks = -(-in_shape[axes[0]] // rows)
            if chunks >= 2:
                self.two_phase(x, reducer, full_of, [in_shape[d] for d in kept],
                               [in_shape[a] for a in axes], rows, chunks, rsize)
                self.partials = numel * chunks
                return numel, rows * max(inner, 1) * len(self.func.body.ops)

        def per_output(o):
            kept_idx = self.split(o, [in_shape[d] for d in kept])
            reducer.init()

            def inner(ridx):
                flat_r = em.offset(ridx, contiguous_strides([in_shape[a] for a in axes]))
                reducer.step(em.value(x, full_of(kept_idx, ridx)), flat_r)

            self.nest([in_shape[a] for a in axes], inner, "r")
            result = reducer.result(rsize)
            em.store(self.out_ptrs[0], o, result, out.type.dtype)

        self.loop(self.start, self.end, per_output, "o")
        return numel, max(rsize, 1) * len(self.func.body.ops)

    @staticmethod
    def _full_index(kept, axes, rank):
        def full_of(kept_idx, ridx):
            full = [None] * rank
            for d, i in zip(kept, kept_idx):
                full[d] = i
            for d, i in zip(axes, ridx):
                full[d] = i
            return full

        return full_of

    def two_phase(self, x, reducer, full_of, kept_shape, red_shape, rows, chunks,
                  rsize) -> None:
        """Phase 0 over [start, end) of the partials p = output * chunks + chunk: reduce
        rows [chunk * rows, (chunk + 1) * rows) of the first reduced axis (all of the
        others) into partials[p]; phase 1 over outputs: fold partials in chunk order."""
        b, em = self.b, self.em
        out = self.outputs[0]
        scratch = b.load(b.gep(self.bufs, [em.i64(len(self.outputs) + len(self.func.args))],
                               source_etype=PTR), typ=PTR)
        acc_ty = reducer.acc_ty
        phase = b.load(b.gep(self.sizes, [em.i64(0)], source_etype=I64), typ=I64)
        partial_bb = self.fn.append_basic_block("partials")
        combine_bb = self.fn.append_basic_block("combine")
        b.cbranch(b.icmp_signed("==", phase, em.i64(0)), partial_bb, combine_bb)

        b.position_at_end(partial_bb)

        def per_partial(p):
            o = b.udiv(p, em.i64(chunks))
            lo = b.mul(b.urem(p, em.i64(chunks)), em.i64(rows), flags=["nsw", "nuw"])
            hi = b.add(lo, em.i64(rows), flags=["nsw", "nuw"])
            hi = b.select(b.icmp_signed("<", hi, em.i64(red_shape[0])), hi,
                          em.i64(red_shape[0]))
            kept_idx = self.split(o, kept_shape)
            reducer.init()

            def first(i0):
                self.nest(red_shape[1:], lambda ridx: reducer.step(
                    em.value(x, full_of(kept_idx, [i0] + ridx)), None), "r")

            self.loop(lo, hi, first, "r0")
            b.store(b.load(reducer.acc, typ=acc_ty), b.gep(scratch, [p], source_etype=acc_ty))

        self.loop(self.start, self.end, per_partial, "p")
        b.ret_void()

        b.position_at_end(combine_bb)

        def per_output(o):
            reducer.init()
            base = b.mul(o, em.i64(chunks), flags=["nsw", "nuw"])

            def fold(c):
                at = b.add(base, c, flags=["nsw", "nuw"])
                reducer.step(b.load(b.gep(scratch, [at], source_etype=acc_ty), typ=acc_ty),
                             None)

            self.loop(em.i64(0), em.i64(chunks), fold, "c", plain=True)
            em.store(self.out_ptrs[0], o, reducer.result(rsize), out.type.dtype)

        self.loop(self.start, self.end, per_output, "o")

    def matmul(self) -> tuple[int, int]:
        return MatmulEmitter(self, self.outputs[0], _find_matmul(self.func).result).emit()


# Ops whose float32 code is long enough (vecmath polynomials, libm calls) that a pass
# computing them is compute-bound, with room for the next row's prefetches.
COSTLY_OPS = ("exp", "log", "tanh", "sigmoid", "silu", "gelu", "sin", "cos", "pow", "erf",
              "expm1", "log1p")


def _costly(v) -> bool:
    """Whether ``v``'s expression (inside its kernel) computes a COSTLY_OPS op."""
    stack, seen = [v], set()
    while stack:
        u = stack.pop()
        if not isinstance(u, OpResult) or u in seen:
            continue
        seen.add(u)
        d = lookup(u.owner.name)
        if d is not None and d.name in COSTLY_OPS:
            return True
        stack.extend(u.owner.operands)
    return False


class _Reducer:
    """Accumulator state of one reduction (kept in allocas; SROA turns them into SSA).

    ``split_minmax``: a float max/min keeps three accumulators instead of one
    ``llvm.maximum``/``minimum`` (six AVX-512 instructions per vector, for the NaN and
    signed-zero rules): a plain compare-and-select that LLVM may treat as NaN-free (one
    vmaxps), an "any NaN" flag, and the AND (max) / OR (min) of the elements' bits, whose
    sign bit settles a zero result's sign. ``result`` puts them together, so the result
    is exactly ``maximum``/``minimum``'s: NaN if any element is NaN, and +0 > -0."""

    def __init__(self, k: _Kernel, op: str, dt: DType, out_dt: DType,
                 split_minmax: bool = False):
        self.k, self.op, self.dt, self.out_dt = k, op, dt, out_dt
        b = k.b
        with b.goto_block(k.fn.entry_basic_block):
            b.position_at_start(k.fn.entry_basic_block)
            self.acc_ty = self._acc_type()
            self.acc = b.alloca(self.acc_ty, name="acc")
            self.arg = b.alloca(I64, name="argidx") if op in ("argmax", "argmin") else None
            self.split = split_minmax and op in ("max", "min") and \
                isinstance(self.acc_ty, (ir.FloatType, ir.DoubleType))
            if self.split:
                self.bits_ty = ir.IntType(64 if self.acc_ty == F64 else 32)
                self.nan = b.alloca(I1, name="anynan")
                self.bits = b.alloca(self.bits_ty, name="signs")

    def chunk_acc(self):
        """A float32 accumulator for one chunk of a row sum (see ``ROW_SUM_CHUNK``)."""
        b, k = self.k.b, self.k
        with b.goto_block(k.fn.entry_basic_block):
            b.position_at_start(k.fn.entry_basic_block)
            return b.alloca(F32, name="chunk")

    def _acc_type(self):
        if self.op in ("sum", "mean", "prod") and self.dt.is_float:
            return F64  # accurate float sums: f64 accumulation
        if self.dt.is_bool and self.op in ("max", "min", "argmax", "argmin"):
            return I1
        return compute_type(self.dt)

    def init(self) -> None:
        b, ty = self.k.b, self.acc_ty
        is_float = isinstance(ty, (ir.FloatType, ir.DoubleType))
        if self.op in ("sum", "mean"):
            v = ir.Constant(ty, 0.0 if is_float else 0)
        elif self.op == "prod":
            v = ir.Constant(ty, 1.0 if is_float else 1)
        else:
            hi = self.op in ("min", "argmin")
            if is_float:
                v = ir.Constant(ty, math.inf if hi else -math.inf)
            elif ty == I1:
                v = ir.Constant(I1, 1 if hi else 0)
            else:
                bits = ty.width
                v = ir.Constant(ty, (1 << (bits - 1)) - 1 if hi else -(1 << (bits - 1)))
        b.store(v, self.acc)
        if self.arg is not None:
            b.store(ir.Constant(I64, 0), self.arg)
        if self.split:
            b.store(ir.Constant(I1, 0), self.nan)
            b.store(ir.Constant(self.bits_ty, -1 if self.op == "max" else 0), self.bits)

    def step(self, x: ir.Value, flat_r: ir.Value) -> None:
        b, ty, op = self.k.b, self.acc_ty, self.op
        cur = b.load(self.acc, typ=ty)
        is_float = isinstance(ty, (ir.FloatType, ir.DoubleType))
        if op in ("sum", "mean", "prod"):
            if is_float and x.type != ty:
                x = b.fpext(x, ty)
            if op == "prod":
                new = b.fmul(cur, x, flags=FAST) if is_float else b.mul(cur, x)
            else:
                new = b.fadd(cur, x, flags=FAST) if is_float else b.add(cur, x)
        elif op in ("max", "min") and self.split:
            # NaN-free compare and select (the flags let LLVM vectorize it as vmaxps); a
            # NaN x makes this step's value poison, but then the NaN flag is set and
            # result() never returns it
            quiet = ["nnan", "nsz"]
            better = b.fcmp_ordered(">" if op == "max" else "<", x, cur, flags=quiet)
            new = b.select(better, x, cur, flags=quiet)
            b.store(b.or_(b.load(self.nan, typ=I1), b.fcmp_unordered("uno", x, x)), self.nan)
            bits = b.load(self.bits, typ=self.bits_ty)
            xb = b.bitcast(x, self.bits_ty)
            b.store(b.and_(bits, xb) if op == "max" else b.or_(bits, xb), self.bits)
        elif op in ("max", "min"):
            if is_float:
                name = "maximum" if op == "max" else "minimum"
                new = self.k.em.c.intrinsic(name, ty, [cur, x])
            else:
                cmp = b.icmp_unsigned if ty == I1 else b.icmp_signed
                new = b.select(cmp(">" if op == "max" else "<", x, cur), x, cur)
        else:  # argmax/argmin: the first extreme; the first NaN wins, as in numpy
            if is_float:
                better = b.fcmp_ordered(">" if op == "argmax" else "<", x, cur)
                nan_x = b.fcmp_unordered("uno", x, x)
                num_cur = b.fcmp_ordered("ord", cur, cur)
                better = b.or_(better, b.and_(nan_x, num_cur))
            else:
                cmp = b.icmp_unsigned if ty == I1 else b.icmp_signed
                better = cmp(">" if op == "argmax" else "<", x, cur)
            new = b.select(better, x, cur)
            b.store(b.select(better, flat_r, b.load(self.arg, typ=I64)), self.arg)
        b.store(new, self.acc)

    def result(self, count: int) -> ir.Value:
        b = self.k.b
        if self.arg is not None:
            return b.load(self.arg, typ=I64)
        v = b.load(self.acc, typ=self.acc_ty)
        if self.split:
            # a zero result is -0 if every element has its sign bit set (max; all are
            # <= 0, so one without is a +0) / if any has (min; all are >= 0)
            ty = self.acc_ty
            neg = b.icmp_signed("<", b.load(self.bits, typ=self.bits_ty),
                                ir.Constant(self.bits_ty, 0))
            zero = b.select(neg, ir.Constant(ty, -0.0), ir.Constant(ty, 0.0))
            v = b.select(b.fcmp_ordered("==", v, ir.Constant(ty, 0.0)), zero, v)
            v = b.select(b.load(self.nan, typ=I1), ir.Constant(ty, math.nan), v)
        if self.op == "mean":
            v = b.fdiv(v, ir.Constant(self.acc_ty, float(count)))
        if self.acc_ty == F64 and self.out_dt is not DType.f64:
            v = convert(self.k.em.c, v, DType.f64, self.out_dt)
        elif self.acc_ty == F32 and self.out_dt in (DType.f16, DType.bf16):
            v = convert(self.k.em.c, v, DType.f32, self.out_dt)
        return v
