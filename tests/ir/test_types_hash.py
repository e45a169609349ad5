"""TensorType caches its hash; equal types hash equal, also after pickling."""

import pickle

from torsh.ir.types import DType, TensorType


def test_cached_hash_matches_equality_and_survives_pickling():
    a, b = TensorType((2, 3), DType.f32), TensorType([2, 3], DType.f32)
    assert a == b and hash(a) == hash(b)
    assert a != TensorType((2, 3), DType.f64)
    c = pickle.loads(pickle.dumps(a))
    assert c == a and hash(c) == hash(a) and {a: 1}[c] == 1
