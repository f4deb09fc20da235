"""The ONNX export of every deep architecture scores like the PyTorch network it came from.

Needs PyTorch, so it runs in the training environment (.venvs/train); elsewhere it is skipped.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnxruntime")

from fraudkit.deep.runtime import OnnxSequenceModel  # noqa: E402
from fraudkit.training.nets import ENCODERS, build_net  # noqa: E402
from fraudkit.training.onnx_export import export_onnx  # noqa: E402

SEQ_LEN = 5
N_FEATURES = 15


def random_windows(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Heavy-tailed non-negative features like the Handbook's, with random history lengths."""
    rng = np.random.default_rng(seed)
    windows = rng.lognormal(mean=1.0, sigma=1.5, size=(n, SEQ_LEN, N_FEATURES)).astype(np.float32)
    history = rng.integers(0, SEQ_LEN, size=n)
    mask = (np.arange(SEQ_LEN)[None, :] >= (SEQ_LEN - 1 - history)[:, None]).astype(np.float32)
    return windows * mask[..., None], mask


@pytest.mark.parametrize("architecture", sorted(ENCODERS))
def test_onnx_matches_torch(architecture: str, tmp_path: Path) -> None:
    torch.manual_seed(0)
    net = build_net(architecture, N_FEATURES, SEQ_LEN)
    fit_windows, fit_mask = random_windows(256, seed=1)
    net.set_scaling(fit_windows, fit_mask)
    # Move the weights off their initial values so the check is not of a trivially symmetric net.
    with torch.no_grad():
        for parameter in net.parameters():
            parameter.add_(torch.randn_like(parameter) * 0.2)
    windows, mask = random_windows(300, seed=2)
    path = export_onnx(net, tmp_path / "model.onnx", SEQ_LEN, N_FEATURES)

    with torch.no_grad():
        expected = net(torch.from_numpy(windows), torch.from_numpy(mask)).numpy()
    served = OnnxSequenceModel(path)
    got = served.predict(windows, mask)

    assert served.seq_len == SEQ_LEN and served.n_features == N_FEATURES
    assert got.shape == (300,)
    assert np.std(expected) > 1e-3, "scores should vary across inputs for the comparison to mean anything"
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
    # Batch size is dynamic and rows are independent: scoring one row alone gives the same score.
    np.testing.assert_allclose(served.predict(windows[:1], mask[:1]), got[:1], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("architecture", sorted(ENCODERS))
def test_padding_is_ignored(architecture: str) -> None:
    """Whatever sits in padded positions must not change the score."""
    torch.manual_seed(0)
    net = build_net(architecture, N_FEATURES, SEQ_LEN).eval()
    windows, mask = random_windows(50, seed=3)
    mask[:, :2] = 0.0
    noisy = windows.copy()
    noisy[:, :2, :] = 1000.0
    with torch.no_grad():
        clean_scores = net(torch.from_numpy(windows * mask[..., None]), torch.from_numpy(mask))
        noisy_scores = net(torch.from_numpy(noisy), torch.from_numpy(mask))
    torch.testing.assert_close(clean_scores, noisy_scores)


def test_unknown_architecture_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown architecture"):
        build_net("perceptron", N_FEATURES, SEQ_LEN)


def test_deep_stack_export_matches_training(tmp_path: Path) -> None:
    """The served DeepStack (ONNX networks + LightGBM + meta-learner) scores like the fitted stack."""
    pytest.importorskip("lightgbm")
    pytest.importorskip("sklearn")
    from fraudkit.deep.stack import DeepStack
    from fraudkit.training.deep_stack import fit_deep_stack

    windows, mask = random_windows(1500, seed=4)
    # A learnable label: large current amounts are fraud (plus noise), so every part gets a real weight.
    y = ((windows[:, -1, 0] > 12.0) ^ (np.random.default_rng(5).random(1500) < 0.05)).astype(np.int64)
    settings = {
        "networks": [
            {"architecture": "lstm_attention", "options": {"hidden": 8}, "training": {"epochs": 2, "seed": 1}},
            {"architecture": "cnn_dilated", "options": {"hidden": 8}, "training": {"epochs": 2, "seed": 2}},
        ],
        "classic": [{"kind": "lightgbm", "params": {"n_estimators": 10, "num_leaves": 7, "n_jobs": 1}}],
        "extended": True,
    }
    fitted = fit_deep_stack(settings, windows, mask, y)
    fitted.export(tmp_path)
    served = DeepStack.load(tmp_path)

    test_windows, test_mask = random_windows(200, seed=6)
    expected = fitted.scores(test_windows, test_mask)
    assert len(served.weights) == 3 and served.seq_len == SEQ_LEN
    assert np.std(expected) > 1e-3
    np.testing.assert_allclose(served.predict(test_windows, test_mask), expected, rtol=1e-4, atol=1e-5)
    booster_files = {"part0_lightgbm.txt"}
    if importlib.util.find_spec("onnx") is not None:
        # Saved with onnx installed: the booster's ONNX export and its SHAP paths serve it without LightGBM.
        booster_files |= {"part0_lightgbm.onnx", "part0_lightgbm.paths.npz"}
    assert set(served.files()) == {"deep_stack.json", "net0.onnx", "net1.onnx", *booster_files}
