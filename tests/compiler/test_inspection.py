"""Issue 4, "inspection": TORSH_DUMP writes every stage of every compile; each dump starts
with the header comment and reads back (torsh.ir.parse, mlir-opt-22, llvmlite, the
assembler); torsh.ir.dump returns each level for tensors and functions; the fused "kernels"
dump interprets to the compiled numbers; torsh.ir.to_dot draws one cluster per kernel."""

from __future__ import annotations

import re
import shutil
import subprocess

import llvmlite.binding as llvm
import numpy as np
import pytest

import torsh
from tests.compiler.helpers import inputs
from torsh.codegen.jit import host
from torsh.errors import InvalidArgumentError
from torsh.ir import interpret, parse, print_module
from torsh.plan import build_graph, graph_plan

MLIR_OPT = shutil.which("mlir-opt-22")
requires_mlir_opt = pytest.mark.skipif(
    MLIR_OPT is None, reason="mlir-opt-22 not installed (Debian mlir-22-tools; CI installs it)")
DOT = shutil.which("dot")
requires_dot = pytest.mark.skipif(
    DOT is None, reason="graphviz 'dot' not installed (Debian package graphviz), so the DOT "
                        "text is checked by structure only")
ASSEMBLER = shutil.which("as")
LEVELS = ("graph", "kernels", "llvm", "asm")
COMMENT = {"graph": "//", "kernels": "//", "llvm": ";", "asm": "#"}


def mlp(x, w, b):
    """Four kernels: the matmul with its epilogue, two column reductions, the normalization
    (a softmax over dim 1 would be one row kernel)."""
    return torsh.softmax(torsh.relu(x @ w + b), dim=0)


def mlp_inputs():
    return inputs((32, 16), (16, 8), (8,))


def graphs():
    """(name, unrealized tensor, expected kernel count) for the structural checks."""
    x, w, b = mlp_inputs()
    return [
        ("elementwise", (torsh.exp(-x) * 2.0 + x).relu(), 1),
        ("softmax", torsh.softmax(x, dim=1), 1),  # one row kernel
        ("mlp", mlp(x, w, b), 4),
        ("stacked reductions", torsh.stack([x.sum(1), x.amax(1)]), None),
    ]


def assert_header(text: str, comment: str) -> None:
    first = text.splitlines()[0]
    assert first == f"{comment} {host().header()}", first
    h = host()
    for part in (f"torsh {torsh.__version__}", f"LLVM {h.llvm_version}", h.triple):
        assert part in first


def run_mlir_opt(text: str) -> subprocess.CompletedProcess:
    return subprocess.run([MLIR_OPT, "--allow-unregistered-dialect", "-"], input=text,
                          capture_output=True, text=True, timeout=60, check=False)


@pytest.fixture
def dumped(tmp_path, monkeypatch):
    """Run the MLP with TORSH_DUMP on every level: (dump folder, result, plan)."""
    folder = tmp_path / "dumps"
    monkeypatch.setenv("TORSH_DUMP", ",".join(LEVELS))
    monkeypatch.setenv("TORSH_DUMP_DIR", str(folder))
    x, w, b = mlp_inputs()
    out = mlp(x, w, b)
    graph_text, kernels_text = torsh.ir.dump(out, "graph"), torsh.ir.dump(out, "kernels")
    plan = graph_plan([out])
    out.numpy()
    return folder, plan, graph_text, kernels_text


def test_torsh_dump_writes_every_level(dumped):
    folder, plan, _, _ = dumped
    names = sorted(p.name for p in folder.iterdir())
    tags = {n.split(".", 1)[0] for n in names}
    assert len(tags) == 1, names  # one graph compiled, every file named after it
    tag = tags.pop()
    expected = {f"{tag}.graph.mlir", f"{tag}.kernels.mlir"}
    for i in range(len(plan.steps)):
        expected |= {f"{tag}.kernel_{i}.ll", f"{tag}.kernel_{i}.s"}
    assert set(names) == expected
    assert len(plan.steps) == 4


def test_every_dump_file_starts_with_the_header(dumped):
    folder = dumped[0]
    comments = {".mlir": "//", ".ll": ";", ".s": "#"}
    for path in folder.iterdir():
        assert_header(path.read_text(), comments[path.suffix])


def test_mlir_dumps_parse_back_and_print_identically(dumped):
    folder, _, graph_text, kernels_text = dumped
    for path in sorted(folder.glob("*.mlir")):
        text = path.read_text()
        module = parse(text)
        body = text.split("\n", 1)[1]
        assert print_module(module) == body, path.name
        assert print_module(module, header=host().header()) == text
    # TORSH_DUMP and torsh.ir.dump agree on the graph and on the fused program.
    (graph_file,) = folder.glob("*.graph.mlir")
    (kernels_file,) = folder.glob("*.kernels.mlir")
    assert graph_file.read_text() == graph_text
    assert kernels_file.read_text() == kernels_text


