"""Wall-clock times of each apply and destroy, printed as a table at the end of the run (data, not assertions)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Timings:
    """Collects (what, step, seconds, outcome) rows in the order they happened."""

    rows: list[tuple[str, str, float, str]] = field(default_factory=list)

    @contextmanager
    def measure(self, what: str, step: str) -> Iterator[None]:
        """Times the block; the row records whether it raised."""
        started = time.monotonic()
        outcome = "failed"
        try:
            yield
            outcome = "ok"
        finally:
            self.rows.append((what, step, time.monotonic() - started, outcome))

    def record(self, what: str, step: str, seconds: float, outcome: str) -> None:
        """Adds a row measured elsewhere (e.g. by the CLI driver)."""
        self.rows.append((what, step, seconds, outcome))

    def table(self) -> str:
        """The rows as a fixed-width text table."""
        if not self.rows:
            return "(no applies or destroys ran)"
        width = max(len(what) for what, *_ in self.rows)
        lines = [f"{'deployment':<{width}}  {'step':<8} {'seconds':>8}  outcome"]
        lines += [
            f"{what:<{width}}  {step:<8} {seconds:>8.1f}  {outcome}" for what, step, seconds, outcome in self.rows
        ]
        return "\n".join(lines)
