"""The reference interpreter: passes never change the numbers of any golden program, and a
handful of ops agree with plain numpy."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings

from tests.ir.helpers import (
    GOLDEN_FILES,
    assert_same_results,
    golden_id,
    random_input,
)
from tests.ir.strategies import modules
from torsh.errors import DTypeError, ShapeMismatchError
from torsh.ir import (
    Builder,
    Module,
    bf16,
    f32,
    f64,
    i1,
    i8,
    i32,
    i64,
    interpret,
    parse,
    run_pipeline,
    verify,
)

PIPELINES = ["canonicalize", "cse", "dce", "canonicalize,cse,dce"]


def _inputs(module: Module, seed: str) -> dict[str, list[np.ndarray]]:
    rng = np.random.default_rng(list(seed.encode()))
    return {f.name: [random_input(a.type, rng) for a in f.args] for f in module.funcs}


@pytest.mark.parametrize("pipeline", PIPELINES)
@pytest.mark.parametrize("path", GOLDEN_FILES, ids=golden_id)
def test_passes_preserve_the_numbers_of_every_golden_program(path, pipeline):
    text = path.read_text()
    original = parse(text)
    inputs = _inputs(original, path.stem)
    expected = {f.name: interpret(original, *inputs[f.name], func=f.name)
                for f in original.funcs}

    rewritten = parse(text)
    run_pipeline(rewritten, pipeline, verify_each=True)
    verify(rewritten)
    printed = str(rewritten)
    assert str(parse(printed)) == printed
    for f in rewritten.funcs:
        got = interpret(rewritten, *inputs[f.name], func=f.name)
        assert_same_results(got, expected[f.name], f.type.results)


@settings(max_examples=100, deadline=None)
@given(modules())
def test_passes_preserve_the_numbers_of_random_modules(module):
    """Every function with static arguments runs in the interpreter (a verified module
    never crashes it) and gives the same numbers after canonicalize,cse,dce."""
    rewritten = parse(str(module))
    rng = np.random.default_rng(0)
    with warnings.catch_warnings():
        # numpy warns about the mean of an empty axis (NaN, as documented) in folding too
        warnings.filterwarnings("ignore", "Mean of empty slice", RuntimeWarning)
        run_pipeline(rewritten, "canonicalize,cse,dce", verify_each=True)
        for f in module.funcs:
            if not all(a.type.is_static for a in f.args):
                continue
            inputs = [random_input(a.type, rng) for a in f.args]
            expected = interpret(module, *inputs, func=f.name)
            got = interpret(rewritten, *inputs, func=f.name)
            assert_same_results(got, expected, f.type.results)


def test_the_pipeline_does_rewrite_the_canonical_golden_program():
    path = next(p for p in GOLDEN_FILES if p.stem == "canonical")
    module = parse(path.read_text())
    before = sum(1 for _ in module.walk())
    run_pipeline(module, "canonicalize,cse,dce")
    after = sum(1 for _ in module.walk())
    assert after < before / 2, (before, after)


def test_interpreting_the_text_or_the_built_module_gives_the_same_numbers():
    b = Builder()
    with b.func("f", [((2, 3), f32), ((3,), f32)]) as (x, y):
        b.ret(b.tanh(b.add(x, y)))
    rng = np.random.default_rng(0)
    args = [rng.standard_normal((2, 3)).astype(np.float32),
            rng.standard_normal(3).astype(np.float32)]
    reparsed = parse(str(b.module))
    np.testing.assert_array_equal(interpret(b.module, *args), interpret(reparsed, *args))


# ------------------------------------------------------------- op semantics against numpy

def _run1(arg_types, build, *args):
    b = Builder()
    with b.func("f", arg_types) as vals:
        out = build(b, *vals)
        b.ret(*(out if isinstance(out, tuple) else (out,)))
    verify(b.module)
    return interpret(b.module, *args)


RNG = np.random.default_rng(42)


def test_broadcast_add():
    a = RNG.standard_normal((2, 1, 3)).astype(np.float32)
    c = RNG.standard_normal((4, 1)).astype(np.float32)
    got = _run1([((2, 1, 3), f32), ((4, 1), f32)], lambda b, x, y: b.add(x, y), a, c)
    assert got.shape == (2, 4, 3)
    np.testing.assert_array_equal(got, a + c)


def test_sum_with_keepdim_and_negative_axes():
    x = RNG.standard_normal((2, 3, 4))
    got = _run1([((2, 3, 4), f64)], lambda b, v: (b.sum(v, axes=[0, -1], keepdim=True),
                                                  b.sum(v, axes=[1]),
                                                  b.sum(v, axes=[0, 1, 2])), x)
    np.testing.assert_allclose(got[0], x.sum(axis=(0, 2), keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(got[1], x.sum(axis=1), rtol=1e-12)
    assert got[0].shape == (1, 3, 1) and got[2].shape == ()
    np.testing.assert_allclose(got[2], x.sum(), rtol=1e-12)


def test_zero_d_results_and_constants_are_zero_d():
    got = _run1([((), f32)], lambda b, v: (b.add(v, b.constant(np.float32(1.5))),
                                           b.max(v, axes=[])), np.array(2.0, np.float32))
    assert [g.shape for g in got] == [(), ()]
    assert got[0] == np.float32(3.5)


def test_integer_sum_keeps_its_dtype_and_wraps():
    x = np.array([100, 100, 100], np.int8)
    got = _run1([((3,), i8)], lambda b, v: b.sum(v, axes=[0]), x)
    assert got.dtype == np.int8 and got == np.int8(44)  # 300 mod 256


def test_argmax_argmin_first_index_on_ties_and_nan():
    x = np.array([[1.0, 3.0, 3.0, 0.0], [np.nan, 2.0, np.nan, -1.0]], np.float32)
    got = _run1([((2, 4), f32)], lambda b, v: (b.argmax(v, axis=1), b.argmin(v, axis=-1,
                                                                             keepdim=True)), x)
    np.testing.assert_array_equal(got[0], np.argmax(x, axis=1))
    np.testing.assert_array_equal(got[0], [1, 0])
    np.testing.assert_array_equal(got[1], [[3], [0]])
    assert got[0].dtype == np.int64


def test_batched_matmul_with_broadcast_batch_dims():
    a = RNG.standard_normal((2, 1, 3, 4)).astype(np.float32)
    w = RNG.standard_normal((5, 4, 6)).astype(np.float32)
    got = _run1([((2, 1, 3, 4), f32), ((5, 4, 6), f32)], lambda b, x, y: b.matmul(x, y), a, w)
    assert got.shape == (2, 5, 3, 6)
    np.testing.assert_allclose(got, np.matmul(a, w), rtol=1.3e-6, atol=1e-5)


def test_integer_matmul_is_exact():
    a = RNG.integers(-50, 50, (3, 4)).astype(np.int32)
    w = RNG.integers(-50, 50, (4, 2)).astype(np.int32)
    got = _run1([((3, 4), i32), ((4, 2), i32)], lambda b, x, y: b.matmul(x, y), a, w)
    np.testing.assert_array_equal(got, a @ w)


def test_slice_with_steps():
    x = np.arange(80, dtype=np.int64).reshape(10, 8)
    got = _run1([((10, 8), i64)], lambda b, v: b.slice(v, start=[1, 0], stop=[9, 8],
                                                       step=[3, 2]), x)
    np.testing.assert_array_equal(got, x[1:9:3, 0:8:2])


def test_concat():
    x, y = RNG.standard_normal((2, 3)), RNG.standard_normal((2, 1))
    got = _run1([((2, 3), f64), ((2, 1), f64)], lambda b, u, v: b.concat(u, v, u, axis=-1), x, y)
    np.testing.assert_array_equal(got, np.concatenate([x, y, x], axis=-1))


def test_where_broadcasts_all_three():
    c = np.array([[True], [False]])
    x = RNG.standard_normal(3).astype(np.float32)
    got = _run1([((2, 1), i1), ((3,), f32)],
                lambda b, m, v: b.where(m, v, b.constant(np.float32(-1.0))), c, x)
    np.testing.assert_array_equal(got, np.where(c, x, np.float32(-1.0)))


def test_cast_float_to_int_truncates_toward_zero():
    x = np.array([-2.7, -0.5, 0.5, 2.7, 126.9, -128.0, 3e9, np.nan, np.inf], np.float32)
    got = _run1([((9,), f32)], lambda b, v: (b.cast(v, i32), b.cast(v, i8), b.cast(v, i1)), x)
    np.testing.assert_array_equal(got[0], [-2, 0, 0, 2, 126, -128, 0, 0, 0])
    np.testing.assert_array_equal(got[1][:6], [-2, 0, 0, 2, 126, -128])
    np.testing.assert_array_equal(got[2], x != 0)
    assert got[0].dtype == np.int32 and got[1].dtype == np.int8 and got[2].dtype == np.bool_


def test_bf16_values_are_rounded_to_bf16():
    x = np.array([1.00390625, 1.0 + 2**-7, 3.0], np.float32)
    got = _run1([((3,), f32)], lambda b, v: b.cast(v, bf16), x)
    np.testing.assert_array_equal(got, np.array([1.0, 1.0078125, 3.0], np.float32))


def test_interpreter_checks_its_inputs():
    b = Builder()
    with b.func("f", [((2, None), f32)]) as (x,):
        b.ret(x)
    ok = np.zeros((2, 5), np.float32)
    np.testing.assert_array_equal(interpret(b.module, ok), ok)
    with pytest.raises(TypeError):
        interpret(b.module)
    with pytest.raises(DTypeError):
        interpret(b.module, np.zeros((2, 5), np.float64))
    with pytest.raises(ShapeMismatchError):
        interpret(b.module, np.zeros((3, 5), np.float32))


def test_erf_and_gelu_of_0d_tensors_and_their_folding():
    x = np.array(0.5, np.float64)
    got = _run1([((), f64)], lambda b, v: (b.erf(v), b.gelu(v), b.gelu(b.constant(x))), x)
    want_erf = math.erf(0.5)
    np.testing.assert_allclose(got[0], want_erf, rtol=1e-15)
    np.testing.assert_allclose(got[1], 0.5 * 0.5 * (1 + math.erf(0.5 / math.sqrt(2))), rtol=1e-15)
    assert [g.shape for g in got] == [(), (), ()]
    b = Builder()
    with b.func("f", []):
        b.ret(b.erf(b.constant(x)))
    run_pipeline(b.module, "canonicalize,dce")
    assert [op.short_name for op in b.module.funcs[0].body.ops] == ["constant", "func.return"]
