"""The polynomial float32 exp/log/tanh (and what is built on them) against numpy over the
whole float32 range: random bit patterns (every exponent), special values, and the
overflow/underflow edges."""

import numpy as np
import pytest

import torsh

SPECIAL = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, -1e-45, 1.1754944e-38,
                    -1.1754944e-38, 88.72283, 88.72284, 88.8, -87.33655, -103.97207, -103.97209,
                    -150.0, 1.0, -1.0, 0.625, -0.625, 0.62499994, 9.0, -9.0, 1e-8, 3.4028235e38,
                    -3.4028235e38, 0.5, 2.0, 1.4142135, 0.70710677], np.float32)


def _inputs(n=1 << 20, seed=0):
    bits = np.random.default_rng(seed).integers(0, 2 ** 32, size=n, dtype=np.uint64)
    return np.concatenate([bits.astype(np.uint32).view(np.float32), SPECIAL])


def _ulp(a, b):
    ia = a.view(np.int32).astype(np.int64)
    ib = b.view(np.int32).astype(np.int64)
    ia = np.where(ia < 0, -(ia & 0x7FFFFFFF), ia)  # monotonic integer order across signs
    ib = np.where(ib < 0, -(ib & 0x7FFFFFFF), ib)
    return np.abs(ia - ib)


@pytest.mark.parametrize("name, ref", [
    ("exp", np.exp), ("log", np.log), ("tanh", np.tanh),
    ("sigmoid", lambda x: 1 / (1 + np.exp(-x))),
    ("silu", lambda x: x / (1 + np.exp(-x))),
])
def test_float32_accuracy_over_the_whole_range(name, ref):
    x = _inputs()
    got = getattr(torsh, name)(torsh.from_numpy(x)).numpy()
    with np.errstate(all="ignore"):
        want = ref(x.astype(np.float64)).astype(np.float32)
    close = np.isclose(got, want, rtol=1.3e-6, atol=1e-5, equal_nan=True)
    assert close.all(), (x[~close][:5], got[~close][:5], want[~close][:5])
    same_class = np.isnan(got) == np.isnan(want)
    same_class &= np.isinf(got) == np.isinf(want)
    assert same_class.all()
    finite = np.isfinite(want) & (np.abs(want) > 1e-30)
    if name in ("exp", "log", "tanh"):
        assert _ulp(got[finite], want[finite]).max() <= 2


def test_signed_zero_and_special_values():
    x = torsh.tensor([-0.0, 0.0, float("inf"), float("-inf"), float("nan")])
    assert np.signbit(torsh.tanh(x).numpy()[0])
    np.testing.assert_array_equal(torsh.exp(x).numpy()[:4], [1, 1, np.inf, 0])
    logs = torsh.log(x).numpy()
    assert logs[0] == -np.inf and logs[1] == -np.inf and logs[2] == np.inf
    assert np.isnan(logs[3]) and np.isnan(logs[4])


def test_vectorized_code_has_no_libm_call_for_exp():
    if "avx512f" not in torsh.codegen.jit.host().features.replace("+", " ").split(",") and \
            "+avx512f" not in torsh.codegen.jit.host().features:
        pytest.skip("host CPU has no AVX-512F; the zmm check is for AVX-512 machines")
    x = torsh.randn(4096)
    asm = torsh.ir.dump(torsh.exp(x) * 2, "asm")
    assert "expf" not in asm
    assert "zmm" in asm


def _exp_kernel(avx512: bool):
    """exp_f32 over an array, built with or without the AVX-512 exponent step (ldexp as
    one vscalefps; without: 2**n from exponent bits, as on AVX2 hosts and the AOT
    library)."""
    import ctypes

    from llvmlite import ir

    from torsh.codegen import jit, vecmath
    from torsh.codegen.loops import counted_loop
    from torsh.codegen.lowering import F32, I64, PTR, Ctx

    module = ir.Module(name=f"exp_{avx512}")
    fn = ir.Function(module, ir.FunctionType(ir.VoidType(), [PTR, PTR, I64]), "expk")
    src, dst, n = fn.args
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    c = Ctx(b, module, avx512=avx512)

    def body(i):
        x = b.load(b.gep(src, [i], source_etype=F32), typ=F32)
        b.store(vecmath.exp_f32(c, x), b.gep(dst, [i], source_etype=F32))

    counted_loop(fn, b, ir.Constant(I64, 0), n, body, "i")
    b.ret_void()
    engine = jit.Engine(jit.optimize(str(module)))
    kernel = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64)(
        engine.address("expk"))

    def run(x):
        out = np.empty_like(x)
        kernel(x.ctypes.data, out.ctypes.data, x.size)
        return out

    run.engine = engine  # keeps the code alive
    return run


@pytest.mark.parametrize("avx512", [False, True])
def test_exp_both_exponent_steps_over_the_range_and_its_edges(avx512):
    """The clamp bounds and the exponent step make overflow, underflow (through the
    denormals), inf and nan come out right without a select per special value: every
    float32 in the edge ranges, and a stride through all of them."""
    if avx512 and not torsh.codegen.jit.host_has_avx512():
        pytest.skip("host CPU has no AVX-512F")
    run = _exp_kernel(avx512)
    edges = [np.arange(np.float32(lo).view(np.int32), np.float32(hi).view(np.int32),
                       dtype=np.int32).view(np.float32)
             for lo, hi in ((88.0, 89.5), (-86.0, -106.0))]
    stride = np.arange(0, 2 ** 32, 997, dtype=np.uint64).astype(np.uint32).view(np.float32)
    x = np.concatenate(edges + [stride, SPECIAL, np.array([np.nan, -np.nan], np.float32)])
    got = run(x)
    with np.errstate(all="ignore"):
        want = np.exp(x.astype(np.float64)).astype(np.float32)
    assert (np.isnan(got) == np.isnan(want)).all()
    assert (np.isinf(got) == np.isinf(want)).all()
    finite = np.isfinite(want)  # denormals and 0 included: 2 ulp there is 2 * 2**-149
    assert _ulp(got[finite], want[finite]).max() <= 2
    np.testing.assert_array_equal(run(np.array([np.inf, -np.inf, -1e30, 1e30, -104.5, 89.5],
                                               np.float32)), [np.inf, 0, 0, np.inf, 0, np.inf])
