"""``torsh.compile``: run a whole step (forward, loss, backward, optimizer update) as one
compiled plan.

Inside a compiled function, the realizations that only *commit* results - ``backward()``
filling ``.grad``, ``optimizer.step()`` updating parameters - are postponed; when the
function returns, everything it produced is realized together, so the step is a single
graph that fuses end to end and, from the second call with the same shapes, replays its
cached plan. If the function reads a value mid-step (``.item()``, ``.numpy()``, ``print``,
``if tensor:``), that read is honoured, torsh warns once, and the step runs as several
plans: the fallback is plain lazy execution, never a wrong result.

>>> import torsh
>>> w = torsh.nn.Parameter(torsh.tensor([1.0]))
>>> opt = torsh.optim.SGD([w], lr=0.5)
>>> @torsh.compile
... def step(x):
...     opt.zero_grad()
...     loss = ((w * x) ** 2).sum()
...     loss.backward()
...     opt.step()
...     return loss
>>> float(step(torsh.tensor([2.0])))
4.0
>>> w.tolist()
[-3.0]
"""

from __future__ import annotations

import functools

from torsh._tensor import Tensor
from torsh.plan import _Deferred, _deferred, flush_deferred


def _tensors_in(obj) -> list[Tensor]:
    if isinstance(obj, Tensor):
        return [obj]
    if isinstance(obj, (list, tuple)):
        return [t for o in obj for t in _tensors_in(o)]
    if isinstance(obj, dict):
        return [t for o in obj.values() for t in _tensors_in(o)]
    return []


def compile(fn=None, *, name: str | None = None):  # noqa: A001 - PyTorch's name
    """Decorator (or function) making ``fn`` run as one plan per call; see the module doc."""

    def wrap(f):
        @functools.wraps(f)
        def run(*args, **kwargs):
            scope = _Deferred(name or getattr(f, "__name__", "fn"))
            _deferred.append(scope)
            try:
                out = f(*args, **kwargs)
            except BaseException:
                _deferred.pop()
                raise  # postponed updates of a failed step are dropped, not committed
            _deferred.pop()
            flush_deferred(scope, _tensors_in(out))
            return out

        run.__wrapped_by_torsh__ = True
        return run

    return wrap(fn) if fn is not None else wrap
