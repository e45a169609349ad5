"""The Java bindings (bindings/java, JNI): build.sh builds them warning-free against the
library `make lib` builds, their test program and example run (under -Xcheck:jni), and
their native methods, exception classes and dtypes agree with include/torsh.h."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.runtime import cbuild, header

ROOT = Path(__file__).resolve().parents[2]
JAVA_DIR = ROOT / "bindings" / "java"
SOURCES = JAVA_DIR / "src" / "org" / "torsh"
JNI_SOURCE = JAVA_DIR / "jni" / "torsh_jni.c"
LIBRARY = ROOT / "torsh" / "lib" / "libtorsh.so"
TIMEOUT = 600


def _java_home() -> Path | None:
    """JAVA_HOME, else the JDK holding the javac on PATH."""
    if os.environ.get("JAVA_HOME"):
        return Path(os.environ["JAVA_HOME"])
    javac = shutil.which("javac")
    return Path(javac).resolve().parents[1] if javac else None


def _jdk_problem() -> str | None:
    """Why the Java bindings cannot be built here, or None when they can."""
    home = _java_home()
    if home is None:
        return ("no JDK: javac is not on PATH and JAVA_HOME is unset "
                "(apt-get install openjdk-17-jdk)")
    for needed in ("bin/javac", "bin/java", "include/jni.h", "include/linux/jni_md.h"):
        if not (home / needed).exists():
            return f"the JDK at {home} has no {needed} (set JAVA_HOME to a full JDK)"
    if not cbuild.have(os.environ.get("CC", "gcc")):
        return "no C compiler to build the JNI library"
    return None


needs_jdk = pytest.mark.skipif(_jdk_problem() is not None, reason=str(_jdk_problem()))


def _build_env() -> dict[str, str]:
    return {**os.environ, "JAVA_HOME": str(_java_home())}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """(the build directory, build.sh's output): build.sh run against torsh/lib/libtorsh.so
    ((re)built when missing or older than its sources) into a private directory."""
    if cbuild.library_is_stale(LIBRARY):
        cbuild.build_library(ROOT / "torsh")
    out = tmp_path_factory.mktemp("java_build")
    proc = subprocess.run(["bash", str(JAVA_DIR / "build.sh"), str(LIBRARY.parent),
                           str(ROOT / "include"), str(out)], capture_output=True, text=True,
                          env=_build_env(), timeout=TIMEOUT, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    return out, output


def _run_java(build: Path, main_class: str) -> subprocess.CompletedProcess[str]:
    java = _java_home() / "bin" / "java"  # type: ignore[operator]
    cmd = [str(java), "-Xcheck:jni", f"-Djava.library.path={build / 'lib'}", "-cp",
           str(build / "classes"), main_class]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT,
                          check=False)


@needs_jdk
def test_build_is_warning_free(built: tuple[Path, str]) -> None:
    build, output = built
    assert (build / "lib" / "libtorsh_jni.so").exists()
    assert (build / "classes" / "org" / "torsh" / "ToRSh.class").exists()
    assert (build / "torsh.jar").exists()
    assert "warning" not in output.lower(), output


@needs_jdk
def test_jni_library_links_libtorsh_with_an_rpath(built: tuple[Path, str]) -> None:
    build, _ = built
    proc = subprocess.run(["readelf", "-d", str(build / "lib" / "libtorsh_jni.so")],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        pytest.skip("readelf is not available")
    assert "libtorsh.so" in proc.stdout
    assert str(LIBRARY.parent) in proc.stdout  # RPATH / RUNPATH


@needs_jdk
def test_test_program(built: tuple[Path, str]) -> None:
    build, _ = built
    proc = _run_java(build, "org.torsh.ToRShTest")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    summary = re.search(r"^(\d+) passed, (\d+) failed$", proc.stdout, re.MULTILINE)
    assert summary, output
    passed, failed = int(summary.group(1)), int(summary.group(2))
    assert failed == 0 and passed >= 20, output
    assert "WARNING" not in output, output  # -Xcheck:jni found no misuse


@needs_jdk
def test_example(built: tuple[Path, str]) -> None:
    build, _ = built
    proc = _run_java(build, "org.torsh.Example")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "a + b          = [11.0, 22.0, 33.0, 44.0, 55.0, 66.0] shape [2, 3]" in output
    assert "a.matmul(w)    = [4.0, 5.0, 10.0, 11.0] shape [2, 2]" in output
    caught = re.search(r"caught ShapeMismatchException \(status 3\): (.*)", output)
    assert caught, output
    assert "(2, 3)" in caught.group(1) and "(4, 5)" in caught.group(1), output
    losses = [float(x) for x in re.findall(r"step +\d+ +loss ([\d.]+)", output)]
    assert len(losses) >= 2 and losses[-1] < losses[0] / 5, output
    assert "live handles after GC: 0" in output, output
    assert "WARNING" not in output, output


@needs_jdk
def test_build_script_reports_a_missing_library(tmp_path: Path) -> None:
    proc = subprocess.run(["bash", str(JAVA_DIR / "build.sh"), str(tmp_path / "none"),
                           str(ROOT / "include"), str(tmp_path / "out")], capture_output=True,
                          text=True, env=_build_env(), timeout=TIMEOUT, check=False)
    assert proc.returncode != 0
    assert "no libtorsh.so in" in proc.stderr


# ------------------------------------------------------------------ static checks (no JDK)


def _native_methods() -> set[str]:
    text = (SOURCES / "ToRSh.java").read_text()
    return set(re.findall(r"public static native \S+ (\w+)\(", text))


# torsh_jni.c defines the ops through macros: BINARY_OP(add, torsh_add) defines
# Java_org_torsh_ToRSh_add calling torsh_add.
OP_MACRO = re.compile(r"^[A-Z]+_OP\((\w+), (torsh_\w+)\)$", re.MULTILINE)


def _jni_functions() -> set[str]:
    text = JNI_SOURCE.read_text()
    direct = set(re.findall(r"Java_org_torsh_ToRSh_(\w+)\(", text)) - {"java_name"}
    return direct | {java for java, _ in OP_MACRO.findall(text)}


def test_every_native_method_is_implemented() -> None:
    natives = _native_methods()
    assert len(natives) >= 60
    assert natives == _jni_functions()  # none missing (UnsatisfiedLinkError), none extra
    assert not [name for name in natives if "_" in name]  # no JNI name mangling needed


def test_jni_code_calls_only_header_functions() -> None:
    declared = header.functions()
    text = JNI_SOURCE.read_text()
    called = set(re.findall(r"\b(torsh_\w+)\(", text)) | {c for _, c in OP_MACRO.findall(text)}
    assert called, "torsh_jni.c calls no torsh function"
    assert sorted(called - set(declared)) == []
    wanted = {"torsh_add", "torsh_sub", "torsh_mul", "torsh_matmul", "torsh_relu", "torsh_sum",
              "torsh_tensor_set_requires_grad", "torsh_backward", "torsh_tensor_grad",
              "torsh_sequential_new", "torsh_sequential_add", "torsh_linear_new",
              "torsh_relu_new", "torsh_module_forward", "torsh_module_parameters",
              "torsh_adam_new", "torsh_optimizer_zero_grad", "torsh_optimizer_step",
              "torsh_cross_entropy", "torsh_mse_loss", "torsh_tensor_release",
              "torsh_module_free", "torsh_params_free", "torsh_optimizer_free",
              "torsh_last_error", "torsh_last_error_message", "torsh_debug_raise"}
    assert sorted(wanted - called) == []


def _java_class_name(c_name: str) -> str:
    words = c_name.removeprefix("TORSH_ERR_").split("_")
    name = "".join(w.capitalize() for w in words)
    return {"IrParse": "IRParse", "IrVerify": "IRVerify", "Dtype": "DType"}.get(name, name)


def test_exception_classes_match_status_codes() -> None:
    """TorshException has one constant and one subclass per TORSH_ERR_* code."""
    text = (SOURCES / "TorshException.java").read_text()
    constants = {name: int(value) for name, value in
                 re.findall(r"public static final int (\w+) = (\d+);", text)}
    cases = dict(re.findall(r"case (\w+): return new (\w+)\(message\);", text))
    codes = {name: value for name, value in header.enum_values().items()
             if name.startswith("TORSH_ERR_")}
    assert {f"TORSH_ERR_{name}": value for name, value in constants.items()} == codes
    for c_name in codes:
        constant = c_name.removeprefix("TORSH_ERR_")
        java_class = _java_class_name(c_name) + "Exception"
        assert cases.get(constant) == java_class, c_name
        source = (SOURCES / f"{java_class}.java").read_text()
        assert f"public class {java_class} extends TorshException" in source
        assert f"super({constant}, message)" in source


def test_dtypes_match_the_header() -> None:
    text = (SOURCES / "DType.java").read_text()
    java = {name: int(value) for name, value in re.findall(r"\b([A-Z0-9]+)\((\d+)\)", text)}
    c = {name.removeprefix("TORSH_"): value for name, value in header.enum_values().items()
         if name.startswith("TORSH_") and not name.startswith(("TORSH_ERR_", "TORSH_DTYPE_"))
         and name != "TORSH_OK"}
    assert java == c


def test_version_matches_the_header() -> None:
    text = (SOURCES / "ToRSh.java").read_text()
    java = int(re.search(r"VERSION_NUMBER = (\d+);", text).group(1))  # type: ignore[union-attr]
    defines = header.defines()
    expected = (int(defines["TORSH_VERSION_MAJOR"]) * 10000
                + int(defines["TORSH_VERSION_MINOR"]) * 100
                + int(defines["TORSH_VERSION_PATCH"]))
    assert java == expected