@requires_mlir_opt
def test_mlir_opt_accepts_every_mlir_dump(dumped):
    for path in sorted(dumped[0].glob("*.mlir")):
        proc = run_mlir_opt(path.read_text())
        assert proc.returncode == 0, f"{path.name}: {proc.stderr}"
        assert parse(proc.stdout) is not None  # and what mlir-opt prints reads back


def test_llvm_dumps_are_valid_llvm_ir(dumped):
    folder, plan, _, _ = dumped
    for i, step in enumerate(plan.steps):
        text = (folder / next(folder.glob(f"*.kernel_{i}.ll")).name).read_text()
        mod = llvm.parse_assembly(text)
        mod.verify()
        assert mod.get_function(step.kernel.name) is not None


@pytest.mark.skipif(ASSEMBLER is None, reason="no assembler ('as', binutils) installed")
def test_asm_dumps_assemble(dumped, tmp_path):
    folder, plan, _, _ = dumped
    for i, step in enumerate(plan.steps):
        path = next(folder.glob(f"*.kernel_{i}.s"))
        assert re.search(rf"^{step.kernel.name}:", path.read_text(), re.M)
        proc = subprocess.run([ASSEMBLER, "-o", str(tmp_path / "k.o"), str(path)],
                              capture_output=True, text=True, timeout=60, check=False)
        assert proc.returncode == 0, f"{path.name}: {proc.stderr}"


@requires_mlir_opt
@pytest.mark.parametrize("level", ["graph", "kernels"])
def test_mlir_opt_accepts_ir_dump_of_each_graph(level):
    for name, t, _ in graphs():
        proc = run_mlir_opt(torsh.ir.dump(t, level))
        assert proc.returncode == 0, f"{name}: {proc.stderr}"


@pytest.mark.parametrize("level", LEVELS)
def test_dump_returns_each_level_without_realizing(level):
    x, w, b = mlp_inputs()
    out = mlp(x, w, b)
    text = torsh.ir.dump(out, level)
    assert_header(text, COMMENT[level])
    assert not out.is_realized
    marker = {"graph": '"torsh.matmul"', "kernels": "@kernel_3", "llvm": "define void @torsh_k_",
              "asm": "torsh_k_"}[level]
    assert marker in text
    if level == "graph":
        assert '"func.call"' not in text
    if level in ("llvm", "asm"):
        assert text.count(f"{COMMENT[level]} ---- kernel_") == 4


def test_dump_of_a_function_and_example_arguments():
    x, w, b = mlp_inputs()
    text = torsh.ir.dump(mlp, "graph", x, w, b)
    assert text == torsh.ir.dump(mlp(x, w, b), "graph")
    assert "func.func @main(%arg0: tensor<32x16xf32>" in text
    kernels = torsh.ir.dump(mlp, "kernels", x, w, b)
    assert kernels.count("func.func @kernel_") == 4


def test_dump_rejects_an_unknown_level():
    x, = inputs((3,))
    with pytest.raises(InvalidArgumentError, match="unknown dump level"):
        torsh.ir.dump(x * 2, "ptx")


@pytest.mark.parametrize("case", range(4))
def test_kernels_dump_interprets_to_the_compiled_numbers(case):
    name, t, _ = graphs()[case]
    module = parse(torsh.ir.dump(t, "kernels"))
    leaves = build_graph([t])[1]
    want = interpret(module, *(leaf.numpy() for leaf in leaves))
    got = t.numpy()
    assert got.shape == want.shape and got.dtype == want.dtype, name
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6, err_msg=name)


@pytest.mark.parametrize("case", range(4))
def test_to_dot_draws_one_cluster_per_kernel(case):
    name, t, expected = graphs()[case]
    dot = torsh.ir.to_dot(t)
    n_kernels = len(graph_plan([t]).steps)
    if expected is not None:
        assert n_kernels == expected, name
    assert dot.startswith("digraph torsh {") and dot.rstrip().endswith("}")
    assert len(re.findall(r"subgraph cluster_\d+ \{", dot)) == n_kernels, name
    assert dot.count("shape=ellipse") == len(build_graph([t])[1]) + 1  # inputs + result


@requires_dot
def test_graphviz_renders_the_dot(tmp_path):
    for name, t, _ in graphs():
        proc = subprocess.run([DOT, "-Tsvg"], input=torsh.ir.to_dot(t), capture_output=True,
                              text=True, timeout=60, check=False)
        assert proc.returncode == 0, f"{name}: {proc.stderr}"
        assert "<svg" in proc.stdout and proc.stdout.count('class="cluster"') == \
            len(graph_plan([t]).steps)
