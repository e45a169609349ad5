"""runtime/build.py, torsh.config and the wheel: C programs build against an installed torsh."""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.runtime import cbuild
from torsh import config

PROGRAM = r"""
#include <stdio.h>
#include "torsh.h"
int main(void) {
    if (torsh_init() != TORSH_OK) return 1;
    float data[] = {1, 2, 3, 4};
    int64_t shape[] = {2, 2};
    torsh_tensor_t *t = torsh_tensor_from_array(data, shape, 2, TORSH_F32);
    float *d = torsh_tensor_data_ptr(t);
    printf("version %d sum %g\n", torsh_version_number(), d[0] + d[1] + d[2] + d[3]);
    torsh_tensor_free(t);
    torsh_cleanup();
    return torsh_version_number() == TORSH_VERSION_NUMBER ? 0 : 1;
}
"""


def _compile_and_run(tmp_path: Path, flags: str) -> str:
    src = tmp_path / "prog.c"
    src.write_text(PROGRAM)
    exe = tmp_path / "prog"
    subprocess.run(f"{cbuild.CC} {src} {flags} -o {exe}", shell=True, check=True)
    env = {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"}
    out = subprocess.run([str(exe)], capture_output=True, text=True, env=env, cwd=tmp_path,
                         check=False)
    assert out.returncode == 0, out.stderr
    return out.stdout


# --------------------------------------------------------------------------- build.py

def test_build_script_options(tmp_path) -> None:
    build = [sys.executable, str(cbuild.BUILD_PY)]
    out = subprocess.run([*build, "--out", str(tmp_path / "dbg"), "--debug", "-v"],
                         capture_output=True, text=True, check=True).stdout
    assert "-O0" in out and "-fvisibility=hidden" in out and "-Werror" in out
    assert (tmp_path / "dbg" / "lib" / "libtorsh.so").exists()
    assert (tmp_path / "dbg" / "include" / "torsh.h").read_text() == (
        cbuild.ROOT / "include" / "torsh.h").read_text()
    flags = subprocess.run([*build, "--out", "x", "--print-flags", "--sanitize",
                            "address,undefined"], capture_output=True, text=True, check=True)
    assert "-fsanitize=address,undefined" in flags.stdout
    bad = subprocess.run([*build, "--out", str(tmp_path / "bad"), "--sanitize", "thread,address"],
                         capture_output=True, text=True, check=False)
    assert bad.returncode != 0 and "cannot be combined" in bad.stderr
    assert not list(tmp_path.glob("dbg/lib/.libtorsh-*"))  # no temp files left behind


# --------------------------------------------------------------------------- torsh.config

def test_config_paths_and_flags(runtime_library) -> None:
    assert config.get_library() == runtime_library.resolve()
    assert config.get_library_dir() == runtime_library.resolve().parent
    assert (config.get_include() / "torsh.h").exists()
    out = subprocess.run([sys.executable, "-m", "torsh.config", "--cflags", "--libs"],
                         capture_output=True, text=True, check=True, cwd=cbuild.ROOT).stdout
    libdir = config.get_library_dir()
    assert out.split() == [f"-I{config.get_include()}", f"-L{libdir}", "-ltorsh",
                           f"-Wl,-rpath,{libdir}"]
    assert subprocess.run([sys.executable, "-m", "torsh.config"], capture_output=True,
                          cwd=cbuild.ROOT, check=False).returncode == 2


def test_a_c_program_builds_with_the_config_flags(tmp_path, runtime_library) -> None:
    flags = subprocess.run([sys.executable, "-m", "torsh.config", "--cflags", "--libs"],
                           capture_output=True, text=True, check=True, cwd=cbuild.ROOT).stdout
    assert _compile_and_run(tmp_path, flags.strip()) == "version 100 sum 10\n"


def test_torsh_library_env_overrides_the_path(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("TORSH_LIBRARY", str(tmp_path / "custom" / "libtorsh.so"))
    assert config.get_library_dir() == tmp_path / "custom"
    assert f"-Wl,-rpath,{tmp_path / 'custom'}" in config.libs()


# --------------------------------------------------------------------------- the wheel

# pip needs the build requirements of pyproject.toml (setuptools, wheel) from an index.
OFFLINE_MARKERS = ("Could not find a version that satisfies", "No matching distribution",
                   "Failed to establish a new connection", "Temporary failure in name resolution",
                   "Network is unreachable")


def _copy_sources(dest: Path) -> None:
    """The files a wheel is built from, without build outputs of the checkout."""
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy2(cbuild.ROOT / name, dest / name)
    for name in ("runtime", "include"):
        shutil.copytree(cbuild.ROOT / name, dest / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.o"))
    package = cbuild.ROOT / "torsh"

    def ignore(folder: str, names: list[str]) -> set[str]:
        skip = {n for n in names if n == "__pycache__" or n.endswith((".so", ".pyc"))}
        if Path(folder) == package:
            skip |= {"lib", "include"}  # built by build_py into the wheel
        return skip

    shutil.copytree(package, dest / "torsh", ignore=ignore)


def _dependency_dirs() -> list[str]:
    """The site-packages folders holding the dependencies pyproject.toml declares."""
    project = tomllib.loads((cbuild.ROOT / "pyproject.toml").read_text())["project"]
    names = [re.split(r"[<>=!~;\[ ]", dep, maxsplit=1)[0] for dep in project["dependencies"]]
    return sorted({str(importlib.metadata.distribution(n).locate_file("")) for n in names})


@pytest.mark.slow
def test_wheel_installs_into_a_fresh_venv(tmp_path) -> None:
    src, dist = tmp_path / "src", tmp_path / "dist"
    src.mkdir()
    _copy_sources(src)
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "-w",
                            str(dist), "-q"], cwd=src, capture_output=True, text=True,
                           check=False)
    if build.returncode != 0 and any(m in build.stderr for m in OFFLINE_MARKERS):
        pytest.skip("pip cannot fetch the build requirements (setuptools, wheel): no index")
    assert build.returncode == 0, build.stderr
    (wheel,) = dist.glob("torsh-*.whl")
    assert re.fullmatch(r"torsh-0\.1\.0-py3-none-[a-z0-9_]+\.whl", wheel.name), wheel.name
    assert "any" not in wheel.name
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    assert {"torsh/lib/libtorsh.so", "torsh/include/torsh.h", "torsh/config.py",
            "torsh/_runtime.py"} <= names

    # A fresh venv with the wheel alone; the dependencies come from this interpreter's
    # site-packages through a .pth file (no index needed, and no torsh from there).
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                    "--no-deps", "--no-index", str(wheel)], check=True)
    site = Path(subprocess.run([str(python), "-c",
                                "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "_torsh_test_deps.pth").write_text("\n".join(_dependency_dirs()) + "\n")

    elsewhere = tmp_path / "elsewhere"  # not the source tree
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "TORSH_LIBRARY", "LD_LIBRARY_PATH")}
    flags = subprocess.run([str(python), "-m", "torsh.config", "--cflags", "--libs"], cwd=elsewhere,
                           env=env, capture_output=True, text=True, check=True).stdout.strip()
    venv_root = str(venv.resolve())
    paths = [f[2:] for f in flags.split() if f.startswith(("-I", "-L"))]
    assert paths and all(p.startswith(venv_root) for p in paths), flags
    check = ("import torsh, ctypes; from torsh import _runtime, config; "
             "ctypes.CDLL(str(config.get_library())); "
             "print(_runtime.version_number(), torsh.__file__)")
    out = subprocess.run([str(python), "-c", check], cwd=elsewhere, env=env,
                         capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == "100" and out[1].startswith(venv_root)
    assert _compile_and_run(elsewhere, flags) == "version 100 sum 10\n"


def test_config_module_runs_without_warnings():
    """`python -m torsh.config` prints only the flags: importing torsh must not import
    torsh.config first (runpy would warn about it on stderr)."""
    proc = subprocess.run([sys.executable, "-W", "error", "-m", "torsh.config", "--libs"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
