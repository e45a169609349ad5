"""The digits demo (acceptance line 5): examples/train_digits.py's ``train`` learns."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytest.importorskip("sklearn")  # the data ships inside scikit-learn (a test extra)

ROOT = Path(__file__).resolve().parents[2]


def load_demo():
    spec = importlib.util.spec_from_file_location("train_digits",
                                                  ROOT / "examples" / "train_digits.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_brief_training_halves_the_loss():
    losses, accuracy, compiles_after_first = load_demo().train(epochs=3, verbose=False)
    assert len(losses) == 3
    assert losses[-1] < losses[0] * 0.5, losses
    assert accuracy > 0.8
    assert compiles_after_first > 0


def test_full_default_training_reaches_95_percent():
    """What `make demo` runs (15 epochs); about 1-3 s here, so it stays in the suite."""
    losses, accuracy, _ = load_demo().train(verbose=False)
    assert accuracy >= 0.95, accuracy
    assert losses[-1] < losses[0] * 0.1


def test_demo_main_prints_its_summary(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TORSH_DEMO_DIR", str(tmp_path))
    demo = load_demo()
    full_train = demo.train
    monkeypatch.setattr(demo, "train", lambda dump_dir=None: (
        full_train(epochs=1, verbose=False, dump_dir=dump_dir)))
    demo.main()
    out = capsys.readouterr().out
    assert "test accuracy:" in out and "kernels compiled:" in out
    assert (tmp_path / "train_step_grad.graph.mlir").read_text().startswith("//")
    assert (tmp_path / "train_step_grad.llvm.ll").exists()
