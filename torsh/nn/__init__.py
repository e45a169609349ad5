"""torsh.nn: modules, parameters, layers and losses (PyTorch's API).

>>> import torsh
>>> import torsh.nn as nn
>>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
>>> model(torsh.randn(3, 4)).shape
torsh.Size([3, 2])
"""

from torsh.nn import functional, init
from torsh.nn.layers import (
    GELU,
    BCEWithLogitsLoss,
    Conv2d,
    CrossEntropyLoss,
    Dropout,
    Embedding,
    Flatten,
    LayerNorm,
    Linear,
    LogSoftmax,
    MaxPool2d,
    ModuleList,
    MSELoss,
    NLLLoss,
    ReLU,
    Sequential,
    Sigmoid,
    SiLU,
    Softmax,
    Tanh,
)
from torsh.nn.module import Module
from torsh.nn.parameter import Parameter

__all__ = ["functional", "init", "Module", "Parameter", "Linear", "ReLU", "Sigmoid", "Tanh",
           "GELU", "SiLU", "Softmax", "LogSoftmax", "Dropout", "Sequential", "ModuleList",
           "Embedding", "LayerNorm", "Conv2d", "MaxPool2d", "Flatten", "MSELoss",
           "CrossEntropyLoss", "NLLLoss", "BCEWithLogitsLoss"]
