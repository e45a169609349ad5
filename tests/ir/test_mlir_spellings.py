"""What mlir-opt prints back, written out by hand so that it is tested without mlir-opt:
scientific floats, hex bit patterns for non-finite elements (f16, bf16, f32), typed integer
attributes, ``dense<>`` for empty constants and bit-packed i1 hex blobs. Each parses to the
same module as torsh's own spelling."""

from __future__ import annotations

import numpy as np
import pytest

from torsh.ir import DenseElements, TensorType, bf16, f16, f32, i1, parse


def _constant(value: str, ty: str) -> DenseElements:
    text = (f'module {{\n  func.func @f() -> {ty} {{\n    %0 = "torsh.constant"() '
            f'{{value = {value} : {ty}}} : () -> {ty}\n    return %0 : {ty}\n  }}\n}}\n')
    module = parse(text)
    assert str(parse(str(module))) == str(module)
    return module.funcs[0].body.ops[0].attributes["value"]


@pytest.mark.parametrize("value, ty, expected", [
    ("dense<1.500000e+00>", "tensor<2xf32>", np.array([1.5, 1.5], np.float32)),
    ("dense<[3.40282347E+38, -0.000000e+00]>", "tensor<2xf32>",
     np.array([3.4028235e38, -0.0], np.float32)),
    ("dense<[0x7FC00000, 0x7F800000, 0xFF800000]>", "tensor<3xf32>",
     np.array([np.nan, np.inf, -np.inf], np.float32)),
    ("dense<[1.000000e+00, 6.550400e+04, 0x7E00]>", "tensor<3xf16>",
     np.array([1.0, 65504.0, np.nan], np.float16)),
    ("dense<[[1.000000e+00, 3.000000e+00], [0xFF80, 5.000000e-01]]>", "tensor<2x2xbf16>",
     np.array([[1.0, 3.0], [-np.inf, 0.5]], np.float32)),
    ("dense<0x7FF8000000000000>", "tensor<f64>", np.array(np.nan)),
    ("dense<>", "tensor<0x2xf32>", np.zeros((0, 2), np.float32)),
    ("dense<>", "tensor<3x0xi1>", np.zeros((3, 0), bool)),
    ('dense<"0x4902">', "tensor<10xi1>",
     np.array([1, 0, 0, 1, 0, 0, 1, 0, 0, 1], bool)),
    ('dense<"0xFF">', "tensor<130xi1>", np.ones(130, bool)),
    ('dense<"0x00">', "tensor<3xi1>", np.zeros(3, bool)),
    ('dense<"0x0000C03F">', "tensor<3xf32>", np.full(3, 1.5, np.float32)),
])
def test_mlir_opt_spellings_of_constants(value, ty, expected):
    d = _constant(value, ty)
    assert d.array.shape == expected.shape
    np.testing.assert_array_equal(d.array, expected)
    assert d.array.dtype == expected.dtype
    if expected.dtype.kind == "f":
        assert (np.signbit(d.array) == np.signbit(expected)).all()


def test_typed_integer_attributes_read_as_plain_ints():
    text = (
        "module {\n"
        "  func.func @f(%arg0: tensor<2x3xf32>) -> tensor<2x1xi64> {\n"
        '    %0 = "torsh.argmax"(%arg0) {axis = -1 : i64, keepdim = true} : '
        "(tensor<2x3xf32>) -> tensor<2x1xi64>\n"
        "    return %0 : tensor<2x1xi64>\n"
        "  }\n"
        "}\n"
    )
    module = parse(text)
    assert module.funcs[0].body.ops[0].attributes == {"axis": -1, "keepdim": True}
    assert "{axis = -1, keepdim = true}" in str(module)


def test_types_of_the_spelled_constants():
    assert _constant("dense<0xFF80>", "tensor<bf16>").type == TensorType((), bf16)
    assert _constant("dense<0x7C00>", "tensor<f16>").type == TensorType((), f16)
    assert _constant("dense<true>", "tensor<4xi1>").type == TensorType((4,), i1)
    assert _constant("dense<-0.000000e+00>", "tensor<f32>").type == TensorType((), f32)
