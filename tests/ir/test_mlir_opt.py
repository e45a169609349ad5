"""Upstream MLIR accepts torsh's text: mlir-opt-22 --allow-unregistered-dialect parses every
golden file and random modules, and what mlir-opt prints back (its own float spelling,
0x7F800000 elements, dense<>) parses with torsh.ir.parse to the same module."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from tests.ir.helpers import GOLDEN_FILES, golden_id, requires_mlir_opt, run_mlir_opt
from tests.ir.strategies import modules
from torsh.ir import parse

pytestmark = requires_mlir_opt
SPLIT = "\n// -----\n"


@pytest.fixture(scope="module")
def golden_through_mlir_opt() -> dict[str, str]:
    """mlir-opt's output for every golden file, from one --split-input-file invocation."""
    texts = [p.read_text() for p in GOLDEN_FILES]
    proc = run_mlir_opt(SPLIT.join(texts), "--split-input-file")
    assert proc.returncode == 0, proc.stderr
    outputs = proc.stdout.split("// -----\n")
    assert len(outputs) == len(texts), proc.stdout[:2000]
    return {p.stem: out for p, out in zip(GOLDEN_FILES, outputs)}


@pytest.mark.parametrize("path", GOLDEN_FILES, ids=golden_id)
def test_mlir_opt_accepts_golden_file(path):
    proc = run_mlir_opt(path.read_text())
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("path", GOLDEN_FILES, ids=golden_id)
def test_mlir_opt_output_parses_back_to_the_golden_text(path, golden_through_mlir_opt):
    reformatted = golden_through_mlir_opt[path.stem]
    assert reformatted.strip().startswith("module {")
    assert str(parse(reformatted)) == path.read_text()


def test_mlir_opt_output_uses_its_own_spellings(golden_through_mlir_opt):
    """The check above is meaningful only if mlir-opt does reformat: its scientific floats,
    hex elements for non-finite values, typed integer attributes and dense<> all occur."""
    everything = "".join(golden_through_mlir_opt.values())
    for spelling in ("e+00", "0x7FC00000", ": i64}", "dense<>", "0xFF80", '"0x4992244992'):
        assert spelling in everything, spelling


def test_mlir_opt_rejects_broken_text():
    """Guard against a vacuous pass: mlir-opt really parses what it is given."""
    proc = run_mlir_opt('module {\n  func.func @f( {\n}\n')
    assert proc.returncode != 0


@settings(max_examples=50, deadline=None)
@given(modules())
def test_mlir_opt_accepts_random_modules(module):
    text = str(module)
    proc = run_mlir_opt(text)
    assert proc.returncode == 0, proc.stderr + "\n" + text
    assert str(parse(proc.stdout)) == text
