"""torsh.autograd: reverse-mode differentiation of lazy tensors.

>>> import torsh
>>> x = torsh.tensor([2.0], requires_grad=True)
>>> y = x ** 2
>>> y.backward()
>>> print(x.grad)
tensor([4.])
"""

from __future__ import annotations

from torsh import _tensor as _tensor_module
from torsh._tensor import Tensor
from torsh.autograd.engine import Node, record, run_backward
from torsh.autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from torsh.errors import InvalidArgumentError
from torsh.ops._core import cast


def _seed(out: Tensor, grad, what: str) -> Tensor:
    if grad is None:
        if out.numel() != 1:
            raise InvalidArgumentError(
                f"{what}: grad can be implicitly created only for scalar outputs, but the "
                f"output has shape {list(out.shape)}; pass gradient=<tensor of that shape>, or "
                f"reduce it first (e.g. out.sum().backward())")
        from torsh.ops.creation import ones

        return ones(out.shape, dtype=out.dtype)
    if not isinstance(grad, Tensor):
        from torsh.ops.creation import tensor

        grad = tensor(grad, dtype=out.dtype)
    if tuple(grad.shape) != tuple(out.shape):
        from torsh.errors import ShapeMismatchError

        raise ShapeMismatchError(f"{what}: gradient has shape {list(grad.shape)} but the output "
                                 f"has shape {list(out.shape)}")
    return cast(grad, out.dtype)


def backward(tensors, grad_tensors=None, retain_graph: bool | None = None,
             create_graph: bool = False) -> None:
    """Accumulate d(tensors)/d(leaf) into every leaf's ``.grad`` (then realize them)."""
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    if grad_tensors is None or isinstance(grad_tensors, Tensor):
        grad_tensors = [grad_tensors] * len(tensors)
    for t in tensors:
        if not t.requires_grad:
            raise InvalidArgumentError(
                "backward: the tensor does not require grad and has no grad_fn; make an input "
                "require gradients (torsh.tensor(..., requires_grad=True) or "
                "x.requires_grad_()) before computing it, outside torsh.no_grad()")
    seeds = [_seed(t, g, "backward") for t, g in zip(tensors, grad_tensors)]
    retain = create_graph if retain_graph is None else retain_graph
    totals = run_backward(tensors, seeds, retain, create_graph)
    updated = []
    for t, g in totals.values():
        if t._grad_fn is None and t.requires_grad:
            t.grad = g if t.grad is None else t.grad + g
            updated.append(t.grad)
    from torsh.plan import realize_later

    # The outputs (the loss) are realized with the gradients, in the same plan: a lazy loss
    # read after optimizer.step() would otherwise be computed from the updated parameters
    # (the optimizer swaps their buffers), reporting the post-step loss, unlike torch.
    # Inside torsh.compile this joins the rest of the step.
    realize_later(updated + [t for t in tensors if not t.is_realized])


def grad(outputs, inputs, grad_outputs=None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool = False):
    """d(outputs)/d(inputs) as a tuple, without touching ``.grad``. With
    ``create_graph=True`` the result is itself differentiable (higher-order gradients)."""
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    single = isinstance(inputs, Tensor)
    inputs = [inputs] if single else list(inputs)
    if grad_outputs is None or isinstance(grad_outputs, Tensor):
        grad_outputs = [grad_outputs] * len(outputs)
    for t in outputs:
        if not t.requires_grad:
            raise InvalidArgumentError("grad: an output does not require grad")
    seeds = [_seed(t, g, "grad") for t, g in zip(outputs, grad_outputs)]
    retain = create_graph if retain_graph is None else retain_graph
    totals = run_backward(outputs, seeds, retain, create_graph)
    result = []
    for x in inputs:
        hit = totals.get(id(x))
        if hit is None and not allow_unused:
            raise InvalidArgumentError("grad: one of the inputs was not used to compute the "
                                       "outputs; pass allow_unused=True to get None for it")
        result.append(None if hit is None else hit[1])
    return tuple(result)


def _backward_method(self: Tensor, gradient=None, retain_graph=None, create_graph=False):
    backward(self, gradient, retain_graph, create_graph)


def _requires_grad_(self: Tensor, requires_grad: bool = True) -> Tensor:
    if self._grad_fn is not None and not requires_grad:
        raise InvalidArgumentError("requires_grad_(False) on a non-leaf tensor: use detach()")
    if requires_grad and not self.dtype.is_floating_point:
        from torsh.errors import DTypeError

        raise DTypeError(f"only floating point tensors can require gradients, got "
                         f"{self.dtype!r}")
    self.requires_grad = bool(requires_grad)
    return self


def _detach(self: Tensor) -> Tensor:
    """The same value with no gradient history (shares the buffer once realized)."""
    t = object.__new__(Tensor)
    t._op, t._srcs, t._attrs, t._type, t._buf = (self._op, self._srcs, self._attrs,
                                                 self._type, self._buf)
    t.requires_grad, t._grad, t._grad_fn = False, None, None
    return t


Tensor.backward = _backward_method
Tensor.requires_grad_ = _requires_grad_
Tensor.detach = _detach
Tensor.is_leaf = property(lambda self: self._grad_fn is None)
Tensor.grad_fn = property(lambda self: self._grad_fn)
_tensor_module._record = record
_tensor_module._grad_enabled = is_grad_enabled

from torsh.autograd.numerical import gradcheck  # noqa: E402

__all__ = ["backward", "grad", "gradcheck", "no_grad", "enable_grad", "set_grad_enabled",
           "is_grad_enabled", "Node"]
