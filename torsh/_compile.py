"""``torsh.compile``: capture a whole step (forward, loss, backward, optimizer update) as one
compiled plan, and replay that plan on later calls without running the Python again.

Inside a compiled function, the realizations that only *commit* results - ``backward()``
filling ``.grad``, ``optimizer.step()`` updating parameters - are postponed; when the
function returns, everything it produced is realized together, so the step is a single
graph that fuses end to end.

While it runs, the call also records what it did to state that outlives it (a
*capture*; see ``torsh._scope``): which tensors the plan read (the arguments, parameters,
optimizer state, gradients), and which locations it wrote (``.grad``, parameter data,
optimizer state). Once two consecutive captures for the same argument signature (shapes,
dtypes, ``requires_grad``, the non-tensor arguments, grad mode) agree - the same plan, the
same reads and writes - later calls *replay*: they read the current values of those
locations, run the plan (one foreign call) and write its results back, as the Python would
have. Before each replay, guards check what the plan assumed (each optimizer's parameters,
hyperparameters and state dict); if one fails, the call is captured again.

As with ``jax.jit``, a replay repeats the step's tensor computation and its effects on
tensors, not its Python: Python numbers computed inside the function and tensors it makes
from Python data are constants of the capture (pass values that change as tensor
arguments), and other Python side effects (prints, counters) happen only while capturing.
Tensors returned by a replay are plain results (no ``grad_fn``).

If the function reads a value mid-step (``.item()``, ``.numpy()``, ``print``,
``if tensor:``) or draws random numbers (``dropout``, ``rand``), torsh warns once and runs
it traced on every call, as several plans in the first case: the fallback is plain lazy
execution, never a wrong result.

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
>>> [float(step(torsh.tensor([2.0]))) for _ in range(4)]
[4.0, 36.0, 324.0, 2916.0]
>>> w.tolist()
[81.0]
>>> step.stats()
{'captures': 3, 'replays': 1, 'traced': 3}
"""

from __future__ import annotations

import functools
import struct
import types

import numpy as np

from torsh._scope import Scope
from torsh._scope import local as _scope
from torsh._tensor import Tensor
from torsh.autograd.grad_mode import is_grad_enabled
from torsh.codegen import STATS
from torsh.plan import _realize_now, compile_fallback, flush_deferred, realize

_MAX_SIGNATURES = 16  # captures kept per compiled function (one per argument signature)
_MISS = object()  # a replay's guard failed: capture the call instead

# Value specs: where a captured tensor comes from when the plan is replayed.
ARG, OBJ, LOC, OUT, PY = "arg", "obj", "loc", "out", "py"
# (ARG, i): the i-th tensor argument; (OBJ, t): the tensor t itself (a parameter, or a
# constant made during the capture); (LOC, kind, container, key): what a location holds
# before the call (kind "grad": container.grad; "item": container[key]), container being
# (ARG, i) or (OBJ, obj); (OUT, r, type): the plan's r-th result; (PY, v): a Python value.


def _tensors_in(obj) -> list[Tensor]:
    if isinstance(obj, Tensor):
        return [obj]
    if isinstance(obj, (list, tuple)):
        return [t for o in obj for t in _tensors_in(o)]
    if isinstance(obj, dict):
        return [t for o in obj.values() for t in _tensors_in(o)]
    return []


def _flatten(obj, tensors: list):
    """A hashable key for ``obj``'s structure; its tensors go to ``tensors`` (their place
    in the key is their position there). TypeError if a non-tensor part is unhashable."""
    if isinstance(obj, Tensor):
        tensors.append(obj)
        return Tensor
    kind = type(obj)
    if kind is list or kind is tuple:
        return kind, tuple([_flatten(o, tensors) for o in obj])
    if kind is dict:
        return dict, tuple([(k, _flatten(v, tensors)) for k, v in obj.items()])
    if kind is float:  # by its bits: -0.0 == 0.0, yet they give different results
        return kind, struct.pack("<d", obj)
    hash(obj)
    return kind, obj


def _owner(leaf: Tensor) -> Tensor:
    """The tensor a graph leaf reads: nodes read a pinned alias of a realized tensor
    (Tensor._pinned), which remembers its owner while that is alive."""
    ref = getattr(leaf, "_owner", None)
    owner = ref() if ref is not None else None
    return leaf if owner is None else owner


