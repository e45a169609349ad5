"""The C suite under memcheck (valgrind), AddressSanitizer+UBSan and ThreadSanitizer.

Each run must end with the program's own "N passed, 0 failed" and no tool report.
test_threads runs its full 8 threads x 100,000 iterations under ASan and TSan, and 2,000
under valgrind, which runs one thread at a time (the exact-count property is the same at
any iteration count).
"""

from __future__ import annotations

import pytest

from tests.runtime import cbuild

VALGRIND_THREAD_ITERATIONS = "2000"
SANITIZER_THREAD_ITERATIONS = "100000"  # the full count under ASan and TSan


def _args(program: str, iterations: str) -> list[str]:
    return [iterations] if program == "test_threads" else []


@pytest.mark.skipif(not cbuild.have("valgrind"), reason="valgrind is not installed")
@pytest.mark.parametrize("program", cbuild.PROGRAMS)
def test_valgrind_memcheck(plain_build: cbuild.Build, program: str) -> None:
    # Every leak kind counts as an error: the runtime frees everything, even what it
    # could leave reachable at exit (torsh_cleanup frees the handle table).
    cmd = ["valgrind", "--tool=memcheck", "--leak-check=full", "--show-leak-kinds=all",
           "--errors-for-leak-kinds=all", "--error-exitcode=99", "--quiet",
           str(plain_build.programs[program]), *_args(program, VALGRIND_THREAD_ITERATIONS)]
    result = cbuild.run(cmd)
    cbuild.assert_passed(result)
    assert "ERROR SUMMARY" not in result.stderr or "0 errors" in result.stderr, result.describe()


@pytest.mark.parametrize("program", cbuild.PROGRAMS)
def test_address_and_undefined_sanitizers(asan_build: cbuild.Build, program: str) -> None:
    result = cbuild.run([str(asan_build.programs[program]),
                         *_args(program, SANITIZER_THREAD_ITERATIONS)], env=asan_build.env)
    cbuild.assert_passed(result)
    assert "runtime error:" not in result.stderr, result.describe()  # UBSan
    # ("WARNING: AddressSanitizer failed to allocate" is expected: tests ask for absurd sizes.)
    assert "ERROR: AddressSanitizer" not in result.stderr, result.describe()
    assert "ERROR: LeakSanitizer" not in result.stderr, result.describe()


# TSan maps its shadow memory at fixed addresses; on kernels with high mmap ASLR entropy
# it aborts with this message, and running with ASLR off (setarch -R) is the fix.
TSAN_MAPPING_ERROR = "unexpected memory mapping"


@pytest.mark.parametrize("program", cbuild.PROGRAMS)
def test_thread_sanitizer(tsan_build: cbuild.Build, program: str) -> None:
    cmd = [str(tsan_build.programs[program]), *_args(program, SANITIZER_THREAD_ITERATIONS)]
    result = cbuild.run(cmd, env=tsan_build.env)
    if result.returncode != 0 and TSAN_MAPPING_ERROR in result.stderr:
        if not cbuild.have("setarch"):
            pytest.skip(f"ThreadSanitizer cannot run here ({TSAN_MAPPING_ERROR}) and setarch "
                        f"is not installed to disable ASLR")
        result = cbuild.run(["setarch", "-R", *cmd], env=tsan_build.env)
        if result.returncode != 0 and TSAN_MAPPING_ERROR in result.stderr:
            pytest.skip(f"ThreadSanitizer cannot run here even with ASLR off: "
                        f"{TSAN_MAPPING_ERROR}")
    cbuild.assert_passed(result)
    assert "WARNING: ThreadSanitizer" not in result.stderr, result.describe()
