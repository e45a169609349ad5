"""numpy versions of torch.optim's update rules (torch 2.x, single-tensor path), written
from its documented algorithms: the torch-free oracle of the optimizer tests."""

from __future__ import annotations

import numpy as np


class NumpyOptimizer:
    def __init__(self, params: list[np.ndarray], **hyper):
        self.params = [p.copy() for p in params]
        self.h = hyper
        self.state: list[dict] = [{} for _ in params]

    def step(self, grads: list[np.ndarray]) -> None:
        for i, g in enumerate(grads):
            self.params[i] = self.update(self.params[i], g.copy(), self.state[i])


class SGD(NumpyOptimizer):
    def update(self, p, g, s):
        h = self.h
        lr, mom = h.get("lr", 1e-3), h.get("momentum", 0.0)
        damp, wd, nesterov = h.get("dampening", 0.0), h.get("weight_decay", 0.0), \
            h.get("nesterov", False)
        if wd:
            g = g + wd * p
        if mom:
            if "buf" not in s:
                s["buf"] = g.copy()
            else:
                s["buf"] = mom * s["buf"] + (1 - damp) * g
            g = g + mom * s["buf"] if nesterov else s["buf"]
        return p - lr * g


class Adam(NumpyOptimizer):
    decoupled = False
    default_wd = 0.0

    def update(self, p, g, s):
        h = self.h
        lr, (b1, b2), eps = h.get("lr", 1e-3), h.get("betas", (0.9, 0.999)), h.get("eps", 1e-8)
        wd, amsgrad = h.get("weight_decay", self.default_wd), h.get("amsgrad", False)
        s["step"] = s.get("step", 0) + 1
        t = s["step"]
        if wd and self.decoupled:
            p = p * (1 - lr * wd)
        elif wd:
            g = g + wd * p
        s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
        s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g * g
        v = s["v"]
        if amsgrad:
            s["vmax"] = np.maximum(s.get("vmax", 0.0), v)
            v = s["vmax"]
        denom = np.sqrt(v) / np.sqrt(1 - b2 ** t) + eps
        return p - (lr / (1 - b1 ** t)) * s["m"] / denom


class AdamW(Adam):
    decoupled = True
    default_wd = 1e-2


class RMSprop(NumpyOptimizer):
    def update(self, p, g, s):
        h = self.h
        lr, alpha, eps = h.get("lr", 1e-2), h.get("alpha", 0.99), h.get("eps", 1e-8)
        wd, mom, centered = h.get("weight_decay", 0.0), h.get("momentum", 0.0), \
            h.get("centered", False)
        if wd:
            g = g + wd * p
        s["sq"] = alpha * s.get("sq", 0.0) + (1 - alpha) * g * g
        avg = s["sq"]
        if centered:
            s["ga"] = alpha * s.get("ga", 0.0) + (1 - alpha) * g
            avg = avg - s["ga"] * s["ga"]
        denom = np.sqrt(avg) + eps
        if mom:
            s["buf"] = mom * s.get("buf", 0.0) + g / denom
            return p - lr * s["buf"]
        return p - lr * g / denom


NUMPY = {"SGD": SGD, "Adam": Adam, "AdamW": AdamW, "RMSprop": RMSprop}
