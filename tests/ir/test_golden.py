"""Golden IR files (tests/ir/golden/*.mlir): each is exactly the printer's output, parses
back to the same bytes, and together they use every op of the table and every dtype."""

from __future__ import annotations

import pytest

from tests.ir import make_golden
from tests.ir.helpers import GOLDEN_DIR, GOLDEN_FILES, golden_id
from torsh.ir import OPS, DType, parse, verify


def _parsed(path):
    return parse(path.read_bytes().decode("utf-8"))


def test_there_are_golden_files():
    assert len(GOLDEN_FILES) >= 12


@pytest.mark.parametrize("path", GOLDEN_FILES, ids=golden_id)
def test_parse_then_print_reproduces_the_file_byte_for_byte(path):
    data = path.read_bytes()
    module = parse(data.decode("utf-8"))
    verify(module)
    assert str(module).encode("utf-8") == data


@pytest.mark.parametrize("path", GOLDEN_FILES, ids=golden_id)
def test_golden_is_a_meaningful_program(path):
    module = _parsed(path)
    n_ops = sum(1 for op in module.walk() if op.name != "func.return")
    assert n_ops >= 3, f"{path.name} has only {n_ops} ops"
    assert all(f.result_types or f.name == "nothing" for f in module.funcs)


def test_golden_files_cover_every_op_of_the_table():
    used = set()
    for path in GOLDEN_FILES:
        used |= {op.name for op in _parsed(path).walk() if op.name.startswith("torsh.")}
    table = {op.full_name for op in OPS.values()}
    assert not table - used, f"ops without a golden file: {sorted(table - used)}"
    assert used == table, f"golden ops missing from the table: {sorted(used - table)}"


def test_golden_files_cover_every_dtype_and_shape_kind():
    dtypes, shapes, hex_consts, multi_results = set(), set(), 0, 0
    for path in GOLDEN_FILES:
        text = path.read_text()
        hex_consts += text.count('dense<"0x')
        module = parse(text)
        for f in module.funcs:
            multi_results += len(f.result_types) > 1
            types = [a.type for a in f.args] + [r.type for op in f.walk() for r in op.results]
            for t in types:
                dtypes.add(t.dtype)
                shapes.add("0-d" if t.rank == 0 else "dynamic" if not t.is_static
                           else "size-0" if 0 in t.shape else "size-1" if 1 in t.shape
                           else "static")
    assert dtypes == set(DType)
    assert shapes == {"0-d", "dynamic", "size-0", "size-1", "static"}
    assert hex_consts >= 3 and multi_results >= 3


def test_make_golden_matches_the_committed_files():
    """The generator script and the committed files agree (regenerate after editing it)."""
    names = {p.stem for p in GOLDEN_FILES}
    assert names == set(make_golden.GOLDEN)
    for name in sorted(names):
        expected = (GOLDEN_DIR / f"{name}.mlir").read_text()
        assert make_golden.render(name) == expected, f"run python -m tests.ir.make_golden ({name})"
