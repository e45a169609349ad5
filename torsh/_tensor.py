"""torsh.Tensor: a lazy tensor.

Every operation records a node (op, sources, attributes, type) and checks shapes and
dtypes at once, so a mistake raises at the line that made it. Nothing runs until a value
is needed (``numpy()``, ``item()``, ``tolist()``, ``print``, ``bool()``, or
``torsh.realize``); then the whole unrealized graph compiles into fused kernels.

>>> import torsh
>>> x = torsh.tensor([1.0, 2.0, 3.0])
>>> y = (x * 2 + 1).exp().sum()
>>> round(y.item(), 2)
1265.13
"""

from __future__ import annotations

import builtins
import itertools
import weakref
from collections.abc import Sequence
from typing import Any

import numpy as np

from torsh import dtypes
from torsh._scope import local as _scope
from torsh._scope import note_read as _note_read
from torsh._scope import note_write as _note_write
from torsh.errors import TorshError
from torsh.ir.ops import OPS, with_defaults
from torsh.ir.types import DType, TensorType

# Installed by torsh.autograd: _record attaches grad_fn nodes while _grad_enabled() is true.
_record = None
_grad_enabled = None


class Size(tuple):
    """A tensor's shape; a tuple, printed like PyTorch's."""

    def __repr__(self) -> str:
        return f"torsh.Size({list(self)})"

    def numel(self) -> int:
        n = 1
        for d in self:
            n *= d
        return n


# Shape/dtype inference results by (op, operand types, attributes): a training loop builds
# the same nodes every step, and inference (broadcasting, dtype rules, a new TensorType)
# costs more than the rest of making a node. Only attributes whose equality is exact and
# cheap take part (ints, strings, bools, None, dtypes, tuples of ints); a node with any
# other attribute (constants' data, floats) infers afresh. Failures are never cached.
# Each entry also numbers its key (never reused, even after a clear): the node's _pid, an
# exact stand-in for (op, attributes, type) in torsh.plan's structural key, so the walk of
# a realization neither rebuilds nor rehashes them. Nodes without one have _pid None.
_DTYPE_OF = dtypes.dtype._by_ir
_INFERRED_MAX = 8192
_inferred: dict = {}
_pids = itertools.count(1)
_KEY_TYPES = frozenset({int, bool, str, type(None), DType})


def _infer_key(op: str, types: tuple, attrs: dict):
    if not attrs:
        return op, types
    parts = []
    for k, v in attrs.items():
        c = type(v)
        if c is tuple:
            for x in v:
                if type(x) is not int:
                    return None
        elif c not in _KEY_TYPES:
            return None
        parts.append((k, c, v))  # the class too: 1 == True, yet they are different attributes
    return op, types, tuple(parts)


