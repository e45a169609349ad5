"""torsh demo: build a small program in torsh's IR, print it as MLIR text, optimize it,
parse the text back, and run it with the reference interpreter.

Run with `make demo`.
"""

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


def main() -> None:
    print(f"torsh {torsh.__version__}\n")
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


if __name__ == "__main__":
    main()
