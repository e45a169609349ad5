"""torsh demo.

Part 1 builds a small program in torsh's IR, prints it as MLIR text, optimizes it, parses
the text back and runs it with the reference interpreter. Part 2 runs a real computation
with lazy torsh tensors: it compiles into a few fused kernels, checks the result against
numpy, writes the dumps of every level into a folder, and shows the kernel cache (run the
demo twice: the second run loads every kernel from the disk cache instead of compiling).

Run with `make demo`.
"""

import os
import tempfile
from pathlib import Path

import numpy as np

import torsh
from torsh.ir import Builder, f32, interpret, parse, run_pipeline


def build_mlp_block() -> Builder:
    """relu(x @ w + b) followed by a row softmax, with a few redundancies for the passes."""
    b = Builder()
    with b.func("mlp_block", [((4, 8), f32), ((8, 3), f32), ((3,), f32)]) as (x, w, bias):
        h = b.add(b.matmul(x, w), bias)
        h = b.mul(b.relu(h), b.constant(np.float32(1.0)))       # x*1: canonicalize removes it
        h = b.neg(b.neg(h))                                       # double negation
        m = b.max(h, axes=[1], keepdim=True)
        e = b.exp(b.sub(h, m))
        s = b.sum(e, axes=[1], keepdim=True)
        s2 = b.sum(e, axes=[1], keepdim=True)                     # duplicate: cse merges it
        b.ret(b.div(e, b.maximum(s, s2)))
    return b


def ir_tour() -> None:
    module = build_mlp_block().module
    text = str(module)
    print("== IR as built ==")
    print(text)

    rng = np.random.default_rng(0)
    inputs = [rng.standard_normal(t.shape).astype(np.float32) for t in module.funcs[0].type.inputs]
    before = interpret(module, *inputs)

    run_pipeline(module, "canonicalize,cse,dce")
    optimized = str(module)
    print("== after canonicalize,cse,dce ==")
    print(optimized)

    reparsed = parse(optimized)
    print("== parsed back and printed again ==")
    print(reparsed)
    assert str(reparsed) == optimized, "round trip changed the text"
    after = interpret(reparsed, *inputs)
    np.testing.assert_allclose(after, before, rtol=1.3e-6, atol=1e-5)
    print("round trip: byte-identical text; interpreter gives the same result before and "
          "after the passes")
    print("row sums of the softmax output:", np.round(after.sum(axis=1), 6))


def compiled_tour(dump_dir: Path) -> None:
    """A 2-layer MLP forward pass with softmax on lazy tensors."""
    from torsh.codegen import STATS
    from torsh.plan import graph_plan

    torsh.manual_seed(0)
    x = torsh.randn(256, 64)
    w1, b1 = torsh.randn(64, 128) * 0.1, torsh.zeros(128)
    w2, b2 = torsh.randn(128, 10) * 0.1, torsh.zeros(10)
    torsh.realize(w1, b1, w2, b2)  # parameters are buffers, as they would be in training

    def forward(x):
        h = torsh.relu(x @ w1 + b1)
        return torsh.softmax(h @ w2 + b2, dim=1)

    probs = forward(x)
    plan = graph_plan([probs])
    print(f"the forward graph ({len(list(torsh.ir.parse(torsh.ir.dump(probs)).walk())) - 1} "
          f"ops) fused into {len(plan.steps)} kernels:")
    for step in plan.steps:
        info = step.kernel.info
        print(f"  {info.kind:12s} range {info.range:6d}  {step.kernel.name}")
    for level, ext in (("graph", "mlir"), ("kernels", "mlir"), ("llvm", "ll"), ("asm", "s")):
        (dump_dir / f"forward.{level}.{ext}").write_text(torsh.ir.dump(probs, level))
    (dump_dir / "forward.dot").write_text(torsh.ir.to_dot(probs))
    print(f"dumps of every level written to {dump_dir}/ (graph, kernels, llvm, asm, dot)")

    out = probs.numpy()
    h = np.maximum(x.numpy() @ w1.numpy() + b1.numpy(), 0)
    z = h @ w2.numpy() + b2.numpy()
    ref = np.exp(z - z.max(1, keepdims=True))
    ref /= ref.sum(1, keepdims=True)
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-6)
    print(f"result matches numpy; predicted classes of the first 8 rows: "
          f"{out[:8].argmax(1).tolist()}")

    before = STATS.compiles
    forward(torsh.randn(256, 64)).numpy()  # new data, same structure: the plan replays
    print(f"second batch: {STATS.compiles - before} new compiles, plan cache hits "
          f"{STATS.plan_hits}")
    print(f"kernel cache: {STATS.compiles} compiled, {STATS.disk_hits} loaded from disk "
          f"({torsh.codegen.cache_dir()})")


def main() -> None:
    print(f"torsh {torsh.__version__}\n")
    ir_tour()
    print("\n== compiled tensors ==")
    dump_dir = Path(os.environ.get("TORSH_DEMO_DIR", Path(tempfile.gettempdir()) / "torsh_demo"))
    dump_dir.mkdir(parents=True, exist_ok=True)
    compiled_tour(dump_dir)


if __name__ == "__main__":
    main()
