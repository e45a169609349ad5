"""``gradcheck``: analytic gradients against central finite differences (float64).

>>> import torsh
>>> x = torsh.randn(3, dtype=torsh.float64, requires_grad=True)
>>> gradcheck(lambda t: (t.sin() * t).sum(), [x])
True
"""

from __future__ import annotations

import numpy as np

from torsh._tensor import Tensor
from torsh.errors import InvalidArgumentError


def gradcheck(fn, inputs: list[Tensor], eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, seed: int = 0) -> bool:
    """Check d fn / d inputs: one backward with a random cotangent ``v`` against
    ``(v . fn(x + eps e_i) - v . fn(x - eps e_i)) / 2 eps`` for every input element.
    Raises AssertionError naming the input and the largest mismatch."""
    from torsh.autograd import grad
    from torsh.ops.creation import from_array

    for x in inputs:
        if x.dtype.name != "float64" or not x.requires_grad:
            raise InvalidArgumentError("gradcheck needs float64 inputs with requires_grad=True")
    out = fn(*inputs)
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(tuple(out.shape))
    analytic = grad(out, inputs, from_array(v, out.dtype), allow_unused=True)
    base = [x.numpy().copy() for x in inputs]

    def value(arrays) -> float:
        # inputs require grad so that fn may itself differentiate (second-order checks)
        ts = [from_array(a, x.dtype).requires_grad_() for a, x in zip(arrays, inputs)]
        return float(np.sum(fn(*ts).numpy().astype(np.float64) * v))

    for k, x in enumerate(inputs):
        numeric = np.zeros_like(base[k])
        flat = numeric.reshape(-1)
        for i in range(flat.size):
            plus = [b.copy() for b in base]
            minus = [b.copy() for b in base]
            plus[k].reshape(-1)[i] += eps
            minus[k].reshape(-1)[i] -= eps
            flat[i] = (value(plus) - value(minus)) / (2 * eps)
        got = np.zeros_like(numeric) if analytic[k] is None else analytic[k].numpy()
        if not np.allclose(got, numeric, atol=atol, rtol=rtol):
            err = np.abs(got - numeric).max()
            raise AssertionError(f"gradcheck: input {k} (shape {list(x.shape)}): analytic and "
                                 f"numerical gradients differ by up to {err:.3g}\n"
                                 f"analytic:\n{got}\nnumerical:\n{numeric}")
    return True
