"""bfloat16 helpers: numpy has no bf16, so bf16 values live in float32 arrays rounded to
bf16 precision (round to nearest even), and are packed to 16-bit words for storage/text.

>>> import numpy as np
>>> float(round_to_bf16(np.float32(1.00390625)))
1.0
"""

from __future__ import annotations

import numpy as np


def to_bf16_bits(a) -> np.ndarray:
    """float32 values -> uint16 bf16 bit patterns (round to nearest even, NaN kept quiet)."""
    f = np.ascontiguousarray(a, dtype=np.float32)
    bits = f.view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    nan = np.isnan(f)
    out = rounded.astype(np.uint16)
    out[nan] = ((bits[nan] >> 16) | 0x40).astype(np.uint16)
    return out


def from_bf16_bits(bits) -> np.ndarray:
    b = np.ascontiguousarray(bits, dtype=np.uint16)
    return (b.astype(np.uint32) << 16).view(np.float32)


def round_to_bf16(a) -> np.ndarray:
    return from_bf16_bits(to_bf16_bits(a)).reshape(np.shape(a))
