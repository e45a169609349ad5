"""The calls of ``torsh.compile``d functions in progress, and what they record.

A scope postpones realizations (``torsh.plan.realize_later``) so a whole step becomes one
plan. While a step is being *captured*, it also records the step's side effects on state
that outlives the call, so that later calls can replay the plan without running Python
(``torsh._compile``):

- reads: the gradients it read (the ``Tensor.grad`` getter), so a replay reads them again
  from the tensor rather than keeping the captured ones;
- writes: ``t.grad = ...`` (the ``Tensor.grad`` setter), a parameter's data swapped in place
  (``Parameter._assign``, optimizers), an entry of an optimizer's state dict; each location
  keeps the value it held before the call's first write to it;
- guards: Python values the captured graph depends on (optimizer hyperparameters), checked
  before every replay;
- volatility: something a replay cannot reproduce (random numbers drawn from numpy's
  generator), so the function is traced on every call instead.

This module imports nothing from torsh: the tensor class and the optimizers call into it.
"""

from __future__ import annotations

import threading


class _Local(threading.local):
    def __init__(self):
        self.active: list[Scope] = []  # this thread's scopes in progress, innermost last


# Per thread: a data-loading thread realizing its own tensors must neither join nor flush
# a step that another thread is capturing.
local = _Local()


class Scope:
    """Realizations postponed by one call of a compiled function, and its side effects."""

    def __init__(self, name: str, fullgraph: bool = False):
        self.name = name
        self.fullgraph = fullgraph  # torsh.compile(fullgraph=True): breaks are errors
        self.tensors: list = []  # postponed targets (realize_later)
        self.callbacks: list = []  # run once they are realized (optimizer commits)
        self.broken = False  # a value was read mid-step: several plans ran
        self.reads: dict = {}  # id(value read) -> (kind, container, key) it was read from
        self.none_reads: dict = {}  # (kind, id(container), key) -> (kind, container, key)
        self.writes: dict = {}  # (kind, id(container), key) -> (kind, container, key, old)
        self.guards: list = []  # (getter, value it returned while capturing)
        self.volatile: str | None = None  # why the call cannot be replayed
        self.plans = 0  # plans this thread ran or built while the scope was innermost
        self.pending: dict = {}  # id -> tensor whose postponed update is not committed


def note_write(kind: str, container, key, old) -> None:
    """A location is about to change: ``kind`` is "grad" (``container.grad``), "data" (the
    tensor ``container``'s buffer) or "item" (``container[key]``, a dict); ``old`` is its
    current value. Only the innermost scope records it, and only the first write."""
    scope = local.active[-1]
    loc = (kind, id(container), key)
    if loc not in scope.writes:
        scope.writes[loc] = (kind, container, key, old)


def note_read(kind: str, container, key, value) -> None:
    """``value`` (a tensor or None) was read from a location (see note_write) the call has
    not written yet: it is the location's value from before the call."""
    scope = local.active[-1]
    loc = (kind, id(container), key)
    if loc in scope.writes:
        return
    if value is None:  # the step relies on it being None (an optimizer skips the tensor)
        scope.none_reads.setdefault(loc, (kind, container, key))
    else:
        scope.reads.setdefault(id(value), (kind, container, key))
        if value._buf is None and scope.volatile is None:
            # Its graph would be inlined into the plan, and a replay would recompute that
            # graph instead of reading whatever the location holds on the next call.
            scope.volatile = (f"it reads a {kind} that is not computed yet (a lazy tensor "
                              f"assigned to .{kind}), which a replay could not read anew")


def note_guard(getter) -> None:
    """The captured graph depends on ``getter()``'s value: replay only while it is equal."""
    active = local.active
    if active:
        active[-1].guards.append((getter, getter()))


def note_volatile(why: str) -> None:
    """The call does something a replay cannot repeat; trace it on every call."""
    for scope in local.active:
        if scope.fullgraph:
            from torsh.errors import CompileError

            raise CompileError(f"torsh.compile({scope.name}, fullgraph=True): the step cannot "
                               f"be captured: {why}")
        if scope.volatile is None:
            scope.volatile = why
