"""The example of the specification runs as written (acceptance line 8)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

EXAMPLE = textwrap.dedent("""\
    import torsh
    x = torsh.tensor([2.0], requires_grad=True)
    y = x ** 2
    y.backward()
    print(x.grad)  # tensor([4.])
    import torsh.nn as nn
    import torsh.nn.functional as F
    class Net(nn.Module):
        def __init__(self):
            super(Net, self).__init__()
            self.fc1 = nn.Linear(784, 128)
            self.fc2 = nn.Linear(128, 10)
        def forward(self, x):
            x = F.relu(self.fc1(x))
            return self.fc2(x)
    model = Net()
    optimizer = torsh.optim.Adam(model.parameters(), lr=0.001)
    """)

# what the example leaves behind, checked in the same process
CHECKS = textwrap.dedent("""\
    print([n for n, _ in model.named_parameters()])
    print([tuple(p.shape) for p in model.parameters()])
    out = model(torsh.randn(3, 784))
    print(tuple(out.shape))
    F.cross_entropy(out, torsh.tensor([1, 2, 3])).backward()
    optimizer.step()
    print(len(optimizer.state_dict()["state"]))
    """)


def run(code: str, tmp_path) -> str:
    env_cache = {"TORSH_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=tmp_path, env={**os.environ, **env_cache}, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_example_runs_as_written(tmp_path):
    out = run(EXAMPLE, tmp_path)
    assert out == "tensor([4.])\n"


def test_example_model_trains(tmp_path):
    lines = run(EXAMPLE + CHECKS, tmp_path).splitlines()
    assert lines[0] == "tensor([4.])"
    assert lines[1] == "['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']"
    assert lines[2] == "[(128, 784), (128,), (10, 128), (10,)]"
    assert lines[3] == "(3, 10)"
    assert lines[4] == "4"
