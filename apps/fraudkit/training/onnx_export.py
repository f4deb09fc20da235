"""ONNX export of a trained network (training environment only)."""

from __future__ import annotations

from pathlib import Path

import torch

from fraudkit.training.nets import SequenceNet

OPSET = 17
"""ONNX opset: supported by every onnxruntime the apps pin (1.19.2 on Python 3.9 included)."""

INPUT_NAMES = ("x", "mask")
"""Graph inputs: raw windows (batch, seq_len, n_features) and their mask (batch, seq_len)."""

OUTPUT_NAME = "probability"
"""Graph output: fraud probability per window (batch,)."""


def export_onnx(net: SequenceNet, path: Path, seq_len: int, n_features: int) -> Path:
    """Writes `net` (in eval mode, batch dimension dynamic) to `path` and returns the path."""
    net.eval()
    example = (torch.zeros(2, seq_len, n_features), torch.ones(2, seq_len))
    path.parent.mkdir(parents=True, exist_ok=True)
    batch_axis = {0: "batch"}
    # The TorchScript exporter (dynamo=False) needs no onnxscript and yields a compact, stable graph.
    torch.onnx.export(
        net,
        example,
        str(path),
        dynamo=False,
        input_names=list(INPUT_NAMES),
        output_names=[OUTPUT_NAME],
        dynamic_axes={INPUT_NAMES[0]: batch_axis, INPUT_NAMES[1]: batch_axis, OUTPUT_NAME: batch_axis},
        opset_version=OPSET,
    )
    return path
