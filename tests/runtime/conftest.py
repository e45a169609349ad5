"""Fixtures of the runtime tests: the library, sanitizer builds, the C programs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.runtime import cbuild


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: takes seconds (builds a wheel, a fresh venv); still in the default run")


@pytest.fixture(scope="session", autouse=True)
def runtime_library() -> Path:
    """torsh/lib/libtorsh.so, (re)built if missing or older than its sources (what
    `make lib` does), so `pytest tests/` works on a fresh checkout."""
    prefix = cbuild.ROOT / "torsh"
    library = prefix / "lib" / "libtorsh.so"
    if cbuild.library_is_stale(library):
        cbuild.build_library(prefix)
    return library


@pytest.fixture(scope="session")
def plain_build(runtime_library: Path, tmp_path_factory: pytest.TempPathFactory) -> cbuild.Build:
    """The C programs linked against the library torsh ships."""
    return cbuild.build_programs(runtime_library.parent.parent,
                                 tmp_path_factory.mktemp("c_plain"))


def _sanitized(tmp_path_factory: pytest.TempPathFactory, sanitize: str) -> cbuild.Build:
    prefix = tmp_path_factory.mktemp(f"lib_{sanitize.replace(',', '_')}")
    cbuild.build_library(prefix, sanitize)
    return cbuild.build_programs(prefix, prefix / "programs", sanitize)


@pytest.fixture(scope="session")
def asan_build(tmp_path_factory: pytest.TempPathFactory) -> cbuild.Build:
    return _sanitized(tmp_path_factory, "address,undefined")


@pytest.fixture(scope="session")
def tsan_build(tmp_path_factory: pytest.TempPathFactory) -> cbuild.Build:
    return _sanitized(tmp_path_factory, "thread")


@pytest.fixture(scope="session")
def kernels_library(runtime_library: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/runtime/c/kernels.c as a shared library (kernels for launch/plan tests)."""
    out = tmp_path_factory.mktemp("kernels") / "libtorsh_test_kernels.so"
    return cbuild.compile_program(cbuild.C_DIR / "kernels.c", out, runtime_library.parent.parent,
                                  shared=True)