class _Unreplayable(Exception):
    """Why a captured call cannot be replayed (the function is then traced every call)."""


class _Capture:
    """Turns one traced call into specs (see the value specs above)."""

    def __init__(self, scope: Scope, flat: list, todo: list):
        self.args = {id(t): i for i, t in enumerate(flat)}
        self.results = {id(t._buf): r for r, t in enumerate(todo)}
        self.old: dict = {}  # id(value a location held before the call) -> LOC spec
        self.data_old: dict = {}  # id(tensor whose data was swapped) -> its old buffer
        self.arg_is: list = []  # (i, tensor): arguments the step updates in place
        self.effects = bool(scope.writes)  # it wrote gradients or parameters itself
        for vid, (kind, c, key) in scope.reads.items():
            self.old[vid] = (LOC, kind, self.container(c), key)
        for kind, c, key, old in scope.writes.values():
            if kind == "data":
                self.data_old[id(c)] = old
            elif isinstance(old, Tensor):
                self.old.setdefault(id(old), (LOC, kind, self.container(c), key))

    def container(self, c) -> tuple:
        i = self.args.get(id(c))
        return (ARG, i) if i is not None else (OBJ, c)

    def spec(self, v, computed: bool = True) -> tuple:
        """Where ``v`` comes from; ``computed=False`` for the plan's inputs, which are never
        its results (even when their owner now holds one: an updated parameter)."""
        if not isinstance(v, Tensor):
            return PY, v
        i = self.args.get(id(v))
        if i is not None:
            return ARG, i
        loc = self.old.get(id(v))
        if loc is not None:
            return loc
        if v._buf is None:
            raise _Unreplayable("a value it leaves behind is not computed by its plan")
        r = self.results.get(id(v._buf)) if computed else None
        return (OUT, r, v._type) if r is not None else (OBJ, v)

    def read(self, leaf: Tensor) -> tuple:
        o = _owner(leaf)
        if o._buf is not leaf._buf and self.data_old.get(id(o)) is not leaf._buf:
            raise _Unreplayable("a tensor's data was replaced during the step")
        return self.spec(o, computed=False), leaf._type, o.requires_grad

    def write(self, kind: str, c, key) -> tuple | None:
        if kind == "data":
            if c._buf is self.data_old[id(c)]:
                return None  # swapped back: no net effect
            cref = self.container(c)
            if cref[0] is ARG:  # (an optimizer's parameter passed as an argument)
                self.arg_is.append((cref[1], c))
            return kind, cref, key, self.spec(_results_view(c))
        value = c._grad if kind == "grad" else c.get(key)
        return kind, self.container(c), key, self.spec(value)

    def output(self, obj):
        if isinstance(obj, Tensor):
            if id(obj) in self.data_old:  # an updated parameter: the object itself
                return Tensor, self.container(obj)
            node = obj._grad_fn
            if node is not None and not node.released and not self.effects:
                # a forward whose result the caller differentiates (backward() outside)
                raise _Unreplayable("it returns a tensor with autograd history (a grad_fn) "
                                    "for backward() outside it, which a replay cannot "
                                    "record; compile the whole step (forward, backward, "
                                    "optimizer) instead")
            return Tensor, self.spec(obj)
        kind = type(obj)
        if kind is list or kind is tuple:
            return kind, [self.output(o) for o in obj]
        if kind is dict:
            return dict, [(k, self.output(v)) for k, v in obj.items()]
        return PY, obj


def _roll_back(scope: Scope) -> None:
    """A compiled call raised before committing: its postponed updates are dropped, so
    the optimizer state entries it set (lazily, see Optimizer._step) are put back too.
    A call that already ran part of its work (several plans) keeps what it committed."""
    if scope.broken:
        return
    for kind, c, key, old in reversed(list(scope.writes.values())):
        if kind == "item":
            if old is None:
                c.pop(key, None)
            else:
                c[key] = old


def _results_view(t: Tensor) -> Tensor:
    """A tensor holding ``t``'s current buffer (so spec() finds it among the results)."""
    return Tensor._from_buffer(t._buf, t._type)


