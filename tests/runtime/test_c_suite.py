"""The C test suite against libtorsh, and the header's contract with it.

The C programs (tests/runtime/c/test_*.c) are built from here and must report
"N passed, 0 failed". The other tests hold the suite to include/torsh.h: every function
is exercised, every pointer parameter has an executed NULL test, only header functions
are exported, and the header's numbers agree with Python.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

import torsh
from tests.runtime import cbuild, header
from torsh import errors


@pytest.mark.parametrize("program", cbuild.PROGRAMS)
def test_c_program(plain_build: cbuild.Build, program: str) -> None:
    # test_threads runs its full 8 threads x 100,000 iterations here.
    cbuild.assert_passed(cbuild.run([str(plain_build.programs[program])]))


def test_every_header_function_is_called_by_the_c_suite() -> None:
    sources = "\n".join(p.read_text() for p in sorted(cbuild.C_DIR.glob("test_*.c")))
    # Calls, not mentions in comments.
    code = re.sub(r"/\*.*?\*/|//[^\n]*", " ", sources, flags=re.DOTALL)
    missing = [name for name in header.functions() if not re.search(rf"\b{name}\s*\(", code)]
    assert not missing, f"torsh.h functions no C test calls: {missing}"


def test_every_pointer_parameter_has_a_null_test(plain_build: cbuild.Build) -> None:
    result = cbuild.run([str(plain_build.programs["test_null"])])
    cbuild.assert_passed(result)
    executed = set(re.findall(r"^null-test (\w+) (\w+)$", result.stdout, re.MULTILINE))
    required = {(f.name, p.name) for f in header.functions().values()
                for p in f.params if p.is_pointer}
    missing = sorted(required - executed)
    assert not missing, f"(function, parameter) pairs without a NULL_TEST: {missing}"
    unknown = sorted(executed - required)
    assert not unknown, f"NULL_TEST blocks naming no pointer parameter of torsh.h: {unknown}"


def test_library_exports_exactly_the_header_functions(runtime_library) -> None:
    if not cbuild.have("nm"):
        pytest.skip("nm (binutils) is not installed")
    out = subprocess.run(["nm", "-D", "--defined-only", str(runtime_library)],
                         capture_output=True, text=True, check=True).stdout
    exported = {line.split()[-1] for line in out.splitlines() if line.split()[1:2] == ["T"]}
    assert exported == set(header.functions())
    others = {line.split()[-1] for line in out.splitlines()
              if line.split()[1:2] not in (["T"], ["A"]) and "torsh" in line}
    assert not others, f"unexpected exported data symbols: {others}"


def test_header_version_matches_the_package() -> None:
    d = header.defines()
    version = ".".join(d[f"TORSH_VERSION_{part}"] for part in ("MAJOR", "MINOR", "PATCH"))
    assert version == torsh.__version__


def test_header_status_codes_match_torsh_errors() -> None:
    codes = {name: value for name, value in header.enum_values().items()
             if name.startswith("TORSH_ERR_")}
    expected = {
        "TORSH_ERR_NULL_ARGUMENT": errors.NullArgumentError,
        "TORSH_ERR_INVALID_HANDLE": errors.InvalidHandleError,
        "TORSH_ERR_SHAPE_MISMATCH": errors.ShapeMismatchError,
        "TORSH_ERR_DTYPE": errors.DTypeError,
        "TORSH_ERR_OUT_OF_MEMORY": errors.OutOfMemoryError,
        "TORSH_ERR_INDEX": errors.TorshIndexError,
        "TORSH_ERR_NOT_IMPLEMENTED": errors.TorshNotImplementedError,
        "TORSH_ERR_INVALID_ARGUMENT": errors.InvalidArgumentError,
        "TORSH_ERR_IR_PARSE": errors.IRParseError,
        "TORSH_ERR_IR_VERIFY": errors.IRVerifyError,
        "TORSH_ERR_COMPILE": errors.CompileError,
        "TORSH_ERR_INTERNAL": errors.InternalError,
        "TORSH_ERR_VERSION_MISMATCH": errors.VersionMismatchError,
    }
    assert set(codes) == set(expected)
    for name, cls in expected.items():
        assert codes[name] == cls.code, name
    assert header.enum_values()["TORSH_OK"] == 0


def test_every_pointer_returning_function_documents_ownership() -> None:
    text = header.HEADER.read_text()
    words = ("New reference", "New:", "Borrowed", "new reference", "borrowed")
    for fn in header.functions().values():
        if "*" not in fn.restype:
            continue
        # The last comment above the prototype (a twin shares its plain function's).
        at = re.search(rf"TORSH_API[^;]*\b{fn.name}\s*\(", text).start()
        comment = text[:at].rsplit("*/", 1)[0].rsplit("/*", 1)[-1]
        assert any(w in comment for w in words), f"{fn.name}: ownership is not documented"


@pytest.mark.skipif(shutil.which("g++") is None and shutil.which("c++") is None,
                    reason="no C++ compiler installed")
def test_header_is_usable_from_cplusplus(tmp_path, runtime_library) -> None:
    cxx = shutil.which("g++") or shutil.which("c++")
    src = tmp_path / "use.cpp"
    src.write_text('#include "torsh.h"\nint main() { torsh_init(); '
                   'torsh_tensor_t *t = torsh_tensor_zeros(nullptr, 0, TORSH_F32); '
                   'int ok = torsh_tensor_numel(t) == 1; torsh_tensor_release(t); '
                   'torsh_cleanup(); return ok ? 0 : 1; }\n')
    libdir = runtime_library.parent
    subprocess.run([cxx, "-Wall", "-Wextra", "-Werror", f"-I{cbuild.ROOT / 'include'}", str(src),
                    f"-L{libdir}", "-ltorsh", f"-Wl,-rpath,{libdir}", "-o", str(tmp_path / "use")],
                   check=True)
    assert subprocess.run([str(tmp_path / "use")], check=False).returncode == 0


def test_runtime_sources_build_warning_free_with_stricter_flags() -> None:
    """-Wall -Wextra -Werror is the build; -Wpedantic/-Wshadow/... keep the code tidy."""
    flags = ["-std=c11", "-fsyntax-only", "-Wall", "-Wextra", "-Werror", "-Wpedantic",
             "-Wshadow", "-Wmissing-prototypes", "-Wstrict-prototypes", "-pthread",
             f"-I{cbuild.ROOT / 'include'}", f"-I{cbuild.AOT_DIR}"]
    sources = [str(p) for p in sorted((cbuild.ROOT / "runtime").glob("*.c"))]
    proc = subprocess.run([cbuild.CC, *flags, *sources], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stderr
