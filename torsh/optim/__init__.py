"""torsh.optim: optimizers whose whole update compiles into fused kernels.

>>> import torsh
>>> w = torsh.nn.Parameter(torsh.tensor([1.0, -2.0]))
>>> opt = torsh.optim.SGD([w], lr=0.1)
>>> (w * w).sum().backward()
>>> opt.step()
>>> w.tolist()
[0.800000011920929, -1.600000023841858]
"""

from torsh.optim.optimizer import Optimizer
from torsh.optim.optimizers import SGD, Adam, AdamW, RMSprop

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop"]
