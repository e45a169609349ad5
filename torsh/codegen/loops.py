"""The counted loop every kernel emitter builds (JIT kernels and the C API's AOT ones)."""

from __future__ import annotations

from collections.abc import Callable

from llvmlite import ir

I64 = ir.IntType(64)


def counted_loop(fn: ir.Function, b: ir.IRBuilder, lo: ir.Value, hi: ir.Value,
                 body: Callable[[ir.Value], None], tag: str) -> ir.Instruction:
    """``for (i = lo; i < hi; i++) body(i)`` at ``b``'s position (``0 <= lo``); ``b`` is
    left after the loop. Returns the latch branch, for loop metadata."""
    pre = b.block
    head = fn.append_basic_block(f"{tag}.head")
    inner = fn.append_basic_block(f"{tag}.body")
    done = fn.append_basic_block(f"{tag}.done")
    b.branch(head)
    b.position_at_end(head)
    i = b.phi(I64, name=tag)
    i.add_incoming(lo, pre)
    b.cbranch(b.icmp_signed("<", i, hi), inner, done)
    b.position_at_end(inner)
    body(i)
    i.add_incoming(b.add(i, ir.Constant(I64, 1), flags=["nsw", "nuw"]), b.block)
    latch = b.branch(head)
    b.position_at_end(done)
    return latch
