"""torsh: a compiling tensor library with a PyTorch-style API.

>>> import torsh
>>> torsh.__version__
'0.1.0'
"""

from torsh.errors import *  # noqa: F401,F403
from torsh.errors import TorshError  # noqa: F401

__version__ = "0.1.0"

from torsh import ir  # noqa: E402,F401  (torsh.ir is part of the public API)