class _Trace:
    """One captured call: the plan, where its inputs come from, what it writes, what the
    function returned, and the guards it assumed."""

    __slots__ = ("plan", "reads", "writes", "out", "guards", "arg_is", "none_reads", "before")

    def __init__(self, plan, reads, writes, out, guards, arg_is, none_reads):
        self.plan, self.reads, self.writes, self.out = plan, reads, writes, out
        self.guards, self.arg_is, self.none_reads = guards, arg_is, none_reads
        self.before = [s for s in _specs(writes, out) if s[0] is LOC]

    def replay(self, flat: list):
        for getter, want in self.guards:
            if not _same_value(getter(), want):
                return _MISS
        for i, obj in self.arg_is:
            if flat[i] is not obj:
                return _MISS  # an argument the step updates in place must be the same one
        for spec in self.none_reads:
            if _value(spec, flat) is not None:
                return _MISS  # a gradient the capture found None (and skipped) is set now
        bufs = []
        for spec, ty, grad in self.reads:
            t = _value(spec, flat)
            if t is None or t._type != ty or t.requires_grad is not grad:
                return _MISS  # the state is not what the capture saw: capture again
            if t._buf is None:
                t.realize()
            bufs.append(t._buf)
        outs = []
        if self.plan is not None:
            STATS.plan_hits += 1
            outs = self.plan.run(bufs)
        # values from before the call (read from locations) are taken before any write
        pre = {id(s): _value(s, flat) for s in self.before}
        made: dict = {}
        for kind, cref, key, spec in self.writes:
            c = flat[cref[1]] if cref[0] is ARG else cref[1]
            v = _result(spec, flat, outs, made, pre)
            if kind == "grad":
                c._grad = v
            elif kind == "item":
                c[key] = v
            else:
                c._buf = v._buf
        return _build(self.out, flat, outs, made, pre)

    def same_as(self, other: _Trace) -> bool:
        """Whether two captures did the same thing (then the function is stable)."""
        return (self.plan is other.plan
                and len(self.reads) == len(other.reads)
                and all(ta == tb and ga is gb and _same_spec(a, b)
                        for (a, ta, ga), (b, tb, gb) in zip(self.reads, other.reads))
                and len(self.writes) == len(other.writes)
                and all(a[0] == b[0] and _same_spec(a[1], b[1]) and _same_value(a[2], b[2])
                        and _same_spec(a[3], b[3]) for a, b in zip(self.writes, other.writes))
                and _same_out(self.out, other.out)
                and len(self.guards) == len(other.guards)
                and all(_same_value(a, b) for (_, a), (_, b) in zip(self.guards, other.guards))
                and self.arg_is == other.arg_is
                and len(self.none_reads) == len(other.none_reads)
                and all(_same_spec(a, b) for a, b in zip(self.none_reads, other.none_reads)))


def _specs(writes: list, out) -> list:
    """Every value spec that a replay hands back or writes."""
    found = [w[3] for w in writes]
    stack = [out]
    while stack:
        kind, body = stack.pop()
        if kind is Tensor:
            found.append(body)
        elif kind is dict:
            stack.extend(v for _, v in body)
        elif kind is not PY:
            stack.extend(body)
    return found


def _value(spec: tuple, flat: list):
    """The current value (a tensor or None) at a read spec."""
    kind = spec[0]
    if kind is ARG:
        return flat[spec[1]]
    if kind is OBJ:
        return spec[1]
    cref = spec[2]
    c = flat[cref[1]] if cref[0] is ARG else cref[1]
    return c._grad if spec[1] == "grad" else c.get(spec[3])


def _result(spec: tuple, flat: list, outs: list, made: dict, pre: dict):
    """The value a replay hands back or writes for ``spec`` (one tensor per result)."""
    kind = spec[0]
    if kind is OUT:
        r = spec[1]
        t = made.get(r)
        if t is None:
            t = made[r] = Tensor._from_buffer(outs[r], spec[2])
        return t
    if kind is PY:
        return spec[1]
    if kind is LOC:
        return pre[id(spec)]
    return _value(spec, flat)


def _build(out, flat, outs, made, pre):
    kind, body = out
    if kind is Tensor:
        return _result(body, flat, outs, made, pre)
    if kind is PY:
        return body
    if kind is dict:
        return {k: _build(v, flat, outs, made, pre) for k, v in body}
    return kind([_build(o, flat, outs, made, pre) for o in body])


_PLAIN = (int, float, str, bool, bytes, type(None))


