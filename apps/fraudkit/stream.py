"""Simulated tables as streams of raw records, and replaying a stream through an online state or scorer."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime

import numpy as np

from fraudkit.records import LabelledTransaction, Transaction
from fraudkit.simulator import TransactionTable


def transactions_of(table: TransactionTable) -> list[Transaction]:
    """The table's rows as raw transactions (transaction_id is the table's id as a string)."""
    return [
        Transaction(str(i), c, t, d, a)
        for i, c, t, d, a in zip(
            table.transaction_id.tolist(),
            table.customer_id.tolist(),
            table.terminal_id.tolist(),
            table.tx_datetime.astype(datetime).tolist(),
            table.tx_amount.astype(np.float64).tolist(),
        )
    ]


def labelled_of(table: TransactionTable) -> list[LabelledTransaction]:
    """The table's rows with their fraud labels, as /feedback receives them."""
    return [
        LabelledTransaction(tx.transaction_id, tx.customer_id, tx.terminal_id, tx.tx_datetime, tx.tx_amount, bool(f))
        for tx, f in zip(transactions_of(table), table.tx_fraud.tolist())
    ]


def daily_batches(table: TransactionTable) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(rows of day d, rows whose labels arrive at the start of day d) for each day, labels one day late.

    A one-day feedback lag is enough for the terminal windows, which only use labels older than the delay.
    """
    days = (table.tx_datetime.astype("datetime64[D]") - table.tx_datetime.min().astype("datetime64[D]")).astype(
        np.int64
    )
    previous = np.zeros(0, dtype=np.int64)
    for d in np.unique(days).tolist():
        rows = np.nonzero(days == d)[0]
        yield rows, previous
        previous = rows


def replay(
    table: TransactionTable,
    score: Callable[[Sequence[Transaction]], list[object]],
    feedback: Callable[[Sequence[LabelledTransaction]], int],
    batch_size: int = 100,
) -> list[object]:
    """Streams a table day by day: feeds back yesterday's labels, then scores today's transactions in
    batches of ``batch_size``, in time order. Returns what ``score`` returned, in table order."""
    txs = transactions_of(table)
    labelled = labelled_of(table)
    out: list[object] = []
    for rows, label_rows in daily_batches(table):
        if label_rows.size:
            feedback([labelled[r] for r in label_rows.tolist()])
        day_txs = [txs[r] for r in rows.tolist()]
        for lo in range(0, len(day_txs), batch_size):
            out.extend(score(day_txs[lo : lo + batch_size]))
    return out
