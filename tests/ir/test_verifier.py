"""The verifier on modules built through the Builder, and the Builder's own typed errors.

With an explicit ``result_type=`` the Builder takes an op as given and only
``torsh.ir.verify`` judges it: it must raise IRVerifyError naming the op and the mismatch.
Without one, the Builder infers the type and bad operands raise ShapeMismatchError,
DTypeError or InvalidArgumentError at once, with the op and the operands in the message.
"""

from __future__ import annotations

import numpy as np
import pytest

from torsh.errors import DTypeError, InvalidArgumentError, ShapeMismatchError
from torsh.ir import (
    Block,
    Builder,
    Func,
    IRVerifyError,
    Module,
    Operation,
    Region,
    TensorType,
    f32,
    i1,
    i32,
    verify,
)

T2 = TensorType((2,), f32)
T23 = TensorType((2, 3), f32)


def _verify_error(module: Module, *words: str) -> str:
    with pytest.raises(IRVerifyError) as info:
        verify(module)
    assert type(info.value) is IRVerifyError
    message = str(info.value)
    for w in words:
        assert w in message, f"{w!r} not in {message!r}"
    return message


def _one_op_module(build) -> Module:
    """A module ``@f(x: 2x3 f32, y: 3 f32, m: 2x3 i1)`` whose body is ``build(b, x, y, m)``."""
    b = Builder()
    with b.func("f", [T23, ((3,), f32), ((2, 3), i1)]) as (x, y, m):
        b.ret(build(b, x, y, m))
    return b.module


def test_a_well_formed_module_verifies():
    verify(_one_op_module(lambda b, x, y, m: b.where(m, b.add(x, y), x)))


# ---------------------------------------------------------- verifier: explicit result types

@pytest.mark.parametrize("name, operands, attrs, bad, words", [
    ("add", "xy", {}, TensorType((3,), f32), ["torsh.add", "tensor<3xf32>", "tensor<2x3xf32>"]),
    ("add", "xy", {}, TensorType((2, 3), i32), ["torsh.add", "tensor<2x3xi32>"]),
    ("eq", "xx", {}, T23, ["torsh.eq", "inferred type tensor<2x3xi1>"]),
    ("sum", "x", {"axes": [1], "keepdim": True}, T2, ["torsh.sum", "tensor<2x1xf32>"]),
    ("matmul", "xX", {}, TensorType((3, 3), f32), ["torsh.matmul", "tensor<2x2xf32>"]),
    ("permute", "x", {"dims": [1, 0]}, T23, ["torsh.permute", "tensor<3x2xf32>"]),
    ("cast", "x", {"dtype": i32}, T23, ["torsh.cast", "tensor<2x3xi32>"]),
    ("reshape", "x", {"shape": [6]}, TensorType((None,), f32), ["torsh.reshape", "tensor<6xf32>"]),
])
def test_wrong_result_type_is_named(name, operands, attrs, bad, words):
    def build(b, x, y, m):
        vals = {"x": x, "y": y, "m": m, "X": b.permute(x, dims=[1, 0])}
        return b.op(name, [vals[c] for c in operands], attrs, result_type=bad)

    _verify_error(_one_op_module(build), *words, "does not match the inferred type")


@pytest.mark.parametrize("name, n, words", [
    ("add", 1, "expects 2 operand(s), got 1"),
    ("neg", 2, "expects 1 operand(s), got 2"),
    ("where", 2, "expects 3 operand(s), got 2"),
    ("constant", 1, "expects 0 operand(s), got 1"),
    ("concat", 0, "expects at least one operand, got none"),
])
def test_wrong_arity(name, n, words):
    attrs = {"axis": 0} if name == "concat" else {}
    if name == "constant":
        from torsh.ir import DenseElements
        attrs = {"value": DenseElements(np.zeros((2, 3), np.float32), T23)}
    _verify_error(_one_op_module(
        lambda b, x, y, m: b.op(name, [x] * n, attrs, result_type=T23)), f"torsh.{name}", words)


