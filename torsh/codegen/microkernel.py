"""The GEMM microkernel: an MR x NR tile of C held in vector registers.

One LLVM function per matmul kernel (``ldc``, the row stride of C, is a constant):

    void ukernel(i64 kc, ptr a, ptr b, ptr c, i64 mrows, i64 ncols, i1 accumulate)

``a`` is a packed A panel (``kc`` steps of MR scalars), ``b`` a packed B panel (``kc``
steps of NR = NV * VW scalars, 64-byte aligned rows). Each step loads NV vectors of B,
broadcasts MR scalars of A and issues MR * NV fused multiply-adds into MR * NV
accumulators that stay in registers for the whole loop. Then the tile is stored
(``accumulate``: added to C): a full tile with vector stores; an edge tile (``mrows`` <
MR or ``ncols`` < NR) through a stack copy, element by element, only its valid part.
"""

from __future__ import annotations

import re

from llvmlite import ir

from torsh.codegen.loops import counted_loop
from torsh.codegen.lowering import F64, I1, I32, I64, PTR

FAST = ["reassoc", "contract", "nsz"]

_PLAIN = "torsh.plain_loop"


def plain_loop_marker(module: ir.Module) -> ir.MDValue:
    """A placeholder loop ID (llvmlite cannot write the self-reference a loop ID needs);
    ``with_plain_loops`` turns it into one that disables vectorizing and unrolling."""
    n = getattr(module, "_plain_loops", 0)
    module._plain_loops = n + 1
    return module.add_metadata([ir.MetaDataString(module, f"{_PLAIN}.{n}")])


def with_plain_loops(text: str) -> str:
    pattern = rf'^(!\d+) = !{{ ?!"{re.escape(_PLAIN)}\.\d+" ?}}$'
    marks = re.findall(pattern, text, flags=re.M)
    if not marks:
        return text
    top = max(int(m) for m in re.findall(r"^!(\d+) =", text, flags=re.M)) + 1
    props = f"!{top}, !{top + 1}"
    text = re.sub(pattern, lambda m: f"{m[1]} = distinct !{{{m[1]}, {props}}}", text,
                  flags=re.M)
    return text.rstrip("\n") + "\n" + (f'!{top} = !{{!"llvm.loop.vectorize.enable", i1 false}}\n'
                   f'!{top + 1} = !{{!"llvm.loop.unroll.disable"}}\n')



