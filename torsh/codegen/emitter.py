"""The value emitter: the scalar LLVM value of an IR value at a multi-index.

Elementwise ops are lowered through ``lowering.LOWER``; movement ops (permute, expand,
slice, reshape, concat) and broadcasting only rewrite the index their operand is read at,
so they never copy. Values are memoized per loop body by (value, index).
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir

from torsh.codegen.lowering import (
    I1,
    I8,
    I64,
    LOWER,
    Ctx,
    bf16_to_f32,
    compute_type,
    f32_to_bf16,
    round_to,
    storage_type,
)
from torsh.errors import CompileError
from torsh.ir.bf16 import to_bf16_bits
from torsh.ir.core import BlockArgument, OpResult, Value
from torsh.ir.ops import lookup, with_defaults
from torsh.ir.types import DType


def contiguous_strides(shape) -> list[int]:
    strides, acc = [], 1
    for d in reversed(shape):
        strides.append(acc)
        acc *= d
    return strides[::-1]


class Emitter:
    """Emits the scalar value of an IR value at a multi-index, memoized per loop body."""

    def __init__(self, ctx: Ctx, arg_ptrs: dict[Value, ir.Value]):
        self.c = ctx
        self.b = ctx.b
        self.arg_ptrs = arg_ptrs
        self.memo: dict[tuple, ir.Value] = {}
        # values whose scalar comes from somewhere else (a matmul epilogue reads the
        # accumulated output row instead of recomputing the product)
        self.overrides: dict[Value, object] = {}
        # divisors constant over a row kernel's row (its row reductions), with their
        # reciprocal computed once per row: div(x, d) becomes x * (1/d), one multiply per
        # element instead of a division (about half of softmax's time on AVX-512); within
        # 2 ulp of the quotient, as torch's softmax, which multiplies by 1/sum too
        self.reciprocals: dict[Value, ir.Value] = {}
        self._consts: dict[int, ir.Constant] = {}
        self._globals: dict[int, ir.GlobalVariable] = {}

    def i64(self, n: int) -> ir.Constant:
        if n not in self._consts:
            self._consts[n] = ir.Constant(I64, n)
        return self._consts[n]

    def offset(self, idx: list, strides: list[int]) -> ir.Value:
        total = None
        for i, s in zip(idx, strides):
            if s == 0 or (isinstance(i, ir.Constant) and i.constant == 0):
                continue
            term = i if s == 1 else self.b.mul(i, self.i64(s), flags=["nsw"])
            total = term if total is None else self.b.add(total, term, flags=["nsw"])
        return total if total is not None else self.i64(0)

    def load(self, ptr: ir.Value, offset: ir.Value, dt: DType) -> ir.Value:
        st = storage_type(dt)
        raw = self.b.load(self.b.gep(ptr, [offset], source_etype=st), typ=st)
        if dt is DType.bf16:
            return bf16_to_f32(self.b, raw)
        if dt is DType.f16:
            return self.b.fpext(raw, compute_type(dt))
        if dt is DType.i1:
            return self.b.icmp_unsigned("!=", raw, ir.Constant(I8, 0))
        return raw

    def store(self, ptr: ir.Value, offset: ir.Value, v: ir.Value, dt: DType) -> None:
        st = storage_type(dt)
        if dt is DType.bf16:
            v = f32_to_bf16(self.b, v)
        elif dt is DType.f16:
            v = self.b.fptrunc(v, st)
        elif dt is DType.i1:
            v = self.b.zext(v, I8)
        self.b.store(v, self.b.gep(ptr, [offset], source_etype=st))

    def value(self, v: Value, idx: list) -> ir.Value:
        if v in self.overrides:
            return self.overrides[v](idx)
        key = (v, tuple(id(i) for i in idx))
        hit = self.memo.get(key)
        if hit is None:
            hit = self.memo[key] = self._compute(v, idx)
        return hit

    def _compute(self, v: Value, idx: list) -> ir.Value:
        t = v.type
        if isinstance(v, BlockArgument):
            return self.load(self.arg_ptrs[v], self.offset(idx, contiguous_strides(t.shape)),
                             t.dtype)
        assert isinstance(v, OpResult)
        op = v.owner
        opdef = lookup(op.name)
        attrs = with_defaults(opdef, op.attributes) if opdef else {}
        name = opdef.name if opdef else op.name
        if name == "constant":
            return self._constant(attrs["value"], idx)
        if name == "permute":
            src = [None] * len(idx)
            for i, d in enumerate(attrs["dims"]):
                src[d] = idx[i]
            return self.value(op.operands[0], src)
        if name == "expand":
            return self.value(op.operands[0], self._broadcast_idx(op.operands[0], idx))
        if name == "slice":
            src = []
            for i, b_, s in zip(idx, attrs["start"], attrs["step"]):
                j = i if s == 1 else self.b.mul(i, self.i64(s), flags=["nsw"])
                src.append(j if b_ == 0 else self.b.add(j, self.i64(b_), flags=["nsw"]))
            return self.value(op.operands[0], src)
        if name == "insert_slice":
            return self._insert_slice(op.operands[0], attrs, idx, t.dtype)
        if name == "reshape":
            x = op.operands[0]
            flat = self.offset(idx, contiguous_strides(t.shape))
            src = []
            for d, s in zip(x.type.shape, contiguous_strides(x.type.shape)):
                q = flat if s == 1 else self.b.udiv(flat, self.i64(s))
                src.append(self.b.urem(q, self.i64(d)))
            return self.value(x, src)
        if name == "take":
            x, index = op.operands
            axis = attrs["axis"] % x.type.rank
            k = index.type.rank
            j = self._clamped_index(self.value(index, idx[axis:axis + k]), x.type.shape[axis])
            return self.value(x, idx[:axis] + [j] + idx[axis + k:])
        if name == "gather":
            x, index = op.operands
            if x.type.rank == 0:
                return self.value(x, [])
            axis = attrs["axis"] % x.type.rank
            j = self._clamped_index(self.value(index, idx), x.type.shape[axis])
            return self.value(x, idx[:axis] + [j] + idx[axis + 1:])
        if name == "concat":
            return self._concat(op, attrs["axis"], idx)
        if opdef is None or not opdef.has("elementwise") or name not in LOWER:
            raise CompileError(f"{op.name} cannot be lowered into an elementwise kernel")
        if name == "div" and op.operands[1] in self.reciprocals:
            out = self.b.fmul(self.value(op.operands[0], self._broadcast_idx(op.operands[0], idx)),
                              self.reciprocals[op.operands[1]])
            return round_to(self.c, out, t.dtype)
        args = [self.value(u, self._broadcast_idx(u, idx)) for u in op.operands]
        dtype = op.operands[-1].type.dtype  # where: the value operands' dtype
        out = LOWER[name](self.c, dtype, args, attrs)
        return round_to(self.c, out, t.dtype) if name != "cast" else out

    def _insert_slice(self, x: Value, attrs: dict, idx: list, dt: DType) -> ir.Value:
        """Inside the slice: the operand at (i - start) / step; elsewhere zero. The operand
        is read at a clamped index either way, then selected."""
        b = self.b
        inside = ir.Constant(I1, 1)
        src = []
        for i, start, stop, step, n in zip(idx, attrs["start"], attrs["stop"], attrs["step"],
                                           x.type.shape):
            rel = b.sub(i, self.i64(start)) if start else i
            ok = b.and_(b.icmp_signed(">=", i, self.i64(start)),
                        b.icmp_signed("<", i, self.i64(stop)))
            if step != 1:
                ok = b.and_(ok, b.icmp_signed("==", b.srem(rel, self.i64(step)), self.i64(0)))
                rel = b.sdiv(rel, self.i64(step))
            inside = b.and_(inside, ok)
            src.append(self._clamped_index(rel, n))
        v = self.value(x, src)
        return b.select(inside, v, ir.Constant(v.type, 0.0 if dt.is_float else 0))

    def _clamped_index(self, j: ir.Value, size: int) -> ir.Value:
        """An index value as i64, clamped into [0, size): data never reads out of bounds."""
        if j.type != I64:
            j = self.b.sext(j, I64)
        lo = self.b.select(self.b.icmp_signed("<", j, self.i64(0)), self.i64(0), j)
        top = self.i64(max(size - 1, 0))
        return self.b.select(self.b.icmp_signed(">", lo, top), top, lo)

    def _concat(self, op, axis: int, idx: list) -> ir.Value:
        """Read every operand at a clamped (always in-bounds) index, then select the one
        whose slab holds idx[axis]."""
        axis %= len(idx)
        pos = idx[axis]
        result = None
        start = 0
        for u in op.operands:
            size = u.type.shape[axis]
            if size == 0:
                continue
            local = self.b.sub(pos, self.i64(start)) if start else pos
            lo = self.b.select(self.b.icmp_signed("<", local, self.i64(0)), self.i64(0), local)
            hi = self.b.select(self.b.icmp_signed(">", lo, self.i64(size - 1)),
                               self.i64(size - 1), lo)
            v = self.value(u, idx[:axis] + [hi] + idx[axis + 1:])
            if result is None:
                result = v
            else:
                result = self.b.select(self.b.icmp_signed(">=", pos, self.i64(start)), v, result)
            start += size
        if result is None:
            # Every operand is empty along the axis, so the result has no elements and the
            # loop reading this value never runs: any value of the type will do.
            return ir.Constant(compute_type(op.result.type.dtype), 0)
        return result

    def _broadcast_idx(self, u: Value, idx: list) -> list:
        shape = u.type.shape
        lead = len(idx) - len(shape)
        return [self.i64(0) if d == 1 else idx[lead + k] for k, d in enumerate(shape)]

    def _constant(self, dense, idx: list) -> ir.Value:
        arr = dense.array
        dt = dense.type.dtype
        flat = arr.reshape(-1)
        if flat.size and (flat == flat[0]).all() and not (dt.is_float and np.signbit(flat).any()
                                                          and not np.signbit(flat).all()):
            return self._scalar_constant(flat[0], dt)
        g = self._globals.get(id(dense))
        if g is None:
            raw = to_bf16_bits(arr).tobytes() if dt is DType.bf16 else \
                np.ascontiguousarray(arr, dtype=np.dtype(dt.numpy).newbyteorder("<")).tobytes()
            ty = ir.ArrayType(I8, len(raw))
            g = ir.GlobalVariable(self.c.module, ty, f"const{len(self._globals)}")
            g.global_constant = True
            g.linkage = "internal"
            g.align = 64
            g.initializer = ir.Constant(ty, bytearray(raw))
            self._globals[id(dense)] = g
        return self.load(g, self.offset(idx, contiguous_strides(dense.type.shape)), dt)

    def _scalar_constant(self, x, dt: DType) -> ir.Value:
        ty = compute_type(dt)
        if dt is DType.i1:
            return ir.Constant(I1, int(bool(x)))
        if dt.is_float:
            return ir.Constant(ty, float(x))
        return ir.Constant(ty, int(x))
