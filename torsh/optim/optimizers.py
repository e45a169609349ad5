"""SGD, Adam, AdamW and RMSprop with PyTorch's update rules and defaults."""

from __future__ import annotations

from torsh.errors import InvalidArgumentError
from torsh.ops import elementwise as E
from torsh.optim.optimizer import Optimizer


def _check(lr: float, **named) -> None:
    if lr < 0:
        raise InvalidArgumentError(f"invalid learning rate {lr}: lr must be >= 0")
    for k, v in named.items():
        if v < 0:
            raise InvalidArgumentError(f"invalid {k} {v}: {k} must be >= 0")


def _step_one(p):
    """The first step count: a realized 0-d tensor (float64, exact for any step count)."""
    import numpy as np

    from torsh import dtypes
    from torsh.ops.creation import from_array

    return from_array(np.array(1.0), dtypes.float64 if p.dtype is dtypes.float64
                      else dtypes.float32)


class SGD(Optimizer):
    """p -= lr * (g + weight_decay * p), with (Nesterov) momentum as torch.optim.SGD."""

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False):
        _check(lr, momentum=momentum, weight_decay=weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise InvalidArgumentError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov))

    def _update(self, p, g, state, group):
        if group["weight_decay"]:
            g = E.add(g, E.mul(p, group["weight_decay"]))
        new_state = {}
        if group["momentum"]:
            buf = state.get("momentum_buffer")
            buf = g if buf is None else E.add(E.mul(buf, group["momentum"]),
                                              E.mul(g, 1 - group["dampening"]))
            new_state["momentum_buffer"] = buf
            g = E.add(g, E.mul(buf, group["momentum"])) if group["nesterov"] else buf
        return E.sub(p, E.mul(g, group["lr"])), new_state


class Adam(Optimizer):
    """Adam (Kingma & Ba) with bias correction; weight_decay adds L2 to the gradient."""

    decoupled = False

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False):
        _check(lr, eps=eps, weight_decay=weight_decay)
        if not (0 <= betas[0] < 1 and 0 <= betas[1] < 1):
            raise InvalidArgumentError(f"invalid betas {betas}: each beta must be in [0, 1)")
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps,
                                      weight_decay=weight_decay, amsgrad=amsgrad))

    def _update(self, p, g, state, group):
        b1, b2 = group["betas"]
        lr, wd = group["lr"], group["weight_decay"]
        # The step count is a tensor, not a Python number, so the bias corrections below are
        # computed inside the graph and every step has the same graph: one compiled plan.
        step = state.get("step")
        step = _step_one(p) if step is None else E.add(step, 1.0)
        if wd and self.decoupled:
            p = E.mul(p, 1 - lr * wd)
        elif wd:
            g = E.add(g, E.mul(p, wd))
        m = state.get("exp_avg")
        v = state.get("exp_avg_sq")
        m = E.mul(g, 1 - b1) if m is None else E.add(E.mul(m, b1), E.mul(g, 1 - b1))
        gg = E.mul(g, g)
        v = E.mul(gg, 1 - b2) if v is None else E.add(E.mul(v, b2), E.mul(gg, 1 - b2))
        new_state = {"step": step, "exp_avg": m, "exp_avg_sq": v}
        v_hat = v
        if group["amsgrad"]:
            vmax = state.get("max_exp_avg_sq")
            v_hat = v if vmax is None else E.maximum(vmax, v)
            new_state["max_exp_avg_sq"] = v_hat
        bias1 = E.sub(1.0, E.pow(b1, step))
        bias2 = E.sub(1.0, E.pow(b2, step))
        denom = E.add(E.div(E.sqrt(v_hat), E.sqrt(bias2)), group["eps"])
        return E.sub(p, E.mul(E.div(m, denom), E.div(lr, bias1))), new_state


class AdamW(Adam):
    """Adam with decoupled weight decay (default 1e-2), as torch.optim.AdamW."""

    decoupled = True

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)


class RMSprop(Optimizer):
    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False):
        _check(lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum)
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered))

    def _update(self, p, g, state, group):
        alpha, lr = group["alpha"], group["lr"]
        if group["weight_decay"]:
            g = E.add(g, E.mul(p, group["weight_decay"]))
        sq = state.get("square_avg")
        gg = E.mul(g, g)
        sq = E.mul(gg, 1 - alpha) if sq is None else E.add(E.mul(sq, alpha), E.mul(gg, 1 - alpha))
        new_state = {"square_avg": sq}
        avg = sq
        if group["centered"]:
            ga = state.get("grad_avg")
            ga = E.mul(g, 1 - alpha) if ga is None else E.add(E.mul(ga, alpha),
                                                              E.mul(g, 1 - alpha))
            new_state["grad_avg"] = ga
            avg = E.sub(sq, E.mul(ga, ga))
        denom = E.add(E.sqrt(avg), group["eps"])
        if group["momentum"]:
            buf = state.get("momentum_buffer")
            step = E.div(g, denom)
            buf = step if buf is None else E.add(E.mul(buf, group["momentum"]), step)
            new_state["momentum_buffer"] = buf
            return E.sub(p, E.mul(buf, lr)), new_state
        return E.sub(p, E.mul(E.div(g, denom), lr)), new_state
