"""Matmul kernels: ``C = A @ B`` (batched, with an optional fused epilogue) as a packed,
register-blocked GEMM, plus two streaming shapes where packing would not pay.

Strategies (``strategy(...)`` picks one from the static shapes):

- ``packed`` (float): GotoBLAS/BLIS blocking. Per column block (NC) and depth block (KC)
  the kernel packs B into NR-wide panels, per row block (MC) it packs A into MR-tall
  panels (both through the value emitter, so inlined A producers and transposed or
  broadcast operands are read in place, without copies of their own), and a
  microkernel keeps an MR x NR tile of C in vector registers (``<VW x float>`` FMAs:
  each step loads NR/VW vectors of B and broadcasts MR scalars of A). Edge tiles pad the
  panels with clamped (in-bounds) reads and store only their valid rows and columns, so
  any M, N, K works. The parallel range is row strips of MR rows, so threads split rows
  and each packs its own B (no synchronisation inside a launch). Batches whose B does not
  change across the batch (``x[b] @ W``) are folded into the rows.
- ``rowvec`` (float, few rows: vector-matrix): threads split columns; every step of k
  streams one contiguous row of B through an L1-resident row of C.
- ``dot`` (float, few columns: matrix-vector): one vectorized dot product per output.
- ``naive`` (integers, tiny products): ``C[i, :] += A[i, k] * B[k, :]`` row by row; also
  the packed kernel's fallback when its scratch cannot be allocated.

Every output element is accumulated by one thread in one fixed order, so results do not
depend on the thread count. Epilogues (bias, activation: a same-type elementwise chain
from the matmul to the kernel's root) run on a finished block of C while it is in cache.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from llvmlite import ir

from torsh.codegen.lowering import I8, I64, PTR, compute_type
from torsh.codegen.matvec import contiguous_dim, emit_dot, emit_rowvec
from torsh.errors import CompileError
from torsh.ir.core import Value
from torsh.ir.types import DType

if TYPE_CHECKING:
    from torsh.codegen.kernels import _Kernel

FAST = ["reassoc", "contract", "nsz"]

# Blocking for 512-bit vectors (32 registers); hosts without AVX-512 use 256-bit vectors
# and 16 registers. MR x NV accumulators + NV B vectors + 1 broadcast fit the registers.
KC = 256  # depth of a packed block: an MR x KC A panel plus a KC x NR B panel fit L1+L2
MC_PANELS = 12  # rows of a packed A block, in MR panels (MC = 12 * MR)
NC = 4096  # columns of a packed B block (KC x NC lives in L2/L3)
ROWVEC_MAX_ROWS = 4  # at most this many rows (per group): stream B instead of packing
DOT_MAX_COLS = 2  # at most this many columns: dot products instead of packing
NAIVE_MAX_WORK = 4096  # M*N*K at most this: the simple loop


def vector_config(dt: DType, avx512: bool) -> tuple[int, int, int]:
    """(VW lanes per vector, NV vectors per tile row, MR tile rows) for ``dt``."""
    lanes = (64 if avx512 else 32) // (8 if dt is DType.f64 else 4)
    return (lanes, 2, 14) if avx512 else (lanes, 2, 6)


def strategy(dt: DType, rows: int, n: int, k: int, b_layout: str | None = "j") -> str:
    """The kernel shape for ``rows`` x ``k`` @ ``k`` x ``n`` (rows per batch group);
    ``b_layout`` is ``matvec.contiguous_dim(B)``."""
    if not dt.is_float or dt in (DType.f16, DType.bf16) or rows * n * k <= NAIVE_MAX_WORK:
        return "naive"
    if n <= DOT_MAX_COLS:
        return "dot"
    if rows <= ROWVEC_MAX_ROWS and b_layout is not None:
        return "rowvec" if b_layout == "j" else "dot"
    return "packed"


def _avx512() -> bool:
    from torsh.codegen.jit import host

    return "+avx512f" in host().features.split(",")


class MatmulEmitter:
    """Emits the body of a matmul kernel into ``k`` (a ``kernels._Kernel``)."""

    def __init__(self, k: _Kernel, root: Value, mm: Value):
        self.k, self.b, self.em = k, k.b, k.em
        self.root, self.mm = root, mm
        self.a, self.bm = mm.owner.operands
        shape = mm.type.shape
        self.batch, (self.m, self.n) = list(shape[:-2]), shape[-2:]
        self.kd = self.a.type.shape[-1]
        self.dt = mm.type.dtype
        self.ty = compute_type(self.dt)
        self.out = k.out_ptrs[0]
        nbatch = math.prod(self.batch)
        # B the same for every batch: fold the batch into the rows (one big GEMM).
        fold = all(d == 1 for d in self.bm.type.shape[:-2])
        self.groups = 1 if fold else nbatch
        self.rows = self.m * (nbatch if fold else 1)  # rows per group

    def i64(self, n: int) -> ir.Constant:
        return self.em.i64(n)

    def emit(self) -> tuple[int, int]:
        if self.dt in (DType.f16, DType.bf16):
            raise CompileError(f"matmul on {self.dt} is not supported by the code generator yet")
        how = strategy(self.dt, self.rows, self.n, self.kd, contiguous_dim(self.bm))
        if how == "packed":
            return self.packed()
        if how == "rowvec":
            return emit_rowvec(self)
        if how == "dot":
            return emit_dot(self)
        rows = self.groups * self.rows
        self.naive(self.k.start, self.k.end)
        return rows, self.n * self.kd * 2

    # -- indexing ---------------------------------------------------------------------
    def row_index(self, flat_row: ir.Value) -> list:
        """The output index (batch..., i) of a flat row over all batches."""
        return self.k.split(flat_row, self.batch + [self.m])

    def operand_idx(self, v: Value, out_idx: list) -> list:
        """``v``'s batch index for the output's batch index (broadcast dims read 0)."""
        lead = len(self.batch) - (v.type.rank - 2)
        return [self.i64(0) if d == 1 else out_idx[lead + j]
                for j, d in enumerate(v.type.shape[:-2])]

    def c_ptr(self, flat_row: ir.Value, col: ir.Value) -> ir.Value:
        b = self.b
        off = b.add(b.mul(flat_row, self.i64(self.n), flags=["nsw"]), col, flags=["nsw"])
        return b.gep(self.out, [off], source_etype=self.ty)

    def madd(self, acc: ir.Value, x: ir.Value, y: ir.Value) -> ir.Value:
        b = self.b
        if self.dt.is_float:
            return b.fadd(acc, b.fmul(x, y, flags=FAST), flags=FAST)
        return b.add(acc, b.mul(x, y))

    def zero(self) -> ir.Constant:
        return ir.Constant(self.ty, 0.0 if self.dt.is_float else 0)

    def umin(self, x: ir.Value, y: ir.Value) -> ir.Value:
        return self.b.select(self.b.icmp_signed("<", x, y), x, y)

    def epilogue(self, flat_lo: ir.Value, flat_hi: ir.Value, col_lo, col_hi) -> None:
        """C[r, j] = root(C[r, j], ...) in place for rows [lo, hi) x columns [lo, hi)."""
        if self.root is self.mm:
            return
        b, em = self.b, self.em

        def row(r):
            idx = self.row_index(r)

            def col(j):
                ptr = self.c_ptr(r, j)
                em.overrides[self.mm] = lambda _idx: b.load(ptr, typ=self.ty)
                b.store(em.value(self.root, idx + [j]), ptr)
                del em.overrides[self.mm]

            self.k.loop(col_lo, col_hi, col, "ep.j")

        self.k.loop(flat_lo, flat_hi, row, "ep.i", plain=True)

    # -- naive ------------------------------------------------------------------------
    def naive(self, lo: ir.Value, hi: ir.Value) -> None:
        """Flat rows [lo, hi): ``C[i, :] += A[i, k] * B[k, :]`` in the output row."""
        b, em, n = self.b, self.em, self.n

        def row(r):
            idx = self.row_index(r)
            bi, i = idx[:-1], idx[-1]
            self.k.loop(self.i64(0), self.i64(n),
                        lambda j: b.store(self.zero(), self.c_ptr(r, j)), "nv.z", plain=True)

            def over_k(kk):
                aik = em.value(self.a, self.operand_idx(self.a, bi) + [i, kk])

                def over_j(j):
                    bkj = em.value(self.bm, self.operand_idx(self.bm, bi) + [kk, j])
                    ptr = self.c_ptr(r, j)
                    b.store(self.madd(b.load(ptr, typ=self.ty), aik, bkj), ptr)

                self.k.loop(self.i64(0), self.i64(n), over_j, "nv.j", plain=True)

            self.k.loop(self.i64(0), self.i64(self.kd), over_k, "nv.k", plain=True)
            self.epilogue(r, b.add(r, self.i64(1)), self.i64(0), self.i64(n))

        self.k.loop(lo, hi, row, "nv.row", plain=True)

    def umax(self, x: ir.Value, y: ir.Value) -> ir.Value:
        return self.b.select(self.b.icmp_signed(">", x, y), x, y)

    # -- packed -----------------------------------------------------------------------
    def packed(self) -> tuple[int, int]:
        from torsh.codegen.microkernel import Microkernel

        b, k = self.b, self.k
        vw, nv, mr = vector_config(self.dt, _avx512())
        nr = vw * nv
        esize = 8 if self.dt is DType.f64 else 4
        n, kd, rows = self.n, self.kd, self.rows
        kb = -(-kd // KC)
        kc_max = -(-kd // kb)  # even depth blocks
        nb = -(-n // NC)
        nc_max = -(-n // nb)
        nc_pad = -(-nc_max // nr) * nr
        mc_max = min(MC_PANELS * mr, -(-rows // mr) * mr)
        strips = -(-rows // mr)
        uk = Microkernel(self.k.module, self.ty, vw, nv, mr, n, k.fn.name + ".ukernel")

        b_bytes = -(-kc_max * nc_pad * esize // 64) * 64
        a_bytes = mc_max * kc_max * esize
        scratch = self.malloc(b_bytes + a_bytes + 64)
        failed = b.icmp_unsigned("==", scratch, ir.Constant(PTR, None))
        with b.if_else(failed) as (on_fail, on_ok):
            with on_fail:
                self.fallback(strips, mr)
            with on_ok:
                base = b.ptrtoint(scratch, I64)
                base = b.and_(b.add(base, self.i64(63)), self.i64(-64))
                bp = b.inttoptr(base, PTR)
                ap = b.gep(b.inttoptr(base, PTR), [self.i64(b_bytes)], source_etype=I8)
                self.packed_groups(uk, bp, ap, strips, mr, nr, kc_max, kb, nc_max, nb, mc_max)
                self.free(scratch)
        return self.groups * strips, mr * n * kd * 2

    def malloc(self, nbytes: int) -> ir.Value:
        fn = self.k.module.globals.get("malloc") or ir.Function(
            self.k.module, ir.FunctionType(PTR, [I64]), "malloc")
        return self.b.call(fn, [self.i64(nbytes)])

    def free(self, p: ir.Value) -> None:
        fn = self.k.module.globals.get("free") or ir.Function(
            self.k.module, ir.FunctionType(ir.VoidType(), [PTR]), "free")
        self.b.call(fn, [p])

    def strip_rows(self, g: ir.Value, strips: int, mr: int) -> tuple[ir.Value, ir.Value]:
        """Rows [r0, r1) of group ``g`` that this call's strips [start, end) cover."""
        b = self.b
        lo = b.mul(g, self.i64(strips))
        s0 = b.sub(self.umax(self.k.start, lo), lo)
        s1 = b.sub(self.umin(self.k.end, b.add(lo, self.i64(strips))), lo)
        return b.mul(s0, self.i64(mr)), self.umin(b.mul(s1, self.i64(mr)), self.i64(self.rows))

    def for_chunks(self, strips: int, body) -> None:
        """body(g) for every group g that this call's range [start, end) touches, when
        the range is ``strips`` steps per group."""
        b = self.b
        first = b.udiv(self.k.start, self.i64(strips))
        last = b.add(b.udiv(b.sub(self.k.end, self.i64(1)), self.i64(strips)), self.i64(1))
        self.k.loop(first, last, body, "mm.g", plain=True)

    def fallback(self, strips: int, mr: int) -> None:
        def group(g):
            r0, r1 = self.strip_rows(g, strips, mr)
            row0 = self.b.mul(g, self.i64(self.rows))
            self.naive(self.b.add(row0, r0), self.b.add(row0, r1))

        self.for_chunks(strips, group)

    def packed_groups(self, uk, bp, ap, strips, mr, nr, kc_max, kb, nc_max, nb, mc_max):
        b, k, em = self.b, self.k, self.em
        n, kd = self.n, self.kd

        def group(g):
            r0, r1 = self.strip_rows(g, strips, mr)
            row0 = b.mul(g, self.i64(self.rows))
            bi = self.row_index(row0)[:-1]  # B's batch index (any row of the group)
            b_bidx = self.operand_idx(self.bm, bi)
            n_ic = b.udiv(b.add(b.sub(r1, r0), self.i64(mc_max - 1)), self.i64(mc_max))

            def col_block(jb):
                jc = b.mul(jb, self.i64(nc_max))
                nc = self.umin(self.i64(nc_max), b.sub(self.i64(n), jc))
                n_jr = b.udiv(b.add(nc, self.i64(nr - 1)), self.i64(nr))

                def depth_block(pb):
                    pc = b.mul(pb, self.i64(kc_max))
                    kc = self.umin(self.i64(kc_max), b.sub(self.i64(kd), pc))
                    self.pack_b(bp, b_bidx, jc, n_jr, pc, kc, nr, kc_max)
                    accumulate = b.icmp_unsigned("!=", pb, self.i64(0))
                    last = b.icmp_unsigned("==", pb, self.i64(kb - 1))

                    def row_block(ib):
                        ic = b.add(r0, b.mul(ib, self.i64(mc_max)))
                        mc = self.umin(self.i64(mc_max), b.sub(r1, ic))
                        n_ir = b.udiv(b.add(mc, self.i64(mr - 1)), self.i64(mr))
                        self.pack_a(ap, row0, ic, n_ir, pc, kc, mr, kc_max)

                        def over_jr(jr):
                            ncols = self.umin(self.i64(nr),
                                              b.sub(nc, b.mul(jr, self.i64(nr))))
                            bpanel = b.gep(bp, [b.mul(jr, self.i64(nr * kc_max))],
                                           source_etype=self.ty)
                            col = b.add(jc, b.mul(jr, self.i64(nr)))

                            def over_ir(ir_):
                                apanel = b.gep(ap, [b.mul(ir_, self.i64(mr * kc_max))],
                                               source_etype=self.ty)
                                row = b.add(ic, b.mul(ir_, self.i64(mr)))
                                mrows = self.umin(self.i64(mr), b.sub(b.add(ic, mc), row))
                                cp = self.c_ptr(b.add(row0, row), col)
                                uk.call(b, kc, apanel, bpanel, cp, mrows, ncols, accumulate)

                            k.loop(self.i64(0), n_ir, over_ir, "mm.ir", plain=True)

                        k.loop(self.i64(0), n_jr, over_jr, "mm.jr", plain=True)
                        if self.root is not self.mm:
                            with b.if_then(last):
                                em.memo.clear()
                                self.epilogue(b.add(row0, ic), b.add(b.add(row0, ic), mc),
                                              jc, b.add(jc, nc))
                            em.memo.clear()

                    k.loop(self.i64(0), n_ic, row_block, "mm.ic", plain=True)

                k.loop(self.i64(0), self.i64(kb), depth_block, "mm.pc", plain=True)

            k.loop(self.i64(0), self.i64(nb), col_block, "mm.jc", plain=True)

        self.for_chunks(strips, group)

    def pack_b(self, bp, b_bidx, jc, n_jr, pc, kc, nr, kc_max) -> None:
        """Bp[jr][k][c] = B[pc + k, jc + jr*NR + c]; a last panel's columns past N hold
        zeros (their results are never stored)."""
        b, em, k, n = self.b, self.em, self.k, self.n

        def panel(jr):
            col0 = b.add(jc, b.mul(jr, self.i64(nr)))
            ncols = self.umin(self.i64(nr), b.sub(self.i64(n), col0))
            dst0 = b.mul(jr, self.i64(nr * kc_max))

            def over_k(kk):
                src_k = b.add(pc, kk)
                dst = b.add(dst0, b.mul(kk, self.i64(nr)))

                def copy(c):
                    v = em.value(self.bm, b_bidx + [src_k, b.add(col0, c)])
                    b.store(v, b.gep(bp, [b.add(dst, c)], source_etype=self.ty))

                k.loop(self.i64(0), ncols, copy, "pb.c")
                if n % nr:
                    k.loop(ncols, self.i64(nr), lambda c: b.store(self.zero(), b.gep(
                        bp, [b.add(dst, c)], source_etype=self.ty)), "pb.z", plain=True)

            k.loop(self.i64(0), kc, over_k, "pb.k", plain=True)

        k.loop(self.i64(0), n_jr, panel, "pb.jr", plain=True)

    def pack_a(self, ap, row0, ic, n_ir, pc, kc, mr, kc_max) -> None:
        """Ap[ir][k][r] = A[ic + ir*MR + r, pc + k]; rows past the group's last read its
        last row (their results are never stored)."""
        b, em, k = self.b, self.em, self.k
        last_row = self.i64(self.rows - 1)

        def panel(ir_):
            first = b.add(ic, b.mul(ir_, self.i64(mr)))
            dst0 = b.mul(ir_, self.i64(mr * kc_max))

            def row(r):
                idx = self.row_index(b.add(row0, self.umin(b.add(first, r), last_row)))
                lead = self.operand_idx(self.a, idx[:-1]) + [idx[-1]]

                def over_k(kk):
                    v = em.value(self.a, lead + [b.add(pc, kk)])
                    dst = b.add(b.add(dst0, b.mul(kk, self.i64(mr))), r)
                    b.store(v, b.gep(ap, [dst], source_etype=self.ty))

                k.loop(self.i64(0), kc, over_k, "pa.k", plain=True)

            k.loop(self.i64(0), self.i64(mr), row, "pa.r", plain=True)

        k.loop(self.i64(0), n_ir, panel, "pa.ir", plain=True)
