"""The Ruby bindings (bindings/ruby, ruby-ffi): their minitest suite and example run
against the library `make lib` builds, and their attach_function declarations agree with
include/torsh.h."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.runtime import cbuild, header

ROOT = Path(__file__).resolve().parents[2]
RUBY_DIR = ROOT / "bindings" / "ruby"
BINDING = RUBY_DIR / "lib" / "torsh.rb"
LIBRARY = ROOT / "torsh" / "lib" / "libtorsh.so"
TIMEOUT = 600

# C types of torsh.h -> the ruby-ffi type torsh.rb must declare for them.
FFI_TYPES = {
    "void": "void",
    "bool": "bool",
    "int": "int",
    "torsh_status_t": "int",
    "torsh_dtype_t": "int",
    "int64_t": "int64",
    "uint64_t": "uint64",
    "size_t": "size_t",
    "double": "double",
    "const char *": "string",
}
STRUCT_ARGUMENT = "MemoryStats.by_ref"  # torsh_memory_stats_t *: a pointer to the FFI::Struct


def _ruby_problem() -> str | None:
    """Why the Ruby tests cannot run here, or None when they can."""
    ruby = shutil.which("ruby")
    if ruby is None:
        return "ruby is not installed (apt-get install ruby-ffi)"
    for gem, package in (("ffi", "ruby-ffi"), ("minitest", "ruby-minitest")):
        proc = subprocess.run([ruby, "-e", f"require '{gem}'"], capture_output=True, text=True,
                              check=False)
        if proc.returncode != 0:
            return f"the ruby {gem} gem is not installed (apt-get install {package})"
    return None


needs_ruby = pytest.mark.skipif(_ruby_problem() is not None, reason=str(_ruby_problem()))


@pytest.fixture(scope="module")
def library() -> Path:
    """torsh/lib/libtorsh.so, (re)built when missing or older than its sources."""
    if cbuild.library_is_stale(LIBRARY):
        cbuild.build_library(ROOT / "torsh")
    return LIBRARY


def _run_ruby(script: Path, library: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TORSH_LIBRARY": str(library)}
    return subprocess.run(["ruby", str(script)], cwd=RUBY_DIR, env=env, capture_output=True,
                          text=True, timeout=TIMEOUT, check=False)


@needs_ruby
def test_minitest_suite(library: Path) -> None:
    proc = _run_ruby(RUBY_DIR / "test_torsh.rb", library)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    summary = re.search(r"(\d+) runs, \d+ assertions, (\d+) failures, (\d+) errors, (\d+) skips",
                        output)
    assert summary, output
    runs, failures, errors, skips = (int(g) for g in summary.groups())
    assert runs >= 30 and failures == errors == skips == 0, output


@needs_ruby
def test_example(library: Path) -> None:
    proc = _run_ruby(RUBY_DIR / "example.rb", library)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "a + b          = [[11.0, 22.0, 33.0], [44.0, 55.0, 66.0]]" in output
    assert "caught ToRSh::ShapeMismatchError (status 3)" in output
    losses = [float(x) for x in re.findall(r"step +\d+ +loss ([\d.]+)", output)]
    assert len(losses) >= 2 and losses[-1] < losses[0], output


@needs_ruby
def test_torsh_library_variable_is_honoured(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "libtorsh.so"
    env = {**os.environ, "TORSH_LIBRARY": str(missing)}
    proc = subprocess.run(["ruby", "-e", f"require '{BINDING}'"], capture_output=True,
                          text=True, env=env, timeout=TIMEOUT, check=False)
    assert proc.returncode != 0
    assert str(missing) in proc.stderr


def _declarations() -> dict[str, tuple[list[str], str]]:
    """attach_function :name, [args] or %i[args], :ret  ->  {name: (args, ret)}."""
    text = BINDING.read_text()
    found = {}
    pattern = r"^\s*attach_function :(\w+), (\[[^\]]*\]|%i\[[^\]]*\]), :(\w+)\s*$"
    for name, args, ret in re.findall(pattern, text, re.MULTILINE):
        if args.startswith("%i["):
            items = args[3:-1].split()
        else:
            items = [a.strip().lstrip(":") for a in args[1:-1].split(",") if a.strip()]
        found[name] = (items, ret)
    return found


def _ffi_type(c_type: str) -> str:
    if c_type == "torsh_memory_stats_t *":
        return STRUCT_ARGUMENT
    if c_type in FFI_TYPES:
        return FFI_TYPES[c_type]
    if "*" in c_type or c_type in header.FUNCTION_POINTER_TYPES:
        return "pointer"
    raise AssertionError(f"no ruby-ffi type for C type {c_type!r}")


def test_declarations_match_header() -> None:
    declared = _declarations()
    functions = header.functions()
    assert len(declared) >= 90, "torsh.rb attaches too few functions"
    assert declared["torsh_init"] == ([], "int")  # torsh_status_t, not void
    for name, (args, ret) in declared.items():
        assert name in functions, f"torsh.rb attaches {name}, which torsh.h does not declare"
        function = functions[name]
        expected = [_ffi_type(p.type) for p in function.params]
        assert args == expected, f"{name}: torsh.rb says {args}, torsh.h says {expected}"
        assert ret == _ffi_type(function.restype), f"{name}: return type {ret}"


def test_binding_covers_the_tensor_api() -> None:
    declared = _declarations()
    wanted = [
        "torsh_add", "torsh_sub", "torsh_mul", "torsh_div", "torsh_matmul", "torsh_relu",
        "torsh_sum", "torsh_backward", "torsh_tensor_grad", "torsh_tensor_set_requires_grad",
        "torsh_sequential_new", "torsh_sequential_add", "torsh_linear_new", "torsh_relu_new",
        "torsh_module_forward", "torsh_module_parameters", "torsh_adam_new",
        "torsh_optimizer_step", "torsh_optimizer_zero_grad", "torsh_tensor_release",
        "torsh_last_error", "torsh_last_error_message", "torsh_debug_raise", "torsh_memory_stats",
    ]
    assert [name for name in wanted if name not in declared] == []


def test_error_classes_match_status_codes() -> None:
    """torsh.rb's STATUS_CLASSES lists every TORSH_ERR_* code of the header."""
    text = BINDING.read_text()
    mapped = {int(code): name for code, name in re.findall(r"^\s*(\d+) => :(\w+),?", text,
                                                             re.MULTILINE)}
    codes = {name: value for name, value in header.enum_values().items()
             if name.startswith("TORSH_ERR_")}
    assert sorted(mapped) == sorted(codes.values())
    for c_name, value in codes.items():
        words = c_name.removeprefix("TORSH_ERR_").split("_")
        expected = "".join(w.capitalize() for w in words)
        expected = {"IrParse": "IRParse", "IrVerify": "IRVerify", "Dtype": "DType"}.get(
            expected, expected) + "Error"
        assert mapped[value] == expected, f"{c_name} = {value}"
