"""The typed errors: one class per C status code, with the expected builtin bases."""

import pytest

import torsh
from torsh import errors


def test_codes_are_unique_and_round_trip():
    classes = [getattr(errors, name) for name in errors.__all__ if name != "error_for_code"]
    classes = [c for c in classes if c is not errors.TorshError]
    codes = [c.code for c in classes]
    assert len(codes) == len(set(codes))
    for cls in classes:
        assert errors.error_for_code(cls.code) is cls
        assert issubclass(cls, torsh.TorshError)


def test_unknown_code_is_internal_error():
    assert errors.error_for_code(999) is torsh.InternalError


@pytest.mark.parametrize("cls, base", [
    (torsh.OutOfMemoryError, MemoryError),
    (torsh.TorshIndexError, IndexError),
    (torsh.TorshNotImplementedError, NotImplementedError),
    (torsh.ShapeMismatchError, ValueError),
    (torsh.DTypeError, TypeError),
])
def test_builtin_bases(cls, base):
    assert issubclass(cls, base)
    with pytest.raises(base):
        raise cls("boom")


def test_ir_errors_are_exported_from_ir():
    assert torsh.ir.IRParseError is torsh.IRParseError
    assert torsh.ir.IRVerifyError is torsh.IRVerifyError