@pytest.mark.parametrize("name, attrs, words", [
    ("sum", {"axes": 1.5}, "attribute 'axes' must be of kind ints, got 1.5"),
    ("sum", {"axes": [0], "keepdim": "yes"}, "attribute 'keepdim' must be of kind bool"),
    ("cast", {"dtype": "f32"}, "attribute 'dtype' must be of kind dtype"),
    ("argmax", {"axis": True}, "attribute 'axis' must be of kind int"),
    ("reshape", {"shape": [2.0, 3.0]}, "attribute 'shape' must be of kind ints"),
    ("neg", {"fast": True}, "unknown attribute 'fast'"),
    ("reshape", {}, "missing required attribute 'shape'"),
    ("slice", {"start": [0, 0], "stop": [2, 3]}, "missing required attribute 'step'"),
    ("sum", {"axes": [5]}, "axis 5 is out of range for rank 2"),
    ("permute", {"dims": [0, 0]}, "is not a permutation"),
])
def test_bad_attributes(name, attrs, words):
    _verify_error(_one_op_module(lambda b, x, y, m: b.op(name, [x], attrs, result_type=T23)),
                  f"torsh.{name}", words)


def test_operand_used_before_its_definition():
    b = Builder()
    with b.func("f", [T2]) as (x,):
        y = b.neg(x)
        z = b.exp(y)
        b.ret(z)
    block = b.module.funcs[0].body
    exp_op, neg_op = z.owner, y.owner
    block.ops.remove(exp_op)
    block.insert_before(neg_op, exp_op)  # exp now reads %y before neg defines it
    _verify_error(b.module, "torsh.exp", "operand #0 is not defined before its use")


def test_operand_defined_in_another_function():
    b = Builder()
    with b.func("f", [T2]) as (x,):
        y = b.neg(x)
        b.ret(y)
    with b.func("g", [T2]) as (x2,):
        b.ret(b.add(x2, y))
    _verify_error(b.module, "torsh.add", "operand #1 is not defined before its use")


def test_body_must_end_with_return():
    b = Builder()
    with b.func("f", [T2]) as (x,):
        b.ret(x)
    block = b.module.funcs[0].body
    block.append(Operation("torsh.neg", [block.args[0]], [T2]))
    _verify_error(b.module, "func @f", "body must end with func.return")
    _verify_error(Module([Func("empty", Block([T2]), ())]), "func @empty", "must end with")


def test_return_must_be_the_last_op():
    b = Builder()
    with b.func("f", [T2]) as (x,):
        b.ret(b.neg(x))
    block = b.module.funcs[0].body
    block.insert_before(block.ops[0], Operation("func.return", [block.args[0]], []))
    _verify_error(b.module, "func.return must be the last op of its block")


def test_declared_results_must_match_the_return():
    b = Builder()
    with b.func("f", [T2]) as (x,):
        b.ret(x)
    b.module.funcs[0].result_types = (T23,)
    _verify_error(b.module, "func @f", "return types (tensor<2xf32>) do not match the declared "
                  "results (tensor<2x3xf32>)")


def test_duplicate_function_names():
    b = Builder()
    for _ in range(2):
        with b.func("twin", [T2]) as (x,):
            b.ret(x)
    _verify_error(b.module, "func @twin", "defined twice")


def test_unknown_op_regions_and_result_counts():
    def module_with(op_factory):
        body = Block([T2])
        op = op_factory(body.args[0])
        body.append(op)
        body.append(Operation("func.return", [op.results[0]] if op.results else [], []))
        return Module([Func("f", body, tuple(r.type for r in op.results[:1]))])

    _verify_error(module_with(lambda x: Operation("torsh.nope", [x], [T2])),
                  "unknown op 'torsh.nope'")
    _verify_error(module_with(
        lambda x: Operation("torsh.neg", [x], [T2], regions=[Region([Block()])])),
        "torsh.neg", "takes no regions")
    _verify_error(module_with(lambda x: Operation("torsh.neg", [x], [T2, T2])),
                  "torsh.neg", "exactly one result, has 2")


