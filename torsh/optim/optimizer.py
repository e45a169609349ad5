"""The Optimizer base class: parameter groups, state, zero_grad, state_dict.

An update computes every parameter's new value (and new state) as lazy tensors under
``no_grad``, realizes them all in one compiled plan (fusing the whole update), and then
swaps the new buffers into the Parameter objects.
"""

from __future__ import annotations

from torsh._scope import local as _scope
from torsh._scope import note_guard, note_write
from torsh._tensor import Tensor
from torsh.autograd.grad_mode import no_grad
from torsh.errors import InvalidArgumentError
from torsh.plan import flush_pending, realize_later


class Optimizer:
    def __init__(self, params, defaults: dict):
        if isinstance(params, Tensor):
            raise TypeError("params must be an iterable of tensors or dicts, not a tensor")
        params = list(params)
        if not params:
            raise InvalidArgumentError(
                "optimizer got an empty parameter list; pass the tensors to optimize, e.g. "
                "model.parameters() (a generator can be consumed only once: call "
                "model.parameters() again for a second optimizer)")
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        self.defaults = dict(defaults)
        self.param_groups: list[dict] = []
        for g in groups:
            self.add_param_group(g)
        self.state: dict = {}
        self._compiled = None  # step() outside torsh.compile: a capture of _step

    def add_param_group(self, group: dict) -> None:
        group = dict(group)
        ps = group["params"]
        group["params"] = [ps] if isinstance(ps, Tensor) else list(ps)
        for p in group["params"]:
            if not isinstance(p, Tensor):
                raise InvalidArgumentError(f"optimizers can only optimize tensors, got a "
                                           f"{type(p).__name__}; pass model.parameters()")
            if not p.is_leaf:
                raise InvalidArgumentError(
                    f"optimizers can only optimize leaf tensors (parameters), but this one was "
                    f"computed by {p.grad_fn!r}; optimize the leaf it came from, or make a "
                    f"leaf with t.detach().requires_grad_()")
        for k, v in self.defaults.items():
            group.setdefault(k, v)
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        for g in self.param_groups:
            for p in g["params"]:
                p.grad = None if set_to_none or p.grad is None else p.grad * 0

    def step(self, closure=None):
        """Update every parameter that has a gradient, in one compiled plan. Outside
        torsh.compile the update is itself captured (torsh._compile): once it is stable,
        a step replays its plan instead of rebuilding the update graph in Python."""
        if closure is None and not _scope.active:
            if self._compiled is None:
                from torsh._compile import Compiled

                self._compiled = Compiled(self._step, f"{type(self).__name__}.step",
                                          quiet=True)
            return self._compiled((), {})
        return self._step(closure)

    def _step(self, closure=None):
        loss = None
        if closure is not None:
            from torsh.autograd.grad_mode import enable_grad

            with enable_grad():
                loss = closure()
        active = _scope.active
        if active and any(id(p) in active[-1].pending
                          for g in self.param_groups for p in g["params"]):
            flush_pending(active[-1])  # a second step of these parameters in one call
        note_guard(self._capture_guard)
        updates: list[tuple[Tensor, Tensor]] = []
        state_updates: list[tuple[dict, str, Tensor]] = []
        with no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    state = self.state.get(p)
                    if state is None:
                        state = {}
                        _set_item(self.state, p, state)
                    new_p, new_state = self._update(p, p.grad, state, group)
                    updates.append((p, new_p))
                    for k, v in new_state.items():
                        if isinstance(v, Tensor):
                            state_updates.append((state, k, v))
                        if active or not isinstance(v, Tensor):
                            _set_item(state, k, v)  # in torsh.compile: visible now, lazily
        targets = [v for _, v in updates] + [v for _, _, v in state_updates]

        def commit() -> None:
            for p, v in updates:
                _assign(p, v)
            if not active:
                for state, k, v in state_updates:
                    _set_item(state, k, v)

        realize_later(targets, commit)
        if active:  # until the commit, a read of these parameters must flush it first
            active[-1].pending.update((id(p), p) for p, _ in updates)
        return loss

    def _capture_guard(self) -> tuple:
        """What a captured step (torsh.compile) assumed about this optimizer: its state
        dict and each parameter's state dict (the same objects), its parameters and
        hyperparameters; a replay needs them unchanged."""
        state = self.state
        return state, tuple([
            (tuple(g["params"]), tuple([state.get(p) for p in g["params"]]),
             tuple([v for k, v in g.items() if k != "params"])) for g in self.param_groups])

    def _update(self, p: Tensor, g: Tensor, state: dict, group: dict):
        """(new parameter, new state entries) for one parameter; each optimizer defines it."""
        raise NotImplementedError(f"{type(self).__name__} must define _update(p, grad, state, "
                                  f"group)")

    # -- state dict ------------------------------------------------------------------------
    def state_dict(self) -> dict:
        index = {}
        groups = []
        for g in self.param_groups:
            ids = []
            for p in g["params"]:
                index.setdefault(id(p), len(index))
                ids.append(index[id(p)])
            groups.append({**{k: v for k, v in g.items() if k != "params"}, "params": ids})
        state = {index[id(p)]: dict(s) for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, sd: dict) -> None:
        groups = sd["param_groups"]
        if len(groups) != len(self.param_groups) or any(
                len(a["params"]) != len(b["params"]) for a, b in zip(groups, self.param_groups)):
            raise InvalidArgumentError("loaded state dict has a different parameter layout")
        params = [p for g in self.param_groups for p in g["params"]]
        ids = [i for g in groups for i in g["params"]]
        by_index = dict(zip(ids, params))
        for mine, theirs in zip(self.param_groups, groups):
            mine.update({k: v for k, v in theirs.items() if k != "params"})
        self.state = {by_index[i]: dict(s) for i, s in sd["state"].items()}


def _assign(p: Tensor, value: Tensor) -> None:
    if hasattr(p, "_assign"):
        p._assign(value)
    else:  # a plain leaf tensor being optimized
        if _scope.active:
            note_write("data", p, None, p._buf)
        p._buf = value._buf


def _set_item(d: dict, k, v) -> None:
    """d[k] = v for optimizer state, recorded while torsh.compile captures a step."""
    if _scope.active:
        note_write("item", d, k, d.get(k))
    d[k] = v
