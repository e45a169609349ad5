"""The backward engine: walks the recorded graph from the outputs to the inputs, applying
each op's VJP rule, and accumulates gradients. Gradients are lazy tensors; ``backward``
realizes every leaf's ``.grad`` at the end in one compiled plan, so a whole backward pass
fuses like a forward one and replays from the plan cache on the next step.
"""

from __future__ import annotations

from torsh._tensor import Tensor
from torsh.autograd.grad_mode import set_grad_enabled
from torsh.autograd.vjp import VJP
from torsh.errors import InvalidArgumentError
from torsh.ops._core import cast
from torsh.ops.elementwise import add


class Node:
    """How a tensor was made: the op, its input tensors and attributes (``grad_fn``)."""

    __slots__ = ("op", "inputs", "attrs", "released")

    def __init__(self, op: str, inputs: tuple, attrs: dict):
        self.op, self.inputs, self.attrs, self.released = op, inputs, attrs, False

    def name(self) -> str:
        return f"{self.op.capitalize()}Backward0"  # PyTorch's spelling

    def __repr__(self) -> str:
        return f"<{self.name()}>"

    def release(self) -> None:
        self.inputs, self.released = (), True


def record(t: Tensor, op: str, srcs, attrs: dict) -> None:
    """Called for every new node while grad mode is on: attach a grad_fn if the op is
    differentiable, its result is floating point, and an input requires grad."""
    if op in VJP and t._type.dtype.is_float and any(s.requires_grad for s in srcs):
        t.requires_grad = True
        t._grad_fn = Node(op, tuple(srcs), attrs)


def _topo(roots: list[Tensor]) -> list[Tensor]:
    """Tensors with a grad_fn reachable from roots, outputs before inputs."""
    order, seen = [], set()
    stack = [(r, False) for r in roots]
    while stack:  # iterative: deep graphs cannot overflow Python's stack
        t, done = stack.pop()
        if done:
            order.append(t)
            continue
        if id(t) in seen or t._grad_fn is None:
            continue
        seen.add(id(t))
        stack.append((t, True))
        for s in t._grad_fn.inputs:
            if s.requires_grad and s._grad_fn is not None and id(s) not in seen:
                stack.append((s, False))
    return order[::-1]


def _accumulate(store: dict, t: Tensor, g: Tensor) -> None:
    key = id(t)
    store[key] = (t, g if key not in store else add(store[key][1], g))


def run_backward(roots: list[Tensor], grads: list[Tensor], retain_graph: bool,
                 create_graph: bool) -> dict:
    """Propagate; returns {id(tensor): (tensor, total gradient)} for every tensor reached
    (leaves and intermediates)."""
    pending: dict = {}
    for r, g in zip(roots, grads):
        _accumulate(pending, r, g)
    totals: dict = {}
    with set_grad_enabled(create_graph):
        for r in roots:
            if r._grad_fn is None:  # a leaf root: its gradient is the seed itself
                totals[id(r)] = pending.pop(id(r))
        for t in _topo(roots):
            entry = pending.pop(id(t), None)
            if entry is None:
                continue
            g = entry[1]
            totals[id(t)] = (t, g)
            node = t._grad_fn
            if node.released:
                raise InvalidArgumentError(
                    "trying to backward through the graph a second time: its intermediate "
                    "values were freed by the first backward; call backward(retain_graph=True) "
                    "the first time if you need to backward through it again")
            for s, gs in zip(node.inputs, VJP[node.op](list(node.inputs), node.attrs, g)):
                if gs is None or not s.requires_grad:
                    continue
                if gs.dtype is not s.dtype:
                    gs = cast(gs, s.dtype)
                if s._grad_fn is None:
                    _accumulate(totals, s, gs)
                else:
                    _accumulate(pending, s, gs)
            if not retain_graph:
                node.release()
    return totals