def test_inference_errors_surface_through_the_verifier():
    _verify_error(_one_op_module(lambda b, x, y, m: b.op(
        "add", [x, b.constant(np.zeros(4, np.float32))], result_type=T23)),
        "torsh.add", "tensor<2x3xf32>", "tensor<4xf32>", "cannot be broadcast")


def test_verifier_errors_from_builder_modules_have_no_location():
    """Built modules have no source: the message is just 'op: mismatch' (no fake 0:0)."""
    msg = _verify_error(_one_op_module(lambda b, x, y, m: b.op("neg", [x], result_type=T2)))
    assert msg.startswith("torsh.neg: ")


# ------------------------------------------------------------- builder: typed errors now

def _build_error(cls, fn, *words):
    b = Builder()
    arg_types = [T23, ((3,), f32), ((2, 3), i1), ((2, 3), i32), ((4,), f32)]
    with pytest.raises(cls) as info, b.func("f", arg_types) as args:
        fn(b, *args)
    assert type(info.value) is cls
    message = str(info.value)
    for w in words:
        assert w in message, f"{w!r} not in {message!r}"


@pytest.mark.parametrize("fn, words", [
    (lambda b, x, y, m, n, v: b.add(x, v), ["torsh.add", "tensor<2x3xf32>", "tensor<4xf32>"]),
    (lambda b, x, y, m, n, v: b.where(m, x, v), ["torsh.where", "tensor<2x3xi1>", "tensor<4xf32>"]),
    (lambda b, x, y, m, n, v: b.matmul(x, x), ["torsh.matmul", "tensor<2x3xf32>", "3 columns",
                                             "2 rows"]),
    (lambda b, x, y, m, n, v: b.matmul(x, y), ["torsh.matmul", "rank >= 2", "tensor<3xf32>"]),
    (lambda b, x, y, m, n, v: b.matmul(b.reshape(x, shape=[2, 1, 3]),
                                       b.expand(b.reshape(v, shape=[4, 1, 1]), shape=[4, 3, 1])),
     ["torsh.matmul", "batch dims", "tensor<2x1x3xf32>", "tensor<4x3x1xf32>"]),
    (lambda b, x, y, m, n, v: b.reshape(x, shape=[4]), ["torsh.reshape", "tensor<2x3xf32>",
                                                        "[4]", "6 elements"]),
    (lambda b, x, y, m, n, v: b.expand(x, shape=[2, 4]), ["torsh.expand", "tensor<2x3xf32>",
                                                          "[2, 4]"]),
    (lambda b, x, y, m, n, v: b.concat(x, v, axis=0), ["torsh.concat", "tensor<2x3xf32>",
                                                       "tensor<4xf32>", "rank"]),
    (lambda b, x, y, m, n, v: b.concat(x, b.permute(x, dims=[1, 0]), axis=0),
     ["torsh.concat", "dim 1", "tensor<3x2xf32>"]),
])
def test_shape_mismatch_names_both_shapes_and_the_op(fn, words):
    _build_error(ShapeMismatchError, fn, *words)


@pytest.mark.parametrize("fn, words", [
    (lambda b, x, y, m, n, v: b.add(x, n), ["torsh.add", "one dtype", "f32", "i32"]),
    (lambda b, x, y, m, n, v: b.matmul(x, b.permute(n, dims=[1, 0])),
     ["torsh.matmul", "one dtype"]),
    (lambda b, x, y, m, n, v: b.exp(n), ["torsh.exp", "i32", "floating-point"]),
    (lambda b, x, y, m, n, v: b.div(n, n), ["torsh.div", "i32", "floating-point"]),
    (lambda b, x, y, m, n, v: b.mean(n, axes=[0]), ["torsh.mean", "floating-point"]),
    (lambda b, x, y, m, n, v: b.neg(m), ["torsh.neg", "i1", "numeric"]),
    (lambda b, x, y, m, n, v: b.op("and", [x, x]), ["torsh.and", "f32", "bool"]),
    (lambda b, x, y, m, n, v: b.where(x, x, x), ["torsh.where", "condition", "f32"]),
])
def test_dtype_errors(fn, words):
    _build_error(DTypeError, fn, *words)


