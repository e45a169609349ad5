"""torsh: a compiling tensor library with a PyTorch-style API.

>>> import torsh
>>> torsh.__version__
'0.1.0'
"""

# The order below is deliberate: __version__ first (the runtime loader checks the library
# against it), then the IR, then the tensor and its ops (which install the Tensor methods),
# then the layers built on them.
__version__ = "0.1.0"

from torsh.errors import *  # noqa: F403
from torsh.errors import TorshError
from torsh import ir
from torsh.dtypes import (
    bfloat16, bool_ as bool, double, dtype, float, float16, float32, float64, get_default_dtype,
    half, int, int8, int32, int64, long, promote_types, result_type, set_default_dtype,
)
from torsh._tensor import Size, Tensor, is_tensor
from torsh.ops import *  # noqa: F403
from torsh.plan import realize
from torsh import autograd, nn, optim
from torsh.autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from torsh._compile import compile
from torsh.serialization import load, save
from torsh.interop import as_tensor, from_dlpack, from_numpy, from_pytorch
from torsh.memory import get_memory_limit, memory_stats, set_memory_limit
from torsh._async import realize_async


def __getattr__(name: str):
    # torsh.get_include / torsh.get_library, resolved on first use: importing torsh.config
    # here would make `python -m torsh.config` (the C build flags) warn that the module
    # was imported before it ran.
    if name in ("get_include", "get_library"):
        from torsh import config

        return getattr(config, name)
    raise AttributeError(f"module 'torsh' has no attribute {name!r}")
