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
