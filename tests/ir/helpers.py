"""Shared helpers of the torsh.ir tests: golden files, mlir-opt, and error-shape checks."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import torsh.errors
from torsh.ir import IRParseError, IRVerifyError, Module, TensorType, parse

HERE = Path(__file__).resolve().parent
GOLDEN_DIR = HERE / "golden"
BAD_DIR = HERE / "bad"
GOLDEN_FILES = sorted(GOLDEN_DIR.glob("*.mlir"))

MLIR_OPT = shutil.which("mlir-opt-22")
requires_mlir_opt = pytest.mark.skipif(
    MLIR_OPT is None,
    reason="mlir-opt-22 not installed (Debian package mlir-22-tools; CI installs it)")

LOCATED = re.compile(r"^(\d+):(\d+): ")


def golden_id(path: Path) -> str:
    return path.stem


def run_mlir_opt(text: str, *flags: str) -> subprocess.CompletedProcess:
    return subprocess.run([MLIR_OPT, "--allow-unregistered-dialect", *flags, "-"],
                          input=text, capture_output=True, text=True, timeout=60, check=False)


def check_ir_error(exc: BaseException, source: str | bytes | None = None,
                   keyword: str | None = None, caret: bool = True) -> tuple[int, int]:
    """Assert ``exc`` is how torsh reports bad IR: exactly IRParseError or IRVerifyError,
    from torsh.errors, no lark exception in its chain, a ``line:col: `` prefix, ``keyword``
    in the message, and (with a source) a caret line under that column. Returns (line, col).
    """
    assert type(exc) in (IRParseError, IRVerifyError), f"{type(exc).__name__}: {exc}"
    assert type(exc).__module__ == torsh.errors.__name__
    seen = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    while seen is not None:
        assert not type(seen).__module__.startswith("lark"), f"lark exception leaks: {seen!r}"
        seen = seen.__cause__ or (None if seen.__suppress_context__ else seen.__context__)
    message = str(exc)
    m = LOCATED.match(message)
    assert m, f"no line:col prefix in {message!r}"
    line, col = int(m.group(1)), int(m.group(2))
    assert line >= 1 and col >= 1, message
    internals = re.search(r"__ANON|__anon|\$END|END-OF-FILE|Traceback|lark", message)
    assert not internals, f"parser internals leak into {message!r}"
    if keyword is not None:
        assert keyword.lower() in message.splitlines()[0].lower(), \
            f"{keyword!r} not in {message.splitlines()[0]!r}"
    if caret and source is not None:
        _check_caret(message, source, line, col)
    return line, col


def _check_caret(message: str, source: str | bytes, line: int, col: int) -> None:
    if isinstance(source, bytes):
        source = source.decode("utf-8", "replace")
    lines = message.split("\n")
    assert len(lines) >= 3, f"expected message, source line and caret line: {message!r}"
    shown, marker = lines[-2], lines[-1]
    assert shown.startswith("  ") and marker.startswith("  ") and marker.endswith("^"), message
    src_lines = source.splitlines()
    src = src_lines[line - 1] if line <= len(src_lines) else ""
    if len(src) <= 200:  # longer lines are shown as a window around the column
        assert shown[2:] == src, (shown, src)
        assert len(marker) - 3 == col - 1, f"caret not under column {col}: {message!r}"
    else:
        lo = max(0, col - 100)
        assert shown[2:] == src[lo:lo + 200], (shown, src)
        assert len(marker) - 3 == col - lo - 1, f"caret not under column {col}: {message!r}"


def expect_ir_error(text: str | bytes, keyword: str | None = None,
                    cls: type | None = None) -> BaseException:
    """Parse ``text``; assert it fails the way bad IR must (see check_ir_error)."""
    try:
        parse(text)
    except Exception as e:  # noqa: BLE001 - we assert on exactly what was raised
        if cls is not None:
            assert type(e) is cls, f"{type(e).__name__}: {e}"
        check_ir_error(e, text, keyword)
        return e
    raise AssertionError(f"parse accepted bad input:\n{text!r}"[:2000])


# ------------------------------------------------------------------ interpreter inputs

DYNAMIC_SIZE = 3
TOLERANCES = {  # torch.testing.assert_close defaults
    "float32": {"rtol": 1.3e-6, "atol": 1e-5},
    "float64": {"rtol": 1e-7, "atol": 1e-7},
    "float16": {"rtol": 1e-3, "atol": 1e-5},
    "bfloat16": {"rtol": 1.6e-2, "atol": 1e-5},
}


def random_input(t: TensorType, rng: np.random.Generator) -> np.ndarray:
    shape = tuple(DYNAMIC_SIZE if d is None else d for d in t.shape)
    if t.dtype.is_float:
        return (rng.standard_normal(shape) * 2).astype(t.dtype.numpy)
    if t.dtype.is_bool:
        return rng.random(shape) < 0.5
    return rng.integers(-6, 7, shape).astype(t.dtype.numpy)


def assert_same_results(got, want, types) -> None:
    got = got if isinstance(got, tuple) else (got,)
    want = want if isinstance(want, tuple) else (want,)
    assert len(got) == len(want) == len(types)
    for i, (g, w, t) in enumerate(zip(got, want, types)):
        assert g.dtype == w.dtype and g.shape == w.shape, (i, g.dtype, w.dtype, g.shape, w.shape)
        if t.dtype.is_float:
            key = "bfloat16" if t.dtype.value == "bf16" else str(w.dtype)
            np.testing.assert_allclose(g, w, equal_nan=True, err_msg=f"result #{i}",
                                       **TOLERANCES[key])
        else:
            np.testing.assert_array_equal(g, w, err_msg=f"result #{i}")


def func_names(m: Module) -> list[str]:
    return [f.name for f in m.funcs]
