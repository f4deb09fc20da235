"""The Fraud Detection Handbook's transaction simulator (Chapter 3), vectorised with NumPy.

Customer and terminal profiles are drawn exactly as the book draws them (legacy ``RandomState`` seeded
with ``customer_seed`` / ``terminal_seed``, same draw order), so the default world has the book's
customers and terminals. Transactions and fraud scenarios are drawn from one ``numpy.random.Generator``
seeded with ``transaction_seed``: the same distributions as the book, not its per-customer random
streams (which cannot be vectorised), so counts match the book statistically, not row for row.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np

SECONDS_PER_DAY = 86_400

# Fraud scenario codes, as in the book's TX_FRAUD_SCENARIO column.
SCENARIO_NONE = 0
SCENARIO_AMOUNT = 1
SCENARIO_TERMINAL = 2
SCENARIO_CUSTOMER = 3


@dataclass(frozen=True)
class SimulatorConfig:
    """Parameters of a simulated world; the defaults are the book's full dataset."""

    n_customers: int = 5_000
    n_terminals: int = 10_000
    nb_days: int = 183
    start_date: str = "2018-04-01"
    radius: float = 5.0
    customer_seed: int = 0
    terminal_seed: int = 1
    transaction_seed: int = 2
    # Seeds of the daily compromised terminals/customers are fraud_seed + day, as the book's random_state=day.
    fraud_seed: int = 0
    amount_fraud_threshold: float = 220.0
    terminals_compromised_per_day: int = 2
    terminal_compromise_days: int = 28
    customers_compromised_per_day: int = 3
    customer_compromise_days: int = 14

    @staticmethod
    def small(**overrides: object) -> SimulatorConfig:
        """A world small enough for unit tests (a few thousand transactions, still with frauds)."""
        # Fewer compromises per day than the book so the fraud rate stays low on 1,000 terminals.
        base = SimulatorConfig(
            n_customers=300,
            n_terminals=1_000,
            nb_days=60,
            radius=10.0,
            terminals_compromised_per_day=1,
            customers_compromised_per_day=1,
        )
        return replace(base, **overrides)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Profiles:
    """Customer and terminal profiles of a world (row i is customer/terminal id i)."""

    customer_xy: np.ndarray
    mean_amount: np.ndarray
    std_amount: np.ndarray
    mean_nb_tx_per_day: np.ndarray
    terminal_xy: np.ndarray
    # Terminals within reach of each customer, CSR style: terminals[offsets[c]:offsets[c + 1]].
    reach_offsets: np.ndarray
    reach_terminals: np.ndarray


@dataclass(frozen=True)
class TransactionTable:
    """Column arrays of simulated transactions, sorted by time (then by customer), ids 0..n-1 in that order.

    ``tx_datetime`` is ``datetime64[s]``; ``tx_time_seconds`` / ``tx_time_days`` count from the start date
    as in the book; ``tx_fraud`` is 0/1 (int8) and ``tx_fraud_scenario`` the scenario code (0 when legit).
    """

    transaction_id: np.ndarray
    tx_datetime: np.ndarray
    customer_id: np.ndarray
    terminal_id: np.ndarray
    tx_amount: np.ndarray
    tx_time_seconds: np.ndarray
    tx_time_days: np.ndarray
    tx_fraud: np.ndarray
    tx_fraud_scenario: np.ndarray
    start_date: str = field(default="2018-04-01")

    def __len__(self) -> int:
        return int(self.transaction_id.shape[0])

    def select(self, rows: np.ndarray) -> TransactionTable:
        """The sub-table of the given boolean mask or index array (order kept)."""
        return TransactionTable(
            transaction_id=self.transaction_id[rows],
            tx_datetime=self.tx_datetime[rows],
            customer_id=self.customer_id[rows],
            terminal_id=self.terminal_id[rows],
            tx_amount=self.tx_amount[rows],
            tx_time_seconds=self.tx_time_seconds[rows],
            tx_time_days=self.tx_time_days[rows],
            tx_fraud=self.tx_fraud[rows],
            tx_fraud_scenario=self.tx_fraud_scenario[rows],
            start_date=self.start_date,
        )

    def between(self, first_day: str, end_day: str) -> TransactionTable:
        """Transactions with first_day <= date < end_day (ISO dates)."""
        start = np.datetime64(first_day, "s")
        end = np.datetime64(end_day, "s")
        return self.select((self.tx_datetime >= start) & (self.tx_datetime < end))


def generate_profiles(config: SimulatorConfig) -> Profiles:
    """Draws customer and terminal profiles exactly as the book does, and each customer's terminals in reach."""
    # One random_sample per uniform() call, in the book's order (x, y, mean_amount, mean_nb_tx_per_day).
    cust = np.random.RandomState(config.customer_seed).random_sample((config.n_customers, 4))
    customer_xy = cust[:, :2] * 100.0
    mean_amount = 5.0 + 95.0 * cust[:, 2]
    mean_nb_tx = 4.0 * cust[:, 3]
    terminal_xy = np.random.RandomState(config.terminal_seed).random_sample((config.n_terminals, 2)) * 100.0

    offsets = np.zeros(config.n_customers + 1, dtype=np.int64)
    chunks: list[np.ndarray] = []
    chunk = 512  # bounds the distance matrix to chunk x n_terminals floats
    for lo in range(0, config.n_customers, chunk):
        diff = customer_xy[lo : lo + chunk, None, :] - terminal_xy[None, :, :]
        within = np.sqrt(np.sum(np.square(diff), axis=2)) < config.radius
        rows, cols = np.nonzero(within)
        chunks.append(cols.astype(np.int64))
        offsets[lo + 1 : lo + 1 + within.shape[0]] = np.bincount(rows, minlength=within.shape[0])
    np.cumsum(offsets, out=offsets)
    return Profiles(
        customer_xy=customer_xy,
        mean_amount=mean_amount,
        std_amount=mean_amount / 2.0,
        mean_nb_tx_per_day=mean_nb_tx,
        terminal_xy=terminal_xy,
        reach_offsets=offsets,
        reach_terminals=np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int64),
    )


