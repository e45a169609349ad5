"""Passes: every canonicalization firing and not firing, CSE, DCE, and the pass manager
(pipelines, print_after_each, verify_each, unknown passes)."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest

from tests.ir.helpers import assert_same_results, random_input
from torsh.errors import InvalidArgumentError
from torsh.ir import (
    Builder,
    IRVerifyError,
    Module,
    PassManager,
    TensorType,
    f16,
    f32,
    f64,
    i32,
    interpret,
    parse,
    run_pipeline,
    verify,
)
from torsh.ir.passes import PASSES, register_pass
from torsh.ir.passes.canonicalize import FOLD_LIMIT


def _module(arg_types, body) -> Module:
    b = Builder()
    with b.func("f", arg_types) as args:
        out = body(b, *args)
        b.ret(*(out if isinstance(out, tuple) else (out,)))
    verify(b.module)
    return b.module


def _ops(module: Module) -> list[str]:
    return [op.short_name for op in module.funcs[0].body.ops if op.name != "func.return"]


def _returned(module: Module):
    return module.funcs[0].return_op.operands


def _run(module: Module, pipeline: str = "canonicalize,dce") -> Module:
    run_pipeline(module, pipeline, verify_each=True)
    verify(module)
    text = str(module)
    assert str(parse(text)) == text
    return module


def _same_numbers(build, arg_types, pipeline="canonicalize,cse,dce") -> Module:
    """Run ``pipeline`` on the module ``build`` makes; assert the interpreter gives the same
    numbers before and after; return the rewritten module."""
    rng = np.random.default_rng(0)
    inputs = [random_input(TensorType(shape, dtype), rng) for shape, dtype in arg_types]
    before = interpret(_module(arg_types, build), *inputs)
    after_module = _run(_module(arg_types, build), pipeline)
    assert_same_results(interpret(after_module, *inputs), before,
                        after_module.funcs[0].type.results)
    return after_module


V3 = [((3,), f32)]
M23 = [((2, 3), f32)]


def c(b, value, dtype=f32):
    return b.constant(np.asarray(value, dtype=dtype.numpy), dtype=dtype)


# ---------------------------------------------------------------------- constant folding

def test_constant_folding_fires():
    m = _run(_module([], lambda b: b.mul(b.add(c(b, 2.0), c(b, 3.0)), c(b, [1.0, 2.0, 3.0]))))
    assert _ops(m) == ["constant"]
    folded = m.funcs[0].body.ops[0].attributes["value"]
    np.testing.assert_array_equal(folded.array, np.array([5.0, 10.0, 15.0], np.float32))
    assert folded.type == TensorType((3,), f32)


@pytest.mark.parametrize("build, expected", [
    (lambda b: b.sum(c(b, [[1, 2], [3, 4]], i32), axes=[1]), np.array([3, 7], np.int32)),
    (lambda b: b.cast(c(b, [-1.5, 2.7]), i32), np.array([-1, 2], np.int32)),
    (lambda b: b.permute(c(b, [[1.0, 2.0]]), dims=[1, 0]), np.array([[1.0], [2.0]], np.float32)),
    (lambda b: b.gt(c(b, [1.0, 3.0]), c(b, 2.0)), np.array([False, True])),
])
def test_constant_folding_of_other_op_kinds(build, expected):
    m = _run(_module([], build))
    assert _ops(m) == ["constant"]
    np.testing.assert_array_equal(m.funcs[0].body.ops[0].attributes["value"].array, expected)


def test_folding_respects_the_size_limit():
    at_limit = _run(_module([], lambda b: b.expand(c(b, 1.0), shape=[FOLD_LIMIT])))
    assert _ops(at_limit) == ["constant"]
    over = _run(_module([], lambda b: b.expand(c(b, 1.0), shape=[FOLD_LIMIT + 1])))
    assert _ops(over) == ["constant", "expand"]


def test_no_folding_with_a_non_constant_operand():
    m = _run(_module(V3, lambda b, x: b.add(x, c(b, [1.0, 2.0, 3.0]))))
    assert _ops(m) == ["constant", "add"]


# ---------------------------------------------------------------------------- identities

@pytest.mark.parametrize("name, const_first, value", [
    ("mul", False, 1.0), ("mul", True, 1.0), ("div", False, 1.0),
    ("add", False, 0.0), ("add", True, 0.0), ("add", False, -0.0), ("sub", False, 0.0),
])
def test_identity_fires(name, const_first, value):
    def build(b, x):
        k = c(b, value)
        return b.op(name, [k, x] if const_first else [x, k])

    m = _same_numbers(build, M23)
    assert _ops(m) == []
    assert _returned(m)[0] is m.funcs[0].args[0]


@pytest.mark.parametrize("name, const_first, value", [
    ("mul", False, 2.0), ("mul", False, 0.0), ("div", False, 2.0), ("div", True, 1.0),
    ("add", False, 1.0), ("sub", False, 1.0), ("sub", True, 0.0), ("add", False, [0.0, 1.0, 0.0]),
    ("mul", True, [1.0, 1.0, 2.0]),
])
def test_identity_does_not_fire_for_other_constants(name, const_first, value):
    def build(b, x):
        k = c(b, value)
        return b.op(name, [k, x] if const_first else [x, k])

    m = _same_numbers(build, M23)
    assert _ops(m) == ["constant", name]


@pytest.mark.parametrize("name, value", [("mul", 1.0), ("add", 0.0), ("sub", 0.0),
                                         ("div", 1.0)])
def test_identity_does_not_fire_when_broadcasting_changes_the_type(name, value):
    # x: 3, constant: 2x3 of the identity value -> the result is 2x3, not x
    m = _same_numbers(lambda b, x: b.op(name, [x, c(b, np.full((2, 3), value))]), V3)
    assert _ops(m) == ["constant", name]
    assert _returned(m)[0].type == TensorType((2, 3), f32)


def test_identities_on_integers_and_dynamic_shapes():
    m = _same_numbers(lambda b, x: b.add(b.mul(x, c(b, 1, i32)), c(b, [0], i32)),
                      [((None,), i32)])
    assert _ops(m) == []


def test_double_negation():
    m = _same_numbers(lambda b, x: b.neg(b.neg(x)), V3)
    assert _ops(m) == []
    single = _same_numbers(lambda b, x: b.neg(b.abs(x)), V3)
    assert _ops(single) == ["abs", "neg"]
    triple = _same_numbers(lambda b, x: b.neg(b.neg(b.neg(x))), V3)
    assert _ops(triple) == ["neg"]


# ------------------------------------------------------------------------ movement chains

def test_reshape_of_reshape_becomes_one_reshape():
    m = _same_numbers(lambda b, x: b.reshape(b.reshape(x, shape=[3, 2]), shape=[6]), M23)
    assert _ops(m) == ["reshape"]
    op = m.funcs[0].body.ops[0]
    assert op.operands[0] is m.funcs[0].args[0] and op.attributes["shape"] == (6,)


@pytest.mark.parametrize("build", [
    lambda b, x: b.reshape(x, shape=[2, 3]),
    lambda b, x: b.expand(x, shape=[2, 3]),
    lambda b, x: b.cast(x, f32),
    lambda b, x: b.reshape(b.reshape(x, shape=[6]), shape=[2, 3]),
])
def test_movement_or_cast_to_the_same_type_is_removed(build):
    m = _same_numbers(build, M23)
    assert _ops(m) == []


@pytest.mark.parametrize("build, kept", [
    (lambda b, x: b.reshape(x, shape=[3, 2]), ["reshape"]),
    (lambda b, x: b.expand(x, shape=[4, 2, 3]), ["expand"]),
    (lambda b, x: b.cast(x, f64), ["cast"]),
    (lambda b, x: b.cast(b.cast(x, f16), f32), ["cast", "cast"]),  # lossy: must stay
    (lambda b, x: b.permute(x, dims=[1, 0]), ["permute"]),
])
def test_movement_or_cast_that_changes_the_type_stays(build, kept):
    m = _same_numbers(build, M23)
    assert _ops(m) == kept


def test_permute_of_permute_composes():
    m = _same_numbers(lambda b, x: b.permute(b.permute(x, dims=[2, 0, 1]), dims=[0, 2, 1]),
                      [((2, 3, 4), f32)])
    assert _ops(m) == ["permute"]
    op = m.funcs[0].body.ops[0]
    assert op.operands[0] is m.funcs[0].args[0]
    assert op.attributes["dims"] == (2, 1, 0)
    assert op.result.type == TensorType((4, 3, 2), f32)


def test_permute_identity_composition_and_identity_permute_vanish():
    m = _same_numbers(lambda b, x: b.permute(b.permute(x, dims=[1, 2, 0]), dims=[2, 0, 1]),
                      [((2, 3, 4), f32)])
    assert _ops(m) == []
    m = _same_numbers(lambda b, x: b.permute(x, dims=[0, 1, 2]), [((2, 3, 4), f32)])
    assert _ops(m) == []


# ----------------------------------------------------------------------------------- CSE

def test_cse_merges_identical_ops():
    m = _same_numbers(lambda b, x: b.mul(b.exp(x), b.exp(x)), V3, "cse")
    assert _ops(m) == ["exp", "mul"]
    mul = m.funcs[0].body.ops[1]
    assert mul.operands[0] is mul.operands[1]


def test_cse_merges_commutative_operands_in_either_order():
    m = _same_numbers(lambda b, x, y: b.sub(b.add(x, y), b.add(y, x)), V3 * 2, "cse")
    assert _ops(m) == ["add", "sub"]
    m = _same_numbers(lambda b, x, y: b.sub(b.maximum(x, y), b.maximum(y, x)), V3 * 2, "cse")
    assert _ops(m) == ["maximum", "sub"]


def test_cse_keeps_non_commutative_operand_orders_apart():
    m = _same_numbers(lambda b, x, y: b.add(b.sub(x, y), b.sub(y, x)), V3 * 2, "cse")
    assert _ops(m) == ["sub", "sub", "add"]


@pytest.mark.parametrize("first, second", [
    (lambda b, x: b.sum(x, axes=[0]), lambda b, x: b.sum(x, axes=[1])),
    (lambda b, x: b.argmax(x, axis=0), lambda b, x: b.argmax(x, axis=1)),
    (lambda b, x: b.permute(x, dims=[1, 0]), lambda b, x: b.permute(x, dims=[0, 1])),
    (lambda b, x: b.slice(x, start=[0, 0], stop=[2, 3], step=[1, 1]),
     lambda b, x: b.slice(x, start=[1, 0], stop=[3, 3], step=[1, 1])),
    (lambda b, x: c(b, [1.0, 2.0, 3.0]), lambda b, x: c(b, [1.0, 2.0, 4.0])),
    (lambda b, x: c(b, 0.0), lambda b, x: c(b, -0.0)),
], ids=["sum-axes", "argmax-axis", "permute-dims", "slice-start", "constant-values",
        "constant-zero-sign"])
def test_cse_does_not_merge_ops_with_different_attributes(first, second):
    """Same operands and the same result type: only the attributes tell the ops apart."""
    build = [first, second]
    m = _same_numbers(lambda b, x: tuple(f(b, x) for f in build), [((3, 3), f32)], "cse")
    assert len(_ops(m)) == 2, _ops(m)


def test_cse_merges_equal_constants():
    m = _same_numbers(lambda b, x: b.add(b.add(x, c(b, [1.0, 2.0, 3.0])),
                                         c(b, [1.0, 2.0, 3.0])), V3, "cse")
    assert _ops(m) == ["constant", "add", "add"]


# ----------------------------------------------------------------------------------- DCE

def test_dce_removes_dead_ops_and_keeps_used_ones():
    def build(b, x):
        dead = b.exp(b.sin(x))          # a dead chain: both go in one run
        b.add(dead, x)
        return b.neg(x)

    m = _module(V3, build)
    assert PassManager(["dce"]).run(m) == {"dce": True}
    assert _ops(m) == ["neg"]
    assert PassManager(["dce"]).run(m) == {"dce": False}


def test_dce_keeps_returned_values_and_their_inputs():
    m = _module(V3, lambda b, x: (b.exp(x), b.sin(b.cos(x))))
    run_pipeline(m, "dce")
    assert _ops(m) == ["exp", "cos", "sin"]


def test_passes_report_whether_they_changed_anything():
    m = _module(V3, lambda b, x: b.neg(b.neg(x)))
    assert PassManager.parse("canonicalize,cse,dce").run(m) == {
        "canonicalize": True, "cse": False, "dce": True}
    assert PassManager.parse("canonicalize,cse,dce").run(m) == {
        "canonicalize": False, "cse": False, "dce": False}


# ---------------------------------------------------------------------------- the manager

def test_print_after_each_writes_mlir_style_dumps():
    m = _module(V3, lambda b, x: b.mul(b.neg(b.neg(x)), c(b, 2.0)))
    out = io.StringIO()
    run_pipeline(m, "canonicalize,cse,dce", print_after_each=True, stream=out)
    text = out.getvalue()
    headers = re.findall(r"^// -----// IR Dump After (\w+) //----- //$", text, re.MULTILINE)
    assert headers == ["canonicalize", "cse", "dce"]
    dumps = re.split(r"^// -----// IR Dump After \w+ //----- //\n", text, flags=re.MULTILINE)[1:]
    assert all(d.startswith("module {") for d in dumps)
    assert dumps[-1] == str(m)
    for d in dumps:
        parse(d)
    assert '"torsh.neg"' in dumps[0]  # canonicalize leaves the inner, now dead, neg to dce
    assert '"torsh.neg"' not in dumps[2]


def test_print_after_each_is_off_by_default(capsys):
    run_pipeline(_module(V3, lambda b, x: b.neg(x)), "canonicalize")
    assert capsys.readouterr().err == ""


@pytest.fixture
def broken_pass():
    """A deliberately broken pass: it changes a result type without changing the op."""
    name = "test-break-types"

    @register_pass(name)
    def break_types(module: Module) -> bool:
        for op in module.walk():
            if op.name == "torsh.neg":
                op.results[0].type = TensorType((7,), f32)
                return True
        return False

    try:
        yield name
    finally:
        del PASSES[name]


def test_verify_each_catches_a_pass_that_breaks_the_module(broken_pass):
    m = _module(V3, lambda b, x: b.exp(b.neg(x)))
    with pytest.raises(IRVerifyError) as info:
        run_pipeline(m, f"canonicalize,{broken_pass},dce", verify_each=True)
    message = str(info.value)
    assert f"after pass '{broken_pass}'" in message and "torsh.neg" in message
    assert "does not match" in message


def test_without_verify_each_the_broken_module_goes_through(broken_pass):
    m = _module(V3, lambda b, x: b.exp(b.neg(x)))
    run_pipeline(m, broken_pass, verify_each=False)
    with pytest.raises(IRVerifyError):
        verify(m)


def test_broken_pass_is_gone_after_the_test():
    assert "test-break-types" not in PASSES


@pytest.mark.parametrize("pipeline", ["canonicalize,nope", "CSE", "dce;cse"])
def test_unknown_pass_names_list_the_available_ones(pipeline):
    with pytest.raises(InvalidArgumentError) as info:
        run_pipeline(_module(V3, lambda b, x: b.neg(x)), pipeline)
    message = str(info.value)
    assert "unknown pass" in message
    for name in ("canonicalize", "cse", "dce"):
        assert name in message.split("available:")[1]


def test_pipeline_strings_tolerate_spaces_and_empty_entries():
    m = _module(V3, lambda b, x: b.neg(b.neg(x)))
    run_pipeline(m, " canonicalize , ,dce ")
    assert _ops(m) == []
    assert PassManager.parse("").run(m) == {}


def test_canonicalize_reaches_a_fixed_point():
    m = _module(V3, lambda b, x: b.mul(b.add(b.neg(b.neg(b.mul(x, c(b, 1.0)))), c(b, 0.0)),
                                       b.add(c(b, 1.0), c(b, 0.0))))
    _run(m, "canonicalize,cse,dce")
    assert _ops(m) == []
    text = str(m)
    _run(m, "canonicalize,cse,dce")
    assert str(m) == text


def test_transpose_of_a_single_use_matmul_becomes_a_matmul_of_transposes():
    m = _same_numbers(lambda b, x, y: b.permute(b.matmul(x, y), dims=[1, 0]),
                      [((3, 4), f32), ((4, 5), f32)])
    assert _ops(m) == ["permute", "permute", "matmul"]
    assert m.funcs[0].return_op.operands[0].type == TensorType((5, 3), f32)
    m = _same_numbers(lambda b, x, y: b.permute(b.matmul(x, y), dims=[0, 2, 1]),
                      [((2, 3, 4), f32), ((2, 4, 5), f32)])
    assert _ops(m)[-1] == "matmul"


@pytest.mark.parametrize("build", [
    # the matmul has another use: rewriting would compute two matmuls
    lambda b, x, y: b.add(b.permute(b.matmul(x, y), dims=[1, 0]),
                          b.permute(b.matmul(x, y), dims=[1, 0])),
    # a permutation that moves the batch dim
    lambda b, x, y: b.permute(b.matmul(b.reshape(x, shape=[1, 3, 4]),
                                       b.reshape(y, shape=[1, 4, 5])), dims=[2, 1, 0]),
])
def test_other_transposes_of_matmuls_stay(build):
    m = _same_numbers(build, [((3, 4), f32), ((4, 5), f32)], pipeline="canonicalize")
    assert "permute" in _ops(m)
    assert _ops(m).count("matmul") >= 1
