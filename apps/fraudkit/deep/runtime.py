"""Runs an exported sequence network with ONNX Runtime (serving: no PyTorch)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort
from numpy.typing import NDArray


class OnnxSequenceModel:
    """A loaded ONNX sequence network: windows + mask in, fraud probabilities out. Thread-safe (ORT sessions are)."""

    def __init__(self, path: Path, threads: int = 1) -> None:
        options = ort.SessionOptions()
        # One thread per call: gunicorn already runs requests in parallel, and the nets are tiny.
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])
        x_shape = self.session.get_inputs()[0].shape
        self.seq_len = int(x_shape[1])
        self.n_features = int(x_shape[2])

    def predict(self, windows: NDArray[np.floating], mask: NDArray[np.floating]) -> NDArray[np.float64]:
        """Probabilities for a batch of windows (n, seq_len, n_features) with mask (n, seq_len)."""
        if windows.shape[0] == 0:
            return np.zeros(0)
        (probability,) = self.session.run(
            None, {"x": windows.astype(np.float32, copy=False), "mask": mask.astype(np.float32, copy=False)}
        )
        return np.asarray(probability, dtype=np.float64).reshape(-1)
