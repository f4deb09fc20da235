"""PyTorch networks of the deep apps (training environment only; serving runs their ONNX export).

Every network maps a window of raw feature vectors `x` (batch, seq_len, n_features), oldest first with the
scored transaction last, and its `mask` (batch, seq_len; 0 = padding) to a fraud probability (batch,).
Preprocessing lives inside the graph (signed log, then the training set's mean and std) so the exported
ONNX file is the whole model: the serving code feeds raw features and never re-implements scaling.
Each design has an encoder over the window; a shared head reads the encoder's summary together with the
current transaction's scaled features, which keeps the strong single-transaction signal one layer away.
Attention is written out with matmul/softmax rather than nn.MultiheadAttention, whose inference fast path
does not export cleanly to ONNX.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
import torch
from numpy.typing import NDArray
from torch import Tensor, nn
from torch.nn import functional as F

NEG_INF = -1e4
"""Additive attention score for padded positions (finite, so softmax stays defined in float16 too)."""


def signed_log(x: Tensor) -> Tensor:
    """log1p on magnitudes: tames heavy-tailed counts and amounts, keeps order and sign."""
    return torch.sign(x) * torch.log1p(torch.abs(x))


class Encoder(nn.Module):
    """Base of the window encoders: `out_dim` is the size of the summary they return."""

    out_dim: int

    def forward(self, z: Tensor, mask: Tensor) -> Tensor:  # pragma: no cover - interface
        raise NotImplementedError


class SequenceNet(nn.Module):
    """In-graph preprocessing + an encoder + the shared head; outputs a probability per window."""

    def __init__(self, encoder: Encoder, n_features: int, head_hidden: int, dropout: float) -> None:
        super().__init__()
        self.encoder = encoder
        self.register_buffer("mean", torch.zeros(n_features))
        self.register_buffer("std", torch.ones(n_features))
        self.head = nn.Sequential(
            nn.Linear(encoder.out_dim + n_features, head_hidden),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(head_hidden, 1),
        )

    def set_scaling(self, windows: NDArray[np.float32], mask: NDArray[np.float32]) -> None:
        """Fits the in-graph standardisation on the real (unpadded) rows of the training windows."""
        rows = torch.from_numpy(windows[mask > 0])
        transformed = signed_log(rows)
        self.mean.copy_(transformed.mean(dim=0))
        self.std.copy_(transformed.std(dim=0).clamp_min(1e-6))

    def logit(self, x: Tensor, mask: Tensor) -> Tensor:
        """The pre-sigmoid score (what training optimises)."""
        m = mask.unsqueeze(-1)
        z = (signed_log(x) - self.mean) / self.std * m
        summary = self.encoder(torch.cat([z, m], dim=-1), mask)
        return self.head(torch.cat([summary, z[:, -1, :]], dim=-1)).squeeze(-1)

    def forward(self, x: Tensor, mask: Tensor) -> Tensor:
        """Fraud probability of the last transaction of each window."""
        return torch.sigmoid(self.logit(x, mask))


class StackedConv(Encoder):
    """The Handbook's 1D-CNN: two valid convolutions (kernel 2) over time, flattened."""

    def __init__(self, in_dim: int, seq_len: int, hidden: int = 32, dropout: float = 0.1) -> None:
        super().__init__()
        self.conv1 = nn.Conv1d(in_dim, hidden, kernel_size=2)
        self.conv2 = nn.Conv1d(hidden, hidden, kernel_size=2)
        self.drop = nn.Dropout(dropout)
        self.out_dim = hidden * max(seq_len - 2, 1)

    def forward(self, z: Tensor, mask: Tensor) -> Tensor:
        h = F.relu(self.conv1(z.transpose(1, 2)))
        h = F.relu(self.conv2(h))
        return self.drop(torch.flatten(h, start_dim=1))


