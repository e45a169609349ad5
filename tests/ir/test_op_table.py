"""The op table: one complete row per op (name, traits, inference, numpy reference, doc),
and every op has a golden file (tests/ir/test_golden.py) and a random-module generator
(tests/ir/test_roundtrip.py)."""

from __future__ import annotations

import inspect

import pytest

from torsh.ir import OPS, OpDef, TensorType, f32
from torsh.ir.ops import REQUIRED, AttrSpec, attr_kind_ok, lookup

KINDS = {"int", "float", "bool", "str", "ints", "dtype", "dense"}
KNOWN_TRAITS = {"elementwise", "unary", "binary", "pure", "commutative", "compare", "constant",
                "reduction", "contraction", "movement", "indexing"}


def test_the_table_is_not_empty():
    assert len(OPS) >= 50


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_has_every_entry(name):
    op = OPS[name]
    assert isinstance(op, OpDef)
    assert op.name == name and op.full_name == f"torsh.{name}"
    assert lookup(op.full_name) is op
    assert isinstance(op.traits, frozenset) and op.traits, "traits"
    assert op.traits <= KNOWN_TRAITS, f"unknown traits {op.traits - KNOWN_TRAITS}"
    assert "pure" in op.traits
    assert callable(op.infer) and len(inspect.signature(op.infer).parameters) == 2
    assert callable(op.ref)
    assert isinstance(op.doc, str) and op.doc.strip(), "doc"
    assert op.arity is None or (isinstance(op.arity, int) and op.arity >= 0)
    for key, spec in op.attrs.items():
        assert isinstance(spec, AttrSpec) and spec.kind in KINDS, key
        if spec.default is not REQUIRED:
            assert attr_kind_ok(spec.kind, spec.default), (key, spec.default)


def test_trait_groups_are_consistent():
    for op in OPS.values():
        if "unary" in op.traits:
            assert op.arity == 1, op.name
        if "binary" in op.traits or "contraction" in op.traits:
            assert op.arity == 2, op.name
        if "commutative" in op.traits or "compare" in op.traits:
            assert "binary" in op.traits, op.name
        if "reduction" in op.traits:
            assert op.arity == 1 and op.attrs, op.name


def test_commutative_ops_really_commute():
    a, b = TensorType((2, 1), f32), TensorType((3,), f32)
    for op in OPS.values():
        if "commutative" in op.traits and op.name not in ("and", "or", "xor"):
            assert op.infer([a, b], {}) == op.infer([b, a], {}), op.name


def test_lookup_outside_the_dialect():
    assert lookup("func.return") is None
    assert lookup("torsh.no_such_op") is None
    assert lookup("add") is None
