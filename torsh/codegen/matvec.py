"""Matmul shapes where packing does not pay: few rows (vector-matrix) and few columns
(matrix-vector), or B stored transposed with few rows. Both read B exactly once.

- ``rowvec``: B's rows are contiguous in memory (a plain buffer). The range is column
  chunks; a call streams B row by row over its columns and accumulates into an
  L1-resident buffer placed 2 KiB away from B's rows modulo 4 KiB: accumulating into C
  itself stalls on false store-to-load dependencies (4K aliasing) whenever C happens to
  sit just behind B modulo 4 KiB and B's row stride is a multiple of 4 KiB. (Keeping the
  block in registers instead reads B in short strided runs, which is slower still.)
- ``dot``: one output element is a reduction over k, contiguous in A's row and (for a
  transposed B or a column vector) in B's column; LLVM vectorizes it. The range is
  (row, column chunk) pairs, so even one row uses every thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from llvmlite import ir

from torsh.codegen.emitter import contiguous_strides
from torsh.codegen.lowering import I64, PTR
from torsh.ir.core import BlockArgument, OpResult, Value
from torsh.ir.types import DType

if TYPE_CHECKING:
    from torsh.codegen.matmul import MatmulEmitter

DOT_CHUNK = 16  # columns per range step in dot


def contiguous_dim(v: Value) -> str | None:
    """"j" when ``v`` is a buffer read in place (its last dim is contiguous), "k" when it
    is a buffer with its last two dims swapped (its second-to-last dim is contiguous),
    else None."""
    if isinstance(v, BlockArgument):
        return "j"
    if isinstance(v, OpResult) and v.owner.name == "torsh.permute" and \
            isinstance(v.owner.operands[0], BlockArgument):
        dims = tuple(v.owner.attributes.get("dims", ()))
        r = len(dims)
        if r >= 2 and dims == tuple(range(r - 2)) + (r - 1, r - 2):
            return "k"
    return None


def emit_rowvec(me: MatmulEmitter) -> tuple[int, int]:
    """Range = groups x column chunks. A call accumulates its columns [c0, c1) of the R
    rows in a stack buffer (at most 16 KiB: L1) one row of B at a time, width columns
    per pass, then writes C (and the epilogue) once."""
    b, k, em = me.b, me.k, me.em
    cw = 64
    rows, n, kd = me.rows, me.n, me.kd
    chunks = -(-n // cw)
    esize = 8 if me.dt is DType.f64 else 4
    width = max(cw, 16384 // (esize * rows) // cw * cw)
    with b.goto_block(k.fn.entry_basic_block):
        b.position_at_start(k.fn.entry_basic_block)
        buf = b.alloca(ir.ArrayType(me.ty, rows * width + 4096 // esize), name="rv.acc")
        buf.align = 64
        raw = b.ptrtoint(buf, I64)
        buf.type = PTR  # an untyped pointer for llvmlite's type checks
    plain = contiguous_dim(me.bm) == "j"

    def group(g):
        lo = b.mul(g, me.i64(chunks))
        c0 = b.mul(b.sub(me.umax(k.start, lo), lo), me.i64(cw))
        hi = b.sub(me.umin(k.end, b.add(lo, me.i64(chunks))), lo)
        c1 = me.umin(b.mul(hi, me.i64(cw)), me.i64(n))
        row0 = b.mul(g, me.i64(rows))
        idxs = [me.row_index(b.add(row0, me.i64(r))) for r in range(rows)]
        b_bidx = me.operand_idx(me.bm, idxs[0][:-1])
        nblk = b.udiv(b.add(b.sub(c1, c0), me.i64(width - 1)), me.i64(width))

        def block(jb):
            j0 = b.add(c0, b.mul(jb, me.i64(width)))
            j1 = me.umin(b.add(j0, me.i64(width)), c1)
            delta = me.i64(0)
            if plain:  # 2 KiB away from B's row modulo 4 KiB: no false store-load hazards
                brow = em.offset(b_bidx + [me.i64(0), j0],
                                 contiguous_strides(me.bm.type.shape))
                baddr = b.ptrtoint(b.gep(em.arg_ptrs[me.bm], [brow], source_etype=me.ty),
                                   I64)
                want = b.and_(b.add(baddr, me.i64(2048)), me.i64(4096 - 64))
                delta = b.and_(b.sub(want, raw), me.i64(4095))
            acc = b.gep(buf, [delta], source_etype=ir.IntType(8))

            def slot(r, j):
                off = b.add(me.i64(r * width), b.sub(j, j0))
                return b.gep(acc, [off], source_etype=me.ty)

            for r in range(rows):
                k.loop(j0, j1, lambda j, r=r: b.store(me.zero(), slot(r, j)), "rv.z")

            def rows_of_b(k0, count: int, tag: str):
                """acc[r, :] += sum over u < count of A[r, k0 + u] * B[k0 + u, :]"""
                ks = [b.add(k0, me.i64(u)) if u else k0 for u in range(count)]
                for r in range(rows):
                    lead = me.operand_idx(me.a, idxs[r][:-1]) + [idxs[r][-1]]
                    aks = [em.value(me.a, lead + [kk]) for kk in ks]

                    def over_j(j, r=r, aks=aks):
                        p = slot(r, j)
                        acc = b.load(p, typ=me.ty)
                        for kk, aik in zip(ks, aks):
                            acc = me.madd(acc, aik, em.value(me.bm, b_bidx + [kk, j]))
                        b.store(acc, p)

                    k.loop(j0, j1, over_j, f"{tag}{r}")

            unroll = 4  # rows of B per pass over the accumulators: a quarter of the traffic
            k.loop(me.i64(0), me.i64(kd // unroll),
                   lambda q: rows_of_b(b.mul(q, me.i64(unroll)), unroll, "rv.j"), "rv.k")
            if kd % unroll:
                rows_of_b(me.i64(kd - kd % unroll), kd % unroll, "rv.jt")

            def store_row(r):
                fr = b.add(row0, me.i64(r))
                k.loop(j0, j1, lambda j: b.store(b.load(slot(r, j), typ=me.ty),
                                                 me.c_ptr(fr, j)), "rv.s")

            for r in range(rows):
                store_row(r)

        k.loop(me.i64(0), nblk, block, "rv.blk")
        me.epilogue(row0, b.add(row0, me.i64(rows)), c0, c1)

    me.for_chunks(chunks, group)
    return me.groups * chunks, rows * cw * kd * 2


def emit_dot(me: MatmulEmitter) -> tuple[int, int]:
    """Range = (flat row, column chunk) pairs; each output is one reduction over k."""
    b, k, em = me.b, me.k, me.em
    n = me.n
    chunk = min(n, DOT_CHUNK)
    chunks = -(-n // chunk)
    with b.goto_block(k.fn.entry_basic_block):
        b.position_at_start(k.fn.entry_basic_block)
        acc = b.alloca(me.ty, name="dot.acc")

    def step(s):
        r = b.udiv(s, me.i64(chunks))
        j0 = b.mul(b.urem(s, me.i64(chunks)), me.i64(chunk))
        j1 = me.umin(b.add(j0, me.i64(chunk)), me.i64(n))
        idx = me.row_index(r)
        bi, i = idx[:-1], idx[-1]

        def col(j):
            b.store(me.zero(), acc)

            def over_k(kk):
                x = em.value(me.a, me.operand_idx(me.a, bi) + [i, kk])
                y = em.value(me.bm, me.operand_idx(me.bm, bi) + [kk, j])
                b.store(me.madd(b.load(acc, typ=me.ty), x, y), acc)

            k.loop(me.i64(0), me.i64(me.kd), over_k, "dot.k")
            b.store(b.load(acc, typ=me.ty), me.c_ptr(r, j))

        k.loop(j0, j1, col, "dot.j")
        me.epilogue(r, b.add(r, me.i64(1)), j0, j1)

    k.loop(k.start, k.end, step, "dot.s")
    return me.groups * me.rows * chunks, chunk * me.kd * 2