class DilatedCausalConv(Encoder):
    """A small temporal-convolution network: causal dilated convolutions with residuals, then the last step
    and a masked max over time (the max catches one abnormal earlier transaction wherever it sits)."""

    def __init__(self, in_dim: int, seq_len: int, hidden: int = 32, dropout: float = 0.1) -> None:
        super().__init__()
        self.inp = nn.Conv1d(in_dim, hidden, kernel_size=1)
        self.dilations = (1, 2)
        self.convs = nn.ModuleList(nn.Conv1d(hidden, hidden, kernel_size=2, dilation=d) for d in self.dilations)
        self.drop = nn.Dropout(dropout)
        self.out_dim = 2 * hidden

    def forward(self, z: Tensor, mask: Tensor) -> Tensor:
        h = self.inp(z.transpose(1, 2))
        for dilation, conv in zip(self.dilations, self.convs):
            # Left padding only: a position never sees later transactions.
            h = h + F.relu(conv(F.pad(h, (dilation, 0))))
        h = self.drop(h)
        masked = h + (1.0 - mask).unsqueeze(1) * NEG_INF
        return torch.cat([h[:, :, -1], masked.max(dim=2).values], dim=1)


class LastStateLSTM(Encoder):
    """The Handbook's LSTM: the hidden state after the current transaction."""

    def __init__(self, in_dim: int, seq_len: int, hidden: int = 32, dropout: float = 0.1) -> None:
        super().__init__()
        self.lstm = nn.LSTM(in_dim, hidden, batch_first=True)
        self.drop = nn.Dropout(dropout)
        self.out_dim = hidden

    def forward(self, z: Tensor, mask: Tensor) -> Tensor:
        outputs, _ = self.lstm(z)
        return self.drop(outputs[:, -1, :])


class AttentionLSTM(Encoder):
    """LSTM with attention (Handbook 7.4): the last state queries all states; summary = [context, last]."""

    def __init__(self, in_dim: int, seq_len: int, hidden: int = 32, dropout: float = 0.1) -> None:
        super().__init__()
        self.lstm = nn.LSTM(in_dim, hidden, batch_first=True)
        self.query = nn.Linear(hidden, hidden, bias=False)
        self.drop = nn.Dropout(dropout)
        self.out_dim = 2 * hidden

    def forward(self, z: Tensor, mask: Tensor) -> Tensor:
        outputs, _ = self.lstm(z)
        last = outputs[:, -1, :]
        scores = torch.bmm(outputs, self.query(last).unsqueeze(-1)).squeeze(-1)
        weights = torch.softmax(scores + (1.0 - mask) * NEG_INF, dim=-1)
        context = torch.bmm(weights.unsqueeze(1), outputs).squeeze(1)
        return self.drop(torch.cat([context, last], dim=-1))


class EncoderBlock(nn.Module):
    """One pre-norm transformer encoder layer with hand-written multi-head self-attention."""

    def __init__(self, dim: int, heads: int, ff_dim: int, dropout: float) -> None:
        super().__init__()
        if dim % heads:
            raise ValueError("dim must be divisible by heads")
        self.heads = heads
        self.norm1 = nn.LayerNorm(dim)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.norm2 = nn.LayerNorm(dim)
        self.ff = nn.Sequential(nn.Linear(dim, ff_dim), nn.GELU(), nn.Linear(ff_dim, dim))
        self.drop = nn.Dropout(dropout)

    def forward(self, h: Tensor, key_bias: Tensor) -> Tensor:
        """`key_bias` (batch, tokens): 0 for real tokens, NEG_INF for padding."""
        batch, tokens, dim = h.shape
        head_dim = dim // self.heads
        q, k, v = self.qkv(self.norm1(h)).chunk(3, dim=-1)

        def split(t: Tensor) -> Tensor:
            return t.reshape(batch, tokens, self.heads, head_dim).transpose(1, 2)

        scores = torch.matmul(split(q), split(k).transpose(-2, -1)) / math.sqrt(head_dim)
        weights = torch.softmax(scores + key_bias[:, None, None, :], dim=-1)
        attended = torch.matmul(weights, split(v)).transpose(1, 2).reshape(batch, tokens, dim)
        h = h + self.drop(self.proj(attended))
        return h + self.drop(self.ff(self.norm2(h)))


