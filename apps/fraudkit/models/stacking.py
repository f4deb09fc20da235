"""A stack: base models' log-odds combined by a logistic meta-learner (weights + intercept in JSON)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy as np

if TYPE_CHECKING:
    from fraudkit.models import PortableModel


class StackModel:
    """logit = intercept + sum_k weight_k * logit_k(X). Being linear in the parts' log-odds, the stack's
    per-feature contributions are the same weighted sum of the parts' contributions."""

    kind = "stacking"

    def __init__(self, parts: list[PortableModel], weights: np.ndarray, intercept: float) -> None:
        self.parts = parts
        self.weights = np.asarray(weights, dtype=np.float64)
        self.intercept = float(intercept)
        self.n_features = parts[0].n_features

    def part_logits(self, X: np.ndarray) -> np.ndarray:
        """(n, n_parts) log-odds of each part: the meta-learner's inputs."""
        return np.column_stack([p.logit(X) for p in self.parts]) if len(X) else np.zeros((0, len(self.parts)))

    def logit(self, X: np.ndarray) -> np.ndarray:
        """Log-odds of fraud."""
        return self.part_logits(X) @ self.weights + self.intercept

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """Weighted sum of the parts' per-feature contributions."""
        total = np.zeros((len(X), self.n_features))
        for weight, part in zip(self.weights, self.parts):
            total += weight * part.contributions(X)
        return total

    def files(self) -> list[str]:
        """The meta-learner file and every part's files."""
        return ["stack.json"] + [f for p in self.parts for f in p.files()]

    def save(self, model_dir: Path, prefix: str = "") -> dict[str, object]:
        """Writes each part (file names prefixed part<k>_) and stack.json with the meta-learner."""
        parts = [p.save(model_dir, prefix=f"{prefix}part{k}_") for k, p in enumerate(self.parts)]
        body = {"parts": parts, "weights": self.weights.tolist(), "intercept": self.intercept}
        (model_dir / f"{prefix}stack.json").write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
        return {"kind": self.kind, "file": f"{prefix}stack.json"}

    @staticmethod
    def load(
        model_dir: Path, descriptor: dict[str, object], load_part: Callable[[Path, dict[str, object]], PortableModel]
    ) -> StackModel:
        """Loads stack.json and the parts it lists, each through ``load_part`` (``fraudkit.models.load_descriptor``,
        passed in because that dispatcher is what knows this class)."""
        body = json.loads((model_dir / str(descriptor["file"])).read_text(encoding="utf-8"))
        parts = [load_part(model_dir, d) for d in body["parts"]]
        return StackModel(parts, np.array(body["weights"]), body["intercept"])
