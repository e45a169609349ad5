"""Every C status code has its Python exception, and each is triggered from Python."""

import numpy as np
import pytest

import torsh
from torsh import _runtime, errors


def test_every_status_code_has_an_exception():
    names = {c.__name__ for c in errors._BY_CODE.values()}
    assert len(errors._BY_CODE) == 13
    for code in range(1, 14):
        assert errors.error_for_code(code).code == code
        assert _runtime.status_string(code)  # the C side names every code too
    assert "OutOfMemoryError" in names


def test_null_argument_from_c():
    with pytest.raises(torsh.NullArgumentError):
        _runtime.check(_runtime.lib().torsh_tensor_retain(None))


def test_invalid_handle_from_c():
    t = _runtime.RuntimeTensor.empty((2,), "f32")
    handle = t.handle
    t.release()
    with pytest.raises(torsh.InvalidHandleError):
        _runtime.check(_runtime.lib().torsh_tensor_retain(handle))


def test_shape_mismatch():
    with pytest.raises(torsh.ShapeMismatchError, match=r"matmul.*\[2, 3\].*\[2, 3\]"):
        torsh.matmul(torsh.ones(2, 3), torsh.ones(2, 3))


def test_dtype():
    with pytest.raises(torsh.DTypeError):
        torsh.arange(3).mean()


def test_out_of_memory_keeps_process_and_tensors_intact():
    keep = torsh.tensor([1.0, 2.0, 3.0])
    lazy = keep * 2
    torsh.set_memory_limit(1 << 20)
    try:
        with pytest.raises(torsh.OutOfMemoryError) as info:
            torsh.zeros(1 << 20).numpy()
        assert isinstance(info.value, MemoryError)
        with pytest.raises(torsh.OutOfMemoryError):
            torsh.tensor(np.ones(1 << 20, dtype=np.float32))
    finally:
        torsh.set_memory_limit(None)
    assert keep.tolist() == [1.0, 2.0, 3.0]
    assert lazy.tolist() == [2.0, 4.0, 6.0]
    assert (torsh.ones(4) + 1).tolist() == [2.0] * 4


def test_index():
    with pytest.raises(torsh.TorshIndexError) as info:
        torsh.ones(3)[5]
    assert isinstance(info.value, IndexError)


def test_not_implemented():
    with pytest.raises(torsh.TorshNotImplementedError) as info:
        torsh.zeros(2, device="cuda")
    assert isinstance(info.value, NotImplementedError)


def test_invalid_argument():
    with pytest.raises(torsh.InvalidArgumentError):
        torsh.ones(3).item()


def test_ir_parse_and_verify():
    with pytest.raises(torsh.IRParseError):
        torsh.ir.parse("module {")
    b = torsh.ir.Builder()
    with b.func("f", [((2,), torsh.ir.f32)]) as (x,):
        b.ret(b.op("neg", [x], result_type=torsh.ir.TensorType((3,), torsh.ir.f32)))
    with pytest.raises(torsh.IRVerifyError):
        torsh.ir.verify(b.module)


def test_compile_error():
    from torsh.codegen import emit_kernel

    b = torsh.ir.Builder()
    with b.func("f", [((None, 2), torsh.ir.f32)]) as (x,):
        b.ret(b.neg(x))
    with pytest.raises(torsh.CompileError):
        emit_kernel(b.module.funcs[0], "k")


def test_version_mismatch(monkeypatch):
    monkeypatch.setattr(_runtime, "expected_version_number", lambda: 999999)
    with pytest.raises(torsh.VersionMismatchError):
        _runtime.load()


@pytest.mark.parametrize("code", range(1, 14))
def test_every_c_code_raised_in_c_reaches_python_as_its_class(code):
    # torsh_debug_raise makes libtorsh itself report `code`, so this is the real C -> Python
    # path for every code, including InternalError, which no public call triggers on purpose.
    with pytest.raises(errors.error_for_code(code)) as info:
        _runtime.check(_runtime.lib().torsh_debug_raise(code))
    assert "torsh_debug_raise: injected" in str(info.value)
    assert type(info.value).code == code


def test_specified_error_snippet(capsys):
    a, b = torsh.ones(2, 3), torsh.ones(4, 5)
    try:
        result = torsh.matmul(a, b)  # noqa: F841
    except torsh.ShapeMismatchError as e:
        print(f"Shape error: {e}")
    except torsh.OutOfMemoryError as e:
        print(f"Memory error: {e}")
    assert capsys.readouterr().out.startswith("Shape error: matmul: shapes [2, 3] and [4, 5]")


def test_async_realization():
    fut = torsh.realize_async(torsh.arange(5).float() * 3)
    assert fut.result().tolist() == [0.0, 3.0, 6.0, 9.0, 12.0]
    bad = torsh.zeros(1 << 20)
    torsh.set_memory_limit(1 << 10)
    try:
        fut = torsh.realize_async(bad)
        with pytest.raises(torsh.OutOfMemoryError):
            fut.result()
    finally:
        torsh.set_memory_limit(None)


def test_messages_name_the_users_source_line():
    import inspect

    try:
        torsh.ones(2) + torsh.ones(3)
    except torsh.ShapeMismatchError as e:
        line = inspect.currentframe().f_lineno - 2
        assert str(e).endswith(f"(at {__file__}:{line})")
    b = torsh.ir.Builder()
    with pytest.raises(torsh.IRParseError) as info:
        torsh.ir.parse("module {")
    assert "(at " not in str(info.value)  # IR errors point into the IR text instead
    del b