def _legit_transactions(config: SimulatorConfig, profiles: Profiles, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Draws every customer's daily transactions (time, amount, terminal) before any fraud."""
    counts = rng.poisson(np.repeat(profiles.mean_nb_tx_per_day[:, None], config.nb_days, axis=1))
    customer = np.repeat(np.repeat(np.arange(config.n_customers), config.nb_days), counts.ravel())
    day = np.repeat(np.tile(np.arange(config.nb_days), config.n_customers), counts.ravel())

    # The book truncates the time of day to whole seconds and drops (does not redraw) times outside the day.
    time_of_day = np.trunc(rng.normal(SECONDS_PER_DAY / 2, 20_000, size=customer.shape[0])).astype(np.int64)
    n_reach = np.diff(profiles.reach_offsets)[customer]
    keep = (time_of_day > 0) & (time_of_day < SECONDS_PER_DAY) & (n_reach > 0)
    customer, day, time_of_day, n_reach = customer[keep], day[keep], time_of_day[keep], n_reach[keep]

    mean = profiles.mean_amount[customer]
    amount = rng.normal(mean, profiles.std_amount[customer])
    negative = amount < 0
    amount[negative] = rng.uniform(0.0, 2.0 * mean[negative])
    amount = np.round(amount, 2)

    pick = np.minimum((rng.random(customer.shape[0]) * n_reach).astype(np.int64), n_reach - 1)
    terminal = profiles.reach_terminals[profiles.reach_offsets[customer] + pick]

    seconds = day * SECONDS_PER_DAY + time_of_day
    order = np.lexsort((customer, seconds))
    return {
        "customer_id": customer[order],
        "terminal_id": terminal[order],
        "tx_amount": amount[order],
        "tx_time_seconds": seconds[order],
        "tx_time_days": day[order],
    }


def _add_frauds(config: SimulatorConfig, cols: dict[str, np.ndarray], rng: np.random.Generator) -> None:
    """Applies the book's three fraud scenarios in its order (amount, terminal, customer), in place."""
    amount, days = cols["tx_amount"], cols["tx_time_days"]
    scenario = np.where(amount > config.amount_fraud_threshold, SCENARIO_AMOUNT, SCENARIO_NONE).astype(np.int8)
    last_day = int(days.max()) if days.size else 0

    # The book draws new compromises on days 0 .. max_day - 1 (range(max)), with random_state=day.
    compromised = np.zeros((config.n_terminals, config.nb_days), dtype=bool)
    for d in range(last_day):
        drawn = np.random.RandomState(config.fraud_seed + d).choice(
            config.n_terminals, size=config.terminals_compromised_per_day, replace=False
        )
        compromised[drawn, d : d + config.terminal_compromise_days] = True
    scenario[compromised[cols["terminal_id"], days]] = SCENARIO_TERMINAL

    by_customer = np.lexsort((np.arange(days.shape[0]), cols["customer_id"]))
    cust_sorted = cols["customer_id"][by_customer]
    for d in range(last_day):
        drawn = np.random.RandomState(config.fraud_seed + d).choice(
            config.n_customers, size=config.customers_compromised_per_day, replace=False
        )
        for c in drawn:
            lo, hi = np.searchsorted(cust_sorted, [c, c + 1])
            rows = by_customer[lo:hi]
            rows = rows[(days[rows] >= d) & (days[rows] < d + config.customer_compromise_days)]
            if rows.size >= 3:
                hit = rng.choice(rows, size=rows.size // 3, replace=False)
                amount[hit] = amount[hit] * 5.0
                scenario[hit] = SCENARIO_CUSTOMER
    cols["tx_fraud_scenario"] = scenario
    cols["tx_fraud"] = (scenario != SCENARIO_NONE).astype(np.int8)


def simulate(config: SimulatorConfig | None = None) -> TransactionTable:
    """Simulates a whole world: profiles, legitimate transactions, then the three fraud scenarios."""
    config = config or SimulatorConfig()
    profiles = generate_profiles(config)
    rng = np.random.default_rng(config.transaction_seed)
    cols = _legit_transactions(config, profiles, rng)
    _add_frauds(config, cols, rng)
    n = cols["customer_id"].shape[0]
    start = np.datetime64(date.fromisoformat(config.start_date), "s")
    return TransactionTable(
        transaction_id=np.arange(n, dtype=np.int64),
        tx_datetime=start + cols["tx_time_seconds"].astype("timedelta64[s]"),
        customer_id=cols["customer_id"],
        terminal_id=cols["terminal_id"],
        tx_amount=cols["tx_amount"],
        tx_time_seconds=cols["tx_time_seconds"],
        tx_time_days=cols["tx_time_days"],
        tx_fraud=cols["tx_fraud"],
        tx_fraud_scenario=cols["tx_fraud_scenario"],
        start_date=config.start_date,
    )