def _same_value(a, b) -> bool:
    """Equal Python values: by value for plain ones (and tuples of them), else identity
    (a Tensor's == is elementwise)."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, _PLAIN):
        return a == b
    if type(a) is tuple:
        return len(a) == len(b) and all(_same_value(x, y) for x, y in zip(a, b))
    return False


def _same_spec(a: tuple, b: tuple) -> bool:
    if a[0] is not b[0] or len(a) != len(b):
        return False
    if a[0] is OBJ and a[1] is not b[1]:
        return _same_constant(a[1], b[1])  # made afresh by each call: equal data?
    if a[0] is LOC:
        return a[1] == b[1] and _same_spec(a[2], b[2]) and _same_value(a[3], b[3])
    return all(_same_value(x, y) for x, y in zip(a[1:], b[1:]))


def _same_constant(a, b) -> bool:
    if not (isinstance(a, Tensor) and isinstance(b, Tensor)):
        return _same_value(a, b)
    if a._type != b._type or a._buf is None or b._buf is None:
        return False
    return bool(np.array_equal(a._buf.numpy(), b._buf.numpy(), equal_nan=True))


def _same_out(a, b) -> bool:
    if a[0] is not b[0]:
        return False
    if a[0] is Tensor:
        return _same_spec(a[1], b[1])
    if a[0] is PY:
        return _same_value(a[1], b[1])
    if a[0] is dict:
        return (len(a[1]) == len(b[1]) and all(_same_value(ka, kb) and _same_out(va, vb)
                                               for (ka, va), (kb, vb) in zip(a[1], b[1])))
    return len(a[1]) == len(b[1]) and all(_same_out(x, y) for x, y in zip(a[1], b[1]))


class _Entry:
    __slots__ = ("trace", "stable")

    def __init__(self):
        self.trace: _Trace | None = None
        self.stable = False


class Compiled:
    """A compiled function: its captures by argument signature, and counters."""

    def __init__(self, fn, name: str, quiet: bool = False, fullgraph: bool = False):
        self.fn, self.name, self.fullgraph = fn, name, fullgraph
        self.entries: dict = {}
        self.captures = self.replays = self.traced = 0
        self.warned = quiet  # quiet: never warn (torsh's own use, e.g. Optimizer.step)

    def __call__(self, args: tuple, kwargs: dict):
        if _scope.active:  # called inside another compiled function: part of its step
            return self._traced(args, kwargs)
        flat: list = []
        try:
            key = _flatten((args, kwargs), flat)
        except TypeError:
            self._warn("an argument that is neither a tensor nor hashable (a list of numbers, "
                       "a numpy array...) cannot key a capture; pass tensors")
            return self._traced(args, kwargs)
        lazy = [t for t in flat if t._buf is None]
        if lazy:
            realize(*lazy)
        alias = ()
        if len(flat) > 1:  # which arguments are the same tensor: part of the signature
            first: dict = {}
            alias = tuple([first.setdefault(id(t), i) for i, t in enumerate(flat)])
        key = (key, tuple([(t._type, t.requires_grad) for t in flat]), is_grad_enabled(),
               alias)
        entry = self.entries.get(key)
        if entry is not None and entry.stable:
            out = entry.trace.replay(flat)
            if out is not _MISS:
                self.replays += 1
                return out
            entry.stable = False
        out, trace = self._capture(args, kwargs, flat)
        if trace is None:
            self.entries.pop(key, None)
            return out
        if entry is None:
            if len(self.entries) >= _MAX_SIGNATURES:
                self.entries.pop(next(iter(self.entries)))
            entry = self.entries[key] = _Entry()
        entry.stable = entry.trace is not None and trace.same_as(entry.trace)
        entry.trace = trace
        return out

    def _traced(self, args, kwargs):
        """The plain path: run the Python, realizing everything at the end in one plan."""
        self.traced += 1
        scope = Scope(self.name, self.fullgraph)
        active = _scope.active
        active.append(scope)
        try:
            out = self.fn(*args, **kwargs)
        except BaseException:
            _roll_back(scope)  # postponed updates of a failed step are dropped, not committed
            raise
        finally:
            active.pop()
        flush_deferred(scope, _tensors_in(out))
        return out

    def _capture(self, args, kwargs, flat):
        """Run the Python with a recording scope; (its result, a _Trace or None)."""
        self.traced += 1
        scope = Scope(self.name, self.fullgraph)
        active = _scope.active
        active.append(scope)
        try:
            try:
                out = self.fn(*args, **kwargs)
            except BaseException:
                _roll_back(scope)
                raise
            # The step leaves behind: what it postponed, what it returns, and what it
            # wrote to gradients and optimizer state; one plan computes all of them. The
            # scope stays open while the optimizers commit, so their writes are recorded.
            left = [v for kind, c, key, _ in scope.writes.values() if kind != "data"
                    for v in ((c._grad if kind == "grad" else c.get(key)),)
                    if isinstance(v, Tensor) and v._buf is None]
            targets = scope.tensors + _tensors_in(out) + left
            callbacks = scope.callbacks
            scope.tensors, scope.callbacks = [], []
            plan, leaves, todo = _realize_now(targets)
            for cb in callbacks:
                cb()
        finally:
            active.pop()
        if scope.volatile is not None:
            self._warn(scope.volatile)
            return out, None
        if scope.broken or scope.plans != (plan is not None):
            return out, None  # (realize() warned already when the step read a value)
        try:
            cap = _Capture(scope, flat, todo)
            reads = [cap.read(leaf) for leaf in leaves]
            writes = [w for kind, c, key, _ in scope.writes.values()
                      if (w := cap.write(kind, c, key)) is not None]
            none_reads = [(LOC, kind, cap.container(c), key)
                          for kind, c, key in scope.none_reads.values()]
            trace = _Trace(plan, reads, writes, cap.output(out), scope.guards, cap.arg_is,
                           none_reads)
        except _Unreplayable as e:
            self._warn(str(e))
            return out, None
        self.captures += 1
        return out, trace

    def _warn(self, why: str) -> None:
        if self.fullgraph or not self.warned:
            self.warned = True
            compile_fallback(self.name, self.fullgraph, why, "the function is traced on "
                             "every call instead of replaying its plan")

    def stats(self) -> dict:
        """Calls that ran the Python ("traced"), how many of them gave a replayable capture
        ("captures"), and calls that replayed a plan instead ("replays")."""
        return {"captures": self.captures, "replays": self.replays, "traced": self.traced}


class CompiledModule:
    """``torsh.compile(module)``: calls run the module captured and replayed; everything
    else (``parameters()``, ``state_dict()``, ``train()``, attributes) is the module's,
    which stays at ``_orig_mod`` as in PyTorch."""

    def __init__(self, module, compiled: Compiled):
        self._orig_mod = module
        self.__torsh_compiled__ = compiled
        self.__wrapped_by_torsh__ = True

    def __call__(self, *args, **kwargs):
        return self.__torsh_compiled__(args, kwargs)

    def __getattr__(self, name: str):
        return getattr(self._orig_mod, name)

    def __repr__(self) -> str:
        return f"CompiledModule({self._orig_mod!r})"

    def stats(self) -> dict:
        return self.__torsh_compiled__.stats()


def compile(fn=None, *, fullgraph: bool = False, disable: bool = False,  # noqa: A001
            name: str | None = None):
    """Decorator (or function) making ``fn`` - a function or an ``nn.Module`` - capture its
    step once per argument signature and replay it; see the module doc.
    ``compiled.stats()`` counts captures and replays.

    As in ``torch.compile``: ``fullgraph=True`` makes anything that keeps a call from being
    one captured plan (a value read mid-step, random numbers, an unhashable argument) a
    ``torsh.CompileError`` instead of a warning and a fallback; ``disable=True`` returns
    ``fn`` unchanged."""

    def wrap(f):
        if disable:
            return f
        if not callable(f):
            raise TypeError(f"torsh.compile expects a function or a module, got "
                            f"{type(f).__name__}")
        label = name or getattr(f, "__name__", None) or type(f).__name__
        compiled = Compiled(f, label, fullgraph=fullgraph)

        if not isinstance(f, types.FunctionType | types.MethodType):
            return CompiledModule(f, compiled)  # a module: still reads like one

        @functools.wraps(f)
        def run(*args, **kwargs):
            return compiled(args, kwargs)

        run.__wrapped_by_torsh__ = True
        run.stats = compiled.stats
        run.__torsh_compiled__ = compiled
        return run

    return wrap(fn) if fn is not None else wrap