class Tensor:
    __slots__ = ("_op", "_srcs", "_attrs", "_type", "_buf", "requires_grad", "_grad",
                 "_grad_fn", "_snap", "_owner", "_pid", "__weakref__")
    __array_priority__ = 1000  # numpy defers binary operators to torsh

    def __init__(self, *args, **kwargs):
        raise TypeError("use torsh.tensor(data), torsh.zeros(...) etc. to make tensors")

    # -- construction (internal) ------------------------------------------------------
    @classmethod
    def _lazy(cls, op: str, srcs: Sequence[Tensor], attrs: dict | None = None) -> Tensor:
        """A new node; shape/dtype inference runs now and raises the typed error."""
        opdef = OPS[op]
        attrs = with_defaults(opdef, attrs or {}) if attrs or opdef.attrs else {}
        types = tuple([s._type for s in srcs])
        key = (op, types) if not attrs else _infer_key(op, types, attrs)
        known = _inferred.get(key) if key is not None else None
        if known is None:
            try:
                ty = opdef.infer(list(types), attrs)
            except TorshError as e:
                raise type(e)(f"{op}: {e}") from None
            pid = None
            if key is not None:
                if len(_inferred) >= _INFERRED_MAX:
                    _inferred.clear()
                pid = next(_pids)
                _inferred[key] = ty, pid
        else:
            ty, pid = known
        t = object.__new__(cls)
        t._op, t._attrs, t._type, t._buf, t._pid = op, attrs, ty, None, pid
        t._srcs = tuple([s if s._buf is None else s._pinned() for s in srcs])
        t.requires_grad, t._grad, t._grad_fn = False, None, None
        if _record is not None:
            # _record attaches a grad_fn only when an operand requires grad: test that
            # first, it is cheaper than asking the (thread-local) grad mode
            for s in srcs:
                if s.requires_grad:
                    if _grad_enabled():
                        _record(t, op, srcs, attrs)
                    break
        return t

    @classmethod
    def _from_buffer(cls, buf, ty: TensorType) -> Tensor:
        t = object.__new__(cls)
        t._op, t._srcs, t._attrs, t._type, t._buf = None, (), {}, ty, buf
        t.requires_grad, t._grad, t._grad_fn = False, None, None
        return t

    def _pinned(self) -> Tensor:
        """What a new node reads from this tensor. A realized tensor's data can be replaced
        later (an optimizer step swaps a parameter's buffer), so nodes read a pinned alias
        of the current buffer: values built before the swap keep the old data, as in an
        eager library. Lazy tensors are read as themselves."""
        if self._buf is None:
            return self
        active = _scope.active
        if active and id(self) in active[-1].pending:
            _read_pending(active[-1])  # updated by optimizer.step() earlier in this call
        snap = getattr(self, "_snap", None)
        if snap is None or snap._buf is not self._buf:
            snap = Tensor._from_buffer(self._buf, self._type)
            snap._owner = weakref.ref(self)  # torsh.compile maps graph leaves to their owners
            self._snap = snap
        return snap

    def _set_buffer(self, buf) -> None:
        """Become realized: keep the buffer, drop the graph above it."""
        self._buf = buf
        self._op, self._srcs, self._attrs = None, (), {}

    @property
    def grad(self) -> Tensor | None:
        """The gradient accumulated by ``backward()`` (None until then), as in PyTorch."""
        if _scope.active:  # a torsh.compile capture records where the step's inputs come from
            _note_read("grad", self, None, self._grad)
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            _check_grad(self, value)
        if _scope.active:  # a torsh.compile capture records the write, so a replay can repeat it
            _note_write("grad", self, None, self._grad)
        self._grad = value

    # -- metadata -----------------------------------------------------------------------
    @property
    def shape(self) -> Size:
        return Size(self._type.shape)

    def size(self, dim: int | None = None):
        if dim is None:
            return self.shape
        return self.shape[_dim(dim, self.ndim, "size")]

    @property
    def dtype(self) -> dtypes.dtype:
        return _DTYPE_OF[self._type.dtype]  # dtypes.dtype.of, inlined: promotion reads it

    @property
    def ndim(self) -> int:
        return len(self._type.shape)

    def dim(self) -> int:
        return self.ndim

    def numel(self) -> int:
        return self.shape.numel()

    def element_size(self) -> int:
        return self.dtype.itemsize

    def is_floating_point(self) -> bool:
        return self.dtype.is_floating_point

    @property
    def is_realized(self) -> bool:
        return self._buf is not None

    @property
    def device(self) -> str:
        return "cpu"

    # -- realization and data ---------------------------------------------------------
    def realize(self) -> Tensor:
        if self._buf is None:
            _realize(self)
        return self

    def numpy(self) -> np.ndarray:
        """The data as a numpy array (shares the tensor's memory once realized).
        bfloat16 tensors return a float32 copy, since numpy has no bfloat16."""
        self.realize()
        arr = self._buf.numpy()
        if self._type.dtype.value == "bf16":
            from torsh.ir.bf16 import from_bf16_bits

            return from_bf16_bits(arr).reshape(arr.shape)
        return arr

    def __array__(self, dtype=None, copy=None):
        arr = self.numpy()
        return arr if dtype is None else arr.astype(dtype)

    def item(self):
        if self.numel() != 1:
            from torsh.errors import InvalidArgumentError

            raise InvalidArgumentError(f"item(): a tensor with {self.numel()} elements cannot "
                                       f"be converted to a Python number")
        return self.numpy().reshape(()).item()

    def tolist(self):
        return self.numpy().tolist()

    def __bool__(self) -> bool:
        if self.numel() != 1:
            from torsh.errors import InvalidArgumentError

            raise InvalidArgumentError(f"the truth value of a tensor with {self.numel()} "
                                       f"elements is ambiguous")
        return builtins.bool(self.item())

    def __float__(self) -> float:
        return builtins.float(self.item())

    def __int__(self) -> int:
        return builtins.int(self.item())

    def __index__(self) -> int:
        if self.dtype.is_floating_point or self.numel() != 1:
            raise TypeError("only integer tensors of a single element can be used as an index")
        return builtins.int(self.item())

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.shape[0]))

    def __repr__(self) -> str:
        arr = self.numpy()
        body = np.array2string(arr, separator=", ", prefix="tensor(",
                               precision=4, floatmode="maxprec_equal")
        extra = ""
        if self.numel() == 0 and self.ndim != 1:  # "tensor([])" alone hides the shape
            extra = f", size={tuple(self.shape)}"
        if self.dtype not in (dtypes.float32, dtypes.int64, dtypes.bool_):
            extra += f", dtype={self.dtype!r}"
        if self._grad_fn is not None:
            extra += f", grad_fn=<{self._grad_fn.name()}>"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    def __hash__(self) -> int:
        return id(self)

    def __torsh_graph__(self):
        """The IR module that would realize this tensor (for torsh.ir.dump)."""
        from torsh.plan import build_graph

        return build_graph([self])[0]

    def __torsh_dump__(self, level: str) -> str:
        from torsh.inspect import dump_tensors

        return dump_tensors([self], level)


def _read_pending(scope) -> None:
    from torsh.plan import flush_pending

    flush_pending(scope)


def _realize(t: Tensor) -> None:
    """torsh.plan.realize_one, imported on first use (torsh.plan imports the compiler);
    kept here afterwards, since an import statement costs on the replay path."""
    global _realize
    from torsh.plan import realize_one

    _realize = realize_one
    realize_one(t)


def _check_grad(t: Tensor, g) -> None:
    from torsh.errors import DTypeError, ShapeMismatchError

    if not isinstance(g, Tensor):
        raise TypeError(f"assigned grad must be a tensor or None, not {type(g).__name__}")
    if g._type.shape != t._type.shape:
        raise ShapeMismatchError(f"assigned grad has shape {list(g._type.shape)}, but the "
                                 f"tensor has shape {list(t._type.shape)}")
    if g._type.dtype is not t._type.dtype:
        raise DTypeError(f"assigned grad has dtype {_DTYPE_OF[g._type.dtype]!r}, but the "
                         f"tensor has dtype {_DTYPE_OF[t._type.dtype]!r}")


def _dim(d: int, ndim: int, what: str) -> int:
    from torsh.errors import TorshIndexError

    n = builtins.max(ndim, 1)
    if not -n <= d < n:
        raise TorshIndexError(f"{what}: dimension {d} is out of range for a tensor of "
                              f"{ndim} dims (expected in [{-n}, {n - 1}])")
    return d % n


def is_tensor(x: Any) -> bool:
    return isinstance(x, Tensor)
