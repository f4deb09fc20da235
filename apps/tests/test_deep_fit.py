"""Training loop of the deep apps: settings checking, negative sampling, determinism for a seed.

Needs PyTorch (training environment); skipped elsewhere.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from fraudkit.training.net_fit import FitSettings, _sample_negatives, fit_sequence_net  # noqa: E402


def small_data(n: int = 600) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    windows = rng.lognormal(1.0, 1.0, size=(n, 3, 15)).astype(np.float32)
    mask = np.ones((n, 3), dtype=np.float32)
    y = (windows[:, -1, 0] > 8.0).astype(np.int64)
    return windows, mask, y


def test_unknown_training_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="learning_rat"):
        FitSettings.from_dict({"learning_rat": 0.1})
    assert FitSettings.from_dict({"epochs": 3}).epochs == 3


def test_negative_sampling_keeps_every_fraud() -> None:
    y = np.zeros(10_000, dtype=np.int64)
    y[::50] = 1
    rows = np.arange(10_000)
    kept = _sample_negatives(rows, y, 0.3, np.random.default_rng(1))
    assert set(rows[y == 1]) <= set(kept)
    legit_share = (y[kept] == 0).sum() / (y == 0).sum()
    assert 0.27 < legit_share < 0.33
    np.testing.assert_array_equal(_sample_negatives(rows, y, 1.0, np.random.default_rng(1)), rows)


def test_training_is_deterministic_for_a_seed() -> None:
    windows, mask, y = small_data()
    settings = FitSettings(epochs=2, batch_size=64, seed=7, negative_sampling=0.5)
    first = fit_sequence_net("lstm", {"hidden": 8}, windows, mask, y, settings)
    second = fit_sequence_net("lstm", {"hidden": 8}, windows, mask, y, settings)
    other = fit_sequence_net("lstm", {"hidden": 8}, windows, mask, y, FitSettings(epochs=2, batch_size=64, seed=8))
    x, m = torch.from_numpy(windows[:50]), torch.from_numpy(mask[:50])
    with torch.no_grad():
        torch.testing.assert_close(first.net(x, m), second.net(x, m))
        assert not torch.allclose(first.net(x, m), other.net(x, m))
    assert first.history == second.history and len(first.history) >= 1


def test_shipped_settings_are_valid_and_bad_ones_fail_fast(tmp_path) -> None:
    from fraudkit.app_folders import find_app_dirs, is_deep_app
    from fraudkit.training.deep import read_settings

    deep_apps = [d for d in find_app_dirs() if is_deep_app(d)]
    assert len(deep_apps) >= 7
    for app in deep_apps:
        assert read_settings(app)["seq_len"] >= 1
    (tmp_path / "model").mkdir()
    settings = tmp_path / "model" / "settings.json"
    for body, message in [
        ('{"seq_len": 5, "train_days": 7, "architecture": "perceptron"}', "unknown architecture"),
        ('{"seq_len": 5, "train_days": 7, "kind": "deep-stack", "networks": []}', "kind must be"),
        ('{"seq_len": 5, "architecture": "lstm"}', "missing train_days"),
        ('{"seq_len": 5,', "invalid JSON"),
    ]:
        settings.write_text(body)
        with pytest.raises(ValueError, match=message):
            read_settings(tmp_path)
