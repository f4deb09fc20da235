"""Training helpers that decide what ships: the threshold rule and model settings inheritance."""

from __future__ import annotations

import json

import numpy as np
import pytest

from fraudkit.training.classic import read_model_config
from fraudkit.training.world import best_f1_threshold


def test_threshold_maximises_f1():
    labels = np.array([1, 1, 0, 1, 0, 0, 0, 0])
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.3, 0.2, 0.1, 0.05])
    # Cutting at 0.6 catches the three frauds with one false alarm: F1 = 6/7, the best cut.
    assert best_f1_threshold(labels, scores) == pytest.approx(0.6)


def test_threshold_never_splits_tied_scores():
    labels = np.array([1, 0, 1, 0])
    scores = np.array([0.5, 0.5, 0.5, 0.1])
    assert best_f1_threshold(labels, scores) == 0.5


def test_model_config_extends_another_app(tmp_path):
    (tmp_path / "base").mkdir()
    (tmp_path / "child").mkdir()
    (tmp_path / "base" / "model_config.json").write_text(json.dumps({"kind": "lightgbm", "train_days": 21}))
    (tmp_path / "child" / "model_config.json").write_text(json.dumps({"extends": "base", "train_days": 7}))
    assert read_model_config(tmp_path / "child") == {"kind": "lightgbm", "train_days": 7}