class SequenceTransformer(Encoder):
    """Transformer over the window: one token per transaction plus learned positions; summary = the
    current transaction's token and the masked mean of all tokens."""

    def __init__(
        self, in_dim: int, seq_len: int, hidden: int = 32, dropout: float = 0.1, layers: int = 2, heads: int = 4
    ) -> None:
        super().__init__()
        self.embed = nn.Linear(in_dim, hidden)
        self.position = nn.Parameter(torch.zeros(seq_len, hidden))
        self.blocks = nn.ModuleList(EncoderBlock(hidden, heads, 2 * hidden, dropout) for _ in range(layers))
        self.norm = nn.LayerNorm(hidden)
        self.out_dim = 2 * hidden

    def forward(self, z: Tensor, mask: Tensor) -> Tensor:
        h = self.embed(z) + self.position
        bias = (1.0 - mask) * NEG_INF
        for block in self.blocks:
            h = block(h, bias)
        h = self.norm(h)
        mean = (h * mask.unsqueeze(-1)).sum(dim=1) / mask.sum(dim=1, keepdim=True)
        return torch.cat([h[:, -1, :], mean], dim=-1)


class FeatureTokenTransformer(Encoder):
    """Transformer whose tokens are the current transaction's features (each feature its own embedding,
    FT-Transformer style) plus one token per earlier transaction and a [CLS] token that is the summary."""

    def __init__(
        self, in_dim: int, seq_len: int, hidden: int = 32, dropout: float = 0.1, layers: int = 2, heads: int = 4
    ) -> None:
        super().__init__()
        n_features = in_dim - 1  # the last input channel is the mask
        self.feature_weight = nn.Parameter(torch.randn(n_features, hidden) * 0.1)
        self.feature_bias = nn.Parameter(torch.zeros(n_features, hidden))
        self.history = nn.Linear(in_dim, hidden)
        self.history_position = nn.Parameter(torch.zeros(max(seq_len - 1, 1), hidden))
        self.cls = nn.Parameter(torch.zeros(1, 1, hidden))
        self.blocks = nn.ModuleList(EncoderBlock(hidden, heads, 2 * hidden, dropout) for _ in range(layers))
        self.norm = nn.LayerNorm(hidden)
        self.out_dim = hidden
        self.seq_len = seq_len

    def forward(self, z: Tensor, mask: Tensor) -> Tensor:
        batch = z.shape[0]
        current = z[:, -1, :-1]
        feature_tokens = current.unsqueeze(-1) * self.feature_weight + self.feature_bias
        parts = [self.cls.expand(batch, -1, -1), feature_tokens]
        bias_parts = [torch.zeros(batch, 1 + feature_tokens.shape[1], dtype=z.dtype)]
        if self.seq_len > 1:
            parts.append(self.history(z[:, :-1, :]) + self.history_position)
            bias_parts.append((1.0 - mask[:, :-1]) * NEG_INF)
        h = torch.cat(parts, dim=1)
        bias = torch.cat(bias_parts, dim=1)
        for block in self.blocks:
            h = block(h, bias)
        return self.norm(h[:, 0, :])


ENCODERS: dict[str, Callable[..., Encoder]] = {
    "cnn_stacked": StackedConv,
    "cnn_dilated": DilatedCausalConv,
    "lstm": LastStateLSTM,
    "lstm_attention": AttentionLSTM,
    "transformer_sequence": SequenceTransformer,
    "transformer_feature_tokens": FeatureTokenTransformer,
}
"""Architecture name (the `architecture` of an app's model settings) -> encoder class."""


def build_net(architecture: str, n_features: int, seq_len: int, options: dict[str, Any] | None = None) -> SequenceNet:
    """A fresh network for `architecture`; `options` may set hidden, dropout, head_hidden (and layers, heads)."""
    if architecture not in ENCODERS:
        raise ValueError(f"unknown architecture {architecture!r}; known: {', '.join(sorted(ENCODERS))}")
    opts = dict(options or {})
    head_hidden = int(opts.pop("head_hidden", 32))
    dropout = float(opts.get("dropout", 0.1))
    encoder = ENCODERS[architecture](n_features + 1, seq_len, **opts)
    return SequenceNet(encoder, n_features, head_hidden, dropout)
