"""Training of one sequence network (training environment only): Adam on binary cross-entropy, early stopping
on the average precision of the latest part of the training block; ``fit_network`` wraps it for a member of an
app's settings and exports it for serving. Deterministic for a seed
on CPU (fixed seeds, one or two threads, no nondeterministic kernels used)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray
from torch.nn import functional as F

from fraudkit.deep.scorer import MODEL_FILE
from fraudkit.metrics import average_precision
from fraudkit.training.nets import SequenceNet, build_net
from fraudkit.training.onnx_export import export_onnx


@dataclass(frozen=True)
class FitSettings:
    """Hyperparameters of one training run (the `training` block of an app's model settings)."""

    epochs: int = 20
    batch_size: int = 128
    learning_rate: float = 1e-3
    weight_decay: float = 0.0
    validation_fraction: float = 0.15
    patience: int = 4
    seed: int = 42
    threads: int = 1
    negative_sampling: float = 1.0
    """Share of the legitimate training rows kept each epoch (frauds are always kept): a cheaper epoch for
    the slower networks. Probabilities are then inflated, which leaves AP, AUC and CP@100 (rank metrics)
    unchanged and is absorbed by the threshold, chosen on unsampled held-out rows."""

    @staticmethod
    def from_dict(values: dict[str, Any]) -> FitSettings:
        """Builds settings from JSON, refusing unknown keys (a typo must not silently fall back to a default)."""
        known = set(FitSettings.__dataclass_fields__)
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown training settings: {', '.join(sorted(unknown))}")
        return FitSettings(**values)


@dataclass(frozen=True)
class FitResult:
    """The trained network (best epoch) and how training went."""

    net: SequenceNet
    best_epoch: int
    validation_ap: float
    history: list[dict[str, float]]


def predict_proba(
    net: SequenceNet, windows: NDArray[np.float32], mask: NDArray[np.float32], batch: int = 4096
) -> NDArray[np.float64]:
    """Probabilities of a trained torch network, batched (no gradients)."""
    net.eval()
    out = []
    with torch.no_grad():
        for start in range(0, windows.shape[0], batch):
            x = torch.from_numpy(windows[start : start + batch])
            m = torch.from_numpy(mask[start : start + batch])
            out.append(net(x, m).numpy().astype(np.float64))
    return np.concatenate(out) if out else np.zeros(0)


def _sample_negatives(
    rows: NDArray[np.int64], y: NDArray[np.integer], fraction: float, rng: np.random.Generator
) -> NDArray[np.int64]:
    """All fraud rows plus a random `fraction` of the legitimate ones (all rows when fraction >= 1)."""
    if fraction >= 1.0:
        return rows
    keep = (y[rows] == 1) | (rng.random(rows.shape[0]) < fraction)
    return rows[keep]


def fit_sequence_net(
    architecture: str,
    options: dict[str, Any],
    windows: NDArray[np.float32],
    mask: NDArray[np.float32],
    y: NDArray[np.integer],
    settings: FitSettings,
) -> FitResult:
    """Trains a fresh `architecture` network on time-ordered windows; the last `validation_fraction` of the
    rows (the most recent days) picks the epoch, mimicking scoring the weeks that follow."""
    torch.manual_seed(settings.seed)
    torch.set_num_threads(settings.threads)
    rng = np.random.default_rng(settings.seed)
    n = windows.shape[0]
    n_val = int(n * settings.validation_fraction)
    train_idx = np.arange(n - n_val)
    val_w, val_m, val_y = windows[n - n_val :], mask[n - n_val :], y[n - n_val :]

    net = build_net(architecture, windows.shape[2], windows.shape[1], options)
    net.set_scaling(windows[train_idx], mask[train_idx])
    optimiser = torch.optim.Adam(net.parameters(), lr=settings.learning_rate, weight_decay=settings.weight_decay)
    x_all = torch.from_numpy(windows)
    m_all = torch.from_numpy(mask)
    y_all = torch.from_numpy(y.astype(np.float32))

    best_ap, best_epoch, best_state = -1.0, -1, None
    history: list[dict[str, float]] = []
    for epoch in range(settings.epochs):
        net.train()
        order = rng.permutation(_sample_negatives(train_idx, y, settings.negative_sampling, rng))
        total = 0.0
        for start in range(0, order.shape[0], settings.batch_size):
            batch = torch.from_numpy(order[start : start + settings.batch_size])
            optimiser.zero_grad()
            loss = F.binary_cross_entropy_with_logits(net.logit(x_all[batch], m_all[batch]), y_all[batch])
            loss.backward()
            optimiser.step()
            total += float(loss) * batch.shape[0]
        val_ap = average_precision(val_y, predict_proba(net, val_w, val_m)) if n_val else float("nan")
        history.append({"epoch": epoch, "train_loss": total / max(train_idx.shape[0], 1), "validation_ap": val_ap})
        if n_val == 0 or val_ap > best_ap:
            best_ap, best_epoch = val_ap, epoch
            best_state = {k: v.detach().clone() for k, v in net.state_dict().items()}
        elif epoch - best_epoch >= settings.patience:
            break
    if best_state is not None:
        net.load_state_dict(best_state)
    net.eval()
    return FitResult(net, best_epoch, best_ap, history)


@dataclass
class NetworkFit:
    """One trained sequence network."""

    net: SequenceNet
    holdout: tuple[NDArray[np.integer], NDArray[np.float64]]
    info: dict[str, Any]
    seq_len: int
    n_features: int

    def scores(self, windows: NDArray[np.float32], mask: NDArray[np.float32]) -> NDArray[np.float64]:
        """Probabilities from the torch network (the ONNX export matches it, see test_deep_export)."""
        return predict_proba(self.net, windows, mask)

    def export(self, model_dir: Path) -> dict[str, Any]:
        """Writes model.onnx."""
        export_onnx(self.net, model_dir / MODEL_FILE, self.seq_len, self.n_features)
        return self.info


def fit_network(
    member: dict[str, Any], windows: NDArray[np.float32], mask: NDArray[np.float32], y: NDArray[np.integer]
) -> NetworkFit:
    """Trains one network described by `member` (architecture, options, training) on a train block."""
    settings = FitSettings.from_dict(dict(member.get("training", {})))
    result = fit_sequence_net(member["architecture"], dict(member.get("options", {})), windows, mask, y, settings)
    n_val = int(windows.shape[0] * settings.validation_fraction)
    holdout = (y[-n_val:], predict_proba(result.net, windows[-n_val:], mask[-n_val:]))
    info = {
        "architecture": member["architecture"],
        "options": member.get("options", {}),
        "training": member.get("training", {}),
        "best_epoch": result.best_epoch,
        "holdout_average_precision": round(result.validation_ap, 4),
    }
    return NetworkFit(result.net, holdout, info, windows.shape[1], windows.shape[2])
