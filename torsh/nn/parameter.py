"""``Parameter``: a realized leaf tensor that a Module registers as trainable."""

from __future__ import annotations

from torsh._scope import local as _scope
from torsh._scope import note_write
from torsh._tensor import Tensor


class Parameter(Tensor):
    """A tensor that is a module parameter (requires grad by default).

    >>> import torsh
    >>> p = torsh.nn.Parameter(torsh.zeros(2))
    >>> p.requires_grad, p.is_leaf
    (True, True)
    """

    __slots__ = ()

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True):
        from torsh.ops.creation import zeros

        data = zeros(0) if data is None else data
        data = data.detach().realize()
        p = object.__new__(cls)
        p._op, p._srcs, p._attrs, p._type, p._buf = None, (), {}, data._type, data._buf
        p.requires_grad, p._grad, p._grad_fn = False, None, None
        if requires_grad:
            p.requires_grad_(True)
        return p

    def __init__(self, data=None, requires_grad: bool = True):
        pass

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def _assign(self, value: Tensor) -> None:
        """Take ``value``'s (realized) data as this parameter's, in place: the optimizer's
        update and load_state_dict use it; the Parameter object keeps its identity."""
        if tuple(value.shape) != tuple(self.shape):
            from torsh.errors import ShapeMismatchError

            raise ShapeMismatchError(f"cannot assign a tensor of shape {list(value.shape)} to "
                                     f"a parameter of shape {list(self.shape)}")
        value = value.realize()
        if value._type.dtype is not self._type.dtype:
            from torsh.ops._core import cast

            value = cast(value, self.dtype).realize()
        if _scope.active:  # a torsh.compile capture records the swap, so a replay can repeat it
            note_write("data", self, None, self._buf)
        self._buf = value._buf
