"""The memoized parts of building binary nodes (promotion plans, shared constants) give
the same results as building them afresh."""

import math

import torsh


def test_cached_binary_promotion_follows_the_default_dtype_and_scalar_kinds():
    x = torsh.tensor([1, 2])  # int64
    assert (x / 2).dtype is torsh.float32
    torsh.set_default_dtype(torsh.float64)
    try:
        assert (x / 2).dtype is torsh.float64  # the same signature, another default
        assert (x * 1.5).dtype is torsh.float64
    finally:
        torsh.set_default_dtype(torsh.float32)
    assert (x * 2).dtype is torsh.int64 and (x * 2.0).dtype is torsh.float32
    assert (x + True).dtype is torsh.int64


def test_shared_constants_keep_signed_zeros_and_nans_apart():
    one = torsh.tensor([1.0])
    assert (one / 0.0).item() == float("inf")
    assert (one / -0.0).item() == float("-inf")
    assert math.isnan((one * float("nan")).item()) and (one * 2.0).item() == 2.0
