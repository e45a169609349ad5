"""``func.call`` (what the fuse pass emits): it prints in generic form, round-trips, is
checked against the callee's type, runs in the interpreter and is accepted by mlir-opt.
(mlir-opt prints it back in the custom ``call @k(...)`` form, which torsh.ir.parse does not
read, so there is no mlir-opt round trip for it.)"""

from __future__ import annotations

import numpy as np
import pytest

from tests.ir.helpers import expect_ir_error, requires_mlir_opt, run_mlir_opt
from torsh.ir import (
    Builder,
    IRVerifyError,
    Operation,
    TensorType,
    f32,
    interpret,
    parse,
    verify,
)
from torsh.ir.core import SymbolRef


def _caller(callee: str = "k", result_type=None):
    b = Builder()
    with b.func("k", [((2,), f32)]) as (x,):
        b.ret(b.exp(x))
    with b.func("main", [((2,), f32)]) as (x,):
        y = b.neg(x)
        call = Operation("func.call", [y], [result_type or y.type], {"callee": SymbolRef(callee)})
        b.block.append(call)
        b.ret(call.result)
    return b.module


def test_call_round_trips_and_runs():
    module = _caller()
    verify(module)
    text = str(module)
    assert '"func.call"(%0) {callee = @k}' in text
    assert str(parse(text)) == text
    x = np.array([0.5, -1.0], np.float32)
    np.testing.assert_allclose(interpret(parse(text), x, func="main"), np.exp(-x), rtol=1.3e-6)


def test_call_to_a_missing_function_or_with_the_wrong_type_is_rejected():
    with pytest.raises(IRVerifyError, match="no function @nope"):
        verify(_caller("nope"))
    with pytest.raises(IRVerifyError, match="does not match the function type"):
        verify(_caller(result_type=TensorType((3,), f32)))
    bad = str(_caller()).replace("{callee = @k}", "{callee = @q}")
    expect_ir_error(bad, "no function @q", IRVerifyError)


@requires_mlir_opt
def test_mlir_opt_accepts_a_call():
    proc = run_mlir_opt(str(_caller()))
    assert proc.returncode == 0, proc.stderr
    assert "call @k(" in proc.stdout
    # and mlir-opt's custom spelling `call @k(...)` reads back to the same module
    assert str(parse(proc.stdout)) == str(_caller())


def test_custom_call_spelling_parses():
    text = str(_caller()).replace('"func.call"(%0) {callee = @k}', "call @k(%0)")
    assert str(parse(text)) == str(_caller())
    text = str(_caller()).replace('"func.call"(%0) {callee = @k}', "func.call @k(%0)")
    assert str(parse(text)) == str(_caller())
