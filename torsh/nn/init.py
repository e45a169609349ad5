"""torsh.nn.init: parameter initialisations with PyTorch's formulas and defaults.

>>> import torsh
>>> w = torsh.nn.Parameter(torsh.empty(3, 4))
>>> _ = torsh.nn.init.zeros_(w)
>>> float(w.sum())
0.0
"""

from __future__ import annotations

import math

from torsh._tensor import Tensor
from torsh.errors import InvalidArgumentError


def _fans(t: Tensor) -> tuple[int, int]:
    if t.ndim < 2:
        raise InvalidArgumentError("fan in and fan out need a tensor with at least 2 dims")
    receptive = math.prod(t.shape[2:])
    return t.shape[1] * receptive, t.shape[0] * receptive


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    gains = {"linear": 1.0, "conv2d": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3, "relu": math.sqrt(2.0),
             "selu": 3.0 / 4}
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity not in gains:
        raise InvalidArgumentError(f"unsupported nonlinearity {nonlinearity!r}")
    return gains[nonlinearity]


def _fill(t: Tensor, values) -> Tensor:
    from torsh.nn.parameter import Parameter
    from torsh.ops.creation import from_array

    new = from_array(values, t.dtype)
    if isinstance(t, Parameter):
        t._assign(new)
    else:
        t._set_buffer(new._buf)
    return t


def uniform_(t: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    from torsh.ops.creation import generator

    return _fill(t, generator().uniform(a, b, tuple(t.shape)))


def normal_(t: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    from torsh.ops.creation import generator

    return _fill(t, generator().normal(mean, std, tuple(t.shape)))


def constant_(t: Tensor, value: float) -> Tensor:
    import numpy as np

    return _fill(t, np.full(tuple(t.shape), value))


def zeros_(t: Tensor) -> Tensor:
    return constant_(t, 0.0)


def ones_(t: Tensor) -> Tensor:
    return constant_(t, 1.0)


def xavier_uniform_(t: Tensor, gain: float = 1.0) -> Tensor:
    fan_in, fan_out = _fans(t)
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(t, -a, a)


def xavier_normal_(t: Tensor, gain: float = 1.0) -> Tensor:
    fan_in, fan_out = _fans(t)
    return normal_(t, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))


def _kaiming_std(t: Tensor, a: float, mode: str, nonlinearity: str) -> float:
    fan_in, fan_out = _fans(t)
    if mode not in ("fan_in", "fan_out"):
        raise InvalidArgumentError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(t: Tensor, a: float = 0.0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu") -> Tensor:
    bound = math.sqrt(3.0) * _kaiming_std(t, a, mode, nonlinearity)
    return uniform_(t, -bound, bound)


def kaiming_normal_(t: Tensor, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu") -> Tensor:
    return normal_(t, 0.0, _kaiming_std(t, a, mode, nonlinearity))