class Microkernel:
    def __init__(self, module: ir.Module, ty: ir.Type, vw: int, nv: int, mr: int, ldc: int,
                 name: str):
        self.ty, self.vw, self.nv, self.mr, self.ldc = ty, vw, nv, mr, ldc
        self.nr = vw * nv
        self.vt = ir.VectorType(ty, vw)
        self.esize = 8 if ty == F64 else 4
        fnty = ir.FunctionType(ir.VoidType(), [I64, PTR, PTR, PTR, I64, I64, I1])
        self.fn = ir.Function(module, fnty, name)
        self.fn.linkage = "internal"
        for i in (1, 2, 3):
            self.fn.args[i].add_attribute("noalias")
        suffix = f"v{vw}{'f64' if ty == F64 else 'f32'}"
        fma = module.globals.get(f"llvm.fma.{suffix}")
        self.fma = fma or ir.Function(module, ir.FunctionType(self.vt, [self.vt] * 3),
                                      f"llvm.fma.{suffix}")
        self._build()

    def call(self, b: ir.IRBuilder, kc, a, bp, c, mrows, ncols, accumulate) -> None:
        b.call(self.fn, [kc, a, bp, c, mrows, ncols, accumulate])

    def _build(self) -> None:
        kc, a, bp, c, mrows, ncols, accumulate = self.fn.args
        mr, nv, vw, nr, vt, ty = self.mr, self.nv, self.vw, self.nr, self.vt, self.ty
        entry = self.fn.append_basic_block("entry")
        loop = self.fn.append_basic_block("k")
        done = self.fn.append_basic_block("store")
        b = ir.IRBuilder(entry)
        tile = b.alloca(ir.ArrayType(ty, mr * nr), name="tile")
        tile.align = 64
        tile = b.inttoptr(b.ptrtoint(tile, I64), PTR)  # an untyped pointer for llvmlite
        b.branch(loop)

        b.position_at_end(loop)
        kk = b.phi(I64, name="kk")
        kk.add_incoming(ir.Constant(I64, 0), entry)
        zero = ir.Constant(vt, [ir.Constant(ty, 0.0)] * vw)
        accs = []
        for r in range(mr):
            row = []
            for v in range(nv):
                p = b.phi(vt, name=f"c{r}_{v}")
                p.add_incoming(zero, entry)
                row.append(p)
            accs.append(row)
        boff = b.mul(kk, ir.Constant(I64, nr), flags=["nuw", "nsw"])
        bvec = []
        for v in range(nv):
            ptr = b.gep(bp, [b.add(boff, ir.Constant(I64, v * vw))], source_etype=ty)
            ld = b.load(ptr, typ=vt)
            ld.align = vw * self.esize
            bvec.append(ld)
        aoff = b.mul(kk, ir.Constant(I64, mr), flags=["nuw", "nsw"])
        mask = ir.Constant(ir.VectorType(I32, vw), [ir.Constant(I32, 0)] * vw)
        undef = ir.Constant(vt, ir.Undefined)
        new = []
        for r in range(mr):
            s = b.load(b.gep(a, [b.add(aoff, ir.Constant(I64, r))], source_etype=ty), typ=ty)
            splat = b.shuffle_vector(b.insert_element(undef, s, ir.Constant(I32, 0)), undef,
                                     mask)
            new.append([b.call(self.fma, [splat, bvec[v], accs[r][v]]) for v in range(nv)])
        nxt = b.add(kk, ir.Constant(I64, 1), flags=["nuw", "nsw"])
        for r in range(mr):
            for v in range(nv):
                accs[r][v].add_incoming(new[r][v], loop)
        kk.add_incoming(nxt, loop)
        b.cbranch(b.icmp_signed("<", nxt, kc), loop, done)

        b.position_at_end(done)
        full = b.and_(b.icmp_signed("==", mrows, ir.Constant(I64, mr)),
                      b.icmp_signed("==", ncols, ir.Constant(I64, nr)))
        full_blk = self.fn.append_basic_block("full")
        edge_blk = self.fn.append_basic_block("edge")
        b.cbranch(full, full_blk, edge_blk)

        b.position_at_end(full_blk)
        set_blk = self.fn.append_basic_block("full.set")
        add_blk = self.fn.append_basic_block("full.add")
        b.cbranch(accumulate, add_blk, set_blk)
        for blk, add in ((set_blk, False), (add_blk, True)):
            b.position_at_end(blk)
            for r in range(mr):
                for v in range(nv):
                    ptr = b.gep(c, [ir.Constant(I64, r * self.ldc + v * vw)], source_etype=ty)
                    val = new[r][v]
                    if add:
                        old = b.load(ptr, typ=vt)
                        old.align = self.esize
                        val = b.fadd(old, val, flags=FAST)
                    st = b.store(val, ptr)
                    st.align = self.esize
            b.ret_void()

        b.position_at_end(edge_blk)
        for r in range(mr):
            for v in range(nv):
                ptr = b.gep(tile, [ir.Constant(I64, r * nr + v * vw)], source_etype=ty)
                st = b.store(new[r][v], ptr)
                st.align = self.esize
        self._edge_copy(b, tile, c, mrows, ncols, accumulate)
        b.ret_void()

    def _edge_copy(self, b, tile, c, mrows, ncols, accumulate) -> None:
        """C[r, j] (+)= tile[r, j] for r < mrows, j < ncols."""
        ty = self.ty

        def loop(hi, body, tag):
            latch = counted_loop(self.fn, b, ir.Constant(I64, 0), hi, body, tag)
            latch.set_metadata("llvm.loop", plain_loop_marker(self.fn.module))

        def row(r):
            def col(j):
                src = b.gep(tile, [b.add(b.mul(r, ir.Constant(I64, self.nr)), j)],
                            source_etype=ty)
                x = b.load(src, typ=ty)
                dst = b.gep(c, [b.add(b.mul(r, ir.Constant(I64, self.ldc)), j)],
                            source_etype=ty)
                old = b.load(dst, typ=ty)  # in bounds; ignored unless accumulating
                b.store(b.select(accumulate, b.fadd(old, x, flags=FAST), x), dst)

            loop(ncols, col, "e.j")

        loop(mrows, row, "e.i")
