"""Train an MLP on scikit-learn's bundled 8x8 digits with torsh (Adam, cross-entropy).

The training step - forward, loss, backward and the Adam update - is one torsh.compile'd
function: it compiles into fused kernels on the first batch and replays its cached plan on
every other batch. Run with `make demo` or `python examples/train_digits.py`.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import torsh
import torsh.nn as nn
import torsh.nn.functional as F


def load_digits_split(seed: int = 0):
    from sklearn.datasets import load_digits  # the data ships inside scikit-learn

    data = load_digits()
    x = (data.data / 16.0).astype(np.float32)
    y = data.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(x))
    x, y = x[order], y[order]
    n_test = len(x) // 5
    return (x[n_test:], y[n_test:]), (x[:n_test], y[:n_test])


class MLP(nn.Module):
    def __init__(self, sizes=(64, 128, 10)):
        super().__init__()
        self.fc1 = nn.Linear(sizes[0], sizes[1])
        self.fc2 = nn.Linear(sizes[1], sizes[2])

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


def progress(epoch: int, epochs: int, done: int, total: int, loss: float, width: int = 30):
    filled = int(width * done / total)
    bar = "#" * filled + "-" * (width - filled)
    end = "\n" if done == total else ""
    if sys.stdout.isatty() or done == total:
        print(f"\repoch {epoch:2d}/{epochs} [{bar}] {done:4d}/{total} loss {loss:.4f}",
              end=end, flush=True)


def train(epochs: int = 15, batch_size: int = 64, lr: float = 1e-2, seed: int = 0,
          dump_dir: Path | None = None, verbose: bool = True):
    """Returns (per-epoch mean losses, test accuracy, compiles after the first step)."""
    torsh.manual_seed(seed)
    (xtr, ytr), (xte, yte) = load_digits_split(seed)
    model = MLP()
    opt = torsh.optim.Adam(model.parameters(), lr=lr)

    @torsh.compile
    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    n_batches = len(xtr) // batch_size  # full batches only: one shape, one compiled plan
    rng = np.random.default_rng(seed)
    losses, compiles_after_first = [], None
    for epoch in range(1, epochs + 1):
        order = rng.permutation(len(xtr))
        epoch_loss = 0.0
        for b in range(n_batches):
            idx = order[b * batch_size:(b + 1) * batch_size]
            loss = step(torsh.tensor(xtr[idx]), torsh.tensor(ytr[idx]))
            epoch_loss += loss.item()
            if compiles_after_first is None:
                compiles_after_first = torsh.codegen.STATS.compiles
                if dump_dir is not None:
                    write_step_dumps(model, xtr[idx], ytr[idx], dump_dir)
            if verbose:
                progress(epoch, epochs, b + 1, n_batches, epoch_loss / (b + 1))
        losses.append(epoch_loss / n_batches)
    with torsh.no_grad():
        model.eval()
        pred = model(torsh.tensor(xte)).argmax(dim=1).numpy()
    return losses, float((pred == yte).mean()), compiles_after_first


def write_step_dumps(model, x, y, dump_dir: Path) -> None:
    """The IR of one training step's gradient computation at every level."""
    dump_dir.mkdir(parents=True, exist_ok=True)
    params = list(model.parameters())
    loss = F.cross_entropy(model(torsh.tensor(x)), torsh.tensor(y))
    grads = torsh.autograd.grad(loss, params, retain_graph=True)
    for level, ext in (("graph", "mlir"), ("kernels", "mlir"), ("llvm", "ll"), ("asm", "s")):
        (dump_dir / f"train_step_grad.{level}.{ext}").write_text(torsh.ir.dump(grads[0], level))


def main() -> None:
    dump_dir = Path(os.environ.get("TORSH_DEMO_DIR", Path(tempfile.gettempdir()) / "torsh_demo"))
    t0 = time.perf_counter()
    before = torsh.codegen.STATS.compiles
    losses, acc, first = train(dump_dir=dump_dir)
    dt = time.perf_counter() - t0
    stats = torsh.codegen.STATS
    print(f"loss: {losses[0]:.4f} (epoch 1) -> {losses[-1]:.4f} (epoch {len(losses)})")
    print(f"test accuracy: {acc * 100:.1f}% on {int(1797 // 5)} held-out digits")
    print(f"kernels compiled: {stats.compiles - before} ({first - before} by the end of the first "
          f"step, {stats.compiles - first} after it), loaded from disk: {stats.disk_hits}; "
          f"plan replays: {stats.plan_hits}")
    print(f"training took {dt:.1f} s; IR dumps of the training step in {dump_dir}/")


if __name__ == "__main__":
    main()
