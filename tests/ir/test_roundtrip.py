"""Round trip: for random valid modules, print(parse(print(m))) == print(m) byte for byte,
and what the parser returns is a verified module."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.ir.strategies import GENERATORS, arrays, modules
from torsh.ir import (
    OPS,
    Builder,
    TensorType,
    bf16,
    f16,
    f32,
    f64,
    i1,
    i8,
    i32,
    i64,
    parse,
    print_module,
    verify,
)


def test_generators_cover_every_op():
    """The module strategy draws among all ops of the table (a new op needs a generator)."""
    assert set(GENERATORS) == set(OPS)


@settings(max_examples=200, deadline=None)
@given(modules())
def test_print_parse_print_is_byte_identical(module):
    verify(module)
    text = print_module(module)
    assert str(module) == text
    parsed = parse(text)
    assert print_module(parsed) == text
    verify(parsed)
    assert [f.name for f in parsed.funcs] == [f.name for f in module.funcs]
    assert [f.type for f in parsed.funcs] == [f.type for f in module.funcs]


@settings(max_examples=100, deadline=None)
@given(st.sampled_from([f16, bf16, f32, f64, i1, i8, i32, i64]).flatmap(
    lambda dt: st.tuples(st.just(dt), st.lists(st.sampled_from([0, 1, 2, 3, 17]), max_size=3)
                         .flatmap(lambda shape: arrays(dt, tuple(shape))))))
def test_constants_keep_every_bit(dtype_and_array):
    """A constant's elements survive the text form exactly: NaN payloads, -0.0, Inf,
    subnormals, integer extremes, splats and hex blobs alike."""
    dtype, array = dtype_and_array
    b = Builder()
    with b.func("c", []):
        b.ret(b.constant(array, dtype=dtype))
    before = b.module.funcs[0].body.ops[0].attributes["value"]
    parsed = parse(str(b.module))
    after = parsed.funcs[0].body.ops[0].attributes["value"]
    assert after.type == before.type == TensorType(array.shape, dtype)
    assert after.array.tobytes() == before.array.tobytes()
    assert after == before


def test_parsed_module_is_verified():
    """parse() runs the verifier: text that is well-formed but ill-typed is rejected,
    unless verification is turned off explicitly."""
    text = """module {
  func.func @f(%arg0: tensor<2xf32>) -> tensor<3xf32> {
    %0 = "torsh.neg"(%arg0) : (tensor<2xf32>) -> tensor<3xf32>
    return %0 : tensor<3xf32>
  }
}
"""
    from torsh.ir import IRVerifyError

    try:
        parse(text)
    except IRVerifyError as e:
        assert "torsh.neg" in str(e) and "does not match" in str(e)
    else:
        raise AssertionError("parse did not verify")
    unverified = parse(text, verify=False)
    assert str(unverified) == text


def test_round_trip_examples():
    """A few hand-picked corners, so a failure here reads plainly."""
    b = Builder()
    with b.func("corner\n\"name\"", [((0, None, 1), f32), ((), i1)]) as (x, c):
        nan = b.constant(np.array([np.nan, -0.0, np.inf], np.float32))
        big = b.constant(np.arange(300, dtype=np.int64))
        b.ret(b.sum(x, axes=[-1], keepdim=True), b.where(c, nan, nan), big, x)
    text = str(b.module)
    assert '@"corner\\n\\"name\\""' in text
    assert 'dense<"0x' in text
    assert str(parse(text)) == text