@pytest.mark.parametrize("fn, words", [
    (lambda b, x, y, m, n, v: b.sum(x, axes=[2]), ["torsh.sum", "axis 2", "rank 2"]),
    (lambda b, x, y, m, n, v: b.sum(x, axes=[-3]), ["torsh.sum", "axis -3"]),
    (lambda b, x, y, m, n, v: b.sum(x, axes=[0, -2]), ["torsh.sum", "repeat"]),
    (lambda b, x, y, m, n, v: b.argmax(x, axis=2), ["torsh.argmax", "axis 2"]),
    (lambda b, x, y, m, n, v: b.permute(x, dims=[0, 0]), ["torsh.permute", "[0, 0]",
                                                         "not a permutation"]),
    (lambda b, x, y, m, n, v: b.permute(x, dims=[1, 0, 2]), ["torsh.permute", "rank 2"]),
    (lambda b, x, y, m, n, v: b.slice(x, start=[0, 0], stop=[2, 3], step=[1, 0]),
     ["torsh.slice", "bad slice 0:3:0"]),
    (lambda b, x, y, m, n, v: b.slice(x, start=[0, 0], stop=[2, 4], step=[1, 1]),
     ["torsh.slice", "bad slice 0:4:1", "size 3"]),
    (lambda b, x, y, m, n, v: b.slice(x, start=[2, 0], stop=[1, 3], step=[1, 1]),
     ["torsh.slice", "bad slice 2:1:1"]),
    (lambda b, x, y, m, n, v: b.slice(x, start=[0], stop=[2], step=[1]),
     ["torsh.slice", "needs 2 start/stop/step values"]),
    (lambda b, x, y, m, n, v: b.reshape(x, shape=[-1, 6]), ["torsh.reshape", "negative"]),
    (lambda b, x, y, m, n, v: b.max(b.slice(x, start=[0, 0], stop=[0, 3], step=[1, 1]),
                                    axes=[0]), ["torsh.max", "empty axis 0"]),
    (lambda b, x, y, m, n, v: b.concat(x, x, axis=2), ["torsh.concat", "axis 2"]),
])
def test_invalid_argument_errors(fn, words):
    _build_error(InvalidArgumentError, fn, *words)


def test_builder_errors_are_raised_before_anything_is_appended():
    b = Builder()
    with b.func("f", [T23]) as (x,):
        with pytest.raises(ShapeMismatchError):
            b.reshape(x, shape=[5])
        assert b.block.ops == []
        b.ret(x)
    verify(b.module)


# ------------------------------------------------------- corner cases of the inference rules

def test_max_and_min_of_a_0d_tensor_over_axis_0():
    b = Builder()
    with b.func("f", [((), f32)]) as (x,):
        b.ret(b.max(x, axes=[0]), b.min(x, axes=[0], keepdim=True))
    verify(b.module)
    assert [f for f in b.module.funcs[0].type.results] == [TensorType((), f32)] * 2


def test_concat_checks_static_dims_even_when_the_first_operand_is_dynamic():
    def build(*shapes):
        b = Builder()
        with b.func("f", [(s, f32) for s in shapes]) as args:
            b.ret(b.concat(*args, axis=1))
        return b.module

    ok = build((None, 2), (3, 2), (None, 1))
    assert ok.funcs[0].type.results == (TensorType((None, 5), f32),)
    with pytest.raises(ShapeMismatchError, match=r"torsh.concat: .*differ in dim 0"):
        build((None, 2), (3, 2), (4, 2))


def test_gather_from_an_empty_axis_needs_an_empty_index():
    b = Builder()
    with b.func("f", [((0, 2), f32), ((3, 2), i32), ((0, 2), i32)]) as (x, idx, empty):
        with pytest.raises(InvalidArgumentError, match="torsh.gather: .*empty axis 0"):
            b.gather(x, idx, axis=0)
        b.ret(b.gather(x, empty, axis=0))
    verify(b.module)
