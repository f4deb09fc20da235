"""Exact TreeSHAP contributions of a tree ensemble without its training library, from its root-to-leaf paths.

Path-dependent TreeSHAP (what XGBoost's ``pred_contribs`` and LightGBM's ``pred_contrib`` compute) is a sum over
leaves: a leaf's path contributes to feature i only through two numbers per distinct feature j on the path, the
share of training cover that follows the path's conditions on j (``zero``) and whether the row meets them (``one``,
0 or 1; several splits on one feature make one interval). So each path's contributions are a function of its
k one-bits: a table of 2**k rows, built once at load. Per request the work is interval tests, a table gather
and a sum, in NumPy over every path at once (Lundberg et al. 2020, "From local explanations to global
understanding"; the per-path form follows Mitchell et al., GPUTreeShap, 2022).

The paths come from the model's ``*.paths.npz`` (written by ``fraudkit.training.export_trees`` next to the ONNX
scoring graph; plain arrays, loaded with ``allow_pickle=False``).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

CHUNK_ROWS = 256
"""Rows per vectorised step: bounds the (rows, paths, depth) temporaries on large batches."""


def path_contributions(zero: np.ndarray, ones: np.ndarray, leaf: np.ndarray) -> np.ndarray:
    """TreeSHAP contributions of paths that all have k distinct features.

    zero (p, k) cover shares, ones (p, m, k) one-bits for m patterns, leaf (p,) leaf values: returns (p, m, k),
    phi_i = v * (o_i - z_i) * sum_s s!(k-1-s)!/k! * [t^s] prod_{j != i} (z_j + o_j t).
    """
    p, m, k = ones.shape
    weights = np.array([math.factorial(s) * math.factorial(k - 1 - s) / math.factorial(k) for s in range(k)])
    out = np.empty((p, m, k))
    z = np.broadcast_to(zero[:, None, :], (p, m, k))
    for i in range(k):
        poly = np.zeros((p, m, k))
        poly[..., 0] = 1.0
        for j in range(k):
            if j == i:
                continue
            shifted = np.zeros_like(poly)
            shifted[..., 1:] = poly[..., :-1]
            poly = poly * z[..., j : j + 1] + shifted * ones[..., j : j + 1]
        out[..., i] = leaf[:, None] * (ones[..., i] - z[..., i]) * (poly @ weights)
    return out


class TreePaths:
    """The paths of one ensemble, ready to explain rows: (n, n_features) contributions to the raw margin."""

    def __init__(
        self,
        feature: np.ndarray,
        lower: np.ndarray,
        upper: np.ndarray,
        zero: np.ndarray,
        depth: np.ndarray,
        leaf: np.ndarray,
        n_features: int,
        float32_less_than: bool,
    ) -> None:
        """Padded (paths, K) arrays; slot j < depth[p] holds the j-th distinct feature of path p with its
        interval and cover share. ``float32_less_than``: XGBoost's rule (float32 values, left if x < t, interval
        lower <= x < upper); otherwise LightGBM's (float64, left if x <= t, interval lower < x <= upper)."""
        n_paths, width = feature.shape
        self.n_features = int(n_features)
        self.float32_less_than = bool(float32_less_than)
        real = np.arange(width)[None, :] < depth[:, None]
        dtype = np.float32 if float32_less_than else np.float64
        # Padding slots can never fail their test, so they leave the pattern index unchanged.
        self._feature = np.where(real, feature, 0).astype(np.intp)
        self._lower = np.where(real, lower, -np.inf).astype(dtype)
        self._upper = np.where(real, upper, np.inf).astype(dtype)
        self._bit = np.where(real, 1 << np.arange(width)[None, :], 0).astype(np.intp)
        self._offset = np.zeros(n_paths, dtype=np.intp)
        rows = 1 << depth.astype(np.int64)
        self._offset[1:] = np.cumsum(rows)[:-1]
        table = np.zeros((int(rows.sum()), width))
        for k in np.unique(depth):
            k = int(k)
            group = np.flatnonzero(depth == k)
            if k == 0:
                continue  # a single-leaf tree explains nothing
            patterns = ((np.arange(1 << k)[:, None] >> np.arange(k)[None, :]) & 1).astype(np.float64)
            ones = np.broadcast_to(patterns, (len(group), 1 << k, k))
            values = path_contributions(zero[group, :k], ones, leaf[group])
            at = self._offset[group][:, None] + np.arange(1 << k)[None, :]
            table[at.ravel(), :k] = values.reshape(-1, k)
        self._table = table
        self._slot_feature = self._feature.ravel()  # a padding slot adds its 0 to feature 0

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """(n, n_features) TreeSHAP values of finite rows (the bias term is not included)."""
        X = np.asarray(X, dtype=np.float32 if self.float32_less_than else np.float64)
        out = np.empty((X.shape[0], self.n_features))
        for start in range(0, X.shape[0], CHUNK_ROWS):
            values = X[start : start + CHUNK_ROWS][:, self._feature]
            if self.float32_less_than:
                inside = (values >= self._lower) & (values < self._upper)
            else:
                inside = (values > self._lower) & (values <= self._upper)
            index = self._offset + (inside * self._bit).sum(axis=2)
            slots = self._table[index].reshape(len(index), -1)
            # bincount adds each row's slots in the same order whatever the batch, so a row's contributions do
            # not depend on which requests were batched with it (a matrix product's summation order would).
            keys = (np.arange(len(index)) * self.n_features)[:, None] + self._slot_feature[None, :]
            total = np.bincount(keys.ravel(), weights=slots.ravel(), minlength=len(index) * self.n_features)
            out[start : start + CHUNK_ROWS] = total.reshape(len(index), self.n_features)
        return out

    @staticmethod
    def load(path: Path, n_features: int) -> TreePaths:
        """Reads a ``*.paths.npz`` written by ``fraudkit.training.export_trees``."""
        with np.load(path, allow_pickle=False) as data:
            return TreePaths(
                data["feature"],
                data["lower"],
                data["upper"],
                data["zero"],
                data["depth"],
                data["leaf"],
                n_features,
                bool(data["float32_less_than"]),
            )
